#include "store/clickhouse/clickhouse_call_store.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <map>
#include <set>
#include <thread>
#include <utility>

#include "core/ascii.h"
#include "core/clock.h"
#include "store/clickhouse/call_rows.h"
#include "store/clickhouse/text.h"
#include "store/sqlite/call_filter.h"
#include "store/sqlite/enum_codes.h"

namespace cdrd::clickhouse {
namespace {

using sqlite::decode_enum;
using sqlite::enum_code;
using sqlite::usage_group_sql;

// The month of an end_time (UTC), the partition key of both tables.
constexpr std::string_view kMonthOf = "toYYYYMM(toDateTime(intDiv(end_time, 1000000), 'UTC'))";

// Migration n (1-based) is migrations()[n - 1]: statements run in order, then version n is
// recorded. Applied statements are never edited; a change is a new migration. In the sharded
// layout each server runs them with its tables named calls_local and call_keys_local
// (local_names), under the Distributed tables `calls` and `call_keys`.
const std::vector<std::vector<std::string>>& migrations() {
  static const std::vector<std::vector<std::string>> m = {
      {
          // 1: the calls and the uuid lookup.
          "CREATE TABLE IF NOT EXISTS calls ("
          "account_id Int64, end_time Int64, call_key String, id Int64, version UInt64, "
          "call_uuid String, direction UInt8, from_number String, to_number String, "
          "from_digits String, to_digits String, initiation_time Int64, "
          "answer_time Nullable(Int64), duration_s Int64, bill_duration_s Int64, "
          "hangup_cause_code Nullable(Int64), hangup_cause_name String, hangup_source UInt8, "
          "trunk_id String, trunk_domain String, region String, transport UInt8, srtp UInt8, "
          "secure_trunking UInt8, rate Int64, secure_trunking_rate Int64, total_amount Int64, "
          "rating UInt8, from_country String, to_country String, stir_verification UInt8, "
          "attestation UInt8, sip_call_id String, cnam_lookup UInt8, cnam_lookup_rate Int64, "
          "from_username String, from_domain String, from_screen_name String, "
          "to_username String, to_domain String, did_number String, did_domain String, "
          "bridged_username String, bridged_domain String, bridged_time Nullable(Int64), "
          "bridged_duration_s Nullable(Int64), extension_id Nullable(Int64), "
          "extension_name String, extension_type String, "
          "extension_group_owner_id Nullable(Int64), ext_number_reg Nullable(String), "
          "diversion_number String, result String, hangup_disposition String, "
          "q850_cause String, quality_rate Nullable(Int64), quality_max_rate Nullable(Int64), "
          "legs String, q_rtt_ms Nullable(Float64), q_jitter_ms Nullable(Float64), "
          "q_packet_loss_pct Nullable(Float64), q_post_dial_delay_ms Nullable(Int64), "
          "q_caller_carrier String, q_callee_carrier String, q_from_region String, "
          "q_to_region String"
          ") ENGINE = ReplacingMergeTree(version) "
          "PARTITION BY toYYYYMM(toDateTime(intDiv(end_time, 1000000), 'UTC')) "
          "ORDER BY (account_id, end_time, call_key)",
          "CREATE TABLE IF NOT EXISTS call_keys ("
          "account_id Int64, call_key String, end_time Int64, id Int64, version UInt64"
          ") ENGINE = ReplacingMergeTree(version) "
          "PARTITION BY toYYYYMM(toDateTime(intDiv(end_time, 1000000), 'UTC')) "
          "ORDER BY (account_id, call_key) SETTINGS index_granularity = 1024",
      },
  };
  return m;
}

// A statement of migrations() for the sharded layout: its tables become the shard's local ones.
std::string local_names(std::string statement) {
  for (const std::string_view table : {"call_keys", "calls"}) {
    const std::string from = "TABLE IF NOT EXISTS " + std::string(table) + " (";
    if (const std::size_t at = statement.find(from); at != std::string::npos) {
      statement.replace(at, from.size(), "TABLE IF NOT EXISTS " + std::string(table) + "_local (");
      break;
    }
  }
  return statement;
}

// Ids: a time part in microseconds since 2024-01-01 UTC, four bits of node. 2^53 (the largest
// integer a JSON reader in double precision keeps exactly) is reached in 2041.
constexpr Micros kIdEpoch = 1'704'067'200'000'000;
constexpr int kNodeBits = 4;

// CallQuery -> a WHERE clause of literals (text.h), the same conditions as the sqlite store's
// (store/sqlite/call_filter.cpp); nullopt when the query can match nothing.
class Where {
 public:
  void add(const std::string& condition) {
    if (!sql_.empty()) sql_ += " AND ";
    sql_ += condition;
  }
  void equals(std::string_view column, std::int64_t v) {
    add(std::string(column) + " = " + sql_int(v));
  }
  void int_range(std::string_view column, const IntRange& r) {
    if (r.empty()) nothing_ = true;
    if (r.min) add(std::string(column) + " >= " + sql_int(*r.min));
    if (r.max) add(std::string(column) + " <= " + sql_int(*r.max));
  }
  void time_range(std::string_view column, const TimeRange& r) {
    if (r.empty()) nothing_ = true;
    if (r.from) add(std::string(column) + " >= " + sql_int(*r.from));
    if (r.until) add(std::string(column) + " < " + sql_int(*r.until));
  }
  void in_texts(std::string_view column, const std::vector<std::string>& values) {
    if (values.empty()) return;
    std::string s = std::string(column) + " IN (";
    for (std::size_t i = 0; i < values.size(); ++i) s += (i ? ", " : "") + sql_string(values[i]);
    add(s + ")");
  }
  void in_ints(std::string_view column, const std::vector<std::int64_t>& values) {
    if (values.empty()) return;
    std::string s = std::string(column) + " IN (";
    for (std::size_t i = 0; i < values.size(); ++i) s += (i ? ", " : "") + sql_int(values[i]);
    add(s + ")");
  }
  // Numbers that begin with "+digits" or "digits": a range of the *_digits column.
  void number_prefix(std::string_view number_column, std::string_view digits_column,
                     const NumberPrefix& p) {
    std::string_view digits = p.digits;
    if (!digits.empty() && digits.front() == '+') digits.remove_prefix(1);
    const std::string_view column = digits.empty() ? number_column : digits_column;
    const std::string from = digits.empty() ? std::string("+") : std::string(digits);
    const std::optional<std::string> until = sqlite::prefix_successor(from);
    std::string s = "(" + std::string(column) + " >= " + sql_string(from);
    if (until) s += " AND " + std::string(column) + " < " + sql_string(*until);
    add(s + ")");
  }
  void nothing() { nothing_ = true; }
  std::optional<std::string> take() {
    if (nothing_) return std::nullopt;
    return sql_;
  }

