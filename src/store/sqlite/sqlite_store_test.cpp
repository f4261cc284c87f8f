#include "store/sqlite/stores.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <limits>
#include <thread>

#include "core/leg_codec.h"
#include "store/sqlite/call_filter.h"
#include "store/sqlite/call_row.h"
#include "store/sqlite/migrations.h"
#include "testing/random_calls.h"
#include "testing/stores.h"
#include "testing/temp_dir.h"
#include "testing/trunk_fields.h"
#include "testing/values.h"

namespace cdrd {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::UnorderedElementsAreArray;

namespace fs = std::filesystem;

constexpr Micros kT0 = 1'616'327'220 * kMicrosPerSecond;  // 2021-03-21 11:47:00 UTC

using cdrd::testing::minimal_call;
using cdrd::testing::TempDir;  // a fresh directory per test, removed afterwards

std::unique_ptr<sqlite::Stores> open_store(const std::string& path) {
  Result<std::unique_ptr<sqlite::Stores>> s = sqlite::open_stores(path);
  EXPECT_TRUE(s.ok()) << s.status().message();
  if (!s.ok()) std::abort();
  return std::move(s).value();
}

// full_leg and full_call set field after field, like the seed records (testing/seed_calls.h),
// on purpose: with values unlike the seeds' and unlike every default, a round trip that drops
// or swaps a field fails.
CallLeg full_leg() {
  CallLeg l;
  l.record_uuid = "469100-5D36E5557F1845FEB577EDE8A19C5108";
  l.flow = "out";
  l.result = "answered";
  l.from_username = "100*0111";
  l.from_domain = "sipproxy.example";
  l.from_screen_name = "Front desk";
  l.to_username = "+71111111111";
  l.to_domain = "pstn.example";
  l.source_number = "1000";
  l.source_domain = "src.example";
  l.dest_number = "+71111111111";
  l.dest_domain = "dst.example";
  l.did_number = "+74950000000";
  l.did_domain = "did.example";
  l.ani_number = "+74951111111";
  l.application = "queue";
  l.extension_id = 469100;
  l.extension_name = "100*0111@sipproxy.example";
  l.extension_type = "phone";
  l.extension_group_owner_id = -7;
  l.ext_number_reg = "+74952222222";
  l.hangup_cause = "NORMAL_CLEARING";
  l.hangup_disposition = "caller_bye";
  l.init_time = kT0 + 760'000;
  l.start_time = kT0 + 14 * kMicrosPerSecond;
  l.hangup_time = kT0 + 38 * kMicrosPerSecond;
  l.duration_s = 24;
  l.record_file_size = 123'456'789'012;
  return l;
}

// Every field set, every optional present, no field equal to its default.
CallRecord full_call(std::int64_t account_id) {
  CallRecord c;
  c.account_id = account_id;
  c.call_uuid = "91d15144-e8c1-45fa-8226-061702f297fe";
  c.direction = Direction::kInbound;
  c.from_number = "+919943720205";
  c.to_number = "+14155550100";
  c.initiation_time = kT0;
  c.answer_time = kT0 + 2 * kMicrosPerSecond + 5;
  c.end_time = kT0 + 40 * kMicrosPerSecond + 123;
  c.duration_s = 38;
  c.bill_duration_s = 60;
  c.hangup_cause_code = 4000;
  c.hangup_cause_name = "Normal Hangup";
  c.hangup_source = HangupSource::kCarrier;
  c.trunk_id = "12345678";
  c.trunk_domain = "12345678.zt.example.com";
  c.region = "us-west";
  c.transport = Transport::kTls;
  c.srtp = true;
  c.secure_trunking = true;
  c.rate = Money::from_units(318);
  c.secure_trunking_rate = Money::from_units(1'000);
  c.total_amount = Money::from_units(-1'318);
  c.rating = RatingState::kUnrated;
  c.from_country = "IN";
  c.to_country = "US";
  c.stir_verification = StirVerification::kNotVerified;
  c.attestation = Attestation::kC;
  c.sip_call_id = "a84b4c76e66710@pc33.example.com";
  c.cnam_lookup = true;
  c.cnam_lookup_rate = Money::from_units(4);
  c.from_username = "100*0111";
  c.from_domain = "sipproxy.example";
  c.from_screen_name = "Ivan \"the\" Caller";
  c.to_username = "+71111111111";
  c.to_domain = "pstn.example";
  c.did_number = "+74950000000";
  c.did_domain = "did.example";
  c.bridged_username = "+71111111112";
  c.bridged_domain = "bridge.example";
  c.bridged_time = kT0 + 14 * kMicrosPerSecond;
  c.bridged_duration_s = 24;
  c.extension_id = 469100;
  c.extension_name = "100*0111@sipproxy.example";
  c.extension_type = "queue";
  c.extension_group_owner_id = 37649;
  c.ext_number_reg = "+74953333333";
  c.diversion_number = "+74954444444";
  c.result = "bridged";
  c.hangup_disposition = "caller_bye";
  c.q850_cause = "NORMAL_CLEARING";
  c.quality_rate = 4;
  c.quality_max_rate = 5;
  CallLeg second;  // all defaults: optionals absent, strings empty
  second.flow = "transfer";
  second.init_time = -5;
  c.legs = {full_leg(), second};
  c.quality.rtt_ms = 123.456;
  c.quality.jitter_ms = 0.1;
  c.quality.packet_loss_pct = 1e-9;
  c.quality.post_dial_delay_ms = 2'345;
  c.quality.caller_carrier = "Airtel";
  c.quality.callee_carrier = "AT&T";
  c.quality.from_region = "Tamil Nadu";
  c.quality.to_region = "California";
  return c;
}

void expect_same_leg(const CallLeg& a, const CallLeg& b) {
#define CDRD_EQ(f) EXPECT_EQ(a.f, b.f) << #f
  CDRD_EQ(record_uuid);
  CDRD_EQ(flow);
  CDRD_EQ(result);
  CDRD_EQ(from_username);
  CDRD_EQ(from_domain);
  CDRD_EQ(from_screen_name);
  CDRD_EQ(to_username);
  CDRD_EQ(to_domain);
  CDRD_EQ(source_number);
  CDRD_EQ(source_domain);
  CDRD_EQ(dest_number);
  CDRD_EQ(dest_domain);
  CDRD_EQ(did_number);
  CDRD_EQ(did_domain);
  CDRD_EQ(ani_number);
  CDRD_EQ(application);
  CDRD_EQ(extension_id);
  CDRD_EQ(extension_name);
  CDRD_EQ(extension_type);
  CDRD_EQ(extension_group_owner_id);
  CDRD_EQ(ext_number_reg);
  CDRD_EQ(hangup_cause);
  CDRD_EQ(hangup_disposition);
  CDRD_EQ(init_time);
  CDRD_EQ(start_time);
  CDRD_EQ(hangup_time);
  CDRD_EQ(duration_s);
  CDRD_EQ(record_file_size);
}

void expect_same_call(const CallRecord& a, const CallRecord& b) {
  CDRD_EQ(account_id);
  CDRD_EQ(call_uuid);
  CDRD_EQ(direction);
  CDRD_EQ(from_number);
  CDRD_EQ(to_number);
  CDRD_EQ(initiation_time);
  CDRD_EQ(answer_time);
  CDRD_EQ(end_time);
  CDRD_EQ(duration_s);
  CDRD_EQ(bill_duration_s);
  CDRD_EQ(hangup_cause_code);
  CDRD_EQ(hangup_cause_name);
  CDRD_EQ(hangup_source);
  CDRD_EQ(trunk_id);
  CDRD_EQ(trunk_domain);
  CDRD_EQ(region);
  CDRD_EQ(transport);
  CDRD_EQ(srtp);
  CDRD_EQ(secure_trunking);
  CDRD_EQ(rate.units());
  CDRD_EQ(secure_trunking_rate.units());
  CDRD_EQ(total_amount.units());
  CDRD_EQ(rating);
  CDRD_EQ(from_country);
  CDRD_EQ(to_country);
  CDRD_EQ(stir_verification);
  CDRD_EQ(attestation);
  CDRD_EQ(sip_call_id);
  CDRD_EQ(cnam_lookup);
  CDRD_EQ(cnam_lookup_rate.units());
  CDRD_EQ(from_username);
  CDRD_EQ(from_domain);
  CDRD_EQ(from_screen_name);
  CDRD_EQ(to_username);
  CDRD_EQ(to_domain);
  CDRD_EQ(did_number);
  CDRD_EQ(did_domain);
  CDRD_EQ(bridged_username);
  CDRD_EQ(bridged_domain);
  CDRD_EQ(bridged_time);
  CDRD_EQ(bridged_duration_s);
  CDRD_EQ(extension_id);
  CDRD_EQ(extension_name);
  CDRD_EQ(extension_type);
  CDRD_EQ(extension_group_owner_id);
  CDRD_EQ(ext_number_reg);
  CDRD_EQ(diversion_number);
  CDRD_EQ(result);
  CDRD_EQ(hangup_disposition);
  CDRD_EQ(q850_cause);
  CDRD_EQ(quality_rate);
  CDRD_EQ(quality_max_rate);
  CDRD_EQ(quality.rtt_ms);
  CDRD_EQ(quality.jitter_ms);
  CDRD_EQ(quality.packet_loss_pct);
  CDRD_EQ(quality.post_dial_delay_ms);
  CDRD_EQ(quality.caller_carrier);
  CDRD_EQ(quality.callee_carrier);
  CDRD_EQ(quality.from_region);
  CDRD_EQ(quality.to_region);
#undef CDRD_EQ
  ASSERT_EQ(a.legs.size(), b.legs.size());
  for (std::size_t i = 0; i < a.legs.size(); ++i) {
    SCOPED_TRACE("leg " + std::to_string(i));
    expect_same_leg(a.legs[i], b.legs[i]);
  }
}

std::vector<std::string> uuids(const Page<CallRecord>& page) {
  std::vector<std::string> out;
  for (const CallRecord& c : page.rows) out.push_back(c.call_uuid);
  return out;
}

// Runs a raw query on the database file (for checks the store does not expose) on a
// connection of its own opened with `open_flags`, and hands its first row, if any, to `read`.
void raw_first_row(const std::string& path, const std::string& sql, int open_flags,
                   const std::function<void(sqlite3_stmt*)>& read) {
  sqlite3* db = nullptr;
  EXPECT_EQ(sqlite3_open_v2(path.c_str(), &db, open_flags, nullptr), SQLITE_OK);
  sqlite3_stmt* st = nullptr;
  EXPECT_EQ(sqlite3_prepare_v2(db, sql.c_str(), -1, &st, nullptr), SQLITE_OK) << sql;
  if (sqlite3_step(st) == SQLITE_ROW) read(st);
  sqlite3_finalize(st);
  sqlite3_close(db);
}

std::int64_t raw_int(const std::string& path, const std::string& sql) {
  std::int64_t v = -1;
  raw_first_row(path, sql, SQLITE_OPEN_READWRITE,
                [&v](sqlite3_stmt* st) { v = sqlite3_column_int64(st, 0); });
  return v;
}

std::string raw_text(const std::string& path, const std::string& sql) {
  std::string v;
  raw_first_row(path, sql, SQLITE_OPEN_READONLY, [&v](sqlite3_stmt* st) {
    v = reinterpret_cast<const char*>(sqlite3_column_text(st, 0));
  });
  return v;
}

class SqliteStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = open_store(db_path());
    Result<Account> a = store_->accounts.create_account("Acme", "MAAAAAAAAAAAAAAAAAAA", "hash-a");
    ASSERT_TRUE(a.ok()) << a.status().message();
    acct_ = a->id;
    Result<Account> b = store_->accounts.create_account("Other", "MABBBBBBBBBBBBBBBBBB", "hash-b");
    ASSERT_TRUE(b.ok());
    other_ = b->id;
  }

  std::string db_path() const { return dir_.file("data/cdrd.db"); }

  std::vector<InsertOutcome> insert(const std::vector<CallRecord>& calls) {
    Result<std::vector<InsertOutcome>> r = store_->calls.insert_calls(calls);
    EXPECT_TRUE(r.ok()) << r.status().message();
    return r.ok() ? *r : std::vector<InsertOutcome>{};
  }

  Page<CallRecord> list(const CallQuery& q) {
    Result<Page<CallRecord>> r = store_->calls.list_calls(q);
    EXPECT_TRUE(r.ok()) << r.status().message();
    return r.ok() ? *r : Page<CallRecord>{};
  }

  CallQuery query() const {
    CallQuery q;
    q.account_id = acct_;
    q.limit = 100;
    return q;
  }

  TempDir dir_;
  std::unique_ptr<sqlite::Stores> store_;
  std::int64_t acct_ = 0, other_ = 0;
};

// --- accounts: store/postgres/control_store_conformance_test.cpp (every backend) ---

// --- insert ---

TEST_F(SqliteStoreTest, InsertDetectsDuplicatesAcrossAndWithinBatches) {
  EXPECT_THAT(
      insert({minimal_call(acct_, "a", kT0), minimal_call(acct_, "b", kT0),
              minimal_call(acct_, "a", kT0 + 1)}),
      ElementsAre(InsertOutcome::kStored, InsertOutcome::kStored, InsertOutcome::kDuplicate));
  EXPECT_THAT(
      insert({minimal_call(acct_, "b", kT0 + 5), minimal_call(acct_, "c", kT0),
              minimal_call(other_, "a", kT0)}),  // same uuid, other account: a new call
      ElementsAre(InsertOutcome::kDuplicate, InsertOutcome::kStored, InsertOutcome::kStored));
  EXPECT_TRUE(insert({}).empty());
  // The first stored version wins.
  EXPECT_EQ((*store_->calls.find_call(acct_, "a", 0))->end_time, kT0);
  EXPECT_EQ(list(query()).total_count, 3);
}

TEST_F(SqliteStoreTest, InsertIsAllOrNothing) {
  Result<std::vector<InsertOutcome>> r = store_->calls.insert_calls(
      {minimal_call(acct_, "ok", kT0), minimal_call(424242, "bad", kT0)});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Status::Code::kInvalidArgument);
  EXPECT_THAT(r.status().message(), HasSubstr("424242"));
  EXPECT_FALSE(store_->calls.find_call(acct_, "ok", 0)->has_value());
  // The store is usable afterwards.
  EXPECT_THAT(insert({minimal_call(acct_, "ok", kT0)}), ElementsAre(InsertOutcome::kStored));
}

