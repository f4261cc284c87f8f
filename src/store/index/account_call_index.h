// AccountCallIndex: one account's calls as narrow columns in (end_time, id) order, kept in memory
// beside the durable store, so that a list query (core/call_query.h) is answered with its exact
// total count by scanning a few bytes per call, and its page as a handful of storage row ids that
// the store then fetches by point lookup (docs/architecture.md, "The list index").
//
// Layout: the calls are cut into chunks of at most kChunkRows consecutive calls in (end_time, id)
// order; each chunk holds one column per filtered field (struct of arrays) and the min/max of
// each (and, for the dictionary columns, a Bloom filter of the values it holds), so a chunk that
// cannot match is skipped and a filter every call of a chunk passes is not evaluated. A column
// whose calls all hold one value keeps that value alone, no vector (the cloud-PBX fields of
// SIP-trunk calls, one trunk), until a call differs. Row ids are 32-bit offsets from the chunk's
// smallest (the ids themselves when they span 2^32 or more); end times are 32-bit offsets from the
// chunk's smallest in the largest unit of 1 s, 1 ms or 1 us that divides them all (the times
// themselves when none fits). Durations are 16 bits, initiation_time 32 bits back from end_time; a
// value too wide leaves a marker in its column and its value in a side table by row id. The
// direction is one bit a call; the trunk and the hangup code are a byte a call indexing the
// chunk's table of its (at most 256) distinct values, the values themselves past that; each
// number also keeps its first 4 digits in 16 bits, for the short prefixes. A query binary-searches
// its end_time window, then counts each chunk's matches with branch-free passes over the columns
// that AND 64-call bit words (a count is a popcount); a page at any offset walks the per-chunk
// counts to the chunk that holds it, so a deep page costs what the first one does. A call added out
// of order waits among its chunk's pending calls (at most kPendingRows, checked by every query like
// the others) until they are merged in together, so an add never shifts a whole chunk.
//
// Strings that filters compare for equality (trunk ids, usernames, DIDs) are kept as ids of a
// per-account dictionary. Numbers (from_number / to_number) are kept as integers (number_key
// below), so "begins with these digits" is one integer range. Any other number (a SIP username,
// over 18 digits) is kept as text on the side, and filters check it there. A username or DID that
// is its call's number (from_number for from_username, to_number for the others; ingest names
// SIP-trunk calls so) and reads '+' and 1 to 18 digits, or 1 to 18 digits, is not put in the
// dictionary: its column holds a marker of that form, and the number's integer key the rest.
//
// Postings: each call also posts a hash of each value its list columns hold (the from_username;
// the to_username, bridged_username and DID; the extension id) with the second it ended in, in
// runs sorted by hash. A query whose list filter's values at most max_posted_calls calls hold
// (selective()) takes those seconds by binary search and checks each of their calls against the
// whole filter, instead of visiting every chunk of its window: its cost grows with the calls of
// its values, not with the account. 8 bytes per posting (docs/architecture.md, "Postings").
//
// Exactness: query() answers exactly what the SQL evaluation of the same CallQuery answers
// (store/sqlite/call_filter.cpp), ties on end_time broken by row id; a differential test checks
// it (account_call_index_test.cpp). Values the columns cannot hold (a duration over 2^31-1 s, a
// hangup code outside [0, 65534], which ingest never accepts) make the account `exact() == false`,
// and the store then answers with its SQL scan instead.
//
// Not thread-safe: the store guards each account's index with its own reader/writer lock.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "core/call_query.h"
#include "core/call_record.h"

namespace cdrd::index {

// The fields of a call that list filters and orders use, with its storage row id. Views into
// the record (or row) it was made from: valid while that is.
struct IndexedCall {
  std::int64_t id = 0;  // storage row id: unique, the tie-break of equal end_times
  Micros end_time = 0, initiation_time = 0;
  Direction direction = Direction::kOutbound;
  std::string_view from_number, to_number, trunk_id;
  std::optional<int> hangup_cause_code;
  HangupSource hangup_source = HangupSource::kUnknown;
  StirVerification stir_verification = StirVerification::kNotApplicable;
  std::int64_t duration_s = 0, bill_duration_s = 0;
  std::optional<std::int64_t> bridged_duration_s;
  std::string_view from_username, to_username, bridged_username, did_number;
  std::optional<std::int64_t> extension_id;

