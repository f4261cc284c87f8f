#include "store/index/account_call_index.h"

#include <algorithm>
#include <bit>
#include <functional>
#include <iterator>
#include <limits>
#include <utility>

#if defined(__x86_64__)
#include <immintrin.h>
#endif

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

namespace {

// A number's digits in base 11 (digit + 1; 0 pads a shorter number), 9 digits a word: 11^9 <
// 2^32. Padding with 0 makes a shorter number fall outside every longer prefix's range.
constexpr std::size_t kWordDigits = 9;
constexpr std::size_t kNumberDigits = 2 * kWordDigits;

constexpr std::int32_t kMax32 = std::numeric_limits<std::int32_t>::max();

// The first 4 digits of a number: its first word over 11^5 (below 11^4), kOddLead for an odd one.
// A prefix of 1 to 4 digits is a range of them (its words' range is whole multiples of 11^5).
constexpr std::uint32_t kLeadUnit = 161'051;  // 11^5
constexpr std::uint16_t kOddLead = 0xFFFF;
constexpr std::uint16_t lead_of(std::uint32_t hi) {
  return hi == kOddNumber ? kOddLead : static_cast<std::uint16_t>(hi / kLeadUnit);
}

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

// The branch-free passes: each takes the matches so far as bits, one word per 64 calls (bit j of
// word k: call 64k + j), and clears the bits of the calls that fail its predicate. A pass computes
// the flags of a block of 64 calls as bytes (0 or 0xFF, a plain loop that the compiler vectorises
// into compares), turns them into one word (movemask) and ANDs it in, so no byte per call is ever
// written or read back, a count is a popcount, and a block none of whose calls still matches is
// not read at all.
// The scan kernels are built twice on x86-64, for x86-64-v3 (AVX2, and POPCNT for the counts)
// and for the baseline, and the loader picks the one the CPU runs (GCC's target_clones): one
// binary for every x86-64 machine. Not under ThreadSanitizer: the loader runs the clones'
// resolvers while it relocates the program, before the TSan runtime is set up, and their
// instrumented entries crash every executable at start (so a TSan build has the baseline only).
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && !defined(__SANITIZE_THREAD__)
#define CDRD_KERNEL __attribute__((target_clones("arch=x86-64-v3", "default")))
#else
#define CDRD_KERNEL
#endif
#if defined(__GNUC__)
#define CDRD_INLINE [[gnu::always_inline]] inline
#else
#define CDRD_INLINE inline
#endif

using Word = std::uint64_t;
constexpr std::size_t kBlock = 64;  // calls per mask word

constexpr std::size_t words_for(std::size_t n) { return (n + kBlock - 1) / kBlock; }
bool test_bit(const Word* m, std::size_t i) { return (m[i / kBlock] >> (i % kBlock)) & 1; }
void set_bit(Word* m, std::size_t i, bool v) {
  const Word one = Word{1} << (i % kBlock);
  m[i / kBlock] = v ? (m[i / kBlock] | one) : (m[i / kBlock] & ~one);
}
// Every call of [0, n) matches (and no bit past n is set).
void set_all(Word* m, std::size_t n) {
  std::fill(m, m + n / kBlock, ~Word{0});
  if (n % kBlock != 0) m[n / kBlock] = (Word{1} << (n % kBlock)) - 1;
}
void clear_all(Word* m, std::size_t n) { std::fill(m, m + words_for(n), Word{0}); }

// The word of 64 flags (each 0 or 0xFF): flag j is bit j.
CDRD_INLINE Word bits_of(const std::uint8_t* t) {
#if defined(__SSE2__)
  Word w = 0;
  for (std::ptrdiff_t k = 0; k < 4; ++k) {
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(t + 16 * k));
    w |= Word{static_cast<std::uint32_t>(_mm_movemask_epi8(v)) & 0xFFFFu} << (16 * k);
  }
  return w;
#else
  Word w = 0;
  for (std::size_t j = 0; j < kBlock; ++j) w |= Word{static_cast<std::uint8_t>(t[j] >> 7)} << j;
  return w;
#endif
}

// m &= the flags fill(base, count, t) writes into t[0, count) for the calls [base, base + count),
// block by block over [0, n); a block whose word is 0 already is skipped.
template <class Fill>
CDRD_INLINE void and_flags(Word* m, std::size_t n, const Fill& fill) {
  alignas(32) std::uint8_t t[kBlock];
  std::size_t b = 0;
  for (; b + kBlock <= n; b += kBlock) {
    Word& w = m[b / kBlock];
    if (w == 0) continue;
    fill(b, kBlock, t);
    w &= bits_of(t);
  }
  if (b < n && m[b / kBlock] != 0) {
    std::fill(t, t + kBlock, std::uint8_t{0});
    fill(b, n - b, t);
    m[b / kBlock] &= bits_of(t);
  }
}

// Asks for the column's values a few blocks ahead: a chunk's column spans several pages, at
// each of which the hardware's prefetcher starts over.
template <class T>
CDRD_INLINE void ahead(const T* col, std::size_t b) {
#if defined(__GNUC__)
  __builtin_prefetch(col + b + 8 * kBlock);
#endif
}

constexpr std::uint8_t flag(bool v) { return static_cast<std::uint8_t>(-static_cast<int>(v)); }

template <class T>
CDRD_KERNEL void and_equal(Word* m, const T* col, std::size_t n, T v) {
  and_flags(m, n, [col, v](std::size_t b, std::size_t k, std::uint8_t* t) {
    ahead(col, b);
    for (std::size_t j = 0; j < k; ++j) t[j] = flag(col[b + j] == v);
  });
}

// lo <= col[i] <= hi, as one unsigned comparison.
template <class T>
CDRD_KERNEL void and_between(Word* m, const T* col, std::size_t n, T lo, T hi) {
  using U = std::make_unsigned_t<T>;
  const U base = static_cast<U>(lo);
  const U span = static_cast<U>(static_cast<U>(hi) - base);
  and_flags(m, n, [col, base, span](std::size_t b, std::size_t k, std::uint8_t* t) {
    ahead(col, b);
    for (std::size_t j = 0; j < k; ++j) {
      t[j] = flag(static_cast<U>(static_cast<U>(col[b + j]) - base) <= span);
    }
  });
}

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
// The 16-bit range (durations, the numbers' leads: the pass most lists make) by hand for AVX2:
// 16 calls a compare, two compares packed to bytes as they are (no 0/1 flags), one movemask for
// 32 calls.
// The lanes of at[0, 16) whose value - base is at most span (unsigned): min(v - base, span) is
// v - base.
__attribute__((target("avx2"), always_inline)) inline __m256i in_range16(const std::uint16_t* at,
                                                                         __m256i base,
                                                                         __m256i span) {
  const __m256i v =
      _mm256_sub_epi16(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(at)), base);
  return _mm256_cmpeq_epi16(_mm256_min_epu16(v, span), v);
}

__attribute__((target("avx2"))) void and_between16_avx2(Word* m, const std::uint16_t* col,
                                                        std::size_t n, std::uint16_t lo,
                                                        std::uint16_t hi) {
  const __m256i base = _mm256_set1_epi16(static_cast<short>(lo));
  const __m256i span = _mm256_set1_epi16(static_cast<short>(hi - lo));
  std::size_t b = 0;
  for (; b + kBlock <= n; b += kBlock) {
    Word& w = m[b / kBlock];
    if (w == 0) continue;
    const std::uint16_t* at = col + b;
    ahead(col, b);
    // packs interleaves the 128-bit halves; the permute puts the 32 bytes back in order.
    const __m256i low = _mm256_permute4x64_epi64(
        _mm256_packs_epi16(in_range16(at, base, span), in_range16(at + 16, base, span)), 0xD8);
    const __m256i high = _mm256_permute4x64_epi64(
        _mm256_packs_epi16(in_range16(at + 32, base, span), in_range16(at + 48, base, span)), 0xD8);
    w &= Word{static_cast<std::uint32_t>(_mm256_movemask_epi8(low))} |
         Word{static_cast<std::uint32_t>(_mm256_movemask_epi8(high))} << 32;
  }
  if (b < n) and_between<std::uint16_t>(m + b / kBlock, col + b, n - b, lo, hi);
}

// The byte equality (the coded trunk and hangup code, hangup source, STIR): one compare and one
// movemask for 32 calls.
__attribute__((target("avx2"))) void and_equal8_avx2(Word* m, const std::uint8_t* col,
                                                     std::size_t n, std::uint8_t v) {
  const __m256i want = _mm256_set1_epi8(static_cast<char>(v));
  std::size_t b = 0;
  for (; b + kBlock <= n; b += kBlock) {
    Word& w = m[b / kBlock];
    if (w == 0) continue;
    const auto* at = reinterpret_cast<const __m256i*>(col + b);
    ahead(col, b);
    const auto low = static_cast<std::uint32_t>(
        _mm256_movemask_epi8(_mm256_cmpeq_epi8(_mm256_loadu_si256(at), want)));
    const auto high = static_cast<std::uint32_t>(
        _mm256_movemask_epi8(_mm256_cmpeq_epi8(_mm256_loadu_si256(at + 1), want)));
    w &= Word{low} | Word{high} << 32;
  }
  if (b < n) and_equal<std::uint8_t>(m + b / kBlock, col + b, n - b, v);
}

// Whether the CPU runs AVX2 (the two passes above), asked once.
const bool kAvx2 = [] {
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx2") != 0;
}();

void and_between(Word* m, const std::uint16_t* col, std::size_t n, std::uint16_t lo,
                 std::uint16_t hi) {
  if (kAvx2) return and_between16_avx2(m, col, n, lo, hi);
  and_between<std::uint16_t>(m, col, n, lo, hi);
}
void and_equal(Word* m, const std::uint8_t* col, std::size_t n, std::uint8_t v) {
  if (kAvx2) return and_equal8_avx2(m, col, n, v);
  and_equal<std::uint8_t>(m, col, n, v);
}
#endif

// lo <= col[i] < lo + span, as one unsigned comparison.
CDRD_KERNEL void and_below(Word* m, const std::uint32_t* col, std::size_t n, std::uint32_t lo,
                           std::uint32_t span) {
  and_flags(m, n, [col, lo, span](std::size_t b, std::size_t k, std::uint8_t* t) {
    ahead(col, b);
    for (std::size_t j = 0; j < k; ++j) t[j] = flag(col[b + j] - lo < span);
  });
}

// col[i] is one of values[0, count).
template <class T>
CDRD_KERNEL void and_in_values(Word* m, const T* col, std::size_t n, const T* values,
                               std::size_t count) {
  and_flags(m, n, [col, values, count](std::size_t b, std::size_t k, std::uint8_t* t) {
    ahead(col, b);
    for (std::size_t j = 0; j < k; ++j) t[j] = 0;
    for (std::size_t v = 0; v < count; ++v) {
      const T want = values[v];
      for (std::size_t j = 0; j < k; ++j) t[j] |= flag(col[b + j] == want);
    }
  });
}

template <class T>
void and_in(Word* m, const T* col, std::size_t n, const std::vector<T>& values) {
  if (values.size() == 1) return and_equal(m, col, n, values[0]);
  and_in_values(m, col, n, values.data(), values.size());
}

// (hi[i], lo[i]) is (want_hi, want_lo): one fused pass for one number.
CDRD_KERNEL void and_number_is(Word* m, const std::uint32_t* hi, const std::uint32_t* lo,
                               std::size_t n, std::uint32_t want_hi, std::uint32_t want_lo) {
  and_flags(m, n, [=](std::size_t b, std::size_t k, std::uint8_t* t) {
    ahead(hi, b), ahead(lo, b);
    for (std::size_t j = 0; j < k; ++j) {
      t[j] = flag((hi[b + j] == want_hi) & (lo[b + j] == want_lo));
    }
  });
}

}  // namespace

// A filter value that may name a username kept as its call's number: the marker it would be kept
// as and its number's words.
struct NumberProbe {
  std::uint32_t marker = 0, hi = 0, lo = 0;
  std::uint64_t key = 0;  // user_key() of it
};

