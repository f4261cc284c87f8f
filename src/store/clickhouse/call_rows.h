// The rows of the `calls` table of ClickHouseCallStore in TabSeparated form: one CallRecord as
// one line of every column (append_row) and back (read_row). Enums are stored as the sqlite
// backend's codes (store/sqlite/enum_codes.h) and legs in its encoding (core/leg_codec.h), so both
// backends keep a call alike. Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "store/call_store.h"
#include "store/clickhouse/text.h"

namespace cdrd::clickhouse {

// The columns of `calls` in the order rows are written and read (append_row, read_row).
inline constexpr std::string_view kColumns =
    "account_id, end_time, call_key, id, version, call_uuid, direction, from_number, to_number, "
    "from_digits, to_digits, initiation_time, answer_time, duration_s, bill_duration_s, "
    "hangup_cause_code, hangup_cause_name, hangup_source, trunk_id, trunk_domain, region, "
    "transport, srtp, secure_trunking, rate, secure_trunking_rate, total_amount, rating, "
    "from_country, to_country, stir_verification, attestation, sip_call_id, cnam_lookup, "
    "cnam_lookup_rate, from_username, from_domain, from_screen_name, to_username, to_domain, "
    "did_number, did_domain, bridged_username, bridged_domain, bridged_time, "
    "bridged_duration_s, extension_id, extension_name, extension_type, "
    "extension_group_owner_id, ext_number_reg, diversion_number, result, hangup_disposition, "
    "q850_cause, quality_rate, quality_max_rate, legs, q_rtt_ms, q_jitter_ms, "
    "q_packet_loss_pct, q_post_dial_delay_ms, q_caller_carrier, q_callee_carrier, "
    "q_from_region, q_to_region";
inline constexpr std::size_t kColumnCount = 66;

// ReplacingMergeTree keeps the row of the largest version: the first stored (smallest id).
std::uint64_t version_of(std::int64_t id);

// Appends `c` stored as `id` as one line of kColumns.
void append_row(std::string& out, const CallRecord& c, std::int64_t id);
// Reads one line of kColumns: the call and its storage id. kIOError for a corrupt row.
Result<StoredCall> read_row(const TsvRow& fields);

}  // namespace cdrd::clickhouse
