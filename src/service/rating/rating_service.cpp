#include "service/rating/rating_service.h"

#include <algorithm>
#include <map>
#include <tuple>
#include <utility>

#include "rating/billing.h"
#include "rating/country.h"

namespace cdrd::service {
namespace {

// Calls read (and at most written) per store round trip while re-rating or reporting.
constexpr int kScanChunk = 5'000;

std::size_t dir_index(Direction d) { return d == Direction::kInbound ? 0 : 1; }

std::size_t distinct_prefixes(std::span<const RateRow> rows) {
  std::size_t n = 0;
  for (std::size_t i = 0; i < rows.size(); ++i) {
    n += i == 0 || rows[i].prefix != rows[i - 1].prefix;  // rows() is ordered by prefix
  }
  return n;
}

bool same_billing(const CallRecord& a, const CallRecord& b) {
  return a.bill_duration_s == b.bill_duration_s && a.rate == b.rate &&
         a.secure_trunking_rate == b.secure_trunking_rate && a.total_amount == b.total_amount &&
         a.rating == b.rating;
}

}  // namespace

Result<bool> rate_record(const AccountRating& rating, CallRecord& record) {
  if (record.rating == RatingState::kProvided && !rating.settings.always_rerate) return false;
  Result<rating::RatingResult> rated =
      rating::rate_call(rating.deck, record, rating.settings.secure_trunking_rate);
  if (!rated.ok()) return rated.status();
  rating::apply_rating(*rated, record);
  return true;
}

Result<Account> RatingService::account(std::string_view auth_id) {
  Result<std::optional<Account>> found = accounts_.find_account_by_auth_id(auth_id);
  if (!found.ok()) return found.status();
  if (!*found) {
    return Status::NotFound("no account has auth_id '" + std::string(auth_id) + "'");
  }
  return **found;
}

Result<std::shared_ptr<const AccountRating>> RatingService::current(std::int64_t account_id) {
  Result<std::int64_t> version = store_.rating_version(account_id);
  if (!version.ok()) return version.status();
  {
    MutexLock lock(&mu_);
    const auto it = cache_.find(account_id);
    if (it != cache_.end() && it->second->version == *version) return it->second;
  }
  // Read and compiled outside the lock: a big deck takes a while, and other accounts' batches
  // must not wait for it. Two threads may build the same version at once; both are right.
  Result<RatingProfile> profile = store_.rating_profile(account_id);
  if (!profile.ok()) return profile.status();
  Result<rating::RateDeck> deck = rating::RateDeck::from_rows(std::move(profile->rows));
  if (!deck.ok()) {
    return Status::Internal("the stored rate deck of account " + std::to_string(account_id) +
                            " is invalid: " + deck.status().message());
  }
  auto built = std::make_shared<AccountRating>();
  built->account_id = account_id;
  built->version = profile->version;
  built->settings = profile->settings;
  built->deck = std::move(deck).value();
  MutexLock lock(&mu_);
  auto& slot = cache_[account_id];
  if (!slot || slot->version <= built->version) slot = built;
  return std::shared_ptr<const AccountRating>(std::move(built));
}

void RatingService::forget(std::int64_t account_id) {
  MutexLock lock(&mu_);
  cache_.erase(account_id);
}

Result<DeckLoadResult> RatingService::load_deck(std::int64_t account_id,
                                                std::optional<Direction> direction,
                                                std::string_view csv) {
  Result<rating::RateDeck> deck = rating::parse_rate_deck_csv(csv, direction);
  if (!deck.ok()) return deck.status();
  Result<std::shared_ptr<const AccountRating>> before = current(account_id);
  if (!before.ok()) return before.status();

  DeckLoadResult result;
  result.direction = direction;
  std::vector<RateRow> rows;
  rows.reserve(deck->size());
  for (Direction d : {Direction::kInbound, Direction::kOutbound}) {
    const std::size_t i = dir_index(d);
    result.previous_rows[i] = (*before)->deck.rows(d).size();
    if (direction && *direction != d) {
      result.rows[i] = (*before)->deck.rows(d).size();
      result.prefixes[i] = distinct_prefixes((*before)->deck.rows(d));
      continue;
    }
    const std::span<const RateRow> loaded = deck->rows(d);
    rows.insert(rows.end(), loaded.begin(), loaded.end());
    result.rows[i] = loaded.size();
    result.prefixes[i] = distinct_prefixes(loaded);
  }
  Status stored = store_.replace_rate_deck(account_id, direction, rows);
  forget(account_id);
  if (!stored.ok()) return stored;
  return result;
}

Result<RatingSettings> RatingService::settings(std::int64_t account_id) {
  Result<std::shared_ptr<const AccountRating>> r = current(account_id);
  if (!r.ok()) return r.status();
  return (*r)->settings;
}

Status RatingService::set_settings(std::int64_t account_id, const RatingSettings& settings) {
  Status s = store_.set_rating_settings(account_id, settings);
  forget(account_id);
  return s;
}

Result<RerateResult> RatingService::rerate(std::int64_t account_id, CallWindow window) {
  Result<std::shared_ptr<const AccountRating>> rating = current(account_id);
  if (!rating.ok()) return rating.status();
  BillingScan scan;
  scan.account_id = account_id;
  scan.initiated_from = window.since;
  scan.initiated_before = window.until;
  scan.include_provided = (*rating)->settings.always_rerate;

  RerateResult result;
  BillingCursor cursor;
  std::vector<BilledCall> changed;
  for (;;) {
    Result<std::vector<BilledCall>> page = store_.scan_billing(scan, cursor, kScanChunk);
    if (!page.ok()) return page.status();
    if (page->empty()) break;
    cursor = BillingCursor{page->back().call.end_time, page->back().row_id};
    changed.clear();
    for (BilledCall& b : *page) {
      ++result.examined;
      const CallRecord before = b.call;
      if (!rate_record(**rating, b.call).ok()) {
        ++result.refused;  // its amount would leave the int64 range: keep what is stored
        continue;
      }
      if (same_billing(before, b.call)) continue;
      (b.call.rating == RatingState::kRated ? result.now_rated : result.now_unrated) += 1;
      changed.push_back(std::move(b));
    }
    Result<std::int64_t> written = store_.update_billing(changed);
    if (!written.ok()) return written.status();
    result.changed += *written;
    if (static_cast<int>(page->size()) < kScanChunk) break;
  }
  return result;
}

Result<UnratedReport> RatingService::unrated_report(std::int64_t account_id, CallWindow window,
                                                    int digits) {
  if (digits < 1 || digits > static_cast<int>(rating::kMaxPrefixDigits)) {
    return Status::Invalid("digits: must be a whole number from 1 to 15, got " +
                           std::to_string(digits));
  }
  BillingScan scan;
  scan.account_id = account_id;
  scan.initiated_from = window.since;
  scan.initiated_before = window.until;
  scan.include_provided = false;
  scan.include_rated = false;
  scan.include_unrated = true;

  std::map<std::pair<Direction, std::string>, UnratedGroup> groups;
  UnratedReport report;
  BillingCursor cursor;
  for (;;) {
    Result<std::vector<BilledCall>> page = store_.scan_billing(scan, cursor, kScanChunk);
    if (!page.ok()) return page.status();
    if (page->empty()) break;
    cursor = BillingCursor{page->back().call.end_time, page->back().row_id};
    for (const BilledCall& b : *page) {
      const CallRecord& c = b.call;
      const std::string_view number = rating::rated_number(c);
      const std::optional<std::string_view> d = rating::rating_digits(number);
      std::string prefix = d ? std::string(d->substr(0, static_cast<std::size_t>(digits))) : "";
      auto [it, fresh] = groups.try_emplace({c.direction, prefix});
      UnratedGroup& g = it->second;
      if (fresh) {
        g.direction = c.direction;
        g.prefix = std::move(prefix);
        g.country = rating::country_of(number);
      }
      ++g.calls;
      g.talk_seconds += c.duration_s;
      g.first_initiation = std::min(g.first_initiation, c.initiation_time);
      g.last_initiation = std::max(g.last_initiation, c.initiation_time);
      ++report.calls;
    }
    if (static_cast<int>(page->size()) < kScanChunk) break;
  }
  for (auto& [key, g] : groups) report.groups.push_back(std::move(g));
  std::stable_sort(report.groups.begin(), report.groups.end(),
                   [](const UnratedGroup& a, const UnratedGroup& b) { return a.calls > b.calls; });
  return report;
}

}  // namespace cdrd::service