namespace {

// users[i] is one of ids[0, id_count), or the marker of one of probes[0, probe_count) with its
// number in (hi[i], lo[i]).
CDRD_KERNEL void and_in_users_values(Word* m, const std::uint32_t* users, const std::uint32_t* hi,
                                     const std::uint32_t* lo, std::size_t n,
                                     const std::uint32_t* ids, std::size_t id_count,
                                     const NumberProbe* probes, std::size_t probe_count) {
  and_flags(m, n, [=](std::size_t b, std::size_t k, std::uint8_t* t) {
    ahead(users, b);
    for (std::size_t j = 0; j < k; ++j) t[j] = 0;
    for (std::size_t v = 0; v < id_count; ++v) {
      const std::uint32_t want = ids[v];
      for (std::size_t j = 0; j < k; ++j) t[j] |= flag(users[b + j] == want);
    }
    for (std::size_t v = 0; v < probe_count; ++v) {
      const NumberProbe p = probes[v];
      for (std::size_t j = 0; j < k; ++j) {
        t[j] |= flag((users[b + j] == p.marker) & (hi[b + j] == p.hi) & (lo[b + j] == p.lo));
      }
    }
  });
}

void and_in_users(Word* m, const std::uint32_t* users, const std::uint32_t* hi,
                  const std::uint32_t* lo, std::size_t n, const std::vector<std::uint32_t>& ids,
                  const std::vector<NumberProbe>& probes) {
  and_in_users_values(m, users, hi, lo, n, ids.data(), ids.size(), probes.data(), probes.size());
}

// (hi[i], lo[i]) is the number of one of `probes`.
CDRD_KERNEL void and_number_in_values(Word* m, const std::uint32_t* hi, const std::uint32_t* lo,
                                      std::size_t n, const NumberProbe* probes, std::size_t count) {
  and_flags(m, n, [=](std::size_t b, std::size_t k, std::uint8_t* t) {
    ahead(hi, b), ahead(lo, b);
    for (std::size_t j = 0; j < k; ++j) t[j] = 0;
    for (std::size_t v = 0; v < count; ++v) {
      const NumberProbe p = probes[v];
      for (std::size_t j = 0; j < k; ++j) {
        t[j] |= flag((hi[b + j] == p.hi) & (lo[b + j] == p.lo));
      }
    }
  });
}
void and_number_in(Word* m, const std::uint32_t* hi, const std::uint32_t* lo, std::size_t n,
                   const std::vector<NumberProbe>& probes) {
  if (probes.size() == 1) return and_number_is(m, hi, lo, n, probes[0].hi, probes[0].lo);
  and_number_in_values(m, hi, lo, n, probes.data(), probes.size());
}

// lo <= end[i] - delta[i] <= hi (the initiation time), as one unsigned comparison.
CDRD_KERNEL void and_init_between(Word* m, const std::int64_t* end, const std::uint32_t* delta,
                                  std::size_t n, std::int64_t lo, std::int64_t hi) {
  const std::uint64_t base = static_cast<std::uint64_t>(lo);
  const std::uint64_t span = static_cast<std::uint64_t>(hi) - base;
  and_flags(m, n, [=](std::size_t b, std::size_t k, std::uint8_t* t) {
    ahead(end, b), ahead(delta, b);
    for (std::size_t j = 0; j < k; ++j) {
      t[j] = flag(static_cast<std::uint64_t>(end[b + j]) - delta[b + j] - base <= span);
    }
  });
}

CDRD_KERNEL std::size_t count_bits(const Word* m, std::size_t n) {
  std::size_t c = 0;
  for (std::size_t k = 0, words = words_for(n); k < words; ++k) c += std::popcount(m[k]);
  return c;
}

#undef CDRD_KERNEL
#undef CDRD_INLINE

// A username (or DID) that is its call's number is not kept in the dictionary: its column holds
// one of these markers, and the number's integer key (number_key) holds the rest, when the text
// can be told from the key: '+' then 1 to 18 digits, or 1 to 18 digits alone. (SIP-trunk calls
// are named by their numbers: every call would otherwise add its remote number to the
// dictionary.) Dictionary ids stay below kBareNumber.
constexpr std::uint32_t kPlusNumber = 0xFFFFFFFF;
constexpr std::uint32_t kBareNumber = 0xFFFFFFFE;

// kPlusNumber or kBareNumber when `s` has that form.
std::optional<std::uint32_t> number_form(std::string_view s) {
  const bool plus = !s.empty() && s.front() == '+';
  const std::string_view d = plus ? s.substr(1) : s;
  if (d.empty() || d.size() > kNumberDigits || !all_digits(d)) return std::nullopt;
  return plus ? kPlusNumber : kBareNumber;
}

// The value-set key of a username column's value: the dictionary id itself, or, for a marker,
// a mix of the marker and the number (hi, lo) it stands for.
std::uint64_t user_key(std::uint32_t value, std::uint32_t hi, std::uint32_t lo) {
  if (value < kBareNumber) return value;
  return ((std::uint64_t{hi} << 32) | lo) * 0xFF51AFD7ED558CCDULL + value;
}

}  // namespace

// Which values a column of a chunk may hold: a Bloom filter of four bits per value, all in one
// 64-byte line (one cache miss a probe), so an
// equality or IN filter on a dictionary column (a username, DID, trunk, extension) skips every
// chunk that cannot hold its values without reading the column. Never a false "no"; a false
// "maybe" (a few percent) only costs the scan it would have cost anyway. Sized to the values it
// holds: it doubles (rebuilt from the column) when a quarter of its bits are set, from 64 bits up
// to 8 bits per call of a full chunk, so a column of a few values costs 8 bytes a chunk and one
// of all-distinct values about a byte per call. A value is a 64-bit key (a dictionary id, or the
// key of a username kept as its call's number: user_key below).
class ValueSet {
 public:
  ValueSet() = default;
  explicit ValueSet(std::size_t words) : words_(words, 0) {}  // empty, of `words` words (tests)
  bool may_hold(std::uint64_t key) const {
    if (words_.empty()) return false;
    const std::uint64_t h = hash(key);
    const std::uint64_t* line = line_of(h);
    const std::size_t bits = 64 * line_words();
    for (int k = 0; k < kBits; ++k) {
      const std::size_t b = (h >> (kPartBits * k)) & (bits - 1);
      if (((line[b / 64] >> (b % 64)) & 1) == 0) return false;
    }
    return true;
  }
  // Adds `key`, the key of call n - 1; when the set fills up, rebuilds it from key_of(i) for i
  // in [0, n) at twice the size.
  template <class KeyOf>
  void add(std::uint64_t key, const KeyOf& key_of, std::size_t n, std::size_t max_bits) {
    if (words_.empty()) words_.assign(1, 0);
    // The key the last add set (a column of one value, one trunk) sets no bit again. Forgotten
    // by a rebuild, which may leave its call out.
    if (!last_ || *last_ != key) set(hash(key));
    last_ = key;
    const std::size_t bits = 64 * words_.size();
    if (std::size_t{4} * ones_ > bits && bits < max_bits) {
      words_.assign(2 * words_.size(), 0);
      ones_ = 0;
      for (std::size_t i = 0; i < n; ++i) set(hash(key_of(i)));
    }
  }
  // Holds exactly the keys key_of(i), i in [0, n): the smallest of half its present size,
  // doubled, until no more than a quarter of its bits are set, or the first of them to reach
  // max_bits. Made as rebuild_by_doubling() makes it, bit for bit, in one pass over the keys: the
  // set of w words is the one of 2w words folded in two (a key's line, or its bit in a line of
  // under 8 words, is its place in the larger set less half its size), so the keys go into the
  // largest size that can be the answer once and the halves are folded down from it while the
  // half still sets no more than a quarter of its bits (a half that does, every smaller one does).
  template <class KeyOf>
  void rebuild(const KeyOf& key_of, std::size_t n, std::size_t max_bits) {
    const std::vector<std::uint64_t>& hashes = hashes_of(key_of, n);
    const std::size_t start = std::max<std::size_t>(1, words_.size() / 2);
    // The doubling stops at the first size of 64 * words >= max_bits, and at the latest where
    // even 4 bits set per key would be a quarter of them.
    std::size_t words = start;
    while (64 * words < max_bits && 64 * words < 16 * hashes.size()) words *= 2;
    thread_local std::vector<std::uint64_t> bits;
    bits.assign(words, 0);
    for (const std::uint64_t h : hashes) set_bits(bits.data(), words, h);
    while (words > start) {
      const std::size_t half = words / 2;
      std::size_t ones = 0;
      for (std::size_t j = 0; j < half; ++j) ones += std::popcount(bits[j] | bits[j + half]);
      if (4 * ones > 64 * half) break;
      for (std::size_t j = 0; j < half; ++j) bits[j] |= bits[j + half];
      words = half;
    }
    last_.reset();
    words_.assign(bits.begin(), bits.begin() + static_cast<std::ptrdiff_t>(words));
    std::size_t ones = 0;
    for (const std::uint64_t w : words_) ones += std::popcount(w);
    ones_ = static_cast<std::uint32_t>(ones);
  }
  // rebuild() as first written, each size tried in turn (the reference of its test).
  template <class KeyOf>
  void rebuild_by_doubling(const KeyOf& key_of, std::size_t n, std::size_t max_bits) {
    const std::vector<std::uint64_t>& hashes = hashes_of(key_of, n);
    std::size_t words = std::max<std::size_t>(1, words_.size() / 2);
    last_.reset();
    for (;;) {
      words_.assign(words, 0);
      ones_ = 0;
      for (const std::uint64_t h : hashes) set(h);
      if (std::size_t{4} * ones_ <= 64 * words || 64 * words >= max_bits) return;
      words *= 2;
    }
  }
  bool operator==(const ValueSet& o) const { return words_ == o.words_ && ones_ == o.ones_; }
  std::size_t memory_bytes() const { return words_.capacity() * sizeof(std::uint64_t); }

 private:
  // Bits per value, each from kPartBits bits of the hash (its low 36); the line from the top 24.
  static constexpr int kBits = 4, kPartBits = 9;
  static constexpr std::size_t kLineWords = 8;  // 512 bits

  static std::uint64_t hash(std::uint64_t key) {  // MurmurHash3's finaliser
    std::uint64_t h = key + 0x9E3779B97F4A7C15ULL;
    h = (h ^ (h >> 33)) * 0xFF51AFD7ED558CCDULL;
    h = (h ^ (h >> 33)) * 0xC4CEB9FE1A85EC53ULL;
    return h ^ (h >> 33);
  }
  std::size_t line_words() const { return std::min(kLineWords, words_.size()); }
  const std::uint64_t* line_of(std::uint64_t h) const {
    const std::size_t lines = words_.size() / line_words();  // a power of two
    return words_.data() + ((h >> 40) & (lines - 1)) * line_words();
  }
  void set(std::uint64_t h) {
    std::uint64_t* line = words_.data() + (line_of(h) - words_.data());
    const std::size_t bits = 64 * line_words();
    for (int k = 0; k < kBits; ++k) {
      const std::size_t b = (h >> (kPartBits * k)) & (bits - 1);
      const std::uint64_t one = std::uint64_t{1} << (b % 64);
      if ((line[b / 64] & one) == 0) ++ones_;
      line[b / 64] |= one;
    }
  }
  // set(h) into a set of `words` words (a power of two) at `w`, without counting.
  static void set_bits(std::uint64_t* w, std::size_t words, std::uint64_t h) {
    const std::size_t line_words = std::min(kLineWords, words);
    std::uint64_t* line = w + ((h >> 40) & (words / line_words - 1)) * line_words;
    const std::size_t bits = 64 * line_words;
    for (int k = 0; k < kBits; ++k) {
      const std::size_t b = (h >> (kPartBits * k)) & (bits - 1);
      line[b / 64] |= std::uint64_t{1} << (b % 64);
    }
  }
  // The hashes of key_of(i), i in [0, n), once each for a run of one key (a column of one value).
  template <class KeyOf>
  static const std::vector<std::uint64_t>& hashes_of(const KeyOf& key_of, std::size_t n) {
    thread_local std::vector<std::uint64_t> hashes;
    hashes.clear();
    std::uint64_t previous = 0;
    for (std::size_t i = 0; i < n; ++i) {
      const std::uint64_t key = key_of(i);
      if (i == 0 || key != previous) hashes.push_back(hash(key));
      previous = key;
    }
    return hashes;
  }

