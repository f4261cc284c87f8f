// index_scan: the list index (store/index) alone, in memory: how long "match and count, then
// find the page" takes per list query on one account of N calls, and the index's bytes per call.
// No storage, no HTTP: the part of a list that grows with the account.
//
// Usage: index_scan [--calls N] [--rounds R] [--seed S] [--shuffled 0/1] [--chunk-rows N]
//                   [--sample 0/1] [--compact 0/1/2] [--step-rows N]
// --sample 1: the calls are the bench's own data set (src/sample, as `make bench` ingests it:
// one account, 30 days, validated as ingest does, row ids in arrival order, which is random
// end_time order), not the synthetic one. --compact 1: pack the index after the load, as a
// server does when it builds the index at start (the bytes per call its log shows); --compact 2:
// with compact_step() passes of --step-rows calls a step, as the store does once ingest pauses
// (prints the time and the longest step).
// Prints one line per query: "query=<name> matches=<n> page=<digest of its ids> p50_us=<..>
// p99_us=<..> cpu_p50_us=<..>" (the thread's CPU time, steadier on a busy machine), then
// "index_bytes_per_call=<..> build_s=<..>".
#include <time.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include "core/call_record.h"
#include "core/time.h"
#include "sample/sample_calls.h"
#include "service/ingest/raw_record.h"
#include "service/ingest/validate.h"
#include "store/index/account_call_index.h"

namespace {

using cdrd::CallQuery;
using cdrd::CallRecord;
using cdrd::Direction;
using cdrd::Micros;
using cdrd::NumberPrefix;
using cdrd::index::AccountCallIndex;
using cdrd::index::IndexedCall;
using Clock = std::chrono::steady_clock;

constexpr Micros kDay = 86'400'000'000;

// This thread's CPU time in microseconds: less disturbed than the wall clock by other processes
// on a shared machine.
double cpu_us() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) * 1e6 + static_cast<double>(ts.tv_nsec) * 1e-3;
}

struct Options {
  std::int64_t calls = 2'000'000;
  int rounds = 200;
  unsigned seed = 42;
  bool shuffled = false;  // add the calls in random end_time order (as the bench's load does)
  std::size_t chunk_rows = AccountCallIndex::kChunkRows;
  bool sample = false;  // the bench's data set (src/sample) instead of the synthetic one
  int compact = 0;      // 1: compact() after the load, 2: compact_step() passes
  std::size_t step_rows = 8192;
};

Options parse(int argc, char** argv) {
  Options o;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string name = argv[i];
    const long long v = std::atoll(argv[i + 1]);
    if (name == "--calls") o.calls = v;
    if (name == "--rounds") o.rounds = static_cast<int>(v);
    if (name == "--seed") o.seed = static_cast<unsigned>(v);
    if (name == "--shuffled") o.shuffled = v != 0;
    if (name == "--chunk-rows") o.chunk_rows = static_cast<std::size_t>(v);
    if (name == "--sample") o.sample = v != 0;
    if (name == "--compact") o.compact = static_cast<int>(v);
    if (name == "--step-rows") o.step_rows = static_cast<std::size_t>(v);
  }
  return o;
}

