#include "service/ingest/asterisk.h"

#include <utility>

#include "core/ascii.h"
#include "core/hangup_map.h"

namespace cdrd::service::ingest {
namespace {

// Master.csv columns (cdr_csv).
enum CsvColumn : std::size_t {
  kAccountCode,
  kSrc,
  kDst,
  kDcontext,
  kClid,
  kChannel,
  kDstChannel,
  kLastApp,
  kLastData,
  kStart,
  kAnswer,
  kEnd,
  kDuration,
  kBillsec,
  kDisposition,
  kAmaFlags,
  kUniqueId,  // with loguniqueid=yes
};

// The columns of contrib/asterisk/cdr_custom.conf.
enum CustomColumn : std::size_t {
  kCAccountCode,
  kCSrc,
  kCDst,
  kCClid,
  kCChannel,
  kCDstChannel,
  kCStart,
  kCAnswer,
  kCEnd,
  kCBillsec,
  kCDisposition,
  kCUniqueId,
  kCLinkedId,
  kCSequence,
  kCDirection,
  kCTrunkId,
  kCustomColumns,
};

// The name of a caller id `"Name" <number>` (or `Name <number>`); "" when it has none.
std::string clid_name(std::string_view clid) {
  const std::size_t lt = clid.rfind('<');
  if (lt == std::string_view::npos) return {};
  std::string_view name = trim_blanks(clid.substr(0, lt));
  if (name.size() >= 2 && name.front() == '"' && name.back() == '"') {
    name = name.substr(1, name.size() - 2);
  }
  return std::string(name);
}

// A Master.csv time: local wall-clock "YYYY-MM-DD HH:MM:SS" -> UTC text; "" for an empty cell.
Result<std::string> local_time(std::string_view column, std::string_view cell,
                               const AsteriskDefaults& d) {
  cell = trim_blanks(cell);
  if (cell.empty()) return std::string();
  const std::optional<TimeInterval> wall = parse_timestamp(cell);
  if (!wall || wall->width != kMicrosPerSecond) {
    return Status::Invalid(std::string(column) +
                           ": must be a time \"YYYY-MM-DD HH:MM:SS\" as cdr_csv writes it, got '" +
                           std::string(cell) + "'");
  }
  if (!d.to_utc) return format_timestamp(wall->start);
  const std::optional<Micros> utc = d.to_utc(wall->start);
  if (!utc) {
    return Status::Invalid(std::string(column) + ": '" + std::string(cell) +
                           "' is not a time of the given --time-zone (skipped when clocks went "
                           "forward)");
  }
  return format_timestamp(*utc);
}

// An epoch cell of the custom template ("1764500000.123456"); "" when 0 (never answered).
std::string epoch(std::string_view cell) {
  cell = trim_blanks(cell);
  if (cell.find_first_not_of("0.") == std::string_view::npos) return {};
  return std::string(cell);
}

void add_disposition(RawRecord& r, std::string_view disposition) {
  const std::optional<int> code = hangup_code_of_asterisk_disposition(trim_blanks(disposition));
  if (code) add_text_field(r, "hangup_cause_code", std::to_string(*code));
}

std::string or_default(std::string_view a, std::string_view b) {
  return std::string(trim_blanks(a).empty() ? b : trim_blanks(a));
}

std::string join_key(std::string_view a, std::string_view b) {
  if (b.empty()) return std::string(a);
  if (a.empty()) return std::string(b);
  return std::string(a) + ";" + std::string(b);
}

Result<RawRecord> map_master_csv(const std::vector<std::string>& c, const AsteriskDefaults& d) {
  if (c.size() < 16 || c.size() > 18) {
    return Status::Invalid("row has " + std::to_string(c.size()) +
                           " cells; Master.csv rows of cdr_csv have 16 to 18 (accountcode ... "
                           "amaflags[, uniqueid[, userfield]])");
  }
  RawRecord r;
  ASSIGN_OR_RETURN(std::string start, local_time("start", c[kStart], d));
  ASSIGN_OR_RETURN(std::string answer, local_time("answer", c[kAnswer], d));
  ASSIGN_OR_RETURN(std::string end, local_time("end", c[kEnd], d));
  const std::string uniqueid = c.size() > kUniqueId ? c[kUniqueId] : std::string();
  // One record per row: the uniqueid (or the channel and start without it) and the dstchannel.
  add_text_field(
      r, "call_id",
      join_key(uniqueid.empty() ? join_key(c[kChannel], c[kStart]) : uniqueid, c[kDstChannel]));
  add_text_field(r, "account", or_default(c[kAccountCode], d.account));
  add_text_field(r, "call_direction", d.direction);
  add_text_field(r, "trunk_id", d.trunk_id);
  add_text_field(r, "from_number", c[kSrc]);
  add_text_field(r, "to_number", c[kDst]);
  add_text_field(r, "from_screen_name", clid_name(c[kClid]));
  add_text_field(r, "initiation_time", std::move(start));
  add_text_field(r, "answer_time", std::move(answer));
  add_text_field(r, "end_time", std::move(end));
  add_text_field(r, "duration", std::string(trim_blanks(c[kBillsec])));
  add_disposition(r, c[kDisposition]);
  return r;
}

Result<RawRecord> map_custom(const std::vector<std::string>& c, const AsteriskDefaults& d) {
  if (c.size() != kCustomColumns) {
    return Status::Invalid("row has " + std::to_string(c.size()) + " cells; the rows of " +
                           "contrib/asterisk/cdr_custom.conf have " +
                           std::to_string(kCustomColumns));
  }
  RawRecord r;
  add_text_field(r, "call_id", join_key(c[kCUniqueId], c[kCSequence]));
  add_text_field(r, "account", or_default(c[kCAccountCode], d.account));
  add_text_field(r, "call_direction", or_default(c[kCDirection], d.direction));
  add_text_field(r, "trunk_id", or_default(c[kCTrunkId], d.trunk_id));
  add_text_field(r, "from_number", c[kCSrc]);
  add_text_field(r, "to_number", c[kCDst]);
  add_text_field(r, "from_screen_name", clid_name(c[kCClid]));
  add_text_field(r, "initiation_time", epoch(c[kCStart]));
  add_text_field(r, "answer_time", epoch(c[kCAnswer]));
  add_text_field(r, "end_time", epoch(c[kCEnd]));
  add_text_field(r, "duration", std::string(trim_blanks(c[kCBillsec])));
  add_disposition(r, c[kCDisposition]);
  return r;
}

}  // namespace

Result<RawRecord> map_asterisk_row(AsteriskFormat format, const std::vector<std::string>& cells,
                                   const AsteriskDefaults& defaults) {
  return format == AsteriskFormat::kMasterCsv ? map_master_csv(cells, defaults)
                                              : map_custom(cells, defaults);
}

}  // namespace cdrd::service::ingest