TEST_F(SqliteStoreTest, FullRecordRoundTrips) {
  CallRecord full = full_call(acct_);
  CallRecord bare = minimal_call(acct_, "bare", kT0);  // every optional absent, no legs
  insert({full, bare});

  Result<std::optional<CallRecord>> got = store_->calls.find_call(acct_, full.call_uuid, 0);
  ASSERT_TRUE(got.ok()) << got.status().message();
  ASSERT_TRUE(got->has_value());
  expect_same_call(**got, full);

  got = store_->calls.find_call(acct_, "bare", 0);
  ASSERT_TRUE(got.ok() && got->has_value());
  expect_same_call(**got, bare);
  EXPECT_FALSE((*got)->answer_time.has_value());
  EXPECT_FALSE((*got)->ext_number_reg.has_value());
  EXPECT_FALSE((*got)->quality.rtt_ms.has_value());

  // The same through list_calls.
  Page<CallRecord> page = list(query());
  ASSERT_EQ(page.rows.size(), 2u);
  expect_same_call(page.rows[0], full);  // ended later
  expect_same_call(page.rows[1], bare);
}

// find_trunk_call reads the SIP-trunk fields find_call reads and leaves every other field at
// its default: the full record, a bare one and many random ones (cloud-PBX fields, numbers of
// every shape), each asked for in its own spelling and in upper case, within and past the
// served window.
TEST_F(SqliteStoreTest, FindTrunkCallReadsTheTrunkFieldsOfFindCall) {
  std::vector<CallRecord> calls = {full_call(acct_), minimal_call(acct_, "bare", kT0)};
  cdrd::testing::Random rnd(11);
  for (int i = 0; i < 300; ++i) {
    CallRecord c = cdrd::testing::random_call(rnd);
    c.account_id = acct_;
    c.call_uuid = "rnd-" + std::to_string(i) + (rnd.chance(30) ? "-MiXed" : "");
    c.end_time += kT0;
    c.initiation_time += kT0;
    if (rnd.chance(50)) c.answer_time = c.initiation_time;
    c.sip_call_id = rnd.chance(50) ? "sip-" + std::to_string(i) : "";
    c.trunk_domain = rnd.chance(50) ? "t.example" : "";
    c.rate = Money::from_units(rnd.between(0, 900000));
    c.total_amount = Money::from_units(rnd.between(0, 900000));
    c.cnam_lookup = rnd.chance(20);
    c.from_country = rnd.chance(50) ? "DE" : "";
    calls.push_back(c);
  }
  insert(calls);
  for (const CallRecord& c : calls) {
    std::string upper = c.call_uuid;
    for (char& ch : upper) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
    for (const std::string& spelling : {c.call_uuid, upper}) {
      Result<std::optional<CallRecord>> full = store_->calls.find_call(acct_, spelling, 0);
      Result<std::optional<CallRecord>> trunk = store_->calls.find_trunk_call(acct_, spelling, 0);
      ASSERT_TRUE(full.ok() && trunk.ok()) << spelling;
      ASSERT_TRUE(full->has_value() && trunk->has_value()) << spelling;
      expect_same_call(**trunk, cdrd::testing::trunk_fields(**full));
      expect_same_call(**trunk, cdrd::testing::trunk_fields(c));
    }
    EXPECT_FALSE(store_->calls.find_trunk_call(acct_, c.call_uuid, c.end_time + 1)->has_value());
    EXPECT_FALSE(store_->calls.find_trunk_call(other_, c.call_uuid, 0)->has_value());
  }
  EXPECT_FALSE(store_->calls.find_trunk_call(acct_, "never-stored", 0)->has_value());
}

