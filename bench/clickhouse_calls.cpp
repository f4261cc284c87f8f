// clickhouse_calls: the ClickHouse calls store (store/clickhouse) on one account of N calls: the
// ingest rate through insert_calls (batches of --batch calls, each one HTTP insert), the cost of
// a retried batch (all duplicates), then the list queries of index_scan (the same data shape
// and the same filters, so the figures compare with the list index's) end to end through the
// store: statement, ClickHouse, answer parsed. Also what reading with FINAL (the dedupe every
// read does) costs against the same count without it. docs/clickhouse.md shows the figures.
//
// Usage: clickhouse_calls --url clickhouse://127.0.0.1:PORT/DATABASE [--calls N] [--batch B]
//                         [--rounds R] [--seed S]
// The database is created (or reused: then nothing is inserted). Prints "ingest ..." and one line
// per query: "query=<name> matches=<n> p50_ms=<..> p95_ms=<..>".
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include "core/call_record.h"
#include "store/clickhouse/clickhouse_call_store.h"

namespace {

using cdrd::CallQuery;
using cdrd::CallRecord;
using cdrd::Direction;
using cdrd::Micros;
using cdrd::NumberPrefix;
using Clock = std::chrono::steady_clock;

constexpr Micros kDay = 86'400'000'000;

struct Options {
  std::string url;
  std::int64_t calls = 1'000'000;
  std::int64_t batch = 5'000;
  int rounds = 30;
  unsigned seed = 42;
};

Options parse(int argc, char** argv) {
  Options o;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string name = argv[i];
    const std::string v = argv[i + 1];
    if (name == "--url") o.url = v;
    if (name == "--calls") o.calls = std::atoll(v.c_str());
    if (name == "--batch") o.batch = std::atoll(v.c_str());
    if (name == "--rounds") o.rounds = std::atoi(v.c_str());
    if (name == "--seed") o.seed = static_cast<unsigned>(std::atoll(v.c_str()));
  }
  return o;
}

double ms_since(Clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
}

double percentile(std::vector<double> v, double p) {
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<std::size_t>(p * static_cast<double>(v.size())))];
}

}  // namespace

