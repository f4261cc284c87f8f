#include "api/zentrunk/calls.h"
#include "api/zentrunk/feed.h"
#include "api/zentrunk/usage.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <algorithm>
#include <optional>
#include <string>
#include <vector>

#include "testing/seed_calls.h"

namespace cdrd::api::zentrunk {
namespace {

using testing::at;
using ::testing::HasSubstr;
using testing::money;

// In-memory CallStore: filters by account and end_time only, newest first; remembers the last
// question it was asked and can be told to fail.
class FakeCallStore : public CallStore {
 public:
  std::vector<CallRecord> calls;
  bool fail = false;
  std::optional<CallQuery> last_query;
  std::optional<Micros> last_served_from;
  int find_calls = 0;

  Result<std::vector<InsertOutcome>> insert_calls(const std::vector<CallRecord>& records) override {
    for (const CallRecord& r : records) calls.push_back(r);
    return std::vector<InsertOutcome>(records.size(), InsertOutcome::kStored);
  }

  Result<std::optional<CallRecord>> find_call(std::int64_t account_id, std::string_view call_uuid,
                                              Micros served_from) override {
    ++find_calls;
    last_served_from = served_from;
    if (fail) return Status::IOError("disk on fire");
    for (const CallRecord& c : calls) {
      if (c.account_id == account_id && c.call_uuid == call_uuid && c.end_time >= served_from) {
        return std::optional<CallRecord>(c);
      }
    }
    return std::optional<CallRecord>();
  }

  Result<std::int64_t> delete_calls_ended_before(Micros, int) override { return 0; }
  // Storage ids are positions in `calls` plus one.
  Result<std::vector<StoredCall>> calls_stored_after(std::int64_t account_id, std::int64_t after_id,
                                                     Micros served_from, int limit) override {
    last_feed_after = after_id;
    last_feed_limit = limit;
    last_served_from = served_from;
    if (fail) return Status::IOError("disk on fire");
    std::vector<StoredCall> out;
    for (std::size_t i = 0; i < calls.size() && static_cast<int>(out.size()) < limit; ++i) {
      const auto id = static_cast<std::int64_t>(i + 1);
      const CallRecord& c = calls[i];
      if (id > after_id && c.account_id == account_id && c.end_time >= served_from) {
        out.push_back(StoredCall{id, c});
      }
    }
    return out;
  }
  std::optional<std::int64_t> last_feed_after;
  std::optional<int> last_feed_limit;
  Result<UsageAnswer> usage(const UsageQuery& query) override {
    last_usage = query;
    if (fail) return Status::IOError("disk on fire");
    return usage_answer;
  }
  std::optional<UsageQuery> last_usage;
  UsageAnswer usage_answer;

  Result<Page<CallRecord>> list_calls(const CallQuery& query) override {
    last_query = query;
    if (fail) return Status::IOError("disk on fire");
    std::vector<CallRecord> matches;
    for (const CallRecord& c : calls) {
      if (c.account_id != query.account_id) continue;
      if (query.end_time.from && c.end_time < *query.end_time.from) continue;
      if (query.end_time.until && c.end_time >= *query.end_time.until) continue;
      matches.push_back(c);
    }
    std::stable_sort(matches.begin(), matches.end(), [](const CallRecord& a, const CallRecord& b) {
      return a.end_time > b.end_time;
    });
    Page<CallRecord> page;
    page.total_count = static_cast<std::int64_t>(matches.size());
    for (std::size_t i = static_cast<std::size_t>(query.offset);
         i < matches.size() && page.rows.size() < static_cast<std::size_t>(query.limit); ++i) {
      page.rows.push_back(matches[i]);
    }
    return page;
  }
};

// The handlers never touch accounts; every method answers "nothing".
class FakeAccountStore : public AccountStore {
 public:
  Result<Account> create_account(const std::string&, const std::string&,
                                 const std::string&) override {
    return Status::Internal("unused");
  }
  Result<std::optional<Account>> find_account_by_auth_id(std::string_view) override {
    return std::optional<Account>();
  }
  Result<std::optional<Account>> find_account_by_name(std::string_view) override {
    return std::optional<Account>();
  }
  Status set_token_hash(std::int64_t, const std::string&) override { return Status::Ok(); }
  Status set_default_country(std::int64_t, const std::string&) override { return Status::Ok(); }
  Result<std::vector<Account>> list_accounts() override { return std::vector<Account>(); }
};

const Micros kListNow = at("2022-12-10 00:00:00");
constexpr const char* kCurrentPath = "/v1/Account/MAXXXXXXXXXXXXXXXXXX/Zentrunk/Call/";
constexpr const char* kLegacyPath = "/v1/Account/MAXXXXXXXXXXXXXXXXXX/Call/";

class CallHandlersTest : public ::testing::Test {
 protected:
  CallHandlersTest() {
    settings_.now = [] { return kListNow; };
    account_.id = 1;
    account_.auth_id = "MAXXXXXXXXXXXXXXXXXX";
    // Three calls of account 1 inside the window, one of another account, one too old.
    for (int i = 0; i < 3; ++i) {
      CallRecord c = testing::seed000_call();
      c.call_uuid = "00000000-0000-4000-8000-00000000000" + std::to_string(i);
      c.end_time = at("2022-12-06 07:02:00") + i * kMicrosPerSecond;
      store_.calls.push_back(c);
    }
    CallRecord other = testing::seed000_call();
    other.account_id = 2;
    other.call_uuid = "11111111-0000-4000-8000-000000000000";
    store_.calls.push_back(other);
    CallRecord old = testing::seed000_call();
    old.call_uuid = "22222222-0000-4000-8000-000000000000";
    old.end_time = at("2022-01-01 00:00:00");
    store_.calls.push_back(old);
  }