// A call with no cloud-PBX field, quality metric or legs is written by the trunk-only insert,
// which writes those columns as constants: its row must be the row the full insert writes for
// it, byte for byte, and any one of those fields set sends a call to the full insert.
TEST_F(SqliteStoreTest, TrunkOnlyCallsStoreTheRowTheFullInsertStores) {
  CallRecord trunk = full_call(acct_);
  trunk.call_uuid = "trunk-only";
  trunk.legs.clear();
  trunk.quality = CallQuality();
  trunk.from_domain = trunk.from_screen_name = trunk.to_domain = trunk.did_number = "";
  trunk.did_domain = trunk.bridged_username = trunk.bridged_domain = "";
  trunk.bridged_time.reset();
  trunk.bridged_duration_s.reset();
  trunk.extension_id.reset();
  trunk.extension_name = trunk.extension_type = "";
  trunk.extension_group_owner_id.reset();
  trunk.ext_number_reg.reset();
  trunk.diversion_number = trunk.result = trunk.hangup_disposition = trunk.q850_cause = "";
  trunk.quality_rate.reset();
  trunk.quality_max_rate.reset();
  ASSERT_TRUE(sqlite::is_trunk_only_call(trunk));
  EXPECT_FALSE(sqlite::is_trunk_only_call(full_call(acct_)));
  const std::vector<std::function<void(CallRecord&)>> one_field = {
      [](CallRecord& c) { c.from_domain = "x"; },
      [](CallRecord& c) { c.from_screen_name = "x"; },
      [](CallRecord& c) { c.to_domain = "x"; },
      [](CallRecord& c) { c.did_number = "x"; },
      [](CallRecord& c) { c.did_domain = "x"; },
      [](CallRecord& c) { c.bridged_username = "x"; },
      [](CallRecord& c) { c.bridged_domain = "x"; },
      [](CallRecord& c) { c.bridged_time = 0; },
      [](CallRecord& c) { c.bridged_duration_s = 0; },
      [](CallRecord& c) { c.extension_id = 0; },
      [](CallRecord& c) { c.extension_name = "x"; },
      [](CallRecord& c) { c.extension_type = "x"; },
      [](CallRecord& c) { c.extension_group_owner_id = 0; },
      [](CallRecord& c) { c.ext_number_reg = ""; },
      [](CallRecord& c) { c.diversion_number = "x"; },
      [](CallRecord& c) { c.result = "x"; },
      [](CallRecord& c) { c.hangup_disposition = "x"; },
      [](CallRecord& c) { c.q850_cause = "x"; },
      [](CallRecord& c) { c.quality_rate = 0; },
      [](CallRecord& c) { c.quality_max_rate = 0; },
      [](CallRecord& c) { c.legs.emplace_back(); },
      [](CallRecord& c) { c.quality.rtt_ms = 0; },
      [](CallRecord& c) { c.quality.jitter_ms = 0; },
      [](CallRecord& c) { c.quality.packet_loss_pct = 0; },
      [](CallRecord& c) { c.quality.post_dial_delay_ms = 0; },
      [](CallRecord& c) { c.quality.caller_carrier = "x"; },
      [](CallRecord& c) { c.quality.callee_carrier = "x"; },
      [](CallRecord& c) { c.quality.from_region = "x"; },
      [](CallRecord& c) { c.quality.to_region = "x"; },
  };
  for (std::size_t i = 0; i < one_field.size(); ++i) {
    CallRecord c = trunk;
    one_field[i](c);
    EXPECT_FALSE(sqlite::is_trunk_only_call(c)) << "field " << i;
  }

  // Through the store (the trunk-only insert), then the same call by the full insert.
  ASSERT_THAT(insert({trunk}), ElementsAre(InsertOutcome::kStored));
  CallRecord twin = trunk;
  twin.call_uuid = "full-insert";
  const Status written = store_->db->with_writer([&](sqlite::Connection& c) -> Status {
    ASSIGN_OR_RETURN(sqlite::StatementRef st, c.prepare(sqlite::insert_call_sql()));
    std::string key;
    sqlite::bind_call(*st, twin, "", key);
    return st->run();
  });
  ASSERT_TRUE(written.ok()) << written.message();
  std::string columns = sqlite::kCallColumns;
  const std::string shown = "COALESCE(call_uuid_as_sent, call_uuid)";
  columns.replace(columns.find(shown), shown.size(), "call_uuid_as_sent");
  std::string typed;  // each column's type too: '' and NULL, 1 and 1.0 differ there
  for (std::size_t at = 0; at < columns.size();) {
    std::size_t end = columns.find(", ", at);
    if (end == std::string::npos) end = columns.size();
    const std::string column = columns.substr(at, end - at);
    typed += (typed.empty() ? "" : ", ") + column + ", typeof(" + column + ")";
    at = end + 2;
  }
  EXPECT_EQ(raw_int(db_path(), "SELECT COUNT(*) FROM (SELECT " + typed +
                                   " FROM calls WHERE call_uuid = 'trunk-only' INTERSECT SELECT " +
                                   typed + " FROM calls WHERE call_uuid = 'full-insert')"),
            1);
  // The trunk-only insert binds the other 34 columns (63 with the uuid's spelling and the id).
  raw_first_row(db_path(), "SELECT 1", SQLITE_OPEN_READONLY, [](sqlite3_stmt* st) {
    sqlite3_stmt* insert = nullptr;
    ASSERT_EQ(
        sqlite3_prepare_v2(sqlite3_db_handle(st), sqlite::insert_trunk_only_call_sql().c_str(), -1,
                           &insert, nullptr),
        SQLITE_OK);
    EXPECT_EQ(sqlite3_bind_parameter_count(insert), sqlite::kCallColumnCount + 2 - 29);
    sqlite3_finalize(insert);
  });
  Result<std::optional<CallRecord>> got = store_->calls.find_call(acct_, "trunk-only", 0);
  ASSERT_TRUE(got.ok() && got->has_value());
  expect_same_call(**got, trunk);
}

TEST_F(SqliteStoreTest, FindCallHonoursServedFromAndAccount) {
  insert({minimal_call(acct_, "x", kT0)});
  EXPECT_TRUE(store_->calls.find_call(acct_, "x", kT0)->has_value());  // end_time == served_from
  EXPECT_FALSE(store_->calls.find_call(acct_, "x", kT0 + 1)->has_value());  // ended before
  EXPECT_FALSE(store_->calls.find_call(other_, "x", 0)->has_value());       // not its call
  EXPECT_FALSE(store_->calls.find_call(acct_, "y", 0)->has_value());
}

// Call uuids match without regard to ASCII letter case (docs/ingest.md): the same call sent
// again with its uuid in another case is a duplicate, and a lookup in any case finds it as it
// was first stored.
TEST_F(SqliteStoreTest, CallUuidsMatchInAnyLetterCase) {
  EXPECT_THAT(
      insert({minimal_call(acct_, "CAA308E3-aaaa", kT0), minimal_call(acct_, "caa308e3-AAAA", kT0),
              minimal_call(other_, "caa308e3-aaaa", kT0)}),
      ElementsAre(InsertOutcome::kStored, InsertOutcome::kDuplicate, InsertOutcome::kStored));
  EXPECT_THAT(insert({minimal_call(acct_, "Caa308E3-AaAa", kT0 + 1)}),
              ElementsAre(InsertOutcome::kDuplicate));
  for (const char* spelling : {"CAA308E3-aaaa", "caa308e3-aaaa", "CAA308E3-AAAA"}) {
    Result<std::optional<CallRecord>> got = store_->calls.find_call(acct_, spelling, 0);
    ASSERT_TRUE(got.ok()) << got.status().message();
    ASSERT_TRUE(got->has_value()) << spelling;
    EXPECT_EQ((*got)->call_uuid, "CAA308E3-aaaa") << spelling;  // as first stored
    EXPECT_EQ((*got)->end_time, kT0);
  }
  EXPECT_FALSE(store_->calls.find_call(acct_, "caa308e3-aaaa", kT0 + 1)->has_value());
  EXPECT_EQ((*store_->calls.find_call(other_, "CAA308E3-AAAA", 0))->call_uuid, "caa308e3-aaaa");
  EXPECT_EQ(list(query()).total_count, 1);
}

// The stored encoding of migration 6: call_uuid is the uuid folded to ASCII lower case (the
// key), call_uuid_as_sent the spelling when it differs and NULL when it does not. The insert
// folds in C++ (bind_call), where SQL's lower() and nullif() did it before: rows stored either
// way must look alike.
TEST_F(SqliteStoreTest, StoresTheFoldedKeyAndTheSpellingOnlyWhenItDiffers) {
  ASSERT_THAT(insert({minimal_call(acct_, "Ab-09-cD", kT0), minimal_call(acct_, "ef-09-gh", kT0)}),
              ElementsAre(InsertOutcome::kStored, InsertOutcome::kStored));
  const std::string path = db_path();
  EXPECT_EQ(raw_int(path,
                    "SELECT COUNT(*) FROM calls WHERE call_uuid = 'ab-09-cd' AND "
                    "call_uuid_as_sent = 'Ab-09-cD'"),
            1);
  EXPECT_EQ(raw_int(path,
                    "SELECT COUNT(*) FROM calls WHERE call_uuid = 'ef-09-gh' AND "
                    "call_uuid_as_sent IS NULL"),
            1);
  EXPECT_EQ(raw_int(path,
                    "SELECT COUNT(*) FROM calls WHERE call_uuid <> lower(call_uuid) OR "
                    "call_uuid_as_sent = call_uuid"),
            0);
}