int main(int argc, char** argv) {
  const Options o = parse(argc, argv);
  if (o.url.empty()) {
    std::fprintf(stderr, "usage: clickhouse_calls --url clickhouse://HOST:PORT/DB [--calls N]\n");
    return 2;
  }
  auto opened = cdrd::clickhouse::ClickHouseCallStore::open(o.url);
  if (!opened.ok()) {
    std::fprintf(stderr, "clickhouse_calls: %s\n", opened.status().message().c_str());
    return 1;
  }
  auto& store = **opened;
  std::mt19937_64 rng(o.seed);
  auto below = [&rng](std::uint64_t n) { return rng() % n; };
  const Micros now = 1'780'000'000'000'000;
  const std::vector<std::string> countries = {"44", "44", "44", "49", "33", "1", "91", "61"};
  const std::vector<std::string> users = {"100", "101", "102", "103", "104", "alice", "bob"};

  CallQuery all;
  all.account_id = 1;
  all.limit = 1;
  const std::int64_t have = store.list_calls(all)->total_count;
  if (have == 0) {
    // 90 days of calls in end_time order, the newest 30 days holding a third (as index_scan).
    double insert_ms = 0;
    std::vector<CallRecord> batch;
    std::vector<CallRecord> first_batch;
    for (std::int64_t i = 0; i < o.calls; ++i) {
      CallRecord r;
      r.account_id = 1;
      r.call_uuid = "c" + std::to_string(rng()) + "-" + std::to_string(i);
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
      r.from_username = below(2) ? users[below(users.size())] : r.from_number;
      r.to_username = users[below(users.size())];
      r.total_amount = cdrd::Money::from_units(static_cast<std::int64_t>(below(100'000)));
      batch.push_back(std::move(r));
      if (static_cast<std::int64_t>(batch.size()) == o.batch || i + 1 == o.calls) {
        const auto t0 = Clock::now();
        auto out = store.insert_calls(batch);
        insert_ms += ms_since(t0);
        if (!out.ok()) {
          std::fprintf(stderr, "insert: %s\n", out.status().message().c_str());
          return 1;
        }
        if (first_batch.empty()) first_batch = batch;
        batch.clear();
      }
    }
    std::printf("ingest calls=%lld batch=%lld seconds=%.2f calls_per_s=%.0f\n",
                static_cast<long long>(o.calls), static_cast<long long>(o.batch), insert_ms / 1000,
                static_cast<double>(o.calls) / (insert_ms / 1000));
    const auto t0 = Clock::now();
    auto again = store.insert_calls(first_batch);
    std::printf("retried_batch calls=%zu ms=%.1f duplicates=%s\n", first_batch.size(), ms_since(t0),
                again.ok() ? "yes" : again.status().message().c_str());
  }

  struct Named {
    std::string name;
    CallQuery q;
  };
  std::vector<Named> queries;
  CallQuery window;
  window.account_id = 1;
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
  user.account_id = 1;
  user.from_usernames = {"alice"};
  user.count_total = false;
  user.offset = 5000 * 20;
  queries.push_back({"pbx_from_username_page5000", user});
  CallQuery trunk = window;
  trunk.trunk_id = "trunk-2";
  queries.push_back({"trunk_id", trunk});
  CallQuery three;
  three.account_id = 1;
  three.end_time.from = now - 90 * kDay;
  three.direction = Direction::kInbound;
  three.hangup_cause_code = 486;
  three.duration = {30, std::nullopt};
  queries.push_back({"3_filters_90d", three});

  for (const Named& n : queries) {
    std::vector<double> ms;
    std::int64_t matches = 0;
    for (int i = 0; i < o.rounds + 2; ++i) {
      const auto t0 = Clock::now();
      auto page = store.list_calls(n.q);
      const double took = ms_since(t0);
      if (!page.ok()) {
        std::fprintf(stderr, "%s: %s\n", n.name.c_str(), page.status().message().c_str());
        return 1;
      }
      matches = page->total_count;
      if (i >= 2) ms.push_back(took);  // two warm-up rounds
    }
    std::printf("query=%s matches=%lld p50_ms=%.1f p95_ms=%.1f\n", n.name.c_str(),
                static_cast<long long>(matches), percentile(ms, 0.5), percentile(ms, 0.95));
  }
  // find_call and usage.
  {
    std::vector<double> ms;
    for (int i = 0; i < o.rounds; ++i) {
      const auto t0 = Clock::now();
      auto c = store.find_call(1, "no-such-call-" + std::to_string(i), 0);
      ms.push_back(ms_since(t0));
      if (!c.ok()) return 1;
    }
    std::printf("query=find_call p50_ms=%.1f p95_ms=%.1f\n", percentile(ms, 0.5),
                percentile(ms, 0.95));
    cdrd::UsageQuery u;
    u.filter = window;
    u.period = cdrd::UsagePeriod::kDay;
    u.group_by = cdrd::UsageGroup::kDirection;
    ms.clear();
    std::size_t rows = 0;
    for (int i = 0; i < std::max(3, o.rounds / 5); ++i) {
      const auto t0 = Clock::now();
      auto a = store.usage(u);
      ms.push_back(ms_since(t0));
      if (!a.ok()) return 1;
      rows = a->rows.size();
    }
    std::printf("query=usage_30d_by_day_direction rows=%zu p50_ms=%.1f p95_ms=%.1f\n", rows,
                percentile(ms, 0.5), percentile(ms, 0.95));
  }
  // The export of the whole account as CallExporter walks it: windows of 4,096 ids, skipping
  // the empty ones through next_export_id.
  {
    cdrd::ExportQuery q;
    q.filter.account_id = 1;
    const std::int64_t through = *store.last_call_id();
    constexpr std::int64_t kWindow = 4096;
    std::int64_t after = 0, rows = 0, reads = 0;
    const auto t0 = Clock::now();
    while (after < through) {
      auto n = store.export_calls(q, after, std::min(through, after + kWindow),
                                  [&](const cdrd::CallExportRow&) {});
      ++reads;
      if (!n.ok()) return 1;
      rows += *n;
      after += kWindow;
      if (*n == 0 && after < through) {
        auto next = store.next_export_id(q, after);
        ++reads;
        if (!next.ok()) return 1;
        if (*next == 0) break;
        after = std::max(after, (*next - 1) / kWindow * kWindow);
      }
    }
    const double s = ms_since(t0) / 1000.0;
    std::printf("export calls=%lld reads=%lld seconds=%.2f calls_per_s=%.0f\n",
                static_cast<long long>(rows), static_cast<long long>(reads), s,
                static_cast<double>(rows) / s);
  }
  // What FINAL costs: one count with and without it.
  {
    auto endpoint = cdrd::clickhouse::parse_url(o.url);
    cdrd::clickhouse::Client client(*endpoint, {});
    for (const char* final_kw : {"", " FINAL"}) {
      std::vector<double> ms;
      for (int i = 0; i < o.rounds; ++i) {
        const auto t0 = Clock::now();
        auto r = client.run(std::string("SELECT count() FROM calls") + final_kw +
                            " WHERE account_id = 1 AND direction = 1 AND to_digits >= '49' "
                            "AND to_digits < '4:' FORMAT TabSeparated");
        ms.push_back(ms_since(t0));
        if (!r.ok()) return 1;
      }
      std::printf("count_to49%s p50_ms=%.1f p95_ms=%.1f\n", *final_kw ? "_final" : "_plain",
                  percentile(ms, 0.5), percentile(ms, 0.95));
    }
  }
  return 0;
}