  std::vector<std::uint64_t> words_;  // a power of two of them
  std::uint32_t ones_ = 0;
  std::optional<std::uint64_t> last_;  // the key of the last add, when no rebuild came since
};

// The value at i becomes the one at order[i] (the columns' permute).
template <class V>
void permute_values(V& values, const std::vector<std::uint32_t>& order) {
  thread_local V copy;  // no allocation per column and merge
  copy.assign(values.begin(), values.end());
  for (std::size_t i = 0; i < order.size(); ++i) values[i] = copy[order[i]];
}

// Moves the values from `keep` on to `to` (the columns' split).
template <class V>
void move_tail(V& from, V& to, std::size_t keep, bool shrink) {
  to.assign(from.begin() + static_cast<std::ptrdiff_t>(keep), from.end());
  from.resize(keep);
  if (shrink) from.shrink_to_fit();
}

// A column of a chunk: one value per call, or, while every call of the chunk holds the same
// value, that value alone and no vector (a field one API never fills, a username that is its
// call's number: nothing per call). The chunk passes its number of calls `n` (and `cap`, the
// calls its columns make room for).
template <class T>
class Column {
 public:
  bool constant() const { return values_.empty(); }
  const T* data() const { return values_.data(); }  // when !constant()
  T operator[](std::size_t i) const { return values_.empty() ? same_ : values_[i]; }
  // The values [lo, lo + n) as an array: the column's own, or `scratch` filled with the one value.
  const T* view(std::size_t lo, std::size_t n, std::vector<T>& scratch) const {
    if (!values_.empty()) return values_.data() + lo;
    scratch.assign(n, same_);
    return scratch.data();
  }
  void push_back(T v, std::size_t n, std::size_t cap) {
    if (values_.empty()) {
      if (n == 0 || v == same_) {
        same_ = v;
        return;
      }
      spread(n, cap);
    }
    values_.push_back(v);
  }
  void set(std::size_t i, T v, std::size_t n) {
    if (values_.empty()) {
      if (v == same_) return;
      spread(n, n);
    }
    values_[i] = v;
  }
  void reserve(std::size_t cap) {
    if (!values_.empty()) values_.reserve(cap);
  }
  // The value at i becomes the one at order[i].
  void permute(const std::vector<std::uint32_t>& order) {
    if (!values_.empty()) permute_values(values_, order);
  }
  // Moves the values from `keep` on to `to` (an empty column).
  void split(Column& to, std::size_t keep, bool shrink) {
    to.same_ = same_;
    if (!values_.empty()) move_tail(values_, to.values_, keep, shrink);
  }
  // Appends the values [from, from + take) of `src` to this column of n values.
  void append(const Column& src, std::size_t from, std::size_t take, std::size_t n,
              std::size_t cap) {
    if (take == 0) return;
    const auto begin = src.values_.begin() + static_cast<std::ptrdiff_t>(from);
    const auto end = begin + static_cast<std::ptrdiff_t>(take);
    if (values_.empty()) {
      const T first = src[from];
      const bool one =
          src.values_.empty() || std::all_of(begin, end, [first](T v) { return v == first; });
      if (one && (n == 0 || first == same_)) {
        same_ = first;
        return;
      }
      spread(n, cap);
    }
    if (src.values_.empty()) {
      values_.insert(values_.end(), take, src.same_);
    } else {
      values_.insert(values_.end(), begin, end);
    }
  }
  void erase_front(std::size_t k) {
    if (!values_.empty())
      values_.erase(values_.begin(), values_.begin() + static_cast<std::ptrdiff_t>(k));
  }
  // Back to the one value when every call holds it (after calls moved or left).
  void pack() {
    if (values_.empty()) return;
    const T first = values_[0];
    if (std::all_of(values_.begin(), values_.end(), [first](T v) { return v == first; })) {
      same_ = first;
      values_ = {};
    }
  }
  std::size_t memory_bytes() const { return values_.capacity() * sizeof(T); }

 private:
  void spread(std::size_t n, std::size_t cap) {
    values_.reserve(std::max(cap, n + 1));
    values_.assign(n, same_);
  }

  std::vector<T> values_;  // empty: every call holds same_
  T same_{};
};

// A column of a field with two values (0 or 1: the direction) as one bit per call, 64 calls a
// word, so an equality filter on it is a copy of its words into the mask (inverted for 0), not a
// pass over a byte per call. It keeps its own count of calls.
class BitColumn {
 public:
  std::uint8_t operator[](std::size_t i) const { return test_bit(words_.data(), i) ? 1 : 0; }
  const Word* words() const { return words_.data(); }
  void push_back(std::uint8_t v, std::size_t /*n*/, std::size_t /*cap*/) { push(v != 0); }
  void set(std::size_t i, std::uint8_t v, std::size_t /*n*/) { set_bit(words_.data(), i, v != 0); }
  void reserve(std::size_t cap) { words_.reserve(words_for(cap)); }
  void permute(const std::vector<std::uint32_t>& order) {
    thread_local std::vector<Word> copy;
    copy.assign(words_.begin(), words_.end());
    for (std::size_t i = 0; i < order.size(); ++i)
      set_bit(words_.data(), i, test_bit(copy.data(), order[i]));
  }
  void split(BitColumn& to, std::size_t keep, bool shrink) {
    to.words_.clear();
    to.n_ = 0;
    for (std::size_t i = keep; i < n_; ++i) to.push(test_bit(words_.data(), i));
    truncate(keep);
    if (shrink) words_.shrink_to_fit();
  }
  void append(const BitColumn& src, std::size_t from, std::size_t take, std::size_t /*n*/,
              std::size_t cap) {
    if (take == 0) return;
    reserve(std::max(cap, n_ + take));
    for (std::size_t i = from; i < from + take; ++i) push(test_bit(src.words_.data(), i));
  }
  void erase_front(std::size_t k) {
    std::vector<Word> copy(words_);
    const std::size_t n = n_;
    words_.clear();
    n_ = 0;
    for (std::size_t i = k; i < n; ++i) push(test_bit(copy.data(), i));
  }
  void pack() {}
  std::size_t memory_bytes() const { return words_.capacity() * sizeof(Word); }

 private:
  void push(bool v) {
    if (n_ % kBlock == 0) words_.push_back(0);
    if (v) words_[n_ / kBlock] |= Word{1} << (n_ % kBlock);
    ++n_;
  }
  // Keeps the first n calls (the bits past them cleared).
  void truncate(std::size_t n) {
    words_.resize(words_for(n));
    if (n % kBlock != 0) words_.back() &= (Word{1} << (n % kBlock)) - 1;
    n_ = n;
  }

  std::vector<Word> words_;
  std::size_t n_ = 0;
};

// m &= the bits [lo, lo + n) of `bits` (their complement when `want` is false).
void and_bits(Word* m, const Word* bits, std::size_t lo, std::size_t n, bool want) {
  const std::size_t q = lo / kBlock, r = lo % kBlock, words = words_for(n);
  const Word flip = want ? 0 : ~Word{0};
  const std::size_t last = words_for(lo + n);  // words of `bits` that [lo, lo + n) reaches
  for (std::size_t k = 0; k < words; ++k) {
    Word w = bits[q + k] >> r;
    if (r != 0 && q + k + 1 < last) w |= bits[q + k + 1] << (kBlock - r);
    m[k] &= w ^ flip;  // the bits past n are clear in m already
  }
}

// A column of a field with few distinct values in a chunk (the trunk, the hangup code): while the
// chunk holds at most 256 of them, a byte per call that indexes the chunk's own small table of
// values, so an equality filter reads a byte a call, and one whose value is not in the table
// rules the chunk out without reading it. More distinct values: the values themselves.
template <class T>
class CodedColumn {
 public:
  static constexpr std::size_t kMaxCodes = 256;

  T operator[](std::size_t i) const { return coded() ? table_[codes_[i]] : values_[i]; }
  bool coded() const { return !wide_; }
  const Column<std::uint8_t>& codes() const { return codes_; }
  const Column<T>& values() const { return values_; }
  // The code of v (when coded()), nullopt when no call of the chunk holds v.
  std::optional<std::uint8_t> code_of(T v) const {
    const auto it = std::find(table_.begin(), table_.end(), v);
    if (it == table_.end()) return std::nullopt;
    return static_cast<std::uint8_t>(it - table_.begin());
  }
  void push_back(T v, std::size_t n, std::size_t cap) {
    if (wide_) return values_.push_back(v, n, cap);
    std::optional<std::uint8_t> code = code_of(v);
    if (!code) {
      if (table_.size() == kMaxCodes) {
        widen(n, cap);
        return values_.push_back(v, n, cap);
      }
      code = static_cast<std::uint8_t>(table_.size());
      table_.push_back(v);
    }
    codes_.push_back(*code, n, cap);
  }
  void reserve(std::size_t cap) {
    codes_.reserve(cap);
    values_.reserve(cap);
  }
  void permute(const std::vector<std::uint32_t>& order) {
    codes_.permute(order);
    values_.permute(order);
  }
  void split(CodedColumn& to, std::size_t keep, bool shrink) {
    to.wide_ = wide_;
    to.table_ = table_;  // pack() then drops the values a part no longer holds
    codes_.split(to.codes_, keep, shrink);
    values_.split(to.values_, keep, shrink);
  }
  void append(const CodedColumn& src, std::size_t from, std::size_t take, std::size_t n,
              std::size_t cap) {
    if (take == 0) return;
    if (!wide_ && src.coded()) {
      // The source's codes mapped to this table's, as long as they fit in it.
      std::array<int, kMaxCodes> map;
      map.fill(-1);
      std::vector<std::uint8_t> mapped;
      mapped.reserve(take);
      for (std::size_t i = from; i < from + take && !wide_; ++i) {
        const std::uint8_t code = src.codes_[i];
        if (map[code] < 0) {
          const std::optional<std::uint8_t> own = code_of(src.table_[code]);
          if (own) {
            map[code] = *own;
          } else if (table_.size() < kMaxCodes) {
            map[code] = static_cast<int>(table_.size());
            table_.push_back(src.table_[code]);
          } else {
            break;  // too many values: the slow way below
          }
        }
        mapped.push_back(static_cast<std::uint8_t>(map[code]));
      }
      if (mapped.size() == take) {
        for (std::size_t j = 0; j < take; ++j) codes_.push_back(mapped[j], n + j, cap);
        return;
      }
    }
    for (std::size_t j = 0; j < take; ++j) push_back(src[from + j], n + j, cap);
  }
  void erase_front(std::size_t k) {
    codes_.erase_front(k);
    values_.erase_front(k);
  }
  // Back to one value where every call holds it (see Column::pack).
  void pack() {
    codes_.pack();
    values_.pack();
  }
  // The table down to the values the calls hold (in order of first use), and back to codes when
  // they are few enough again; n: the calls.
  void pack_table(std::size_t n) {
    if (coded()) {
      // The codes in use, renumbered in order of first use (nothing to do when none was dropped).
      std::array<int, kMaxCodes> map;
      map.fill(-1);
      std::vector<T> table;
      for (std::size_t i = 0; i < n; ++i) {
        const std::uint8_t code = codes_[i];
        if (map[code] < 0) {
          map[code] = static_cast<int>(table.size());
          table.push_back(table_[code]);
        }
      }
      if (table.size() == table_.size()) return;  // every code in use: the numbering stays
      Column<std::uint8_t> codes;
      for (std::size_t i = 0; i < n; ++i) {
        codes.push_back(static_cast<std::uint8_t>(map[codes_[i]]), i, n);
      }
      codes_ = std::move(codes);
      table_ = std::move(table);
      return;
    }
    // Wide: back to codes when the calls now hold at most kMaxCodes distinct values.
    std::vector<T> table;
    table.reserve(n);
    for (std::size_t i = 0; i < n; ++i) table.push_back(values_[i]);
    std::sort(table.begin(), table.end());
    table.erase(std::unique(table.begin(), table.end()), table.end());
    if (table.size() > kMaxCodes) return;
    Column<std::uint8_t> codes;
    for (std::size_t i = 0; i < n; ++i) {
      const auto at = std::lower_bound(table.begin(), table.end(), values_[i]);
      codes.push_back(static_cast<std::uint8_t>(at - table.begin()), i, n);
    }
    wide_ = false;
    codes_ = std::move(codes);
    table_ = std::move(table);
    values_ = {};
  }
  std::size_t memory_bytes() const {
    return codes_.memory_bytes() + values_.memory_bytes() + table_.capacity() * sizeof(T);
  }