  static IndexedCall of(std::int64_t id, const CallRecord& r);
};

// A query's answer: the storage ids of its page, in the query's order, and the exact number of
// matching calls (0 when the query asked for no count).
struct IndexAnswer {
  std::vector<std::int64_t> ids;
  std::int64_t total_count = 0;
};

struct NumberKey;

class AccountCallIndex {
 public:
  static constexpr std::size_t kChunkRows = 8192;
  // Calls a chunk takes out of order before it merges them in (one pass over its columns).
  static constexpr std::size_t kPendingRows = 1024;
  // The most calls a query reads through the postings (selective() below) instead of the chunks.
  static constexpr std::size_t kMaxPostedCalls = 2048;

  // `chunk_rows`: calls per chunk at most (tests use small chunks to get many);
  // `max_posted_calls`: the most calls a query reads through the postings (0: never).
  explicit AccountCallIndex(std::size_t chunk_rows = kChunkRows,
                            std::size_t max_posted_calls = kMaxPostedCalls);
  ~AccountCallIndex();
  AccountCallIndex(AccountCallIndex&&) noexcept;
  AccountCallIndex& operator=(AccountCallIndex&&) noexcept;

  // Adds a call; its id must not be in the index already. Cheapest in (end_time, id) order
  // (an append), any order works.
  void add(const IndexedCall& call);

  // Whether query() answers `q` exactly. It does not for a number filter that is empty once its
  // '+' is removed (no API sends one; it would mean "numbers written with a '+'").
  static bool answers(const CallQuery& q);
  // Sets the bill_duration of the call (end_time, id) (a re-rating changed it); false if the
  // index does not hold that call.
  bool set_bill_duration(Micros end_time, std::int64_t id, std::int64_t bill_duration_s);

  // The page and count of `q` (q.account_id is not looked at: the index is one account's).
  // Requires answers(q) and exact().
  IndexAnswer query(const CallQuery& q) const;

  // Whether query(q) finds its calls through the postings: q filters on a list column (usernames,
  // DIDs, extension ids) whose values at most max_posted_calls calls hold, so its cost grows with
  // those calls, not with the account. Requires answers(q) and exact().
  bool selective(const CallQuery& q) const;

  // Merges every chunk's pending calls and packs the calls into full chunks (7/8 full, leaving
  // room for late calls): the smallest and fastest form, after a bulk load in any order.
  void compact();

  // How far the chunks are from the packed form compact() leaves, for deciding when to compact.
  struct Shape {
    std::size_t chunks = 0;         // chunks held
    std::size_t packed_chunks = 0;  // chunks compact() would leave for as many calls
    std::size_t pending = 0;        // calls waiting among their chunk's pending ones
  };
  Shape shape() const;
  // Where a call sits in the index's order: (end_time, id).
  using Position = std::pair<Micros, std::int64_t>;
  // Compaction a step at a time, for a caller that must not hold the index for long (a
  // background pass between lists and adds): from the chunk that holds `from` (the first chunk
  // for {min, min}), skips the chunks that are packed enough (no pending calls, and too full to
  // share a chunk with the next one), then either merges the pending calls of the first loose
  // chunk in place, or packs it with the next ones that fit with it (at most `max_rows` calls,
  // or one chunk's) into as few chunks as compact() would. Returns where the next step goes on,
  // or nullopt once the pass reached the last chunk. Anything may come between two steps: a step
  // starts from what the index holds then, and its answers never depend on where a pass is.
  std::optional<Position> compact_step(Position from, std::size_t max_rows);

  // The ids of the oldest calls (by end_time, id) that ended before `floor`, at most `max`,
  // oldest first; drop_oldest(ids.size()) then removes exactly them.
  std::vector<std::int64_t> oldest_ended_before(Micros floor, std::size_t max);
  void drop_oldest(std::size_t n);

  // Every call held, in (end_time, id) order, as an IndexedCall that add() takes back into an
  // index that answers every query as this one does (the index snapshot, index_snapshot.h):
  // the current bill_duration; a number of 0-18 digits with one '+' (none when a username kept
  // as its marker was sent without), any other without its leading '+'s (all a filter
  // compares). The numbers, and a username or DID that is its call's number, are valid during
  // the call of `fn` only; the other strings (trunk id, usernames, DID) are views into the
  // index's dictionary, valid and unchanged until the index changes, one place for equal
  // strings. Meaningful while exact().
  void for_each_call(const std::function<void(const IndexedCall&)>& fn) const;

  // False once a call held a value the columns cannot keep exactly (see above).
  bool exact() const { return exact_; }
  std::size_t size() const { return size_; }
  // Bytes held by the columns, dictionaries and side tables (allocations, approximately).
  std::size_t memory_bytes() const;

