// ingest_text over the real sqlite stores in a temporary directory: the failed-line report is
// bounded (the first kMaxFailedShown in full, all of them counted), a record past retention is
// a failed line, and so is one whose amount cannot be represented; nothing is stored for them.
#include "service/ingest/ingest.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <limits>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "service/rating/rating_service.h"
#include "testing/stores.h"
#include "testing/values.h"

namespace cdrd::service::ingest {
namespace {

using cdrd::testing::at;

constexpr const char* kAuthId = "MA0000000000000000AA";

// One NDJSON record of the test account: an outbound call to India initiated and answered at
// `start`, ending at `end_time`.
std::string record(const std::string& uuid, const std::string& end_time = "2026-11-30 10:00:40",
                   const std::string& extra = "",
                   const std::string& start = "2026-11-30 10:00:10") {
  return std::string(R"({"account": ")") + kAuthId + R"(", "call_uuid": ")" + uuid +
         R"(", "call_direction": "outbound", "from_number": "+912235328936", )"
         R"("to_number": "+919943720205", "initiation_time": ")" +
         start + R"(", "answer_time": ")" + start + R"(", "end_time": ")" + end_time + "\"" +
         extra + "}\n";
}

class IngestTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = cdrd::testing::open_stores_in(dir_);
    rating_ = std::make_unique<RatingService>(store_->accounts, store_->rating);
    account_ = cdrd::testing::add_account(*store_, "acme", kAuthId);
    settings_.retention_days = 90;
    settings_.now = [] { return at("2026-11-30 12:00:00"); };
  }
  void TearDown() override {
    rating_.reset();
    store_.reset();
  }
  IngestService service() const {
    return IngestService(store_->accounts, store_->calls, store_->trunks, *rating_, settings_);
  }
  bool is_stored(const std::string& uuid) {
    auto c = store_->calls.find_call(account_.id, uuid, std::numeric_limits<Micros>::min());
    EXPECT_TRUE(c.ok());
    return c.ok() && c->has_value();
  }

  cdrd::testing::TempDir dir_{"cdrd_ingest_"};
  std::unique_ptr<sqlite::Stores> store_;
  std::unique_ptr<RatingService> rating_;
  IngestSettings settings_;
  Account account_;
};

TEST_F(IngestTest, ReportsTheFirstThousandFailedLinesAndCountsThemAll) {
  std::string body = record("good-1");
  for (int i = 0; i < 2500; ++i) body += "{\"call_uuid\": \"bad\"}\n";
  body += record("good-2");
  const IngestService c = service();
  const Result<BatchResult> r = c.ingest_text(body, Format::kNdjson);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->stored, 2);
  EXPECT_EQ(r->failed_count, 2500);
  ASSERT_EQ(r->failed.size(), kMaxFailedShown);
  EXPECT_EQ(r->failed.front().line, 2);
  EXPECT_EQ(r->failed.back().line, 1001);
  EXPECT_THAT(r->failed.front().error, ::testing::HasSubstr("account: is required"));
}

TEST_F(IngestTest, CsvFailuresAreBoundedToo) {
  std::string body = "account,call_uuid\n";
  for (int i = 0; i < 1500; ++i) body += "nobody,x\n";
  const IngestService c = service();
  const Result<BatchResult> r = c.ingest_text(body, Format::kCsv);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->failed_count, 1500);
  EXPECT_EQ(r->failed.size(), kMaxFailedShown);
}

TEST_F(IngestTest, MergeKeepsTheFirstFailuresAndAddsTheCounts) {
  BatchResult total;
  for (int part = 0; part < 3; ++part) {
    BatchResult r;
    r.stored = 1;
    for (int i = 0; i < 600; ++i) r.add_failure(part * 1000 + i, "bad");
    total.merge(std::move(r));
  }
  EXPECT_EQ(total.stored, 3);
  EXPECT_EQ(total.failed_count, 1800);
  ASSERT_EQ(total.failed.size(), kMaxFailedShown);
  EXPECT_EQ(total.failed[599].line, 599);
  EXPECT_EQ(total.failed[600].line, 1000);
  EXPECT_EQ(total.failed.back().line, 1399);
}

TEST_F(IngestTest, ARecordPastRetentionIsAFailedLineAndNotStored) {
  // now is 2026-11-30 12:00:00 with 90 days: the floor is 2026-09-01 12:00:00.
  const std::string body = record("old", "2026-09-01 11:59:59", "", "2026-09-01 11:59:00") +
                           record("edge", "2026-09-01 12:00:00", "", "2026-09-01 11:59:00") +
                           record("new");
  const IngestService c = service();
  const Result<BatchResult> r = c.ingest_text(body, Format::kNdjson);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->stored, 2);
  ASSERT_EQ(r->failed_count, 1);
  EXPECT_EQ(r->failed[0].line, 1);
  EXPECT_EQ(r->failed[0].error, "end_time: 2026-09-01 11:59:59 is past the 90-day retention");
  EXPECT_FALSE(is_stored("old"));
  EXPECT_TRUE(is_stored("edge"));
}

