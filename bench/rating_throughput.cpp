// rating_throughput: how fast cdrd rates records in memory, with a big deck.
//
// Builds a seeded rate deck of at least 50,000 outbound prefixes (overlapping prefixes, several
// effective dates, the usual increments 60/60, 30/6 and 1/1) plus an inbound deck, loads it the
// way `cdrd ratedeck load` does (parse_rate_deck_csv), then rates a seeded set of records with
// rate_record, the function ingest uses, and prints:
//   rating_records_per_s <number>        (the median of the timed passes; one line, for scripts)
// followed by human-readable lines (deck load time, the country derivation ingest also does).
//
// Usage: rating_throughput [--prefixes N] [--records N] [--passes N] [--seed N]
// Deterministic: the same options give the same deck, records and checksum on every machine.
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "rating/country.h"
#include "rating/rate_deck.h"
#include "service/rating/rating_service.h"

namespace {

using cdrd::CallRecord;
using cdrd::Direction;
using cdrd::Micros;
using Clock = std::chrono::steady_clock;

// Only the generator's raw output is used (library distributions differ between platforms).
class Rng {
 public:
  explicit Rng(std::uint64_t seed) : gen_(seed) {}
  std::uint64_t below(std::uint64_t n) { return gen_() % n; }
  bool chance(int per_mille) { return below(1000) < static_cast<std::uint64_t>(per_mille); }
  char digit() { return static_cast<char>('0' + below(10)); }

 private:
  std::mt19937_64 gen_;
};

// Country codes the deck's prefixes start with (a mix of 1-, 2- and 3-digit codes).
constexpr const char* kCountryCodes[] = {"1",  "7",   "20",  "27",  "30",  "31",  "33",  "34",
                                         "39", "44",  "49",  "52",  "55",  "61",  "81",  "86",
                                         "91", "234", "254", "351", "353", "380", "880", "971"};

double seconds_since(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

std::string format_rate(std::uint64_t units) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%llu.%05llu", static_cast<unsigned long long>(units / 100000),
                static_cast<unsigned long long>(units % 100000));
  return buf;
}

long parse_flag(int argc, char** argv, const char* name, long fallback) {
  for (int i = 1; i + 1 < argc; ++i) {
    if (std::strcmp(argv[i], name) == 0) return std::strtol(argv[i + 1], nullptr, 10);
  }
  return fallback;
}

}  // namespace

