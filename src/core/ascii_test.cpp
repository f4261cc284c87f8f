#include "core/ascii.h"

#include <gtest/gtest.h>

#include <random>
#include <string>

namespace cdrd {
namespace {

TEST(Ascii, PrintableAsciiIsSpaceToTilde) {
  EXPECT_TRUE(is_printable_ascii(""));
  EXPECT_TRUE(is_printable_ascii(" ~"));
  EXPECT_TRUE(is_printable_ascii("a quite long line of plain text, 40 chars"));
  EXPECT_FALSE(is_printable_ascii("tab\there"));
  EXPECT_FALSE(is_printable_ascii("del\x7F"));
  EXPECT_FALSE(is_printable_ascii("caf\xC3\xA9"));
  EXPECT_FALSE(is_printable_ascii(std::string("nul\0after", 9)));
  EXPECT_FALSE(is_printable_ascii("sixteen bytes ok and then a line break at 40\n"));
}

// The 16-bytes-at-a-time check against the byte loop it replaced in the validator, over random
// texts of 0-100 bytes, mostly printable with one byte near a boundary (0x1F, 0x20, 0x7E, 0x7F,
// 0x80, 0xFF, 0x00) at any position, so that every offset within and after a 16-byte block is
// tried.
TEST(Ascii, PrintableAsciiGivesTheByteLoopsAnswer) {
  const auto byte_loop = [](const std::string& s) {
    bool printable = true;
    for (unsigned char ch : s) printable &= ch >= 0x20 && ch < 0x7F;
    return printable;
  };
  std::mt19937_64 rng(20261206);
  const unsigned char edges[] = {0x1F, 0x20, 0x7E, 0x7F, 0x80, 0xFF, 0x00, 0x09, 0xC3};
  int printable = 0;
  for (int i = 0; i < 200'000; ++i) {
    std::string s(rng() % 101, ' ');
    for (char& c : s) c = static_cast<char>(0x20 + rng() % 95);
    if (!s.empty() && rng() % 3 != 0) {
      s[rng() % s.size()] = static_cast<char>(edges[rng() % sizeof edges]);
    }
    const bool expected = byte_loop(s);
    printable += expected;
    ASSERT_EQ(is_printable_ascii(s), expected) << i;
  }
  EXPECT_GT(printable, 50'000);
  EXPECT_LT(printable, 150'000);
}

}  // namespace
}  // namespace cdrd
