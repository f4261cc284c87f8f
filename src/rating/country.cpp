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

// The regions libphonenumber knows as countries, numbered from 1 (0 stands for no country), so
// that an answer fits a byte (the recent answers' words, the automaton's states).
class RegionNames {
 public:
  static constexpr std::size_t kMax = 255;  // indexes 0..254: 255 is left free for "ask"

  RegionNames() {
    using i18n::phonenumbers::PhoneNumberUtil;
    std::set<std::string> regions;
    PhoneNumberUtil::GetInstance()->GetSupportedRegions(&regions);
    names_.emplace_back();  // index 0: no country
    for (const std::string& r : regions) {
      if (!is_alpha2(r)) continue;
      index_of_[slot(r)] = static_cast<std::uint8_t>(names_.size());
      names_.push_back(r);
    }
    usable_ = names_.size() <= kMax;
  }

  // False if there are too many regions for a byte: then no answer is kept by index.
  bool usable() const { return usable_; }
  // The index of an alpha-2 code, 0 for "" and for a code libphonenumber does not know.
  std::size_t index(std::string_view country) const {
    if (!usable_ || !is_alpha2(country)) return 0;
    return index_of_[slot(country)];
  }
  const std::string& name(std::size_t index) const { return names_[index]; }

  static bool is_alpha2(std::string_view r) {
    return r.size() == 2 && r[0] >= 'A' && r[0] <= 'Z' && r[1] >= 'A' && r[1] <= 'Z';
  }

 private:
  // "AA".."ZZ" as 0..675.
  static std::size_t slot(std::string_view r) {
    return static_cast<std::size_t>(r[0] - 'A') * 26 + static_cast<std::size_t>(r[1] - 'A');
  }

  std::vector<std::string> names_;                             // "" first
  std::array<std::uint8_t, std::size_t{26} * 26> index_of_{};  // alpha-2 -> index, 0: none
  bool usable_ = false;
};

// A deterministic automaton over the digits of a number (after '+') whose state after the last
// digit holds country_of's answer: the index of a region (0: no country) or kAsk, "ask
// libphonenumber", for exactly the numbers CountryTable::country leaves to it. A number costs one
// table load per digit and no pattern walk. Built once by CountryTable::automaton, which runs
// every pattern of a calling code side by side over the digits (DigitPattern::step): a state
// stands for the number of digits read and where every pattern of the code stands, and equal
// states are made once, so the automaton has about as many states as the patterns have distinct
// prefixes. Immutable after it is built.
class CountryAutomaton {
 public:
  static constexpr std::uint8_t kAsk = 255;
  static constexpr std::uint32_t kNone = 0;   // no country, whatever digits follow
  static constexpr std::uint32_t kDefer = 1;  // ask, whatever digits follow
  static constexpr std::uint32_t kRoot = 2;   // no digit read yet

  CountryAutomaton() {
    add_state(0);
    add_state(kAsk);
    for (unsigned d = 0; d < 10; ++d) {
      next_[kNone * 10 + d] = kNone;
      next_[kDefer * 10 + d] = kDefer;
    }
  }

  // The answer for 1-15 digits, the first not 0.
  std::uint8_t answer(std::string_view digits) const {
    if (next_.size() <= std::size_t{kRoot} * 10) return kAsk;  // not built: every number is asked
    std::uint32_t s = kRoot;
    for (char c : digits) s = next_[std::size_t{s} * 10 + static_cast<unsigned>(c - '0')];
    return answer_[s];
  }
  std::size_t states() const { return answer_.size(); }

  std::uint32_t add_state(std::uint8_t answer) {
    answer_.push_back(answer);
    next_.resize(next_.size() + 10, kDefer);
    return static_cast<std::uint32_t>(answer_.size() - 1);
  }
  void set_next(std::uint32_t from, unsigned digit, std::uint32_t to) {
    next_[std::size_t{from} * 10 + digit] = to;
  }
  void clear() { *this = CountryAutomaton(); }

