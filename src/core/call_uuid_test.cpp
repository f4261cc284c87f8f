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

}  // namespace
}  // namespace cdrd
