#include "store/clickhouse/call_rows.h"

#include <limits>

#include "core/ascii.h"
#include "core/leg_codec.h"
#include "store/clickhouse/text.h"
#include "store/sqlite/enum_codes.h"

namespace cdrd::clickhouse {

using sqlite::decode_enum;
using sqlite::enum_code;

std::uint64_t version_of(std::int64_t id) {
  return static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()) -
         static_cast<std::uint64_t>(id);
}

namespace {

// A number as the *_digits columns keep it: without its leading '+'s (SQLite's ltrim).
std::string_view digits_of(std::string_view number) {
  while (!number.empty() && number.front() == '+') number.remove_prefix(1);
  return number;
}

void tab(std::string& out) { out += '\t'; }

}  // namespace

void append_row(std::string& out, const CallRecord& c, std::int64_t id) {
  const auto text = [&](std::string_view s) {
    append_tsv(out, s);
    tab(out);
  };
  const auto num = [&](std::int64_t v) {
    append_tsv_int(out, v);
    tab(out);
  };
  const auto opt = [&](std::optional<std::int64_t> v) {
    append_tsv(out, v);
    tab(out);
  };
  const auto opt_int = [&](std::optional<int> v) {
    opt(v ? std::optional<std::int64_t>(*v) : std::nullopt);
  };
  const auto real = [&](std::optional<double> v) {
    append_tsv(out, v);
    tab(out);
  };
  num(c.account_id);
  num(c.end_time);
  text(ascii_lower(c.call_uuid));
  num(id);
  append_tsv(out, std::to_string(version_of(id)));
  tab(out);
  text(c.call_uuid);
  num(enum_code(c.direction));
  text(c.from_number);
  text(c.to_number);
  text(digits_of(c.from_number));
  text(digits_of(c.to_number));
  num(c.initiation_time);
  opt(c.answer_time);
  num(c.duration_s);
  num(c.bill_duration_s);
  opt_int(c.hangup_cause_code);
  text(c.hangup_cause_name);
  num(enum_code(c.hangup_source));
  text(c.trunk_id);
  text(c.trunk_domain);
  text(c.region);
  num(enum_code(c.transport));
  num(c.srtp ? 1 : 0);
  num(c.secure_trunking ? 1 : 0);
  num(c.rate.units());
  num(c.secure_trunking_rate.units());
  num(c.total_amount.units());
  num(enum_code(c.rating));
  text(c.from_country);
  text(c.to_country);
  num(enum_code(c.stir_verification));
  num(enum_code(c.attestation));
  text(c.sip_call_id);
  num(c.cnam_lookup ? 1 : 0);
  num(c.cnam_lookup_rate.units());
  text(c.from_username);
  text(c.from_domain);
  text(c.from_screen_name);
  text(c.to_username);
  text(c.to_domain);
  text(c.did_number);
  text(c.did_domain);
  text(c.bridged_username);
  text(c.bridged_domain);
  opt(c.bridged_time);
  opt(c.bridged_duration_s);
  opt(c.extension_id);
  text(c.extension_name);
  text(c.extension_type);
  opt(c.extension_group_owner_id);
  if (c.ext_number_reg) {
    text(*c.ext_number_reg);
  } else {
    out += "\\N\t";
  }
  text(c.diversion_number);
  text(c.result);
  text(c.hangup_disposition);
  text(c.q850_cause);
  opt_int(c.quality_rate);
  opt_int(c.quality_max_rate);
  text(c.legs.empty() ? std::string() : encode_legs(c.legs));
  real(c.quality.rtt_ms);
  real(c.quality.jitter_ms);
  real(c.quality.packet_loss_pct);
  opt(c.quality.post_dial_delay_ms);
  text(c.quality.caller_carrier);
  text(c.quality.callee_carrier);
  text(c.quality.from_region);
  append_tsv(out, c.quality.to_region);
  out += '\n';
}