// A database written before call uuids matched in any case holds uuids as sent, some in upper
// case, and may hold one account's uuid twice in different cases. The migration folds each
// uuid to lower case for the key, keeping its spelling; of twins, one holds the folded key (one
// already in lower case, else the one stored first) and the others keep their spelling, each
// found by it. Nothing is deleted, and no further spelling can be stored.
TEST_F(SqliteStoreTest, MigrationFoldsOldUuidsAndKeepsTwinsStoredInDifferentCases) {
  insert({minimal_call(acct_, "dup-abc", kT0), minimal_call(acct_, "other", kT0 + 5)});
  store_.reset();
  // Back to the schema of version 5, then rows as that version stored them.
  raw_int(db_path(), "DROP TRIGGER calls_keep_high_water");
  raw_int(db_path(), "DROP TABLE call_id_high_water");
  raw_int(db_path(), "DROP INDEX calls_by_account");
  raw_int(db_path(), "ALTER TABLE calls DROP COLUMN call_uuid_as_sent");
  raw_int(db_path(), "ALTER TABLE accounts DROP COLUMN default_country");
  raw_int(db_path(), "ALTER TABLE trunks DROP COLUMN default_country");
  raw_int(db_path(), "DELETE FROM schema_migrations WHERE version > 5");
  raw_int(db_path(), "PRAGMA user_version=5");
  // Every column but the uuid, as kCallColumns reads them after it.
  const std::string all = sqlite::kCallColumns;
  const std::string rest = all.substr(all.find(", direction"));
  const auto copy = [&](const std::string& uuid, int end_offset) {
    raw_int(db_path(), "INSERT INTO calls (account_id, call_uuid" + rest +
                           ") SELECT account_id, '" + uuid + "'" + rest +
                           " FROM calls WHERE call_uuid = 'other'");
    raw_int(db_path(), "UPDATE calls SET end_time = end_time + " + std::to_string(end_offset) +
                           " WHERE call_uuid = '" + uuid + "'");
  };
  copy("DUP-ABC", 1);  // a twin of dup-abc, stored later
  copy("UPPER-1", 2);  // upper case, no twin
  copy("Mixed-A", 3);  // twins, none in lower case
  copy("MIXED-A", 4);
  ASSERT_EQ(raw_int(db_path(), "SELECT COUNT(*) FROM calls"), 6);

  store_ = open_store(db_path());
  EXPECT_EQ(raw_int(db_path(), "PRAGMA user_version"), sqlite::latest_schema_version());
  EXPECT_EQ(raw_int(db_path(), "SELECT COUNT(*) FROM calls"), 6);  // nothing dropped
  const auto found = [&](const std::string& spelling) -> std::pair<std::string, Micros> {
    Result<std::optional<CallRecord>> got = store_->calls.find_call(acct_, spelling, 0);
    EXPECT_TRUE(got.ok()) << got.status().message();
    if (!got.ok() || !got->has_value()) return {"<none>", 0};
    return {(*got)->call_uuid, (*got)->end_time - kT0};
  };
  using P = std::pair<std::string, Micros>;
  EXPECT_EQ(found("dup-abc"), P("dup-abc", 0));
  EXPECT_EQ(found("DUP-ABC"), P("DUP-ABC", 6));  // the twin, by its own spelling
  EXPECT_EQ(found("Dup-Abc"), P("dup-abc", 0));  // any other: the one in lower case
  EXPECT_EQ(found("upper-1"), P("UPPER-1", 7));  // folded, shown as stored
  EXPECT_EQ(found("Upper-1"), P("UPPER-1", 7));
  EXPECT_EQ(found("mixed-a"), P("Mixed-A", 8));  // the first stored holds the key
  EXPECT_EQ(found("MIXED-A"), P("MIXED-A", 9));
  EXPECT_EQ(found("OTHER"), P("other", 5));
  EXPECT_THAT(
      insert({minimal_call(acct_, "dUP-aBC", kT0), minimal_call(acct_, "DUP-ABC", kT0),
              minimal_call(acct_, "upper-1", kT0), minimal_call(acct_, "MIXED-A", kT0),
              minimal_call(acct_, "Other", kT0)}),
      ElementsAre(InsertOutcome::kDuplicate, InsertOutcome::kDuplicate, InsertOutcome::kDuplicate,
                  InsertOutcome::kDuplicate, InsertOutcome::kDuplicate));
  EXPECT_EQ(list(query()).total_count, 6);
  // Lists show each uuid as stored.
  std::vector<std::string> uuids;
  for (const CallRecord& c : list(query()).rows) uuids.push_back(c.call_uuid);
  EXPECT_THAT(uuids, UnorderedElementsAreArray(std::vector<std::string>{
                         "dup-abc", "other", "DUP-ABC", "UPPER-1", "Mixed-A", "MIXED-A"}));
}

// --- listing ---

// A small varied data set for the filter tests.
class SqliteStoreFilterTest : public SqliteStoreTest {
 protected:
  void SetUp() override {
    SqliteStoreTest::SetUp();
    auto call = [&](std::string uuid, int minute) {
      return minimal_call(acct_, std::move(uuid), kT0 + minute * kMicrosPerMinute);
    };
    std::vector<CallRecord> calls;
    CallRecord c = call("c1", 1);  // defaults: outbound, +1415... -> +9199...
    c.trunk_id = "111";
    c.hangup_cause_code = 4000;
    c.hangup_source = HangupSource::kCustomer;
    c.stir_verification = StirVerification::kVerified;
    c.bill_duration_s = 60;
    c.duration_s = 42;
    c.from_username = "alice";
    c.extension_id = 10;
    c.bridged_duration_s = 30;
    calls.push_back(c);

    c = call("c2", 2);
    c.direction = Direction::kInbound;
    c.from_number = "+919943720205";
    c.to_number = "+14155550100";
    c.trunk_id = "222";
    c.hangup_cause_code = 5020;
    c.hangup_source = HangupSource::kCarrier;
    c.bill_duration_s = 120;
    c.duration_s = 100;
    c.to_username = "bob";
    c.did_number = "+74950000000";
    c.extension_id = 20;
    c.bridged_username = "+71111111111";
    c.bridged_duration_s = 90;
    calls.push_back(c);

    c = call("c3", 3);
    c.from_number = "100*0111";  // a PBX username, not E.164
    c.to_number = "1001";
    c.trunk_id = "111";
    c.stir_verification = StirVerification::kNotVerified;
    c.bill_duration_s = 0;
    c.duration_s = 0;
    c.from_username = "carol";
    c.to_username = "bob";
    calls.push_back(c);

    c = call("c4", 4);
    c.to_number = "919900000000";  // bare digits as a switch sent them
    c.initiation_time = kT0 - kMicrosPerDay;
    c.hangup_source = HangupSource::kZentrunk;
    c.bill_duration_s = 6;
    c.duration_s = 5;
    c.did_number = "+74951111111";
    c.bridged_username = "+71111111112";
    c.bridged_duration_s = 5;
    calls.push_back(c);

    c = call("c5", 5);
    c.direction = Direction::kInbound;
    c.to_number = "+9199";  // exactly the prefix
    c.from_number = "+1";
    c.extension_id = 10;
    calls.push_back(c);

    calls.push_back(minimal_call(other_, "o1", kT0 + 3 * kMicrosPerMinute));  // another account
    insert(calls);
  }

  std::vector<std::string> matching(const CallQuery& q) {
    Page<CallRecord> page = list(q);
    EXPECT_EQ(page.total_count, static_cast<std::int64_t>(page.rows.size()));
    return uuids(page);
  }
};

TEST_F(SqliteStoreFilterTest, NoFilterListsTheAccountNewestFirst) {
  EXPECT_THAT(matching(query()), ElementsAre("c5", "c4", "c3", "c2", "c1"));
  CallQuery q = query();
  q.order = SortOrder::kOldestFirst;
  EXPECT_THAT(matching(q), ElementsAre("c1", "c2", "c3", "c4", "c5"));
}

TEST_F(SqliteStoreFilterTest, EachFilterAlone) {
  struct Case {
    std::string name;
    std::function<void(CallQuery&)> set;
    std::vector<std::string> want;
  };
  std::vector<Case> cases = {
      {"direction", [](CallQuery& q) { q.direction = Direction::kInbound; }, {"c2", "c5"}},
      {"trunk_id", [](CallQuery& q) { q.trunk_id = "111"; }, {"c1", "c3"}},
      {"hangup_cause_code", [](CallQuery& q) { q.hangup_cause_code = 5020; }, {"c2"}},
      {"hangup_source", [](CallQuery& q) { q.hangup_source = HangupSource::kZentrunk; }, {"c4"}},
      {"hangup_source unknown",
       [](CallQuery& q) { q.hangup_source = HangupSource::kUnknown; },
       {"c3", "c5"}},
      {"stir", [](CallQuery& q) { q.stir_verification = StirVerification::kNotVerified; }, {"c3"}},
      {"bill_duration min", [](CallQuery& q) { q.bill_duration.min = 60; }, {"c1", "c2"}},
      {"bill_duration max", [](CallQuery& q) { q.bill_duration.max = 6; }, {"c3", "c4", "c5"}},
      {"bill_duration exact",
       [](CallQuery& q) {
         q.bill_duration.min = 60;
         q.bill_duration.max = 60;
       },
       {"c1"}},
      {"duration",
       [](CallQuery& q) {
         q.duration = {5, 42};
       },
       {"c1", "c4"}},
      {"end_time from",
       [](CallQuery& q) { q.end_time.from = kT0 + 4 * kMicrosPerMinute; },
       {"c4", "c5"}},
      {"end_time until",
       [](CallQuery& q) { q.end_time.until = kT0 + 2 * kMicrosPerMinute; },
       {"c1"}},
      {"end_time window",
       [](CallQuery& q) {
         q.end_time = {kT0 + 2 * kMicrosPerMinute, kT0 + 4 * kMicrosPerMinute};
       },
       {"c2", "c3"}},
      {"initiation_time",
       [](CallQuery& q) { q.initiation_time.until = kT0 - kMicrosPerDay + 1; },
       {"c4"}},
      {"from_usernames",
       [](CallQuery& q) {
         q.from_usernames = {"alice", "carol", "zed"};
       },
       {"c1", "c3"}},
      {"to_usernames", [](CallQuery& q) { q.to_usernames = {"bob"}; }, {"c2", "c3"}},
      {"bridged_usernames",
       [](CallQuery& q) {
         q.bridged_usernames = {"+71111111112", "+71111111111"};
       },
       {"c2", "c4"}},
      {"did_numbers", [](CallQuery& q) { q.did_numbers = {"+74951111111"}; }, {"c4"}},
      {"flows in", [](CallQuery& q) { q.flows = {"in"}; }, {"c2", "c5"}},
      {"flows in+out",
       [](CallQuery& q) {
         q.flows = {"out", "in"};
       },
       {"c1", "c2", "c3", "c4", "c5"}},
      {"flows unknown", [](CallQuery& q) { q.flows = {"transfer"}; }, {}},
      {"extension_ids",
       [](CallQuery& q) {
         q.extension_ids = {10, 99};
       },
       {"c1", "c5"}},
      {"bridged_duration", [](CallQuery& q) { q.bridged_duration.min = 30; }, {"c1", "c2"}},
      {"bridged_duration max",
       [](CallQuery& q) { q.bridged_duration.max = 30; },
       {"c1", "c4"}},  // calls never bridged (NULL) do not match a bound
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    CallQuery q = query();
    c.set(q);
    EXPECT_THAT(matching(q), UnorderedElementsAreArray(c.want));
  }
}

