// The integer each enum of a call or a trunk is stored as: one table for every enum kept in the
// database, used by every sqlite store (calls, rate decks, billing, trunks, the call filter).
// The codes are documented at the top of migrations.cpp and pinned here: reordering an enum in
// core must fail to build rather than silently change the meaning of stored rows (then map the
// old codes explicitly). Pure; thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "core/enums.h"
#include "core/trunk.h"
#include "core/usage.h"

namespace cdrd::sqlite {

// How many codes an enum has: its codes are 0 .. kCount - 1, the enumerators' values.
template <class E>
struct StoredEnum;
template <>
struct StoredEnum<Direction> {
  static constexpr int kCount = 2;  // 0 inbound, 1 outbound
};
template <>
struct StoredEnum<HangupSource> {
  static constexpr int kCount = 4;  // 0 unknown, 1 customer, 2 carrier, 3 zentrunk
};
template <>
struct StoredEnum<Transport> {
  static constexpr int kCount = 3;  // 0 udp, 1 tcp, 2 tls
};
template <>
struct StoredEnum<RatingState> {
  static constexpr int kCount = 3;  // 0 provided, 1 rated, 2 unrated
};
template <>
struct StoredEnum<StirVerification> {
  static constexpr int kCount = 3;  // 0 not applicable, 1 verified, 2 not verified
};
template <>
struct StoredEnum<Attestation> {
  static constexpr int kCount = 4;  // 0 none, 1 A, 2 B, 3 C
};
template <>
struct StoredEnum<TrunkStatus> {
  static constexpr int kCount = 2;  // 0 enabled, 1 disabled
};

// The stored code of `e`.
template <class E>
constexpr std::int64_t enum_code(E e) {
  static_cast<void>(StoredEnum<E>::kCount);  // only enums with a table
  return static_cast<std::int64_t>(e);
}

// The enumerator stored as `code`, or nullopt for a code out of range (a corrupt row).
template <class E>
constexpr std::optional<E> enum_from_code(std::int64_t code) {
  if (code < 0 || code >= StoredEnum<E>::kCount) return std::nullopt;
  return static_cast<E>(code);
}

// Reads a stored code into `out`; false (and `out` unchanged) for a code out of range.
template <class E>
constexpr bool decode_enum(std::int64_t code, E& out) {
  const std::optional<E> e = enum_from_code<E>(code);
  if (e) out = *e;
  return e.has_value();
}

static_assert(enum_code(Direction::kInbound) == 0 && enum_code(Direction::kOutbound) == 1);
static_assert(enum_code(HangupSource::kUnknown) == 0 && enum_code(HangupSource::kCustomer) == 1 &&
              enum_code(HangupSource::kCarrier) == 2 && enum_code(HangupSource::kZentrunk) == 3);
static_assert(enum_code(Transport::kUdp) == 0 && enum_code(Transport::kTcp) == 1 &&
              enum_code(Transport::kTls) == 2);
static_assert(enum_code(RatingState::kProvided) == 0 && enum_code(RatingState::kRated) == 1 &&
              enum_code(RatingState::kUnrated) == 2);
static_assert(enum_code(StirVerification::kNotApplicable) == 0 &&
              enum_code(StirVerification::kVerified) == 1 &&
              enum_code(StirVerification::kNotVerified) == 2);
static_assert(enum_code(Attestation::kNone) == 0 && enum_code(Attestation::kA) == 1 &&
              enum_code(Attestation::kB) == 2 && enum_code(Attestation::kC) == 3);
static_assert(enum_code(TrunkStatus::kEnabled) == 0 && enum_code(TrunkStatus::kDisabled) == 1);

// The column a usage query groups by ("0" without a group), the same name in every calls table
// (the sqlite one and ClickHouse's): literals only, safe to put into a statement.
constexpr std::string_view usage_group_sql(const std::optional<UsageGroup>& g) {
  if (!g) return "0";
  switch (*g) {
    case UsageGroup::kDirection:
      return "direction";
    case UsageGroup::kToCountry:
      return "to_country";
    case UsageGroup::kTrunkId:
      return "trunk_id";
    case UsageGroup::kHangupSource:
      return "hangup_source";
  }
  return "0";
}

}  // namespace cdrd::sqlite
