#include "core/call_uuid.h"

#include <gtest/gtest.h>

#include <string>

namespace cdrd {
namespace {

TEST(CallUuid, UuidsAndOtherIdsOfLettersDigitsAndDashesArePlausible) {
  EXPECT_TRUE(is_plausible_call_uuid("91d15144-e8c1-45fa-8226-061702f297fe"));
  EXPECT_TRUE(is_plausible_call_uuid("A"));
  EXPECT_TRUE(is_plausible_call_uuid("call-2026-Z9"));
  EXPECT_TRUE(is_plausible_call_uuid(std::string(kMaxCallUuidLength, 'a')));
}

TEST(CallUuid, EmptyTooLongOrOtherCharactersAreNot) {
  EXPECT_FALSE(is_plausible_call_uuid(""));
  EXPECT_FALSE(is_plausible_call_uuid(std::string(kMaxCallUuidLength + 1, 'a')));
  for (const char* s : {"a b", "a_b", "a.b", "a/b", "a%2F", "caf\xc3\xa9", "a\nb"}) {
    EXPECT_FALSE(is_plausible_call_uuid(s)) << s;
  }
  EXPECT_FALSE(is_plausible_call_uuid(std::string_view("a\0b", 3)));
}

TEST(CallUuid, EveryByteIsJudgedByTheForm) {
  for (int b = 0; b < 256; ++b) {
    const char c = static_cast<char>(b);
    const bool form =
        (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
    EXPECT_EQ(is_plausible_call_uuid(std::string(1, c)), form) << b;
    EXPECT_EQ(is_plausible_call_uuid("ab-" + std::string(1, c) + "-9"), form) << b;
  }
}

}  // namespace
}  // namespace cdrd
