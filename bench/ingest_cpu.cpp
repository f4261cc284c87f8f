// ingest_cpu: the CPU that ingest spends per record outside the store.
//
// Makes the seeded sample data set (src/sample, the records `make bench` posts) as NDJSON in
// memory, then runs IngestService::ingest_text over it in batches on one thread (timed in that
// thread's CPU time), exactly as
// POST /v1/ingest/calls does (parse, validate, link the trunk, rate), with a call store that
// accepts every record and keeps none: the figure is parse + validate + rate, never SQLite.
// Accounts, trunks and a rate deck live in a real SQLite database in a temporary directory
// (looked up once per batch, as in the server). Then times each step alone over the same lines:
// the JSON parse (parse_ndjson_line), the validation (validate_record_into, countries included),
// the in-place reading of the common line and the validation from it (read_flat_line, what
// ingest_text uses),
// the country derivation of both numbers alone (rating::country_of), the trunk link (link_trunk)
// and the rating (rate_record), one batch at a time. Prints:
//   ingest_cpu_records_per_s <number>    (the median of the timed passes; one line, for scripts)
//   ingest_cpu_us_per_record <number>
// then human-readable lines.
//
// Usage: ingest_cpu [--records N] [--batch N] [--passes N] [--seed N] [--accounts N]
// Deterministic data: the same options give the same records on every machine.
#include <stdlib.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/crypto.h"
#include "core/json_reader.h"
#include "rating/country.h"
#include "sample/sample_calls.h"
#include "service/ingest/ingest.h"
#include "service/ingest/raw_record.h"
#include "service/ingest/trunk_link.h"
#include "service/ingest/validate.h"
#include "service/rating/rating_service.h"
#include "store/sqlite/stores.h"
#include "testing/keeping_call_store.h"
#include "testing/temp_dir.h"