// Loads the bench's data set (src/sample: one account, the 30 days before `now`) into `index`,
// each record validated as ingest validates it (usernames default to the numbers, ...), with
// row ids in arrival order. Finds the values the queries use: the trunk of the first call, the
// from_username of the first outbound call (an own number of the account), and three outside
// callers (early, midway, late).
bool load_sample(const Options& o, Micros now, AccountCallIndex& index, std::string& trunk_name,
                 std::string& common_user, std::vector<std::string>& rare_callers) {
  cdrd::sample::SampleOptions so;
  so.seed = o.seed;
  so.auth_ids = {"MABENCH0000000000001"};
  so.end_until = now;
  so.end_from = now - 30 * kDay;
  const cdrd::service::ingest::AccountResolver resolve =
      [](std::string_view) -> cdrd::Result<std::optional<std::int64_t>> {
    return std::optional<std::int64_t>(1);
  };
  std::string own_user;
  constexpr std::int64_t kPiece = 10'000;
  std::string text;
  for (std::int64_t first = 0; first < o.calls; first += kPiece) {
    text.clear();
    const std::int64_t n = std::min(kPiece, o.calls - first);
    if (const cdrd::Status s = cdrd::sample::append_sample_calls(so, first, n, text); !s.ok()) {
      std::fprintf(stderr, "sample: %s\n", s.message().c_str());
      return false;
    }
    std::string_view rest = text;
    for (std::int64_t i = first; !rest.empty(); ++i) {
      const std::size_t nl = rest.find('\n');
      const std::string_view line = rest.substr(0, nl);
      rest.remove_prefix(nl == std::string_view::npos ? rest.size() : nl + 1);
      auto raw = cdrd::service::ingest::parse_ndjson_line(line);
      if (!raw.ok()) {
        std::fprintf(stderr, "sample: %s\n", raw.status().message().c_str());
        return false;
      }
      auto r = cdrd::service::ingest::validate_record(*raw, resolve);
      if (!r.ok()) {
        std::fprintf(stderr, "sample: %s\n", r.status().message().c_str());
        return false;
      }
      if (i == 0) trunk_name = r->trunk_id;
      if (own_user.empty() && r->direction == Direction::kOutbound) own_user = r->from_username;
      if (r->direction == Direction::kInbound &&
          static_cast<std::int64_t>(rare_callers.size()) * o.calls <= 3 * i) {
        rare_callers.push_back(r->from_username);
      }
      index.add(IndexedCall::of(i + 1, *r));
    }
  }
  common_user = own_user;
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  const Options o = parse(argc, argv);
  std::mt19937_64 rng(o.seed);
  auto below = [&rng](std::uint64_t n) { return rng() % n; };
  const Micros now = 1'780'000'000'000'000;
  const std::vector<std::string> countries = {"44", "44", "44", "49", "33", "1", "91", "61"};
  const std::vector<std::string> users = {"100", "101", "102", "103", "104", "alice", "bob"};

  AccountCallIndex index(o.chunk_rows);
  // The values the queries filter on: those of the synthetic data set, or found in the sample's.
  std::string trunk_name = "trunk-2", common_user = "alice";
  std::vector<std::string> sample_callers;  // three outside callers, for a selective filter
  const auto t0 = Clock::now();
  if (o.sample) {
    if (!load_sample(o, now, index, trunk_name, common_user, sample_callers)) return 1;
  } else {
    // The order calls are added in: by end_time, or shuffled.
    std::vector<std::int64_t> order(static_cast<std::size_t>(o.calls));
    for (std::int64_t i = 0; i < o.calls; ++i) order[static_cast<std::size_t>(i)] = i;
    if (o.shuffled) {
      for (std::size_t i = order.size(); i > 1; --i) std::swap(order[i - 1], order[rng() % i]);
    }
    CallRecord r;
    for (const std::int64_t i : order) {
      // 90 days of calls in end_time order, the newest 30 days holding a third.
      r.end_time = now - 90 * kDay +
                   static_cast<Micros>(static_cast<double>(90 * kDay) * static_cast<double>(i) /
                                       static_cast<double>(o.calls));
      r.initiation_time = r.end_time - static_cast<Micros>(below(600)) * 1'000'000;
      r.direction = below(2) ? Direction::kOutbound : Direction::kInbound;
      r.from_number = "+44" + std::to_string(2'000'000'000 + below(900'000'000));
      r.to_number = "+" + countries[below(countries.size())] +
                    std::to_string(100'000'000 + below(899'999'999));
      r.trunk_id = "trunk-" + std::to_string(below(4));
      r.hangup_cause_code = below(10) ? 200 : 486;
      r.bill_duration_s = static_cast<std::int64_t>(below(1200));
      r.duration_s = r.bill_duration_s;
      // Half the callers are extensions, half outside numbers (one username each, as PBX data).
      r.from_username = below(2) ? users[below(users.size())] : r.from_number;
      if (r.from_username == r.from_number &&
          static_cast<std::int64_t>(sample_callers.size()) * o.calls <= 3 * i) {
        sample_callers.push_back(r.from_number);  // one early, one midway, one late
      }
      r.to_username = users[below(users.size())];
      index.add(IndexedCall::of(i + 1, r));
    }
  }
  if (o.compact == 1) index.compact();
  if (o.compact == 2) {
    // One pass, as the store runs it: a step at a time from the first chunk.
    double longest_us = 0;
    std::size_t steps = 0;
    const auto c0 = Clock::now();
    std::optional<AccountCallIndex::Position> at = AccountCallIndex::Position{
        std::numeric_limits<Micros>::min(), std::numeric_limits<std::int64_t>::min()};
    while (at) {
      const auto s0 = Clock::now();
      at = index.compact_step(*at, o.step_rows);
      longest_us = std::max(longest_us,
                            std::chrono::duration<double, std::micro>(Clock::now() - s0).count());
      ++steps;
    }
    const AccountCallIndex::Shape shape = index.shape();
    std::printf("compact=steps ms=%.1f steps=%zu longest_step_us=%.0f chunks=%zu pending=%zu\n",
                std::chrono::duration<double, std::milli>(Clock::now() - c0).count(), steps,
                longest_us, shape.chunks, shape.pending);
  }
  const double build_s = std::chrono::duration<double>(Clock::now() - t0).count();

  struct Named {
    std::string name;
    CallQuery q;
  };
  std::vector<Named> queries;
  CallQuery window;
  window.end_time.from = now - 30 * kDay;
  queries.push_back({"first_page_30d", window});
  CallQuery filtered = window;
  filtered.direction = Direction::kOutbound;
  filtered.to_number = NumberPrefix{"49"};
  filtered.bill_duration = {60, 600};
  queries.push_back({"outbound_to49_bill60-600", filtered});
  CallQuery home = filtered;
  home.to_number = NumberPrefix{"44"};
  queries.push_back({"outbound_to44_bill60-600", home});
  CallQuery deep = window;
  deep.offset = 10'000;
  queries.push_back({"offset_10000", deep});
  CallQuery user;
  user.from_usernames = {common_user};
  user.count_total = false;
  user.offset = 5000 * 20;
  queries.push_back({"pbx_from_username_page5000", user});
  CallQuery rare_users;
  rare_users.from_usernames = sample_callers;
  rare_users.count_total = false;
  queries.push_back({"pbx_3_rare_usernames", rare_users});
  CallQuery trunk = window;
  trunk.trunk_id = trunk_name;
  queries.push_back({"trunk_id", trunk});
  CallQuery three;
  three.end_time.from = now - 90 * kDay;
  if (o.sample) {  // the bench's "3 filters, 90 days"
    three.direction = Direction::kOutbound;
    three.hangup_cause_code = 3000;
    three.bill_duration = {60, std::nullopt};
  } else {
    three.direction = Direction::kInbound;
    three.hangup_cause_code = 486;
    three.duration = {30, std::nullopt};
  }
  queries.push_back({"3_filters_90d", three});

  for (const Named& n : queries) {
    std::vector<double> us, cpu;
    std::int64_t matches = 0;
    std::uint64_t page = 0;  // a digest of the page's ids, to compare answers between builds
    bool empty = false;
    for (int i = 0; i < o.rounds; ++i) {
      const auto q0 = Clock::now();
      const double c0 = cpu_us();
      const cdrd::index::IndexAnswer a = index.query(n.q);
      cpu.push_back(cpu_us() - c0);
      us.push_back(std::chrono::duration<double, std::micro>(Clock::now() - q0).count());
      matches = a.total_count;
      page = 0;
      for (const std::int64_t id : a.ids) page = page * 1'000'003 + static_cast<std::uint64_t>(id);
      empty = empty || a.ids.empty();
    }
    if (empty) std::fprintf(stderr, "%s: an empty page\n", n.name.c_str());
    std::sort(us.begin(), us.end());
    std::sort(cpu.begin(), cpu.end());
    std::printf("query=%s matches=%lld page=%016llx p50_us=%.0f p99_us=%.0f cpu_p50_us=%.0f\n",
                n.name.c_str(), static_cast<long long>(matches),
                static_cast<unsigned long long>(page), us[us.size() / 2],
                us[std::min(us.size() - 1, us.size() * 99 / 100)], cpu[cpu.size() / 2]);
  }
  std::printf("index_bytes_per_call=%.1f build_s=%.2f calls=%lld\n",
              static_cast<double>(index.memory_bytes()) / static_cast<double>(index.size()),
              build_s, static_cast<long long>(index.size()));
  return 0;
}