int main(int argc, char** argv) {
  const long prefixes = std::max(50'000L, parse_flag(argc, argv, "--prefixes", 50'000));
  const long records = std::max(1L, parse_flag(argc, argv, "--records", 1'000'000));
  const long passes = std::max(1L, parse_flag(argc, argv, "--passes", 5));
  const auto seed = static_cast<std::uint64_t>(parse_flag(argc, argv, "--seed", 20240601));
  Rng rng(seed);

  // ---- the deck, as CSV text ----
  const Micros year_start = cdrd::parse_timestamp("2024-01-01 00:00:00")->start;
  const Micros year = 365 * cdrd::kMicrosPerDay;
  std::set<std::string> distinct;
  std::vector<std::string> deck_prefixes;
  while (static_cast<long>(distinct.size()) < prefixes) {
    std::string p = kCountryCodes[rng.below(std::size(kCountryCodes))];
    const std::uint64_t extra = 1 + rng.below(6);  // 1..6 more digits: prefixes overlap
    for (std::uint64_t k = 0; k < extra; ++k) p.push_back(rng.digit());
    if (distinct.insert(p).second) deck_prefixes.push_back(p);
  }
  for (const char* cc : kCountryCodes) {  // every country has a catch-all row
    if (distinct.insert(cc).second) deck_prefixes.push_back(cc);
  }
  std::string csv = "prefix,rate,initial_increment,subsequent_increment,effective_from,direction\n";
  std::size_t rows = 0;
  const char* increments[] = {"60,60", "30,6", "1,1"};
  for (const std::string& p : deck_prefixes) {
    const char* inc = increments[rng.below(3)];
    csv += p + "," + format_rate(200 + rng.below(20'000)) + "," + inc + ",,outbound\n";
    ++rows;
    if (rng.chance(200)) {  // a fifth of the prefixes change price during the year
      const Micros from =
          year_start + static_cast<Micros>(rng.below(static_cast<std::uint64_t>(year)));
      csv += p + "," + format_rate(200 + rng.below(20'000)) + "," + inc + "," +
             cdrd::format_timestamp(from - from % cdrd::kMicrosPerSecond) + ",outbound\n";
      ++rows;
    }
  }
  for (const char* cc : kCountryCodes) {
    csv += std::string(cc) + ",0.00300,60,60,,inbound\n";
    ++rows;
  }

  const auto load_start = Clock::now();
  cdrd::Result<cdrd::rating::RateDeck> deck = cdrd::rating::parse_rate_deck_csv(csv);
  const double load_s = seconds_since(load_start);
  if (!deck.ok()) {
    std::fprintf(stderr, "rating_throughput: %s\n", deck.status().message().c_str());
    return 2;
  }
  cdrd::service::AccountRating account;
  account.account_id = 1;
  account.version = 1;
  account.settings.secure_trunking_rate = cdrd::Money::from_units(100);
  account.deck = std::move(deck).value();

  // ---- the records ----
  std::vector<CallRecord> calls(static_cast<std::size_t>(records));
  for (CallRecord& c : calls) {
    c.account_id = 1;
    c.direction = rng.chance(700) ? Direction::kOutbound : Direction::kInbound;
    std::string remote;
    if (rng.chance(950)) {  // mostly numbers under a deck prefix, some nowhere in it
      remote = deck_prefixes[rng.below(deck_prefixes.size())];
    } else {
      remote = "69";
    }
    while (remote.size() < 11) remote.push_back(rng.digit());
    c.to_number = "+" + remote;
    c.from_number = "+14155550100";
    c.initiation_time =
        year_start + static_cast<Micros>(rng.below(static_cast<std::uint64_t>(year)));
    if (rng.chance(750)) {
      c.answer_time = c.initiation_time + 5 * cdrd::kMicrosPerSecond;
      c.duration_s = static_cast<std::int64_t>(rng.below(1800));
    }
    c.end_time = c.initiation_time + (5 + c.duration_s) * cdrd::kMicrosPerSecond;
    c.secure_trunking = rng.chance(200);
    c.rating = cdrd::RatingState::kUnrated;  // as validation leaves a record without billing
  }

  // ---- timed passes of rate_record over every record ----
  std::vector<double> rates;
  std::int64_t checksum = 0, rated = 0;
  for (long pass = 0; pass <= passes; ++pass) {  // pass 0 warms the caches, untimed
    const auto start = Clock::now();
    std::int64_t sum = 0, n_rated = 0;
    for (CallRecord& c : calls) {
      (void)cdrd::service::rate_record(account, c);
      sum += c.total_amount.units();
      n_rated += c.rating == cdrd::RatingState::kRated;
    }
    const double s = seconds_since(start);
    if (pass > 0) rates.push_back(static_cast<double>(records) / s);
    checksum = sum;
    rated = n_rated;
  }
  std::sort(rates.begin(), rates.end());
  const double median = rates[rates.size() / 2];

  // ---- the country derivation ingest does for the two numbers of every record ----
  const std::size_t country_sample = std::min<std::size_t>(calls.size(), 100'000);
  const auto country_start = Clock::now();
  std::size_t with_country = 0;
  for (std::size_t k = 0; k < country_sample; ++k) {
    with_country += !cdrd::rating::country_of(calls[k].to_number).empty();
    with_country += !cdrd::rating::country_of(calls[k].from_number).empty();
  }
  const double country_rate = static_cast<double>(country_sample) / seconds_since(country_start);

  std::printf("rating_records_per_s %.0f\n", median);
  std::printf(
      "rated %ld records %ld times against a deck of %zu rows (%zu outbound prefixes, "
      "loaded from CSV in %.1f ms): median %.0f records/s, best %.0f, worst %.0f; "
      "%lld rated, %lld unrated; checksum %lld\n",
      records, passes, rows, deck_prefixes.size(), load_s * 1000, median, rates.back(),
      rates.front(), static_cast<long long>(rated), static_cast<long long>(records - rated),
      static_cast<long long>(checksum));
  std::printf(
      "countries (country_of, both numbers of a record): %.0f records/s over %zu "
      "records (%zu numbers placed)\n",
      country_rate, country_sample, with_country);
  return 0;
}