TEST_F(SqliteStoreFilterTest, NumberPrefixWithAndWithoutPlus) {
  auto to = [&](std::string digits) {
    CallQuery q = query();
    q.to_number = NumberPrefix{std::move(digits)};
    return matching(q);
  };
  // c1 +919943720205, c4 919900000000 (bare), c5 +9199 (the prefix itself).
  EXPECT_THAT(to("9199"), UnorderedElementsAreArray({"c1", "c4", "c5"}));
  EXPECT_THAT(to("+9199"), UnorderedElementsAreArray({"c1", "c4", "c5"}));  // lenient
  EXPECT_THAT(to("919943720205"), ElementsAre("c1"));                       // exact number
  EXPECT_THAT(to("9199437202051"), ElementsAre());                          // longer: no
  EXPECT_THAT(to("1"), UnorderedElementsAreArray({"c2", "c3"}));            // +1415..., and "1001"
  EXPECT_THAT(to("92"), ElementsAre());

  auto from = [&](std::string digits) {
    CallQuery q = query();
    q.from_number = NumberPrefix{std::move(digits)};
    return matching(q);
  };
  // Non-E.164 usernames match as plain prefixes.
  EXPECT_THAT(from("100"), ElementsAre("c3"));
  EXPECT_THAT(from("100*0111"), ElementsAre("c3"));
  EXPECT_THAT(from("1"), UnorderedElementsAreArray({"c1", "c3", "c4", "c5"}));
  EXPECT_THAT(from("14155550100"), UnorderedElementsAreArray({"c1", "c4"}));
}

TEST_F(SqliteStoreFilterTest, CombinedFilters) {
  CallQuery q = query();
  q.direction = Direction::kOutbound;
  q.trunk_id = "111";
  q.to_number = NumberPrefix{"1"};
  q.end_time = {kT0, kT0 + kMicrosPerDay};
  q.bill_duration.max = 10;
  EXPECT_THAT(matching(q), ElementsAre("c3"));

  q = query();
  q.flows = {"out"};
  q.extension_ids = {10, 20};
  q.from_number = NumberPrefix{"1415"};
  q.bridged_duration = {10, 100};
  q.stir_verification = StirVerification::kVerified;
  EXPECT_THAT(matching(q), ElementsAre("c1"));

  q.account_id = other_;  // the other account's data never leaks in
  EXPECT_THAT(matching(q), ElementsAre());
}

TEST_F(SqliteStoreFilterTest, EmptyRangesAnswerNothing) {
  std::vector<std::function<void(CallQuery&)>> setters = {
      [](CallQuery& q) {
        q.bill_duration = {10, 9};
      },
      [](CallQuery& q) {
        q.duration = {1, 0};
      },
      [](CallQuery& q) {
        q.bridged_duration = {5, 4};
      },
      [](CallQuery& q) {
        q.end_time = {kT0, kT0};
      },
      [](CallQuery& q) {
        q.initiation_time = {kT0 + 1, kT0};
      },
  };
  for (const auto& set : setters) {
    CallQuery q = query();
    set(q);
    Page<CallRecord> page = list(q);
    EXPECT_TRUE(page.rows.empty());
    EXPECT_EQ(page.total_count, 0);
  }
}

TEST_F(SqliteStoreTest, PagesNeverOverlapOrSkipAcrossTies) {
  // 7 calls ending at the same microsecond, with others around them.
  std::vector<CallRecord> calls;
  calls.push_back(minimal_call(acct_, "early", kT0 - 1));
  for (int i = 0; i < 7; ++i) calls.push_back(minimal_call(acct_, "tie" + std::to_string(i), kT0));
  calls.push_back(minimal_call(acct_, "late", kT0 + 1));
  insert(calls);

  for (SortOrder order : {SortOrder::kNewestFirst, SortOrder::kOldestFirst}) {
    std::vector<std::string> seen;
    for (std::int64_t offset = 0;; offset += 2) {
      CallQuery q = query();
      q.order = order;
      q.limit = 2;
      q.offset = offset;
      Page<CallRecord> page = list(q);
      EXPECT_EQ(page.total_count, 9);
      if (page.rows.empty()) break;
      for (const std::string& u : uuids(page)) seen.push_back(u);
    }
    std::vector<std::string> want = {"late"};
    for (int i = 6; i >= 0; --i) want.push_back("tie" + std::to_string(i));  // newest stored 1st
    want.push_back("early");
    if (order == SortOrder::kOldestFirst) std::reverse(want.begin(), want.end());
    EXPECT_EQ(seen, want);
  }
}

TEST_F(SqliteStoreTest, TotalCountIsExact) {
  std::vector<CallRecord> calls;
  calls.reserve(45);
  for (int i = 0; i < 45; ++i) {
    calls.push_back(minimal_call(acct_, "k" + std::to_string(i), kT0 + i * kMicrosPerSecond));
  }
  insert(calls);
  auto page = [&](int limit, std::int64_t offset) {
    CallQuery q = query();
    q.limit = limit;
    q.offset = offset;
    return list(q);
  };
  EXPECT_EQ(page(20, 0).total_count, 45);
  EXPECT_EQ(page(20, 0).rows.size(), 20u);
  EXPECT_EQ(page(20, 40).total_count, 45);  // short last page
  EXPECT_EQ(page(20, 40).rows.size(), 5u);
  EXPECT_EQ(page(20, 45).total_count, 45);  // just past the end
  EXPECT_EQ(page(20, 100).total_count, 45);
  EXPECT_TRUE(page(20, 100).rows.empty());
  EXPECT_EQ(page(0, 0).total_count, 45);
  EXPECT_EQ(page(45, 0).total_count, 45);
  CallQuery q = query();
  q.end_time.from = kT0 + 40 * kMicrosPerSecond;
  q.limit = 2;
  EXPECT_EQ(list(q).total_count, 5);
}

// --- retention ---

