#include "rating/billing.h"

#include <algorithm>
#include <limits>
#include <string>

namespace cdrd::rating {
namespace {

__extension__ using Int128 = __int128;

constexpr Money kLargestAmount = Money::from_units(Money::kMaxUnits);

}  // namespace

std::int64_t billed_seconds(std::int64_t duration_s, int initial, int subsequent) {
  if (duration_s <= 0) return 0;
  const std::int64_t first = std::max(initial, 1);
  const std::int64_t step = std::max(subsequent, 1);
  if (duration_s <= first) return first;
  const std::int64_t rest = duration_s - first;
  const std::int64_t blocks = rest / step + (rest % step != 0 ? 1 : 0);
  return first + blocks * step;
}

std::optional<Money> amount_for(Money per_minute, std::int64_t seconds) {
  if (seconds <= 0) return Money();
  Int128 product = static_cast<Int128>(per_minute.units()) * seconds;  // |x| < 2^126: no overflow
  const bool negative = product < 0;
  if (negative) product = -product;
  Int128 units = product / 60;
  if ((product % 60) * 2 >= 60) ++units;              // half-up
  if (units > Money::kMaxUnits) return std::nullopt;  // |amount| beyond the int64 range
  const auto u = static_cast<std::int64_t>(units);
  return Money::from_units(negative ? -u : u);
}

std::optional<std::string_view> rating_digits(std::string_view number) {
  if (!number.empty() && number.front() == '+') number.remove_prefix(1);
  if (number.size() < 8 || number.size() > 15 || number.front() == '0') return std::nullopt;
  for (char c : number) {
    if (c < '0' || c > '9') return std::nullopt;
  }
  return number;
}

std::string_view rated_number(const CallRecord& record) {
  if (record.direction == Direction::kOutbound) return record.to_number;
  if (rating_digits(record.did_number)) return record.did_number;
  return record.to_number;
}

Result<RatingResult> rate_call(const RateDeck& deck, const CallRecord& record,
                               Money secure_trunking_rate) {
  RatingResult result;
  const bool answered = record.answer_time.has_value();
  const std::int64_t talk = answered ? std::max<std::int64_t>(record.duration_s, 0) : 0;

  const auto digits = rating_digits(rated_number(record));
  const RateRow* row =
      digits ? deck.match(record.direction, *digits, record.initiation_time) : nullptr;
  if (row == nullptr) {
    result.bill_duration_s = talk;
    return result;
  }
  result.matched = true;
  result.prefix = row->prefix;
  result.rate = row->rate;
  result.initial = row->initial_increment;
  result.subsequent = row->subsequent_increment;
  result.bill_duration_s = billed_seconds(talk, row->initial_increment, row->subsequent_increment);
  result.secure_rate = record.secure_trunking ? secure_trunking_rate : Money();
  const std::optional<Money> total_rate = Money::checked_add(result.rate, result.secure_rate);
  if (!total_rate) {
    return Status::Invalid("total_rate: rate " + result.rate.to_fixed5() +
                           " + secure_trunking_rate " + result.secure_rate.to_fixed5() +
                           " exceeds the largest amount " + kLargestAmount.to_fixed5());
  }
  result.total_rate = *total_rate;
  const std::optional<Money> amount = amount_for(result.total_rate, result.bill_duration_s);
  if (!amount) {
    return Status::Invalid("total_amount: the amount for " +
                           std::to_string(result.bill_duration_s) + " s at rate " +
                           result.total_rate.to_fixed5() + " exceeds the largest amount " +
                           kLargestAmount.to_fixed5());
  }
  result.total_amount = *amount;
  return result;
}

void apply_rating(const RatingResult& result, CallRecord& record) {
  record.rate = result.rate;
  record.secure_trunking_rate = result.secure_rate;
  record.bill_duration_s = result.bill_duration_s;
  record.total_amount = result.total_amount;
  record.rating = result.matched ? RatingState::kRated : RatingState::kUnrated;
}

}  // namespace cdrd::rating
