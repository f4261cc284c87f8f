#include "store/sqlite/call_row.h"

#include <array>
#include <optional>
#include <string_view>
#include <utility>

#include "core/ascii.h"
#include "core/leg_codec.h"
#include "store/sqlite/enum_codes.h"

namespace cdrd::sqlite {
namespace {

std::optional<int> opt_int(const Statement& st, int c) {
  if (st.is_null(c)) return std::nullopt;
  return static_cast<int>(st.int64(c));
}

}  // namespace

// The SIP-trunk columns first: kTrunkCallColumns is their prefix of kCallColumns.
#define CDRD_TRUNK_CALL_COLUMNS                                                                  \
  "account_id, COALESCE(call_uuid_as_sent, call_uuid), direction, from_number, to_number, "      \
  "initiation_time, answer_time, "                                                               \
  "end_time, duration_s, bill_duration_s, hangup_cause_code, hangup_cause_name, hangup_source, " \
  "trunk_id, trunk_domain, region, transport, srtp, secure_trunking, rate, "                     \
  "secure_trunking_rate, total_amount, rating, from_country, to_country, stir_verification, "    \
  "attestation, sip_call_id, cnam_lookup, cnam_lookup_rate"
const char* const kTrunkCallColumns = CDRD_TRUNK_CALL_COLUMNS;
const char* const kCallColumns = CDRD_TRUNK_CALL_COLUMNS
    ", from_username, from_domain, "
    "from_screen_name, to_username, to_domain, did_number, did_domain, bridged_username, "
    "bridged_domain, bridged_time, bridged_duration_s, extension_id, extension_name, "
    "extension_type, extension_group_owner_id, ext_number_reg, diversion_number, result, "
    "hangup_disposition, q850_cause, quality_rate, quality_max_rate, legs, q_rtt_ms, "
    "q_jitter_ms, q_packet_loss_pct, q_post_dial_delay_ms, q_caller_carrier, q_callee_carrier, "
    "q_from_region, q_to_region";
#undef CDRD_TRUNK_CALL_COLUMNS

namespace {

// The columns a trunk-only call leaves empty, with the constant that stands for each in
// insert_trunk_only_call_sql(): '' for a text column, NULL for the others (what bind_call binds
// for an empty string and for an absent value).
constexpr std::array<std::pair<std::string_view, std::string_view>, 29> kTrunkOnlyConstants = {{
    {"from_domain", "''"},
    {"from_screen_name", "''"},
    {"to_domain", "''"},
    {"did_number", "''"},
    {"did_domain", "''"},
    {"bridged_username", "''"},
    {"bridged_domain", "''"},
    {"bridged_time", "NULL"},
    {"bridged_duration_s", "NULL"},
    {"extension_id", "NULL"},
    {"extension_name", "''"},
    {"extension_type", "''"},
    {"extension_group_owner_id", "NULL"},
    {"ext_number_reg", "NULL"},
    {"diversion_number", "''"},
    {"result", "''"},
    {"hangup_disposition", "''"},
    {"q850_cause", "''"},
    {"quality_rate", "NULL"},
    {"quality_max_rate", "NULL"},
    {"legs", "NULL"},
    {"q_rtt_ms", "NULL"},
    {"q_jitter_ms", "NULL"},
    {"q_packet_loss_pct", "NULL"},
    {"q_post_dial_delay_ms", "NULL"},
    {"q_caller_carrier", "''"},
    {"q_callee_carrier", "''"},
    {"q_from_region", "''"},
    {"q_to_region", "''"},
}};

// The INSERT of every stored column, each value a parameter or, for a column `constant` names,
// its constant.
std::string insert_sql(std::string_view (*constant)(std::string_view column)) {
  // kCallColumns as stored: the uuid's two columns instead of the one it is read as.
  std::string columns = kCallColumns;
  const std::string_view shown = "COALESCE(call_uuid_as_sent, call_uuid)";
  columns.replace(columns.find(shown), shown.size(), "call_uuid");
  // The key is the uuid in lower case (migration 6), and the spelling is kept when it
  // differs: both folded by bind_call (ascii_lower folds ASCII letters only, as SQLite's
  // lower() does), not by SQL functions run for every row.
  // The id last: NULL lets SQLite assign MAX(id) + 1 (see bind_call).
  columns += ", call_uuid_as_sent, id";
  std::string values;
  int n = 0;
  for (std::size_t at = 0; at <= columns.size();) {
    std::size_t end = columns.find(", ", at);
    if (end == std::string::npos) end = columns.size();
    const std::string_view value = constant(std::string_view(columns).substr(at, end - at));
    values += n++ == 0 ? "" : ", ";
    values += value.empty() ? std::string_view("?") : value;
    at = end + 2;
  }
  return "INSERT INTO calls (" + columns + ") VALUES (" + values + ")";
}

}  // namespace

const std::string& insert_trunk_only_call_sql() {
  static const std::string sql = insert_sql([](std::string_view column) -> std::string_view {
    for (const auto& [name, value] : kTrunkOnlyConstants) {
      if (name == column) return value;
    }
    return {};
  });
  return sql;
}

std::string insert_trunk_only_calls_sql(int rows) {
  const std::string& one = insert_trunk_only_call_sql();
  const std::size_t values = one.find(" VALUES (") + 8;  // at the row's "("
  const std::string_view row = std::string_view(one).substr(values);
  std::string sql = one.substr(0, values);
  for (int k = 0; k < rows; ++k) (sql += k == 0 ? "" : ", ") += row;
  return sql;
}

bool is_trunk_only_call(const CallRecord& c) {
  return c.from_domain.empty() && c.from_screen_name.empty() && c.to_domain.empty() &&
         c.did_number.empty() && c.did_domain.empty() && c.bridged_username.empty() &&
         c.bridged_domain.empty() && !c.bridged_time && !c.bridged_duration_s && !c.extension_id &&
         c.extension_name.empty() && c.extension_type.empty() && !c.extension_group_owner_id &&
         !c.ext_number_reg && c.diversion_number.empty() && c.result.empty() &&
         c.hangup_disposition.empty() && c.q850_cause.empty() && !c.quality_rate &&
         !c.quality_max_rate && c.legs.empty() && !c.quality.rtt_ms && !c.quality.jitter_ms &&
         !c.quality.packet_loss_pct && !c.quality.post_dial_delay_ms &&
         c.quality.caller_carrier.empty() && c.quality.callee_carrier.empty() &&
         c.quality.from_region.empty() && c.quality.to_region.empty();
}

namespace {

template <class E>
constexpr bool has_code(E e) {
  return enum_code(e) >= 0 && enum_code(e) < StoredEnum<E>::kCount;
}

}  // namespace

std::optional<std::string_view> failed_check(const CallRecord& c) {
  if (!has_code(c.direction)) return "direction BETWEEN 0 AND 1";
  if (!has_code(c.hangup_source)) return "hangup_source BETWEEN 0 AND 3";
  if (!has_code(c.transport)) return "transport BETWEEN 0 AND 2";
  if (!has_code(c.rating)) return "rating BETWEEN 0 AND 2";
  if (!has_code(c.stir_verification)) return "stir_verification BETWEEN 0 AND 2";
  if (!has_code(c.attestation)) return "attestation BETWEEN 0 AND 3";
  return std::nullopt;
}

// The ranges above are the CHECK constraints of migrations.cpp.
static_assert(StoredEnum<Direction>::kCount == 2 && StoredEnum<HangupSource>::kCount == 4 &&
              StoredEnum<Transport>::kCount == 3 && StoredEnum<RatingState>::kCount == 3 &&
              StoredEnum<StirVerification>::kCount == 3 && StoredEnum<Attestation>::kCount == 4);

const std::string& insert_call_sql() {
  static const std::string sql = insert_sql([](std::string_view) { return std::string_view(); });
  return sql;
}

namespace {

// bind_call and read_call walk the same columns in the same order (the schema of calls), one
// binding and one reading: alike on purpose, checked against each other by the store tests.
// kTrunkOnly skips the columns insert_trunk_only_call_sql() writes as constants.
// `uuid_key` is c.call_uuid folded to ASCII lower case: the spelling is kept too when it differs.
template <bool kTrunkOnly>
void bind_columns(Statement& st, const CallRecord& c, std::string_view legs_blob,
                  std::string_view uuid_key, std::optional<std::int64_t> id, int first_parameter) {
  const bool folded = uuid_key != c.call_uuid;
  int i = first_parameter;
  // A column of kTrunkOnlyConstants: bound only by the full insert.
  const auto optional = [&](const auto& v) {
    if constexpr (!kTrunkOnly) st.bind(i++, v);
  };
  st.bind(i++, c.account_id);
  st.bind(i++, uuid_key);  // the key
  st.bind(i++, enum_code(c.direction));
  st.bind(i++, c.from_number);
  st.bind(i++, c.to_number);
  st.bind(i++, c.initiation_time);
  st.bind(i++, c.answer_time);
  st.bind(i++, c.end_time);
  st.bind(i++, c.duration_s);
  st.bind(i++, c.bill_duration_s);
  st.bind(i++, c.hangup_cause_code);
  st.bind(i++, c.hangup_cause_name);
  st.bind(i++, enum_code(c.hangup_source));
  st.bind(i++, c.trunk_id);
  st.bind(i++, c.trunk_domain);
  st.bind(i++, c.region);
  st.bind(i++, enum_code(c.transport));
  st.bind(i++, c.srtp);
  st.bind(i++, c.secure_trunking);
  st.bind(i++, c.rate.units());
  st.bind(i++, c.secure_trunking_rate.units());
  st.bind(i++, c.total_amount.units());
  st.bind(i++, enum_code(c.rating));
  st.bind(i++, c.from_country);
  st.bind(i++, c.to_country);
  st.bind(i++, enum_code(c.stir_verification));
  st.bind(i++, enum_code(c.attestation));
  st.bind(i++, c.sip_call_id);
  st.bind(i++, c.cnam_lookup);
  st.bind(i++, c.cnam_lookup_rate.units());
  st.bind(i++, c.from_username);
  optional(c.from_domain);
  optional(c.from_screen_name);
  st.bind(i++, c.to_username);
  optional(c.to_domain);
  optional(c.did_number);
  optional(c.did_domain);
  optional(c.bridged_username);
  optional(c.bridged_domain);
  optional(c.bridged_time);
  optional(c.bridged_duration_s);
  optional(c.extension_id);
  optional(c.extension_name);
  optional(c.extension_type);
  optional(c.extension_group_owner_id);
  optional(c.ext_number_reg);
  optional(c.diversion_number);
  optional(c.result);
  optional(c.hangup_disposition);
  optional(c.q850_cause);
  optional(c.quality_rate);
  optional(c.quality_max_rate);
  if constexpr (!kTrunkOnly) {
    if (legs_blob.empty()) {
      st.bind_null(i++);
    } else {
      st.bind_blob(i++, legs_blob);
    }
  }
  optional(c.quality.rtt_ms);
  optional(c.quality.jitter_ms);
  optional(c.quality.packet_loss_pct);
  optional(c.quality.post_dial_delay_ms);
  optional(c.quality.caller_carrier);
  optional(c.quality.callee_carrier);
  optional(c.quality.from_region);
  optional(c.quality.to_region);
  if (folded) {
    st.bind(i++, c.call_uuid);  // call_uuid_as_sent: the spelling, when the key differs
  } else {
    st.bind_null(i++);
  }
  st.bind(i++, id);  // NULL: SQLite assigns MAX(id) + 1
  // A mismatch with kCallColumnCount shows up as SQLITE_RANGE at step() (too many) or as a
  // NOT NULL failure (too few); the round-trip tests cover every column.
}

}  // namespace

void bind_call(Statement& st, const CallRecord& c, const std::string& legs_blob,
               std::string& uuid_key, std::optional<std::int64_t> id) {
  uuid_key = ascii_lower(c.call_uuid);
  bind_columns<false>(st, c, legs_blob, uuid_key, id, 1);
}

void bind_call_keyed(Statement& st, const CallRecord& c, std::string_view legs_blob,
                     std::string_view folded_key, std::optional<std::int64_t> id) {
  bind_columns<false>(st, c, legs_blob, folded_key, id, 1);
}

void bind_trunk_only_call_keyed(Statement& st, const CallRecord& c, std::string_view folded_key,
                                std::optional<std::int64_t> id, int first_parameter) {
  bind_columns<true>(st, c, {}, folded_key, id, first_parameter);
}

Result<CallRecord> read_call(const Statement& st) {
  CallRecord c;
  RETURN_IF_ERROR(read_call_into(st, c));
  return c;
}

namespace {

// The SIP-trunk columns into `c`; false for a corrupt enum code. Sets *next to the column after.
bool read_trunk_columns(const Statement& st, CallRecord& c, int* next) {
  int i = 0;
  bool ok = true;
  c.account_id = st.int64(i++);
  c.call_uuid = st.text(i++);
  ok &= decode_enum(st.int64(i++), c.direction);
  c.from_number = st.text(i++);
  c.to_number = st.text(i++);
  c.initiation_time = st.int64(i++);
  c.answer_time = st.opt_int64(i++);
  c.end_time = st.int64(i++);
  c.duration_s = st.int64(i++);
  c.bill_duration_s = st.int64(i++);
  c.hangup_cause_code = opt_int(st, i++);
  c.hangup_cause_name = st.text(i++);
  ok &= decode_enum(st.int64(i++), c.hangup_source);
  c.trunk_id = st.text(i++);
  c.trunk_domain = st.text(i++);
  c.region = st.text(i++);
  ok &= decode_enum(st.int64(i++), c.transport);
  c.srtp = st.int64(i++) != 0;
  c.secure_trunking = st.int64(i++) != 0;
  c.rate = Money::from_units(st.int64(i++));
  c.secure_trunking_rate = Money::from_units(st.int64(i++));
  c.total_amount = Money::from_units(st.int64(i++));
  ok &= decode_enum(st.int64(i++), c.rating);
  c.from_country = st.text(i++);
  c.to_country = st.text(i++);
  ok &= decode_enum(st.int64(i++), c.stir_verification);
  ok &= decode_enum(st.int64(i++), c.attestation);
  c.sip_call_id = st.text(i++);
  c.cnam_lookup = st.int64(i++) != 0;
  c.cnam_lookup_rate = Money::from_units(st.int64(i++));
  *next = i;
  return ok;
}

}  // namespace

Status read_trunk_call_into(const Statement& st, CallRecord& c) {
  int i = 0;
  const bool ok = read_trunk_columns(st, c, &i);
  if (!ok) return Status::IOError("sqlite: corrupt enum code in call " + c.call_uuid);
  if (i != kTrunkCallColumnCount) return Status::Internal("sqlite: call column count mismatch");
  return Status::Ok();
}

Status read_call_into(const Statement& st, CallRecord& c) {
  int i = 0;
  bool ok = read_trunk_columns(st, c, &i);
  c.from_username = st.text(i++);
  c.from_domain = st.text(i++);
  c.from_screen_name = st.text(i++);
  c.to_username = st.text(i++);
  c.to_domain = st.text(i++);
  c.did_number = st.text(i++);
  c.did_domain = st.text(i++);
  c.bridged_username = st.text(i++);
  c.bridged_domain = st.text(i++);
  c.bridged_time = st.opt_int64(i++);
  c.bridged_duration_s = st.opt_int64(i++);
  c.extension_id = st.opt_int64(i++);
  c.extension_name = st.text(i++);
  c.extension_type = st.text(i++);
  c.extension_group_owner_id = st.opt_int64(i++);
  c.ext_number_reg = st.opt_text(i++);
  c.diversion_number = st.text(i++);
  c.result = st.text(i++);
  c.hangup_disposition = st.text(i++);
  c.q850_cause = st.text(i++);
  c.quality_rate = opt_int(st, i++);
  c.quality_max_rate = opt_int(st, i++);
  if (!st.is_null(i)) {
    Result<std::vector<CallLeg>> legs = decode_legs(st.blob(i));
    if (!legs.ok()) {
      return Status::IOError(legs.status().message() + " (call " + c.call_uuid + ")");
    }
    c.legs = std::move(legs).value();
  }
  ++i;
  c.quality.rtt_ms = st.opt_real(i++);
  c.quality.jitter_ms = st.opt_real(i++);
  c.quality.packet_loss_pct = st.opt_real(i++);
  c.quality.post_dial_delay_ms = st.opt_int64(i++);
  c.quality.caller_carrier = st.text(i++);
  c.quality.callee_carrier = st.text(i++);
  c.quality.from_region = st.text(i++);
  c.quality.to_region = st.text(i++);
  if (!ok) return Status::IOError("sqlite: corrupt enum code in call " + c.call_uuid);
  if (i != kCallColumnCount) return Status::Internal("sqlite: call column count mismatch");
  return Status::Ok();
}

}  // namespace cdrd::sqlite
