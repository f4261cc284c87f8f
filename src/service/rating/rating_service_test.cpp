// RatingService over the real sqlite stores in a temporary directory: rate_record's rules, deck
// loads (all or nothing, per direction), the compiled-deck cache and its invalidation (also
// across processes), ingest rating through the cache, re-rating and the unrated report.
#include "service/rating/rating_service.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "service/ingest/ingest.h"
#include "testing/seed_calls.h"
#include "testing/stores.h"
#include "testing/values.h"

namespace cdrd::service {
namespace {

using ::testing::HasSubstr;

using cdrd::testing::at;
using cdrd::testing::money;

// Delegates to the real store and counts the reads the cache is meant to save.
class CountingStore final : public RatingStore {
 public:
  explicit CountingStore(RatingStore& inner) : inner_(inner) {}
  Status replace_rate_deck(std::int64_t a, std::optional<Direction> d,
                           const std::vector<RateRow>& rows) override {
    return inner_.replace_rate_deck(a, d, rows);
  }
  Result<RatingProfile> rating_profile(std::int64_t a) override {
    ++profile_reads;
    return inner_.rating_profile(a);
  }
  Result<std::int64_t> rating_version(std::int64_t a) override {
    ++version_reads;
    return inner_.rating_version(a);
  }
  Status set_rating_settings(std::int64_t a, const RatingSettings& s) override {
    return inner_.set_rating_settings(a, s);
  }
  Result<std::vector<BilledCall>> scan_billing(const BillingScan& s, const BillingCursor& c,
                                               int limit) override {
    return inner_.scan_billing(s, c, limit);
  }
  Result<std::int64_t> update_billing(const std::vector<BilledCall>& calls) override {
    return inner_.update_billing(calls);
  }
  std::atomic<int> profile_reads{0}, version_reads{0};

 private:
  RatingStore& inner_;
};

constexpr std::string_view kDeck =
    "prefix,rate,initial_increment,subsequent_increment,effective_from,direction\n"
    "91,0.03000,1,1,,outbound\n"
    "1,0.01000,60,60,,outbound\n"
    "1212,0.00800,30,6,2024-01-01 00:00:00,outbound\n"
    "1,0.00300,60,60,,inbound\n";

class RatingServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = cdrd::testing::open_stores_in(dir_);
    counting_ = std::make_unique<CountingStore>(store_->rating);
    service_ = std::make_unique<RatingService>(store_->accounts, *counting_);
    account_ = cdrd::testing::add_account(*store_, "acme", "MA0000000000000000AA");
  }
  void TearDown() override {
    service_.reset();
    store_.reset();
  }
  std::shared_ptr<const AccountRating> current() {
    auto r = service_->current(account_.id);
    EXPECT_TRUE(r.ok()) << r.status().message();
    return *r;
  }
  // The seed's call: outbound to +919943720205, answered 4 s.
  CallRecord seed_call(std::string uuid = "seed") {
    CallRecord c = cdrd::testing::seed000_reported_call();
    c.account_id = account_.id;
    c.call_uuid = std::move(uuid);
    c.rating = RatingState::kUnrated;  // as validate leaves a record without rate and amount
    return c;
  }
  std::optional<CallRecord> stored(const std::string& uuid) {
    auto c = store_->calls.find_call(account_.id, uuid, std::numeric_limits<Micros>::min());
    EXPECT_TRUE(c.ok());
    return c.ok() ? *c : std::nullopt;
  }

  cdrd::testing::TempDir dir_{"cdrd_rating_service_"};
  std::unique_ptr<sqlite::Stores> store_;
  std::unique_ptr<CountingStore> counting_;
  std::unique_ptr<RatingService> service_;
  Account account_;
};

// ---------------------------------------------------------------- rate_record

TEST_F(RatingServiceTest, RatesTheSeedExample) {
  ASSERT_TRUE(service_->load_deck(account_.id, std::nullopt, kDeck).ok());
  CallRecord c = seed_call();
  EXPECT_TRUE(rate_record(*current(), c).value());
  EXPECT_EQ(c.rating, RatingState::kRated);
  EXPECT_EQ(c.rate.to_fixed5(), "0.03000");
  EXPECT_EQ(c.bill_duration_s, 4);
  EXPECT_EQ(c.total_amount.to_fixed5(), "0.00200");
}

