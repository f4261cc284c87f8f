#include "store/index/account_call_index.h"

#include <algorithm>
#include <bit>
#include <functional>
#include <limits>
#include <utility>

namespace cdrd::index {

// The smallest and largest value of a column in a chunk (a chunk-level filter check).
template <class T>
struct MinMax {
  T min = std::numeric_limits<T>::max();
  T max = std::numeric_limits<T>::lowest();
  void add(T v) {
    min = std::min(min, v);
    max = std::max(max, v);
  }
  bool none_in(T lo, T hi) const { return max < lo || min > hi; }
  bool all_in(T lo, T hi) const { return min >= lo && max <= hi; }
};

// Durations are kept in 16 bits: the seconds themselves (plus 1 for the bridged duration, whose
// 0 means none) up to 65534, and kWide for a longer one, whose value the index keeps in a side
// table by row id (few calls last over 18 hours). The hangup code is 16 bits too: the code plus 1
// (ingest takes 1000 to 9999), 0 meaning none.
constexpr std::uint16_t kWide = 0xFFFF;
constexpr std::int64_t kMaxNarrowCause = 0xFFFE;
constexpr std::uint32_t kLongInit = 0xFFFFFFFF;

// The 16-bit form of a duration in [0, 2^31-1] (bias 1: the bridged duration).
constexpr std::uint16_t narrow(std::int32_t v, std::int32_t bias) {
  const std::int64_t stored = std::int64_t{v} + bias;
  return stored < kWide ? static_cast<std::uint16_t>(stored) : kWide;
}

// Which values a column of a chunk may hold: a Bloom filter of two bits per value, so an
// equality or IN filter on a dictionary column (a username, DID, trunk, extension) skips every
// chunk that cannot hold its values without reading the column. Never a false "no"; a false
// "maybe" (a few percent) only costs the scan it would have cost anyway. Sized to the values it
// holds: it doubles (rebuilt from the column) when a quarter of its bits are set, from 64 bits up
// to 8 bits per call of a full chunk, so a column of a few values costs 8 bytes a chunk and one
// of all-distinct values about a byte per call.
class ValueSet {
 public:
  bool may_hold(std::uint32_t v) const {
    if (words_.empty()) return false;
    const std::uint64_t h = hash(v);
    return bit(h >> 40) && bit(h >> 16);
  }
  // Adds column[i]; when it fills up, rebuilds from column[0, n) (which holds it) at twice the
  // size.
  void add(std::uint32_t v, const std::uint32_t* column, std::size_t n, std::size_t max_bits) {
    if (words_.empty()) words_.assign(1, 0);
    set(hash(v));
    const std::size_t bits = 64 * words_.size();
    if (4 * ones_ > bits && bits < max_bits) {
      words_.assign(2 * words_.size(), 0);
      ones_ = 0;
      for (std::size_t i = 0; i < n; ++i) set(hash(column[i]));
    }
  }
  // Holds exactly the values of column[0, n): from half its present size, doubled until no more
  // than a quarter of its bits are set (one or two passes when the values changed little).
  void rebuild(const std::uint32_t* column, std::size_t n, std::size_t max_bits) {
    std::size_t words = std::max<std::size_t>(1, words_.size() / 2);
    for (;;) {
      words_.assign(words, 0);
      ones_ = 0;
      for (std::size_t i = 0; i < n; ++i) set(hash(column[i]));
      if (4 * ones_ <= 64 * words || 64 * words >= max_bits) return;
      words *= 2;
    }
  }
  std::size_t memory_bytes() const { return words_.capacity() * sizeof(std::uint64_t); }

 private:
  static std::uint64_t hash(std::uint32_t v) { return (v + 1) * 0x9E3779B97F4A7C15ULL; }
  bool bit(std::uint64_t h) const {
    const std::size_t b = h & (64 * words_.size() - 1);
    return (words_[b / 64] >> (b % 64)) & 1;
  }
  void set(std::uint64_t h) {
    for (const std::uint64_t part : {h >> 40, h >> 16}) {
      const std::size_t b = part & (64 * words_.size() - 1);
      const std::uint64_t one = std::uint64_t{1} << (b % 64);
      if ((words_[b / 64] & one) == 0) ++ones_;
      words_[b / 64] |= one;
    }
  }

