// The change feed through the real binary: a client that polls GET .../Zentrunk/CallFeed/ with
// the previous answer's cursor sees every call once, in the order they were stored, also a late
// one (an end_time older than calls it has seen) that a poll by end_time would miss; a retried
// batch adds nothing; the feed holds the account's own calls only.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "records.h"
#include "server_fixture.h"

namespace cdrd::test {
namespace {

class FeedApiTest : public ServerTest {
 protected:
  struct FeedPage {
    std::string next_cursor;
    std::vector<std::string> uuids;
  };

  FeedPage feed(const Credentials& who, const std::string& query) const {
    auto r = server_.get(who, "/v1/Account/" + who.auth_id + "/Zentrunk/CallFeed/" + query);
    EXPECT_EQ(r.status, 200) << r.body;
    FeedPage page;
    if (r.status != 200) return page;
    const rapidjson::Document d = parse_json(r.body);
    page.next_cursor = d["meta"]["next_cursor"].GetString();
    for (const auto& o : d["objects"].GetArray())
      page.uuids.emplace_back(o["call_uuid"].GetString());
    return page;
  }

  void ingest(const std::vector<Record>& records, int stored) const {
    auto r = server_.ingest(ndjson(records));
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(parse_json(r.body)["stored"].GetInt(), stored) << r.body;
  }
};

TEST_F(FeedApiTest, APollingClientSeesALateCallOnceAndARetryAddsNothing) {
  const std::vector<Record> batch = {with_own_billing(answered_call(acme_.auth_id, "c-1", 4, 300)),
                                     with_own_billing(answered_call(acme_.auth_id, "c-2", 4, 200)),
                                     with_own_billing(answered_call(acme_.auth_id, "c-3", 4, 100))};
  ingest(batch, 3);
  const FeedPage first = feed(acme_, "?limit=2");
  EXPECT_EQ(first.uuids, (std::vector<std::string>{"c-1", "c-2"}));
  const FeedPage second = feed(acme_, "?after=" + first.next_cursor + "&limit=2");
  EXPECT_EQ(second.uuids, (std::vector<std::string>{"c-3"}));
  // Nothing new: an empty page keeps the cursor.
  const FeedPage idle = feed(acme_, "?after=" + second.next_cursor);
  EXPECT_TRUE(idle.uuids.empty());
  EXPECT_EQ(idle.next_cursor, second.next_cursor);

  // A late call: it ended an hour before every call the client has seen.
  ingest({with_own_billing(answered_call(acme_.auth_id, "late", 4, 3600))}, 1);
  const FeedPage next = feed(acme_, "?after=" + idle.next_cursor);
  EXPECT_EQ(next.uuids, (std::vector<std::string>{"late"}));
  // The list by end_time puts it last of four: behind calls a client polling it has seen.
  auto list = server_.get(acme_, "/v1/Account/" + acme_.auth_id + "/Zentrunk/Call/");
  EXPECT_EQ(std::string(parse_json(list.body)["objects"][3]["call_uuid"].GetString()), "late");

  // The batch again (a retry) and the late call in another letter case: duplicates only.
  ingest(batch, 0);
  ingest({with_own_billing(answered_call(acme_.auth_id, "LATE", 4, 3600))}, 0);
  const FeedPage after_retry = feed(acme_, "?after=" + next.next_cursor);
  EXPECT_TRUE(after_retry.uuids.empty());
  EXPECT_EQ(after_retry.next_cursor, next.next_cursor);

  // From the start again: all four, once each, in the order they were stored.
  EXPECT_EQ(feed(acme_, "").uuids, (std::vector<std::string>{"c-1", "c-2", "c-3", "late"}));
}

TEST_F(FeedApiTest, HoldsTheAccountsOwnCallsAndRefusesBadParameters) {
  const Credentials other = server_.create_account("other");
  ingest({with_own_billing(answered_call(acme_.auth_id, "mine")),
          with_own_billing(answered_call(other.auth_id, "theirs"))},
         2);
  EXPECT_EQ(feed(acme_, "").uuids, (std::vector<std::string>{"mine"}));
  EXPECT_EQ(feed(other, "").uuids, (std::vector<std::string>{"theirs"}));
  // Another account's feed with acme's credentials.
  auto r = server_.get(acme_, "/v1/Account/" + other.auth_id + "/Zentrunk/CallFeed/");
  EXPECT_TRUE(r.status == 401 || r.status == 403 || r.status == 404) << r.status << r.body;

  r = server_.get(acme_, "/v1/Account/" + acme_.auth_id + "/Zentrunk/CallFeed/?after=x1");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(std::string(parse_json(r.body)["error"].GetString()),
            "after: must be the next_cursor of an earlier answer (decimal digits), got 'x1'");
  r = server_.get(acme_, "/v1/Account/" + acme_.auth_id + "/Zentrunk/CallFeed/?limit=5000");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(std::string(parse_json(r.body)["error"].GetString()),
            "limit: must be an integer from 1 to 1000, got '5000'");
}

}  // namespace
}  // namespace cdrd::test