TEST_F(RatingServiceTest, ProvidedBillingIsKeptUnlessTheAccountAlwaysRerates) {
  ASSERT_TRUE(service_->load_deck(account_.id, std::nullopt, kDeck).ok());
  CallRecord c = seed_call();
  c.rating = RatingState::kProvided;
  c.rate = money("0.5");
  c.total_amount = money("0.1");
  c.bill_duration_s = 12;
  EXPECT_FALSE(rate_record(*current(), c).value());
  EXPECT_EQ(c.rate, money("0.5"));
  EXPECT_EQ(c.total_amount, money("0.1"));
  EXPECT_EQ(c.bill_duration_s, 12);
  EXPECT_EQ(c.rating, RatingState::kProvided);

  ASSERT_TRUE(service_->set_settings(account_.id, {Money(), true}).ok());
  EXPECT_TRUE(rate_record(*current(), c).value());
  EXPECT_EQ(c.rating, RatingState::kRated);
  EXPECT_EQ(c.total_amount.to_fixed5(), "0.00200");
  EXPECT_EQ(c.bill_duration_s, 4);
}

TEST_F(RatingServiceTest, NoMatchingPrefixIsUnratedWithZeroAmounts) {
  ASSERT_TRUE(service_->load_deck(account_.id, std::nullopt, kDeck).ok());
  CallRecord c = seed_call();
  c.to_number = "+33142685300";
  c.rate = money("9");  // whatever was there
  EXPECT_TRUE(rate_record(*current(), c).value());
  EXPECT_EQ(c.rating, RatingState::kUnrated);
  EXPECT_TRUE(c.rate.is_zero());
  EXPECT_TRUE(c.total_amount.is_zero());
  EXPECT_EQ(c.bill_duration_s, 4);  // the talk time, unrounded
  // An account without any deck rates nothing either.
  CallRecord none = seed_call();
  none.account_id = 12345;
  EXPECT_TRUE(rate_record(AccountRating{}, none).value());
  EXPECT_EQ(none.rating, RatingState::kUnrated);
}

TEST_F(RatingServiceTest, SecureTrunkingAddsTheAccountsRate) {
  ASSERT_TRUE(service_->load_deck(account_.id, std::nullopt, kDeck).ok());
  ASSERT_TRUE(service_->set_settings(account_.id, {money("0.00100"), false}).ok());
  CallRecord c = seed_call();
  c.secure_trunking = true;
  c.duration_s = 60;
  EXPECT_TRUE(rate_record(*current(), c).value());
  EXPECT_EQ(c.rate.to_fixed5(), "0.03000");
  EXPECT_EQ(c.secure_trunking_rate.to_fixed5(), "0.00100");
  EXPECT_EQ(c.total_amount.to_fixed5(), "0.03100");  // (0.03 + 0.001) x 60 s / 60
  c.secure_trunking = false;
  EXPECT_TRUE(rate_record(*current(), c).value());
  EXPECT_TRUE(c.secure_trunking_rate.is_zero());
  EXPECT_EQ(c.total_amount.to_fixed5(), "0.03000");
}

TEST_F(RatingServiceTest, InboundCallsUseTheInboundDeck) {
  ASSERT_TRUE(service_->load_deck(account_.id, std::nullopt, kDeck).ok());
  CallRecord c = seed_call();
  c.direction = Direction::kInbound;
  c.from_number = "+919943720205";
  c.to_number = "+12125551234";
  c.duration_s = 61;
  EXPECT_TRUE(rate_record(*current(), c).value());
  EXPECT_EQ(c.rate.to_fixed5(), "0.00300");
  EXPECT_EQ(c.bill_duration_s, 120);
  EXPECT_EQ(c.total_amount.to_fixed5(), "0.00600");
}

// ---------------------------------------------------------------- loading decks

