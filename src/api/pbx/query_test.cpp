#include <gtest/gtest.h>

#include "api/pbx/pbx.h"
#include "core/time.h"
#include "testing/values.h"

namespace cdrd::api::pbx {
namespace {

constexpr Micros kFloor = 1'600'000'000LL * kMicrosPerSecond;

Result<CallQuery> parse(const http::Params& p) { return parse_list_options(p, 7, kFloor); }

using cdrd::testing::at;

TEST(ParseListOptions, Defaults) {
  const Result<CallQuery> q = parse({});
  ASSERT_TRUE(q.ok());
  EXPECT_EQ(q->account_id, 7);
  EXPECT_EQ(q->order, SortOrder::kNewestFirst);
  EXPECT_EQ(q->limit, kDefaultPerPage);
  EXPECT_EQ(q->offset, 0);
  EXPECT_FALSE(q->count_total);
  EXPECT_EQ(q->end_time.from, kFloor);  // the retention floor
  EXPECT_FALSE(q->initiation_time.from);
  EXPECT_FALSE(q->initiation_time.until);
}

TEST(ParseListOptions, PagesBecomeOffsets) {
  const Result<CallQuery> q = parse({{"page", "3"}, {"per_page", "50"}, {"order", "asc"}});
  ASSERT_TRUE(q.ok());
  EXPECT_EQ(q->limit, 50);
  EXPECT_EQ(q->offset, 100);
  EXPECT_EQ(q->order, SortOrder::kOldestFirst);
  EXPECT_TRUE(parse({{"per_page", "500"}}).ok());
  EXPECT_FALSE(parse({{"per_page", "501"}}).ok());
  EXPECT_FALSE(parse({{"page", "0"}}).ok());
  EXPECT_FALSE(parse({{"page", "-1"}}).ok());
  EXPECT_FALSE(parse({{"page", "1x"}}).ok());
}

TEST(ParseListOptions, DatetimeBoundsAreInclusiveOfTheSecondTheyName) {
  const Result<CallQuery> q =
      parse({{"start_datetime", "2021-01-01 16:29:38"}, {"end_datetime", "2021-01-01 16:30:16"}});
  ASSERT_TRUE(q.ok());
  EXPECT_EQ(q->initiation_time.from, at("2021-01-01 16:29:38"));
  EXPECT_EQ(q->initiation_time.until, at("2021-01-01 16:30:17"));  // exclusive: 16:30:16.999999 in
  // start_datetime also bounds end_time (a call ends after it starts), above the floor.
  EXPECT_EQ(q->end_time.from, at("2021-01-01 16:29:38"));
  // A start before the retention floor leaves the floor in place.
  const Result<CallQuery> old = parse({{"start_datetime", "2001-01-01 00:00:00"}});
  ASSERT_TRUE(old.ok());
  EXPECT_EQ(old->end_time.from, kFloor);
  // "+00:00" sent unencoded arrives as " 00:00".
  EXPECT_TRUE(parse({{"start_datetime", "2021-01-01T16:29:38 00:00"}}).ok());
  EXPECT_FALSE(parse({{"start_datetime", "2021-13-01 00:00:00"}}).ok());
}

TEST(ParseListOptions, ArraysAreRepeatedParameters) {
  const Result<CallQuery> q = parse({{"flow", "in"},
                                     {"flow[]", "out"},
                                     {"extension_id", "469100"},
                                     {"extension_id", "469101"},
                                     {"from_username", " 74951234567"},
                                     {"did_number", "+74950000001"}});
  ASSERT_TRUE(q.ok());
  EXPECT_EQ(q->flows, (std::vector<std::string>{"in", "out"}));
  EXPECT_EQ(q->extension_ids, (std::vector<std::int64_t>{469100, 469101}));
  EXPECT_EQ(q->from_usernames, (std::vector<std::string>{"+74951234567"}));
  EXPECT_EQ(q->did_numbers, (std::vector<std::string>{"+74950000001"}));
}

// Public clients of the provider send every option, the unset ones empty, and per_page=0 when
// their caller set no page size.
TEST(ParseListOptions, AnEmptyValueIsTheOptionLeftOut) {
  const Result<CallQuery> q = parse({{"end_datetime", ""},
                                     {"extension_id", ""},
                                     {"flow", ""},
                                     {"per_page", "50"},
                                     {"start_datetime", ""},
                                     {"to_username", ""}});
  ASSERT_TRUE(q.ok()) << q.status().message();
  EXPECT_EQ(q->limit, 50);
  EXPECT_EQ(q->offset, 0);
  EXPECT_FALSE(q->initiation_time.from);
  EXPECT_FALSE(q->initiation_time.until);
  EXPECT_EQ(q->end_time.from, kFloor);
  EXPECT_TRUE(q->flows.empty());
  EXPECT_TRUE(q->extension_ids.empty());
  EXPECT_TRUE(q->to_usernames.empty());
  // Every option, scalar or array, empty: the defaults.
  for (const char* name :
       {"start_datetime", "end_datetime", "order", "page", "per_page", "from_username",
        "to_username", "flow", "flow[]", "bridged_username", "did_number", "extension_id",
        "start_duration", "end_duration", "start_bridged_duration", "end_bridged_duration"}) {
    const Result<CallQuery> e = parse({{name, ""}});
    ASSERT_TRUE(e.ok()) << name << ": " << e.status().message();
    EXPECT_EQ(e->limit, kDefaultPerPage) << name;
    EXPECT_EQ(e->order, SortOrder::kNewestFirst) << name;
    EXPECT_FALSE(e->duration.min || e->duration.max || e->bridged_duration.min ||
                 e->bridged_duration.max)
        << name;
  }
  // An empty value beside a real one is not a second value.
  const Result<CallQuery> twice =
      parse({{"page", ""}, {"page", "2"}, {"flow", ""}, {"flow", "in"}});
  ASSERT_TRUE(twice.ok()) << twice.status().message();
  EXPECT_EQ(twice->offset, kDefaultPerPage);
  EXPECT_EQ(twice->flows, (std::vector<std::string>{"in"}));
  // An unknown option stays an error, empty or not.
  EXPECT_FALSE(parse({{"colour", ""}}).ok());
}

TEST(ParseListOptions, PerPageZeroIsTheDefault) {
  const Result<CallQuery> q = parse({{"per_page", "0"}, {"page", "3"}});
  ASSERT_TRUE(q.ok()) << q.status().message();
  EXPECT_EQ(q->limit, kDefaultPerPage);
  EXPECT_EQ(q->offset, 2 * kDefaultPerPage);
  EXPECT_EQ(parse({{"per_page", "00"}})->limit, kDefaultPerPage);
  EXPECT_EQ(parse({{"per_page", "-1"}}).status().message(),
            "per_page: must be a whole number from 1 to 500 (0 for the default 20), got '-1'");
  EXPECT_EQ(parse({{"per_page", "501"}}).status().message(),
            "per_page: must be a whole number from 1 to 500 (0 for the default 20), got '501'");
}

TEST(ParseListOptions, DurationRangesAreInclusive) {
  const Result<CallQuery> q = parse({{"start_duration", "10"},
                                     {"end_duration", "20"},
                                     {"start_bridged_duration", "0"},
                                     {"end_bridged_duration", "5"}});
  ASSERT_TRUE(q.ok());
  EXPECT_EQ(q->duration.min, 10);
  EXPECT_EQ(q->duration.max, 20);
  EXPECT_EQ(q->bridged_duration.min, 0);
  EXPECT_EQ(q->bridged_duration.max, 5);
}

TEST(ParseListOptions, ErrorsNameTheOption) {
  EXPECT_EQ(parse({{"flow", "sideways"}}).status().message(),
            "flow: must be in, out or transfer, got 'sideways'");
  EXPECT_EQ(parse({{"order", "up"}}).status().message(), "order: must be asc or desc, got 'up'");
  EXPECT_EQ(parse({{"order", "asc"}, {"order", "desc"}}).status().message(),
            "order: given more than once (it takes one value)");
  EXPECT_NE(parse({{"limit", "5"}}).status().message().find("unknown option 'limit'"),
            std::string::npos);
  EXPECT_FALSE(parse({{"from_username", std::string(257, 'a')}}).ok());
}

TEST(StoreFailure, AReadOverItsBudgetIs503WithRetryAfterInTheMessageShape) {
  const http::HttpResponse r = store_failure(
      Status::Unavailable("query over its time budget of 1 ms; narrow the filter or try again"),
      "list");
  EXPECT_EQ(r.status, 503);
  bool retry = false;
  for (const auto& [name, value] : r.headers) retry |= name == "Retry-After" && value == "1";
  EXPECT_TRUE(retry);
  EXPECT_EQ(r.body,
            R"({"message":"query over its time budget of 1 ms; narrow the filter or try again"})");
  EXPECT_EQ(store_failure(Status::IOError("disk"), "list").status, 500);
}

}  // namespace
}  // namespace cdrd::api::pbx
