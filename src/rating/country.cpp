#include "rating/country.h"

#include <phonenumbers/phonemetadata.pb.h>
#include <phonenumbers/phonenumber.pb.h>
#include <phonenumbers/phonenumberutil.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cstdint>
#include <functional>
#include <list>
#include <memory>
#include <optional>
#include <set>
#include <unordered_map>
#include <vector>

#include "core/mutex.h"
#include "rating/digit_pattern.h"

// libphonenumber's own metadata, the serialised PhoneMetadataCollection its PhoneNumberUtil is
// built from (exported by the library, declared in its unpublished metadata.h).
namespace i18n::phonenumbers {
int metadata_size();
const void* metadata_get();
}  // namespace i18n::phonenumbers

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

// libphonenumber's answer for digits without '+', computed from its metadata with DigitPattern
// instead of ICU regular expressions: the same steps as PhoneNumberUtil::Parse (the country
// calling code is the first 1-3 digits that are one), GetRegionCodeForNumber (among the regions
// sharing the code, the first whose leading digits match, or, for one without leading digits,
// whose number types accept the number) and IsValidNumberForRegion (the general description and
// then one number type accept it: GetNumberTypeHelper). Where Parse would do more than cut the
// calling code off (strip a national prefix, keep leading zeros) or a pattern is outside
// DigitPattern's dialect, it answers nullopt and libphonenumber is asked.
class CountryTable {
 public:
  CountryTable() {
    using i18n::phonenumbers::PhoneMetadata;
    using i18n::phonenumbers::PhoneMetadataCollection;
    using i18n::phonenumbers::PhoneNumberUtil;
    PhoneMetadataCollection collection;
    if (!collection.ParseFromArray(i18n::phonenumbers::metadata_get(),
                                   i18n::phonenumbers::metadata_size())) {
      return;  // every number is asked of libphonenumber
    }
    std::unordered_map<std::string, const PhoneMetadata*> by_region;
    for (const PhoneMetadata& m : collection.metadata()) by_region.emplace(m.id(), &m);
    const PhoneNumberUtil& util = *PhoneNumberUtil::GetInstance();
    std::set<int> codes;
    util.GetSupportedCallingCodes(&codes);
    for (int code : codes) {
      if (code <= 0 || code >= static_cast<int>(codes_.size())) continue;
      auto rules = std::make_unique<CodeRules>();
      std::list<std::string> regions;
      util.GetRegionCodesForCountryCallingCode(code, &regions);
      rules->non_geographic = regions.size() == 1 && regions.front() == "001";
      bool ok = !regions.empty();
      for (const std::string& id : regions) {
        const auto it = by_region.find(id);
        if (it == by_region.end() || !is_alpha2(id)) {
          ok = false;  // the non-geographic entity "001" (never a country), or no metadata
          break;
        }
        std::optional<Region> region = compile_region(*it->second);
        if (!region) {
          ok = false;
          break;
        }
        rules->regions.push_back(std::move(*region));
      }
      if (ok) {
        // Parse strips the national prefix of the code's main region (the first listed).
        const std::string& prefix = by_region.at(regions.front())->national_prefix_for_parsing();
        if (!prefix.empty()) {
          Result<DigitPattern> p = DigitPattern::compile(prefix);
          ok = p.ok();
          if (ok) rules->prefix_first_digits = p->first_digits();
        }
      }
      rules->usable = ok;
      codes_[static_cast<std::size_t>(code)] = std::move(rules);
    }
  }

