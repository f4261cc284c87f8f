#include "core/crypto.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <random>
#include <regex>
#include <set>
#include <string>
#include <thread>
#include <vector>

namespace cdrd {
namespace {

TEST(Crypto, AuthIdHasTheAnchorShape) {
  const std::regex shape("MA[A-Z0-9]{18}");
  std::set<std::string> seen;
  for (int i = 0; i < 100; ++i) {
    std::string id = new_auth_id();
    EXPECT_TRUE(std::regex_match(id, shape)) << id;
    seen.insert(id);
  }
  EXPECT_EQ(seen.size(), 100u);
}

TEST(Crypto, TokenIsFortyAlphanumerics) {
  const std::regex shape("[A-Za-z0-9]{40}");
  EXPECT_TRUE(std::regex_match(new_auth_token(), shape));
  EXPECT_NE(new_auth_token(), new_auth_token());
}

TEST(Crypto, UuidV4Shape) {
  const std::regex shape("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}");
  for (int i = 0; i < 50; ++i) EXPECT_TRUE(std::regex_match(new_uuid_v4(), shape));
}

// Drawn from a per-thread stock of random bytes: many draws (past several refills), on two
// threads at once, never repeat and keep their shape.
TEST(Crypto, UuidV4sNeverRepeatAcrossRefillsAndThreads) {
  const std::regex shape("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}");
  std::vector<std::string> a(1000), b(1000);
  std::thread other([&b] {
    for (auto& u : b) u = new_uuid_v4();
  });
  for (auto& u : a) u = new_uuid_v4();
  other.join();
  std::set<std::string> all(a.begin(), a.end());
  all.insert(b.begin(), b.end());
  EXPECT_EQ(all.size(), 2000u);
  for (const auto& u : all) EXPECT_TRUE(std::regex_match(u, shape)) << u;
}

// The hand-written formatting against the printf one it replaced, for random bytes and the
// extremes.
TEST(Crypto, FormatUuidEqualsPrintfFormatting) {
  std::mt19937_64 rng(7);
  for (int n = 0; n < 2000; ++n) {
    unsigned char b[16];
    for (auto& x : b) x = static_cast<unsigned char>(n == 0 ? 0 : n == 1 ? 0xff : rng());
    char expected[37];
    std::snprintf(expected, sizeof expected,
                  "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0],
                  b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13],
                  b[14], b[15]);
    ASSERT_EQ(format_uuid(b), expected);
  }
}

// Checked against an independent RFC 4122 implementation (Python's uuid.uuid5) with the same
// namespace.
TEST(Crypto, UuidV5OfACallIdIsStable) {
  EXPECT_EQ(uuid_v5("a84b4c76e66710@pc33.atlanta.example.com"),
            "4f2365e0-b6f2-50f6-bb89-2960bb78559c");
  EXPECT_NE(uuid_v5("a84b4c76e66710@pc33.atlanta.example.com."),
            uuid_v5("a84b4c76e66710@pc33.atlanta.example.com"));
}

TEST(Crypto, KnownDigests) {
  EXPECT_EQ(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(md5_hex("abc"), "900150983cd24fb0d6963f7d28e17f72");
}

TEST(Crypto, ConstantTimeEquals) {
  EXPECT_TRUE(constant_time_equals("secret", "secret"));
  EXPECT_FALSE(constant_time_equals("secret", "secreT"));
  EXPECT_FALSE(constant_time_equals("secret", "secret2"));
  EXPECT_TRUE(constant_time_equals("", ""));
}

}  // namespace
}  // namespace cdrd