TEST_F(RatingServiceTest, LoadReportsWhatItReplaced) {
  auto r = service_->load_deck(account_.id, std::nullopt, kDeck);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_FALSE(r->direction);
  EXPECT_EQ(r->rows[1], 3u);      // outbound
  EXPECT_EQ(r->prefixes[1], 3u);  // 91, 1, 1212
  EXPECT_EQ(r->rows[0], 1u);      // inbound
  EXPECT_EQ(r->previous_rows[1], 0u);

  auto again = service_->load_deck(account_.id, Direction::kOutbound,
                                   "prefix,rate,initial_increment,subsequent_increment\n"
                                   "44,0.05,60,60\n44,0.04,60,60\n");
  EXPECT_EQ(again.status().code(), Status::Code::kInvalidArgument);
  EXPECT_THAT(again.status().message(), HasSubstr("rate deck row 3: duplicate of row 2"));

  auto outbound = service_->load_deck(account_.id, Direction::kOutbound,
                                      "prefix,rate,initial_increment,subsequent_increment\n"
                                      "44,0.05,60,60\n");
  ASSERT_TRUE(outbound.ok());
  EXPECT_EQ(outbound->rows[1], 1u);
  EXPECT_EQ(outbound->previous_rows[1], 3u);
  EXPECT_EQ(outbound->rows[0], 1u);  // inbound untouched
  EXPECT_EQ(current()->deck.rows(Direction::kInbound).size(), 1u);
  EXPECT_EQ(current()->deck.rows(Direction::kOutbound)[0].prefix, "44");
}

TEST_F(RatingServiceTest, ABadDeckChangesNothing) {
  ASSERT_TRUE(service_->load_deck(account_.id, std::nullopt, kDeck).ok());
  const auto before = current();
  for (std::string_view bad : {
           std::string_view("prefix,rate,initial_increment,subsequent_increment,color\n"),
           std::string_view("prefix,rate,initial_increment,subsequent_increment\n"
                            "44,0.05,60,60\n33,abc,60,60\n"),
           std::string_view("prefix,rate,initial_increment,subsequent_increment\n"
                            "44,0.05,60,-6\n"),
           std::string_view(""),
       }) {
    auto r = service_->load_deck(account_.id, std::nullopt, bad);
    EXPECT_EQ(r.status().code(), Status::Code::kInvalidArgument) << bad;
    EXPECT_THAT(r.status().message(), HasSubstr("rate deck row")) << bad;
  }
  // A row naming the other direction in a deck loaded for one.
  auto wrong = service_->load_deck(account_.id, Direction::kInbound,
                                   "prefix,rate,initial_increment,subsequent_increment,direction\n"
                                   "44,0.05,60,60,outbound\n");
  EXPECT_THAT(wrong.status().message(),
              HasSubstr("rate deck row 2: direction: 'outbound' in a deck loaded for inbound"));
  EXPECT_EQ(current()->version, before->version);
  EXPECT_EQ(store_->rating.rating_profile(account_.id)->rows.size(), 4u);
}

TEST_F(RatingServiceTest, UnknownAccount) {
  EXPECT_EQ(service_->account("MA0000000000000000ZZ").status().code(), Status::Code::kNotFound);
  EXPECT_EQ(service_->account("MA0000000000000000ZZ").status().message(),
            "no account has auth_id 'MA0000000000000000ZZ'");
  EXPECT_EQ(service_->load_deck(999, std::nullopt, kDeck).status().code(), Status::Code::kNotFound);
  EXPECT_EQ(service_->account(account_.auth_id)->id, account_.id);
}

// ---------------------------------------------------------------- the cache

TEST_F(RatingServiceTest, TheDeckIsReadOncePerVersion) {
  ASSERT_TRUE(service_->load_deck(account_.id, std::nullopt, kDeck).ok());
  const int reads = counting_->profile_reads;
  const auto first = current();
  for (int i = 0; i < 100; ++i) EXPECT_EQ(current().get(), first.get());
  EXPECT_EQ(counting_->profile_reads, reads + 1);
  // A load through the service: the next use reads the new deck.
  ASSERT_TRUE(service_
                  ->load_deck(account_.id, Direction::kInbound,
                              "prefix,rate,initial_increment,subsequent_increment\n"
                              "1,0.00400,60,60\n")
                  .ok());
  EXPECT_EQ(current()->deck.rows(Direction::kInbound)[0].rate, money("0.004"));
  EXPECT_GT(current()->version, first->version);
}

