#include "api/app/auth_throttle.h"

#include <gtest/gtest.h>

namespace cdrd::api {
namespace {

using namespace std::chrono_literals;

TEST(AuthThrottle, AnAddressIsStoppedAfterItsBurstAndLetInAgainAsItRefills) {
  AuthThrottle throttle(AuthThrottle::Limits{3, 2'000ms, 100});
  const auto t0 = AuthThrottle::Clock::time_point{} + 1h;
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(throttle.retry_after("10.0.0.1", t0), 0) << i;
    throttle.failed("10.0.0.1", t0);
  }
  EXPECT_EQ(throttle.retry_after("10.0.0.1", t0), 2);
  EXPECT_EQ(throttle.retry_after("10.0.0.1", t0 + 1'500ms), 1);
  EXPECT_EQ(throttle.retry_after("10.0.0.1", t0 + 2'000ms), 0);
  throttle.failed("10.0.0.1", t0 + 2'000ms);
  EXPECT_GT(throttle.retry_after("10.0.0.1", t0 + 2'000ms), 0);
}

TEST(AuthThrottle, AnotherAddressIsNeverLockedOut) {
  AuthThrottle throttle(AuthThrottle::Limits{2, 10'000ms, 100});
  const auto t0 = AuthThrottle::Clock::time_point{} + 1h;
  for (int i = 0; i < 50; ++i) throttle.failed("203.0.113.9", t0);
  EXPECT_GT(throttle.retry_after("203.0.113.9", t0), 0);
  EXPECT_EQ(throttle.retry_after("198.51.100.7", t0), 0);
}

TEST(AuthThrottle, MemoryIsBoundedByForgettingRefilledAddresses) {
  AuthThrottle throttle(AuthThrottle::Limits{2, 1'000ms, 10});
  const auto t0 = AuthThrottle::Clock::time_point{} + 1h;
  for (int i = 0; i < 1000; ++i) throttle.failed("a" + std::to_string(i), t0 + i * 1'000ms);
  // The newest address still has its failure counted.
  throttle.failed("a999", t0 + 999'000ms);
  EXPECT_GT(throttle.retry_after("a999", t0 + 999'000ms), 0);
}

TEST(AuthThrottle, ABurstOfZeroTurnsItOff) {
  AuthThrottle throttle(AuthThrottle::Limits{0, 1'000ms, 10});
  for (int i = 0; i < 100; ++i) throttle.failed("10.0.0.1");
  EXPECT_EQ(throttle.retry_after("10.0.0.1"), 0);
}

}  // namespace
}  // namespace cdrd::api