TEST_F(IngestTest, ARecordWhoseAmountOverflowsIsAFailedLineAndNotStored) {
  ASSERT_TRUE(rating_
                  ->load_deck(account_.id, std::nullopt,
                              "prefix,rate,initial_increment,subsequent_increment\n"
                              "91,99999.99999,1,1\n")
                  .ok());
  RatingSettings s;
  s.secure_trunking_rate = *Money::parse("999999999999.99999");
  ASSERT_TRUE(rating_->set_settings(account_.id, s).ok());
  // 30 s at the largest deck rate plus the largest surcharge fits; 425 days do not.
  const std::string body =
      record("plain", "2026-11-30 10:00:40", R"(, "secure_trunking": false)") +
      record("secure", "2026-11-30 10:00:40", R"(, "secure_trunking": true)") +
      record("huge", "2026-11-30 10:00:00", R"(, "secure_trunking": true)", "2025-10-01 00:00:00");
  const IngestService c = service();
  const Result<BatchResult> r = c.ingest_text(body, Format::kNdjson);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->stored, 2);
  ASSERT_EQ(r->failed_count, 1) << r->failed[0].error;
  EXPECT_EQ(r->failed[0].line, 3);
  EXPECT_EQ(r->failed[0].error,
            "total_amount: the amount for 36756000 s at rate 1000000099999.99998 exceeds the "
            "largest amount 92233720368547.75807");
  EXPECT_FALSE(is_stored("huge"));
  EXPECT_TRUE(is_stored("secure"));
}

TEST_F(IngestTest, CountsFailedLinesByReasonAndStoredOnesByRatingOutcome) {
  std::string body = record("ok-1") + record("ok-1") + "{not json\n" +
                     record("old", "2026-01-01 10:00:40", "", "2026-01-01 10:00:10") +
                     record("no-trunk", "2026-11-30 10:00:40", R"(, "trunk_id": "nope")") +
                     record("x", "2026-11-30 10:00:40", R"(, "call_direction": "sideways")");
  std::string unknown = record("who");
  unknown.replace(unknown.find(kAuthId), std::string(kAuthId).size(), "MA0000000000000000ZZ");
  body += unknown + unknown;  // the second answered from the batch's cache
  BatchResult seen;
  settings_.on_batch = [&seen](const BatchResult& b) { seen = b; };
  const IngestService c = service();
  const Result<BatchResult> r = c.ingest_text(body, Format::kNdjson);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->stored, 1);
  EXPECT_EQ(r->duplicates, 1);
  EXPECT_EQ(r->failed_count, 6);
  auto by = [&](FailureReason reason) {
    return r->failed_by_reason[static_cast<std::size_t>(reason)];
  };
  EXPECT_EQ(by(FailureReason::kMalformed), 1);
  EXPECT_EQ(by(FailureReason::kPastRetention), 1);
  EXPECT_EQ(by(FailureReason::kUnknownTrunk), 1);
  EXPECT_EQ(by(FailureReason::kInvalid), 1);
  EXPECT_EQ(by(FailureReason::kUnknownAccount), 2);
  EXPECT_EQ(r->rated + r->provided + r->unrated, 1);
  EXPECT_EQ(to_string(FailureReason::kUnknownAccount), "unknown_account");
  // The observer is told the same counts.
  EXPECT_EQ(seen.stored, 1);
  EXPECT_EQ(seen.failed_count, 6);
}

}  // namespace
}  // namespace cdrd::service::ingest

