#include "rating/hangup.h"

#include <gtest/gtest.h>

#include <optional>
#include <string>

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

// The name check_hangup leaves after it accepts `code` with `name`.
std::string accepted_name(std::optional<int> code, std::string name) {
  EXPECT_TRUE(check_hangup(code, name).ok()) << code.value_or(-1) << " '" << name << "'";
  return name;
}

TEST(CheckHangup, CodeOnlyFillsTheName) {
  EXPECT_EQ(accepted_name(3000, ""), "normal_hangup");
  EXPECT_EQ(accepted_name(4410, ""), "user_busy");
}

TEST(CheckHangup, AgreeingNameIsKeptInTheTablesSpelling) {
  EXPECT_EQ(accepted_name(3010, "normal_hangup"), "normal_hangup");
  EXPECT_EQ(accepted_name(3000, "NORMAL_HANGUP"), "normal_hangup");
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
  EXPECT_EQ(accepted_name(7777, "something_new"), "something_new");
  EXPECT_EQ(accepted_name(7777, ""), "");
}

TEST(CheckHangup, NoCodeKeepsTheName) {
  EXPECT_EQ(accepted_name(std::nullopt, "normal_hangup"), "normal_hangup");
  EXPECT_EQ(accepted_name(std::nullopt, ""), "");
}

}  // namespace
}  // namespace cdrd::rating