  // The country of `digits` (1-15 digits, the first not 0), or nullopt: ask libphonenumber.
  std::optional<std::string> country(std::string_view digits) const {
    if (digits.size() <= 2) return std::nullopt;  // too short for Parse: let it say so
    const CodeRules* rules = nullptr;
    std::size_t code_digits = 0;
    int code = 0;
    for (std::size_t i = 0; i < 3; ++i) {
      code = code * 10 + (digits[i] - '0');
      if (codes_[static_cast<std::size_t>(code)]) {
        rules = codes_[static_cast<std::size_t>(code)].get();
        code_digits = i + 1;
        break;
      }
    }
    if (rules == nullptr) return std::string();       // no such country calling code
    if (rules->non_geographic) return std::string();  // region "001" is no country
    if (!rules->usable) return std::nullopt;
    const std::string_view national = digits.substr(code_digits);
    if (national.size() < 2 || national.front() == '0') return std::nullopt;
    if ((rules->prefix_first_digits >> (national.front() - '0')) & 1) return std::nullopt;

    const Region* region = nullptr;
    if (rules->regions.size() == 1) {
      region = &rules->regions.front();
    } else {
      for (const Region& r : rules->regions) {
        DigitPattern::Match m = DigitPattern::Match::kNo;
        if (r.leading_digits) {
          m = r.leading_digits->matches_prefix(national);
        } else {
          m = valid_in(r, national);
        }
        if (m == DigitPattern::Match::kUnknown) return std::nullopt;
        if (m == DigitPattern::Match::kYes) {
          region = &r;
          break;
        }
      }
      if (region == nullptr) return std::string();  // "ZZ": no region of the code
    }
    switch (valid_in(*region, national)) {
      case DigitPattern::Match::kYes:
        return region->id;
      case DigitPattern::Match::kNo:
        return std::string();
      case DigitPattern::Match::kUnknown:
        break;
    }
    return std::nullopt;
  }

 private:
  // A PhoneNumberDesc: the lengths it allows (none listed: any) and its pattern (none: it
  // accepts nothing).
  struct Desc {
    std::vector<int> lengths;
    std::optional<DigitPattern> pattern;
  };
  struct Region {
    std::string id;
    std::optional<DigitPattern> leading_digits;
    Desc general;
    std::vector<Desc> types;  // in GetNumberTypeHelper's order, fixed line and mobile last
    bool same_mobile_and_fixed_line = false;
  };
  struct CodeRules {
    bool non_geographic = false;            // only the entity "001" (+800, +808, +870, ...)
    bool usable = false;                    // all its patterns compiled: the table may answer
    std::uint16_t prefix_first_digits = 0;  // a national prefix may start with these digits
    std::vector<Region> regions;            // in libphonenumber's order, the main one first
  };

  static bool is_alpha2(const std::string& id) {
    return id.size() == 2 && id[0] >= 'A' && id[0] <= 'Z' && id[1] >= 'A' && id[1] <= 'Z' &&
           id != "ZZ";
  }

  static std::optional<Desc> compile_desc(const i18n::phonenumbers::PhoneNumberDesc& d) {
    Desc out;
    out.lengths.assign(d.possible_length().begin(), d.possible_length().end());
    if (!d.national_number_pattern().empty()) {
      Result<DigitPattern> p = DigitPattern::compile(d.national_number_pattern());
      if (!p.ok()) return std::nullopt;
      out.pattern = std::move(p).value();
    }
    return out;
  }

  static std::optional<Region> compile_region(const i18n::phonenumbers::PhoneMetadata& m) {
    Region r;
    r.id = m.id();
    r.same_mobile_and_fixed_line = m.same_mobile_and_fixed_line_pattern();
    if (m.has_leading_digits()) {
      Result<DigitPattern> p = DigitPattern::compile(m.leading_digits());
      if (!p.ok()) return std::nullopt;
      r.leading_digits = std::move(p).value();
    }
    std::optional<Desc> general = compile_desc(m.general_desc());
    if (!general) return std::nullopt;
    r.general = std::move(*general);
    for (const auto* d :
         {&m.premium_rate(), &m.toll_free(), &m.shared_cost(), &m.voip(), &m.personal_number(),
          &m.pager(), &m.uan(), &m.voicemail(), &m.fixed_line(), &m.mobile()}) {
      std::optional<Desc> desc = compile_desc(*d);
      if (!desc) return std::nullopt;
      r.types.push_back(std::move(*desc));
    }
    return r;
  }

