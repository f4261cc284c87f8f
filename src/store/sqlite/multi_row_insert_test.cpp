// The writer's multi-row insert of trunk-only calls (SqliteCallStore::kRowsPerInsert) against
// one insert per call: the same batches written both ways must give the same outcomes, the same
// errors and the same rows, byte for byte and id for id.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <cctype>
#include <future>
#include <memory>
#include <string>
#include <vector>

#include "store/sqlite/stores.h"
#include "testing/random_calls.h"
#include "testing/temp_dir.h"
#include "testing/values.h"

// A namespace of its own: the unity build puts this file beside other tests' anonymous ones.
namespace cdrd::multi_row_insert_test {

constexpr Micros kT0 = 1'616'327'220 * kMicrosPerSecond;  // 2021-03-21 11:47:00 UTC

// Every row of the calls table in id order, each value with its storage class.
std::string dump_calls(const std::string& path) {
  sqlite3* db = nullptr;
  EXPECT_EQ(sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK);
  sqlite3_stmt* st = nullptr;
  EXPECT_EQ(sqlite3_prepare_v2(db, "SELECT * FROM calls ORDER BY id", -1, &st, nullptr), SQLITE_OK);
  std::string out;
  while (sqlite3_step(st) == SQLITE_ROW) {
    for (int i = 0; i < sqlite3_column_count(st); ++i) {
      out += std::to_string(sqlite3_column_type(st, i)) + ":";
      if (sqlite3_column_type(st, i) != SQLITE_NULL) {
        const auto* text = sqlite3_column_blob(st, i);
        out.append(static_cast<const char*>(text),
                   static_cast<std::size_t>(sqlite3_column_bytes(st, i)));
      }
      out += '|';
    }
    out += '\n';
  }
  sqlite3_finalize(st);
  sqlite3_close(db);
  return out;
}

// What a run of the scenario gave: each batch's outcomes or error, and the table.
struct Written {
  std::vector<std::string> answers;
  std::string rows;
  std::int64_t listed_a = 0, listed_b = 0;
};

std::string describe(const Result<std::vector<InsertOutcome>>& r) {
  if (!r.ok())
    return "error " + std::to_string(static_cast<int>(r.status().code())) + " " +
           r.status().message();
  std::string s;
  for (InsertOutcome o : *r) s += o == InsertOutcome::kStored ? 'S' : 'D';
  return s;
}

// A call of account `account`: trunk-only mostly, sometimes with a cloud-PBX field, quality
// metric or legs (the full insert); its uuid from a small pool in a random letter case, so
// that duplicates come within a statement's rows, across statements, batches and groups.
CallRecord random_call(testing::Random& rnd, std::int64_t account, Micros end_time) {
  CallRecord c = testing::minimal_call(account, "", end_time);
  std::string uuid = "Call-" + std::to_string(rnd.between(0, 400)) + "-abc";
  for (char& ch : uuid) {
    if (rnd.chance(30)) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  }
  c.call_uuid = uuid;
  c.from_number = rnd.pick(testing::kNumbers);
  c.to_number = rnd.pick(testing::kNumbers);
  if (rnd.chance(50)) c.answer_time = end_time - rnd.between(0, 50) * kMicrosPerSecond;
  c.duration_s = rnd.between(0, 3600);
  c.bill_duration_s = rnd.between(0, 3600);
  if (rnd.chance(50)) c.hangup_cause_code = static_cast<int>(rnd.between(0, 65'534));
  c.hangup_cause_name = rnd.chance(50) ? "Normal Hangup" : "";
  c.trunk_id = rnd.chance(70) ? "trunk-" + std::to_string(rnd.between(1, 3)) : "";
  c.trunk_domain = c.trunk_id.empty() ? "" : c.trunk_id + ".zt.example.com";
  c.srtp = rnd.chance(50);
  c.rate = Money::from_units(rnd.between(0, 100'000));
  c.total_amount = Money::from_units(rnd.between(-5, 100'000));
  c.sip_call_id = rnd.chance(50) ? "a84b4c76e66710@pc33.example.com-" + uuid : "";
  c.from_username = rnd.chance(30) ? "alice" : "";
  c.to_username = rnd.chance(30) ? "+14155550100" : "";
  switch (rnd.between(0, 9)) {  // the full insert
    case 0:
      c.from_domain = "sipproxy.example";
      break;
    case 1:
      c.quality.rtt_ms = 12.5;
      break;
    case 2:
      c.legs.emplace_back();
      c.legs.back().record_uuid = "leg-" + uuid;
      break;
    default:
      break;
  }
  return c;
}

Written write_scenario(const std::string& path, int rows_per_insert) {
  Result<std::unique_ptr<sqlite::Stores>> opened = sqlite::open_stores(path);
  EXPECT_TRUE(opened.ok()) << opened.status().message();
  if (!opened.ok()) return {};
  sqlite::Stores& s = **opened;
  s.calls.set_rows_per_insert(rows_per_insert);
  const std::int64_t a = s.accounts.create_account("A", "MAAAAAAAAAAAAAAAAAAA", "h")->id;
  const std::int64_t b = s.accounts.create_account("B", "MABBBBBBBBBBBBBBBBBB", "h")->id;
  testing::Random rnd(20261201);
  Written w;
  Micros t = kT0;
  const auto batch = [&](std::size_t n, int percent_b) {
    std::vector<CallRecord> calls;
    for (std::size_t i = 0; i < n; ++i) {
      calls.push_back(random_call(rnd, rnd.chance(percent_b) ? b : a, t += kMicrosPerSecond));
    }
    return calls;
  };
  // One batch at a time, then several queued at once (groups of several batches, each with its
  // savepoint), among them one naming an account that does not exist after a full statement's
  // worth of calls (its insert fails on the foreign key).
  // A call the trunk-only insert writes, with a uuid of its own: a batch of them fills
  // statements.
  int fresh = 0;
  const auto trunk_only = [&fresh](CallRecord& c) {
    c.call_uuid = "Fresh-" + std::to_string(fresh++);
    c.from_domain.clear();
    c.quality = CallQuality();
    c.legs.clear();
  };
  for (int n : {1, 31, 32, 33, 64, 100, 250}) {
    w.answers.push_back(describe(s.calls.insert_calls(batch(static_cast<std::size_t>(n), 20))));
  }
  std::vector<std::future<Result<std::vector<InsertOutcome>>>> queued;
  for (int round = 0; round < 6; ++round) {
    std::vector<CallRecord> calls = batch(static_cast<std::size_t>(rnd.between(1, 120)), 40);
    if (round == 3) {
      calls = batch(70, 0);
      for (CallRecord& c : calls) trunk_only(c);
      calls[50].account_id = 424242;
    }
    queued.push_back(s.calls.insert_calls_async(std::move(calls)));
  }
  for (auto& f : queued) w.answers.push_back(describe(f.get()));
  // The same alone: the transaction fails.
  std::vector<CallRecord> bad = batch(40, 0);
  for (CallRecord& c : bad) trunk_only(c);
  bad[35].account_id = 424242;
  w.answers.push_back(describe(s.calls.insert_calls(bad)));
  // Retention deletes the calls of the largest ids (they ended first): the next rows take the
  // ids after them, by whichever insert.
  std::vector<CallRecord> early = batch(64, 0);
  for (CallRecord& c : early) c.end_time -= 365 * kMicrosPerDay;
  w.answers.push_back(describe(s.calls.insert_calls(early)));
  Result<std::int64_t> deleted = s.calls.delete_calls_ended_before(kT0 - kMicrosPerDay, 1'000);
  EXPECT_TRUE(deleted.ok());
  w.answers.push_back("deleted " + std::to_string(deleted.ok() ? *deleted : -1));
  for (int n : {40, 96}) {
    w.answers.push_back(describe(s.calls.insert_calls(batch(static_cast<std::size_t>(n), 10))));
  }
  for (const std::int64_t account : {a, b}) {
    CallQuery q;
    q.account_id = account;
    q.limit = 1;
    Result<Page<CallRecord>> page = s.calls.list_calls(q);
    EXPECT_TRUE(page.ok());
    (account == a ? w.listed_a : w.listed_b) = page.ok() ? page->total_count : -1;
  }
  opened->reset();  // closed before the table is read
  w.rows = dump_calls(path);
  return w;
}

TEST(MultiRowInsertTest, WritesWhatOneInsertPerCallWrites) {
  testing::TempDir dir;
  const Written one = write_scenario(dir.file("one/cdrd.db"), 1);
  ASSERT_FALSE(one.rows.empty());
  // 1,000 rows are 34,000 parameters, more than SQLite takes in a statement: the writer then
  // gives every call its own insert.
  for (int rows : {SqliteCallStore::kRowsPerInsert, 5, 1'000}) {
    SCOPED_TRACE("rows per insert " + std::to_string(rows));
    const Written many = write_scenario(dir.file(std::to_string(rows) + "/cdrd.db"), rows);
    EXPECT_EQ(many.answers, one.answers);
    EXPECT_EQ(many.rows, one.rows);
    EXPECT_EQ(many.listed_a, one.listed_a);
    EXPECT_EQ(many.listed_b, one.listed_b);
  }
  // The scenario did what it is for: duplicates, a refused batch in a group and alone.
  std::string all;
  for (const std::string& a : one.answers) all += a + "\n";
  EXPECT_NE(all.find('D'), std::string::npos) << all;
  EXPECT_NE(all.find("424242"), std::string::npos) << all;
}

}  // namespace cdrd::multi_row_insert_test