TEST_F(SqliteStoreTest, DeleteCallsEndedBeforeTakesOnlyExpiredCallsOfEveryAccountInBatches) {
  const Micros floor = kT0 + 10'000 * kMicrosPerSecond;
  std::vector<CallRecord> calls;
  calls.reserve(1'500);
  for (int i = 0; i < 1'500; ++i) {
    calls.push_back(minimal_call(acct_, "a-old-" + std::to_string(i), kT0 + i * kMicrosPerSecond));
  }
  for (int i = 0; i < 700; ++i) {
    calls.push_back(minimal_call(other_, "b-old-" + std::to_string(i), kT0 + i * kMicrosPerSecond));
  }
  for (int i = 0; i < 10; ++i) {
    calls.push_back(minimal_call(acct_, "a-new-" + std::to_string(i), floor + i));  // floor kept
    calls.push_back(minimal_call(other_, "b-new-" + std::to_string(i), floor + i));
  }
  insert(calls);
  calls.clear();
  CallRecord with_legs = full_call(acct_);  // its legs go with it (a column of the call row)
  with_legs.end_time = floor - 1;
  insert({with_legs});

  EXPECT_EQ(*store_->calls.delete_calls_ended_before(floor, 0), 0);
  std::vector<std::int64_t> batches;
  for (;;) {
    Result<std::int64_t> n = store_->calls.delete_calls_ended_before(floor, 1'000);
    ASSERT_TRUE(n.ok()) << n.status().message();
    batches.push_back(*n);
    if (*n < 1'000) break;
  }
  EXPECT_THAT(batches, ElementsAre(1'000, 1'000, 201));
  const std::string db = db_path();
  EXPECT_EQ(raw_int(db, "SELECT count(*) FROM calls"), 20);
  EXPECT_EQ(raw_int(db, "SELECT count(*) FROM calls WHERE end_time < " + std::to_string(floor)), 0);
  EXPECT_EQ(raw_int(db, "SELECT count(*) FROM calls WHERE account_id = " + std::to_string(other_)),
            10);
  EXPECT_FALSE(store_->calls.find_call(acct_, with_legs.call_uuid, 0)->has_value());
  EXPECT_TRUE(store_->calls.find_call(acct_, "a-new-0", 0)->has_value());
  EXPECT_EQ(*store_->calls.delete_calls_ended_before(floor, 1'000), 0);
}

TEST_F(SqliteStoreTest, SpaceOfDeletedCallsIsReusedByLaterInserts) {
  constexpr int kCalls = 4'000;
  auto batch = [&](const std::string& tag, Micros end) {
    std::vector<CallRecord> calls;
    for (int i = 0; i < kCalls; ++i) {
      CallRecord c = full_call(i % 2 ? acct_ : other_);
      c.call_uuid = tag + std::to_string(i);
      c.end_time = end + i;
      calls.push_back(std::move(c));
    }
    return calls;
  };
  insert(batch("old-", kT0));
  const std::string db = db_path();
  const std::int64_t pages_full = raw_int(db, "PRAGMA page_count");
  std::int64_t deleted = 0;
  for (;;) {
    Result<std::int64_t> n = store_->calls.delete_calls_ended_before(kT0 + kMicrosPerDay, 1'000);
    ASSERT_TRUE(n.ok()) << n.status().message();
    deleted += *n;
    if (*n < 1'000) break;
  }
  EXPECT_EQ(deleted, kCalls);
  EXPECT_GT(raw_int(db, "PRAGMA freelist_count"), pages_full / 2);  // freed, not given back
  insert(batch("new-", kT0 + 2 * kMicrosPerDay));
  const std::int64_t pages_after = raw_int(db, "PRAGMA page_count");
  // Without reuse the file would double; with it, it stays about the same size.
  EXPECT_LE(pages_after, pages_full + pages_full / 10) << pages_full << " -> " << pages_after;
  RecordProperty("pages_full", std::to_string(pages_full));
  RecordProperty("pages_after_reinsert", std::to_string(pages_after));
  EXPECT_EQ(raw_int(db, "SELECT count(*) FROM calls"), kCalls);
}

// --- durability, migrations, concurrency ---

TEST_F(SqliteStoreTest, DataSurvivesReopen) {
  insert({full_call(acct_)});
  store_.reset();
  store_ = open_store(db_path());
  Result<std::optional<CallRecord>> got =
      store_->calls.find_call(acct_, full_call(acct_).call_uuid, 0);
  ASSERT_TRUE(got.ok() && got->has_value());
  expect_same_call(**got, full_call(acct_));
  EXPECT_EQ(store_->accounts.list_accounts()->size(), 2u);
}

TEST_F(SqliteStoreTest, AcknowledgedInsertSurvivesAProcessThatDiesWithoutClosing) {
  store_.reset();
  pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    // The child: write, then vanish without closing the database (the WAL is left behind).
    Result<std::unique_ptr<sqlite::Stores>> s = sqlite::open_stores(db_path());
    if (!s.ok()) _exit(2);
    Result<std::vector<InsertOutcome>> r =
        (*s)->calls.insert_calls({minimal_call(acct_, "crash", kT0)});
    _exit(r.ok() ? 0 : 3);
  }
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFEXITED(status));
  ASSERT_EQ(WEXITSTATUS(status), 0);
  EXPECT_TRUE(fs::exists(db_path() + "-wal"));
  store_ = open_store(db_path());
  EXPECT_TRUE(store_->calls.find_call(acct_, "crash", 0)->has_value());
}

// A database at `path` built by migrations 1 to 10 only, holding the accounts and calls of the
// database at `from` (what migration 11 finds in a database written before it), plus `extra`
// SQL run on it last (an operator's own view, trigger or index).
void make_version_ten_copy(const std::string& from, const std::string& path,
                           const std::string& extra = "") {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  const auto exec = [db](const std::string& sql) {
    EXPECT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr), SQLITE_OK)
        << sqlite3_errmsg(db) << ": " << sql;
  };
  exec(
      "CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL,"
      " applied_at INTEGER NOT NULL) STRICT");
  for (const sqlite::Migration& m : sqlite::migrations()) {
    if (m.version > 10) break;
    for (std::string_view sql : m.statements) exec(std::string(sql));
    exec("INSERT INTO schema_migrations VALUES (" + std::to_string(m.version) + ", '" +
         std::string(m.name) + "', 0)");
  }
  exec("PRAGMA user_version=10");
  std::string columns = sqlite::kCallColumns;
  const std::string shown = "COALESCE(call_uuid_as_sent, call_uuid)";
  columns.replace(columns.find(shown), shown.size(), "call_uuid");
  columns += ", call_uuid_as_sent, id";
  exec("ATTACH '" + from +
       "' AS src; INSERT INTO accounts SELECT * FROM src.accounts;"
       " INSERT INTO calls (" +
       columns + ") SELECT " + columns + " FROM src.calls ORDER BY id; DETACH src;");
  if (!extra.empty()) exec(extra);
  sqlite3_close(db);
}

// Migration 11 takes the generated digits columns out of a calls table as migration 10 left it:
// every row stays as it was, the SQL evaluation's number prefixes (ltrim(number, '+') since)
// answer as before, and the insert computes nothing for them any more.
TEST_F(SqliteStoreTest, MigrationElevenTakesOutTheDigitsColumnsAndKeepsEveryRow) {
  CallRecord plus = minimal_call(acct_, "m-plus", kT0);
  plus.to_number = "+919943720205";
  CallRecord bare = minimal_call(acct_, "m-bare", kT0 + 5);
  bare.to_number = "919900000000";
  CallRecord other = minimal_call(acct_, "m-other", kT0 + 9);
  other.to_number = "+14155550100";
  insert({plus, bare, other});
  const std::string checksum =
      "SELECT SUM(id * length(call_uuid || to_number || from_number)) + COUNT(*) FROM calls";
  const std::int64_t sum_before = raw_int(db_path(), checksum);
  store_.reset();

  // The same data in a database built by migrations 1 to 10 only.
  const std::string old = dir_.file("data/old.db");
  make_version_ten_copy(db_path(), old);
  const std::string digits_columns =
      "SELECT COUNT(*) FROM pragma_table_xinfo('calls') WHERE name IN ('from_digits', "
      "'to_digits')";
  ASSERT_EQ(raw_int(old, digits_columns), 2);

  store_ = open_store(old);
  EXPECT_EQ(raw_int(old, "PRAGMA user_version"), sqlite::latest_schema_version());
  EXPECT_EQ(raw_int(old, digits_columns), 0);
  EXPECT_EQ(raw_text(old, "PRAGMA integrity_check"), "ok");
  EXPECT_EQ(raw_int(old, checksum), sum_before);
  // A call stored now reads back whole, and the number prefixes find the old and the new calls.
  CallRecord later = minimal_call(acct_, "m-later", kT0 + 12);
  later.to_number = "+9199";
  ASSERT_EQ(store_->calls.insert_calls({later})->size(), 1U);
  CallQuery q = query();
  q.to_number = NumberPrefix{"9199"};
  Result<Page<CallRecord>> scanned = store_->calls.list_calls_scan(q);
  ASSERT_TRUE(scanned.ok()) << scanned.status().message();
  EXPECT_THAT(uuids(*scanned), UnorderedElementsAreArray({"m-plus", "m-bare", "m-later"}));
  q.to_number = NumberPrefix{"+1415"};
  scanned = store_->calls.list_calls_scan(q);
  ASSERT_TRUE(scanned.ok()) << scanned.status().message();
  EXPECT_THAT(uuids(*scanned), ElementsAre("m-other"));
  // Opened again: nothing left to migrate.
  store_.reset();
  store_ = open_store(old);
  EXPECT_EQ(raw_int(old, digits_columns), 0);
}

// An operator's own view, trigger or index that names from_digits or to_digits would be broken
// by taking the columns out (and SQLite refuses the schema's reload that the migration ends
// with, so cdrd would not start): migration 11 then leaves the table as it is, and every
// object of the operator's still answers.
TEST_F(SqliteStoreTest, MigrationElevenLeavesTheColumnsToAnOperatorsViewTriggerOrIndex) {
  CallRecord call = minimal_call(acct_, "m-view", kT0);
  call.to_number = "+919943720205";
  insert({call});
  store_.reset();
  const std::string digits_columns =
      "SELECT COUNT(*) FROM pragma_table_xinfo('calls') WHERE name IN ('from_digits', "
      "'to_digits')";
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"view", "CREATE VIEW my_numbers AS SELECT id, to_digits FROM calls"},
      {"trigger",
       "CREATE TABLE my_log (n TEXT); CREATE TRIGGER my_copy AFTER INSERT ON calls BEGIN"
       " INSERT INTO my_log VALUES (NEW.from_digits); END"},
      {"index", "CREATE INDEX my_by_to ON calls(account_id, TO_DIGITS)"},
  };
  for (const auto& [kind, sql] : cases) {
    SCOPED_TRACE(kind);
    const std::string old = dir_.file("data/old-" + kind + ".db");
    make_version_ten_copy(db_path(), old, sql);
    Result<std::unique_ptr<sqlite::Stores>> stores = sqlite::open_stores(old);
    if (!stores.ok()) {
      ADD_FAILURE() << stores.status().message();
      continue;
    }
    const std::unique_ptr<sqlite::Stores> opened = std::move(stores).value();
    EXPECT_EQ(raw_int(old, "PRAGMA user_version"), sqlite::latest_schema_version());
    EXPECT_EQ(raw_int(old, digits_columns), 2);
    EXPECT_EQ(raw_text(old, "PRAGMA integrity_check"), "ok");
    EXPECT_EQ(raw_text(old, "SELECT to_digits FROM calls WHERE call_uuid = 'm-view'"),
              "919943720205");
    if (kind == "view") {
      EXPECT_EQ(raw_text(old, "SELECT to_digits FROM my_numbers"), "919943720205");
    }
    // A call stored now is stored whole, and the trigger still runs.
    CallRecord later = minimal_call(acct_, "m-later", kT0 + 12);
    later.from_number = "+14155550100";
    ASSERT_EQ(opened->calls.insert_calls({later})->size(), 1U);
    if (kind == "trigger") {
      EXPECT_EQ(raw_text(old, "SELECT n FROM my_log"), "14155550100");
    }
    EXPECT_EQ(raw_int(old, "SELECT COUNT(*) FROM calls"), 2);
  }
}

TEST_F(SqliteStoreTest, MigrationsRunOnce) {
  const auto n = static_cast<std::int64_t>(sqlite::migrations().size());
  const std::string count = "SELECT COUNT(*) FROM schema_migrations";
  const std::string applied = "SELECT MAX(applied_at) FROM schema_migrations";
  EXPECT_EQ(raw_int(db_path(), count), n);
  EXPECT_EQ(raw_int(db_path(), "PRAGMA user_version"), sqlite::latest_schema_version());
  const std::int64_t first_applied = raw_int(db_path(), applied);
  store_.reset();
  store_ = open_store(db_path());
  store_.reset();
  store_ = open_store(db_path());
  EXPECT_EQ(raw_int(db_path(), count), n);
  EXPECT_EQ(raw_int(db_path(), applied), first_applied);
  EXPECT_EQ(raw_text(db_path(), "PRAGMA journal_mode"), "wal");
  EXPECT_TRUE(store_->accounts.find_account_by_name("Acme")->has_value());
}

TEST_F(SqliteStoreTest, RefusesADatabaseFromTheFuture) {
  store_.reset();
  const int future = sqlite::latest_schema_version() + 1;
  raw_int(db_path(), "INSERT INTO schema_migrations VALUES (" + std::to_string(future) +
                         ", 'from the future', 0)");
  Result<std::unique_ptr<sqlite::Stores>> s = sqlite::open_stores(db_path());
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().code(), Status::Code::kIOError);
  EXPECT_THAT(s.status().message(), HasSubstr("newer"));
}