  http::HttpRequest request(const char* path, http::Params query) {
    http::HttpRequest r;
    r.method = "GET";
    r.path = path;
    r.target = path;
    r.query = std::move(query);
    return r;
  }

  static rapidjson::Document json(const http::HttpResponse& r) {
    rapidjson::Document d;
    d.Parse(r.body.c_str(), r.body.size());
    EXPECT_FALSE(d.HasParseError()) << r.body;
    return d;
  }

  static std::string error_of(const http::HttpResponse& r) {
    rapidjson::Document d = json(r);
    EXPECT_TRUE(d.IsObject());
    EXPECT_EQ(d.MemberCount(), 2u) << r.body;
    EXPECT_TRUE(d.HasMember("api_id") && d["api_id"].IsString()) << r.body;
    if (!d.HasMember("error") || !d["error"].IsString()) return "";
    return d["error"].GetString();
  }

  FakeCallStore store_;
  FakeAccountStore accounts_;
  ApiSettings settings_;
  ApiContext ctx_{accounts_, store_, settings_};
  Account account_;
};

TEST_F(CallHandlersTest, ListCurrent) {
  http::HttpResponse r =
      list_calls(ctx_, account_, request(kCurrentPath, {{"limit", "2"}}), Representation::kCurrent);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.content_type, "application/json");
  ASSERT_TRUE(store_.last_query);
  EXPECT_EQ(store_.last_query->account_id, 1);
  EXPECT_EQ(store_.last_query->limit, 2);
  EXPECT_EQ(store_.last_query->end_time.from, kListNow - 30 * kMicrosPerDay);