  std::vector<std::uint64_t> words_;  // a power of two of them
  std::uint32_t ones_ = 0;
};

namespace {

// A number's digits in base 11 (digit + 1; 0 pads a shorter number), 9 digits a word: 11^9 <
// 2^32. Padding with 0 makes a shorter number fall outside every longer prefix's range.
constexpr std::size_t kWordDigits = 9;
constexpr std::size_t kNumberDigits = 2 * kWordDigits;

constexpr std::int32_t kMax32 = std::numeric_limits<std::int32_t>::max();

std::uint32_t pow11(std::size_t n) {
  std::uint32_t p = 1;
  for (std::size_t i = 0; i < n; ++i) p *= 11;
  return p;
}

// The base-11 word of up to 9 digits, left-aligned (padded with 0s to 9).
std::uint32_t word(std::string_view d) {
  std::uint32_t v = 0;
  for (char c : d) v = v * 11 + static_cast<std::uint32_t>(c - '0' + 1);
  return v * pow11(kWordDigits - d.size());
}

std::string_view strip_plus(std::string_view s) {
  while (!s.empty() && s.front() == '+') s.remove_prefix(1);
  return s;
}

bool all_digits(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// The branch-free passes: mask[i] &= predicate(column[i]) over [0, n). Written as plain loops
// over arrays so that the compiler vectorises them.
// The scan kernels are built twice on x86-64, for AVX2 and for the baseline, and the loader
// picks the one the CPU runs (GCC's target_clones): about 17% faster filtered counts on 2M calls
// (index_scan, side by side), with one binary for every x86-64 machine.
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define CDRD_KERNEL __attribute__((target_clones("avx2", "default")))
#else
#define CDRD_KERNEL
#endif
template <class T>
CDRD_KERNEL void and_equal(std::uint8_t* m, const T* col, std::size_t n, T v) {
  for (std::size_t i = 0; i < n; ++i) m[i] &= static_cast<std::uint8_t>(col[i] == v);
}

// lo <= col[i] <= hi, as one unsigned comparison.
template <class T>
CDRD_KERNEL void and_between(std::uint8_t* m, const T* col, std::size_t n, T lo, T hi) {
  using U = std::make_unsigned_t<T>;
  const U span = static_cast<U>(static_cast<U>(hi) - static_cast<U>(lo));
  for (std::size_t i = 0; i < n; ++i) {
    m[i] &= static_cast<std::uint8_t>(static_cast<U>(static_cast<U>(col[i]) - static_cast<U>(lo)) <=
                                      span);
  }
}

// lo <= col[i] < lo + span, as one unsigned comparison.
CDRD_KERNEL void and_below(std::uint8_t* m, const std::uint32_t* col, std::size_t n,
                           std::uint32_t lo, std::uint32_t span) {
  for (std::size_t i = 0; i < n; ++i) m[i] &= static_cast<std::uint8_t>(col[i] - lo < span);
}

// col[i] is one of `values`: one vectorised pass per value into a scratch mask.
template <class T>
void and_in(std::uint8_t* m, const T* col, std::size_t n, const std::vector<T>& values) {
  if (values.size() == 1) return and_equal(m, col, n, values[0]);
  thread_local std::vector<std::uint8_t> any;
  any.assign(n, 0);
  std::uint8_t* a = any.data();
  for (T v : values) {
    for (std::size_t i = 0; i < n; ++i) a[i] |= static_cast<std::uint8_t>(col[i] == v);
  }
  for (std::size_t i = 0; i < n; ++i) m[i] &= a[i];
}

// lo <= end[i] - delta[i] <= hi (the initiation time), as one unsigned comparison.
CDRD_KERNEL void and_init_between(std::uint8_t* m, const std::int64_t* end,
                                  const std::uint32_t* delta, std::size_t n, std::int64_t lo,
                                  std::int64_t hi) {
  const std::uint64_t span = static_cast<std::uint64_t>(hi) - static_cast<std::uint64_t>(lo);
  for (std::size_t i = 0; i < n; ++i) {
    m[i] &= static_cast<std::uint8_t>(
        static_cast<std::uint64_t>(end[i]) - delta[i] - static_cast<std::uint64_t>(lo) <= span);
  }
}

CDRD_KERNEL std::size_t count_ones(const std::uint8_t* m, std::size_t n) {
  std::size_t c = 0;
  for (std::size_t i = 0; i < n; ++i) c += m[i];
  return c;
}

#undef CDRD_KERNEL

}  // namespace

NumberKey number_key(std::string_view number) {
  const std::string_view d = strip_plus(number);
  if (d.size() > kNumberDigits || !all_digits(d)) return {kOddNumber, 0};
  const std::size_t first = std::min(d.size(), kWordDigits);
  return {word(d.substr(0, first)), word(d.substr(first))};
}

IndexedCall IndexedCall::of(std::int64_t id, const CallRecord& r) {
  IndexedCall c;
  c.id = id;
  c.end_time = r.end_time;
  c.initiation_time = r.initiation_time;
  c.direction = r.direction;
  c.from_number = r.from_number;
  c.to_number = r.to_number;
  c.trunk_id = r.trunk_id;
  c.hangup_cause_code = r.hangup_cause_code;
  c.hangup_source = r.hangup_source;
  c.stir_verification = r.stir_verification;
  c.duration_s = r.duration_s;
  c.bill_duration_s = r.bill_duration_s;
  c.bridged_duration_s = r.bridged_duration_s;
  c.from_username = r.from_username;
  c.to_username = r.to_username;
  c.bridged_username = r.bridged_username;
  c.did_number = r.did_number;
  c.extension_id = r.extension_id;
  return c;
}

// ---- the chunk -------------------------------------------------------------------------------

struct AccountCallIndex::Chunk {
  explicit Chunk(std::size_t rows)
      : max_set_bits(std::bit_ceil(std::max<std::size_t>(64, 8 * rows))) {}

  // One entry per call, in (end_time, id) order.
  std::vector<std::int64_t> end_time, id;
  // end_time - initiation_time in microseconds, or kLongInit: the initiation_time is in
  // long_init_ (a call of over 71 minutes from initiation to end, or one ending before it began).
  std::vector<std::uint32_t> init;
  std::size_t long_init = 0;                                  // kLongInit entries (or more)
  std::vector<std::uint32_t> from_hi, from_lo, to_hi, to_lo;  // number_key()
  std::vector<std::uint16_t> bill, dur, bridged, cause;  // narrow(), and the code + 1 (0: none)
  std::vector<std::uint8_t> dir, source, stir;
  std::vector<std::uint32_t> trunk, from_user, to_user, bridged_user, did, ext;

  // The min/max of each column (numbers: of the integer keys, odd numbers left out).
  MinMax<std::int64_t> init_mm;
  MinMax<std::uint32_t> from_mm, to_mm;  // of the first words
  // Of the durations in seconds (-1: no bridged duration; a wide one counts as [65534, 2^31-1]).
  MinMax<std::int32_t> bill_mm, dur_mm, bridged_mm;
  MinMax<std::uint16_t> cause_mm;
  std::size_t wide_bill = 0, wide_dur = 0, wide_bridged = 0;  // kWide entries (or more)
  MinMax<std::uint8_t> dir_mm, source_mm, stir_mm;
  MinMax<std::uint32_t> trunk_mm, from_user_mm, to_user_mm, bridged_user_mm, did_mm, ext_mm;
  // The values each dictionary column may hold (trunk, from_user, to_user, bridged_user, did, ext).
  ValueSet trunk_set, from_user_set, to_user_set, bridged_user_set, did_set, ext_set;
  std::size_t max_set_bits = 64;  // 8 bits per call of a full chunk, a power of two
  std::size_t odd_from = 0, odd_to = 0;
  MinMax<std::int64_t> end_mm;
  // The smallest (end_time, id) of the chunk: where it begins in the index's order.
  Micros first_end = std::numeric_limits<Micros>::max();
  std::int64_t first_id = std::numeric_limits<std::int64_t>::max();
  // [0, sorted) is in (end_time, id) order; [sorted, size()) are calls added since, in the order
  // they came (at most kPendingRows), merged in by settle().
  std::size_t sorted = 0;

  std::size_t size() const { return id.size(); }
  std::size_t pending() const { return size() - sorted; }
  bool before(std::size_t i, Micros t, std::int64_t row) const {
    return end_time[i] < t || (end_time[i] == t && id[i] < row);
  }

  template <class F>
  void each_column(F&& f) {
    each(*this, f);
  }
  template <class F>
  void each_column_const(F&& f) const {
    each(*this, f);
  }
  template <class Self, class F>
  static void each(Self& s, F& f) {
    f(s.end_time), f(s.id), f(s.init), f(s.from_hi), f(s.from_lo), f(s.to_hi), f(s.to_lo),
        f(s.bill), f(s.dur);
    f(s.bridged), f(s.cause), f(s.dir), f(s.source), f(s.stir), f(s.trunk), f(s.from_user);
    f(s.to_user), f(s.bridged_user), f(s.did), f(s.ext);
  }
  template <class F>
  void each_column_pair(Chunk& o, F&& f) {
    f(end_time, o.end_time), f(id, o.id), f(init, o.init), f(from_hi, o.from_hi),
        f(from_lo, o.from_lo);
    f(to_hi, o.to_hi), f(to_lo, o.to_lo), f(bill, o.bill), f(dur, o.dur), f(bridged, o.bridged);
    f(cause, o.cause), f(dir, o.dir), f(source, o.source), f(stir, o.stir), f(trunk, o.trunk);
    f(from_user, o.from_user), f(to_user, o.to_user), f(bridged_user, o.bridged_user);
    f(did, o.did), f(ext, o.ext);
  }

