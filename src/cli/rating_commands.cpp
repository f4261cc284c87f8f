// The rating subcommands of `cdrd` (docs/rating.md):
//   cdrd ratedeck load --account AUTH_ID [--direction inbound|outbound] FILE.csv
//   cdrd ratedeck show --account AUTH_ID [--direction inbound|outbound]
//   cdrd account set --account AUTH_ID [--secure-trunking-rate R] [--always-rerate true|false]
//                    [--default-country CC|none]
//   cdrd rerate --account AUTH_ID --since T [--until T]
//   cdrd rating report --account AUTH_ID [--since T] [--until T] [--digits N]
// They open the database directly (a running `cdrd serve` sees deck and settings changes at its
// next ingest batch: its cache checks the account's rating version).
#include <CLI/CLI.hpp>

#include <cstdio>
#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>

#include "cli/backends.h"
#include "cli/commands.h"
#include "rating/country.h"
#include "rating/rate_deck.h"
#include "service/rating/rating_service.h"

namespace cdrd::cli {
namespace {

struct RatingOptions {
  std::string account;
  std::string direction;  // "" | inbound | outbound
  std::string file;
  std::string secure_rate;
  std::string always_rerate;    // "" | true | false
  std::string default_country;  // "" (unchanged) | ISO 3166 alpha-2 | none
  std::string since, until;
  int digits = 4;
};

// "all calls", "calls initiated from T", "calls initiated before T" or both bounds.
std::string describe(const service::CallWindow& w) {
  const bool from = w.since != std::numeric_limits<Micros>::min();
  const bool before = w.until != std::numeric_limits<Micros>::max();
  if (!from && !before) return "all calls";
  std::string out = "calls initiated";
  if (from) out += " from " + format_timestamp(w.since);
  if (before) out += " before " + format_timestamp(w.until);
  return out;
}

// The store, the service and the account of --account; prints the problem and returns false.
struct Session {
  std::unique_ptr<Backends> store;
  std::unique_ptr<service::RatingService> rating;
  Account account;

