// The Asterisk adapter (docs/switch-asterisk.md): one CSV row of Asterisk's CDR files mapped
// onto the canonical record's field names (raw_record.h) for the one validator (validate.h),
// through IngestService::ingest_records (`cdrd import --format asterisk-csv|asterisk-custom`).
// Nothing here validates a value: it picks the columns and renames them.
//
// asterisk-csv: Master.csv as cdr_csv writes it, no header, the columns accountcode, src, dst,
// dcontext, clid, channel, dstchannel, lastapp, lastdata, start, answer, end, duration, billsec,
// disposition, amaflags, then uniqueid (loguniqueid=yes) and userfield (loguserfield=yes): 16,
// 17 or 18 cells. Times are the switch's local wall-clock time ("YYYY-MM-DD HH:MM:SS"; usegmtime
// makes them UTC), turned into UTC by the caller's LocalToUtc.
//
// asterisk-custom: the rows of the cdr_custom template contrib/asterisk/cdr_custom.conf, 16
// cells: accountcode, src, dst, clid, channel, dstchannel, start, answer, end (epoch seconds with
// microseconds, so no time zone is involved), billsec, disposition, uniqueid, linkedid, sequence,
// cdrd_direction, cdrd_trunk_id (the CDR variables of those names, set in the dialplan).
//
// The mapping: account = accountcode, else the default; from_number = src, to_number = dst,
// from_screen_name = the name of clid ("Name" <number>); answer_time only when answered;
// duration = billsec; hangup_cause_code from disposition (ANSWERED, NO ANSWER, BUSY, FAILED,
// CONGESTION) through core/hangup_map.h. A call that Asterisk wrote as several rows (a forked
// Dial, a transfer) is several records, one per row: call_id is the row's key, the uniqueid and
// the dstchannel (csv) or the uniqueid and the CDR sequence number (custom), so importing a file
// again stores nothing twice. Pure; thread-safe.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/status.h"
#include "core/time.h"
#include "service/ingest/raw_record.h"

namespace cdrd::service::ingest {

// A wall-clock time of the switch's zone, given as if it were UTC, to the UTC instant; nullopt
// when the zone never shows that wall-clock time (a gap when clocks go forward).
using LocalToUtc = std::function<std::optional<Micros>(Micros wall_clock)>;

struct AsteriskDefaults {
  std::string account;    // --account: when accountcode is empty
  std::string direction;  // --direction: inbound or outbound
  std::string trunk_id;   // --trunk-id
  LocalToUtc to_utc;      // asterisk-csv only; unset: the times are UTC
};

enum class AsteriskFormat { kMasterCsv, kCustom };

// The canonical fields of one row, or kInvalidArgument for a row of the wrong width or with a
// time that is not "YYYY-MM-DD HH:MM:SS" of the zone.
Result<RawRecord> map_asterisk_row(AsteriskFormat format, const std::vector<std::string>& cells,
                                   const AsteriskDefaults& defaults);

}  // namespace cdrd::service::ingest