  // Counts call i into the min/max and (unless `sets` is false) the value sets.
  void account_for(std::size_t i, bool sets = true) {
    end_mm.add(end_time[i]);
    if (end_time[i] < first_end || (end_time[i] == first_end && id[i] < first_id)) {
      first_end = end_time[i];
      first_id = id[i];
    }
    if (init[i] == kLongInit) {
      ++long_init;
      init_mm.add(std::numeric_limits<std::int64_t>::lowest());
      init_mm.add(std::numeric_limits<std::int64_t>::max());
    } else {
      init_mm.add(end_time[i] - init[i]);
    }
    if (from_hi[i] == kOddNumber) {
      ++odd_from;
    } else {
      from_mm.add(from_hi[i]);
    }
    if (to_hi[i] == kOddNumber) {
      ++odd_to;
    } else {
      to_mm.add(to_hi[i]);
    }
    add_duration(bill_mm, wide_bill, bill[i], 0);
    add_duration(dur_mm, wide_dur, dur[i], 0);
    add_duration(bridged_mm, wide_bridged, bridged[i], 1);
    cause_mm.add(cause[i]);
    dir_mm.add(dir[i]), source_mm.add(source[i]), stir_mm.add(stir[i]), trunk_mm.add(trunk[i]);
    from_user_mm.add(from_user[i]), to_user_mm.add(to_user[i]);
    bridged_user_mm.add(bridged_user[i]), did_mm.add(did[i]), ext_mm.add(ext[i]);
    if (!sets) return;
    const std::size_t n = size();
    trunk_set.add(trunk[i], trunk.data(), n, max_set_bits);
    from_user_set.add(from_user[i], from_user.data(), n, max_set_bits);
    to_user_set.add(to_user[i], to_user.data(), n, max_set_bits);
    bridged_user_set.add(bridged_user[i], bridged_user.data(), n, max_set_bits);
    did_set.add(did[i], did.data(), n, max_set_bits);
    ext_set.add(ext[i], ext.data(), n, max_set_bits);
  }
  std::size_t sets_memory_bytes() const {
    return trunk_set.memory_bytes() + from_user_set.memory_bytes() + to_user_set.memory_bytes() +
           bridged_user_set.memory_bytes() + did_set.memory_bytes() + ext_set.memory_bytes();
  }

  static void add_duration(MinMax<std::int32_t>& mm, std::size_t& wide, std::uint16_t stored,
                           std::int32_t bias) {
    if (stored == kWide) {
      ++wide;
      mm.add(kWide - bias);
      mm.add(kMax32);
    } else {
      mm.add(static_cast<std::int32_t>(stored) - bias);  // the bridged duration's none: -1
    }
  }

  void recompute_stats() {
    wide_bill = wide_dur = wide_bridged = long_init = 0;
    init_mm = {}, from_mm = {}, to_mm = {}, bill_mm = {}, dur_mm = {}, bridged_mm = {};
    cause_mm = {}, dir_mm = {}, source_mm = {}, stir_mm = {}, trunk_mm = {}, from_user_mm = {};
    to_user_mm = {}, bridged_user_mm = {}, did_mm = {}, ext_mm = {};
    odd_from = odd_to = 0;
    end_mm = {};
    first_end = std::numeric_limits<Micros>::max();
    first_id = std::numeric_limits<std::int64_t>::max();
    for (std::size_t i = 0; i < size(); ++i) account_for(i, false);
    const std::size_t n = size();
    trunk_set.rebuild(trunk.data(), n, max_set_bits);
    from_user_set.rebuild(from_user.data(), n, max_set_bits);
    to_user_set.rebuild(to_user.data(), n, max_set_bits);
    bridged_user_set.rebuild(bridged_user.data(), n, max_set_bits);
    did_set.rebuild(did.data(), n, max_set_bits);
    ext_set.rebuild(ext.data(), n, max_set_bits);
  }

  // Merges the pending calls into the sorted ones: one pass over each column.
  void settle() {
    if (sorted == size()) return;
    auto less = [this](std::uint32_t a, std::uint32_t b) {
      return end_time[a] < end_time[b] || (end_time[a] == end_time[b] && id[a] < id[b]);
    };
    std::vector<std::uint32_t> fresh(pending());
    for (std::size_t i = 0; i < fresh.size(); ++i) {
      fresh[i] = static_cast<std::uint32_t>(sorted + i);
    }
    std::sort(fresh.begin(), fresh.end(), less);
    std::vector<std::uint32_t> order;
    order.reserve(size());
    std::size_t a = 0, b = 0;
    while (a < sorted || b < fresh.size()) {
      if (b == fresh.size() || (a < sorted && less(static_cast<std::uint32_t>(a), fresh[b]))) {
        order.push_back(static_cast<std::uint32_t>(a++));
      } else {
        order.push_back(fresh[b++]);
      }
    }
    each_column([&order](auto& column) {
      const std::remove_reference_t<decltype(column)> copy(column);
      for (std::size_t i = 0; i < order.size(); ++i) column[i] = copy[order[i]];
    });
    sorted = size();
  }

  // The position of the first sorted call at or after (t, row).
  std::size_t lower_bound(Micros t, std::int64_t row) const {
    std::size_t lo = 0, hi = sorted;
    while (lo < hi) {
      const std::size_t mid = (lo + hi) / 2;
      if (end_time[mid] < t || (end_time[mid] == t && id[mid] < row)) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo;
  }
  // The position of the first sorted call with end_time >= t.
  std::size_t first_at_or_after(Micros t) const {
    const auto begin = end_time.begin();
    return static_cast<std::size_t>(
        std::lower_bound(begin, begin + static_cast<std::ptrdiff_t>(sorted), t) - begin);
  }
};

// ---- the compiled query ----------------------------------------------------------------------

struct AccountCallIndex::Plan {
  struct Number {
    bool digits = false;  // 1-18 digits: integer ranges over the number words
    // First word in [lo, lo + span); with more than 9 digits, also the second word in
    // [lo2, lo2 + span2) (the first then has one value: span == 1).
    std::uint32_t lo = 0, span = 0;
    bool two_words = false;
    std::uint32_t lo2 = 0, span2 = 0;
    std::string text;  // the filter without its '+'
  };

