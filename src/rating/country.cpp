#include "rating/country.h"

#include <phonenumbers/phonenumber.pb.h>
#include <phonenumbers/phonenumberutil.h>

#include <array>
#include <functional>
#include <unordered_map>

#include "core/mutex.h"

namespace cdrd::rating {
namespace {

// libphonenumber's Parse and validity check cost about 10-20 µs a number, which would be most
// of ingest's CPU time; numbers repeat a lot (an account's own numbers, frequent destinations),
// so answers are remembered. Sharded to keep ingest threads from queueing on one lock; a full
// shard is simply emptied (no LRU bookkeeping on the hot path). At most kShards x kPerShard
// entries of a short string and two letters each (a few tens of MB at worst).
class CountryMemo {
 public:
  // The remembered answer: false when `number` is not remembered.
  bool find(std::string_view number, std::string& country) {
    Shard& s = shard(number);
    MutexLock lock(&s.mu);
    const auto it = s.map.find(number);
    if (it == s.map.end()) return false;
    country = it->second;
    return true;
  }
  void remember(std::string_view number, const std::string& country) {
    Shard& s = shard(number);
    MutexLock lock(&s.mu);
    if (s.map.size() >= kPerShard) s.map.clear();
    s.map.emplace(std::string(number), country);
  }

 private:
  static constexpr std::size_t kShards = 64;
  static constexpr std::size_t kPerShard = 4096;
  struct Hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  struct Shard {
    Mutex mu;
    std::unordered_map<std::string, std::string, Hash, std::equal_to<>> map GUARDED_BY(mu);
  };
  Shard& shard(std::string_view number) { return shards_[Hash{}(number) % kShards]; }
  std::array<Shard, kShards> shards_;
};

// The country by libphonenumber, for '+' and 1-15 digits not starting with 0.
std::string look_up(std::string_view digits) {
  using i18n::phonenumbers::PhoneNumber;
  using i18n::phonenumbers::PhoneNumberUtil;
  const PhoneNumberUtil& util = *PhoneNumberUtil::GetInstance();
  PhoneNumber parsed;
  std::string text = "+";
  text.append(digits);
  if (util.Parse(text, "ZZ", &parsed) != PhoneNumberUtil::NO_PARSING_ERROR) return "";
  // IsValidNumber(n) is IsValidNumberForRegion(n, GetRegionCodeForNumber(n)); asking for the
  // region first spares the second region search (slow for the +1 and +44 families).
  std::string region;
  util.GetRegionCodeForNumber(parsed, &region);
  // "ZZ" is unknown and "001" the non-geographic entity: neither is a country.
  const bool alpha2 = region.size() == 2 && region[0] >= 'A' && region[0] <= 'Z' &&
                      region[1] >= 'A' && region[1] <= 'Z';
  if (!alpha2 || region == "ZZ") return "";
  if (!util.IsValidNumberForRegion(parsed, region)) return "";
  return region;
}

}  // namespace

std::string country_of(std::string_view number) {
  if (!number.empty() && number.front() == '+') number.remove_prefix(1);
  // E.164 allows at most 15 digits; the first is a country code digit, never 0.
  if (number.empty() || number.size() > 15 || number.front() == '0') return "";
  for (char c : number) {
    if (c < '0' || c > '9') return "";
  }
  static CountryMemo memo;
  std::string country;
  if (memo.find(number, country)) return country;
  country = look_up(number);
  memo.remember(number, country);
  return country;
}

}  // namespace cdrd::rating
