#include "core/crc32c.h"

#include <gtest/gtest.h>

#include <random>
#include <string>

namespace cdrd {
namespace {

TEST(Crc32cTest, TheCheckValueAndKnownVectors) {
  EXPECT_EQ(crc32c("123456789"), 0xE3069283u);
  EXPECT_EQ(crc32c_portable("123456789"), 0xE3069283u);
  EXPECT_EQ(crc32c(""), 0u);
  // RFC 3720 (iSCSI), B.4: 32 bytes of zeros, and of 0xFF.
  EXPECT_EQ(crc32c(std::string(32, '\0')), 0x8A9136AAu);
  EXPECT_EQ(crc32c(std::string(32, '\xff')), 0x62A8AB43u);
}

TEST(Crc32cTest, TheInstructionAndTheTableAgreeAndContinue) {
  std::mt19937_64 rng(7);
  for (int round = 0; round < 300; ++round) {
    std::string data(rng() % 300, '\0');
    for (char& c : data) c = static_cast<char>(rng());
    const std::uint32_t whole = crc32c_portable(data);
    EXPECT_EQ(crc32c(data), whole);
    const std::size_t cut = data.empty() ? 0 : rng() % data.size();
    const std::string_view v(data);
    EXPECT_EQ(crc32c(v.substr(cut), crc32c(v.substr(0, cut))), whole);
    EXPECT_EQ(crc32c_portable(v.substr(cut), crc32c_portable(v.substr(0, cut))), whole);
  }
}

TEST(Crc32cTest, EveryFlippedBitChangesIt) {
  std::string data = "a block of a segment, its records and their ids";
  const std::uint32_t base = crc32c(data);
  for (std::size_t i = 0; i < data.size(); ++i) {
    for (int bit = 0; bit < 8; ++bit) {
      std::string flipped = data;
      flipped[i] = static_cast<char>(flipped[i] ^ (1 << bit));
      EXPECT_NE(crc32c(flipped), base) << i << " " << bit;
    }
  }
}

}  // namespace
}  // namespace cdrd