Result<StoredCall> read_row(const TsvRow& f) {
  if (f.size() != kColumnCount) {
    return Status::IOError("clickhouse: a call row of " + std::to_string(f.size()) +
                           " columns, expected " + std::to_string(kColumnCount));
  }
  StoredCall s;
  CallRecord& c = s.call;
  std::size_t i = 0;
  bool ok = true;
  const auto int64 = [&]() -> Result<std::int64_t> { return tsv_int(f[i++]); };
  const auto opt_int = [&](std::optional<int>& out) -> Status {
    ASSIGN_OR_RETURN(const std::optional<std::int64_t> v, tsv_opt_int(f[i++]));
    out.reset();
    if (v) out = static_cast<int>(*v);
    return Status::Ok();
  };
  ASSIGN_OR_RETURN(c.account_id, int64());
  ASSIGN_OR_RETURN(c.end_time, int64());
  ++i;  // call_key
  ASSIGN_OR_RETURN(s.id, int64());
  ++i;  // version
  ASSIGN_OR_RETURN(c.call_uuid, tsv_text(f[i++]));
  ASSIGN_OR_RETURN(const std::int64_t direction, int64());
  ok &= decode_enum(direction, c.direction);
  ASSIGN_OR_RETURN(c.from_number, tsv_text(f[i++]));
  ASSIGN_OR_RETURN(c.to_number, tsv_text(f[i++]));
  i += 2;  // from_digits, to_digits
  ASSIGN_OR_RETURN(c.initiation_time, int64());
  ASSIGN_OR_RETURN(c.answer_time, tsv_opt_int(f[i++]));
  ASSIGN_OR_RETURN(c.duration_s, int64());
  ASSIGN_OR_RETURN(c.bill_duration_s, int64());
  RETURN_IF_ERROR(opt_int(c.hangup_cause_code));
  ASSIGN_OR_RETURN(c.hangup_cause_name, tsv_text(f[i++]));
  ASSIGN_OR_RETURN(const std::int64_t hangup_source, int64());
  ok &= decode_enum(hangup_source, c.hangup_source);
  ASSIGN_OR_RETURN(c.trunk_id, tsv_text(f[i++]));
  ASSIGN_OR_RETURN(c.trunk_domain, tsv_text(f[i++]));
  ASSIGN_OR_RETURN(c.region, tsv_text(f[i++]));
  ASSIGN_OR_RETURN(const std::int64_t transport, int64());
  ok &= decode_enum(transport, c.transport);
  ASSIGN_OR_RETURN(const std::int64_t srtp, int64());
  c.srtp = srtp != 0;
  ASSIGN_OR_RETURN(const std::int64_t secure, int64());
  c.secure_trunking = secure != 0;
  ASSIGN_OR_RETURN(const std::int64_t rate, int64());
  c.rate = Money::from_units(rate);
  ASSIGN_OR_RETURN(const std::int64_t st_rate, int64());
  c.secure_trunking_rate = Money::from_units(st_rate);
  ASSIGN_OR_RETURN(const std::int64_t total, int64());
  c.total_amount = Money::from_units(total);
  ASSIGN_OR_RETURN(const std::int64_t rating, int64());
  ok &= decode_enum(rating, c.rating);
  ASSIGN_OR_RETURN(c.from_country, tsv_text(f[i++]));
  ASSIGN_OR_RETURN(c.to_country, tsv_text(f[i++]));
  ASSIGN_OR_RETURN(const std::int64_t stir, int64());
  ok &= decode_enum(stir, c.stir_verification);
  ASSIGN_OR_RETURN(const std::int64_t attestation, int64());
  ok &= decode_enum(attestation, c.attestation);
  ASSIGN_OR_RETURN(c.sip_call_id, tsv_text(f[i++]));
  ASSIGN_OR_RETURN(const std::int64_t cnam, int64());
  c.cnam_lookup = cnam != 0;
  ASSIGN_OR_RETURN(const std::int64_t cnam_rate, int64());
  c.cnam_lookup_rate = Money::from_units(cnam_rate);
  ASSIGN_OR_RETURN(c.from_username, tsv_text(f[i++]));
  ASSIGN_OR_RETURN(c.from_domain, tsv_text(f[i++]));
  ASSIGN_OR_RETURN(c.from_screen_name, tsv_text(f[i++]));
  ASSIGN_OR_RETURN(c.to_username, tsv_text(f[i++]));
  ASSIGN_OR_RETURN(c.to_domain, tsv_text(f[i++]));
  ASSIGN_OR_RETURN(c.did_number, tsv_text(f[i++]));
  ASSIGN_OR_RETURN(c.did_domain, tsv_text(f[i++]));
  ASSIGN_OR_RETURN(c.bridged_username, tsv_text(f[i++]));
  ASSIGN_OR_RETURN(c.bridged_domain, tsv_text(f[i++]));
  ASSIGN_OR_RETURN(c.bridged_time, tsv_opt_int(f[i++]));
  ASSIGN_OR_RETURN(c.bridged_duration_s, tsv_opt_int(f[i++]));
  ASSIGN_OR_RETURN(c.extension_id, tsv_opt_int(f[i++]));
  ASSIGN_OR_RETURN(c.extension_name, tsv_text(f[i++]));
  ASSIGN_OR_RETURN(c.extension_type, tsv_text(f[i++]));
  ASSIGN_OR_RETURN(c.extension_group_owner_id, tsv_opt_int(f[i++]));
  ASSIGN_OR_RETURN(c.ext_number_reg, tsv_opt_text(f[i++]));
  ASSIGN_OR_RETURN(c.diversion_number, tsv_text(f[i++]));
  ASSIGN_OR_RETURN(c.result, tsv_text(f[i++]));
  ASSIGN_OR_RETURN(c.hangup_disposition, tsv_text(f[i++]));
  ASSIGN_OR_RETURN(c.q850_cause, tsv_text(f[i++]));
  RETURN_IF_ERROR(opt_int(c.quality_rate));
  RETURN_IF_ERROR(opt_int(c.quality_max_rate));
  ASSIGN_OR_RETURN(const std::string legs, tsv_text(f[i++]));
  if (!legs.empty()) {
    Result<std::vector<CallLeg>> decoded = decode_legs(legs);
    if (!decoded.ok()) {
      return Status::IOError(decoded.status().message() + " (call " + c.call_uuid + ")");
    }
    c.legs = std::move(decoded).value();
  }
  ASSIGN_OR_RETURN(c.quality.rtt_ms, tsv_opt_real(f[i++]));
  ASSIGN_OR_RETURN(c.quality.jitter_ms, tsv_opt_real(f[i++]));
  ASSIGN_OR_RETURN(c.quality.packet_loss_pct, tsv_opt_real(f[i++]));
  ASSIGN_OR_RETURN(c.quality.post_dial_delay_ms, tsv_opt_int(f[i++]));
  ASSIGN_OR_RETURN(c.quality.caller_carrier, tsv_text(f[i++]));
  ASSIGN_OR_RETURN(c.quality.callee_carrier, tsv_text(f[i++]));
  ASSIGN_OR_RETURN(c.quality.from_region, tsv_text(f[i++]));
  ASSIGN_OR_RETURN(c.quality.to_region, tsv_text(f[i++]));
  if (!ok) return Status::IOError("clickhouse: corrupt enum code in call " + c.call_uuid);
  if (i != kColumnCount) return Status::Internal("clickhouse: call column count mismatch");
  return s;
}

}  // namespace cdrd::clickhouse