TEST(SqliteStoreOpenTest, CreatesMissingDirectoriesAndRefusesMemory) {
  TempDir dir;
  Result<std::unique_ptr<sqlite::Stores>> s = sqlite::open_stores(dir.file("a/b/c.db"));
  ASSERT_TRUE(s.ok()) << s.status().message();
  EXPECT_TRUE(fs::exists(dir.file("a/b/c.db")));
  EXPECT_FALSE(sqlite::open_stores(":memory:").ok());
  // A path that cannot be a database file: a directory.
  Result<std::unique_ptr<sqlite::Stores>> d = sqlite::open_stores(dir.file("a"));
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.status().code(), Status::Code::kIOError);
}

TEST_F(SqliteStoreTest, ReadsRunAlongsideWrites) {
  constexpr int kBatches = 20, kPerBatch = 50, kReaders = 4;
  std::atomic<bool> done{false};
  std::atomic<int> failures{0};
  std::vector<std::thread> readers;
  readers.reserve(kReaders);
  for (int r = 0; r < kReaders; ++r) {
    readers.emplace_back([&] {
      std::int64_t last = 0;
      while (!done.load()) {
        CallQuery q = query();
        q.limit = 20;
        Result<Page<CallRecord>> page = store_->calls.list_calls(q);
        if (!page.ok() || page->total_count < last) ++failures;  // never goes back in time
        if (page.ok()) last = page->total_count;
        if (!store_->accounts.find_account_by_auth_id("MAAAAAAAAAAAAAAAAAAA").ok()) ++failures;
      }
    });
  }
  for (int b = 0; b < kBatches; ++b) {
    std::vector<CallRecord> calls;
    calls.reserve(kPerBatch);
    for (int i = 0; i < kPerBatch; ++i) {
      calls.push_back(
          minimal_call(acct_, "b" + std::to_string(b) + "-" + std::to_string(i), kT0 + i));
    }
    insert(calls);
  }
  done = true;
  for (std::thread& t : readers) t.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(list(query()).total_count, kBatches * kPerBatch);
}

TEST_F(SqliteStoreTest, QueryPlansUseTheIndexes) {
  auto plan = [](const Result<std::vector<std::string>>& lines) {
    EXPECT_TRUE(lines.ok()) << lines.status().message();
    std::string s;
    for (const std::string& l : *lines) s += l + "\n";
    return s;
  };
  // Since migration 10 the table has no end_time index and no unique uuid key: the SQL
  // evaluation reads the account's rows once through calls_by_account and sorts the matches in
  // memory (no temporary B-tree), then reads the page's rows by id.
  CallQuery q = query();
  q.end_time.from = kT0;
  q.limit = 20;
  std::string p = plan(store_->calls.explain_list_calls(q));
  EXPECT_THAT(p, HasSubstr("page: SEARCH calls USING INDEX calls_by_account (account_id=?)")) << p;
  EXPECT_THAT(p, HasSubstr("page: SEARCH calls USING INTEGER PRIMARY KEY (rowid=?)")) << p;
  EXPECT_THAT(p, ::testing::Not(HasSubstr("TEMP B-TREE"))) << p;
  EXPECT_THAT(p, ::testing::Not(HasSubstr("calls_by_end_time"))) << p;
  q.order = SortOrder::kOldestFirst;
  p = plan(store_->calls.explain_list_calls(q));
  EXPECT_THAT(p, ::testing::Not(HasSubstr("TEMP B-TREE"))) << p;

  q = query();
  q.end_time.from = kT0;
  q.to_number = NumberPrefix{"9199"};
  p = plan(store_->calls.explain_list_calls(q));
  // Number prefixes have no SQL index since migration 5 (the list index answers them).
  EXPECT_THAT(p, HasSubstr("count: SEARCH calls USING INDEX calls_by_account (account_id=?)")) << p;
  EXPECT_THAT(p, ::testing::Not(HasSubstr("calls_by_to_digits"))) << p;

  // A uuid is found in the account's uuid map; its row is read by id.
  p = plan(store_->calls.explain_find_call());
  EXPECT_THAT(p, HasSubstr("find: SEARCH calls USING INTEGER PRIMARY KEY (rowid=?)")) << p;
  EXPECT_THAT(p, ::testing::Not(HasSubstr("sqlite_autoindex_calls_1"))) << p;
}

// --- pieces ---

TEST(PrefixSuccessorTest, IsTheLeastStringAboveThePrefixRange) {
  EXPECT_EQ(sqlite::prefix_successor("919"), "91:");
  EXPECT_EQ(sqlite::prefix_successor("+"), ",");
  EXPECT_EQ(sqlite::prefix_successor("a\xff"), "b");
  EXPECT_EQ(sqlite::prefix_successor("a\xff\xff"), "b");
  EXPECT_EQ(sqlite::prefix_successor("\xfe"), "\xff");
  EXPECT_EQ(sqlite::prefix_successor("\xff\xff"), std::nullopt);
  EXPECT_EQ(sqlite::prefix_successor(""), std::nullopt);
}

TEST(LegCodecTest, RoundTripsAnyBytesAndRejectsCorruption) {
  CallLeg odd = full_leg();
  odd.record_uuid = std::string("nul\0inside", 10);
  odd.flow = "\xff\xfe not utf-8";
  odd.init_time = std::numeric_limits<std::int64_t>::min();
  odd.hangup_time = std::numeric_limits<std::int64_t>::max();
  odd.start_time = 0;
  odd.extension_id = -1;
  odd.ext_number_reg = "";  // present but empty is not absent
  std::vector<CallLeg> legs = {odd, CallLeg{}, full_leg()};
  std::string blob = encode_legs(legs);
  Result<std::vector<CallLeg>> back = decode_legs(blob);
  ASSERT_TRUE(back.ok()) << back.status().message();
  ASSERT_EQ(back->size(), 3u);
  for (std::size_t i = 0; i < legs.size(); ++i) expect_same_leg((*back)[i], legs[i]);
  EXPECT_TRUE((*back)[0].ext_number_reg.has_value());
  EXPECT_FALSE((*back)[1].ext_number_reg.has_value());

  EXPECT_TRUE(decode_legs(encode_legs({}))->empty());
  EXPECT_FALSE(decode_legs("").ok());
  EXPECT_FALSE(decode_legs("\x02").ok());
  for (std::size_t cut = 1; cut < blob.size(); cut += 7) {
    EXPECT_FALSE(decode_legs(std::string_view(blob).substr(0, cut)).ok()) << cut;
  }
  EXPECT_FALSE(decode_legs(blob + "x").ok());
}

// The bytes of version 1 as the codec wrote them when it lived in the sqlite store (commit
// 802e53e): the calls tables of existing databases and ClickHouse hold them, so they never move.
TEST(LegCodecTest, VersionOneBytesAreUnchanged) {
  CallLeg sparse;
  sparse.application = "voicemail";
  sparse.extension_group_owner_id = 3;
  const std::vector<CallLeg> legs = {full_leg(), CallLeg{}, sparse};
  const std::string expected_hex =
      "0103273436393130302d3544333645353535374631383435464542353737454445384131394335313038036f"
      "757408616e737765726564083130302a303131311073697070726f78792e6578616d706c650a46726f6e7420"
      "6465736b0c2b37313131313131313131310c7073746e2e6578616d706c6504313030300b7372632e6578616d"
      "706c650c2b37313131313131313131310b6473742e6578616d706c650c2b37343935303030303030300b6469"
      "642e6578616d706c650c2b373439353131313131313105717565756501d8a139193130302a30313131407369"
      "7070726f78792e6578616d706c650570686f6e65010d010c2b37343935323232323232320f4e4f524d414c5f"
      "434c454152494e470a63616c6c65725f62796580b7ac9dd082df050180d2fca9d082df0580aaeec0d082df05"
      "30a8e8c8e9970700000000000000000000000000000000000000000000000000000000000000000000000000"
      "00000000000009766f6963656d61696c00000001060000000000000000";
  std::string hex;
  for (const unsigned char c : encode_legs(legs)) {
    static constexpr char kDigits[] = "0123456789abcdef";
    hex += kDigits[c >> 4];
    hex += kDigits[c & 15];
  }
  EXPECT_EQ(hex, expected_hex);
}

TEST(CallFilterTest, BindsEveryValue) {
  CallQuery q;
  q.account_id = 7;
  q.trunk_id = "1'; DROP TABLE calls; --";
  q.from_usernames = {"a", "b", "c"};
  q.to_number = NumberPrefix{"44"};
  sqlite::CallFilter f = sqlite::build_call_filter(q);
  EXPECT_FALSE(f.matches_nothing);
  EXPECT_EQ(f.where.find("DROP"), std::string::npos);
  EXPECT_EQ(std::count(f.where.begin(), f.where.end(), '?'),
            static_cast<std::ptrdiff_t>(f.values.size()));
  EXPECT_EQ(f.values.size(), 1u + 2u + 1u + 3u);  // account, prefix range, trunk, names
}