TEST_F(RatingServiceTest, AChangeByAnotherProcessIsSeenAtTheNextUse) {
  ASSERT_TRUE(service_->load_deck(account_.id, std::nullopt, kDeck).ok());
  EXPECT_EQ(current()->deck.rows(Direction::kOutbound).size(), 3u);
  {
    auto other =
        cdrd::testing::open_stores_in(dir_);  // e.g. `cdrd ratedeck load` while `cdrd serve` runs
    RatingService elsewhere(other->accounts, other->rating);
    ASSERT_TRUE(elsewhere
                    .load_deck(account_.id, Direction::kOutbound,
                               "prefix,rate,initial_increment,subsequent_increment\n"
                               "33,0.02,60,60\n")
                    .ok());
    ASSERT_TRUE(elsewhere.set_settings(account_.id, {money("0.002"), false}).ok());
  }
  const auto now = current();
  ASSERT_EQ(now->deck.rows(Direction::kOutbound).size(), 1u);
  EXPECT_EQ(now->deck.rows(Direction::kOutbound)[0].prefix, "33");
  EXPECT_EQ(now->settings.secure_trunking_rate, money("0.002"));
}

TEST_F(RatingServiceTest, ConcurrentUseIsSafe) {
  ASSERT_TRUE(service_->load_deck(account_.id, std::nullopt, kDeck).ok());
  std::atomic<int> wrong{0};
  std::vector<std::thread> threads;
  threads.reserve(4);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 200; ++i) {
        if (t == 0 && i % 50 == 0) {
          (void)service_->load_deck(account_.id, std::nullopt, kDeck);
        }
        auto r = service_->current(account_.id);
        CallRecord c = seed_call();
        if (!r.ok() || !rate_record(**r, c).value() || c.total_amount.to_fixed5() != "0.00200")
          ++wrong;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(wrong, 0);
}

// ---------------------------------------------------------------- ingest rates records

TEST_F(RatingServiceTest, IngestRatesEachBatchWithOneDeckRead) {
  ASSERT_TRUE(service_->load_deck(account_.id, std::nullopt, kDeck).ok());
  ingest::IngestSettings settings;
  settings.now = [] { return at("2022-12-07 00:00:00"); };  // the calls are within retention
  const ingest::IngestService ingest(store_->accounts, store_->calls, store_->trunks, *service_,
                                     settings);
  std::string ndjson;
  for (int i = 0; i < 500; ++i) {
    ndjson +=
        R"({"account": "MA0000000000000000AA", "call_uuid": "c)" + std::to_string(i) +
        R"(", "call_direction": "outbound", "from_number": "+912235328936", "to_number": ")" +
        (i % 2 ? "+919943720205" : "+33142685300") +
        R"(", "initiation_time": "2022-12-06 07:01:48", "answer_time": "2022-12-06 07:01:56", "end_time": "2022-12-06 07:02:00"})" +
        "\n";
  }
  const int profile_reads = counting_->profile_reads;
  const int version_reads = counting_->version_reads;
  auto result = ingest.ingest_text(ndjson, ingest::Format::kNdjson);
  ASSERT_TRUE(result.ok()) << result.status().message();
  ASSERT_EQ(result->stored, 500);
  EXPECT_LE(counting_->profile_reads - profile_reads, 1);  // the deck: at most once
  EXPECT_EQ(counting_->version_reads - version_reads, 1);  // one check for the batch
  EXPECT_EQ(stored("c1")->total_amount.to_fixed5(), "0.00200");
  EXPECT_EQ(stored("c1")->rating, RatingState::kRated);
  EXPECT_EQ(stored("c0")->rating, RatingState::kUnrated);
  EXPECT_TRUE(stored("c0")->total_amount.is_zero());
}

// ---------------------------------------------------------------- rerate

