#include "api/app/auth_throttle.h"

#include <algorithm>
#include <cmath>

namespace cdrd::api {

double AuthThrottle::refilled(const Bucket& bucket, Clock::time_point now) const {
  const double elapsed = std::chrono::duration<double, std::milli>(now - bucket.at).count();
  const double per = static_cast<double>(limits_.refill.count());
  return std::min(limits_.burst, bucket.tokens + (per > 0 ? elapsed / per : limits_.burst));
}

int AuthThrottle::retry_after(std::string_view address, Clock::time_point now) {
  if (limits_.burst <= 0) return 0;
  MutexLock lock(&mu_);
  const auto it = buckets_.find(std::string(address));
  if (it == buckets_.end()) return 0;
  const double tokens = refilled(it->second, now);
  if (tokens >= 1) return 0;
  const double wait_ms = (1 - tokens) * static_cast<double>(limits_.refill.count());
  return std::max(1, static_cast<int>(std::ceil(wait_ms / 1000.0)));
}

void AuthThrottle::failed(std::string_view address, Clock::time_point now) {
  if (limits_.burst <= 0) return;
  MutexLock lock(&mu_);
  if (buckets_.size() >= limits_.max_addresses) {
    std::erase_if(buckets_,
                  [&](const auto& entry) { return refilled(entry.second, now) >= limits_.burst; });
    if (buckets_.size() >= limits_.max_addresses) buckets_.clear();
  }
  auto [it, inserted] = buckets_.try_emplace(std::string(address), Bucket{limits_.burst, now});
  Bucket& bucket = it->second;
  bucket.tokens = std::max(0.0, refilled(bucket, now) - 1);
  bucket.at = now;
}

}  // namespace cdrd::api