// Informal ingest benchmark: not run by default. Run with
//   cdrd_sqlite_tests --gtest_also_run_disabled_tests --gtest_filter='*Bench*'
// CDRD_BENCH_CALLS (default 1000000) and CDRD_BENCH_BATCH (default 5000) size it.
TEST(SqliteStoreBench, DISABLED_IngestThroughput) {
  auto env = [](const char* name, long dflt) {
    const char* v = std::getenv(name);
    return v ? std::atol(v) : dflt;
  };
  const long total = env("CDRD_BENCH_CALLS", 1'000'000), batch = env("CDRD_BENCH_BATCH", 5'000);
  TempDir dir;
  std::unique_ptr<sqlite::Stores> store = open_store(dir.file("bench.db"));
  std::int64_t acct = store->accounts.create_account("bench", "MABENCHBENCHBENCHBEN", "h")->id;
  std::vector<CallRecord> calls;
  std::uint64_t rng = 88172645463325252ull;
  auto next = [&] {
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
  };
  double insert_seconds = 0;
  for (long done = 0; done < total; done += batch) {
    calls.clear();
    for (long i = 0; i < batch && done + i < total; ++i) {
      CallRecord c = full_call(acct);
      char uuid[40];
      std::snprintf(uuid, sizeof uuid, "%016llx-%016llx", static_cast<unsigned long long>(next()),
                    static_cast<unsigned long long>(next()));
      c.call_uuid = uuid;
      c.end_time = kT0 + (done + i) * 2'000'000 + static_cast<Micros>(next() % 1'000'000);
      c.to_number = "+1" + std::to_string(2'000'000'000 + next() % 8'000'000'000);
      c.from_number = "+91" + std::to_string(9'000'000'000 + next() % 999'999'999);
      if (i % 2) c.legs.clear();
      calls.push_back(std::move(c));
    }
    auto t0 = std::chrono::steady_clock::now();
    Result<std::vector<InsertOutcome>> r = store->calls.insert_calls(calls);
    insert_seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    ASSERT_TRUE(r.ok()) << r.status().message();
  }
  std::printf("ingest: %ld calls in %.2f s = %.0f calls/s (batch %ld)\n", total, insert_seconds,
              static_cast<double>(total) / insert_seconds, batch);

  CallQuery q;
  q.account_id = acct;
  q.limit = 20;
  q.end_time.from = kT0 + (total - total / 3) * 2'000'000;  // the newest third, like a window
  for (auto [name, prefix] : {std::pair<const char*, const char*>{"default", nullptr},
                              {"to_number 1212", "1212"},
                              {"to_number +1", "+1"}}) {
    CallQuery qq = q;
    if (prefix) qq.to_number = NumberPrefix{prefix};
    auto t0 = std::chrono::steady_clock::now();
    Result<Page<CallRecord>> page = store->calls.list_calls(qq);
    double ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
    ASSERT_TRUE(page.ok());
    std::printf("list %-16s total_count=%-8lld %.1f ms\n", name,
                static_cast<long long>(page->total_count), ms);
    Result<std::vector<std::string>> plan = store->calls.explain_list_calls(qq);
    ASSERT_TRUE(plan.ok());
    for (const std::string& line : *plan) {
      std::printf("    %s\n", line.c_str());
    }
  }
  auto t0 = std::chrono::steady_clock::now();
  for (int i = 0; i < 1000; ++i) {
    ASSERT_TRUE(
        store->calls.find_call(acct, calls[static_cast<std::size_t>(i)].call_uuid, 0)->has_value());
  }
  std::printf(
      "find_call: %.1f us each\n",
      std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - t0).count() /
          1000);
}

// find_token answers from memory while nothing has committed since it read a token: a
// revocation, a new token or a dropped one, by this process or by another one on the same file
// (`cdrd app revoke`), is seen by the very next lookup.
TEST(SqliteOAuthStore, TokenLookupsSeeEveryCommitOfAnyConnectionAtOnce) {
  TempDir dir;
  const std::string path = dir.file("cdrd.db");
  auto server = open_store(path);
  auto other = open_store(path);  // another process on the same database
  const std::int64_t account_id =
      cdrd::testing::add_account(*server, "tokens", "MATOKENCACHE00000001").id;
  const auto app = server->oauth.create_app(account_id, "token-cache-app", "s");
  ASSERT_TRUE(app.ok()) << app.status().message();
  ASSERT_TRUE(server->oauth.add_token("hash-one", app->id, kT0 + 60 * kMicrosPerSecond, kT0).ok());

  for (int i = 0; i < 3; ++i) {  // read once, then from memory
    const auto grant = server->oauth.find_token("hash-one");
    ASSERT_TRUE(grant.ok() && grant->has_value());
    EXPECT_FALSE((*grant)->revoked);
    EXPECT_EQ((*grant)->account_id, account_id);
    EXPECT_EQ((*grant)->client_id, "token-cache-app");
  }
  EXPECT_FALSE(server->oauth.find_token("hash-two")->has_value());

  // Another process adds a token and revokes the app.
  ASSERT_TRUE(other->oauth.add_token("hash-two", app->id, kT0 + 60 * kMicrosPerSecond, kT0).ok());
  auto two = server->oauth.find_token("hash-two");
  ASSERT_TRUE(two.ok() && two->has_value());
  EXPECT_FALSE((*two)->revoked);
  ASSERT_TRUE(other->oauth.revoke_app("token-cache-app").ok());
  for (const char* hash : {"hash-one", "hash-two"}) {
    const auto grant = server->oauth.find_token(hash);
    ASSERT_TRUE(grant.ok() && grant->has_value()) << hash;
    EXPECT_TRUE((*grant)->revoked) << hash;
  }

  // This process drops every token that expired (issuing another one): the next lookup misses.
  const auto app2 = server->oauth.create_app(account_id, "token-cache-app-2", "s");
  ASSERT_TRUE(app2.ok());
  ASSERT_TRUE(server->oauth.add_token("hash-old", app2->id, kT0 + 1, kT0).ok());
  ASSERT_TRUE(server->oauth.find_token("hash-old")->has_value());
  ASSERT_TRUE(
      other->oauth.add_token("hash-new", app2->id, kT0 + 60 * kMicrosPerSecond, kT0 + 2).ok());
  EXPECT_FALSE(server->oauth.find_token("hash-old")->has_value());
  EXPECT_TRUE(server->oauth.find_token("hash-new")->has_value());
}

// A commit that changes no app and no token (ingest's, by this process or another) keeps the
// cached grants: the lookups after it read nothing (before, every commit emptied the cache, so
// under ingest every cloud-PBX request read its token again).
TEST(SqliteOAuthStore, ACommitOfCallsKeepsTheCachedGrants) {
  TempDir dir;
  const std::string path = dir.file("cdrd.db");
  auto server = open_store(path);
  auto other = open_store(path);  // another process on the same database
  const std::int64_t account_id =
      cdrd::testing::add_account(*server, "tokens", "MATOKENCACHE00000002").id;
  const auto app = server->oauth.create_app(account_id, "ingest-keeps-app", "s");
  ASSERT_TRUE(app.ok()) << app.status().message();
  ASSERT_TRUE(server->oauth.add_token("hash-kept", app->id, kT0 + 60 * kMicrosPerSecond, kT0).ok());
  ASSERT_TRUE(server->oauth.find_token("hash-kept")->has_value());
  EXPECT_EQ(server->oauth.cache_stats().table_reads, 1u);
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(
        server->calls.insert_calls({minimal_call(account_id, "c-" + std::to_string(i), kT0)}).ok());
    ASSERT_TRUE(
        other->calls.insert_calls({minimal_call(account_id, "o-" + std::to_string(i), kT0)}).ok());
    const auto grant = server->oauth.find_token("hash-kept");
    ASSERT_TRUE(grant.ok() && grant->has_value());
    EXPECT_FALSE((*grant)->revoked);
  }
  EXPECT_EQ(server->oauth.cache_stats().table_reads, 1u);
  EXPECT_EQ(server->oauth.cache_stats().generation_changes, 0u);
  // A new token (an insert) keeps them too; a revocation does not.
  ASSERT_TRUE(other->oauth.add_token("hash-more", app->id, kT0 + 60 * kMicrosPerSecond, kT0).ok());
  ASSERT_TRUE(server->oauth.find_token("hash-kept")->has_value());
  EXPECT_EQ(server->oauth.cache_stats().table_reads, 1u);
  ASSERT_TRUE(other->oauth.revoke_app("ingest-keeps-app").ok());
  EXPECT_TRUE((*server->oauth.find_token("hash-kept"))->revoked);
  EXPECT_EQ(server->oauth.cache_stats().table_reads, 2u);
  EXPECT_EQ(server->oauth.cache_stats().generation_changes, 1u);
}

// Another program's SQL that deletes a token or changes an app (not through cdrd) is seen by
// the very next lookup too: the triggers of migration 12 move the generation for any writer.
TEST(SqliteOAuthStore, AnotherProgramsSqlOnTokensOrAppsIsSeenAtOnce) {
  TempDir dir;
  const std::string path = dir.file("cdrd.db");
  auto server = open_store(path);
  const std::int64_t account_id =
      cdrd::testing::add_account(*server, "tokens", "MATOKENCACHE00000003").id;
  const auto app = server->oauth.create_app(account_id, "sql-app", "s");
  ASSERT_TRUE(app.ok()) << app.status().message();
  ASSERT_TRUE(server->oauth.add_token("hash-a", app->id, kT0 + 60 * kMicrosPerSecond, kT0).ok());
  ASSERT_TRUE(server->oauth.add_token("hash-b", app->id, kT0 + 60 * kMicrosPerSecond, kT0).ok());
  ASSERT_TRUE(server->oauth.find_token("hash-a")->has_value());
  ASSERT_TRUE(server->oauth.find_token("hash-b")->has_value());
  auto foreign = [&](const char* sql) {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
    sqlite3_busy_timeout(db, 5000);
    EXPECT_EQ(sqlite3_exec(db, sql, nullptr, nullptr, nullptr), SQLITE_OK) << sqlite3_errmsg(db);
    sqlite3_close(db);
  };
  foreign("DELETE FROM oauth_tokens WHERE token_hash = 'hash-a'");
  EXPECT_FALSE(server->oauth.find_token("hash-a")->has_value());
  EXPECT_FALSE((*server->oauth.find_token("hash-b"))->revoked);
  foreign("UPDATE oauth_apps SET revoked = 1 WHERE client_id = 'sql-app'");
  EXPECT_TRUE((*server->oauth.find_token("hash-b"))->revoked);
  foreign("DELETE FROM oauth_tokens; DELETE FROM oauth_apps");
  EXPECT_FALSE(server->oauth.find_token("hash-b")->has_value());
}

}  // namespace
}  // namespace cdrd