  std::optional<std::uint8_t> dir, source, stir;
  std::optional<Number> from, to;
  std::optional<std::uint32_t> trunk;
  std::optional<std::uint16_t> cause;
  std::optional<std::pair<std::int32_t, std::int32_t>> bill, dur, bridged;
  std::optional<std::pair<std::int64_t, std::int64_t>> init;
  std::optional<Micros> end_from, end_until;
  std::vector<std::uint32_t> from_users, to_users, bridged_users, dids, exts;
};

namespace {

using Range32 = std::pair<std::int32_t, std::int32_t>;

// [min, max] of stored values that are all within [0, 2^31-1]; false: matches nothing.
bool range32(const IntRange& r, std::optional<Range32>& out) {
  if (!r.min && !r.max) return true;
  if (r.empty()) return false;
  const std::int64_t lo = std::max<std::int64_t>(r.min.value_or(0), 0);
  const std::int64_t hi = std::min<std::int64_t>(r.max.value_or(kMax32), kMax32);
  if (lo > hi) return false;
  out = Range32{static_cast<std::int32_t>(lo), static_cast<std::int32_t>(hi)};
  return true;
}

}  // namespace

std::optional<AccountCallIndex::Plan> AccountCallIndex::plan(const CallQuery& q) const {
  Plan p;
  // Direction and PBX flows are one column.
  unsigned allowed = 0b11;  // bit 0: inbound, bit 1: outbound
  if (q.direction) allowed &= *q.direction == Direction::kInbound ? 0b01u : 0b10u;
  if (!q.flows.empty()) {
    unsigned flows = 0;
    for (const std::string& f : q.flows) {
      if (f == "in") flows |= 0b01u;
      if (f == "out") flows |= 0b10u;
    }
    allowed &= flows;
  }
  if (allowed == 0) return std::nullopt;
  if (allowed != 0b11) {
    p.dir = static_cast<std::uint8_t>(allowed == 0b01 ? Direction::kInbound : Direction::kOutbound);
  }

  auto number = [](const NumberPrefix& n) {
    Plan::Number out;
    std::string_view d = n.digits;
    if (!d.empty() && d.front() == '+') d.remove_prefix(1);
    out.text = std::string(d);
    if (!d.empty() && d.size() <= kNumberDigits && all_digits(d)) {
      out.digits = true;
      // The words that begin with these digits: from the prefix padded with 0s, as many as
      // the padded places can hold.
      const std::size_t first = std::min(d.size(), kWordDigits);
      out.lo = word(d.substr(0, first));
      out.span = pow11(kWordDigits - first);
      if (d.size() > kWordDigits) {
        out.two_words = true;
        out.lo2 = word(d.substr(kWordDigits));
        out.span2 = pow11(kNumberDigits - d.size());
      }
    }
    return out;
  };
  if (q.from_number) p.from = number(*q.from_number);
  if (q.to_number) p.to = number(*q.to_number);

  if (q.trunk_id) {
    const std::optional<std::uint32_t> t = strings_.find(*q.trunk_id);
    if (!t) return std::nullopt;
    p.trunk = *t;
  }
  if (q.hangup_cause_code) {
    // Every code held is in [0, 65534] (else the index is not exact): another matches nothing.
    if (*q.hangup_cause_code < 0 || *q.hangup_cause_code > kMaxNarrowCause) return std::nullopt;
    p.cause = static_cast<std::uint16_t>(*q.hangup_cause_code + 1);
  }
  if (q.hangup_source) p.source = static_cast<std::uint8_t>(*q.hangup_source);
  if (q.stir_verification) p.stir = static_cast<std::uint8_t>(*q.stir_verification);
  if (!range32(q.bill_duration, p.bill) || !range32(q.duration, p.dur) ||
      !range32(q.bridged_duration, p.bridged)) {
    return std::nullopt;
  }
  if (q.end_time.empty() || q.initiation_time.empty()) return std::nullopt;
  p.end_from = q.end_time.from;
  p.end_until = q.end_time.until;
  if (q.initiation_time.from || q.initiation_time.until) {
    p.init = std::pair(q.initiation_time.from.value_or(std::numeric_limits<std::int64_t>::min()),
                       q.initiation_time.until ? *q.initiation_time.until - 1
                                               : std::numeric_limits<std::int64_t>::max());
  }

  // Each list matches any of its values; values never seen match nothing.
  auto ids = [this](const std::vector<std::string>& values, std::vector<std::uint32_t>& out) {
    for (const std::string& v : values) {
      if (std::optional<std::uint32_t> id = strings_.find(v)) out.push_back(*id);
    }
    return values.empty() || !out.empty();
  };
  if (!ids(q.from_usernames, p.from_users) || !ids(q.to_usernames, p.to_users) ||
      !ids(q.bridged_usernames, p.bridged_users) || !ids(q.did_numbers, p.dids)) {
    return std::nullopt;
  }
  for (std::int64_t e : q.extension_ids) {
    auto it = extensions_.find(e);
    if (it != extensions_.end()) p.exts.push_back(it->second);
  }
  if (!q.extension_ids.empty() && p.exts.empty()) return std::nullopt;
  return p;
}

// ---- counting --------------------------------------------------------------------------------

namespace {

enum class Cover { kNone, kSome, kAll };

template <class T>
Cover cover_equal(const MinMax<T>& mm, T v) {
  if (mm.none_in(v, v)) return Cover::kNone;
  return mm.all_in(v, v) ? Cover::kAll : Cover::kSome;
}
template <class T>
Cover cover_between(const MinMax<T>& mm, T lo, T hi) {
  if (mm.none_in(lo, hi)) return Cover::kNone;
  return mm.all_in(lo, hi) ? Cover::kAll : Cover::kSome;
}
template <class T>
Cover cover_in(const MinMax<T>& mm, const std::vector<T>& values) {
  bool some = false;
  for (T v : values) {
    if (mm.all_in(v, v)) return Cover::kAll;
    if (!mm.none_in(v, v)) some = true;
  }
  return some ? Cover::kSome : Cover::kNone;
}

}  // namespace

// The number of calls in [lo, lo + n) of `c` that match `p`, with m[i] set for each position
// lo + i that matches and cleared for the others. `window`: also check the end_time window
// (for pending calls, which binary search cannot place).
std::size_t AccountCallIndex::count_range(const Chunk& c, const Plan& p, std::size_t lo,
                                          std::size_t n, bool window, std::uint8_t* m) const {
  std::fill(m, m + n, std::uint8_t{1});
  if (n == 0) return 0;
  bool all = true;  // every filter so far passed by the whole chunk
  auto none = [m, n] {
    std::fill(m, m + n, std::uint8_t{0});
    return std::size_t{0};
  };
  if (window && (p.end_from || p.end_until)) {
    all = false;
    and_between(m, c.end_time.data() + lo, n,
                p.end_from.value_or(std::numeric_limits<std::int64_t>::min()),
                p.end_until ? *p.end_until - 1 : std::numeric_limits<std::int64_t>::max());
  }
  // Applies one filter unless the chunk's min/max settle it.
  auto apply = [&](Cover cover, auto&& pass) {
    if (cover == Cover::kAll) return true;
    if (cover == Cover::kNone) return false;
    all = false;
    pass();
    return true;
  };
  auto number = [&](const Plan::Number& f, const std::vector<std::uint32_t>& hi_words,
                    const std::vector<std::uint32_t>& lo_words, const MinMax<std::uint32_t>& mm,
                    std::size_t odd,
                    const std::unordered_map<std::int64_t, std::string>& odd_text) {
    const bool digits_may = f.digits && !mm.none_in(f.lo, f.lo + (f.span - 1));
    if (!digits_may && odd == 0) return false;
    all = false;
    // Odd numbers (kept as text) are checked one by one: remember their state first.
    std::vector<std::size_t> odd_rows;
    if (odd != 0) {
      for (std::size_t i = 0; i < n; ++i) {
        if (hi_words[lo + i] == kOddNumber && m[i]) odd_rows.push_back(i);
      }
    }
    if (!digits_may) {
      std::fill(m, m + n, std::uint8_t{0});
    } else {
      and_below(m, hi_words.data() + lo, n, f.lo, f.span);
      if (f.two_words) and_below(m, lo_words.data() + lo, n, f.lo2, f.span2);
    }
    for (std::size_t i : odd_rows) {
      const auto it = odd_text.find(c.id[lo + i]);
      m[i] = static_cast<std::uint8_t>(it != odd_text.end() &&
                                       std::string_view(it->second).starts_with(f.text));
    }
    return true;
  };

  // An equality filter on a column, unless absent.
  auto equal = [&](const auto& value, const auto& mm, const auto& column) {
    return !value ||
           apply(cover_equal(mm, *value), [&] { and_equal(m, column.data() + lo, n, *value); });
  };
  if (!equal(p.dir, c.dir_mm, c.dir) || !equal(p.source, c.source_mm, c.source) ||
      !equal(p.stir, c.stir_mm, c.stir) || !equal(p.trunk, c.trunk_mm, c.trunk) ||
      !equal(p.cause, c.cause_mm, c.cause)) {
    return none();
  }
  struct Duration {
    const std::optional<Range32>* range;
    const std::vector<std::uint16_t>* values;
    const MinMax<std::int32_t>* mm;
    std::size_t wide;
    const std::unordered_map<std::int64_t, std::int32_t>* wide_values;
    std::int32_t bias;
  };
  const Duration durations[] = {
      {&p.bill, &c.bill, &c.bill_mm, c.wide_bill, &wide_bill_, 0},
      {&p.dur, &c.dur, &c.dur_mm, c.wide_dur, &wide_dur_, 0},
      {&p.bridged, &c.bridged, &c.bridged_mm, c.wide_bridged, &wide_bridged_, 1}};
  for (const Duration& d : durations) {
    if (!*d.range) continue;
    const std::int32_t rlo = (*d.range)->first, rhi = (*d.range)->second;
    if (!apply(cover_between(*d.mm, rlo, rhi), [&] {
          // The 16-bit range; kWide is in it when the range reaches 65534 (with bias 0): a wide
          // value then passes and is checked against the side table.
          const std::uint16_t lo16 = narrow(rlo, d.bias), hi16 = narrow(rhi, d.bias);
          const std::uint16_t* values = d.values->data() + lo;
          and_between(m, values, n, lo16, hi16);
          if (d.wide == 0 || hi16 != kWide) return;
          for (std::size_t i = 0; i < n; ++i) {
            if (values[i] != kWide || !m[i]) continue;
            const auto it = d.wide_values->find(c.id[lo + i]);
            m[i] = static_cast<std::uint8_t>(it != d.wide_values->end() && it->second >= rlo &&
                                             it->second <= rhi);
          }
        })) {
      return none();
    }
  }
  if (p.init && !apply(cover_between(c.init_mm, p.init->first, p.init->second), [&] {
        // Long ones (kept on the side) are checked one by one: remember their state first.
        std::vector<std::size_t> long_rows;
        if (c.long_init != 0) {
          for (std::size_t i = 0; i < n; ++i) {
            if (c.init[lo + i] == kLongInit && m[i]) long_rows.push_back(i);
          }
        }
        and_init_between(m, c.end_time.data() + lo, c.init.data() + lo, n, p.init->first,
                         p.init->second);
        for (std::size_t i : long_rows) {
          const auto it = long_init_.find(c.id[lo + i]);
          m[i] = static_cast<std::uint8_t>(it != long_init_.end() && it->second >= p.init->first &&
                                           it->second <= p.init->second);
        }
      })) {
    return none();
  }
  struct List {
    const std::vector<std::uint32_t>* wanted;
    const std::vector<std::uint32_t>* values;
    const MinMax<std::uint32_t>* mm;
    const ValueSet* set;
  };
  const List lists[] = {
      {&p.from_users, &c.from_user, &c.from_user_mm, &c.from_user_set},
      {&p.to_users, &c.to_user, &c.to_user_mm, &c.to_user_set},
      {&p.bridged_users, &c.bridged_user, &c.bridged_user_mm, &c.bridged_user_set},
      {&p.dids, &c.did, &c.did_mm, &c.did_set},
      {&p.exts, &c.ext, &c.ext_mm, &c.ext_set}};
  std::vector<std::uint32_t> held;  // the wanted values the chunk may hold
  for (const List& list : lists) {
    if (list.wanted->empty()) continue;
    held.clear();
    for (std::uint32_t v : *list.wanted) {
      if (list.set->may_hold(v)) held.push_back(v);
    }
    if (held.empty()) return none();
    if (!apply(cover_in(*list.mm, held), [&] { and_in(m, list.values->data() + lo, n, held); })) {
      return none();
    }
  }
  if (p.from && !number(*p.from, c.from_hi, c.from_lo, c.from_mm, c.odd_from, odd_from_))
    return none();
  if (p.to && !number(*p.to, c.to_hi, c.to_lo, c.to_mm, c.odd_to, odd_to_)) return none();
  return all ? n : count_ones(m, n);
}

// False when the chunk's min/max or value sets show that no call of `c` matches `p`: checked
// before any column is read, so a selective filter costs a few probes per chunk it rules out.
bool AccountCallIndex::may_match(const Chunk& c, const Plan& p) {
  auto none_equal = [](const auto& value, const auto& mm) {
    return value && mm.none_in(*value, *value);
  };
  if (none_equal(p.dir, c.dir_mm) || none_equal(p.source, c.source_mm) ||
      none_equal(p.stir, c.stir_mm) || none_equal(p.trunk, c.trunk_mm) ||
      none_equal(p.cause, c.cause_mm)) {
    return false;
  }
  if (p.trunk && !c.trunk_set.may_hold(*p.trunk)) return false;
  auto none_between = [](const auto& range, const auto& mm) {
    return range && mm.none_in(range->first, range->second);
  };
  if (none_between(p.bill, c.bill_mm) || none_between(p.dur, c.dur_mm) ||
      none_between(p.bridged, c.bridged_mm) || none_between(p.init, c.init_mm)) {
    return false;
  }
  auto none_of = [](const std::vector<std::uint32_t>& wanted, const MinMax<std::uint32_t>& mm,
                    const ValueSet& set) {
    if (wanted.empty()) return false;
    return std::none_of(wanted.begin(), wanted.end(),
                        [&](std::uint32_t v) { return !mm.none_in(v, v) && set.may_hold(v); });
  };
  return !none_of(p.from_users, c.from_user_mm, c.from_user_set) &&
         !none_of(p.to_users, c.to_user_mm, c.to_user_set) &&
         !none_of(p.bridged_users, c.bridged_user_mm, c.bridged_user_set) &&
         !none_of(p.dids, c.did_mm, c.did_set) && !none_of(p.exts, c.ext_mm, c.ext_set);
}

// The matches of `p` among the calls of `c` in [lo, hi) of its sorted part and among its pending
// calls; mask[0, hi - lo) then mask[hi - lo, + pending) tell which.
std::size_t AccountCallIndex::count_in(const Chunk& c, const Plan& p, std::size_t lo,
                                       std::size_t hi, std::vector<std::uint8_t>& mask) const {
  if (!may_match(c, p)) return 0;  // the mask is not looked at then
  mask.resize(hi - lo + c.pending());
  return count_range(c, p, lo, hi - lo, false, mask.data()) +
         count_range(c, p, c.sorted, c.pending(), true, mask.data() + (hi - lo));
}

// ---- the index -------------------------------------------------------------------------------

std::string_view AccountCallIndex::Dictionary::at(std::uint32_t id) const {
  const std::uint32_t begin = id == 0 ? 0 : ends_[id - 1];
  return std::string_view(arena_).substr(begin, ends_[id] - begin);
}

std::size_t AccountCallIndex::Dictionary::slot_of(std::string_view s) const {
  const std::size_t mask = slots_.size() - 1;
  for (std::size_t i = std::hash<std::string_view>()(s) & mask;; i = (i + 1) & mask) {
    if (slots_[i] == 0 || at(slots_[i] - 1) == s) return i;
  }
}

void AccountCallIndex::Dictionary::grow() {
  std::vector<std::uint32_t> old = std::move(slots_);
  slots_.assign(std::max<std::size_t>(16, old.size() * 2), 0);
  for (std::uint32_t entry : old) {
    if (entry != 0) slots_[slot_of(at(entry - 1))] = entry;
  }
}

std::optional<std::uint32_t> AccountCallIndex::Dictionary::intern(std::string_view s) {
  // The empty string (no username, DID or trunk: most calls of one API or the other) without
  // hashing it.
  if (s.empty() && empty_id_) return empty_id_;
  if (2 * (ends_.size() + 1) > slots_.size()) grow();  // at most half full
  const std::size_t slot = slot_of(s);
  if (slots_[slot] != 0) return slots_[slot] - 1;
  if (arena_.size() + s.size() > std::numeric_limits<std::uint32_t>::max()) return std::nullopt;
  arena_ += s;
  ends_.push_back(static_cast<std::uint32_t>(arena_.size()));
  const auto id = static_cast<std::uint32_t>(ends_.size() - 1);
  slots_[slot] = id + 1;
  if (s.empty()) empty_id_ = id;
  return id;
}

std::optional<std::uint32_t> AccountCallIndex::Dictionary::find(std::string_view s) const {
  if (slots_.empty()) return std::nullopt;
  const std::uint32_t entry = slots_[slot_of(s)];
  if (entry == 0) return std::nullopt;
  return entry - 1;
}

std::size_t AccountCallIndex::Dictionary::memory_bytes() const {
  return arena_.capacity() + ends_.capacity() * sizeof(std::uint32_t) +
         slots_.capacity() * sizeof(std::uint32_t);
}

AccountCallIndex::AccountCallIndex(std::size_t chunk_rows)
    : chunk_rows_(std::max<std::size_t>(chunk_rows, 2)) {}
AccountCallIndex::~AccountCallIndex() = default;
AccountCallIndex::AccountCallIndex(AccountCallIndex&&) noexcept = default;
AccountCallIndex& AccountCallIndex::operator=(AccountCallIndex&&) noexcept = default;

std::size_t AccountCallIndex::chunk_for(Micros end_time, std::int64_t id) const {
  // The last chunk whose first call is at or before (end_time, id); the first chunk if none.
  if (chunks_.size() == 1) return 0;  // perhaps still empty
  std::size_t lo = 0, hi = chunks_.size();
  while (lo < hi) {
    const std::size_t mid = (lo + hi) / 2;
    const Chunk& c = *chunks_[mid];
    if (c.first_end < end_time || (c.first_end == end_time && c.first_id <= id)) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  return lo == 0 ? 0 : lo - 1;
}

void AccountCallIndex::add(const IndexedCall& call) {
  if (chunks_.empty()) chunks_.push_back(std::make_unique<Chunk>(chunk_rows_));
  const std::size_t ci = chunk_for(call.end_time, call.id);
  Chunk& c = *chunks_[ci];
  // Appended: at the end of the sorted calls when it comes after them (calls mostly arrive in
  // end_time order), else among the pending ones.
  const bool in_order =
      c.pending() == 0 && (c.sorted == 0 || c.before(c.sorted - 1, call.end_time, call.id));
  const std::size_t pos = c.size();

  auto fits = [](std::int64_t v) { return v >= 0 && v <= kMax32; };
  if (!fits(call.duration_s) || !fits(call.bill_duration_s) ||
      (call.bridged_duration_s && !fits(*call.bridged_duration_s)) ||
      (call.hangup_cause_code &&
       (*call.hangup_cause_code < 0 || *call.hangup_cause_code > kMaxNarrowCause))) {
    exact_ = false;
  }
  auto clamp32 = [](std::int64_t v) {
    return static_cast<std::int32_t>(std::clamp<std::int64_t>(v, 0, kMax32));
  };
  auto ins = [pos](auto& column, auto value) {
    column.insert(column.begin() + static_cast<std::ptrdiff_t>(pos), value);
  };
  const NumberKey from_key = number_key(call.from_number);
  const NumberKey to_key = number_key(call.to_number);
  if (from_key.hi == kOddNumber) odd_from_[call.id] = std::string(strip_plus(call.from_number));
  if (to_key.hi == kOddNumber) odd_to_[call.id] = std::string(strip_plus(call.to_number));
  std::uint32_t ext = 0;
  if (call.extension_id) {
    ext = extensions_
              .try_emplace(*call.extension_id, static_cast<std::uint32_t>(extensions_.size() + 1))
              .first->second;
  }
  if (c.id.size() == c.id.capacity()) {
    // Columns grow together and never past one chunk (plus the call that splits it), so no
    // column holds more than twice what it uses, or one chunk's worth.
    const std::size_t cap = std::min(chunk_rows_ + 1, std::max<std::size_t>(64, 2 * c.size()));
    c.each_column([cap](auto& column) { column.reserve(cap); });
  }
  ins(c.end_time, call.end_time);
  ins(c.id, call.id);
  // end_time - initiation_time, when it is in [0, kLongInit).
  std::int64_t delta = 0;
  if (!__builtin_sub_overflow(call.end_time, call.initiation_time, &delta) && delta >= 0 &&
      delta < kLongInit) {
    ins(c.init, static_cast<std::uint32_t>(delta));
  } else {
    ins(c.init, kLongInit);
    long_init_[call.id] = call.initiation_time;
  }
  ins(c.from_hi, from_key.hi);
  ins(c.from_lo, from_key.lo);
  ins(c.to_hi, to_key.hi);
  ins(c.to_lo, to_key.lo);
  auto duration = [&](auto& column, std::int64_t seconds, std::int32_t bias, auto& wide) {
    const std::int32_t v = clamp32(seconds);
    const std::uint16_t stored = narrow(v, bias);
    if (stored == kWide) wide[call.id] = v;
    ins(column, stored);
  };
  duration(c.bill, call.bill_duration_s, 0, wide_bill_);
  duration(c.dur, call.duration_s, 0, wide_dur_);
  if (call.bridged_duration_s) {
    duration(c.bridged, *call.bridged_duration_s, 1, wide_bridged_);
  } else {
    ins(c.bridged, std::uint16_t{0});
  }
  ins(c.cause, call.hangup_cause_code
                   ? static_cast<std::uint16_t>(
                         std::clamp<std::int64_t>(*call.hangup_cause_code, 0, kMaxNarrowCause) + 1)
                   : std::uint16_t{0});
  ins(c.dir, static_cast<std::uint8_t>(call.direction));
  ins(c.source, static_cast<std::uint8_t>(call.hangup_source));
  ins(c.stir, static_cast<std::uint8_t>(call.stir_verification));
  auto intern = [this](std::string_view text) {
    const std::optional<std::uint32_t> id = strings_.intern(text);
    if (!id) exact_ = false;  // over 4 GiB of distinct strings: answered by the store's scan
    return id.value_or(0);
  };
  ins(c.trunk, intern(call.trunk_id));
  ins(c.from_user, intern(call.from_username));
  ins(c.to_user, intern(call.to_username));
  ins(c.bridged_user, intern(call.bridged_username));
  ins(c.did, intern(call.did_number));
  ins(c.ext, ext);
  c.account_for(pos);
  if (in_order) c.sorted = c.size();
  ++size_;
  if (c.pending() > kPendingRows || c.size() > chunk_rows_) c.settle();

  if (c.size() > chunk_rows_) {
    // Split: an append-heavy chunk (the newest) keeps most of its calls where new ones land
    // after it, so the older part is left nearly full.
    const bool appending = in_order && ci + 1 == chunks_.size();
    const std::size_t keep = appending ? chunk_rows_ - chunk_rows_ / 8 : c.size() / 2;
    auto next = std::make_unique<Chunk>(chunk_rows_);
    c.each_column_pair(*next, [keep, appending](auto& from, auto& to) {
      to.assign(from.begin() + static_cast<std::ptrdiff_t>(keep), from.end());
      from.resize(keep);
      // The older part of an appending split rarely grows again: no spare capacity for it.
      if (appending) from.shrink_to_fit();
    });
    c.sorted = keep;
    next->sorted = next->size();
    c.recompute_stats();
    next->recompute_stats();
    chunks_.insert(chunks_.begin() + static_cast<std::ptrdiff_t>(ci) + 1, std::move(next));
  }
}

void AccountCallIndex::compact() {
  // Leave room in each chunk for calls that arrive late, so they do not split it at once.
  const std::size_t fill = chunk_rows_ - chunk_rows_ / 8;
  std::vector<std::unique_ptr<Chunk>> packed;
  std::unique_ptr<Chunk> out;
  for (std::unique_ptr<Chunk>& cp : chunks_) {
    Chunk& c = *cp;
    c.settle();
    for (std::size_t from = 0; from < c.size();) {
      if (out && out->size() == fill) packed.push_back(std::move(out));
      if (!out) {
        out = std::make_unique<Chunk>(chunk_rows_);
        out->each_column([fill](auto& column) { column.reserve(fill); });
      }
      const std::size_t take = std::min(fill - out->size(), c.size() - from);
      c.each_column_pair(*out, [from, take](auto& src, auto& dst) {
        const auto begin = src.begin() + static_cast<std::ptrdiff_t>(from);
        dst.insert(dst.end(), begin, begin + static_cast<std::ptrdiff_t>(take));
      });
      from += take;
    }
    cp.reset();  // freed as it goes: the index never holds two copies of everything
  }
  if (out && out->size() > 0) packed.push_back(std::move(out));
  for (std::unique_ptr<Chunk>& c : packed) {
    c->sorted = c->size();
    c->recompute_stats();
  }
  chunks_ = std::move(packed);
}

bool AccountCallIndex::set_bill_duration(Micros end_time, std::int64_t id,
                                         std::int64_t bill_duration_s) {
  if (chunks_.empty()) return false;
  Chunk& c = *chunks_[chunk_for(end_time, id)];
  std::size_t pos = c.lower_bound(end_time, id);
  if (pos == c.sorted || c.id[pos] != id) {
    pos = c.sorted;
    while (pos < c.size() && c.id[pos] != id) ++pos;
    if (pos == c.size()) return false;
  }
  if (bill_duration_s < 0 || bill_duration_s > kMax32) exact_ = false;
  const auto v = static_cast<std::int32_t>(std::clamp<std::int64_t>(bill_duration_s, 0, kMax32));
  c.bill[pos] = narrow(v, 0);
  if (c.bill[pos] == kWide) {
    wide_bill_[id] = v;
  } else {
    wide_bill_.erase(id);
  }
  Chunk::add_duration(c.bill_mm, c.wide_bill, c.bill[pos], 0);  // bounds only widen: still bounds
  return true;
}

bool AccountCallIndex::answers(const CallQuery& q) {
  auto empty = [](const std::optional<NumberPrefix>& n) {
    return n && (n->digits.empty() || n->digits == "+");
  };
  return !empty(q.from_number) && !empty(q.to_number);
}

IndexAnswer AccountCallIndex::query(const CallQuery& q) const {
  IndexAnswer answer;
  const std::optional<Plan> p = plan(q);
  if (!p || chunks_.empty()) return answer;
  const std::size_t limit = static_cast<std::size_t>(std::max(0, q.limit));
  const auto offset = static_cast<std::size_t>(std::max<std::int64_t>(0, q.offset));
  const bool newest_first = q.order == SortOrder::kNewestFirst;

  // The chunks that overlap the end_time window, each with its [lo, hi) part of it.
  struct Part {
    const Chunk* chunk;
    std::size_t lo, hi, count;
  };
  std::vector<Part> parts;
  parts.reserve(chunks_.size());
  for (const auto& cp : chunks_) {
    const Chunk& c = *cp;
    if (p->end_from && c.end_mm.max < *p->end_from) continue;
    // Every later chunk's calls come after this one's in (end_time, id) order.
    if (p->end_until && c.end_mm.min >= *p->end_until) break;
    const std::size_t lo = p->end_from ? c.first_at_or_after(*p->end_from) : 0;
    const std::size_t hi = p->end_until ? c.first_at_or_after(*p->end_until) : c.sorted;
    if (lo < hi || c.pending() > 0) parts.push_back({&c, lo, std::max(lo, hi), 0});
  }
  if (newest_first) std::reverse(parts.begin(), parts.end());

  std::vector<std::uint8_t> mask;
  std::size_t seen = 0;  // matches before the current part, in the query's order
  auto take_page = [&](const Part& part) {
    // The page's calls inside this part: positions of its mask, in the query's order.
    // (A chunk that cannot match returns 0 without filling the mask.)
    if (count_in(*part.chunk, *p, part.lo, part.hi, mask) == 0) return;
    const Chunk& c = *part.chunk;
    const std::size_t n = part.hi - part.lo;
    if (c.pending() == 0) {
      for (std::size_t k = 0; k < n && answer.ids.size() < limit; ++k) {
        const std::size_t i = newest_first ? n - 1 - k : k;
        if (!mask[i]) continue;
        if (seen++ < offset) continue;
        answer.ids.push_back(c.id[part.lo + i]);
      }
      return;
    }
    // Pending calls have no place yet: the chunk's matches, put in order.
    std::vector<std::pair<Micros, std::int64_t>> hits;
    for (std::size_t i = 0; i < mask.size(); ++i) {
      if (!mask[i]) continue;
      const std::size_t pos = i < n ? part.lo + i : c.sorted + (i - n);
      hits.emplace_back(c.end_time[pos], c.id[pos]);
    }
    std::sort(hits.begin(), hits.end());
    if (newest_first) std::reverse(hits.begin(), hits.end());
    for (const auto& [end, row] : hits) {
      if (answer.ids.size() >= limit) break;
      if (seen++ < offset) continue;
      answer.ids.push_back(row);
    }
  };

  if (!q.count_total) {
    // No total to show: stop at the page's end.
    for (Part& part : parts) {
      if (answer.ids.size() >= limit) break;
      part.count = count_in(*part.chunk, *p, part.lo, part.hi, mask);
      if (seen + part.count <= offset) {
        seen += part.count;
        continue;
      }
      take_page(part);
    }
    return answer;
  }

  std::size_t total = 0;
  for (Part& part : parts) {
    part.count = count_in(*part.chunk, *p, part.lo, part.hi, mask);
    total += part.count;
  }
  answer.total_count = static_cast<std::int64_t>(total);
  if (limit == 0 || offset >= total) return answer;
  for (const Part& part : parts) {
    if (answer.ids.size() >= limit) break;
    if (part.count == 0) continue;
    if (seen + part.count <= offset) {
      seen += part.count;
      continue;
    }
    take_page(part);
  }
  return answer;
}

std::vector<std::int64_t> AccountCallIndex::oldest_ended_before(Micros floor, std::size_t max) {
  std::vector<std::int64_t> ids;
  for (const auto& cp : chunks_) {
    Chunk& c = *cp;
    c.settle();
    for (std::size_t i = 0; i < c.size(); ++i) {
      if (ids.size() >= max || c.end_time[i] >= floor) return ids;
      ids.push_back(c.id[i]);
    }
  }
  return ids;
}

void AccountCallIndex::drop_oldest(std::size_t n) {
  std::size_t dropped_chunks = 0;
  while (n > 0 && dropped_chunks < chunks_.size()) {
    Chunk& c = *chunks_[dropped_chunks];
    c.settle();
    const std::size_t k = std::min(n, c.size());
    for (std::size_t i = 0; i < k; ++i) {
      for (auto* side : {&wide_bill_, &wide_dur_, &wide_bridged_}) side->erase(c.id[i]);
      long_init_.erase(c.id[i]);
      odd_from_.erase(c.id[i]);
      odd_to_.erase(c.id[i]);
    }
    n -= k;
    size_ -= k;
    if (k == c.size()) {
      ++dropped_chunks;
      continue;
    }
    c.each_column([k](auto& column) {
      column.erase(column.begin(), column.begin() + static_cast<std::ptrdiff_t>(k));
    });
    c.sorted = c.size();
    c.recompute_stats();
  }
  chunks_.erase(chunks_.begin(), chunks_.begin() + static_cast<std::ptrdiff_t>(dropped_chunks));
}

namespace {

// The digits a number word holds (number_key's inverse), appended to `out`; false once a word
// ends early (a shorter number: the next word holds none).
bool append_word_digits(std::uint32_t w, std::string& out) {
  std::uint32_t place = pow11(kWordDigits - 1);
  for (std::size_t k = 0; k < kWordDigits; ++k, place /= 11) {
    const std::uint32_t d = (w / place) % 11;
    if (d == 0) return false;
    out += static_cast<char>('0' + d - 1);
  }
  return true;
}

}  // namespace

void AccountCallIndex::for_each_call(const std::function<void(const IndexedCall&)>& fn) const {
  std::vector<std::int64_t> ext_of(extensions_.size() + 1, 0);  // column code -> extension id
  for (const auto& [ext, code] : extensions_) ext_of[code] = ext;
  std::string from, to;
  std::vector<std::uint32_t> order;
  for (const auto& cp : chunks_) {
    const Chunk& c = *cp;
    order.resize(c.size());
    for (std::size_t i = 0; i < order.size(); ++i) order[i] = static_cast<std::uint32_t>(i);
    if (c.pending() > 0) {
      std::sort(order.begin(), order.end(), [&c](std::uint32_t a, std::uint32_t b) {
        return c.end_time[a] < c.end_time[b] ||
               (c.end_time[a] == c.end_time[b] && c.id[a] < c.id[b]);
      });
    }
    for (const std::uint32_t i : order) {
      IndexedCall call;
      call.id = c.id[i];
      call.end_time = c.end_time[i];
      call.initiation_time =
          c.init[i] == kLongInit ? long_init_.at(call.id) : call.end_time - c.init[i];
      call.direction = static_cast<Direction>(c.dir[i]);
      auto number = [&](std::uint32_t hi, std::uint32_t lo,
                        const std::unordered_map<std::int64_t, std::string>& odd,
                        std::string& text) -> std::string_view {
        if (hi == kOddNumber) return odd.at(call.id);
        text.clear();
        if (append_word_digits(hi, text)) append_word_digits(lo, text);
        return text;
      };
      call.from_number = number(c.from_hi[i], c.from_lo[i], odd_from_, from);
      call.to_number = number(c.to_hi[i], c.to_lo[i], odd_to_, to);
      call.trunk_id = strings_.at(c.trunk[i]);
      if (c.cause[i] != 0) call.hangup_cause_code = c.cause[i] - 1;
      call.hangup_source = static_cast<HangupSource>(c.source[i]);
      call.stir_verification = static_cast<StirVerification>(c.stir[i]);
      call.duration_s = c.dur[i] == kWide ? wide_dur_.at(call.id) : c.dur[i];
      call.bill_duration_s = c.bill[i] == kWide ? wide_bill_.at(call.id) : c.bill[i];
      if (c.bridged[i] == kWide) {
        call.bridged_duration_s = wide_bridged_.at(call.id);
      } else if (c.bridged[i] != 0) {
        call.bridged_duration_s = c.bridged[i] - 1;
      }
      call.from_username = strings_.at(c.from_user[i]);
      call.to_username = strings_.at(c.to_user[i]);
      call.bridged_username = strings_.at(c.bridged_user[i]);
      call.did_number = strings_.at(c.did[i]);
      if (c.ext[i] != 0) call.extension_id = ext_of[c.ext[i]];
      fn(call);
    }
  }
}

std::size_t AccountCallIndex::memory_bytes() const {
  std::size_t bytes = chunks_.capacity() * sizeof(void*);
  for (const auto& cp : chunks_) {
    bytes += sizeof(Chunk);
    cp->each_column_const(
        [&bytes](const auto& column) { bytes += column.capacity() * sizeof(column[0]); });
  }
  // Hash tables: a node per entry (key, value, next pointer) and a bucket pointer.
  for (const auto& cp : chunks_) bytes += cp->sets_memory_bytes();
  bytes += strings_.memory_bytes();
  bytes += extensions_.size() * 40;
  bytes += (wide_bill_.size() + wide_dur_.size() + wide_bridged_.size() + long_init_.size()) * 40;
  for (const auto* odd : {&odd_from_, &odd_to_}) {
    for (const auto& [id, s] : *odd) bytes += s.capacity() + 56;
  }
  return bytes;
}

}  // namespace cdrd::index
