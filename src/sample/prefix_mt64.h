// PrefixMt64: the output sequence of std::mt19937_64 seeded with one value, made lazily.
//
// A sample record seeds a generator of its own and draws a few dozen numbers from it. The
// standard engine computes its whole state of 312 words when seeded and twists all of it before
// its first output: some 600 steps per record, most of the cost of making a record. Output k
// (k < 156) of the engine depends only on the seeding words k, k + 1 and k + 156, and the
// seeding words follow one another, so this class seeds only as far as the outputs asked for
// need and twists one word per output. From output 156 on it hands over to a std::mt19937_64
// advanced past the outputs already given, so the sequence is the engine's whatever the length
// (sample_calls_test compares both).
//
// Not thread-safe (one per thread, as the engine).
#pragma once

#include <cstdint>
#include <optional>
#include <random>

namespace cdrd::sample {

class PrefixMt64 {
 public:
  explicit PrefixMt64(std::uint64_t seed) : seed_(seed) { x_[0] = seed; }

  std::uint64_t operator()() {
    if (next_ < kShift) {
      seed_through(next_ + kShift);
      const std::uint64_t y = (x_[next_] & kUpper) | (x_[next_ + 1] & kLower);
      std::uint64_t z = x_[next_ + kShift] ^ (y >> 1) ^ ((y & 1) != 0 ? kMatrix : 0);
      ++next_;
      z ^= (z >> 29) & 0x5555555555555555ULL;
      z ^= (z << 17) & 0x71d67fffeda60000ULL;
      z ^= (z << 37) & 0xfff7eee000000000ULL;
      return z ^ (z >> 43);
    }
    if (!rest_) {
      rest_.emplace(seed_);
      rest_->discard(kShift);
    }
    return (*rest_)();
  }

 private:
  static constexpr int kWords = 312, kShift = 156;
  static constexpr std::uint64_t kUpper = ~0ULL << 31, kLower = ~kUpper;
  static constexpr std::uint64_t kMatrix = 0xb5026f5aa96619e9ULL;

  // Seeding words [0, i] (the engine's seed(): x[i] = f * (x[i-1] ^ (x[i-1] >> 62)) + i).
  void seed_through(int i) {
    for (; seeded_ <= i; ++seeded_) {
      const std::uint64_t prev = x_[seeded_ - 1];
      x_[seeded_] = 6364136223846793005ULL * (prev ^ (prev >> 62)) + static_cast<unsigned>(seeded_);
    }
  }

  std::uint64_t seed_;
  std::uint64_t x_[kWords];  // words [0, seeded_) are set
  int seeded_ = 1;
  int next_ = 0;  // outputs given so far, while below kShift
  std::optional<std::mt19937_64> rest_;
};

}  // namespace cdrd::sample