  // IsNumberMatchingDesc.
  static DigitPattern::Match matches(const Desc& d, std::string_view national) {
    const int length = static_cast<int>(national.size());
    if (!d.lengths.empty() &&
        std::find(d.lengths.begin(), d.lengths.end(), length) == d.lengths.end()) {
      return DigitPattern::Match::kNo;
    }
    if (!d.pattern) return DigitPattern::Match::kNo;
    return d.pattern->matches_entirely(national);
  }

  // GetNumberTypeHelper(national, region) != UNKNOWN.
  static DigitPattern::Match valid_in(const Region& r, std::string_view national) {
    DigitPattern::Match m = matches(r.general, national);
    if (m != DigitPattern::Match::kYes) return m;
    const std::size_t mobile = r.types.size() - 1;
    for (std::size_t i = 0; i < r.types.size(); ++i) {
      // With the same pattern for both, GetNumberTypeHelper asks only the fixed-line one.
      if (i == mobile && r.same_mobile_and_fixed_line) break;
      m = matches(r.types[i], national);
      if (m != DigitPattern::Match::kNo) return m;
    }
    return DigitPattern::Match::kNo;
  }

  std::array<std::unique_ptr<CodeRules>, 1000> codes_;
};

// The country by libphonenumber itself, remembered: for what the table leaves to it.
std::string remembered_look_up(std::string_view digits) {
  static CountryMemo memo;
  std::string country;
  if (memo.find(digits, country)) return country;
  country = look_up(digits);
  memo.remember(digits, country);
  return country;
}

// The answers for recent numbers, whichever way they were found: a direct-mapped table of
// kSlots 64-bit words, each read and written whole and atomically (no lock, so ingest threads
// never wait on one another; a slot another number takes over is simply overwritten). A word
// holds the number (its up to 15 digits as an integer and their count, 54 bits), the answer (an
// index into the regions libphonenumber knows, "" being 0) and a bit saying the slot is in use.
// A fixed 512 KiB, whatever the traffic.
class RecentAnswers {
 public:
  RecentAnswers() {
    using i18n::phonenumbers::PhoneNumberUtil;
    std::set<std::string> regions;
    PhoneNumberUtil::GetInstance()->GetSupportedRegions(&regions);
    regions_.emplace_back();  // index 0: no country
    for (const std::string& r : regions) {
      if (r.size() != 2 || r[0] < 'A' || r[0] > 'Z' || r[1] < 'A' || r[1] > 'Z') continue;
      index_of_[alpha2_slot(r)] = static_cast<std::uint8_t>(regions_.size());
      regions_.push_back(r);
    }
    usable_ = regions_.size() <= kMaxRegions;
  }

  std::optional<std::string_view> find(std::string_view digits) const {
    if (!usable_) return std::nullopt;
    const std::uint64_t key = key_of(digits);
    const std::uint64_t word = slots_[slot_of(key)].load(std::memory_order_relaxed);
    if ((word & kInUse) == 0 || (word & kKeyMask) != key) return std::nullopt;
    return std::string_view(regions_[(word >> kRegionShift) & 0xFF]);
  }

  void remember(std::string_view digits, std::string_view country) const {
    if (!usable_) return;
    std::size_t index = 0;
    if (!country.empty()) {
      const bool alpha2 = country.size() == 2 && country[0] >= 'A' && country[0] <= 'Z' &&
                          country[1] >= 'A' && country[1] <= 'Z';
      if (!alpha2) return;  // never an answer of country_of: not kept
      index = index_of_[alpha2_slot(country)];
      if (index == 0) return;  // not a region it knows: not kept
    }
    const std::uint64_t key = key_of(digits);
    slots_[slot_of(key)].store(kInUse | (std::uint64_t{index} << kRegionShift) | key,
                               std::memory_order_relaxed);
  }

