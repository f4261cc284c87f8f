// Literal values for tests, written as the APIs write them: at("2021-03-21 11:47:00") is the
// first microsecond of that UTC timestamp, money("0.0050") that amount. The one copy of these
// helpers for every unit test; test code only. A malformed literal is a bug in the test: it
// throws std::invalid_argument, which fails the test that wrote it.
#pragma once

#include <stdexcept>
#include <string>
#include <string_view>

#include "core/money.h"
#include "core/time.h"

namespace cdrd::testing {

inline Micros at(std::string_view text) {
  auto t = parse_timestamp(text);
  if (!t) throw std::invalid_argument("bad test timestamp: " + std::string(text));
  return t->start;
}

inline Money money(std::string_view text) {
  auto m = Money::parse(text);
  if (!m) throw std::invalid_argument("bad test amount: " + std::string(text));
  return *m;
}

}  // namespace cdrd::testing
