// link_trunk: a record's trunk_id must be a trunk of its own account; the trunk fills in the
// trunk_domain and secure_trunking the record left out.
#include "service/ingest/trunk_link.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>

namespace cdrd::service::ingest {
namespace {

using ::testing::HasSubstr;

// Account 1 has trunk "111" (secure); account 2 has trunk "222".
Result<std::optional<TrunkFacts>> resolve(std::int64_t account, std::string_view trunk_id) {
  if (account == 1 && trunk_id == "111")
    return std::optional<TrunkFacts>({"111.zt.example.net", true, ""});
  if (account == 2 && trunk_id == "222")
    return std::optional<TrunkFacts>({"222.zt.example.net", false, ""});
  return std::optional<TrunkFacts>();
}

CallRecord call(std::int64_t account, std::string trunk_id) {
  CallRecord c;
  c.account_id = account;
  c.trunk_id = std::move(trunk_id);
  return c;
}

RawRecord raw(std::vector<RawField> fields = {}) { return RawRecord{std::move(fields)}; }

RawField field(std::string name, RawKind kind, std::string text) {
  RawField f;
  f.name = std::move(name);
  f.value.kind = kind;
  f.value.text = std::move(text);
  return f;
}

TEST(TrunkLink, TheTrunkFillsWhatTheRecordLeftOut) {
  CallRecord c = call(1, "111");
  ASSERT_TRUE(link_trunk(c, raw(), resolve).ok());
  EXPECT_EQ(c.trunk_domain, "111.zt.example.net");
  EXPECT_TRUE(c.secure_trunking);
}

TEST(TrunkLink, WhatTheRecordGaveIsKept) {
  CallRecord c = call(1, "111");
  c.trunk_domain = "edge.example.org";
  c.secure_trunking = false;  // given as false
  ASSERT_TRUE(
      link_trunk(c, raw({field("secure_trunking", RawKind::kBool, "false")}), resolve).ok());
  EXPECT_EQ(c.trunk_domain, "edge.example.org");
  EXPECT_FALSE(c.secure_trunking);
  // null or an empty CSV cell count as left out.
  for (const RawField& absent : {field("secure_trunking", RawKind::kNull, ""),
                                 field("secure_trunking", RawKind::kText, "")}) {
    CallRecord d = call(1, "111");
    ASSERT_TRUE(link_trunk(d, raw({absent}), resolve).ok());
    EXPECT_TRUE(d.secure_trunking);
  }
}

TEST(TrunkLink, AnotherAccountsOrAnUnknownTrunkIsRefused) {
  for (CallRecord c : {call(1, "222"), call(2, "111"), call(1, "999")}) {
    const Status s = link_trunk(c, raw(), resolve);
    EXPECT_EQ(s.code(), Status::Code::kInvalidArgument);
    EXPECT_THAT(s.message(), HasSubstr("trunk_id: the account has no trunk '" + c.trunk_id + "'"));
    EXPECT_TRUE(c.trunk_domain.empty());
  }
}

TEST(TrunkLink, NoTrunkIdNoLookup) {
  CallRecord c = call(1, "");
  bool asked = false;
  const TrunkResolver spy = [&asked](std::int64_t, std::string_view) {
    asked = true;
    return Result<std::optional<TrunkFacts>>(std::optional<TrunkFacts>());
  };
  EXPECT_TRUE(link_trunk(c, raw(), spy).ok());
  EXPECT_FALSE(asked);
}

TEST(TrunkLink, StorageFailuresAreNotLineErrors) {
  CallRecord c = call(1, "111");
  const TrunkResolver broken = [](std::int64_t, std::string_view) {
    return Result<std::optional<TrunkFacts>>(Status::IOError("disk gone"));
  };
  EXPECT_EQ(link_trunk(c, raw(), broken).code(), Status::Code::kIOError);
}

}  // namespace
}  // namespace cdrd::service::ingest