 private:
  static constexpr std::size_t kSlotBits = 16;
  static constexpr std::size_t kMaxRegions = 256;  // an index fits 8 bits
  static constexpr std::size_t kAlpha2Codes = std::size_t{26} * 26;
  static constexpr int kRegionShift = 54;
  static constexpr std::uint64_t kKeyMask = (std::uint64_t{1} << kRegionShift) - 1;
  static constexpr std::uint64_t kInUse = std::uint64_t{1} << 63;

  // 1-15 digits: their value (below 10^15 < 2^50) and their count (4 bits above it), so that
  // "44" and "044" differ.
  static std::uint64_t key_of(std::string_view digits) {
    std::uint64_t v = 0;
    for (char c : digits) v = v * 10 + static_cast<std::uint64_t>(c - '0');
    return v | (std::uint64_t{digits.size()} << 50);
  }
  static std::size_t slot_of(std::uint64_t key) {
    return static_cast<std::size_t>((key * 0x9E3779B97F4A7C15ULL) >> (64 - kSlotBits));
  }

  // "AA".."ZZ" as 0..675.
  static std::size_t alpha2_slot(std::string_view r) {
    return static_cast<std::size_t>(r[0] - 'A') * 26 + static_cast<std::size_t>(r[1] - 'A');
  }

  std::vector<std::string> regions_;                   // the answers kept, "" first
  std::array<std::uint8_t, kAlpha2Codes> index_of_{};  // alpha-2 code -> index in regions_, 0: none
  bool usable_ = false;
  mutable std::array<std::atomic<std::uint64_t>, std::size_t{1} << kSlotBits> slots_{};
};

// Digits only: '+' and digits, at most 15, the first not 0; else nullopt.
std::optional<std::string_view> e164_digits(std::string_view number) {
  if (!number.empty() && number.front() == '+') number.remove_prefix(1);
  // E.164 allows at most 15 digits; the first is a country code digit, never 0.
  if (number.empty() || number.size() > 15 || number.front() == '0') return std::nullopt;
  for (char c : number) {
    if (c < '0' || c > '9') return std::nullopt;
  }
  return number;
}

}  // namespace

std::string country_of(std::string_view number) {
  const std::optional<std::string_view> digits = e164_digits(number);
  if (!digits) return "";
  static const RecentAnswers recent;
  if (std::optional<std::string_view> country = recent.find(*digits)) {
    return std::string(*country);
  }
  static const CountryTable table;
  std::optional<std::string> country = table.country(*digits);
  if (!country) country = remembered_look_up(*digits);
  recent.remember(*digits, *country);
  return std::move(*country);
}

std::string country_of_by_libphonenumber(std::string_view number) {
  const std::optional<std::string_view> digits = e164_digits(number);
  if (!digits) return "";
  return look_up(*digits);
}

std::string e164_in_region(std::string_view number, std::string_view region) {
  using i18n::phonenumbers::PhoneNumber;
  using i18n::phonenumbers::PhoneNumberUtil;
  if (number.empty() || number.front() < '0' || number.front() > '9') return "";
  for (char c : number) {
    // Digits and the separators people write; letters (vanity numbers) are not accepted.
    if ((c < '0' || c > '9') && c != ' ' && c != '-' && c != '.' && c != '(' && c != ')') return "";
  }
  const PhoneNumberUtil& util = *PhoneNumberUtil::GetInstance();
  PhoneNumber parsed;
  if (util.Parse(std::string(number), std::string(region), &parsed) !=
      PhoneNumberUtil::NO_PARSING_ERROR) {
    return "";
  }
  if (!util.IsValidNumber(parsed)) return "";
  std::string out;
  util.Format(parsed, PhoneNumberUtil::E164, &out);
  return out;
}

bool is_known_region(std::string_view region) {
  using i18n::phonenumbers::PhoneNumberUtil;
  const PhoneNumberUtil& util = *PhoneNumberUtil::GetInstance();
  return region.size() == 2 && util.GetCountryCodeForRegion(std::string(region)) != 0;
}

}  // namespace cdrd::rating