  rapidjson::Document d = json(r);
  EXPECT_TRUE(d["api_id"].IsString());
  EXPECT_EQ(d["meta"]["total_count"].GetInt64(), 3);
  EXPECT_EQ(std::string(d["meta"]["next"].GetString()),
            std::string(kCurrentPath) + "?limit=2&offset=2");
  EXPECT_TRUE(d["meta"]["previous"].IsNull());
  ASSERT_EQ(d["objects"].Size(), 2u);
  EXPECT_EQ(std::string(d["objects"][0]["call_uuid"].GetString()),
            "00000000-0000-4000-8000-000000000002");
  EXPECT_EQ(std::string(d["objects"][0]["total_amount"].GetString()), "0.00200");
}

TEST_F(CallHandlersTest, ListLegacy) {
  http::HttpResponse r =
      list_calls(ctx_, account_, request(kLegacyPath, {{"offset", "2"}}), Representation::kLegacy);
  ASSERT_EQ(r.status, 200) << r.body;
  rapidjson::Document d = json(r);
  EXPECT_FALSE(d["meta"]["next"].GetBool());
  EXPECT_TRUE(d["meta"]["previous"].GetBool());
  ASSERT_EQ(d["objects"].Size(), 1u);
  EXPECT_EQ(d["objects"][0]["from_number"].GetUint64(), 912235328936u);
  EXPECT_THAT(r.body, HasSubstr("\"rate\":0.03,"));
}

TEST_F(CallHandlersTest, ListRefusesBadParameters) {
  http::HttpResponse r = list_calls(ctx_, account_, request(kCurrentPath, {{"limit", "21"}}),
                                    Representation::kCurrent);
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(error_of(r), "limit: must be an integer from 1 to 20, got '21'");
  EXPECT_FALSE(store_.last_query);

  r = list_calls(ctx_, account_, request(kLegacyPath, {{"end_time__lt", "2022-12-01 00:00"}}),
                 Representation::kLegacy);
  EXPECT_EQ(r.status, 400);
  EXPECT_THAT(error_of(r), HasSubstr("needs a lower one"));

  r = list_calls(ctx_, account_, request(kCurrentPath, {{"bogus", "1"}}), Representation::kCurrent);
  EXPECT_EQ(r.status, 400);
  EXPECT_THAT(error_of(r), HasSubstr("unknown parameter 'bogus'"));
}

TEST_F(CallHandlersTest, ListStorageFailureIs500) {
  store_.fail = true;
  http::HttpResponse r =
      list_calls(ctx_, account_, request(kCurrentPath, {}), Representation::kCurrent);
  EXPECT_EQ(r.status, 500);
  EXPECT_EQ(error_of(r), "internal server error");
}

constexpr const char* kFeedPath = "/v1/Account/MAXXXXXXXXXXXXXXXXXX/Zentrunk/CallFeed/";

TEST_F(CallHandlersTest, FeedPagesByCursorAndAnEmptyPageKeepsIt) {
  http::HttpResponse r = get_feed(ctx_, account_, request(kFeedPath, {{"limit", "2"}}));
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(store_.last_feed_after, 0);
  EXPECT_EQ(store_.last_feed_limit, 2);
  EXPECT_EQ(store_.last_served_from, kListNow - 90 * kMicrosPerDay);
  rapidjson::Document d = json(r);
  EXPECT_TRUE(d["api_id"].IsString());
  EXPECT_EQ(d["meta"]["limit"].GetInt(), 2);
  EXPECT_EQ(std::string(d["meta"]["next_cursor"].GetString()), "2");
  ASSERT_EQ(d["objects"].Size(), 2u);
  EXPECT_EQ(std::string(d["objects"][0]["call_uuid"].GetString()),
            "00000000-0000-4000-8000-000000000000");
  // The same fields as the call list shows.
  EXPECT_EQ(std::string(d["objects"][0]["total_amount"].GetString()), "0.00200");

  r = get_feed(ctx_, account_, request(kFeedPath, {{"after", "2"}}));
  ASSERT_EQ(r.status, 200) << r.body;
  d = json(r);
  EXPECT_EQ(store_.last_feed_limit, kDefaultFeedLimit);
  EXPECT_EQ(std::string(d["meta"]["next_cursor"].GetString()), "3");
  ASSERT_EQ(d["objects"].Size(), 1u);  // not the other account's, not the one past retention
  EXPECT_EQ(std::string(d["objects"][0]["call_uuid"].GetString()),
            "00000000-0000-4000-8000-000000000002");

  r = get_feed(ctx_, account_, request(kFeedPath, {{"after", "3"}, {"limit", "1000"}}));
  ASSERT_EQ(r.status, 200) << r.body;
  d = json(r);
  EXPECT_EQ(std::string(d["meta"]["next_cursor"].GetString()), "3");
  EXPECT_EQ(d["objects"].Size(), 0u);
}

TEST_F(CallHandlersTest, FeedRefusesBadParameters) {
  const auto refused = [&](http::Params params) {
    http::HttpResponse r = get_feed(ctx_, account_, request(kFeedPath, std::move(params)));
    EXPECT_EQ(r.status, 400) << r.body;
    return error_of(r);
  };
  EXPECT_EQ(refused({{"after", "abc"}}),
            "after: must be the next_cursor of an earlier answer (decimal digits), got 'abc'");
  EXPECT_THAT(refused({{"after", "-1"}}), HasSubstr("after: must be the next_cursor"));
  EXPECT_THAT(refused({{"after", "99999999999999999999"}}), HasSubstr("after: must be"));
  EXPECT_EQ(refused({{"limit", "0"}}), "limit: must be an integer from 1 to 1000, got '0'");
  EXPECT_EQ(refused({{"limit", "1001"}}), "limit: must be an integer from 1 to 1000, got '1001'");
  EXPECT_EQ(refused({{"after", "1"}, {"after", "2"}}),
            "after: given more than once; give each parameter at most once");
  EXPECT_EQ(refused({{"offset", "1"}}),
            "unknown parameter 'offset'; accepted parameters: after, limit");
  EXPECT_FALSE(store_.last_feed_after);
  store_.fail = true;
  http::HttpResponse r = get_feed(ctx_, account_, request(kFeedPath, {}));
  EXPECT_EQ(r.status, 500);
}

TEST_F(CallHandlersTest, GetCurrent) {
  http::HttpResponse r =
      get_call(ctx_, account_, "00000000-0000-4000-8000-000000000001", Representation::kCurrent);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.content_type, "application/json");
  EXPECT_EQ(store_.last_served_from, kListNow - 90 * kMicrosPerDay);
  rapidjson::Document d = json(r);
  ASSERT_TRUE(d.IsObject());
  EXPECT_TRUE(d["api_id"].IsString());
  EXPECT_EQ(std::string(d["call_uuid"].GetString()), "00000000-0000-4000-8000-000000000001");
  EXPECT_EQ(std::string(d["total_rate"].GetString()), "0.03000");
  EXPECT_EQ(std::string(d["end_time"].GetString()), "2022-12-06 07:02:01");
  EXPECT_EQ(d["call_duration"].GetInt64(), 4);
}

