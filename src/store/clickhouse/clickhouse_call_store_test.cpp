// ClickHouseCallStore against the sqlite store, the reference: the same random calls in both,
// thousands of random list queries (every filter of both APIs, limits, offsets, both orders,
// ties on end_time) must give the same counts and the same pages, row for row and field for
// field; usage, find_call, the change feed, the export (random filters and windows) and
// retention too. Plus idempotency (a batch written
// twice counts once), the text forms, and the errors when ClickHouse is down.
#include "store/clickhouse/clickhouse_call_store.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "core/call_export.h"
#include "store/clickhouse/call_rows.h"
#include "store/clickhouse/clickhouse_test_server.h"
#include "store/clickhouse/text.h"
#include "store/sqlite/stores.h"
#include "testing/random_calls.h"
#include "testing/store_compare.h"
#include "testing/stores.h"
#include "testing/temp_dir.h"

namespace cdrd::clickhouse {
namespace {

using cdrd::testing::Random;
using cdrd::testing::rich_call;
using cdrd::testing::StoreComparison;

// Every field of a call, as one line (the row codec writes all of them; the id is left out).
std::string full_text(const CallRecord& c) {
  std::string s;
  append_row(s, c, 1);
  return s;
}

class ClickHouseStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string why;
    const std::optional<std::string> url = testing::server_url(why);
    if (!url) GTEST_SKIP() << "skipped: " << why;
    server_ = *url;
    database_ = testing::fresh_database("store");
    sqlite_ = cdrd::testing::open_stores_in(dir_);
    account_ = cdrd::testing::add_account(*sqlite_, "a", "MAAAAAAAAAAAAAAAAAAA").id;
    other_ = cdrd::testing::add_account(*sqlite_, "b", "MABBBBBBBBBBBBBBBBBB").id;
    open();
  }
  void TearDown() override {
    ch_.reset();
    if (!database_.empty()) testing::drop_database(server_, database_);
  }
  void open() {
    ch_.reset();
    Result<std::unique_ptr<ClickHouseCallStore>> s = ClickHouseCallStore::open(url());
    ASSERT_TRUE(s.ok()) << s.status().message();
    ch_ = std::move(s).value();
  }
  // The store's URL, with the run's options (the sharded layout) and `option` ("node=1").
  std::string url(const std::string& option = "") const {
    std::string u = server_ + "/" + database_ + testing::url_options();
    if (!option.empty()) u += (u.find('?') == std::string::npos ? "?" : "&") + option;
    return u;
  }
  // The months (partitions) of the calls that hold rows, one per line in order: of the calls
  // table, or of every shard's calls_local in the sharded layout.
  std::string months() {
    const bool sharded = !testing::url_options().empty();
    std::set<std::string> all;
    for (const Endpoint& shard : parse_url(url())->shards()) {
      Result<std::string> r =
          Client(shard, ClientOptions{})
              .run(std::string("SELECT DISTINCT partition FROM system.parts WHERE database = "
                               "currentDatabase() AND table = '") +
                       (sharded ? "calls_local" : "calls") + "' AND active FORMAT TabSeparated",
                   false);
      if (!r.ok()) return "error: " + r.status().message();
      std::size_t from = 0;
      for (std::size_t nl; (nl = r->find('\n', from)) != std::string::npos; from = nl + 1) {
        all.insert(r->substr(from, nl - from));
      }
    }
    std::string out;
    for (const std::string& m : all) out += m + "\n";
    return out;
  }
  // A statement on the (first) server, as the store sends it.
  Result<std::string> raw(const std::string& sql) {
    Client c(parse_url(url())->shards().front(), ClientOptions{});
    return c.run(sql, false);
  }

  // The ClickHouse store held to the sqlite store.
  cdrd::testing::StoreComparison compare() {
    return {sqlite_->calls, *ch_, account_, other_, full_text};
  }

  cdrd::testing::TempDir dir_;
  std::unique_ptr<sqlite::Stores> sqlite_;
  std::unique_ptr<ClickHouseCallStore> ch_;
  std::string server_, database_;
  std::int64_t account_ = 0, other_ = 0;
};

