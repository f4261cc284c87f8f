// Random calls and random list queries for the differential tests of the list index: calls with
// many ties on end_time, numbers of every shape the store keeps (E.164, national, SIP usernames,
// empty, over 17 digits), and queries that combine every filter of both call APIs.
// Deterministic for a seed (std::mt19937; only its raw output and uniform_int_distribution,
// which is deterministic on one standard library). Test code only.
#pragma once

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "core/call_query.h"
#include "core/call_record.h"

namespace cdrd::testing {

class Random {
 public:
  explicit Random(std::uint32_t seed) : rng_(seed) {}
  std::int64_t between(std::int64_t lo, std::int64_t hi) {
    return std::uniform_int_distribution<std::int64_t>(lo, hi)(rng_);
  }
  bool chance(int percent) { return between(1, 100) <= percent; }
  template <class T>
  const T& pick(const std::vector<T>& v) {
    return v[static_cast<std::size_t>(between(0, static_cast<std::int64_t>(v.size()) - 1))];
  }

 private:
  std::mt19937 rng_;
};

inline const std::vector<std::string> kNumbers = {"+4930123456",
                                                  "+4915112345678",
                                                  "+442071234567",
                                                  "+447911123456",
                                                  "+4420",
                                                  "+4",
                                                  "+14155550100",
                                                  "+12125550123",
                                                  "4930999",
                                                  "49",
                                                  "anonymous",
                                                  "alice.smith",
                                                  "",
                                                  "+",
                                                  "++4930111",
                                                  "+1234567890123456789",
                                                  "12345678901234567",
                                                  "123456789012345678",
                                                  "+49301234567#1",
                                                  "0049301234",
                                                  "+33123456789"};
inline const std::vector<std::string> kPrefixes = {"4",
                                                   "49",
                                                   "+49",
                                                   "4930",
                                                   "44",
                                                   "+44207",
                                                   "1",
                                                   "12",
                                                   "1234567890123456",
                                                   "12345678901234567",
                                                   "123456789012345678",
                                                   "1234567890123456789",
                                                   "anon",
                                                   "alice",
                                                   "alice.smith",
                                                   "0049",
                                                   "3",
                                                   "9",
                                                   "+4930123456",
                                                   "4930123456",
                                                   "49301234567"};
inline const std::vector<std::string> kTrunks = {"trunk-a", "trunk-b", "", "trunk-c"};
inline const std::vector<std::string> kUsers = {"", "100", "101", "alice", "bob", "+4930123456"};

inline CallRecord random_call(Random& rnd) {
  CallRecord c;
  c.direction = rnd.chance(50) ? Direction::kInbound : Direction::kOutbound;
  c.from_number = rnd.pick(kNumbers);
  c.to_number = rnd.pick(kNumbers);
  // Few distinct end times: many ties.
  c.end_time = 1'000'000 * rnd.between(0, 400);
  c.initiation_time = c.end_time - 1'000'000 * rnd.between(0, 100);
  c.trunk_id = rnd.pick(kTrunks);
  if (rnd.chance(70))
    c.hangup_cause_code = static_cast<int>(rnd.pick<std::int64_t>({200, 486, 503, 0}));
  c.hangup_source = static_cast<HangupSource>(rnd.between(0, 3));
  c.stir_verification = static_cast<StirVerification>(rnd.between(0, 2));
  c.duration_s = rnd.between(0, 700);
  c.bill_duration_s = rnd.chance(10) ? 0 : rnd.between(0, 700);
  if (rnd.chance(50)) c.bridged_duration_s = rnd.between(0, 300);
  c.from_username = rnd.pick(kUsers);
  c.to_username = rnd.pick(kUsers);
  c.bridged_username = rnd.pick(kUsers);
  c.did_number = rnd.pick(kUsers);
  if (rnd.chance(60)) c.extension_id = rnd.between(1, 5);
  return c;
}

inline IntRange random_range(Random& rnd, std::int64_t hi) {
  IntRange r;
  if (rnd.chance(60)) r.min = rnd.between(-5, hi);
  if (rnd.chance(60)) r.max = rnd.between(-5, hi);
  if (rnd.chance(3)) r.max = std::int64_t{999'999'999'999};
  return r;
}
inline TimeRange random_window(Random& rnd) {
  TimeRange r;
  if (rnd.chance(50)) r.from = 1'000'000 * rnd.between(-10, 410) + rnd.between(-1, 1);
  if (rnd.chance(50)) r.until = 1'000'000 * rnd.between(-10, 410) + rnd.between(-1, 1);
  return r;
}
template <class T>
std::vector<T> random_list(Random& rnd, const std::vector<T>& pool) {
  std::vector<T> v;
  const std::int64_t n = rnd.between(1, 3);
  for (std::int64_t i = 0; i < n; ++i) v.push_back(rnd.pick(pool));
  return v;
}

inline CallQuery random_query(Random& rnd, std::int64_t rows) {
  CallQuery q;
  // Each filter with its own chance, so that combinations of every size occur.
  if (rnd.chance(25)) q.direction = rnd.chance(50) ? Direction::kInbound : Direction::kOutbound;
  if (rnd.chance(25)) q.from_number = NumberPrefix{rnd.pick(kPrefixes)};
  if (rnd.chance(25)) q.to_number = NumberPrefix{rnd.pick(kPrefixes)};
  if (rnd.chance(15)) q.trunk_id = rnd.chance(90) ? rnd.pick(kTrunks) : "nope";
  if (rnd.chance(15))
    q.hangup_cause_code = static_cast<int>(rnd.pick<std::int64_t>({200, 486, 404}));
  if (rnd.chance(15)) q.hangup_source = static_cast<HangupSource>(rnd.between(0, 3));
  if (rnd.chance(15)) q.stir_verification = static_cast<StirVerification>(rnd.between(0, 2));
  if (rnd.chance(25)) q.bill_duration = random_range(rnd, 700);
  if (rnd.chance(15)) q.duration = random_range(rnd, 700);
  if (rnd.chance(50)) q.end_time = random_window(rnd);
  if (rnd.chance(15)) q.initiation_time = random_window(rnd);
  const std::vector<std::string> users = {"", "100", "101", "alice", "carol", "+4930123456"};
  if (rnd.chance(10)) q.from_usernames = random_list(rnd, users);
  if (rnd.chance(10)) q.to_usernames = random_list(rnd, users);
  if (rnd.chance(10)) q.bridged_usernames = random_list(rnd, users);
  if (rnd.chance(10)) q.did_numbers = random_list(rnd, users);
  if (rnd.chance(10)) q.flows = random_list<std::string>(rnd, {"in", "out", "transfer"});
  if (rnd.chance(10)) q.extension_ids = random_list<std::int64_t>(rnd, {1, 2, 3, 9});
  if (rnd.chance(10)) q.bridged_duration = random_range(rnd, 300);
  q.order = rnd.chance(50) ? SortOrder::kNewestFirst : SortOrder::kOldestFirst;
  q.limit = static_cast<int>(rnd.pick<std::int64_t>({0, 1, 5, 20, 50}));
  q.offset = rnd.chance(50) ? rnd.between(0, 30) : rnd.between(0, rows + 5);
  q.count_total = rnd.chance(80);
  return q;
}

}  // namespace cdrd::testing
