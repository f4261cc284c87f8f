#include "api/zentrunk/usage.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "testing/values.h"

namespace cdrd::api::zentrunk {
namespace {

using testing::at;
using ::testing::HasSubstr;
using testing::money;
using ::testing::Not;

const Micros kUsageNow = at("2026-11-30 12:00:00");

class UsageQueryTest : public ::testing::Test {
 protected:
  Result<UsageQuery> parse(const http::Params& params) {
    return parse_usage_query(params, 7, kUsageNow, settings_);
  }
  std::string error(const http::Params& params) {
    Result<UsageQuery> r = parse(params);
    EXPECT_FALSE(r.ok());
    if (!r.ok()) {
      EXPECT_EQ(r.status().code(), Status::Code::kInvalidArgument);
    }
    return r.ok() ? "" : r.status().message();
  }
  ApiSettings settings_;
};

TEST_F(UsageQueryTest, DefaultsToDaysWithoutGroupsOverTheListWindow) {
  Result<UsageQuery> q = parse({});
  ASSERT_TRUE(q.ok()) << q.status().message();
  EXPECT_EQ(q->period, UsagePeriod::kDay);
  EXPECT_FALSE(q->group_by);
  EXPECT_EQ(q->max_rows, kMaxUsageRows);
  EXPECT_EQ(q->filter.account_id, 7);
  EXPECT_EQ(q->filter.end_time.from, kUsageNow - settings_.list_window_days * kMicrosPerDay);
  EXPECT_FALSE(q->filter.end_time.until);
}

TEST_F(UsageQueryTest, TakesPeriodGroupAndTheListFilters) {
  Result<UsageQuery> q = parse({{"period", "hour"},
                                {"group_by", "to_country"},
                                {"call_direction", "outbound"},
                                {"trunk_id", "trunk-a"},
                                {"end_time__gte", "2026-11-29 00:00"},
                                {"end_time__lt", "2026-11-30 00:00"}});
  ASSERT_TRUE(q.ok()) << q.status().message();
  EXPECT_EQ(q->period, UsagePeriod::kHour);
  EXPECT_EQ(q->group_by, UsageGroup::kToCountry);
  EXPECT_EQ(q->filter.direction, Direction::kOutbound);
  EXPECT_EQ(q->filter.trunk_id, "trunk-a");
  EXPECT_EQ(q->filter.end_time.from, at("2026-11-29 00:00:00"));
  EXPECT_EQ(q->filter.end_time.until, at("2026-11-30 00:00:00"));
}

TEST_F(UsageQueryTest, RefusalsNameTheParameterAndTheAcceptedForm) {
  EXPECT_EQ(error({{"period", "week"}}), "period: must be hour, day or month, got 'week'");
  EXPECT_EQ(error({{"group_by", "country"}}),
            "group_by: must be direction, to_country, trunk_id or hangup_source, got 'country'");
  EXPECT_EQ(error({{"period", "day"}, {"period", "hour"}}),
            "period: given more than once; give each parameter at most once");
  // Pages are not a usage question: limit and offset are unknown here, and the list of
  // accepted names starts with the usage parameters.
  EXPECT_THAT(error({{"limit", "5"}}),
              HasSubstr("unknown parameter 'limit'; accepted parameters: period, group_by, "
                        "call_direction,"));
  EXPECT_THAT(error({{"limit", "5"}}), Not(HasSubstr("offset")));
  EXPECT_THAT(error({{"call_direction", "sideways"}}),
              HasSubstr("call_direction: must be inbound or outbound, got 'sideways'"));
  EXPECT_THAT(error({{"end_time__lt", "2026-11-30 00:00"}}),
              HasSubstr("an upper end_time bound needs a lower one too"));
  EXPECT_THAT(error({{"period", std::string(500, 'x')}}), HasSubstr("..."));
}

TEST(UsageView, RendersEachRowAndTheTotalsWithFixedDecimals) {
  UsageQuery q;
  q.period = UsagePeriod::kDay;
  q.group_by = UsageGroup::kDirection;
  q.filter.end_time.from = at("2026-11-29 00:00:00");
  q.filter.end_time.until = at("2026-12-01 00:00:00");
  UsageAnswer a;
  UsageRow r1;
  r1.period_start = at("2026-11-29 00:00:00");
  r1.group = "inbound";
  r1.totals = {3, 2, 187, 1235, money("1.23451")};
  UsageRow r2;
  r2.period_start = at("2026-11-30 00:00:00");
  r2.group = "outbound";
  r2.totals = {1, 0, 0, 0, money("0")};
  a.rows = {r1, r2};
  Result<std::string> body = render_usage(a, q);
  ASSERT_TRUE(body.ok()) << body.status().message();
  const std::string after_id = body->substr(body->find("\"meta\""));
  EXPECT_EQ(
      after_id,
      R"("meta":{"period":"day","group_by":"direction","end_time__gte":"2026-11-29 00:00:00",)"
      R"("end_time__lt":"2026-12-01 00:00:00","max_rows":10000,"total_count":2},"objects":[)"
      R"({"period_start":"2026-11-29 00:00:00","period_end":"2026-11-30 00:00:00",)"
      R"("direction":"inbound","calls":3,"answered_calls":2,"asr":"0.6667","acd":"93.50",)"
      R"("bill_duration":1235,"billed_minutes":"20.58333","total_amount":"1.23451"},)"
      R"({"period_start":"2026-11-30 00:00:00","period_end":"2026-12-01 00:00:00",)"
      R"("direction":"outbound","calls":1,"answered_calls":0,"asr":"0.0000","acd":null,)"
      R"("bill_duration":0,"billed_minutes":"0.00000","total_amount":"0.00000"}],)"
      R"("totals":{"calls":4,"answered_calls":2,"asr":"0.5000","acd":"93.50",)"
      R"("bill_duration":1235,"billed_minutes":"20.58333","total_amount":"1.23451"}})");
}

TEST(UsageView, WithoutGroupsOrRowsTheFiguresAreNull) {
  UsageQuery q;
  q.period = UsagePeriod::kMonth;
  q.filter.end_time.from = at("2026-11-01 00:00:00");
  Result<std::string> body = render_usage(UsageAnswer{}, q);
  ASSERT_TRUE(body.ok());
  EXPECT_THAT(*body, HasSubstr(R"("group_by":null,"end_time__gte":"2026-11-01 00:00:00",)"
                               R"("end_time__lt":null,"max_rows":10000,"total_count":0},)"
                               R"("objects":[],"totals":{"calls":0,"answered_calls":0,)"
                               R"("asr":null,"acd":null,"bill_duration":0,)"
                               R"("billed_minutes":"0.00000","total_amount":"0.00000"}})"));
}

}  // namespace
}  // namespace cdrd::api::zentrunk