TEST_F(ClickHouseStoreTest, AnswersEqualTheSqliteStoreOnThousandsOfRandomQueries) {
  Random rnd(12);
  std::int64_t next_uuid = 0;
  std::int64_t rows = 0;
  for (int batch = 0; batch < 6; ++batch) {
    compare().insert_both(compare().random_batch(rnd, 300, next_uuid));
    rows += 300;
    compare().expect_same_lists(rnd, 100, rows, "after batch " + std::to_string(batch));
  }
  compare().expect_same_lists(rnd, 1'000, rows, "after every batch");
  compare().expect_same_usage(rnd, 200, rows, "usage");
  compare().expect_same_finds(rnd, 200, next_uuid);
  // The change feed: every call once, in the order stored.
  compare().expect_same_feeds();
  compare().expect_same_exports(rnd, 300, rows, "export");

  // Retention, then everything again; and a reopened store gives ids above every id so far.
  compare().delete_both_before(Micros{1'000'000} * 120);
  compare().expect_same_lists(rnd, 300, rows, "after retention");
  compare().expect_same_usage(rnd, 50, rows, "usage after retention");
  compare().expect_same_exports(rnd, 50, rows, "export after retention");
  open();
  std::vector<CallRecord> more;
  for (int i = 0; i < 50; ++i) {
    CallRecord c = rich_call(rnd);
    c.account_id = account_;
    c.call_uuid = "late-" + std::to_string(i);
    more.push_back(std::move(c));
  }
  compare().insert_both(more);
  EXPECT_EQ(StoreComparison::feed(*ch_, account_), StoreComparison::feed(sqlite_->calls, account_));
  compare().expect_same_lists(rnd, 200, rows, "after a reopen");
}

TEST_F(ClickHouseStoreTest, ABatchWrittenTwiceCountsOnceBeforeAnyMerge) {
  Random rnd(5);
  std::vector<CallRecord> calls;
  for (int i = 0; i < 200; ++i) {
    CallRecord c = rich_call(rnd);
    c.account_id = account_;
    c.call_uuid = "dup-" + std::to_string(i);
    calls.push_back(std::move(c));
  }
  // No background merge of this table during the test: the copies stay apart (in the sharded
  // layout, of each shard's local table; the copies below go through the Distributed table, so
  // each lands on its call's shard).
  if (testing::url_options().empty()) {
    ASSERT_TRUE(raw("SYSTEM STOP MERGES calls").ok());
  } else {
    for (const Endpoint& shard : parse_url(url())->shards()) {
      ASSERT_TRUE(Client(shard, ClientOptions{}).run("SYSTEM STOP MERGES calls_local", false).ok());
    }
  }
  compare().insert_both(calls);
  // A retried batch is reported duplicate and writes nothing.
  Result<std::vector<InsertOutcome>> again = ch_->insert_calls(calls);
  ASSERT_TRUE(again.ok()) << again.status().message();
  for (InsertOutcome o : *again) EXPECT_EQ(o, InsertOutcome::kDuplicate);
  // The rows written twice (an answer lost after the insert; two nodes racing), with a later id:
  // every read still counts each call once, keeping the first. The later id is one no call has
  // (ids are never given twice): 1,000 s of ticks on, as a retry much later would get. (One
  // tick on would be the id of the batch's next call, which the page reads by id would mistake
  // for it when the shards answer in another order.)
  ASSERT_TRUE(raw("INSERT INTO calls SELECT * FROM calls").ok());
  ASSERT_TRUE(raw("INSERT INTO calls (" + std::string(kColumns) + ") SELECT " +
                  [] {
                    std::string cols(kColumns);
                    cols.replace(cols.find(" id,"), 4, " id + 16000000000,");
                    cols.replace(cols.find(" version,"), 9, " version - 16000000000,");
                    return cols;
                  }() +
                  " FROM calls")
                  .ok());
  Result<std::string> physical = raw("SELECT count() FROM calls FORMAT TabSeparated");
  ASSERT_TRUE(physical.ok());
  EXPECT_EQ(*physical, "800\n");  // four copies of each, unmerged
  compare().expect_same_lists(rnd, 300, 200, "rows written twice");
  compare().expect_same_usage(rnd, 50, 200, "rows written twice");
  compare().expect_same_exports(rnd, 100, 200, "rows written twice");
  EXPECT_EQ(StoreComparison::feed(*ch_, account_), StoreComparison::feed(sqlite_->calls, account_));
}

TEST_F(ClickHouseStoreTest, TwoNodesRacingOnTheSameBatchStoreEachCallOnce) {
  // Two nodes (two stores, node 1 and node 2) take the same batches at the same moment, as two
  // cdrd nodes behind one balancer would when a client retries on the other: both may find the
  // keys absent and write. Every answer still counts each call once.
  Result<std::unique_ptr<ClickHouseCallStore>> a = ClickHouseCallStore::open(url("node=1"));
  Result<std::unique_ptr<ClickHouseCallStore>> b = ClickHouseCallStore::open(url("node=2"));
  ASSERT_TRUE(a.ok() && b.ok());
  Random rnd(9);
  std::vector<std::vector<CallRecord>> batches(10);
  for (std::size_t k = 0; k < batches.size(); ++k) {
    for (int i = 0; i < 100; ++i) {
      CallRecord c = rich_call(rnd);
      c.account_id = account_;
      c.call_uuid = "race-" + std::to_string(k) + "-" + std::to_string(i);
      batches[k].push_back(std::move(c));
    }
    ASSERT_TRUE(sqlite_->calls.insert_calls(batches[k]).ok());
  }
  std::int64_t stored = 0;
  std::mutex mu;
  const auto run = [&](ClickHouseCallStore& store) {
    for (const auto& batch : batches) {
      Result<std::vector<InsertOutcome>> out = store.insert_calls(batch);
      ASSERT_TRUE(out.ok()) << out.status().message();
      std::lock_guard<std::mutex> lock(mu);
      for (InsertOutcome o : *out) stored += o == InsertOutcome::kStored ? 1 : 0;
    }
  };
  std::thread t1([&] { run(**a); });
  std::thread t2([&] { run(**b); });
  t1.join();
  t2.join();
  Result<std::string> physical = raw("SELECT count() FROM calls FORMAT TabSeparated");
  ASSERT_TRUE(physical.ok());
  // Between 1,000 (one node stored each call) and 2,000 rows (both did), as the race went; a
  // background merge may have collapsed some copies already.
  EXPECT_GE(stored, 1'000);
  std::printf("racing nodes stored %lld rows for 1000 calls, %s in the table now\n",
              static_cast<long long>(stored), physical->substr(0, physical->size() - 1).c_str());
  compare().expect_same_lists(rnd, 200, 1'000, "after the race");
  compare().expect_same_usage(rnd, 30, 1'000, "after the race");
  compare().expect_same_exports(rnd, 50, 1'000, "after the race");
  EXPECT_EQ(StoreComparison::feed(*ch_, account_), StoreComparison::feed(sqlite_->calls, account_));
}

TEST_F(ClickHouseStoreTest, RetentionDropsWholeMonthsAndDeletesTheRestOfTheFloorsMonth) {
  // Calls in January, February and March 2024 (UTC); the floor is 2024-02-15.
  const Micros jan = 1'704'067'200'000'000;  // 2024-01-01
  const Micros day = 86'400'000'000;
  std::vector<CallRecord> calls;
  for (int i = 0; i < 90; ++i) {
    CallRecord c;
    c.account_id = i % 3 == 0 ? other_ : account_;
    c.call_uuid = "r-" + std::to_string(i);
    c.end_time = jan + day * i + 1;
    c.initiation_time = c.end_time - 1'000'000;
    calls.push_back(std::move(c));
  }
  compare().insert_both(calls);
  const Micros floor = jan + day * 45;  // 2024-02-15
  EXPECT_EQ(months(), "202401\n202402\n202403\n");
  Result<std::int64_t> a = sqlite_->calls.delete_calls_ended_before(floor, 1'000);
  Result<std::int64_t> b = ch_->delete_calls_ended_before(floor, 1'000);
  ASSERT_TRUE(b.ok()) << b.status().message();
  EXPECT_EQ(*b, *a);
  EXPECT_EQ(*b, 45);
  // January went as a partition; February's first half by the mutation, waited for.
  EXPECT_EQ(months(), "202402\n202403\n");
  Result<std::string> left = raw("SELECT count(), min(end_time) FROM calls FORMAT TabSeparated");
  EXPECT_EQ(*left, "45\t" + std::to_string(floor + 1) + "\n");
  // Nothing is left before the floor: the next sweep deletes nothing; the keys went too.
  EXPECT_EQ(*ch_->delete_calls_ended_before(floor, 1'000), 0);
  EXPECT_FALSE(ch_->find_call(account_, "r-1", 0)->has_value());
  Random rnd(3);
  compare().expect_same_lists(rnd, 100, 90, "after retention by month");
  // A uuid deleted by retention may be stored again, as in sqlite.
  compare().insert_both({calls[1]});
}

TEST_F(ClickHouseStoreTest, ABatchOfThousandsOfLongUuidsIsCheckedInOneStatement) {
  // 8,000 uuids of the longest length ingest accepts: the duplicate check's statement is about
  // 560 KB, past ClickHouse's default max_query_size.
  std::vector<CallRecord> calls;
  for (int i = 0; i < 8'000; ++i) {
    CallRecord c;
    c.account_id = account_;
    c.call_uuid = std::string(58, 'u') + std::to_string(100'000 + i);
    c.end_time = Micros{1'000'000} * (i % 50);
    calls.push_back(std::move(c));
  }
  compare().insert_both(calls);
  compare().insert_both(calls);  // every one a duplicate now
  CallQuery q;
  q.account_id = account_;
  EXPECT_EQ(ch_->list_calls(q)->total_count, 8'000);
}

TEST_F(ClickHouseStoreTest, AFeedLagLeavesOutTheNewestCallsUntilTheyAreOlderThanIt) {
  std::vector<CallRecord> calls;
  Random rnd(5);
  for (int i = 0; i < 50; ++i) {
    CallRecord c = rich_call(rnd);
    c.account_id = account_;
    c.call_uuid = "lag-" + std::to_string(i);
    calls.push_back(std::move(c));
  }
  compare().insert_both(calls);
  Result<std::unique_ptr<ClickHouseCallStore>> lagged =
      ClickHouseCallStore::open(url("feed_lag_ms=3000"));
  ASSERT_TRUE(lagged.ok()) << lagged.status().message();
  EXPECT_EQ(StoreComparison::feed(*ch_, account_).size(), 50u);
  EXPECT_TRUE(StoreComparison::feed(**lagged, account_).empty());
  std::this_thread::sleep_for(std::chrono::milliseconds(3100));
  EXPECT_EQ(StoreComparison::feed(**lagged, account_), StoreComparison::feed(*ch_, account_));
}

TEST_F(ClickHouseStoreTest, ADatabaseOfOneServerCannotBecomeAShard) {
  if (!testing::url_options().empty()) GTEST_SKIP() << "the database is sharded already";
  Result<std::unique_ptr<ClickHouseCallStore>> s =
      ClickHouseCallStore::open(server_ + "/" + database_ + "?cluster=cdrd_cluster");
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().code(), Status::Code::kIOError);
  EXPECT_NE(s.status().message().find("holds the calls of one server"), std::string::npos)
      << s.status().message();
}

TEST_F(ClickHouseStoreTest, AStoreOfANewerSchemaIsRefused) {
  ASSERT_TRUE(raw("INSERT INTO cdrd_schema VALUES (99, now())").ok());
  Result<std::unique_ptr<ClickHouseCallStore>> s = ClickHouseCallStore::open(url());
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().code(), Status::Code::kIOError);
  EXPECT_NE(s.status().message().find("schema version 99"), std::string::npos)
      << s.status().message();
}

// Without a server (no fixture needed): the store's errors when ClickHouse is down.
TEST(ClickHouseDown, EveryOperationIsUnavailableAndNothingIsAcknowledged) {
  // A port nothing listens on: bound, then closed.
  Endpoint e;
  e.host = "127.0.0.1";
  e.port = 9;  // discard: not served on loopback in a test machine
  e.database = "cdrd";
  StoreOptions o;
  o.client.timeout = std::chrono::milliseconds(2'000);
  ClickHouseCallStore store(e, o);
  CallRecord c;
  c.account_id = 1;
  c.call_uuid = "x";
  Result<std::vector<InsertOutcome>> ins = store.insert_calls({c});
  ASSERT_FALSE(ins.ok());
  EXPECT_EQ(ins.status().code(), Status::Code::kUnavailable) << ins.status().message();
  // What API clients see names no address.
  EXPECT_EQ(ins.status().message(), "the calls store is unavailable; try again later");
  CallQuery q;
  q.account_id = 1;
  EXPECT_EQ(store.list_calls(q).status().code(), Status::Code::kUnavailable);
  EXPECT_EQ(store.find_call(1, "x", 0).status().code(), Status::Code::kUnavailable);
  Result<std::unique_ptr<ClickHouseCallStore>> opened =
      ClickHouseCallStore::open("clickhouse://127.0.0.1:9/cdrd");
  EXPECT_EQ(opened.status().code(), Status::Code::kUnavailable);
}

TEST(ClickHouseText, LiteralsEscapeEveryByteThatCouldChangeTheStatement) {
  EXPECT_EQ(sql_string("it's"), "'it\\'s'");
  EXPECT_EQ(sql_string("a\\b"), "'a\\\\b'");
  EXPECT_EQ(sql_string(std::string("\n\0\xff", 3)), "'\\x0a\\x00\\xff'");
}

TEST(ClickHouseText, TabSeparatedFieldsRoundTripAnyBytes) {
  std::string all;
  for (int b = 0; b < 256; ++b) all += static_cast<char>(b);
  std::string line;
  append_tsv(line, all);
  line += '\t';
  append_tsv(line, std::optional<std::int64_t>());
  line += '\t';
  append_tsv(line, std::optional<double>(0.1));
  line += '\n';
  const std::vector<TsvRow> rows = split_tsv(line);
  ASSERT_EQ(rows.size(), 1u);
  ASSERT_EQ(rows[0].size(), 3u);
  EXPECT_EQ(*tsv_text(rows[0][0]), all);
  EXPECT_FALSE(tsv_opt_int(rows[0][1])->has_value());
  EXPECT_EQ(**tsv_opt_real(rows[0][2]), 0.1);
  EXPECT_FALSE(tsv_text("ab\\").ok());
  EXPECT_FALSE(tsv_int("12x").ok());
}

TEST(ClickHouseUrl, ParsesTheAcceptedFormAndNamesWhatIsWrong) {
  Result<Endpoint> e = parse_url("clickhouse://127.0.0.1:8124/calls_db?node=3");
  ASSERT_TRUE(e.ok()) << e.status().message();
  EXPECT_EQ(e->host, "127.0.0.1");
  EXPECT_EQ(e->port, 8124);
  EXPECT_EQ(e->database, "calls_db");
  EXPECT_EQ(e->node, 3);
  EXPECT_EQ(parse_url("clickhouse://h")->database, "cdrd");
  EXPECT_EQ(parse_url("clickhouse://h")->port, 8123);
  for (const char* bad :
       {"http://h:1/x", "clickhouse://:1/x", "clickhouse://h:0/x", "clickhouse://h:1/a-b",
        "clickhouse://h:1/x?node=16", "clickhouse://h:1/x?user=a", "clickhouse://h:1,g:2/x",
        "clickhouse://h:1,:2/x?cluster=c", "clickhouse://h:1/x?cluster=a-b"}) {
    Result<Endpoint> r = parse_url(bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.status().code(), Status::Code::kInvalidArgument);
    EXPECT_NE(r.status().message().find("clickhouse://HOST:PORT[,HOST:PORT...]/DATABASE"),
              std::string::npos);
  }
  // The sharded layout: every server listed, the first one taking the statements.
  Result<Endpoint> c = parse_url("clickhouse://a:1,b:2/calls_db?cluster=two&node=2");
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_EQ(c->cluster, "two");
  EXPECT_EQ(c->node, 2);
  EXPECT_EQ(c->host, "a");
  const std::vector<Endpoint> shards = c->shards();
  ASSERT_EQ(shards.size(), 2u);
  EXPECT_EQ(shards[1].host, "b");
  EXPECT_EQ(shards[1].port, 2);
  EXPECT_EQ(shards[1].database, "calls_db");
  EXPECT_EQ(shards[1].cluster, "two");
  EXPECT_EQ(parse_url("clickhouse://h/x?feed_lag_ms=30000")->feed_lag_ms, 30000);
  EXPECT_FALSE(parse_url("clickhouse://h/x?feed_lag_ms=-1").ok());
}

}  // namespace
}  // namespace cdrd::clickhouse
