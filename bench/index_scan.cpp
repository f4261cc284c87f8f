// index_scan: the list index (store/index) alone, in memory: how long "match and count, then
// find the page" takes per list query on one account of N calls, and the index's bytes per call.
// No storage, no HTTP: the part of a list that grows with the account.
//
// Usage: index_scan [--calls N] [--rounds R] [--seed S] [--shuffled 0/1] [--chunk-rows N]
//                   [--days D] [--compact 0/1/2] [--step-rows N]
// Prints one line per query: "query=<name> matches=<n> p50_us=<..> p99_us=<..>", then
// "index_bytes_per_call=<..> build_s=<..>". --days: the days the calls end over (the queries'
// 30-day window holds 30/D of them). --compact 1: then packs the index with compact(), 2: with
// compact_step() passes of --step-rows calls a step, as the store does after an ingest burst;
// either prints the chunks before and after, the time it took (and the longest step), and the
// queries again, each line marked "after=compact".
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "core/call_record.h"
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

struct Options {
  std::int64_t calls = 2'000'000;
  int rounds = 200;
  unsigned seed = 42;
  bool shuffled = false;  // add the calls in random end_time order (as the bench's load does)
  std::size_t chunk_rows = AccountCallIndex::kChunkRows;
  int days = 90;
  int compact = 0;  // 1: compact(), 2: compact_step() passes
  std::size_t step_rows = 16384;
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
    if (name == "--days") o.days = std::max(1, static_cast<int>(v));
    if (name == "--compact") o.compact = static_cast<int>(v);
    if (name == "--step-rows") o.step_rows = static_cast<std::size_t>(v);
  }
  return o;
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
  // The order calls are added in: by end_time, or shuffled.
  std::vector<std::int64_t> order(static_cast<std::size_t>(o.calls));
  for (std::int64_t i = 0; i < o.calls; ++i) order[static_cast<std::size_t>(i)] = i;
  if (o.shuffled) {
    for (std::size_t i = order.size(); i > 1; --i) std::swap(order[i - 1], order[rng() % i]);
  }
  std::vector<std::string> sample_callers;  // three outside callers, for a selective filter
  const auto t0 = Clock::now();
  CallRecord r;
  for (const std::int64_t i : order) {
    // --days of calls in end_time order (90: the newest 30 days hold a third).
    const Micros span = o.days * kDay;
    r.end_time = now - span +
                 static_cast<Micros>(static_cast<double>(span) * static_cast<double>(i) /
                                     static_cast<double>(o.calls));
    r.initiation_time = r.end_time - static_cast<Micros>(below(600)) * 1'000'000;
    r.direction = below(2) ? Direction::kOutbound : Direction::kInbound;
    r.from_number = "+44" + std::to_string(2'000'000'000 + below(900'000'000));
    r.to_number =
        "+" + countries[below(countries.size())] + std::to_string(100'000'000 + below(899'999'999));
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
  user.from_usernames = {"alice"};
  user.count_total = false;
  user.offset = 5000 * 20;
  queries.push_back({"pbx_from_username_page5000", user});
  CallQuery rare_users;
  rare_users.from_usernames = sample_callers;
  rare_users.count_total = false;
  queries.push_back({"pbx_3_rare_usernames", rare_users});
  CallQuery trunk = window;
  trunk.trunk_id = "trunk-2";
  queries.push_back({"trunk_id", trunk});
  CallQuery three;
  three.end_time.from = now - 90 * kDay;
  three.direction = Direction::kInbound;
  three.hangup_cause_code = 486;
  three.duration = {30, std::nullopt};
  queries.push_back({"3_filters_90d", three});

  auto run_queries = [&](const char* suffix) {
    for (const Named& n : queries) {
      std::vector<double> us;
      std::int64_t matches = 0;
      bool empty = false;
      for (int i = 0; i < o.rounds; ++i) {
        const auto q0 = Clock::now();
        const cdrd::index::IndexAnswer a = index.query(n.q);
        us.push_back(std::chrono::duration<double, std::micro>(Clock::now() - q0).count());
        matches = a.total_count;
        empty = empty || a.ids.empty();
      }
      if (empty) std::fprintf(stderr, "%s: an empty page\n", n.name.c_str());
      std::sort(us.begin(), us.end());
      std::printf("query=%s matches=%lld p50_us=%.0f p99_us=%.0f%s\n", n.name.c_str(),
                  static_cast<long long>(matches), us[us.size() / 2],
                  us[std::min(us.size() - 1, us.size() * 99 / 100)], suffix);
    }
  };
  auto shape = [&index](const char* when) {
    const AccountCallIndex::Shape s = index.shape();
    std::printf("%s: chunks=%zu packed_chunks=%zu pending=%zu bytes_per_call=%.1f\n", when,
                s.chunks, s.packed_chunks, s.pending,
                static_cast<double>(index.memory_bytes()) / static_cast<double>(index.size()));
  };
  run_queries("");
  if (o.compact != 0) {
    shape("before");
    const auto c0 = Clock::now();
    double longest_us = 0;
    std::size_t steps = 0;
    if (o.compact == 1) {
      index.compact();
    } else {
      // One pass, as the store runs it: a step at a time from the first chunk.
      std::optional<AccountCallIndex::Position> at = AccountCallIndex::Position{
          std::numeric_limits<Micros>::min(), std::numeric_limits<std::int64_t>::min()};
      while (at) {
        const auto s0 = Clock::now();
        at = index.compact_step(*at, o.step_rows);
        longest_us = std::max(longest_us,
                              std::chrono::duration<double, std::micro>(Clock::now() - s0).count());
        ++steps;
      }
    }
    std::printf(
        "compact=%s ms=%.1f steps=%zu longest_step_us=%.0f\n", o.compact == 1 ? "full" : "steps",
        std::chrono::duration<double, std::milli>(Clock::now() - c0).count(), steps, longest_us);
    shape("after");
    run_queries(" after=compact");
  }
  std::printf("index_bytes_per_call=%.1f build_s=%.2f calls=%lld\n",
              static_cast<double>(index.memory_bytes()) / static_cast<double>(index.size()),
              build_s, static_cast<long long>(index.size()));
  return 0;
}