 private:
  std::string sql_;
  bool nothing_ = false;
};

// `all_accounts`: leave q.account_id out (the operator's export of every account).
std::optional<std::string> where_of(const CallQuery& q, bool all_accounts = false) {
  Where w;
  if (!all_accounts) w.equals("account_id", q.account_id);
  if (q.direction) w.equals("direction", enum_code(*q.direction));
  if (q.from_number) w.number_prefix("from_number", "from_digits", *q.from_number);
  if (q.to_number) w.number_prefix("to_number", "to_digits", *q.to_number);
  if (q.trunk_id) w.add("trunk_id = " + sql_string(*q.trunk_id));
  if (q.hangup_cause_code) w.equals("hangup_cause_code", *q.hangup_cause_code);
  if (q.hangup_source) w.equals("hangup_source", enum_code(*q.hangup_source));
  if (q.stir_verification) w.equals("stir_verification", enum_code(*q.stir_verification));
  w.int_range("bill_duration_s", q.bill_duration);
  w.int_range("duration_s", q.duration);
  w.time_range("end_time", q.end_time);
  w.time_range("initiation_time", q.initiation_time);
  w.in_texts("from_username", q.from_usernames);
  w.in_texts("to_username", q.to_usernames);
  w.in_texts("bridged_username", q.bridged_usernames);
  w.in_texts("did_number", q.did_numbers);
  if (!q.flows.empty()) {
    std::vector<std::int64_t> codes;
    for (const std::string& f : q.flows) {
      if (std::optional<std::int64_t> c = sqlite::flow_direction_code(f)) codes.push_back(*c);
    }
    if (codes.empty()) {
      w.nothing();
    } else {
      w.in_ints("direction", codes);
    }
  }
  w.in_ints("extension_id", q.extension_ids);
  w.int_range("bridged_duration_s", q.bridged_duration);
  return w.take();
}

std::string select_sql(std::string_view where, std::string_view tail) {
  std::string sql = "SELECT ";
  sql += kColumns;
  sql += " FROM calls FINAL WHERE ";
  sql += where;
  sql += ' ';
  sql += tail;
  sql += " FORMAT TabSeparated";
  return sql;
}

Result<std::int64_t> single_int(const std::string& body) {
  const std::vector<TsvRow> rows = split_tsv(body);
  if (rows.size() != 1 || rows[0].size() != 1) {
    return Status::IOError("clickhouse: expected one number, got '" + body.substr(0, 80) + "'");
  }
  return tsv_int(rows[0][0]);
}

// The period key of end_time: equal for the calls of one UTC period, ordered as the periods.
// Hours and days by floor division (also before 1970); months by the calendar.
std::string_view usage_period_sql(UsagePeriod p) {
  switch (p) {
    case UsagePeriod::kHour:
      return "intDiv(end_time - if(end_time < 0, 3599999999, 0), 3600000000)";
    case UsagePeriod::kDay:
      return "intDiv(end_time - if(end_time < 0, 86399999999, 0), 86400000000)";
    case UsagePeriod::kMonth:
      return "toYYYYMM(toDateTime(intDiv(end_time, 1000000), 'UTC'))";
  }
  return "0";
}

}  // namespace

ClickHouseCallStore::ClickHouseCallStore(const Endpoint& endpoint, StoreOptions options)
    : client_(endpoint, options.client),
      options_(options),
      sharded_(!endpoint.cluster.empty()),
      in_(sharded_ ? " GLOBAL IN " : " IN ") {
  for (Endpoint& shard : endpoint.shards()) {
    shards_.push_back(std::make_unique<Client>(std::move(shard), options.client));
  }
}

Result<std::unique_ptr<ClickHouseCallStore>> ClickHouseCallStore::open(std::string_view url,
                                                                       StoreOptions options) {
  ASSIGN_OR_RETURN(Endpoint endpoint, parse_url(url));
  auto store = std::make_unique<ClickHouseCallStore>(std::move(endpoint), options);
  RETURN_IF_ERROR(store->migrate());
  // Ids go on above every id of the table, whichever node gave it.
  ASSIGN_OR_RETURN(const std::string body,
                   store->client_.run("SELECT max(id) FROM calls FORMAT TabSeparated"));
  ASSIGN_OR_RETURN(const std::int64_t max_id, single_int(body));
  MutexLock lock(&store->write_mu_);
  store->last_tick_ = max_id >> kNodeBits;
  return store;
}

Status ClickHouseCallStore::migrate() {
  for (const std::unique_ptr<Client>& shard : shards_) RETURN_IF_ERROR(migrate_server(*shard));
  return Status::Ok();
}

Status ClickHouseCallStore::migrate_server(Client& client) {
  const Endpoint& e = client.endpoint();
  RETURN_IF_ERROR(
      client.run_without_database("CREATE DATABASE IF NOT EXISTS " + e.database).status());
  if (sharded_) {
    // A database made for one server keeps its calls in a plain `calls` table, which cannot
    // become a shard in place.
    ASSIGN_OR_RETURN(
        const std::string engine,
        client.run("SELECT engine FROM system.tables WHERE database = " + sql_string(e.database) +
                       " AND name = 'calls' FORMAT TabSeparated",
                   false));
    if (!engine.empty() && engine != "Distributed\n") {
      return Status::IOError(e.describe() +
                             " holds the calls of one server (table calls is not Distributed): "
                             "a sharded layout needs a new database");
    }
  }
  RETURN_IF_ERROR(client
                      .run("CREATE TABLE IF NOT EXISTS cdrd_schema (version UInt32, "
                           "applied_at DateTime) ENGINE = TinyLog",
                           false)
                      .status());
  ASSIGN_OR_RETURN(const std::string body,
                   client.run("SELECT max(version) FROM cdrd_schema FORMAT TabSeparated"));
  ASSIGN_OR_RETURN(const std::int64_t current, single_int(body));
  const auto& all = migrations();
  if (current > static_cast<std::int64_t>(all.size())) {
    return Status::IOError(e.describe() + " holds schema version " + std::to_string(current) +
                           ", newer than this cdrd's " + std::to_string(all.size()) +
                           ": upgrade cdrd");
  }
  for (std::size_t v = static_cast<std::size_t>(current); v < all.size(); ++v) {
    for (const std::string& statement : all[v]) {
      RETURN_IF_ERROR(client.run(sharded_ ? local_names(statement) : statement, false).status());
    }
    RETURN_IF_ERROR(
        client.run("INSERT INTO cdrd_schema VALUES (" + std::to_string(v + 1) + ", now())", false)
            .status());
  }
  if (sharded_) {
    // On every shard, so that any of them can take the statements. The sharding key is the
    // call's (account, key), the same for both tables: every copy of a call and its key row
    // land on one shard, where FINAL collapses them.
    for (const std::string_view table : {"calls", "call_keys"}) {
      RETURN_IF_ERROR(client
                          .run("CREATE TABLE IF NOT EXISTS " + std::string(table) + " AS " +
                                   std::string(table) + "_local ENGINE = Distributed(" + e.cluster +
                                   ", " + e.database + ", " + std::string(table) +
                                   "_local, cityHash64(account_id, call_key))",
                               false)
                          .status());
    }
  }
  return Status::Ok();
}

Status ClickHouseCallStore::check_reachable() {
  for (const std::unique_ptr<Client>& shard : shards_)
    RETURN_IF_ERROR(shard->run("SELECT 1").status());
  return Status::Ok();
}

Result<std::vector<InsertOutcome>> ClickHouseCallStore::insert_calls(
    const std::vector<CallRecord>& records) {
  std::vector<InsertOutcome> outcomes;
  if (records.empty()) return outcomes;
  // One writer per node: the uuid check and the insert are not interleaved with another batch
  // of this node (two nodes may still race; reads dedupe those rows).
  MutexLock lock(&write_mu_);
  // The batch's keys already stored.
  std::map<std::int64_t, std::set<std::string>> keys;
  for (const CallRecord& r : records) keys[r.account_id].insert(ascii_lower(r.call_uuid));
  std::string sql = "SELECT account_id, call_key FROM call_keys WHERE ";
  bool first = true;
  for (const auto& [account, set] : keys) {
    sql += first ? "(" : " OR (";
    first = false;
    sql += "account_id = " + sql_int(account) + " AND call_key IN (";
    bool first_key = true;
    for (const std::string& k : set) {
      if (!first_key) sql += ", ";
      first_key = false;
      sql += sql_string(k);
    }
    sql += "))";
  }
  sql += " GROUP BY account_id, call_key FORMAT TabSeparated";
  ASSIGN_OR_RETURN(const std::string body, client_.run(sql, false));
  std::set<std::pair<std::int64_t, std::string>> seen;
  for (const TsvRow& row : split_tsv(body)) {
    if (row.size() != 2) return Status::IOError("clickhouse: a bad call_keys row");
    ASSIGN_OR_RETURN(const std::int64_t account, tsv_int(row[0]));
    ASSIGN_OR_RETURN(std::string key, tsv_text(row[1]));
    seen.emplace(account, std::move(key));
  }

  const Micros now = system_now() - kIdEpoch;
  std::int64_t tick = last_tick_;
  std::string rows, key_rows;
  outcomes.reserve(records.size());
  for (const CallRecord& r : records) {
    if (!seen.emplace(r.account_id, ascii_lower(r.call_uuid)).second) {
      outcomes.push_back(InsertOutcome::kDuplicate);
      continue;
    }
    tick = std::max(tick + 1, now);
    const std::int64_t id = (tick << kNodeBits) | client_.endpoint().node;
    append_row(rows, r, id);
    append_tsv_int(key_rows, r.account_id);
    key_rows += '\t';
    append_tsv(key_rows, ascii_lower(r.call_uuid));
    key_rows += '\t';
    append_tsv_int(key_rows, r.end_time);
    key_rows += '\t';
    append_tsv_int(key_rows, id);
    key_rows += '\t';
    append_tsv(key_rows, std::to_string(version_of(id)));
    key_rows += '\n';
    outcomes.push_back(InsertOutcome::kStored);
  }
  if (rows.empty()) return outcomes;
  // The calls first, then their keys: a key names only a call that is stored, so a batch that
  // failed between the two is written again in full by its retry (and the calls read once).
  // The ids are used up either way: never given twice.
  last_tick_ = tick;
  RETURN_IF_ERROR(client_.insert(
      "INSERT INTO calls (" + std::string(kColumns) + ") FORMAT TabSeparated", rows));
  RETURN_IF_ERROR(client_.insert(
      "INSERT INTO call_keys (account_id, call_key, end_time, id, version) FORMAT TabSeparated",
      key_rows));
  return outcomes;
}

Result<std::vector<StoredCall>> ClickHouseCallStore::select_calls(const std::string& sql) {
  ASSIGN_OR_RETURN(const std::string body, client_.run(sql));
  std::vector<StoredCall> out;
  for (const TsvRow& row : split_tsv(body)) {
    ASSIGN_OR_RETURN(StoredCall c, read_row(row));
    out.push_back(std::move(c));
  }
  return out;
}

Result<std::vector<StoredCall>> ClickHouseCallStore::select_in_order(const std::string& where,
                                                                     const std::string& tail) {
  // 1. The page's (end_time, id) through FINAL, reading the sort key, the version, the filtered
  //    columns and id only: FINAL merges every row it reads, so the narrower the better.
  ASSIGN_OR_RETURN(const std::string keys,
                   client_.run("SELECT end_time, id FROM calls FINAL WHERE " + where + " " + tail +
                               " FORMAT TabSeparated"));
  std::vector<std::int64_t> ids;
  std::string end_times, id_list;
  for (const TsvRow& row : split_tsv(keys)) {
    if (row.size() != 2) return Status::IOError("clickhouse: a bad (end_time, id) row");
    ASSIGN_OR_RETURN(const std::int64_t end_time, tsv_int(row[0]));
    ASSIGN_OR_RETURN(const std::int64_t id, tsv_int(row[1]));
    if (!ids.empty()) {
      end_times += ", ";
      id_list += ", ";
    }
    end_times += sql_int(end_time);
    id_list += sql_int(id);
    ids.push_back(id);
  }
  if (ids.empty()) return std::vector<StoredCall>();
  // 2. Those rows whole, by id (each id names one stored row; a copy of it written twice is
  //    the same row: LIMIT 1 BY), the end_times narrowing the sort key range read.
  ASSIGN_OR_RETURN(const std::string body,
                   client_.run("SELECT " + std::string(kColumns) + " FROM calls WHERE " + where +
                               " AND end_time IN (" + end_times + ") AND id IN (" + id_list +
                               ") LIMIT 1 BY id FORMAT TabSeparated"));
  std::map<std::int64_t, StoredCall> by_id;
  for (const TsvRow& row : split_tsv(body)) {
    ASSIGN_OR_RETURN(StoredCall c, read_row(row));
    const std::int64_t id = c.id;
    by_id.emplace(id, std::move(c));
  }
  std::vector<StoredCall> out;
  out.reserve(ids.size());
  for (const std::int64_t id : ids) {
    auto it = by_id.find(id);
    // Gone between the two reads (retention deleted it): the page is one call shorter.
    if (it != by_id.end()) out.push_back(std::move(it->second));
  }
  return out;
}

Result<std::optional<CallRecord>> ClickHouseCallStore::find_call(std::int64_t account_id,
                                                                 std::string_view call_uuid,
                                                                 Micros served_from) {
  const std::string account = sql_int(account_id);
  const std::string key = sql_string(ascii_lower(call_uuid));
  // The key's end_time from call_keys (sorted by key), then the call by its sort key.
  const std::string where = "account_id = " + account + " AND call_key = " + key +
                            " AND end_time >= " + sql_int(served_from) + " AND end_time" + in_ +
                            "(SELECT end_time FROM call_keys WHERE account_id = " + account +
                            " AND call_key = " + key + ")";
  ASSIGN_OR_RETURN(std::vector<StoredCall> rows,
                   select_calls(select_sql(where, "ORDER BY id LIMIT 1")));
  if (rows.empty()) return std::optional<CallRecord>();
  return std::optional<CallRecord>(std::move(rows.front().call));
}

Result<Page<CallRecord>> ClickHouseCallStore::list_calls(const CallQuery& query) {
  Page<CallRecord> page;
  const std::optional<std::string> where = where_of(query);
  if (!where) return page;
  const std::int64_t limit = std::max(0, query.limit);
  const std::int64_t offset = std::max<std::int64_t>(0, query.offset);
  std::int64_t got = 0;
  if (limit > 0) {
    const std::string order = query.order == SortOrder::kOldestFirst
                                  ? "ORDER BY end_time ASC, id ASC"
                                  : "ORDER BY end_time DESC, id DESC";
    ASSIGN_OR_RETURN(
        std::vector<StoredCall> rows,
        select_in_order(*where, order + " LIMIT " + sql_int(offset) + ", " + sql_int(limit)));
    page.rows.reserve(rows.size());
    for (StoredCall& s : rows) page.rows.push_back(std::move(s.call));
    got = static_cast<std::int64_t>(page.rows.size());
  }
  if (!query.count_total) return page;
  if (got < limit && (got > 0 || offset == 0)) {
    // A short page that is not past the end: the matches stop right here.
    page.total_count = offset + got;
    return page;
  }
  ASSIGN_OR_RETURN(const std::string body, client_.run("SELECT count() FROM calls FINAL WHERE " +
                                                       *where + " FORMAT TabSeparated"));
  ASSIGN_OR_RETURN(page.total_count, single_int(body));
  return page;
}

Result<UsageAnswer> ClickHouseCallStore::usage(const UsageQuery& query) {
  UsageAnswer answer;
  const std::optional<std::string> where = where_of(query.filter);
  if (!where || query.max_rows < 0) return answer;
  // ClickHouse's integer sums wrap on overflow: the same sums as Float64 tell when one would
  // have left the int64 range (refused, as the sqlite store refuses it).
  const std::string plain =
      "SELECT " + std::string(usage_period_sql(query.period)) + " AS p, " +
      std::string(usage_group_sql(query.group_by)) +
      " AS g, min(end_time), count(), countIf(isNotNull(answer_time)), "
      "sumIf(duration_s, isNotNull(answer_time)), sum(bill_duration_s), sum(total_amount), "
      "sumIf(toFloat64(duration_s), isNotNull(answer_time)), sum(toFloat64(bill_duration_s)), "
      "sum(toFloat64(total_amount)) FROM calls FINAL WHERE " +
      *where + " GROUP BY p, g ORDER BY p, g LIMIT " + sql_int(query.max_rows + 1) +
      " FORMAT TabSeparated";
  ASSIGN_OR_RETURN(const std::string body, client_.run(plain));
  const bool text_group =
      query.group_by == UsageGroup::kToCountry || query.group_by == UsageGroup::kTrunkId;
  constexpr double kLimit = 9.2e18;
  for (const TsvRow& f : split_tsv(body)) {
    if (f.size() != 11) return Status::IOError("clickhouse: a bad usage row");
    if (answer.rows.size() == static_cast<std::size_t>(query.max_rows)) {
      answer.more = true;
      break;
    }
    for (std::size_t i = 8; i < 11; ++i) {
      ASSIGN_OR_RETURN(const std::optional<double> v, tsv_opt_real(f[i]));
      if (!v || std::fabs(*v) >= kLimit) {
        return Status::IOError("usage: a sum leaves the 64-bit integer range");
      }
    }
    UsageRow row;
    ASSIGN_OR_RETURN(const std::int64_t first_end, tsv_int(f[2]));
    row.period_start = usage_period_start(query.period, first_end);
    if (text_group) {
      ASSIGN_OR_RETURN(row.group, tsv_text(f[1]));
    } else if (query.group_by) {
      ASSIGN_OR_RETURN(const std::int64_t code, tsv_int(f[1]));
      if (query.group_by == UsageGroup::kDirection) {
        Direction d{};
        if (!decode_enum(code, d)) return Status::IOError("unknown direction code");
        row.group = std::string(to_string(d));
      } else {
        HangupSource h{};
        if (!decode_enum(code, h)) return Status::IOError("unknown hangup source code");
        row.group = std::string(to_string(h));
      }
    }
    ASSIGN_OR_RETURN(row.totals.calls, tsv_int(f[3]));
    ASSIGN_OR_RETURN(row.totals.answered_calls, tsv_int(f[4]));
    ASSIGN_OR_RETURN(row.totals.answered_duration_s, tsv_int(f[5]));
    ASSIGN_OR_RETURN(row.totals.bill_duration_s, tsv_int(f[6]));
    ASSIGN_OR_RETURN(const std::int64_t amount, tsv_int(f[7]));
    row.totals.total_amount = Money::from_units(amount);
    answer.rows.push_back(std::move(row));
  }
  return answer;
}

Result<std::vector<StoredCall>> ClickHouseCallStore::calls_stored_after(std::int64_t account_id,
                                                                        std::int64_t after_id,
                                                                        Micros served_from,
                                                                        int limit) {
  if (limit <= 0) return std::vector<StoredCall>();
  std::string where = "account_id = " + sql_int(account_id) + " AND id > " + sql_int(after_id) +
                      " AND end_time >= " + sql_int(served_from);
  if (const int lag_ms = client_.endpoint().feed_lag_ms; lag_ms > 0) {
    // Only ids whose time is older than the lag: a call another node stores late (its id taken
    // up to one insert time before it is visible) is then still ahead of every reader.
    const Micros horizon = system_now() - kIdEpoch - Micros{lag_ms} * 1000;
    if (horizon <= 0) return std::vector<StoredCall>();
    where += " AND id < " + sql_int(horizon << kNodeBits);
  }
  return select_in_order(where, "ORDER BY id LIMIT " + sql_int(limit));
}

namespace {

// The columns of an export, in the order read_export_row reads them: only what the export
// format shows (docs/export.md), never the legs or the cloud-PBX fields.
constexpr std::string_view kExportColumns =
    "id, account_id, call_uuid, direction, from_number, to_number, initiation_time, "
    "answer_time, end_time, duration_s, bill_duration_s, hangup_cause_code, hangup_cause_name, "
    "hangup_source, trunk_id, trunk_domain, region, transport, srtp, secure_trunking, rate, "
    "secure_trunking_rate, total_amount, from_country, to_country, stir_verification, "
    "attestation, sip_call_id, cnam_lookup, cnam_lookup_rate";
constexpr std::size_t kExportColumnCount = 30;
constexpr std::size_t kExportTextColumns = 10;

// A row of kExportColumns as views: a field without escapes is a view into the answer, one
// with escapes is unescaped into one of `texts` (reused from row to row).
Status read_export_row(const TsvRow& f, std::string (&texts)[kExportTextColumns],
                       CallExportRow& r) {
  if (f.size() != kExportColumnCount) {
    return Status::IOError("clickhouse: an export row of " + std::to_string(f.size()) +
                           " columns, expected " + std::to_string(kExportColumnCount));
  }
  std::size_t i = 0;
  std::size_t t = 0;
  bool ok = true;
  const auto text = [&](std::string_view& out) -> Status {
    const std::string_view field = f[i++];
    std::string& buffer = texts[t++];
    if (field.find('\\') == std::string_view::npos) {
      out = field;
      return Status::Ok();
    }
    ASSIGN_OR_RETURN(buffer, tsv_text(field));
    out = buffer;
    return Status::Ok();
  };
  const auto int64 = [&]() -> Result<std::int64_t> { return tsv_int(f[i++]); };
  const auto money = [&](Money& out) -> Status {
    ASSIGN_OR_RETURN(const std::int64_t units, tsv_int(f[i++]));
    out = Money::from_units(units);
    return Status::Ok();
  };
  const auto flag = [&](bool& out) -> Status {
    ASSIGN_OR_RETURN(const std::int64_t v, tsv_int(f[i++]));
    out = v != 0;
    return Status::Ok();
  };
  const auto code = [&](auto& out) -> Status {
    ASSIGN_OR_RETURN(const std::int64_t v, tsv_int(f[i++]));
    ok &= decode_enum(v, out);
    return Status::Ok();
  };
  ASSIGN_OR_RETURN(r.id, int64());
  ASSIGN_OR_RETURN(r.account_id, int64());
  RETURN_IF_ERROR(text(r.call_uuid));
  RETURN_IF_ERROR(code(r.direction));
  RETURN_IF_ERROR(text(r.from_number));
  RETURN_IF_ERROR(text(r.to_number));
  ASSIGN_OR_RETURN(r.initiation_time, int64());
  ASSIGN_OR_RETURN(r.answer_time, tsv_opt_int(f[i++]));
  ASSIGN_OR_RETURN(r.end_time, int64());
  ASSIGN_OR_RETURN(r.duration_s, int64());
  ASSIGN_OR_RETURN(r.bill_duration_s, int64());
  ASSIGN_OR_RETURN(r.hangup_cause_code, tsv_opt_int(f[i++]));
  RETURN_IF_ERROR(text(r.hangup_cause_name));
  RETURN_IF_ERROR(code(r.hangup_source));
  RETURN_IF_ERROR(text(r.trunk_id));
  RETURN_IF_ERROR(text(r.trunk_domain));
  RETURN_IF_ERROR(text(r.region));
  RETURN_IF_ERROR(code(r.transport));
  RETURN_IF_ERROR(flag(r.srtp));
  RETURN_IF_ERROR(flag(r.secure_trunking));
  RETURN_IF_ERROR(money(r.rate));
  RETURN_IF_ERROR(money(r.secure_trunking_rate));
  RETURN_IF_ERROR(money(r.total_amount));
  RETURN_IF_ERROR(text(r.from_country));
  RETURN_IF_ERROR(text(r.to_country));
  RETURN_IF_ERROR(code(r.stir_verification));
  RETURN_IF_ERROR(code(r.attestation));
  RETURN_IF_ERROR(text(r.sip_call_id));
  RETURN_IF_ERROR(flag(r.cnam_lookup));
  RETURN_IF_ERROR(money(r.cnam_lookup_rate));
  if (!ok) {
    return Status::IOError("clickhouse: corrupt enum code in the call of id " +
                           std::to_string(r.id));
  }
  if (i != kExportColumnCount || t != kExportTextColumns) {
    return Status::Internal("clickhouse: export column count mismatch");
  }
  return Status::Ok();
}

// The conditions of an export's calls with an id above `after_id` (and through `through_id`,
// unless 0); nullopt when the query matches nothing.
std::optional<std::string> export_where(const ExportQuery& query, std::int64_t after_id,
                                        std::int64_t through_id) {
  std::optional<std::string> where = where_of(query.filter, query.all_accounts);
  if (!where) return where;
  if (!where->empty()) *where += " AND ";
  *where += "id > " + sql_int(after_id);
  if (through_id > 0) *where += " AND id <= " + sql_int(through_id);
  *where += " AND end_time >= " + sql_int(query.served_from);
  return where;
}

}  // namespace

Result<std::int64_t> ClickHouseCallStore::export_calls(const ExportQuery& query,
                                                       std::int64_t after_id,
                                                       std::int64_t through_id,
                                                       const ExportRowFn& row) {
  if (through_id <= after_id) return std::int64_t{0};
  const std::optional<std::string> where = export_where(query, after_id, through_id);
  if (!where) return std::int64_t{0};
  // 1. The window's end_times, without FINAL (a plain read of the filtered columns and id):
  //    the id is not in the sort key, so FINAL alone would merge the account's whole range (or
  //    the table's) for every window. None: an empty window, no second read.
  ASSIGN_OR_RETURN(
      const std::string times,
      client_.run("SELECT DISTINCT end_time FROM calls WHERE " + *where + " FORMAT TabSeparated"));
  std::string end_times;
  for (const TsvRow& f : split_tsv(times)) {
    if (f.size() != 1) return Status::IOError("clickhouse: a bad end_time row");
    ASSIGN_OR_RETURN(const std::int64_t t, tsv_int(f[0]));
    if (!end_times.empty()) end_times += ", ";
    end_times += sql_int(t);
  }
  if (end_times.empty()) return std::int64_t{0};
  // 2. The calls through FINAL (deduplicated as every read of this store; every copy of a call
  //    has its end_time, so the narrowed key range holds them all), the exported columns only:
  //    FINAL adds the sort key and the version, the filters their own columns.
  ASSIGN_OR_RETURN(
      const std::string body,
      client_.run("SELECT " + std::string(kExportColumns) + " FROM calls FINAL WHERE " + *where +
                  " AND end_time IN (" + end_times + ") ORDER BY id FORMAT TabSeparated"));
  std::string texts[kExportTextColumns];
  CallExportRow r;
  std::int64_t n = 0;
  for (const TsvRow& fields : split_tsv(body)) {
    RETURN_IF_ERROR(read_export_row(fields, texts, r));
    row(r);
    ++n;
  }
  return n;
}

Result<std::int64_t> ClickHouseCallStore::next_export_id(const ExportQuery& query,
                                                         std::int64_t after_id) {
  const std::optional<std::string> where = export_where(query, after_id, 0);
  if (!where) return std::int64_t{0};
  // Without FINAL: a lower bound is enough (a copy FINAL drops only makes one window empty),
  // and min() of no rows is 0, "none".
  ASSIGN_OR_RETURN(const std::string body, client_.run("SELECT min(id) FROM calls WHERE " + *where +
                                                       " FORMAT TabSeparated"));
  return single_int(body);
}

Result<std::int64_t> ClickHouseCallStore::last_call_id() {
  ASSIGN_OR_RETURN(const std::string body,
                   client_.run("SELECT max(id) FROM calls FORMAT TabSeparated"));
  return single_int(body);
}

Result<std::int64_t> ClickHouseCallStore::delete_calls_ended_before(Micros floor, int max_rows) {
  if (max_rows <= 0) return std::int64_t{0};
  MutexLock lock(&write_mu_);
  // The months that hold calls before the floor, and how many: the parts' min/max of end_time
  // (kept for the partition key) leave every later part unread.
  ASSIGN_OR_RETURN(const std::string before_body,
                   client_.run("SELECT " + std::string(kMonthOf) +
                                   " AS month, count() FROM calls FINAL WHERE end_time < " +
                                   sql_int(floor) + " GROUP BY month FORMAT TabSeparated",
                               false));
  std::map<std::int64_t, std::int64_t> before;  // month -> calls before the floor
  for (const TsvRow& f : split_tsv(before_body)) {
    if (f.size() != 2) return Status::IOError("clickhouse: a bad partition row");
    ASSIGN_OR_RETURN(const std::int64_t month, tsv_int(f[0]));
    ASSIGN_OR_RETURN(before[month], tsv_int(f[1]));
  }
  if (before.empty()) return std::int64_t{0};
  // All the calls of those months: a month of only such calls goes whole.
  std::string months;
  for (const auto& [month, n] : before) months += (months.empty() ? "" : ", ") + sql_int(month);
  ASSIGN_OR_RETURN(const std::string all_body,
                   client_.run("SELECT " + std::string(kMonthOf) +
                                   " AS month, count() FROM calls FINAL WHERE month IN (" + months +
                                   ") GROUP BY month FORMAT TabSeparated",
                               false));
  std::int64_t deleted = 0;
  bool partial = false;
  std::vector<std::int64_t> whole;
  for (const TsvRow& f : split_tsv(all_body)) {
    if (f.size() != 2) return Status::IOError("clickhouse: a bad partition row");
    ASSIGN_OR_RETURN(const std::int64_t month, tsv_int(f[0]));
    ASSIGN_OR_RETURN(const std::int64_t all, tsv_int(f[1]));
    const std::int64_t n = before[month];
    deleted += n;
    if (n == all) {
      whole.push_back(month);
    } else {
      partial = true;
    }
  }
  // A month that expired whole goes as a partition: no rows rewritten.
  // In the sharded layout, on each shard's local tables (a Distributed table has no parts).
  const std::string suffix = sharded_ ? "_local" : "";
  for (const std::int64_t month : whole) {
    for (const std::unique_ptr<Client>& shard : shards_) {
      for (const char* table : {"calls", "call_keys"}) {
        RETURN_IF_ERROR(shard
                            ->run("ALTER TABLE " + std::string(table) + suffix +
                                      " DROP PARTITION " + sql_int(month),
                                  false)
                            .status());
      }
    }
  }
  if (partial) {
    // The rest by a mutation (ClickHouse rewrites the parts that hold such rows in the
    // background); waited for, so the rows are gone when this returns.
    for (const std::unique_ptr<Client>& shard : shards_) {
      for (const char* table : {"calls", "call_keys"}) {
        RETURN_IF_ERROR(shard
                            ->run("ALTER TABLE " + std::string(table) + suffix +
                                      " DELETE WHERE end_time < " + sql_int(floor),
                                  false)
                            .status());
      }
    }
    const auto deadline = std::chrono::steady_clock::now() + options_.mutation_wait;
    for (;;) {
      std::int64_t n = 0;
      for (const std::unique_ptr<Client>& shard : shards_) {
        ASSIGN_OR_RETURN(const std::string pending,
                         shard->run("SELECT count() FROM system.mutations WHERE database = " +
                                        sql_string(shard->endpoint().database) +
                                        " AND is_done = 0 FORMAT TabSeparated",
                                    false));
        ASSIGN_OR_RETURN(const std::int64_t on_shard, single_int(pending));
        n += on_shard;
      }
      if (n == 0) break;
      if (std::chrono::steady_clock::now() > deadline) {
        return Status::Unavailable("calls store: the retention mutation of " +
                                   client_.endpoint().describe() + " has not finished yet");
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  }
  return deleted;
}

}  // namespace cdrd::clickhouse
