#include "rating/hangup.h"

#include <gtest/gtest.h>

namespace cdrd::rating {
namespace {

TEST(HangupTable, HasEveryRowOfTheCsvSortedByCode) {
  const auto table = hangup_causes();
  EXPECT_EQ(table.size(), 79u);
  for (std::size_t i = 1; i < table.size(); ++i) EXPECT_LT(table[i - 1].code, table[i].code);
  EXPECT_EQ(table.front().code, 3000);
  EXPECT_EQ(table.back().code, 6070);
}

TEST(HangupTable, FindsCodes) {
  const HangupCause* c = find_hangup_cause(3000);
  ASSERT_NE(c, nullptr);
  EXPECT_EQ(c->name, "normal_hangup");
  EXPECT_EQ(c->category, "normal");
  EXPECT_EQ(find_hangup_cause(3010)->name, "normal_hangup");                  // shared name
  EXPECT_EQ(find_hangup_cause(4150)->name, "proxy_authentication_required");  // out of order in
  EXPECT_EQ(find_hangup_cause(4150)->category, "format_media");               // the CSV
  EXPECT_EQ(find_hangup_cause(4200)->name, "dno_caller_id");
  EXPECT_EQ(find_hangup_cause(5190)->name, "concurrent_call_limit_exceeded");
  EXPECT_EQ(find_hangup_cause(6070)->category, "global");
}

TEST(HangupTable, UnknownCodes) {
  EXPECT_EQ(find_hangup_cause(0), nullptr);
  EXPECT_EQ(find_hangup_cause(3001), nullptr);
  EXPECT_EQ(find_hangup_cause(2999), nullptr);
  EXPECT_EQ(find_hangup_cause(9999), nullptr);
  EXPECT_EQ(find_hangup_cause(-3000), nullptr);
}

TEST(CheckHangup, CodeOnlyFillsTheName) {
  std::string name;
  EXPECT_TRUE(check_hangup(3000, name).ok());
  EXPECT_EQ(name, "normal_hangup");
  name.clear();
  EXPECT_TRUE(check_hangup(4410, name).ok());
  EXPECT_EQ(name, "user_busy");
}

TEST(CheckHangup, AgreeingNameIsKeptInTheTablesSpelling) {
  std::string name = "normal_hangup";
  EXPECT_TRUE(check_hangup(3010, name).ok());
  EXPECT_EQ(name, "normal_hangup");
  name = "NORMAL_HANGUP";
  EXPECT_TRUE(check_hangup(3000, name).ok());
  EXPECT_EQ(name, "normal_hangup");
}

TEST(CheckHangup, ContradictingNameIsRejected) {
  std::string name = "user_busy";
  const Status s = check_hangup(3000, name);
  EXPECT_EQ(s.code(), Status::Code::kInvalidArgument);
  EXPECT_EQ(s.message(),
            "hangup_cause_name: 'user_busy' contradicts hangup_cause_code 3000 (normal_hangup)");
  EXPECT_EQ(name, "user_busy");  // untouched
  name = "normal hangup";
  EXPECT_FALSE(check_hangup(3000, name).ok());
}

TEST(CheckHangup, UnknownCodeKeepsTheGivenName) {
  std::string name = "something_new";
  EXPECT_TRUE(check_hangup(7777, name).ok());
  EXPECT_EQ(name, "something_new");
  name.clear();
  EXPECT_TRUE(check_hangup(7777, name).ok());
  EXPECT_EQ(name, "");
}

TEST(CheckHangup, NoCodeKeepsTheName) {
  std::string name = "normal_hangup";
  EXPECT_TRUE(check_hangup(std::nullopt, name).ok());
  EXPECT_EQ(name, "normal_hangup");
  name.clear();
  EXPECT_TRUE(check_hangup(std::nullopt, name).ok());
  EXPECT_EQ(name, "");
}

}  // namespace
}  // namespace cdrd::rating