  bool open(const GlobalOptions& global, const std::string& auth_id) {
    store = open_backends(global);
    if (!store) return false;
    rating = std::make_unique<service::RatingService>(*store->accounts, *store->rating);
    Result<Account> found = rating->account(auth_id);
    if (!found.ok()) {
      std::cerr << "cdrd: --account: " << found.status().message() << "\n";
      return false;
    }
    account = std::move(found).value();
    return true;
  }
};

// Reads the time `text` of option `flag` into `bound`, left as it is when `text` is empty.
bool parse_bound(std::string_view flag, const std::string& text, Micros& bound) {
  if (text.empty()) return true;
  const auto t = parse_cli_time(text);
  if (!t) {
    std::cerr << "cdrd: " << flag << ": '" << text
              << "' is not a UTC time YYYY-MM-DD or YYYY-MM-DD HH:MM:SS\n";
    return false;
  }
  bound = *t;
  return true;
}

bool parse_window(const RatingOptions& o, service::CallWindow& window) {
  if (!parse_bound("--since", o.since, window.since)) return false;
  if (!parse_bound("--until", o.until, window.until)) return false;
  if (window.since >= window.until) {
    std::cerr << "cdrd: --until must be later than --since\n";
    return false;
  }
  return true;
}

int run_deck_load(const GlobalOptions& global, const RatingOptions& o) {
  std::ifstream in(o.file, std::ios::binary);
  if (!in) {
    std::cerr << "cdrd: cannot read " << o.file << "\n";
    return 2;
  }
  std::stringstream text;
  text << in.rdbuf();
  Session s;
  if (!s.open(global, o.account)) return 2;
  std::optional<Direction> direction;
  if (!o.direction.empty()) direction = parse_direction(o.direction);
  auto loaded = s.rating->load_deck(s.account.id, direction, text.str());
  if (!loaded.ok()) {
    std::cerr << "cdrd: " << o.file << ": " << loaded.status().message()
              << "\n(nothing loaded: the deck in force is unchanged)\n";
    return 2;
  }
  std::cout << "rate deck of " << s.account.auth_id << " loaded from " << o.file << " (replaced: "
            << (direction ? std::string(to_string(*direction)) : std::string("both directions"))
            << ")\n";
  for (Direction d : {Direction::kOutbound, Direction::kInbound}) {
    const std::size_t i = d == Direction::kInbound ? 0 : 1;
    std::cout << "  " << (d == Direction::kInbound ? "inbound:  " : "outbound: ") << loaded->rows[i]
              << " rows, " << loaded->prefixes[i] << " prefixes";
    if (!direction || *direction == d) {
      std::cout << " (before: " << loaded->previous_rows[i] << " rows)\n";
    } else {
      std::cout << " (unchanged)\n";
    }
  }
  return 0;
}

// The commands open alike (a Session, then one service call, error_exit on failure); what
// follows differs, so each stays a plain function.
int run_deck_show(const GlobalOptions& global, const RatingOptions& o) {
  Session s;
  if (!s.open(global, o.account)) return 2;
  auto current = s.rating->current(s.account.id);
  if (!current.ok()) return error_exit(current.status());
  std::vector<RateRow> rows;
  for (Direction d : {Direction::kOutbound, Direction::kInbound}) {
    if (!o.direction.empty() && parse_direction(o.direction) != d) continue;
    const auto part = (*current)->deck.rows(d);
    rows.insert(rows.end(), part.begin(), part.end());
  }
  std::cout << rating::format_rate_deck_csv(rows);
  return 0;
}

int run_account_set(const GlobalOptions& global, const RatingOptions& o) {
  Session s;
  if (!s.open(global, o.account)) return 2;
  auto settings = s.rating->settings(s.account.id);
  if (!settings.ok()) return error_exit(settings.status());
  RatingSettings next = *settings;
  if (!o.secure_rate.empty()) {
    const std::optional<Money> rate = Money::parse(o.secure_rate);
    if (!rate || rate->is_negative()) {
      std::cerr << "cdrd: --secure-trunking-rate: '" << o.secure_rate
                << "' is not a per-minute rate: a decimal >= 0 with at most 5 decimals (e.g. "
                   "0.00100)\n";
      return 2;
    }
    next.secure_trunking_rate = *rate;
  }
  if (!o.always_rerate.empty()) next.always_rerate = o.always_rerate == "true";
  if (!o.default_country.empty()) {
    const std::string country = o.default_country == "none" ? "" : o.default_country;
    if (!country.empty() && !rating::is_known_region(country)) {
      std::cerr << "cdrd: --default-country: '" << o.default_country
                << "' is not a country: two upper-case letters (ISO 3166 alpha-2, e.g. DE) or "
                   "none\n";
      return 2;
    }
    if (Status st = s.store->accounts->set_default_country(s.account.id, country); !st.ok()) {
      return error_exit(st);
    }
    s.account.default_country = country;
  }
  if (!(next == *settings)) {
    if (Status st = s.rating->set_settings(s.account.id, next); !st.ok()) return error_exit(st);
  }
  std::cout << "account " << s.account.auth_id << " (" << s.account.name << ")\n"
            << "  secure_trunking_rate: " << next.secure_trunking_rate.to_fixed5()
            << " per minute\n"
            << "  always_rerate:        " << (next.always_rerate ? "true" : "false") << "\n"
            << "  default_country:      "
            << (s.account.default_country.empty() ? "none" : s.account.default_country) << "\n";
  return 0;
}

int run_rerate(const GlobalOptions& global, const RatingOptions& o) {
  service::CallWindow window;
  if (!parse_window(o, window)) return 2;
  Session s;
  if (!s.open(global, o.account)) return 2;
  auto result = s.rating->rerate(s.account.id, window);
  if (!result.ok()) {
    std::cerr << "cdrd: " << result.status().message()
              << " (calls re-rated before the error keep their new billing; run it again)\n";
    return 2;
  }
  std::cout << "rerated " << s.account.auth_id << ", " << describe(window) << ": changed "
            << result->changed << " of " << result->examined << " (now rated " << result->now_rated
            << ", now unrated " << result->now_unrated << ")\n";
  return 0;
}

int run_report(const GlobalOptions& global, const RatingOptions& o) {
  service::CallWindow window;
  if (!parse_window(o, window)) return 2;
  Session s;
  if (!s.open(global, o.account)) return 2;
  auto report = s.rating->unrated_report(s.account.id, window, o.digits);
  if (!report.ok()) return error_exit(report.status());
  std::cout << "unrated calls of " << s.account.auth_id << " (" << describe(window)
            << "): " << report->calls << "\n";
  if (report->groups.empty()) return 0;
  std::printf("%-9s %-16s %-7s %8s %10s  %-19s  %-19s\n", "direction", "prefix", "country", "calls",
              "talk_s", "first_initiation", "last_initiation");
  for (const auto& g : report->groups) {
    std::printf(
        "%-9s %-16s %-7s %8lld %10lld  %-19s  %-19s\n", std::string(to_string(g.direction)).c_str(),
        g.prefix.empty() ? "(not a number)" : g.prefix.c_str(),
        g.country.empty() ? "-" : g.country.c_str(), static_cast<long long>(g.calls),
        static_cast<long long>(g.talk_seconds), format_timestamp(g.first_initiation).c_str(),
        format_timestamp(g.last_initiation).c_str());
  }
  std::fflush(stdout);
  return 0;
}

}  // namespace

std::optional<Micros> parse_cli_time(const std::string& text) {
  const std::optional<TimeInterval> t =
      text.size() == 10 ? parse_timestamp(text + " 00:00:00") : parse_timestamp(text);
  if (!t) return std::nullopt;
  return t->start;
}

RatingCommands add_rating_commands(CLI::App& app, const GlobalOptions& global) {
  auto o = std::make_shared<RatingOptions>();
  const auto directions = CLI::IsMember({"inbound", "outbound"});

  auto* deck = app.add_subcommand("ratedeck", "load or show an account's rate deck");
  deck->require_subcommand(1);
  auto* load = deck->add_subcommand(
      "load", "replace an account's rate deck (one direction, or both) with a CSV file");
  load->add_option("--account", o->account, "the account's auth_id")->required();
  load->add_option("--direction", o->direction,
                   "replace only this direction's deck (default: both, by the direction column)")
      ->check(directions);
  load->add_option("file", o->file, "the deck CSV (docs/rating.md)")
      ->required()
      ->check(CLI::ExistingFile);
  auto* show = deck->add_subcommand("show", "print an account's rate deck as CSV");
  show->add_option("--account", o->account, "the account's auth_id")->required();
  show->add_option("--direction", o->direction, "only this direction")->check(directions);

  CLI::App* account_set = nullptr;
  if (CLI::App* account = app.get_subcommand("account")) {
    account_set = account->add_subcommand(
        "set", "set an account's rating settings and default country, print them");
    account_set->add_option("--account", o->account, "the account's auth_id")->required();
    account_set->add_option("--secure-trunking-rate", o->secure_rate,
                            "per-minute surcharge of secure-trunked calls (e.g. 0.00100)");
    account_set
        ->add_option("--always-rerate", o->always_rerate,
                     "rate records that carry their own rate and amount too")
        ->check(CLI::IsMember({"true", "false"}));
    account_set->add_option("--default-country", o->default_country,
                            "read national and 00/011 numbers of the account's calls as numbers "
                            "of this country (e.g. DE), stored in E.164; none to stop");
  }

  auto* rerate = app.add_subcommand(
      "rerate",
      "rate an account's stored calls again with the deck in force; print how many changed");
  rerate->add_option("--account", o->account, "the account's auth_id")->required();
  rerate
      ->add_option("--since", o->since, "calls initiated at or after (UTC, YYYY-MM-DD[ HH:MM:SS])")
      ->required();
  rerate->add_option("--until", o->until, "calls initiated before (UTC; default: no limit)");

  auto* rating = app.add_subcommand("rating", "rating reports");
  rating->require_subcommand(1);
  auto* report = rating->add_subcommand("report", "an account's unrated calls by prefix");
  report->add_option("--account", o->account, "the account's auth_id")->required();
  report->add_option("--since", o->since, "calls initiated at or after (UTC; default: all)");
  report->add_option("--until", o->until, "calls initiated before (UTC; default: no limit)");
  report->add_option("--digits", o->digits, "group by this many leading digits (default 4)")
      ->check(CLI::Range(1, 15));

  return RatingCommands{[=, &global]() -> std::optional<int> {
    if (load->parsed()) return run_deck_load(global, *o);
    if (show->parsed()) return run_deck_show(global, *o);
    if (account_set && account_set->parsed()) return run_account_set(global, *o);
    if (rerate->parsed()) return run_rerate(global, *o);
    if (report->parsed()) return run_report(global, *o);
    return std::nullopt;
  }};
}

}  // namespace cdrd::cli