namespace {

using namespace cdrd;
// The CPU time of this thread, not the wall clock: the figure holds on a machine shared with
// other work (the steps run on one thread).
struct Steady {
  using time_point = double;
  static double now() {
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
  }
};

double seconds_since(Steady::time_point t) { return Steady::now() - t; }

long parse_flag(int argc, char** argv, const char* name, long fallback) {
  for (int i = 1; i + 1 < argc; ++i) {
    if (std::strcmp(argv[i], name) == 0) return std::strtol(argv[i + 1], nullptr, 10);
  }
  return fallback;
}

int fail(const std::string& what) {
  std::fprintf(stderr, "ingest_cpu: %s\n", what.c_str());
  return 2;
}

// The lines of `text` that hold a record.
std::vector<std::string_view> lines_of(std::string_view text) {
  std::vector<std::string_view> out;
  while (!text.empty()) {
    const std::size_t nl = text.find('\n');
    const std::string_view l = text.substr(0, nl);
    if (!l.empty()) out.push_back(l);
    if (nl == std::string_view::npos) break;
    text.remove_prefix(nl + 1);
  }
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  const long records = std::max(1L, parse_flag(argc, argv, "--records", 200'000));
  const long batch = std::max(1L, parse_flag(argc, argv, "--batch", 10'000));
  const long passes = std::max(1L, parse_flag(argc, argv, "--passes", 3));
  const auto seed = static_cast<std::uint64_t>(parse_flag(argc, argv, "--seed", 42));
  const long n_accounts = std::max(1L, parse_flag(argc, argv, "--accounts", 5));

  const testing::TempDir dir("ingest_cpu.");
  auto opened = sqlite::open_stores(dir.file("cdrd.db"));
  if (!opened.ok()) return fail(opened.status().message());
  sqlite::Stores& stores = **opened;

  // ---- accounts, one outbound and one inbound trunk each, a small deck ----
  sample::SampleOptions options;
  options.seed = seed;
  const Micros now = std::chrono::duration_cast<std::chrono::microseconds>(
                         std::chrono::system_clock::now().time_since_epoch())
                         .count();
  options.end_until = now - now % kMicrosPerSecond;
  options.end_from = options.end_until - 30 * kMicrosPerDay;
  service::RatingService rating(stores.accounts, stores.rating);
  const std::string deck =
      "prefix,rate,initial_increment,subsequent_increment,effective_from,direction\n"
      "1,0.01000,60,60,,outbound\n44,0.02000,30,6,,outbound\n49,0.03000,1,1,,outbound\n"
      "91,0.04000,60,60,,outbound\n55,0.05000,60,60,,outbound\n7,0.06000,60,60,,outbound\n"
      "1,0.00300,60,60,,inbound\n44,0.00300,60,60,,inbound\n";
  for (long i = 0; i < n_accounts; ++i) {
    const std::string auth_id = "MABENCH" + std::to_string(100000000000 + i);
    auto account = stores.accounts.create_account("bench" + std::to_string(i), auth_id,
                                                  sha256_hex("token" + std::to_string(i)));
    if (!account.ok()) return fail(account.status().message());
    options.auth_ids.push_back(auth_id);
    sample::AccountTrunks trunks;
    for (Direction d : {Direction::kOutbound, Direction::kInbound}) {
      Trunk t;
      t.account_id = account->id;
      t.trunk_id = std::to_string(31000000000000 + i * 2 + (d == Direction::kInbound));
      t.trunk_domain = t.trunk_id + ".zt.cdrd.example";
      t.name = "bench";
      t.direction = d;
      t.created_at = now;
      if (Status s = stores.trunks.create_trunk(t, 100); !s.ok()) return fail(s.message());
      (d == Direction::kOutbound ? trunks.outbound : trunks.inbound).push_back({t.trunk_id, false});
    }
    options.trunks[auth_id] = trunks;
    if (auto loaded = rating.load_deck(account->id, std::nullopt, deck); !loaded.ok()) {
      return fail(loaded.status().message());
    }
  }

  // ---- the data set, cut into batches as the load generator posts it ----
  std::vector<std::string> bodies;
  for (long first = 0; first < records; first += batch) {
    std::string body;
    if (Status s =
            sample::append_sample_calls(options, first, std::min(batch, records - first), body);
        !s.ok()) {
      return fail(s.message());
    }
    bodies.push_back(std::move(body));
  }

  // ---- timed passes of the whole ingest path (store left out) ----
  testing::KeepingCallStore calls(false);
  service::ingest::IngestService ingest(stores.accounts, calls, stores.trunks, rating, {});
  std::vector<double> per_s;  // in pass order: the first meets every number for the first time
  std::int64_t failed = 0;
  std::string first_failure;
  for (long pass = 0; pass < passes; ++pass) {
    const auto start = Steady::now();
    for (const std::string& body : bodies) {
      auto result = ingest.ingest_text(body, service::ingest::Format::kNdjson);
      if (!result.ok()) return fail(result.status().message());
      failed += result->failed_count;
      if (first_failure.empty() && !result->failed.empty()) {
        first_failure = result->failed.front().error;
      }
    }
    per_s.push_back(static_cast<double>(records) / seconds_since(start));
  }
  const double first_pass = per_s.front();
  std::sort(per_s.begin(), per_s.end());
  const double median = per_s[per_s.size() / 2];

  // ---- each step alone, over the same lines, one batch at a time ----
  std::map<std::string, std::int64_t, std::less<>> account_ids;
  std::map<std::int64_t, std::shared_ptr<const service::AccountRating>> ratings;
  for (const std::string& auth_id : options.auth_ids) {
    auto found = stores.accounts.find_account_by_auth_id(auth_id);
    if (!found.ok() || !*found) return fail("no account " + auth_id);
    account_ids[auth_id] = (*found)->id;
    auto current = rating.current((*found)->id);
    if (!current.ok()) return fail(current.status().message());
    ratings[(*found)->id] = *current;
  }
  const service::ingest::AccountResolver resolve =
      [&](std::string_view auth_id) -> Result<std::optional<std::int64_t>> {
    const auto it = account_ids.find(auth_id);
    if (it == account_ids.end()) return std::optional<std::int64_t>();
    return std::optional<std::int64_t>(it->second);
  };
  // As the ingest batch looks trunks up: by "account trunk_id", cached.
  std::unordered_map<std::string, std::optional<service::ingest::TrunkFacts>> trunk_cache;
  const service::ingest::TrunkResolver resolve_trunk =
      [&](std::int64_t account_id,
          std::string_view trunk_id) -> Result<std::optional<service::ingest::TrunkFacts>> {
    std::string key = std::to_string(account_id);
    key.push_back(' ');
    key.append(trunk_id);
    if (const auto it = trunk_cache.find(key); it != trunk_cache.end()) return it->second;
    auto found = stores.trunks.find_trunk(account_id, trunk_id);
    if (!found.ok()) return found.status();
    std::optional<service::ingest::TrunkFacts> facts;
    if (*found) {
      facts = service::ingest::TrunkFacts{(*found)->trunk_domain, (*found)->secure,
                                          (*found)->default_country};
    }
    trunk_cache.emplace(std::move(key), facts);
    return facts;
  };

  JsonTape tape;
  service::ingest::FlatRecord flat;  // the in-place reading ingest uses for the common line
  double flat_s = 0, flat_validate_s = 0;
  std::size_t flat_lines = 0;
  std::vector<CallRecord> valid_flat;
  double reader_s = 0;
  double parse_s = 0, validate_s = 0, country_s = 0, link_s = 0, rate_s = 0;
  std::size_t lines_seen = 0, placed = 0, numbers = 0;
  std::vector<service::ingest::RawRecord> raws;
  std::vector<CallRecord> valid;
  std::vector<std::size_t> raw_of;  // valid[i] came from raws[raw_of[i]]
  for (const std::string& body : bodies) {
    const std::vector<std::string_view> lines = lines_of(body);
    lines_seen += lines.size();
    raws.clear();
    valid.clear();
    raw_of.clear();
    // As ingest parses: a line's record is dropped once validated, so its storage is reused by
    // the next line's (raw_record.h); timed so, then parsed again, untimed, for the steps below.
    auto start = Steady::now();
    for (std::string_view l : lines) {
      auto raw = service::ingest::parse_ndjson_line(l);
      if (!raw.ok()) return fail(raw.status().message());
    }
    parse_s += seconds_since(start);
    for (std::string_view l : lines) raws.push_back(*service::ingest::parse_ndjson_line(l));

    // The in-place reading alone, then reading and validating from it (the reading's share is
    // taken off below).
    start = Steady::now();
    for (std::string_view l : lines) flat_lines += service::ingest::read_flat_line(l, flat);
    const double flat_read_s = seconds_since(start);
    flat_s += flat_read_s;
    valid_flat.clear();
    valid_flat.reserve(lines.size());
    start = Steady::now();
    for (std::string_view l : lines) {
      if (!service::ingest::read_flat_line(l, flat)) continue;
      if (!service::ingest::validate_record_into(flat, resolve, {}, valid_flat.emplace_back())
               .ok()) {
        valid_flat.pop_back();
      }
    }
    flat_validate_s += seconds_since(start) - flat_read_s;

    start = Steady::now();
    for (std::string_view l : lines) {
      if (Status s = parse_json_tape(l, "line", JsonLimits{}, tape); !s.ok())
        return fail(s.message());
    }
    reader_s += seconds_since(start);

    // As the ingest batch validates: straight into the next record of a vector with the room for
    // the batch (validate_record_into), dropped again when the line fails.
    valid.reserve(raws.size());
    start = Steady::now();
    for (std::size_t i = 0; i < raws.size(); ++i) {
      if (service::ingest::validate_record_into(raws[i], resolve, {}, valid.emplace_back()).ok()) {
        raw_of.push_back(i);
      } else {
        valid.pop_back();
      }
    }
    validate_s += seconds_since(start);

    start = Steady::now();
    for (const CallRecord& r : valid) {
      placed += !rating::country_of(r.from_number).empty();
      placed += !rating::country_of(r.to_number).empty();
    }
    country_s += seconds_since(start);
    numbers += 2 * valid.size();

    start = Steady::now();
    for (std::size_t i = 0; i < valid.size(); ++i) {
      if (Status s = service::ingest::link_trunk(valid[i], raws[raw_of[i]], resolve_trunk);
          !s.ok()) {
        return fail(s.message());
      }
    }
    link_s += seconds_since(start);

    start = Steady::now();
    for (CallRecord& r : valid) {
      if (auto rated = service::rate_record(*ratings.at(r.account_id), r); !rated.ok()) {
        return fail(rated.status().message());
      }
    }
    rate_s += seconds_since(start);
  }

  const double n = static_cast<double>(lines_seen);
  std::printf("ingest_cpu_records_per_s %.0f\n", median);
  std::printf("ingest_cpu_us_per_record %.2f\n", 1e6 / median);
  std::printf(
      "ingest_text over %ld records in batches of %ld, %ld passes, one thread, store left out: "
      "median %.0f records/s (best %.0f, worst %.0f, first pass %.0f); %lld stored, %lld "
      "failed%s%s\n",
      records, batch, passes, median, per_s.back(), per_s.front(), first_pass,
      static_cast<long long>(calls.stored), static_cast<long long>(failed),
      first_failure.empty() ? "" : ", first: ", first_failure.c_str());
  std::printf(
      "steps alone, us per record: parse_ndjson_line %.2f, validate_record_into %.2f (countries "
      "included), country_of of both numbers %.2f (%zu of %zu numbers placed, memo warm), "
      "link_trunk %.2f, rate_record %.2f; sum %.2f; the JSON reader alone %.2f\n",
      parse_s * 1e6 / n, validate_s * 1e6 / n, country_s * 1e6 / n, placed, numbers,
      link_s * 1e6 / n, rate_s * 1e6 / n, (parse_s + validate_s + link_s + rate_s) * 1e6 / n,
      reader_s * 1e6 / n);
  std::printf(
      "in place (what ingest_text does for the common line), us per record: read_flat_line %.2f "
      "(%zu of %zu lines read so), validate_record_into from it %.2f\n",
      flat_s * 1e6 / n, flat_lines, lines_seen, flat_validate_s * 1e6 / n);
  return 0;
}
