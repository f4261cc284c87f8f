#include "service/ingest/asterisk.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "core/csv.h"
#include "core/hangup_map.h"

namespace cdrd::service::ingest {
namespace {

std::vector<std::vector<std::string>> rows(const std::string& name) {
  std::ifstream in(std::string(CDRD_FIXTURES_DIR) + "/asterisk/" + name, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  const std::string text = s.str();
  std::vector<std::vector<std::string>> out;
  CsvReader reader(text);
  CsvRow row;
  while (reader.next(row)) {
    EXPECT_EQ(row.error, "");
    out.push_back(row.cells);
  }
  return out;
}

std::string field(const RawRecord& r, std::string_view name) {
  for (const RawField& f : r.fields) {
    if (f.name == name) return f.value.text;
  }
  return "<absent>";
}

// Central European time without a time zone database: +1 h in winter, +2 h from the last
// Sunday of March to the last Sunday of October (enough for the fixture's dates).
std::optional<Micros> berlin(Micros wall) {
  const Micros summer_from = parse_timestamp("2026-03-29 02:00:00")->start;
  const Micros summer_to = parse_timestamp("2026-10-25 03:00:00")->start;
  const bool summer = wall >= summer_from && wall < summer_to;
  return wall - std::int64_t{summer ? 2 : 1} * 3600 * kMicrosPerSecond;
}

RawRecord mapped(AsteriskFormat format, const std::vector<std::string>& cells,
                 const AsteriskDefaults& d) {
  Result<RawRecord> r = map_asterisk_row(format, cells, d);
  EXPECT_TRUE(r.ok()) << r.status().message();
  return r.ok() ? std::move(r).value() : RawRecord{};
}

TEST(AsteriskCsv, MapsMasterCsvRowsInTheSwitchTimeZone) {
  const auto file = rows("Master.csv");
  ASSERT_EQ(file.size(), 7u);
  AsteriskDefaults d;
  d.account = "MADEFAULT";
  d.direction = "outbound";
  d.to_utc = berlin;

  const RawRecord answered = mapped(AsteriskFormat::kMasterCsv, file[0], d);
  EXPECT_EQ(field(answered, "call_id"), "1796027400.1;PJSIP/carrier-00000002");
  EXPECT_EQ(field(answered, "account"), "ACCOUNT");
  EXPECT_EQ(field(answered, "call_direction"), "outbound");
  EXPECT_EQ(field(answered, "from_number"), "+493012345670");
  EXPECT_EQ(field(answered, "to_number"), "00442079460010");
  EXPECT_EQ(field(answered, "from_screen_name"), "Anna Schmidt");
  EXPECT_EQ(field(answered, "initiation_time"), "2026-11-30 08:30:00");  // CET: UTC+1
  EXPECT_EQ(field(answered, "answer_time"), "2026-11-30 08:30:04");
  EXPECT_EQ(field(answered, "end_time"), "2026-11-30 08:31:06");
  EXPECT_EQ(field(answered, "duration"), "62");
  EXPECT_EQ(field(answered, "hangup_cause_code"),
            std::to_string(*hangup_code_of_asterisk_disposition("ANSWERED")));

  const RawRecord busy = mapped(AsteriskFormat::kMasterCsv, file[1], d);
  EXPECT_EQ(field(busy, "answer_time"), "<absent>");
  EXPECT_EQ(field(busy, "hangup_cause_code"),
            std::to_string(*hangup_code_of_asterisk_disposition("BUSY")));

  // No accountcode: --account. A caller name that is not ASCII.
  const RawRecord no_answer = mapped(AsteriskFormat::kMasterCsv, file[2], d);
  EXPECT_EQ(field(no_answer, "account"), "MADEFAULT");
  EXPECT_EQ(field(no_answer, "from_screen_name"), "Zo\xC3\xAB \xC3\x85ngstr\xC3\xB6m");

  // A transfer: two rows of one uniqueid are two records with their own keys.
  const RawRecord first = mapped(AsteriskFormat::kMasterCsv, file[3], d);
  const RawRecord second = mapped(AsteriskFormat::kMasterCsv, file[4], d);
  EXPECT_NE(field(first, "call_id"), field(second, "call_id"));
  EXPECT_EQ(field(second, "duration"), "120");

  // FAILED with no dstchannel: the key is the uniqueid alone.
  const RawRecord failed = mapped(AsteriskFormat::kMasterCsv, file[5], d);
  EXPECT_EQ(field(failed, "call_id"), "1796029800.10");

  // Summer time: CEST is UTC+2.
  const RawRecord summer = mapped(AsteriskFormat::kMasterCsv, file[6], d);
  EXPECT_EQ(field(summer, "initiation_time"), "2026-07-15 08:00:00");
}

TEST(AsteriskCsv, RefusesRowsOfTheWrongShape) {
  AsteriskDefaults d;
  auto narrow = map_asterisk_row(AsteriskFormat::kMasterCsv, {"a", "b"}, d);
  ASSERT_FALSE(narrow.ok());
  EXPECT_NE(narrow.status().message().find("16 to 18"), std::string::npos);
  auto cells = rows("Master.csv")[0];
  cells[9] = "30/11/2026 09:30";
  auto bad_time = map_asterisk_row(AsteriskFormat::kMasterCsv, cells, d);
  ASSERT_FALSE(bad_time.ok());
  EXPECT_NE(bad_time.status().message().find("start:"), std::string::npos);
  // A wall-clock time the zone skips.
  d.to_utc = [](Micros) { return std::optional<Micros>(); };
  EXPECT_FALSE(map_asterisk_row(AsteriskFormat::kMasterCsv, rows("Master.csv")[0], d).ok());
}

TEST(AsteriskCustom, MapsTheShippedTemplatesRows) {
  const auto file = rows("cdrd-custom.csv");
  ASSERT_EQ(file.size(), 3u);
  AsteriskDefaults d;
  d.account = "MADEFAULT";
  const RawRecord answered = mapped(AsteriskFormat::kCustom, file[0], d);
  EXPECT_EQ(field(answered, "call_id"), "1796027400.17;21");
  EXPECT_EQ(field(answered, "call_direction"), "outbound");
  EXPECT_EQ(field(answered, "initiation_time"), "1796027400.120000");
  EXPECT_EQ(field(answered, "answer_time"), "1796027404.500000");
  EXPECT_EQ(field(answered, "duration"), "62");
  const RawRecord busy = mapped(AsteriskFormat::kCustom, file[1], d);
  EXPECT_EQ(field(busy, "answer_time"), "<absent>");  // "0.000000": never answered
  const RawRecord inbound = mapped(AsteriskFormat::kCustom, file[2], d);
  EXPECT_EQ(field(inbound, "call_direction"), "inbound");
  EXPECT_EQ(field(inbound, "account"), "MADEFAULT");
  EXPECT_FALSE(map_asterisk_row(AsteriskFormat::kCustom, {"x"}, d).ok());
}

}  // namespace
}  // namespace cdrd::service::ingest