TEST_F(RatingServiceTest, RerateAppliesTheNewDeckAndIsIdempotent) {
  ASSERT_TRUE(service_->load_deck(account_.id, std::nullopt, kDeck).ok());
  std::vector<CallRecord> calls;
  for (int i = 0; i < 12; ++i) {
    CallRecord c = seed_call("c" + std::to_string(i));
    c.initiation_time += i * kMicrosPerDay;
    c.answer_time = c.initiation_time + 8 * kMicrosPerSecond;
    c.end_time = c.initiation_time + 12 * kMicrosPerSecond;
    if (i % 3 == 0) c.to_number = "+33142685300";  // unrated
    ASSERT_TRUE(rate_record(*current(), c).ok());
    calls.push_back(c);
  }
  CallRecord provided = seed_call("provided");
  provided.rating = RatingState::kProvided;
  provided.rate = money("1");
  provided.total_amount = money("1");
  calls.push_back(provided);
  ASSERT_TRUE(store_->calls.insert_calls(calls).ok());

  // Nothing changed yet: nothing to do.
  auto none = service_->rerate(account_.id, {});
  ASSERT_TRUE(none.ok()) << none.status().message();
  EXPECT_EQ(none->examined, 12);  // the provided call is not rating's
  EXPECT_EQ(none->changed, 0);

  // India gets cheaper, France gets a rate.
  ASSERT_TRUE(service_
                  ->load_deck(account_.id, Direction::kOutbound,
                              "prefix,rate,initial_increment,subsequent_increment\n"
                              "91,0.01500,1,1\n33,0.06000,60,60\n")
                  .ok());
  // Only calls initiated in the window: days 2..5.
  CallWindow window{at("2022-12-08 07:01:48"), at("2022-12-12 07:01:48")};
  auto some = service_->rerate(account_.id, window);
  ASSERT_TRUE(some.ok());
  EXPECT_EQ(some->examined, 4);  // c2, c3, c4, c5
  EXPECT_EQ(some->changed, 4);
  EXPECT_EQ(some->now_rated, 4);
  EXPECT_EQ(stored("c3")->total_amount.to_fixed5(), "0.06000");  // 4 s -> 60 s at 0.06
  EXPECT_EQ(stored("c3")->rating, RatingState::kRated);
  EXPECT_EQ(stored("c2")->total_amount.to_fixed5(), "0.00100");  // 4 s at 0.015
  EXPECT_EQ(stored("c1")->total_amount.to_fixed5(), "0.00200");  // outside: unchanged
  EXPECT_EQ(stored("c6")->rating, RatingState::kUnrated);        // outside: unchanged
  EXPECT_EQ(service_->rerate(account_.id, window)->changed, 0);  // twice: nothing

  auto all = service_->rerate(account_.id, {});
  EXPECT_EQ(all->changed, 8);
  EXPECT_EQ(service_->rerate(account_.id, {})->changed, 0);
  EXPECT_EQ(stored("provided")->total_amount, money("1"));

  // Dropping the French rate makes those calls unrated again.
  ASSERT_TRUE(service_
                  ->load_deck(account_.id, Direction::kOutbound,
                              "prefix,rate,initial_increment,subsequent_increment\n"
                              "91,0.01500,1,1\n")
                  .ok());
  auto dropped = service_->rerate(account_.id, {});
  EXPECT_EQ(dropped->changed, 4);
  EXPECT_EQ(dropped->now_unrated, 4);
  EXPECT_TRUE(stored("c3")->total_amount.is_zero());

  // always_rerate takes the provided call in too.
  ASSERT_TRUE(service_->set_settings(account_.id, {Money(), true}).ok());
  auto with_provided = service_->rerate(account_.id, {});
  EXPECT_EQ(with_provided->examined, 13);
  EXPECT_EQ(with_provided->changed, 1);
  EXPECT_EQ(stored("provided")->total_amount.to_fixed5(), "0.00100");
}

TEST_F(RatingServiceTest, RerateLeavesACallWhoseNewAmountOverflowsAsStoredAndCountsIt) {
  ASSERT_TRUE(service_
                  ->load_deck(account_.id, Direction::kOutbound,
                              "prefix,rate,initial_increment,subsequent_increment\n"
                              "91,99999.99999,1,1\n")
                  .ok());
  CallRecord small = seed_call("small"), huge = seed_call("huge");
  small.secure_trunking = huge.secure_trunking = true;
  huge.duration_s = 30'000'000;
  ASSERT_TRUE(rate_record(*current(), small).ok());
  ASSERT_TRUE(rate_record(*current(), huge).ok());
  ASSERT_TRUE(store_->calls.insert_calls({small, huge}).ok());
  const Money huge_before = stored("huge")->total_amount;

  // A surcharge so large that the long call's amount leaves the int64 range.
  ASSERT_TRUE(service_->set_settings(account_.id, {money("999999999999.99999"), false}).ok());
  CallRecord probe = huge;
  const Result<bool> direct = rate_record(*current(), probe);
  ASSERT_FALSE(direct.ok());
  EXPECT_THAT(direct.status().message(), HasSubstr("total_amount: the amount for 30000000 s"));
  EXPECT_EQ(probe.total_amount, huge.total_amount);  // untouched on refusal

  auto r = service_->rerate(account_.id, {});
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->examined, 2);
  EXPECT_EQ(r->refused, 1);
  EXPECT_EQ(r->changed, 1);  // the short call takes the new surcharge
  EXPECT_EQ(stored("huge")->total_amount, huge_before);
  EXPECT_EQ(stored("small")->total_amount.to_fixed5(), "66666673333.33333");
}

