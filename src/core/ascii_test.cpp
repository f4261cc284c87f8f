#include "core/ascii.h"

#include <gtest/gtest.h>

#include <algorithm>
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

// count_byte against std::count over random text with the byte looked for at any place, at
// every length around the 16-byte steps and beyond, and for bytes from 0x80 up.
TEST(Ascii, CountByteGivesStdCountsAnswer) {
  std::mt19937_64 rng(20261201);
  for (int i = 0; i < 30'000; ++i) {
    std::string s(rng() % 80, ' ');
    const char wanted = i % 5 == 0 ? static_cast<char>(0x80 + rng() % 128) : '\n';
    for (char& c : s) c = rng() % 4 == 0 ? wanted : static_cast<char>(rng() % 256);
    // A view from any offset, so the 16-byte loads start unaligned too.
    const std::string_view view = std::string_view(s).substr(s.empty() ? 0 : rng() % s.size());
    ASSERT_EQ(count_byte(view, wanted),
              static_cast<std::size_t>(std::count(view.begin(), view.end(), wanted)))
        << i;
  }
  EXPECT_EQ(count_byte("", '\n'), 0u);
  EXPECT_EQ(count_byte(std::string(1000, '\n'), '\n'), 1000u);
  // Past the 255 steps of 16 bytes a lane can count before it is summed.
  EXPECT_EQ(count_byte(std::string(100'003, '\n'), '\n'), 100'003u);
  std::string mixed(70'000, 'x');
  for (std::size_t i = 0; i < mixed.size(); i += 3) mixed[i] = '\n';
  EXPECT_EQ(count_byte(mixed, '\n'),
            static_cast<std::size_t>(std::count(mixed.begin(), mixed.end(), '\n')));
  EXPECT_EQ(count_byte(std::string(1000, 'a'), '\n'), 0u);
}

}  // namespace
}  // namespace cdrd