 private:
  struct Chunk;
  struct Plan;
  struct List;
  static std::array<List, 5> lists(const Chunk& c, const Plan& p);
  // Strings to dense ids 0, 1, 2, ...: the strings one after another in one arena, and an
  // open-addressing table of ids, about (length + 12) bytes per distinct string.
  class Dictionary {
   public:
    // The string's id, added if new; nullopt once the arena would pass 4 GiB.
    std::optional<std::uint32_t> intern(std::string_view s);
    std::optional<std::uint32_t> find(std::string_view s) const;
    std::string_view at(std::uint32_t id) const;
    std::size_t memory_bytes() const;

   private:
    std::size_t slot_of(std::string_view s) const;  // its slot, or the empty one it would take
    void grow();

    std::string arena_;
    std::vector<std::uint32_t> ends_;        // id -> end of its string in arena_
    std::vector<std::uint32_t> slots_;       // id + 1, 0: empty; a power of two in size
    std::optional<std::uint32_t> empty_id_;  // the id of "", once interned
  };

  std::size_t chunk_for(Micros end_time, std::int64_t id) const;
  std::optional<Plan> plan(const CallQuery& q) const;
  static bool may_match(const Chunk& c, const Plan& p);
  std::size_t count_in(const Chunk& c, const Plan& p, std::size_t lo, std::size_t hi,
                       std::vector<std::uint64_t>& mask) const;
  std::size_t count_range(const Chunk& c, const Plan& p, std::size_t lo, std::size_t n, bool window,
                          std::uint64_t* m) const;
  // The hashes of the plan's most selective list filter, when its values are posted for at most
  // kMaxPostedCalls calls (nullopt: the chunks answer).
  std::optional<std::vector<std::uint32_t>> posted(const CallQuery& q, const Plan& p) const;
  IndexAnswer query_posted(const CallQuery& q, const Plan& p,
                           const std::vector<std::uint32_t>& hashes) const;
  // Posts the call just added, with the values its list columns took and its numbers' keys.
  void post(const IndexedCall& call, const NumberKey& from, const NumberKey& to,
            std::uint32_t from_user, std::uint32_t to_user, std::uint32_t bridged_user,
            std::uint32_t did, std::uint32_t ext);
  // The postings' unsorted tail sorted in (`all`: and every run merged into one).
  void flush_postings(bool all = false);

  std::vector<std::unique_ptr<Chunk>> chunks_;  // in (end_time, id) order, none empty
  // Postings: for each call, a hash of each value its list columns hold (from_username; the
  // to_username, bridged_username and DID; the extension id) with the second it ended, sorted
  // by hash, so a filter on rare values finds their calls without visiting every chunk.
  class Postings;
  std::unique_ptr<Postings> postings_;
  bool postings_usable_ = true;  // false once a call ended over 68 years from the first
  std::size_t max_posted_calls_;
  Dictionary strings_;                                          // trunk ids, usernames, DIDs
  std::unordered_map<std::int64_t, std::uint32_t> extensions_;  // extension id -> 1..n
  // Numbers kept as text (not 0-18 digits after the '+'), by row id: the number without its
  // leading '+'s.
  std::unordered_map<std::int64_t, std::string> odd_from_, odd_to_;
  // Durations of 65534 s or more (the columns keep 16 bits), by row id.
  std::unordered_map<std::int64_t, std::int32_t> wide_bill_, wide_dur_, wide_bridged_;
  // The initiation_time of calls whose end_time - initiation_time is not in [0, 2^32) us.
  std::unordered_map<std::int64_t, Micros> long_init_;
  std::size_t chunk_rows_;
  std::size_t size_ = 0;
  bool exact_ = true;
};

// The integer form of a number for prefix filters: the digits after its leading '+'s, 0 to 18
// of them, as two words of 9 base-11 digits (digit + 1, left-aligned, padded with 0), so that
// "begins with these digits" is a range of the first word (and, past 9 digits, one first word
// and a range of the second). hi == kOddNumber: any other number (kept as text).
inline constexpr std::uint32_t kOddNumber = ~std::uint32_t{0};
struct NumberKey {
  std::uint32_t hi = 0, lo = 0;
  bool operator==(const NumberKey&) const = default;
};
NumberKey number_key(std::string_view number);

// For the tests: whether a chunk's value set of `keys`, rebuilt from one of `start_words` words (a
// power of two) with at most max_bits bits, holds the same bits as trying each size in turn makes.
bool value_set_rebuild_matches_doubling(const std::vector<std::uint64_t>& keys,
                                        std::size_t start_words, std::size_t max_bits);

}  // namespace cdrd::index