TEST_F(RatingServiceTest, RerateCoversMoreThanOneChunk) {
  std::vector<CallRecord> calls;
  for (int i = 0; i < 12'000; ++i) {
    CallRecord c = seed_call("c" + std::to_string(i));
    c.end_time += (i % 7) * kMicrosPerSecond;  // ties across chunk edges
    calls.push_back(c);
  }
  ASSERT_TRUE(store_->calls.insert_calls(calls).ok());
  ASSERT_TRUE(service_->load_deck(account_.id, std::nullopt, kDeck).ok());
  auto r = service_->rerate(account_.id, {});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->examined, 12'000);
  EXPECT_EQ(r->changed, 12'000);
  EXPECT_EQ(service_->rerate(account_.id, {})->changed, 0);
}

// ---------------------------------------------------------------- unrated report

TEST_F(RatingServiceTest, UnratedReportGroupsByPrefix) {
  ASSERT_TRUE(service_->load_deck(account_.id, std::nullopt, kDeck).ok());
  std::vector<CallRecord> calls;
  auto add = [&](std::string uuid, Direction d, std::string to, std::int64_t talk, Micros init) {
    CallRecord c = seed_call(std::move(uuid));
    c.direction = d;
    c.to_number = std::move(to);
    c.duration_s = talk;
    c.initiation_time = init;
    c.end_time = init + kMicrosPerMinute;
    c.answer_time = init;
    ASSERT_TRUE(rate_record(*current(), c).ok());
    calls.push_back(c);
  };
  const Micros t = at("2024-03-01 10:00:00");
  add("fr1", Direction::kOutbound, "+33142685300", 10, t);
  add("fr2", Direction::kOutbound, "+33142685301", 20, t + kMicrosPerDay);
  add("fr3", Direction::kOutbound, "+33612345678", 5, t);
  add("sip", Direction::kOutbound, "alice", 7, t);
  add("in", Direction::kOutbound, "+919943720205", 7, t);  // rated: not in the report
  add("gb", Direction::kInbound, "+442079460000", 3, t);   // inbound deck has only "1"
  ASSERT_TRUE(store_->calls.insert_calls(calls).ok());

  auto r = service_->unrated_report(account_.id, {}, 4);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->calls, 5);
  ASSERT_EQ(r->groups.size(), 4u);
  EXPECT_EQ(r->groups[0].prefix, "3314");
  EXPECT_EQ(r->groups[0].country, "FR");
  EXPECT_EQ(r->groups[0].calls, 2);
  EXPECT_EQ(r->groups[0].talk_seconds, 30);
  EXPECT_EQ(r->groups[0].first_initiation, t);
  EXPECT_EQ(r->groups[0].last_initiation, t + kMicrosPerDay);
  // Then one call each, by direction (inbound first) and prefix.
  EXPECT_EQ(r->groups[1].direction, Direction::kInbound);
  EXPECT_EQ(r->groups[1].prefix, "4420");
  EXPECT_EQ(r->groups[1].country, "GB");
  EXPECT_EQ(r->groups[2].prefix, "");  // "alice": not a phone number
  EXPECT_EQ(r->groups[2].country, "");
  EXPECT_EQ(r->groups[3].prefix, "3361");

  auto by_two = service_->unrated_report(account_.id, {}, 2);
  EXPECT_EQ(by_two->groups[0].prefix, "33");
  EXPECT_EQ(by_two->groups[0].calls, 3);
  auto window = service_->unrated_report(account_.id, {t + 1, t + 2 * kMicrosPerDay}, 4);
  EXPECT_EQ(window->calls, 1);
  EXPECT_EQ(service_->unrated_report(account_.id, {}, 0).status().code(),
            Status::Code::kInvalidArgument);
  EXPECT_EQ(service_->unrated_report(account_.id, {}, 16).status().code(),
            Status::Code::kInvalidArgument);
}

}  // namespace
}  // namespace cdrd::service