 private:
  std::vector<std::uint32_t> next_;  // 10 a state: the state after the digit 0..9
  std::vector<std::uint8_t> answer_;
};

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

  // The automaton that gives country()'s answers, kAsk where country() gives nullopt (see
  // CountryAutomaton); an empty one (every number asked) if a region has no index in `names`.
  CountryAutomaton automaton(const RegionNames& names) const {
    CountryAutomaton a;
    if (!names.usable()) return a;
    const std::uint32_t root = a.add_state(CountryAutomaton::kAsk);
    if (root != CountryAutomaton::kRoot || !code_states(a, names, root, 0, 0)) a.clear();
    return a;
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

  // The states of the calling-code digits: `state` has read `depth` digits, `prefix` their value,
  // and none of its prefixes is a code. country() asks libphonenumber for 2 digits or fewer.
  bool code_states(CountryAutomaton& a, const RegionNames& names, std::uint32_t state, int prefix,
                   int depth) const {
    for (unsigned d = 0; d < 10; ++d) {
      const int code = prefix * 10 + static_cast<int>(d);
      std::uint32_t to = CountryAutomaton::kDefer;
      if (depth == 0 && d == 0) {
        to = CountryAutomaton::kDefer;  // never asked: e164_digits refuses a leading 0
      } else if (const CodeRules* rules = codes_[static_cast<std::size_t>(code)].get()) {
        if (rules->non_geographic) {
          to = no_country_after(a, depth + 1);
        } else if (!rules->usable) {
          to = CountryAutomaton::kDefer;
        } else {
          const std::optional<std::uint32_t> start = national_states(a, names, *rules, depth + 1);
          if (!start) return false;
          to = *start;
        }
      } else if (depth + 1 == 3) {
        to = CountryAutomaton::kNone;  // no calling code has more than 3 digits
      } else {
        to = a.add_state(CountryAutomaton::kAsk);
        if (!code_states(a, names, to, code, depth + 1)) return false;
      }
      a.set_next(state, d, to);
    }
    return true;
  }

  // "" for every number of more than 2 digits, asked below that: the state after `depth` digits.
  static std::uint32_t no_country_after(CountryAutomaton& a, int depth) {
    if (depth >= 3) return CountryAutomaton::kNone;
    const std::uint32_t s = a.add_state(CountryAutomaton::kAsk);
    const std::uint32_t then = no_country_after(a, depth + 1);
    for (unsigned d = 0; d < 10; ++d) a.set_next(s, d, then);
    return s;
  }

  // The patterns of a code, in slots: per region, [leading digits if the code has several
  // regions], general, then the ten types; a slot without a pattern accepts nothing.
  struct Slot {
    const DigitPattern* pattern = nullptr;
    bool prefix = false;  // a leading-digits pattern, matched as a prefix
  };
  static constexpr std::size_t kSlotsPerRegion = 12;
  // One pattern still able to match, followed over the national digits: where its paths stand,
  // and for a prefix pattern whether a match has ended already (then its paths no longer
  // matter). A pattern that can no longer match has no track.
  struct Track {
    std::uint32_t slot = 0;
    bool matched = false;
    DigitPattern::Threads at;
  };
  struct Walk {
    int national = 0;           // national digits read
    std::vector<Track> tracks;  // by slot
  };

  static const Track* track_of(const Walk& w, std::uint32_t slot) {
    const auto it = std::lower_bound(w.tracks.begin(), w.tracks.end(), slot,
                                     [](const Track& t, std::uint32_t s) { return t.slot < s; });
    return it != w.tracks.end() && it->slot == slot ? &*it : nullptr;
  }

  static std::string key_of(const Walk& w) {
    std::string key;
    key.push_back(static_cast<char>(w.national));
    for (const Track& t : w.tracks) {
      const std::uint32_t head[3] = {t.slot, t.matched, static_cast<std::uint32_t>(t.at.size())};
      key.append(reinterpret_cast<const char*>(head), sizeof head);
      key.append(reinterpret_cast<const char*>(t.at.data()), t.at.size() * sizeof(std::uint32_t));
    }
    return key;
  }

  // country()'s answer for a number whose national digits end where `w` stands.
  static std::uint8_t final_answer(const CodeRules& rules, const std::vector<Slot>& slots,
                                   const Walk& w, const RegionNames& names) {
    if (w.national < 2) return CountryAutomaton::kAsk;
    const auto entire = [&](const Desc& d, std::size_t slot) {
      if (!d.lengths.empty() &&
          std::find(d.lengths.begin(), d.lengths.end(), w.national) == d.lengths.end()) {
        return false;
      }
      const Track* t = track_of(w, static_cast<std::uint32_t>(slot));
      return t != nullptr && slots[slot].pattern->match_at_end(t->at);
    };
    // valid_in: the general description, then one of the types (mobile only if it differs).
    const auto valid = [&](std::size_t r) {
      const Region& region = rules.regions[r];
      const std::size_t base = r * kSlotsPerRegion;
      if (!entire(region.general, base + 1)) return false;
      const std::size_t mobile = region.types.size() - 1;
      for (std::size_t i = 0; i < region.types.size(); ++i) {
        if (i == mobile && region.same_mobile_and_fixed_line) break;
        if (entire(region.types[i], base + 2 + i)) return true;
      }
      return false;
    };
    std::optional<std::size_t> region;
    if (rules.regions.size() == 1) {
      region = 0;
    } else {
      for (std::size_t r = 0; r < rules.regions.size() && !region; ++r) {
        const std::size_t lead = r * kSlotsPerRegion;
        bool yes = false;
        if (slots[lead].prefix) {
          const Track* t = track_of(w, static_cast<std::uint32_t>(lead));
          yes = t != nullptr && (t->matched || slots[lead].pattern->match_at_end(t->at));
        } else {
          yes = valid(r);
        }
        if (yes) region = r;
      }
      if (!region) return 0;  // "ZZ": no region of the code
    }
    if (!valid(*region)) return 0;
    return static_cast<std::uint8_t>(names.index(rules.regions[*region].id));
  }

  // The states of the national digits of a code whose `code_digits` digits are read; the first
  // of them (no national digit yet). nullopt if a region has no index.
  static std::optional<std::uint32_t> national_states(CountryAutomaton& a, const RegionNames& names,
                                                      const CodeRules& rules, int code_digits) {
    std::vector<Slot> slots;
    for (const Region& r : rules.regions) {
      if (names.index(r.id) == 0 || r.types.size() + 2 != kSlotsPerRegion) return std::nullopt;
      Slot lead;
      if (rules.regions.size() > 1 && r.leading_digits) lead = {&*r.leading_digits, true};
      slots.push_back(lead);
      slots.push_back({r.general.pattern ? &*r.general.pattern : nullptr, false});
      for (const Desc& d : r.types) slots.push_back({d.pattern ? &*d.pattern : nullptr, false});
    }
    Walk first;
    for (std::size_t i = 0; i < slots.size(); ++i) {
      if (slots[i].pattern == nullptr) continue;
      Track t;
      t.slot = static_cast<std::uint32_t>(i);
      t.at = slots[i].pattern->start();
      if (!t.at.empty()) first.tracks.push_back(std::move(t));
    }
    const int max_national = 15 - code_digits;
    std::unordered_map<std::string, std::uint32_t> made;
    std::vector<std::pair<std::uint32_t, Walk>> pending;  // states whose digits are not set yet
    const auto state_of = [&](Walk&& w) -> std::uint32_t {
      // Nothing can match any more: no country for this and every longer number (2+ digits).
      if (w.national >= 2 && w.tracks.empty()) return CountryAutomaton::kNone;
      std::string key = key_of(w);
      if (const auto it = made.find(key); it != made.end()) return it->second;
      const std::uint32_t id = a.add_state(final_answer(rules, slots, w, names));
      made.emplace(std::move(key), id);
      // At 15 digits in all no digit follows (e164_digits): its digits stay kDefer.
      if (w.national < max_national) pending.emplace_back(id, std::move(w));
      return id;
    };
    const auto stepped = [&slots](const Walk& w, unsigned d) {
      Walk n;
      n.national = w.national + 1;
      for (const Track& t : w.tracks) {
        const Slot& slot = slots[t.slot];
        Track s;
        s.slot = t.slot;
        // A match of a shorter prefix than the number: a prefix match however it goes on.
        s.matched = slot.prefix && (t.matched || slot.pattern->match_here(t.at));
        if (!s.matched) {
          s.at = slot.pattern->step(t.at, d);
          if (s.at.empty()) continue;  // can no longer match
        }
        n.tracks.push_back(std::move(s));
      }
      return n;
    };
    const std::uint32_t start = a.add_state(CountryAutomaton::kAsk);
    for (unsigned d = 1; d < 10; ++d) {
      // Parse keeps a leading 0 and strips a national prefix: those numbers are asked (kDefer).
      if (((rules.prefix_first_digits >> d) & 1) != 0) continue;
      a.set_next(start, d, state_of(stepped(first, d)));
    }
    while (!pending.empty()) {
      auto [id, w] = std::move(pending.back());
      pending.pop_back();
      for (unsigned d = 0; d < 10; ++d) a.set_next(id, d, state_of(stepped(w, d)));
    }
    return start;
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
  explicit RecentAnswers(const RegionNames& names) : names_(names) {}

  std::optional<std::string_view> find(std::string_view digits) const {
    if (!names_.usable()) return std::nullopt;
    const std::uint64_t key = key_of(digits);
    const std::uint64_t word = slots_[slot_of(key)].load(std::memory_order_relaxed);
    if ((word & kInUse) == 0 || (word & kKeyMask) != key) return std::nullopt;
    return std::string_view(names_.name((word >> kRegionShift) & 0xFF));
  }

  void remember(std::string_view digits, std::string_view country) const {
    if (!names_.usable()) return;
    std::size_t index = 0;
    if (!country.empty()) {
      index = names_.index(country);
      if (index == 0) return;  // not a region it knows (never an answer of country_of): not kept
    }
    const std::uint64_t key = key_of(digits);
    slots_[slot_of(key)].store(kInUse | (std::uint64_t{index} << kRegionShift) | key,
                               std::memory_order_relaxed);
  }

 private:
  static constexpr std::size_t kSlotBits = 16;
  static constexpr int kRegionShift = 54;  // an index fits the 8 bits above
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

  const RegionNames& names_;
  mutable std::array<std::atomic<std::uint64_t>, std::size_t{1} << kSlotBits> slots_{};
};

// Everything country_of answers from, made on its first call (C++ makes that thread-safe).
struct Derivation {
  RegionNames names;
  CountryTable table;
  CountryAutomaton automaton = table.automaton(names);
  RecentAnswers recent{names};

  static const Derivation& get() {
    static const Derivation d;
    return d;
  }
};

// The table's answer, or libphonenumber's (remembered) where the table leaves it open.
std::string by_patterns(const Derivation& d, std::string_view digits) {
  std::optional<std::string> country = d.table.country(digits);
  if (!country) country = remembered_look_up(digits);
  return std::move(*country);
}

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
  const Derivation& d = Derivation::get();
  const std::uint8_t answer = d.automaton.answer(*digits);
  if (answer != CountryAutomaton::kAsk) return d.names.name(answer);
  // What the table leaves open (a national prefix or a leading 0 after the calling code) is
  // libphonenumber's to answer, slowly: recent answers are kept.
  if (std::optional<std::string_view> country = d.recent.find(*digits)) {
    return std::string(*country);
  }
  std::string country = by_patterns(d, *digits);
  d.recent.remember(*digits, country);
  return country;
}

std::string country_of_by_patterns(std::string_view number) {
  const std::optional<std::string_view> digits = e164_digits(number);
  if (!digits) return "";
  return by_patterns(Derivation::get(), *digits);
}

std::size_t country_automaton_states() { return Derivation::get().automaton.states(); }

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
