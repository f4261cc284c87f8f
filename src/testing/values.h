// Literal values for tests, written as the APIs write them: at("2021-03-21 11:47:00") is the
// first microsecond of that UTC timestamp, money("0.0050") that amount, rate_row(...) a rate
// deck row in the order of the deck's CSV columns. The one copy of these helpers for every
// unit test; test code only. A malformed literal is a bug in the test: it throws
// std::invalid_argument, which fails the test that wrote it.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>

#include "core/call_record.h"
#include "core/money.h"
#include "core/rate_row.h"
#include "core/time.h"

namespace cdrd::testing {

inline Micros at(std::string_view text) {
  auto t = parse_timestamp(text);
  if (!t) throw std::invalid_argument("bad test timestamp: " + std::string(text));
  return t->start;
}

// A call with only what a store requires: the account, the uuid, two numbers, a minute ending at
// `end_time`.
inline CallRecord minimal_call(std::int64_t account_id, std::string uuid, Micros end_time) {
  CallRecord c;
  c.account_id = account_id;
  c.call_uuid = std::move(uuid);
  c.from_number = "+14155550100";
  c.to_number = "+919943720205";
  c.initiation_time = end_time - 60 * kMicrosPerSecond;
  c.end_time = end_time;
  return c;
}

inline Money money(std::string_view text) {
  auto m = Money::parse(text);
  if (!m) throw std::invalid_argument("bad test amount: " + std::string(text));
  return *m;
}

// The row prefix,rate,initial_increment,subsequent_increment,effective_from,direction of a
// deck (kSinceBeginning for an empty effective_from).
inline RateRow rate_row(std::string prefix, Money rate, int initial, int subsequent, Micros from,
                        Direction d) {
  return RateRow{.direction = d,
                 .prefix = std::move(prefix),
                 .rate = rate,
                 .initial_increment = initial,
                 .subsequent_increment = subsequent,
                 .effective_from = from};
}

}  // namespace cdrd::testing