 private:
  // From codes to the values themselves (n calls).
  void widen(std::size_t n, std::size_t cap) {
    for (std::size_t i = 0; i < n; ++i) values_.push_back(table_[codes_[i]], i, cap);
    codes_ = {};
    table_ = {};
    wide_ = true;
  }

  bool wide_ = false;
  Column<std::uint8_t> codes_;  // when !wide_: index into table_
  std::vector<T> table_;        // at most kMaxCodes values
  Column<T> values_;            // when wide_
};

// The end times of a chunk: 32-bit offsets from a base, counted in the largest unit of 1 s,
// 1 ms or 1 us that divides every offset (switches mostly send whole seconds: a chunk may then
// span 136 years, 71 minutes in microseconds), or the 64-bit times themselves when none fits.
class EndColumn {
 public:
  Micros operator[](std::size_t i) const {
    return wide_ ? times_[i] : base_ + static_cast<Micros>(offsets_[i]) * unit_;
  }
  // The values [lo, lo + n) as an array: the column's own, or decoded into `scratch`.
  const Micros* view(std::size_t lo, std::size_t n, std::vector<Micros>& scratch) const {
    if (wide_) return times_.data() + lo;
    scratch.resize(n);
    for (std::size_t i = 0; i < n; ++i) {
      scratch[i] = base_ + static_cast<Micros>(offsets_[lo + i]) * unit_;
    }
    return scratch.data();
  }
  // The position of the first of [0, sorted) (in order) at or after t.
  std::size_t first_at_or_after(Micros t, std::size_t sorted) const {
    if (wide_) {
      return static_cast<std::size_t>(
          std::lower_bound(times_.begin(), times_.begin() + static_cast<std::ptrdiff_t>(sorted),
                           t) -
          times_.begin());
    }
    if (t <= base_) return 0;
    const std::uint64_t k = (span(base_, t) + static_cast<std::uint64_t>(unit_) - 1) /
                            static_cast<std::uint64_t>(unit_);
    if (k > kMaxOffset) return sorted;
    const auto begin = offsets_.begin();
    return static_cast<std::size_t>(std::lower_bound(begin,
                                                     begin + static_cast<std::ptrdiff_t>(sorted),
                                                     static_cast<std::uint32_t>(k)) -
                                    begin);
  }
  void push_back(Micros v, std::size_t n, std::size_t cap) {
    if (n == 0) {
      times_ = {};
      offsets_.clear();
      offsets_.reserve(cap);
      wide_ = false, base_ = v, unit_ = kUnits[0];
      offsets_.push_back(0);
      return;
    }
    if (wide_) {
      times_.push_back(v);
    } else if (fits(v)) {
      offsets_.push_back(offset(v));
    } else {
      std::vector<Micros> all = decoded();
      all.push_back(v);
      // Room below a new smallest time as wide as the span, as calls that came out of order
      // tend to bring more.
      rebuild(all, cap, v < base_);
    }
  }
  void reserve(std::size_t cap) {
    if (wide_) {
      times_.reserve(cap);
    } else {
      offsets_.reserve(cap);
    }
  }
  void permute(const std::vector<std::uint32_t>& order) {
    if (wide_) {
      permute_values(times_, order);
    } else {
      permute_values(offsets_, order);
    }
  }
  void split(EndColumn& to, std::size_t keep, bool shrink) {
    to.wide_ = wide_, to.base_ = base_, to.unit_ = unit_;
    if (wide_) {
      move_tail(times_, to.times_, keep, shrink);
    } else {
      move_tail(offsets_, to.offsets_, keep, shrink);
    }
  }
  void append(const EndColumn& src, std::size_t from, std::size_t take, std::size_t n,
              std::size_t cap) {
    if (take == 0) return;
    bool all_fit = n > 0 && !wide_;
    for (std::size_t i = from; all_fit && i < from + take; ++i) all_fit = fits(src[i]);
    if (all_fit) {
      for (std::size_t i = from; i < from + take; ++i) offsets_.push_back(offset(src[i]));
      return;
    }
    if (n > 0 && wide_) {
      for (std::size_t i = from; i < from + take; ++i) times_.push_back(src[i]);
      return;
    }
    std::vector<Micros> all = n > 0 ? decoded() : std::vector<Micros>{};
    for (std::size_t i = from; i < from + take; ++i) all.push_back(src[i]);
    rebuild(all, cap, false);
  }
  void erase_front(std::size_t k) {
    auto erase = [k](auto& values) {
      values.erase(values.begin(), values.begin() + static_cast<std::ptrdiff_t>(k));
    };
    if (wide_) {
      erase(times_);
    } else {
      erase(offsets_);
    }
  }
  // From the smallest time, in the largest unit that fits now.
  void pack() {
    const std::vector<Micros> all = decoded();
    if (all.empty()) return;
    rebuild(all, std::max(wide_ ? times_.capacity() : offsets_.capacity(), all.size()), false);
  }
  std::size_t memory_bytes() const {
    return times_.capacity() * sizeof(Micros) + offsets_.capacity() * sizeof(std::uint32_t);
  }

 private:
  static constexpr std::uint64_t kMaxOffset = std::numeric_limits<std::uint32_t>::max();
  static constexpr std::array<std::int64_t, 3> kUnits = {1'000'000, 1'000, 1};
  static std::uint64_t span(Micros a, Micros b) {  // b - a for a <= b
    return static_cast<std::uint64_t>(b) - static_cast<std::uint64_t>(a);
  }
  bool fits(Micros v) const {
    if (v < base_) return false;
    const std::uint64_t d = span(base_, v);
    const auto u = static_cast<std::uint64_t>(unit_);
    return d % u == 0 && d / u <= kMaxOffset;
  }
  std::uint32_t offset(Micros v) const {
    return static_cast<std::uint32_t>(span(base_, v) / static_cast<std::uint64_t>(unit_));
  }
  std::vector<Micros> decoded() const {
    const std::size_t n = wide_ ? times_.size() : offsets_.size();
    std::vector<Micros> all;
    all.reserve(n + 1);
    for (std::size_t i = 0; i < n; ++i) all.push_back((*this)[i]);
    return all;
  }
  // Holds `all` (in their order): offsets in the largest unit that fits, from their smallest
  // (less `room_below` of room, when it fits too), else the times themselves.
  void rebuild(const std::vector<Micros>& all, std::size_t cap, bool room_below) {
    const Micros lo = *std::min_element(all.begin(), all.end());
    const Micros hi = *std::max_element(all.begin(), all.end());
    for (const std::int64_t unit : kUnits) {
      const auto u = static_cast<std::uint64_t>(unit);
      if (span(lo, hi) / u > kMaxOffset) continue;
      if (!std::all_of(all.begin(), all.end(), [&](Micros v) { return span(lo, v) % u == 0; })) {
        continue;
      }
      std::uint64_t room = 0;
      if (room_below) {
        const std::uint64_t used = span(lo, hi) / u;
        room = std::min(used, kMaxOffset - used);
        // The base must stay a Micros.
        if (span(std::numeric_limits<Micros>::lowest(), lo) / u < room) room = 0;
      }
      wide_ = false;
      unit_ = unit;
      base_ = static_cast<Micros>(static_cast<std::uint64_t>(lo) - room * u);
      times_ = {};
      offsets_.clear();
      offsets_.reserve(std::max(cap, all.size()));
      for (const Micros v : all) offsets_.push_back(offset(v));
      return;
    }
    wide_ = true;
    offsets_ = {};
    times_.clear();
    times_.reserve(std::max(cap, all.size()));
    times_.assign(all.begin(), all.end());
  }

  bool wide_ = false;
  Micros base_ = 0;
  std::int64_t unit_ = 1'000'000;
  std::vector<std::uint32_t> offsets_;  // (time - base_) / unit_
  std::vector<Micros> times_;           // when wide_
};

// The storage row ids of a chunk: 32-bit offsets from a base (the calls of a chunk ended about
// the same time, so they were mostly stored about the same time too), or the 64-bit ids
// themselves when they span 2^32 or more.
class IdColumn {
 public:
  std::int64_t operator[](std::size_t i) const {
    return wide_ ? ids_[i] : base_ + static_cast<std::int64_t>(offsets_[i]);
  }
  bool wide() const { return wide_; }
  void push_back(std::int64_t v, std::size_t n, std::size_t cap) {
    if (wide_) {
      ids_.push_back(v);
      return;
    }
    if (n == 0) {
      base_ = max_ = v;
      offsets_.reserve(cap);
      offsets_.push_back(0);
      return;
    }
    max_ = std::max(max_, v);
    if (v < base_) {
      // Down to v, with as much room again below it (few moves when ids come in falling order),
      // or widen when the span is too wide.
      if (span(v, max_) > kMaxOffset) return widen(v);
      const std::uint64_t room = std::min(span(v, max_), kMaxOffset - span(v, max_));
      const std::int64_t to = static_cast<std::int64_t>(static_cast<std::uint64_t>(v) - room);
      move_base(to < v ? to : v);
    } else if (span(base_, v) > kMaxOffset) {
      return widen(v);
    }
    offsets_.push_back(static_cast<std::uint32_t>(span(base_, v)));
  }
  void reserve(std::size_t cap) {
    if (wide_) {
      ids_.reserve(cap);
    } else {
      offsets_.reserve(cap);
    }
  }
  void permute(const std::vector<std::uint32_t>& order) {
    if (wide_) {
      permute_values(ids_, order);
    } else {
      permute_values(offsets_, order);
    }
  }
  void split(IdColumn& to, std::size_t keep, bool shrink) {
    to.wide_ = wide_, to.base_ = base_, to.max_ = max_;
    if (wide_) {
      move_tail(ids_, to.ids_, keep, shrink);
    } else {
      move_tail(offsets_, to.offsets_, keep, shrink);
    }
  }
  void append(const IdColumn& src, std::size_t from, std::size_t take, std::size_t n,
              std::size_t cap) {
    if (take == 0) return;
    // One move of the base for the whole range, not one per id.
    std::int64_t lo = src[from], hi = lo;
    for (std::size_t i = from; i < from + take; ++i)
      lo = std::min(lo, src[i]), hi = std::max(hi, src[i]);
    if (!wide_) {
      if (n == 0) {
        base_ = lo, max_ = hi;
        offsets_.reserve(cap);
        if (span(lo, hi) > kMaxOffset) widen_to(0);
      } else {
        max_ = std::max(max_, hi);
        if (span(std::min(base_, lo), max_) > kMaxOffset) {
          widen_to(n);
        } else if (lo < base_) {
          move_base(lo);
        }
      }
    }
    for (std::size_t i = from; i < from + take; ++i) {
      if (wide_) {
        ids_.push_back(src[i]);
      } else {
        offsets_.push_back(static_cast<std::uint32_t>(span(base_, src[i])));
      }
    }
  }
  void erase_front(std::size_t k) {
    auto erase = [k](auto& values) {
      values.erase(values.begin(), values.begin() + static_cast<std::ptrdiff_t>(k));
    };
    if (wide_) {
      erase(ids_);
    } else {
      erase(offsets_);
    }
  }
  // The base moved to the smallest id, and back to offsets if the ids now span less than 2^32.
  void pack() {
    const std::size_t n = wide_ ? ids_.size() : offsets_.size();
    if (n == 0) return;
    std::int64_t lo = (*this)[0], hi = lo;
    for (std::size_t i = 1; i < n; ++i)
      lo = std::min(lo, (*this)[i]), hi = std::max(hi, (*this)[i]);
    max_ = hi;
    if (span(lo, hi) > kMaxOffset) return;
    if (!wide_) return move_base(lo);
    offsets_.reserve(ids_.capacity());
    for (const std::int64_t v : ids_) offsets_.push_back(static_cast<std::uint32_t>(span(lo, v)));
    base_ = lo;
    wide_ = false;
    ids_ = {};
  }
  std::size_t memory_bytes() const {
    return ids_.capacity() * sizeof(std::int64_t) + offsets_.capacity() * sizeof(std::uint32_t);
  }

