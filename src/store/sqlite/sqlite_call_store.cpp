#include "store/sqlite/sqlite_call_store.h"

#include <algorithm>
#include <utility>

#include "store/sqlite/call_filter.h"
#include "store/sqlite/call_row.h"
#include "store/sqlite/leg_codec.h"

namespace cdrd {

using sqlite::Connection;
using sqlite::SqlValue;
using sqlite::Statement;
using sqlite::StatementRef;

namespace {

const std::string& find_call_sql() {
  static const std::string sql = std::string("SELECT ") + sqlite::kCallColumns +
                                 " FROM calls WHERE account_id = ? AND call_uuid = ?"
                                 " AND end_time >= ?";
  return sql;
}

// The page and count statements of a list query. Only the WHERE shape varies (build_call_filter
// assembles it from fixed fragments); the order is one of two literals.
std::string page_sql(const sqlite::CallFilter& f, SortOrder order) {
  std::string sql = "SELECT ";
  sql += sqlite::kCallColumns;
  sql += " FROM calls WHERE ";
  sql += f.where;
  sql += order == SortOrder::kOldestFirst ? " ORDER BY end_time ASC, id ASC"
                                          : " ORDER BY end_time DESC, id DESC";
  sql += " LIMIT ? OFFSET ?";
  return sql;
}

std::string count_sql(const sqlite::CallFilter& f) {
  return "SELECT COUNT(*) FROM calls WHERE " + f.where;
}

// The EXPLAIN QUERY PLAN of `sql` (values bound as the real statement would have them), one
// line per plan node, indented by depth.
Result<std::vector<std::string>> explain(Connection& conn, const std::string& sql,
                                         const std::vector<SqlValue>& values,
                                         std::string_view label) {
  ASSIGN_OR_RETURN(std::unique_ptr<Statement> st,
                   conn.prepare_uncached("EXPLAIN QUERY PLAN " + sql));
  st->bind_all(1, values);
  std::vector<std::string> lines;
  std::vector<std::pair<std::int64_t, int>> depth;  // (node id, depth)
  RETURN_IF_ERROR(st->for_each([&](const Statement& row) {
    const std::int64_t id = row.int64(0), parent = row.int64(1);
    int d = 0;
    for (const auto& [node, nd] : depth) {
      if (node == parent) d = nd + 1;
    }
    depth.emplace_back(id, d);
    lines.push_back(std::string(label) + ": " + std::string(2 * static_cast<std::size_t>(d), ' ') +
                    row.text(3));
  }));
  return lines;
}

}  // namespace

Result<std::vector<InsertOutcome>> SqliteCallStore::insert_calls(
    const std::vector<CallRecord>& records) {
  std::vector<InsertOutcome> outcomes;
  if (records.empty()) return outcomes;
  outcomes.reserve(records.size());
  std::string legs_blob;
  RETURN_IF_ERROR(db_.write_transaction([&](Connection& c) -> Status {
    // One statement for the batch, bound and run once per call.
    ASSIGN_OR_RETURN(StatementRef st, c.prepare(sqlite::insert_call_sql()));
    for (const CallRecord& r : records) {
      legs_blob.clear();
      if (!r.legs.empty()) legs_blob = sqlite::encode_legs(r.legs);
      sqlite::bind_call(*st, r, legs_blob);
      Status s = st->run();
      st->reset();
      if (!s.ok()) {
        if (sqlite3_extended_errcode(c.handle()) == SQLITE_CONSTRAINT_FOREIGNKEY) {
          return Status::Invalid("call " + r.call_uuid + ": no account with id " +
                                 std::to_string(r.account_id));
        }
        return s;  // the transaction rolls back: nothing of the batch is written
      }
      // ON CONFLICT DO NOTHING inserts no row for a key already stored, including one stored
      // earlier in this same batch.
      outcomes.push_back(c.changes() == 1 ? InsertOutcome::kStored : InsertOutcome::kDuplicate);
    }
    return Status::Ok();
  }));
  return outcomes;
}

Result<std::optional<CallRecord>> SqliteCallStore::find_call(std::int64_t account_id,
                                                             std::string_view call_uuid,
                                                             Micros served_from) {
  return db_.with_reader([&](Connection& c) {
    return c.query_one(find_call_sql(), sqlite::read_call, account_id, call_uuid, served_from);
  });
}

Result<Page<CallRecord>> SqliteCallStore::list_calls(const CallQuery& query) {
  const sqlite::CallFilter filter = sqlite::build_call_filter(query);
  if (filter.matches_nothing) return Page<CallRecord>();
  const std::int64_t limit = std::max(0, query.limit);
  const std::int64_t offset = std::max<std::int64_t>(0, query.offset);
  // One read transaction: the page and the count come from the same snapshot.
  return db_.read_transaction([&](Connection& c) -> Result<Page<CallRecord>> {
    Page<CallRecord> page;
    ASSIGN_OR_RETURN(page.rows, c.query_all(page_sql(filter, query.order), sqlite::read_call,
                                            filter.values, limit, offset));
    const auto got = static_cast<std::int64_t>(page.rows.size());
    if (!query.count_total) {
      page.total_count = 0;
    } else if (got < limit && (got > 0 || offset == 0)) {
      // A short page that is not past the end: the matches stop right here.
      page.total_count = offset + got;
    } else {
      ASSIGN_OR_RETURN(page.total_count, c.query_int(count_sql(filter), filter.values));
    }
    return page;
  });
}

Result<std::int64_t> SqliteCallStore::delete_calls_ended_before(Micros floor, int max_rows) {
  if (max_rows <= 0) return std::int64_t{0};
  return db_.write_transaction([&](Connection& c) -> Result<std::int64_t> {
    // Account by account, so that each DELETE is one range of calls_by_end_time.
    ASSIGN_OR_RETURN(const std::vector<std::int64_t> ids,
                     c.query_all("SELECT id FROM accounts ORDER BY id",
                                 [](const Statement& st) { return st.int64(0); }));
    std::int64_t deleted = 0;
    for (std::int64_t id : ids) {
      if (deleted >= max_rows) break;
      RETURN_IF_ERROR(
          c.run("DELETE FROM calls WHERE id IN (SELECT id FROM calls WHERE "
                "account_id = ? AND end_time < ? ORDER BY end_time LIMIT ?)",
                id, floor, static_cast<std::int64_t>(max_rows) - deleted));
      deleted += c.changes();
    }
    return deleted;  // on a failure the transaction rolls back
  });
}

Result<std::vector<std::string>> SqliteCallStore::explain_list_calls(const CallQuery& query) {
  const sqlite::CallFilter filter = sqlite::build_call_filter(query);
  std::vector<SqlValue> page_values = filter.values;
  page_values.emplace_back(std::int64_t{query.limit});
  page_values.emplace_back(std::int64_t{query.offset});
  return db_.with_reader([&](Connection& c) -> Result<std::vector<std::string>> {
    ASSIGN_OR_RETURN(std::vector<std::string> lines,
                     explain(c, page_sql(filter, query.order), page_values, "page"));
    ASSIGN_OR_RETURN(const std::vector<std::string> count,
                     explain(c, count_sql(filter), filter.values, "count"));
    lines.insert(lines.end(), count.begin(), count.end());
    return lines;
  });
}

Result<std::vector<std::string>> SqliteCallStore::explain_find_call() {
  const std::vector<SqlValue> values = {std::int64_t{0}, std::string(), std::int64_t{0}};
  return db_.with_reader(
      [&](Connection& c) { return explain(c, find_call_sql(), values, "find"); });
}

}  // namespace cdrd