TEST_F(CallHandlersTest, GetLegacy) {
  http::HttpResponse r =
      get_call(ctx_, account_, "00000000-0000-4000-8000-000000000000", Representation::kLegacy);
  ASSERT_EQ(r.status, 200) << r.body;
  rapidjson::Document d = json(r);
  EXPECT_TRUE(d["api_id"].IsString());
  EXPECT_EQ(d["to_number"].GetUint64(), 919943720205u);
  EXPECT_EQ(std::string(d["hangup_initiator"].GetString()), "carrier");
  EXPECT_FALSE(d.HasMember("hangup_source"));
}

TEST_F(CallHandlersTest, GetUnknownOtherAccountsAndExpiredCallsAre404) {
  for (const char* uuid : {"99999999-0000-4000-8000-000000000000",
                           "11111111-0000-4000-8000-000000000000",     // account 2's
                           "22222222-0000-4000-8000-000000000000"}) {  // past retention
    http::HttpResponse r = get_call(ctx_, account_, uuid, Representation::kCurrent);
    EXPECT_EQ(r.status, 404) << uuid;
    EXPECT_EQ(error_of(r), std::string("call not found: ") + uuid);
  }
}

TEST_F(CallHandlersTest, GetImplausibleUuidIs404WithoutAskingTheStore) {
  for (const std::string& uuid : {std::string(""), std::string("a b"), std::string("../etc"),
                                  std::string("x\"y"), std::string(65, 'a')}) {
    http::HttpResponse r = get_call(ctx_, account_, uuid, Representation::kLegacy);
    EXPECT_EQ(r.status, 404) << uuid;
    EXPECT_THAT(error_of(r), HasSubstr("call not found: "));
  }
  EXPECT_EQ(store_.find_calls, 0);
  http::HttpResponse r = get_call(ctx_, account_, std::string(1000, 'b'), Representation::kLegacy);
  EXPECT_EQ(error_of(r), "call not found: " + std::string(64, 'b') + "...");
}

TEST_F(CallHandlersTest, GetStorageFailureIs500) {
  store_.fail = true;
  http::HttpResponse r =
      get_call(ctx_, account_, "00000000-0000-4000-8000-000000000000", Representation::kCurrent);
  EXPECT_EQ(r.status, 500);
  EXPECT_EQ(error_of(r), "internal server error");
}

TEST_F(CallHandlersTest, UsageAsksTheStoreForTheAccountsTotalsWithTheRowBound) {
  UsageRow row;
  row.period_start = at("2022-12-06 00:00:00");
  row.group = "outbound";
  row.totals = {2, 1, 30, 60, money("0.01000")};
  store_.usage_answer.rows = {row};
  const char* path = "/v1/Account/MAXXXXXXXXXXXXXXXXXX/Zentrunk/Usage/";
  http::HttpResponse r = get_usage(ctx_, account_, request(path, {{"group_by", "direction"}}));
  ASSERT_EQ(r.status, 200) << r.body;
  ASSERT_TRUE(store_.last_usage);
  EXPECT_EQ(store_.last_usage->filter.account_id, 1);
  EXPECT_EQ(store_.last_usage->max_rows, kMaxUsageRows);
  EXPECT_EQ(store_.last_usage->filter.end_time.from, kListNow - 30 * kMicrosPerDay);
  rapidjson::Document d = json(r);
  EXPECT_EQ(d["meta"]["total_count"].GetInt64(), 1);
  EXPECT_EQ(std::string(d["objects"][0]["direction"].GetString()), "outbound");
  EXPECT_EQ(std::string(d["totals"]["asr"].GetString()), "0.5000");
}

TEST_F(CallHandlersTest, UsageWithMoreRowsThanTheBoundIs400NotACutAnswer) {
  store_.usage_answer.rows.resize(3);
  store_.usage_answer.more = true;
  const char* path = "/v1/Account/MAXXXXXXXXXXXXXXXXXX/Zentrunk/Usage/";
  http::HttpResponse r = get_usage(ctx_, account_, request(path, {{"period", "hour"}}));
  EXPECT_EQ(r.status, 400);
  EXPECT_THAT(error_of(r),
              HasSubstr("period, group_by: the answer would have more than 10000 rows"));
  store_.fail = true;
  r = get_usage(ctx_, account_, request(path, {}));
  EXPECT_EQ(r.status, 500);
  r = get_usage(ctx_, account_, request(path, {{"period", "year"}}));
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(error_of(r), "period: must be hour, day or month, got 'year'");
}

}  // namespace
}  // namespace cdrd::api::zentrunk