namespace cdrd::service::ingest {
namespace {

// Several requests at once, each keeping pieces in flight (POST /v1/ingest/calls): each piece's
// counts are its own, a call sent by two requests is stored once, and every acknowledged call is
// stored.
TEST_F(IngestTest, PiecesInFlightOfConcurrentRequestsCountEachCallOnce) {
  constexpr int kRequests = 3, kPieces = 4, kOwn = 30, kShared = 5;
  std::vector<std::int64_t> stored(kRequests), duplicates(kRequests), failed(kRequests);
  const IngestService c = service();
  std::vector<std::thread> requests;
  for (int r = 0; r < kRequests; ++r) {
    requests.emplace_back([&, r] {
      std::vector<PendingBatch> in_flight;
      for (int p = 0; p < kPieces; ++p) {
        std::string body;
        for (int i = 0; i < kOwn; ++i) {
          body +=
              record("r" + std::to_string(r) + "-" + std::to_string(p) + "-" + std::to_string(i));
        }
        for (int i = 0; i < kShared; ++i) body += record("shared-" + std::to_string(i));
        body += "{\"call_uuid\": \"bad\"}\n";
        in_flight.push_back(c.ingest_text_async(body, Format::kNdjson));
      }
      for (PendingBatch& piece : in_flight) {
        Result<BatchResult> result = piece.wait();
        ASSERT_TRUE(result.ok()) << result.status().message();
        stored[r] += result->stored;
        duplicates[r] += result->duplicates;
        failed[r] += result->failed_count;
      }
    });
  }
  for (std::thread& t : requests) t.join();
  std::int64_t all_stored = 0, all_duplicates = 0;
  for (int r = 0; r < kRequests; ++r) {
    all_stored += stored[r];
    all_duplicates += duplicates[r];
    EXPECT_EQ(failed[r], kPieces);
    EXPECT_EQ(stored[r] + duplicates[r], kPieces * (kOwn + kShared));
  }
  EXPECT_EQ(all_stored, kRequests * kPieces * kOwn + kShared);
  EXPECT_EQ(all_duplicates, kRequests * kPieces * kShared - kShared);
  for (int i = 0; i < kShared; ++i) EXPECT_TRUE(is_stored("shared-" + std::to_string(i)));
  EXPECT_TRUE(is_stored("r2-3-29"));
}

// A text read as two parts (ingest_ndjson_async: a head of whole lines and the rest, as the
// body stream reads a line that straddles two pieces) gives what the text read whole gives: the
// same failed lines, numbered the same, and the same records (each part split found the calls
// the whole text stored as duplicates, and stored none anew). Lines of every kind: valid, bad,
// blank, with \r\n, a byte-order mark in front, and the head empty or the rest empty.
TEST_F(IngestTest, ATextReadAsHeadAndRestGivesWhatTheWholeTextGives) {
  std::vector<std::string> lines;
  for (int i = 0; i < 40; ++i) {
    const std::string uuid = "split-" + std::to_string(i);
    switch (i % 5) {
      case 0:
        lines.push_back("{\"account\": \"" + std::string(kAuthId) + "\", \"call_uuid\": \"" + uuid +
                        "\", \"call_direction\": \"sideways\"}\n");
        break;
      case 1:
        lines.push_back(i % 2 == 0 ? "\n" : "   \r\n");
        break;
      case 2: {
        std::string line = record(uuid);
        line.insert(line.size() - 1, "\r");
        lines.push_back(line);
        break;
      }
      default:
        lines.push_back(record(uuid));
    }
  }
  std::string whole = "\xEF\xBB\xBF";
  for (const std::string& l : lines) whole += l;
  const Result<BatchResult> want = service().ingest_text_async(whole, Format::kNdjson, 3).wait();
  ASSERT_TRUE(want.ok()) << want.status().message();
  EXPECT_GT(want->stored, 10);
  EXPECT_GT(want->failed_count, 5);
  // Every split at a line end, from an empty head to an empty rest.
  std::size_t at_end = 0;
  for (std::size_t n = 0; n <= lines.size(); ++n) {
    SCOPED_TRACE("head of " + std::to_string(n) + " lines");
    const std::string_view head = std::string_view(whole).substr(0, at_end);
    const std::string_view rest = std::string_view(whole).substr(at_end);
    const Result<BatchResult> got = service().ingest_ndjson_async(head, rest, 3).wait();
    ASSERT_TRUE(got.ok()) << got.status().message();
    EXPECT_EQ(got->stored, 0);
    EXPECT_EQ(got->duplicates, want->stored);
    EXPECT_EQ(got->failed_count, want->failed_count);
    ASSERT_EQ(got->failed.size(), want->failed.size());
    for (std::size_t i = 0; i < want->failed.size(); ++i) {
      EXPECT_EQ(got->failed[i].line, want->failed[i].line);
      EXPECT_EQ(got->failed[i].error, want->failed[i].error);
    }
    if (n < lines.size()) at_end += (n == 0 ? 3 : 0) + lines[n].size();
  }
}

// The batch keeps its latest account and trunk answers at hand besides its caches. A batch of
// records of several accounts (one unknown) and trunks (one unknown, one with a default country,
// one secure) in random order must come out exactly as each record ingested in a batch of its
// own, where no earlier answer is at hand: the same failures with the same messages, and the
// same numbers, trunk domain and secure flag stored.
TEST_F(IngestTest, ABatchOfManyAccountsAndTrunksGivesWhatEachRecordAloneGives) {
  cdrd::testing::TempDir other_dir{"cdrd_ingest_alone_"};
  std::unique_ptr<sqlite::Stores> other = cdrd::testing::open_stores_in(other_dir);
  RatingService other_rating(other->accounts, other->rating);
  const std::vector<std::string> auth_ids = {kAuthId, "MA0000000000000000BB",
                                             "MA0000000000000000CC", "MA0000000000000000ZZ"};
  std::vector<std::int64_t> mine_ids, their_ids;  // of the first three auth ids, in each store
  for (sqlite::Stores* stores : {store_.get(), other.get()}) {
    for (std::size_t a = 0; a < 3; ++a) {
      const Account account =
          a == 0 && stores == store_.get()
              ? account_
              : cdrd::testing::add_account(*stores, "acct" + std::to_string(a), auth_ids[a]);
      (stores == store_.get() ? mine_ids : their_ids).push_back(account.id);
      ASSERT_TRUE(stores->accounts.set_default_country(account.id, a == 1 ? "GB" : "").ok());
      for (int t = 0; t < 2; ++t) {
        Trunk trunk;
        trunk.account_id = account.id;
        trunk.trunk_id = std::to_string(41000000000000 + a * 10 + t);
        trunk.trunk_domain = trunk.trunk_id + ".zt.example";
        trunk.name = "t";
        trunk.secure = t == 1;
        trunk.default_country = t == 0 && a != 1 ? "DE" : "";
        trunk.created_at = at("2026-11-01 00:00:00");
        ASSERT_TRUE(stores->trunks.create_trunk(trunk, 100).ok());
      }
    }
  }
  std::mt19937_64 rng(20261207);
  std::vector<std::string> lines;
  for (int i = 0; i < 600; ++i) {
    const std::size_t a = rng() % auth_ids.size();
    // A trunk of this account, another account's, or none at all.
    const auto owner = rng() % 4 == 0 ? rng() % 3 : std::min<std::size_t>(a, 2);
    const auto t = rng() % 3;
    std::string line = "{\"account\": \"" + auth_ids[a] + "\", \"call_uuid\": \"u" +
                       std::to_string(i) +
                       "\", \"call_direction\": \"outbound\", \"from_number\": \"030 1234567\", "
                       "\"to_number\": \"+919943720205\", \"initiation_time\": \"2026-11-30 "
                       "10:00:10\", \"end_time\": \"2026-11-30 10:00:40\"";
    if (t < 2)
      line += ", \"trunk_id\": \"" + std::to_string(41000000000000 + owner * 10 + t) + "\"";
    if (rng() % 5 == 0) line += ", \"secure_trunking\": false";
    lines.push_back(line + "}\n");
  }
  std::string body;
  for (const std::string& l : lines) body += l;
  const Result<BatchResult> together = service().ingest_text(body, Format::kNdjson);
  ASSERT_TRUE(together.ok()) << together.status().message();
  const IngestService alone(other->accounts, other->calls, other->trunks, other_rating, settings_);
  std::vector<LineError> alone_failed;
  std::int64_t alone_stored = 0;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    const Result<BatchResult> r =
        alone.ingest_text(lines[i], Format::kNdjson, static_cast<std::int64_t>(i) + 1);
    ASSERT_TRUE(r.ok()) << r.status().message();
    alone_stored += r->stored;
    for (const LineError& e : r->failed) alone_failed.push_back(e);
  }
  EXPECT_EQ(together->stored, alone_stored);
  EXPECT_GT(alone_stored, 100);
  EXPECT_GT(alone_failed.size(), 100u);
  ASSERT_EQ(together->failed.size(), alone_failed.size());
  for (std::size_t i = 0; i < alone_failed.size(); ++i) {
    EXPECT_EQ(together->failed[i].line, alone_failed[i].line);
    EXPECT_EQ(together->failed[i].error, alone_failed[i].error);
  }
  int compared = 0;
  for (std::size_t a = 0; a < 3; ++a) {
    for (std::size_t i = 0; i < lines.size(); ++i) {
      const std::string uuid = "u" + std::to_string(i);
      const Micros any = std::numeric_limits<Micros>::min();
      const auto mine = store_->calls.find_call(mine_ids[a], uuid, any);
      const auto theirs = other->calls.find_call(their_ids[a], uuid, any);
      ASSERT_TRUE(mine.ok() && theirs.ok());
      ASSERT_EQ(mine->has_value(), theirs->has_value()) << uuid;
      if (!mine->has_value()) continue;
      ++compared;
      EXPECT_EQ((*mine)->from_number, (*theirs)->from_number) << uuid;
      EXPECT_EQ((*mine)->from_country, (*theirs)->from_country) << uuid;
      EXPECT_EQ((*mine)->trunk_domain, (*theirs)->trunk_domain) << uuid;
      EXPECT_EQ((*mine)->secure_trunking, (*theirs)->secure_trunking) << uuid;
    }
  }
  EXPECT_EQ(compared, alone_stored);
}

}  // namespace
}  // namespace cdrd::service::ingest
