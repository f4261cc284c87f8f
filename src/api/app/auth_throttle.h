// AuthThrottle: slows down credential guessing. Every failed authentication (Basic, Bearer,
// OAuth client secret, operator key: any 401) costs the client address one token of a bucket
// of `burst` tokens that refills one token every `refill`; an address with no token left is
// answered 429 with Retry-After before its credentials are even looked at. Buckets are per
// address, so an owner is never locked out by another address's guessing; successes cost
// nothing. Memory is bounded: at `max_addresses` the fully refilled buckets are forgotten
// (and, if that is not enough, all of them).
// Thread-safe.
#pragma once

#include <chrono>
#include <cstddef>
#include <string>
#include <string_view>
#include <unordered_map>

#include "core/mutex.h"

namespace cdrd::api {

class AuthThrottle {
 public:
  using Clock = std::chrono::steady_clock;
  struct Limits {
    double burst = 20;  // failures an address may make in a row; 0: no throttling
    std::chrono::milliseconds refill{3'000};  // one more failure allowed per this time
    std::size_t max_addresses = 100'000;
  };

  AuthThrottle() : AuthThrottle(Limits{}) {}
  explicit AuthThrottle(Limits limits) : limits_(limits) {}

  // Whole seconds until `address` may try again; 0 when it may now.
  int retry_after(std::string_view address, Clock::time_point now = Clock::now()) EXCLUDES(mu_);
  // Records a failed authentication from `address`.
  void failed(std::string_view address, Clock::time_point now = Clock::now()) EXCLUDES(mu_);

  const Limits& limits() const { return limits_; }

 private:
  struct Bucket {
    double tokens = 0;
    Clock::time_point at;
  };
  // The bucket's tokens brought up to `now` (reads only `bucket` and limits_).
  double refilled(const Bucket& bucket, Clock::time_point now) const;

  const Limits limits_;
  Mutex mu_;
  std::unordered_map<std::string, Bucket> buckets_ GUARDED_BY(mu_);
};

}  // namespace cdrd::api