 private:
  static constexpr std::uint64_t kMaxOffset = std::numeric_limits<std::uint32_t>::max();
  // b - a for a <= b, without overflow.
  static std::uint64_t span(std::int64_t a, std::int64_t b) {
    return static_cast<std::uint64_t>(b) - static_cast<std::uint64_t>(a);
  }
  void move_base(std::int64_t to) {  // to <= base_, max_ - to <= kMaxOffset
    const auto shift = static_cast<std::uint32_t>(span(to, base_));
    for (std::uint32_t& o : offsets_) o += shift;
    base_ = to;
  }
  void widen_to(std::size_t n) {
    ids_.reserve(std::max(offsets_.capacity(), n + 1));
    for (const std::uint32_t o : offsets_) ids_.push_back(base_ + static_cast<std::int64_t>(o));
    offsets_ = {};
    wide_ = true;
  }
  void widen(std::int64_t v) {
    widen_to(offsets_.size());
    ids_.push_back(v);
  }

  bool wide_ = false;
  std::int64_t base_ = 0;  // offsets_[i] = id - base_
  std::int64_t max_ = 0;   // the largest id held
  std::vector<std::uint32_t> offsets_;
  std::vector<std::int64_t> ids_;  // when wide_
};

NumberKey number_key(std::string_view number) {
  const std::string_view d = strip_plus(number);
  if (d.size() > kNumberDigits || !all_digits(d)) return {kOddNumber, 0};
  const std::size_t first = std::min(d.size(), kWordDigits);
  return {word(d.substr(0, first)), word(d.substr(first))};
}

bool value_set_rebuild_matches_doubling(const std::vector<std::uint64_t>& keys,
                                        std::size_t start_words, std::size_t max_bits) {
  ValueSet folded(start_words), doubled(start_words);
  auto key_of = [&keys](std::size_t i) { return keys[i]; };
  folded.rebuild(key_of, keys.size(), max_bits);
  doubled.rebuild_by_doubling(key_of, keys.size(), max_bits);
  return folded == doubled;
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

  std::size_t n = 0;    // calls
  std::size_t cap = 0;  // calls the columns (those with a vector) have room for
  // One entry per call, in (end_time, id) order.
  EndColumn end_time;
  IdColumn id;
  // end_time - initiation_time in microseconds, or kLongInit: the initiation_time is in
  // long_init_ (a call of over 71 minutes from initiation to end, or one ending before it began).
  Column<std::uint32_t> init;
  std::size_t long_init = 0;                             // kLongInit entries (or more)
  Column<std::uint32_t> from_hi, from_lo, to_hi, to_lo;  // number_key()
  // The first 4 digits of each number (lead_of(hi)): a prefix of up to 4 digits (a country, an
  // area) reads 2 bytes a call instead of 4.
  Column<std::uint16_t> from_lead, to_lead;
  Column<std::uint16_t> bill, dur, bridged;  // narrow()
  CodedColumn<std::uint16_t> cause;          // the code + 1 (0: none)
  BitColumn dir;                             // the Direction (two values)
  static_assert(static_cast<int>(Direction::kInbound) == 0 &&
                static_cast<int>(Direction::kOutbound) == 1);
  Column<std::uint8_t> source, stir;
  // Dictionary ids; a username or DID that is its call's number (from_number for from_user,
  // to_number for the others) is kPlusNumber or kBareNumber instead.
  CodedColumn<std::uint32_t> trunk;
  Column<std::uint32_t> from_user, to_user, bridged_user, did, ext;

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

  std::size_t size() const { return n; }
  std::size_t pending() const { return size() - sorted; }
  bool before(std::size_t i, Micros t, std::int64_t row) const {
    const Micros e = end_time[i];
    return e < t || (e == t && id[i] < row);
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
    f(s.from_lead), f(s.to_lead);
    f(s.bridged), f(s.cause), f(s.dir), f(s.source), f(s.stir), f(s.trunk), f(s.from_user);
    f(s.to_user), f(s.bridged_user), f(s.did), f(s.ext);
  }
  template <class F>
  void each_column_pair(Chunk& o, F&& f) {
    f(end_time, o.end_time), f(id, o.id), f(init, o.init), f(from_hi, o.from_hi),
        f(from_lo, o.from_lo);
    f(to_hi, o.to_hi), f(to_lo, o.to_lo), f(bill, o.bill), f(dur, o.dur), f(bridged, o.bridged);
    f(from_lead, o.from_lead), f(to_lead, o.to_lead);
    f(cause, o.cause), f(dir, o.dir), f(source, o.source), f(stir, o.stir), f(trunk, o.trunk);
    f(from_user, o.from_user), f(to_user, o.to_user), f(bridged_user, o.bridged_user);
    f(did, o.did), f(ext, o.ext);
  }

  // The value-set keys of call i of a username column and of the number it may stand for.
  static auto user_keys(const Column<std::uint32_t>& users, const Column<std::uint32_t>& hi,
                        const Column<std::uint32_t>& lo) {
    return [&users, &hi, &lo](std::size_t i) { return user_key(users[i], hi[i], lo[i]); };
  }
  template <class C>
  static auto plain_keys(const C& values) {
    return [&values](std::size_t i) { return std::uint64_t{values[i]}; };
  }

  // Counts call i into the min/max and (unless `sets` is false) the value sets.
  void account_for(std::size_t i, bool sets = true) {
    const Micros end = end_time[i];
    const std::int64_t row = id[i];
    end_mm.add(end);
    if (end < first_end || (end == first_end && row < first_id)) {
      first_end = end;
      first_id = row;
    }
    const std::uint32_t delta = init[i];
    if (delta == kLongInit) {
      ++long_init;
      init_mm.add(std::numeric_limits<std::int64_t>::lowest());
      init_mm.add(std::numeric_limits<std::int64_t>::max());
    } else {
      init_mm.add(end - delta);
    }
    const std::uint32_t fh = from_hi[i], th = to_hi[i];
    if (fh == kOddNumber) {
      ++odd_from;
    } else {
      from_mm.add(fh);
    }
    if (th == kOddNumber) {
      ++odd_to;
    } else {
      to_mm.add(th);
    }
    add_duration(bill_mm, wide_bill, bill[i], 0);
    add_duration(dur_mm, wide_dur, dur[i], 0);
    add_duration(bridged_mm, wide_bridged, bridged[i], 1);
    cause_mm.add(cause[i]);
    dir_mm.add(dir[i]), source_mm.add(source[i]), stir_mm.add(stir[i]), trunk_mm.add(trunk[i]);
    from_user_mm.add(from_user[i]), to_user_mm.add(to_user[i]);
    bridged_user_mm.add(bridged_user[i]), did_mm.add(did[i]), ext_mm.add(ext[i]);
    if (!sets) return;
    const std::size_t count = size();
    trunk_set.add(trunk[i], plain_keys(trunk), count, max_set_bits);
    from_user_set.add(user_key(from_user[i], fh, from_lo[i]),
                      user_keys(from_user, from_hi, from_lo), count, max_set_bits);
    to_user_set.add(user_key(to_user[i], th, to_lo[i]), user_keys(to_user, to_hi, to_lo), count,
                    max_set_bits);
    bridged_user_set.add(user_key(bridged_user[i], th, to_lo[i]),
                         user_keys(bridged_user, to_hi, to_lo), count, max_set_bits);
    did_set.add(user_key(did[i], th, to_lo[i]), user_keys(did, to_hi, to_lo), count, max_set_bits);
    ext_set.add(ext[i], plain_keys(ext), count, max_set_bits);
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

  // After calls moved or left: each column back to one value where it can be, the min/max and
  // the value sets recomputed.
  void recompute_stats() {
    each_column([](auto& column) { column.pack(); });
    trunk.pack_table(size());
    cause.pack_table(size());
    wide_bill = wide_dur = wide_bridged = long_init = 0;
    init_mm = {}, from_mm = {}, to_mm = {}, bill_mm = {}, dur_mm = {}, bridged_mm = {};
    cause_mm = {}, dir_mm = {}, source_mm = {}, stir_mm = {}, trunk_mm = {}, from_user_mm = {};
    to_user_mm = {}, bridged_user_mm = {}, did_mm = {}, ext_mm = {};
    odd_from = odd_to = 0;
    end_mm = {};
    first_end = std::numeric_limits<Micros>::max();
    first_id = std::numeric_limits<std::int64_t>::max();
    for (std::size_t i = 0; i < size(); ++i) account_for(i, false);
    const std::size_t count = size();
    trunk_set.rebuild(plain_keys(trunk), count, max_set_bits);
    from_user_set.rebuild(user_keys(from_user, from_hi, from_lo), count, max_set_bits);
    to_user_set.rebuild(user_keys(to_user, to_hi, to_lo), count, max_set_bits);
    bridged_user_set.rebuild(user_keys(bridged_user, to_hi, to_lo), count, max_set_bits);
    did_set.rebuild(user_keys(did, to_hi, to_lo), count, max_set_bits);
    ext_set.rebuild(plain_keys(ext), count, max_set_bits);
  }

  // Merges the pending calls into the sorted ones: one pass over each column.
  void settle() {
    if (sorted == size()) return;
    // The pending calls' (end_time, id) read once, sorted, and merged with the sorted calls.
    struct Key {
      Micros end;
      std::int64_t row;
      std::uint32_t at;
      bool operator<(const Key& o) const { return end < o.end || (end == o.end && row < o.row); }
    };
    thread_local std::vector<Key> fresh;
    thread_local std::vector<std::uint32_t> order;
    fresh.clear();
    for (std::size_t i = sorted; i < size(); ++i) {
      fresh.push_back({end_time[i], id[i], static_cast<std::uint32_t>(i)});
    }
    std::sort(fresh.begin(), fresh.end());
    order.clear();
    order.reserve(size());
    // The sorted calls before the first pending one stay where they are.
    std::size_t a = lower_bound(fresh.front().end, fresh.front().row);
    for (std::size_t i = 0; i < a; ++i) order.push_back(static_cast<std::uint32_t>(i));
    std::size_t b = 0;
    while (a < sorted || b < fresh.size()) {
      if (b == fresh.size() || (a < sorted && before(a, fresh[b].end, fresh[b].row))) {
        order.push_back(static_cast<std::uint32_t>(a++));
      } else {
        order.push_back(fresh[b++].at);
      }
    }
    each_column([](auto& column) { column.permute(order); });
    sorted = size();
  }

  // The position of the first sorted call at or after (t, row).
  std::size_t lower_bound(Micros t, std::int64_t row) const {
    std::size_t lo = 0, hi = sorted;
    while (lo < hi) {
      const std::size_t mid = (lo + hi) / 2;
      if (before(mid, t, row)) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo;
  }
  // The position of the first sorted call with end_time >= t.
  std::size_t first_at_or_after(Micros t) const { return end_time.first_at_or_after(t, sorted); }
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
  // Dictionary ids, and the values that may be kept as their calls' numbers.
  std::vector<std::uint32_t> from_users, to_users, bridged_users, dids, exts;
  std::vector<NumberProbe> from_user_numbers, to_user_numbers, bridged_user_numbers, did_numbers;
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
  auto ids = [this](const std::vector<std::string>& values, std::vector<std::uint32_t>& out,
                    std::vector<NumberProbe>& numbers) {
    for (const std::string& v : values) {
      if (std::optional<std::uint32_t> id = strings_.find(v)) out.push_back(*id);
      if (std::optional<std::uint32_t> marker = number_form(v)) {
        const NumberKey key = number_key(v);
        numbers.push_back({*marker, key.hi, key.lo, user_key(*marker, key.hi, key.lo)});
      }
    }
    return values.empty() || !out.empty() || !numbers.empty();
  };
  if (!ids(q.from_usernames, p.from_users, p.from_user_numbers) ||
      !ids(q.to_usernames, p.to_users, p.to_user_numbers) ||
      !ids(q.bridged_usernames, p.bridged_users, p.bridged_user_numbers) ||
      !ids(q.did_numbers, p.dids, p.did_numbers)) {
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

// A list filter (usernames, DIDs, extension ids) and what the chunk keeps of its column.
struct AccountCallIndex::List {
  const std::vector<std::uint32_t>* wanted;  // dictionary ids
  const std::vector<NumberProbe>* numbers;   // values that may be kept as their calls' numbers
  const Column<std::uint32_t>* values;
  const MinMax<std::uint32_t>* mm;
  const ValueSet* set;
  // The number a marker stands for, and the min/max of its first words.
  const Column<std::uint32_t>*hi, *lo;
  const MinMax<std::uint32_t>* hi_mm;

  // False when no call of the chunk holds `probe` as its number.
  bool may_hold(const NumberProbe& probe) const {
    return !mm->none_in(probe.marker, probe.marker) && !hi_mm->none_in(probe.hi, probe.hi) &&
           set->may_hold(probe.key);
  }
};

std::array<AccountCallIndex::List, 5> AccountCallIndex::lists(const Chunk& c, const Plan& p) {
  static const std::vector<NumberProbe> kNoNumbers;  // extension ids are never numbers
  return {{{&p.from_users, &p.from_user_numbers, &c.from_user, &c.from_user_mm, &c.from_user_set,
            &c.from_hi, &c.from_lo, &c.from_mm},
           {&p.to_users, &p.to_user_numbers, &c.to_user, &c.to_user_mm, &c.to_user_set, &c.to_hi,
            &c.to_lo, &c.to_mm},
           {&p.bridged_users, &p.bridged_user_numbers, &c.bridged_user, &c.bridged_user_mm,
            &c.bridged_user_set, &c.to_hi, &c.to_lo, &c.to_mm},
           {&p.dids, &p.did_numbers, &c.did, &c.did_mm, &c.did_set, &c.to_hi, &c.to_lo, &c.to_mm},
           {&p.exts, &kNoNumbers, &c.ext, &c.ext_mm, &c.ext_set, &c.to_hi, &c.to_lo, &c.to_mm}}};
}

namespace {

// Arrays for the columns that hold one value, when a pass reads one.
struct Scratch {
  std::vector<std::int64_t> i64;
  std::vector<std::uint32_t> a, b, c;
  std::vector<std::uint16_t> u16;
  std::vector<std::uint8_t> u8;
  std::vector<std::uint8_t>& of(std::uint8_t) { return u8; }
  std::vector<std::uint16_t>& of(std::uint16_t) { return u16; }
  std::vector<std::uint32_t>& of(std::uint32_t) { return a; }
};

}  // namespace

// The number of calls in [lo, lo + n) of `c` that match `p`, with bit i of m (words_for(n) words)
// set for each position lo + i that matches and cleared for the others. `window`: also check the
// end_time window (for pending calls, which binary search cannot place).
std::size_t AccountCallIndex::count_range(const Chunk& c, const Plan& p, std::size_t lo,
                                          std::size_t n, bool window, Word* m) const {
  if (n == 0) return 0;
  set_all(m, n);
  // The arrays of constant columns, when a pass needs one (rarely: min == max settles most).
  thread_local Scratch scratch;
  bool all = true;  // every filter so far passed by the whole chunk
  auto none = [m, n] {
    clear_all(m, n);
    return std::size_t{0};
  };
  if (window && (p.end_from || p.end_until)) {
    all = false;
    and_between(m, c.end_time.view(lo, n, scratch.i64), n,
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
  auto number = [&](const Plan::Number& f, const Column<std::uint32_t>& hi_words,
                    const Column<std::uint32_t>& lo_words, const Column<std::uint16_t>& leads,
                    const MinMax<std::uint32_t>& mm, std::size_t odd,
                    const std::unordered_map<std::int64_t, std::string>& odd_text) {
    const bool digits_may = f.digits && !mm.none_in(f.lo, f.lo + (f.span - 1));
    if (!digits_may && odd == 0) return false;
    // Every number of the chunk begins with the prefix.
    if (odd == 0 && !f.two_words && mm.all_in(f.lo, f.lo + (f.span - 1))) return true;
    all = false;
    // Odd numbers (kept as text) are checked one by one: remember their state first.
    std::vector<std::size_t> odd_rows;
    if (odd != 0) {
      for (std::size_t i = 0; i < n; ++i) {
        if (hi_words[lo + i] == kOddNumber && test_bit(m, i)) odd_rows.push_back(i);
      }
    }
    if (!digits_may) {
      clear_all(m, n);
    } else {
      if (f.span % kLeadUnit == 0) {
        // Up to 4 digits: a range of the leads (an odd number's kOddLead is above every one).
        const auto first = static_cast<std::uint16_t>(f.lo / kLeadUnit);
        const auto last = static_cast<std::uint16_t>(first + (f.span / kLeadUnit - 1));
        and_between(m, leads.view(lo, n, scratch.u16), n, first, last);
      } else {
        and_below(m, hi_words.view(lo, n, scratch.a), n, f.lo, f.span);
      }
      if (f.two_words) and_below(m, lo_words.view(lo, n, scratch.b), n, f.lo2, f.span2);
    }
    for (std::size_t i : odd_rows) {
      const auto it = odd_text.find(c.id[lo + i]);
      set_bit(m, i, it != odd_text.end() && std::string_view(it->second).starts_with(f.text));
    }
    return true;
  };

  // An equality filter on a column, unless absent.
  auto equal = [&](const auto& value, const auto& mm, const auto& column) {
    return !value || apply(cover_equal(mm, *value), [&] {
      and_equal(m, column.view(lo, n, scratch.of(*value)), n, *value);
    });
  };
  if (p.dir && !apply(cover_equal(c.dir_mm, *p.dir),
                      [&] { and_bits(m, c.dir.words(), lo, n, *p.dir != 0); })) {
    return none();
  }
  // The same on a coded column: its byte codes, or its values when it has too many.
  auto coded_equal = [&](const auto& value, const auto& mm, const auto& column) {
    if (!value) return true;
    const Cover cover = cover_equal(mm, *value);
    if (cover == Cover::kAll) return true;
    if (cover == Cover::kNone) return false;
    all = false;
    if (!column.coded()) {
      and_equal(m, column.values().view(lo, n, scratch.of(*value)), n, *value);
      return true;
    }
    const std::optional<std::uint8_t> code = column.code_of(*value);
    if (!code) return false;
    and_equal(m, column.codes().view(lo, n, scratch.u8), n, *code);
    return true;
  };
  if (!equal(p.source, c.source_mm, c.source) || !equal(p.stir, c.stir_mm, c.stir) ||
      !coded_equal(p.trunk, c.trunk_mm, c.trunk) || !coded_equal(p.cause, c.cause_mm, c.cause)) {
    return none();
  }
  struct Duration {
    const std::optional<Range32>* range;
    const Column<std::uint16_t>* values;
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
          const std::uint16_t* values = d.values->view(lo, n, scratch.u16);
          and_between(m, values, n, lo16, hi16);
          if (d.wide == 0 || hi16 != kWide) return;
          for (std::size_t i = 0; i < n; ++i) {
            if (values[i] != kWide || !test_bit(m, i)) continue;
            const auto it = d.wide_values->find(c.id[lo + i]);
            set_bit(m, i, it != d.wide_values->end() && it->second >= rlo && it->second <= rhi);
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
            if (c.init[lo + i] == kLongInit && test_bit(m, i)) long_rows.push_back(i);
          }
        }
        and_init_between(m, c.end_time.view(lo, n, scratch.i64), c.init.view(lo, n, scratch.a), n,
                         p.init->first, p.init->second);
        for (std::size_t i : long_rows) {
          const auto it = long_init_.find(c.id[lo + i]);
          set_bit(m, i,
                  it != long_init_.end() && it->second >= p.init->first &&
                      it->second <= p.init->second);
        }
      })) {
    return none();
  }
  std::vector<std::uint32_t> held;        // the wanted values the chunk may hold
  std::vector<NumberProbe> held_numbers;  // the same for values kept as numbers
  for (const List& list : lists(c, p)) {
    if (list.wanted->empty() && list.numbers->empty()) continue;
    held.clear();
    held_numbers.clear();
    for (std::uint32_t v : *list.wanted) {
      if (list.set->may_hold(v)) held.push_back(v);
    }
    for (const NumberProbe& probe : *list.numbers) {
      if (list.may_hold(probe)) held_numbers.push_back(probe);
    }
    if (held.empty() && held_numbers.empty()) return none();
    if (list.values->constant() && (*list.values)[0] >= kBareNumber) {
      // Every call of the chunk holds its number here (SIP-trunk calls): the numbers decide.
      const std::uint32_t marker = (*list.values)[0];
      std::erase_if(held_numbers,
                    [marker](const NumberProbe& probe) { return probe.marker != marker; });
      if (held_numbers.empty()) return none();
      all = false;
      and_number_in(m, list.hi->view(lo, n, scratch.b), list.lo->view(lo, n, scratch.c), n,
                    held_numbers);
      continue;
    }
    if (held_numbers.empty() || list.values->constant()) {  // a constant id: min/max settle it
      if (!apply(cover_in(*list.mm, held),
                 [&] { and_in(m, list.values->view(lo, n, scratch.a), n, held); })) {
        return none();
      }
      continue;
    }
    all = false;
    and_in_users(m, list.values->view(lo, n, scratch.a), list.hi->view(lo, n, scratch.b),
                 list.lo->view(lo, n, scratch.c), n, held, held_numbers);
  }
  if (p.from &&
      !number(*p.from, c.from_hi, c.from_lo, c.from_lead, c.from_mm, c.odd_from, odd_from_)) {
    return none();
  }
  if (p.to && !number(*p.to, c.to_hi, c.to_lo, c.to_lead, c.to_mm, c.odd_to, odd_to_)) {
    return none();
  }
  return all ? n : count_bits(m, n);
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
  // A coded column's table holds every value its calls hold.
  if ((p.trunk && c.trunk.coded() && !c.trunk.code_of(*p.trunk)) ||
      (p.cause && c.cause.coded() && !c.cause.code_of(*p.cause))) {
    return false;
  }
  auto none_between = [](const auto& range, const auto& mm) {
    return range && mm.none_in(range->first, range->second);
  };
  if (none_between(p.bill, c.bill_mm) || none_between(p.dur, c.dur_mm) ||
      none_between(p.bridged, c.bridged_mm) || none_between(p.init, c.init_mm)) {
    return false;
  }
  for (const List& list : lists(c, p)) {
    if (list.wanted->empty() && list.numbers->empty()) continue;
    const bool some = std::any_of(list.wanted->begin(), list.wanted->end(),
                                  [&](std::uint32_t v) {
                                    return !list.mm->none_in(v, v) && list.set->may_hold(v);
                                  }) ||
                      std::any_of(list.numbers->begin(), list.numbers->end(),
                                  [&](const NumberProbe& probe) { return list.may_hold(probe); });
    if (!some) return false;
  }
  return true;
}

// The matches of `p` among the calls of `c` in [lo, hi) of its sorted part and among its pending
// calls; the bits of mask[0, words_for(hi - lo)) then those of the words after them tell which.
std::size_t AccountCallIndex::count_in(const Chunk& c, const Plan& p, std::size_t lo,
                                       std::size_t hi, std::vector<std::uint64_t>& mask) const {
  if (!may_match(c, p)) return 0;  // the mask is not looked at then
  const std::size_t sorted_words = words_for(hi - lo);
  mask.resize(sorted_words + words_for(c.pending()));
  return count_range(c, p, lo, hi - lo, false, mask.data()) +
         count_range(c, p, c.sorted, c.pending(), true, mask.data() + sorted_words);
}

// ---- the postings ----------------------------------------------------------------------------

// Every call's list-column values as (hash, second) entries, sorted by hash: the calls that hold
// a value are found by binary search, whatever the account's size, without visiting its chunks.
// An entry names the second the call ended in, not its place, so nothing here changes when calls
// move between chunks (merges, splits, compaction); the query finds the calls of that second and
// checks each against the whole filter. Entries are added to a small unsorted tail, which is
// sorted into a run of its own when full; a run is merged with the one before it while that one
// is at most twice its size, so the runs at least double in size from the newest to the oldest:
// about log2(entries / 1024) runs, each entry copied about as many times over its life (a bulk
// load of 4M entries: 12 copies each), and a lookup is a binary search per run. compact() merges
// them into one. Calls that retention removed leave their entries behind until a merge drops
// every entry before the oldest call held; until then they only make the query look at a second
// that holds no such call. 8 bytes per entry.
class AccountCallIndex::Postings {
 public:
  struct Entry {
    std::uint32_t hash = 0, second = 0;
    bool operator<(const Entry& o) const {
      return hash != o.hash ? hash < o.hash : second < o.second;
    }
  };
  static constexpr std::size_t kTailEntries = 1024;
  static constexpr std::int64_t kMicrosPerSecond = 1'000'000;

  // Families of values, mixed into the hash: a value of one never finds another's calls.
  enum Family : std::uint64_t { kFrom = 1, kTo = 2, kExt = 3 };
  static std::uint32_t hash(std::uint64_t key, Family family) {
    std::uint64_t h = key * 0x9E3779B97F4A7C15ULL + family * 0xD6E8FEB86659FD93ULL;
    h = (h ^ (h >> 32)) * 0xD6E8FEB86659FD93ULL;
    h = (h ^ (h >> 32)) * 0xD6E8FEB86659FD93ULL;
    return static_cast<std::uint32_t>(h >> 32);
  }

  // The second of `end_time` as an entry holds it: counted from base_ (the first call's second
  // less 2^31, so 68 years either side fit), nullopt when it does not fit.
  std::optional<std::uint32_t> second_of(Micros end_time) {
    const std::int64_t s = floor_seconds(end_time);
    if (!based_) {
      based_ = true;
      base_ = s - (std::int64_t{1} << 31);
    }
    return fitted(s);
  }
  std::optional<std::uint32_t> fitted(std::int64_t s) const {
    // Its microseconds [s, s + 1) must be Micros too.
    constexpr std::int64_t kLowest = std::numeric_limits<Micros>::lowest() / kMicrosPerSecond + 1;
    constexpr std::int64_t kHighest = std::numeric_limits<Micros>::max() / kMicrosPerSecond - 1;
    if (!based_ || s < base_ || s < kLowest || s > kHighest ||
        s - base_ > std::int64_t{std::numeric_limits<std::uint32_t>::max()}) {
      return std::nullopt;
    }
    return static_cast<std::uint32_t>(s - base_);
  }
  // The end times [from, from + 1 s) of an entry's second.
  Micros micros_of(std::uint32_t second) const { return (base_ + second) * kMicrosPerSecond; }
  static std::int64_t floor_seconds(Micros t) {
    return t / kMicrosPerSecond - (t % kMicrosPerSecond < 0 ? 1 : 0);
  }

  // `floor`: the second of the oldest call held (entries before it are dropped when merged).
  void add(std::uint32_t h, std::uint32_t second, std::optional<std::uint32_t> floor) {
    tail_.push_back({h, second});
    if (tail_.size() >= kTailEntries) flush(floor);
  }
  // The tail sorted into a run of its own, and merged with the runs before it that are at most
  // twice its size; `all`: every run merged into one.
  void flush(std::optional<std::uint32_t> floor, bool all = false) {
    if (!tail_.empty()) {
      std::sort(tail_.begin(), tail_.end());
      runs_.push_back(std::move(tail_));
      tail_ = {};
    }
    while (runs_.size() >= 2 &&
           (all || runs_[runs_.size() - 2].size() <= 2 * runs_.back().size())) {
      std::vector<Entry> newer = std::move(runs_.back());
      runs_.pop_back();
      merge_into(runs_.back(), newer, floor);
    }
  }
  // f(second) for every entry of hash h.
  template <class F>
  void each(std::uint32_t h, F&& f) const {
    for (const std::vector<Entry>& run : runs_) {
      auto it = std::lower_bound(run.begin(), run.end(), Entry{h, 0});
      for (; it != run.end() && it->hash == h; ++it) f(it->second);
    }
    for (const Entry& e : tail_) {
      if (e.hash == h) f(e.second);
    }
  }
  std::size_t count(std::uint32_t h) const {
    std::size_t n = 0;
    for (const std::vector<Entry>& run : runs_) {
      const auto range =
          std::equal_range(run.begin(), run.end(), Entry{h, 0},
                           [](const Entry& a, const Entry& b) { return a.hash < b.hash; });
      n += static_cast<std::size_t>(range.second - range.first);
    }
    for (const Entry& e : tail_) n += e.hash == h ? 1 : 0;
    return n;
  }
  std::size_t memory_bytes() const {
    std::size_t entries = tail_.capacity();
    for (const std::vector<Entry>& run : runs_) entries += run.capacity();
    return entries * sizeof(Entry) + runs_.capacity() * sizeof(std::vector<Entry>);
  }

 private:
  // `into` and `from` sorted: `into` becomes both, without the entries before `floor`.
  static void merge_into(std::vector<Entry>& into, const std::vector<Entry>& from,
                         std::optional<std::uint32_t> floor) {
    std::vector<Entry> merged;
    merged.reserve(into.size() + from.size());
    auto keep = [floor](const Entry& e) { return !floor || e.second >= *floor; };
    auto a = into.cbegin();
    auto b = from.cbegin();
    while (a != into.cend() || b != from.cend()) {
      const bool take_a = b == from.cend() || (a != into.cend() && !(*b < *a));
      const Entry e = take_a ? *a++ : *b++;
      if (keep(e)) merged.push_back(e);
    }
    merged.shrink_to_fit();
    into = std::move(merged);
  }

  bool based_ = false;
  std::int64_t base_ = 0;                 // in seconds
  std::vector<std::vector<Entry>> runs_;  // sorted; each over twice the size of the next
  std::vector<Entry> tail_;
};

std::optional<std::vector<std::uint32_t>> AccountCallIndex::posted(const CallQuery& q,
                                                                   const Plan& p) const {
  if (!postings_ || !postings_usable_ || max_posted_calls_ == 0) return std::nullopt;
  // An empty value is not posted (a call without that field holds none): such a filter is
  // answered by the chunks.
  for (const auto* values :
       {&q.from_usernames, &q.to_usernames, &q.bridged_usernames, &q.did_numbers}) {
    for (const std::string& v : *values) {
      if (v.empty()) return std::nullopt;
    }
  }
  struct Filter {
    const std::vector<std::uint32_t>* ids;
    const std::vector<NumberProbe>* numbers;
    Postings::Family family;
  };
  static const std::vector<NumberProbe> kNoNumbers;
  const Filter filters[] = {{&p.from_users, &p.from_user_numbers, Postings::kFrom},
                            {&p.to_users, &p.to_user_numbers, Postings::kTo},
                            {&p.bridged_users, &p.bridged_user_numbers, Postings::kTo},
                            {&p.dids, &p.did_numbers, Postings::kTo},
                            {&p.exts, &kNoNumbers, Postings::kExt}};
  std::optional<std::vector<std::uint32_t>> best;
  std::size_t best_calls = max_posted_calls_ + 1;
  for (const Filter& f : filters) {
    if (f.ids->empty() && f.numbers->empty()) continue;
    std::vector<std::uint32_t> hashes;
    for (const std::uint32_t id : *f.ids) hashes.push_back(Postings::hash(id, f.family));
    for (const NumberProbe& probe : *f.numbers) {
      hashes.push_back(Postings::hash(probe.key, f.family));
    }
    std::sort(hashes.begin(), hashes.end());
    hashes.erase(std::unique(hashes.begin(), hashes.end()), hashes.end());
    std::size_t calls = 0;
    for (const std::uint32_t h : hashes) calls += postings_->count(h);
    if (calls < best_calls) {
      best_calls = calls;
      best = std::move(hashes);
    }
  }
  return best;
}

IndexAnswer AccountCallIndex::query_posted(const CallQuery& q, const Plan& p,
                                           const std::vector<std::uint32_t>& hashes) const {
  IndexAnswer answer;
  std::vector<std::uint32_t> seconds;
  for (const std::uint32_t h : hashes) {
    postings_->each(h, [&seconds](std::uint32_t s) { seconds.push_back(s); });
  }
  std::sort(seconds.begin(), seconds.end());
  seconds.erase(std::unique(seconds.begin(), seconds.end()), seconds.end());
  // Every call of each second, checked against the whole filter (the window included).
  std::vector<std::pair<Micros, std::int64_t>> hits;
  Word m[1];
  for (const std::uint32_t s : seconds) {
    const Micros from = postings_->micros_of(s), until = from + Postings::kMicrosPerSecond;
    if ((p.end_from && *p.end_from >= until) || (p.end_until && *p.end_until <= from)) continue;
    for (std::size_t ci = chunk_for(from, std::numeric_limits<std::int64_t>::min());
         ci < chunks_.size() && chunks_[ci]->first_end < until; ++ci) {
      const Chunk& c = *chunks_[ci];
      auto check = [&](std::size_t i) {
        if (count_range(c, p, i, 1, true, m) != 0) hits.emplace_back(c.end_time[i], c.id[i]);
      };
      const std::size_t hi = c.first_at_or_after(until);
      for (std::size_t i = c.first_at_or_after(from); i < hi; ++i) check(i);
      for (std::size_t i = c.sorted; i < c.size(); ++i) {
        const Micros e = c.end_time[i];
        if (e >= from && e < until) check(i);
      }
    }
  }
  std::sort(hits.begin(), hits.end());
  if (q.order == SortOrder::kNewestFirst) std::reverse(hits.begin(), hits.end());
  if (q.count_total) answer.total_count = static_cast<std::int64_t>(hits.size());
  const auto offset = static_cast<std::size_t>(std::max<std::int64_t>(0, q.offset));
  const auto limit = static_cast<std::size_t>(std::max(0, q.limit));
  for (std::size_t i = offset; i < hits.size() && answer.ids.size() < limit; ++i) {
    answer.ids.push_back(hits[i].second);
  }
  return answer;
}

bool AccountCallIndex::selective(const CallQuery& q) const {
  const std::optional<Plan> p = plan(q);
  return !p || chunks_.empty() || posted(q, *p).has_value();  // none: an empty answer at once
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
  if (arena_.size() + s.size() > std::numeric_limits<std::uint32_t>::max() ||
      ends_.size() >= kBareNumber) {
    return std::nullopt;
  }
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

AccountCallIndex::AccountCallIndex(std::size_t chunk_rows, std::size_t max_posted_calls)
    : postings_(std::make_unique<Postings>()),
      max_posted_calls_(max_posted_calls),
      chunk_rows_(std::max<std::size_t>(chunk_rows, 2)) {}
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

void AccountCallIndex::post(const IndexedCall& call, const NumberKey& from, const NumberKey& to,
                            std::uint32_t from_user, std::uint32_t to_user,
                            std::uint32_t bridged_user, std::uint32_t did, std::uint32_t ext) {
  if (!postings_) postings_ = std::make_unique<Postings>();
  if (!postings_usable_) return;
  const std::optional<std::uint32_t> second = postings_->second_of(call.end_time);
  if (!second) {
    postings_usable_ = false;  // a call too far in time from the first: the chunks answer
    postings_ = std::make_unique<Postings>();
    return;
  }
  const std::optional<std::uint32_t> floor =
      postings_->fitted(Postings::floor_seconds(chunks_.front()->first_end));
  // A field left empty holds no value: not posted (posted() leaves empty filter values alone).
  if (!call.from_username.empty()) {
    postings_->add(Postings::hash(user_key(from_user, from.hi, from.lo), Postings::kFrom), *second,
                   floor);
  }
  std::uint64_t to_keys[3];
  std::size_t n = 0;
  for (const auto& [text, value] :
       {std::pair{call.to_username, to_user}, std::pair{call.bridged_username, bridged_user},
        std::pair{call.did_number, did}}) {
    if (text.empty()) continue;
    const std::uint64_t key = user_key(value, to.hi, to.lo);
    if (std::find(to_keys, to_keys + n, key) == to_keys + n) to_keys[n++] = key;
  }
  for (std::size_t i = 0; i < n; ++i) {
    postings_->add(Postings::hash(to_keys[i], Postings::kTo), *second, floor);
  }
  if (ext != 0) postings_->add(Postings::hash(ext, Postings::kExt), *second, floor);
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
  // Every column takes the call at the end (pos == c.size() until all are in).
  auto ins = [&c](auto& column, auto value) { column.push_back(value, c.n, c.cap); };
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
  if (c.n >= c.cap) {
    // Columns grow together and never past one chunk (plus the call that splits it), so no
    // column holds more than twice what it uses, or one chunk's worth.
    c.cap = std::min(chunk_rows_ + 1, std::max<std::size_t>(64, 2 * c.size()));
    c.each_column([&c](auto& column) { column.reserve(c.cap); });
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
  ins(c.from_lead, lead_of(from_key.hi));
  ins(c.to_lead, lead_of(to_key.hi));
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
  // A username that is its call's number: a marker (the number's words say the rest).
  auto user = [&intern](std::string_view name, std::string_view number) {
    if (name == number) {
      if (const std::optional<std::uint32_t> marker = number_form(name)) return *marker;
    }
    return intern(name);
  };
  const std::uint32_t from_user = user(call.from_username, call.from_number);
  const std::uint32_t to_user = user(call.to_username, call.to_number);
  const std::uint32_t bridged_user = user(call.bridged_username, call.to_number);
  const std::uint32_t did = user(call.did_number, call.to_number);
  ins(c.from_user, from_user);
  ins(c.to_user, to_user);
  ins(c.bridged_user, bridged_user);
  ins(c.did, did);
  ins(c.ext, ext);
  ++c.n;
  c.account_for(pos);
  if (in_order) c.sorted = c.size();
  ++size_;
  post(call, from_key, to_key, from_user, to_user, bridged_user, did, ext);
  if (c.pending() > kPendingRows || c.size() > chunk_rows_) c.settle();

  if (c.size() > chunk_rows_) {
    // Split: an append-heavy chunk (the newest) keeps most of its calls where new ones land
    // after it, so the older part is left nearly full.
    const bool appending = in_order && ci + 1 == chunks_.size();
    const std::size_t keep = appending ? chunk_rows_ - chunk_rows_ / 8 : c.size() / 2;
    auto next = std::make_unique<Chunk>(chunk_rows_);
    // The older part of an appending split rarely grows again: no spare capacity for it.
    c.each_column_pair(
        *next, [keep, appending](auto& from, auto& to) { from.split(to, keep, appending); });
    next->n = next->cap = c.n - keep;
    c.n = keep;
    if (appending) c.cap = keep;
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
      if (!out || out->size() == fill) {
        if (out) packed.push_back(std::move(out));
        out = std::make_unique<Chunk>(chunk_rows_);
        out->cap = fill;  // a column that needs a vector gets exactly room for `fill`
      }
      const std::size_t take = std::min(fill - out->size(), c.size() - from);
      Chunk& to = *out;
      c.each_column_pair(to, [from, take, &to](auto& src, auto& dst) {
        dst.append(src, from, take, to.n, to.cap);
      });
      to.n += take;
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
  flush_postings(/*all=*/true);
}

void AccountCallIndex::flush_postings(bool all) {
  if (!postings_ || chunks_.empty()) return;
  postings_->flush(postings_->fitted(Postings::floor_seconds(chunks_.front()->first_end)), all);
}

AccountCallIndex::Shape AccountCallIndex::shape() const {
  const std::size_t fill = chunk_rows_ - chunk_rows_ / 8;  // as compact() leaves them
  Shape s;
  s.chunks = chunks_.size();
  s.packed_chunks = (size_ + fill - 1) / fill;
  for (const auto& c : chunks_) s.pending += c->pending();
  return s;
}

std::optional<AccountCallIndex::Position> AccountCallIndex::compact_step(Position from,
                                                                         std::size_t max_rows) {
  const std::size_t fill = chunk_rows_ - chunk_rows_ / 8;  // as compact() leaves them
  max_rows = std::max(max_rows, chunk_rows_);  // two chunks that fit in one always go together
  // Chunk i and the next one fit in one chunk.
  auto fits_next = [this, fill](std::size_t i) {
    return i + 1 < chunks_.size() && chunks_[i]->size() + chunks_[i + 1]->size() <= fill;
  };
  auto loose = [&](std::size_t i) { return chunks_[i]->pending() > 0 || fits_next(i); };
  std::size_t first = chunks_.empty() ? 0 : chunk_for(from.first, from.second);
  while (first < chunks_.size() && !loose(first)) ++first;
  if (first >= chunks_.size()) {
    flush_postings();  // the pass is over: the postings' tail sorted too
    return std::nullopt;
  }
  // The run [first, last): each next chunk that the one before fits with.
  std::size_t last = first + 1, rows = chunks_[first]->size();
  while (last < chunks_.size() && rows + chunks_[last]->size() <= max_rows && fits_next(last - 1)) {
    rows += chunks_[last]->size();
    ++last;
  }
  std::size_t next = last;
  if (last == first + 1) {
    // Only its pending calls to merge: in place, then its columns back to one value where they
    // can be (its min/max and value sets counted the pending calls already).
    Chunk& c = *chunks_[first];
    c.settle();
    c.recompute_stats();  // columns back to one value where they can be
  } else {
    // As few chunks as compact() would leave (never more than there were), evenly filled.
    const std::size_t k =
        std::min(last - first, std::max<std::size_t>(1, (rows + fill - 1) / fill));
    std::vector<std::unique_ptr<Chunk>> packed;
    std::unique_ptr<Chunk> out;
    std::size_t target = 0;
    for (std::size_t i = first; i < last; ++i) {
      Chunk& c = *chunks_[i];
      c.settle();
      for (std::size_t at = 0; at < c.size();) {
        if (!out || out->size() == target) {
          if (out) packed.push_back(std::move(out));
          target = rows / k + (packed.size() < rows % k ? 1 : 0);
          out = std::make_unique<Chunk>(chunk_rows_);
          out->cap = target;  // a column that needs a vector gets exactly room for `target`
        }
        const std::size_t take = std::min(target - out->size(), c.size() - at);
        Chunk& to = *out;
        c.each_column_pair(
            to, [at, take, &to](auto& src, auto& dst) { dst.append(src, at, take, to.n, to.cap); });
        to.n += take;
        at += take;
      }
      chunks_[i].reset();
    }
    if (out) packed.push_back(std::move(out));
    for (std::unique_ptr<Chunk>& c : packed) {
      c->sorted = c->size();
      c->recompute_stats();
    }
    next = first + packed.size();
    chunks_.erase(chunks_.begin() + static_cast<std::ptrdiff_t>(first),
                  chunks_.begin() + static_cast<std::ptrdiff_t>(last));
    chunks_.insert(chunks_.begin() + static_cast<std::ptrdiff_t>(first),
                   std::make_move_iterator(packed.begin()), std::make_move_iterator(packed.end()));
  }
  if (next >= chunks_.size()) {
    flush_postings();
    return std::nullopt;
  }
  return Position{chunks_[next]->first_end, chunks_[next]->first_id};
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
  c.bill.set(pos, narrow(v, 0), c.n);
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
  // A filter on rare values: their calls, from the postings.
  if (const std::optional<std::vector<std::uint32_t>> hashes = posted(q, *p)) {
    return query_posted(q, *p, *hashes);
  }
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

  std::vector<std::uint64_t> mask;
  std::size_t seen = 0;  // matches before the current part, in the query's order
  auto take_page = [&](const Part& part) {
    // The page's calls inside this part: bits of its mask, in the query's order.
    // (A chunk that cannot match returns 0 without filling the mask.)
    if (count_in(*part.chunk, *p, part.lo, part.hi, mask) == 0) return;
    const Chunk& c = *part.chunk;
    const std::size_t n = part.hi - part.lo;
    const std::size_t sorted_words = words_for(n);
    if (c.pending() == 0) {
      for (std::size_t k = 0; k < sorted_words && answer.ids.size() < limit; ++k) {
        const std::size_t w = newest_first ? sorted_words - 1 - k : k;
        Word bits = mask[w];
        // A word whose matches all come before the offset is passed over at once.
        const auto ones = static_cast<std::size_t>(std::popcount(bits));
        if (seen + ones <= offset) {
          seen += ones;
          continue;
        }
        while (bits != 0 && answer.ids.size() < limit) {
          const int j = newest_first ? 63 - std::countl_zero(bits) : std::countr_zero(bits);
          bits &= ~(Word{1} << j);
          if (seen++ < offset) continue;
          answer.ids.push_back(c.id[part.lo + w * kBlock + static_cast<std::size_t>(j)]);
        }
      }
      return;
    }
    // Pending calls have no place yet: the chunk's matches, put in order.
    std::vector<std::pair<Micros, std::int64_t>> hits;
    for (std::size_t i = 0; i < n; ++i) {
      if (test_bit(mask.data(), i)) hits.emplace_back(c.end_time[part.lo + i], c.id[part.lo + i]);
    }
    for (std::size_t i = 0; i < c.pending(); ++i) {
      if (test_bit(mask.data() + sorted_words, i)) {
        hits.emplace_back(c.end_time[c.sorted + i], c.id[c.sorted + i]);
      }
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
    c.each_column([k](auto& column) { column.erase_front(k); });
    c.n -= k;
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
      // A number as text: with the '+' a username kept as its marker had (a username that is
      // its call's number must come back equal to it), else with one (the key ignores it).
      auto number = [&](std::uint32_t hi, std::uint32_t lo,
                        const std::unordered_map<std::int64_t, std::string>& odd, bool bare,
                        std::string& text) -> std::string_view {
        if (hi == kOddNumber) return odd.at(call.id);
        text.assign(bare ? "" : "+");
        if (append_word_digits(hi, text)) append_word_digits(lo, text);
        return text;
      };
      const bool to_bare = c.to_user[i] == kBareNumber || c.bridged_user[i] == kBareNumber ||
                           c.did[i] == kBareNumber;
      call.from_number =
          number(c.from_hi[i], c.from_lo[i], odd_from_, c.from_user[i] == kBareNumber, from);
      call.to_number = number(c.to_hi[i], c.to_lo[i], odd_to_, to_bare, to);
      auto user = [this](std::uint32_t value, std::string_view number) {
        return value >= kBareNumber ? number : strings_.at(value);
      };
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
      call.from_username = user(c.from_user[i], call.from_number);
      call.to_username = user(c.to_user[i], call.to_number);
      call.bridged_username = user(c.bridged_user[i], call.to_number);
      call.did_number = user(c.did[i], call.to_number);
      if (c.ext[i] != 0) call.extension_id = ext_of[c.ext[i]];
      fn(call);
    }
  }
}

std::size_t AccountCallIndex::memory_bytes() const {
  std::size_t bytes = chunks_.capacity() * sizeof(void*);
  for (const auto& cp : chunks_) {
    bytes += sizeof(Chunk);
    cp->each_column_const([&bytes](const auto& column) { bytes += column.memory_bytes(); });
  }
  // Hash tables: a node per entry (key, value, next pointer) and a bucket pointer.
  for (const auto& cp : chunks_) bytes += cp->sets_memory_bytes();
  bytes += strings_.memory_bytes();
  if (postings_) bytes += postings_->memory_bytes();
  bytes += extensions_.size() * 40;
  bytes += (wide_bill_.size() + wide_dur_.size() + wide_bridged_.size() + long_init_.size()) * 40;
  for (const auto* odd : {&odd_from_, &odd_to_}) {
    for (const auto& [id, s] : *odd) bytes += s.capacity() + 56;
  }
  return bytes;
}

}  // namespace cdrd::index
