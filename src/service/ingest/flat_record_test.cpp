// A flat NDJSON line read in place (read_flat_line, a FlatRecord of views) against the same line
// read by parse_ndjson_line (a RawRecord of copies), which ingest used for every line before:
// over thousands of generated records, valid and broken, both readings give the same fields,
// and the validator and the trunk link give the same answer from either (the same message, or
// the same CallRecord, compared member by member).
#include <gtest/gtest.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/call_export.h"
#include "service/ingest/raw_record.h"
#include "service/ingest/test_readings.h"
#include "service/ingest/trunk_link.h"
#include "service/ingest/validate.h"
#include "testing/random_calls.h"

namespace cdrd::service::ingest::flat_record_test {

// Deterministic for a seed; picks from arrays too.
class Random : public cdrd::testing::Random {
 public:
  using cdrd::testing::Random::Random;
  bool one_in(int n) { return between(1, n) == 1; }
  std::size_t below(std::size_t n) {
    return static_cast<std::size_t>(between(0, static_cast<std::int64_t>(n) - 1));
  }
  template <class T, std::size_t N>
  const T& pick(const T (&options)[N]) {
    return options[below(N)];
  }
};

constexpr std::string_view kAuthId = "MAFLAT0123456789ABCD";

Result<std::optional<std::int64_t>> resolve(std::string_view auth_id) {
  if (auth_id == kAuthId) return std::optional<std::int64_t>(7);
  return std::optional<std::int64_t>();
}

// A default country for the trunk "t-gb" (numbers in the national form of GB), none otherwise.
Result<std::string> country_of_trunk(std::int64_t, std::string_view trunk_id) {
  return std::string(trunk_id == "t-gb" ? "GB" : "");
}

// A valid record: name and JSON value.
struct Member {
  std::string_view name;
  std::string_view json;
};
constexpr Member kValid[] = {
    {"account", "\"MAFLAT0123456789ABCD\""},
    {"call_uuid", "\"0f8e2d14-9b7a-4c3e-8d21-7a5b3c9e1f02\""},
    {"call_direction", "\"outbound\""},
    {"from_number", "\"+442071838750\""},
    {"to_number", "\"+14155550123\""},
    {"initiation_time", "\"2026-11-29 08:15:00\""},
    {"answer_time", "\"2026-11-29 08:15:04\""},
    {"end_time", "\"2026-11-29 08:15:32\""},
    {"duration", "28"},
    {"bill_duration", "30"},
    {"hangup_cause_code", "4000"},
    {"hangup_cause_name", "\"bad_request\""},
    {"hangup_source", "\"customer\""},
    {"trunk_id", "\"t-1\""},
    {"region", "\"us-east\""},
    {"transport_protocol", "\"udp\""},
    {"srtp", "false"},
    {"rate", "\"0.01000\""},
    {"secure_trunking_rate", "\"0.00000\""},
    {"total_amount", "\"0.00500\""},
    {"stir_verification", "\"Verified\""},
    {"attestation_indicator", "\"A\""},
    {"call_id", "\"a84b4c76e66710@pc33.example.com\""},
};

// Names: the record's own (the exported ones), other fields of the record, hinted misspellings,
// unknown ones.
constexpr std::string_view kOtherNames[] = {
    "flow",
    "from_username",
    "to_username",
    "did_number",
    "bridged_time",
    "bridged_duration",
    "extension_id",
    "extension_type",
    "ext_number_reg",
    "result",
    "hangup_disposition",
    "quality_rate",
    "quality_max_rate",
    "legs",
    "rtt_ms",
    "packet_loss_pct",
    "post_dial_delay_ms",
    "from_region",
    "direction",
    "billed_duration",
    "nonsense",
    "hangup_\\u0063ode",
    "tab\\tname",
};

std::string_view any_name(Random& rnd) {
  return rnd.one_in(2) ? rnd.pick(kExportFields) : rnd.pick(kOtherNames);
}

// Values of every kind and form: good and bad for most fields, escapes, numbers the fast
// reading leaves to the reader (exponents, long ones), nesting, non-ASCII.
constexpr std::string_view kValues[] = {
    "\"outbound\"",
    "\"inbound\"",
    "\"sideways\"",
    "\"+14155550100\"",
    "\"02071234567\"",
    "\"00442071234567\"",
    "\"alice\"",
    "\"\"",
    "null",
    "true",
    "false",
    "0",
    "1",
    "-1",
    "12",
    "4000",
    "1000000001",
    "28.5",
    "0.01000",
    "\"0.01000\"",
    "1e3",
    "123456789012345678901234",
    "01",
    "-0",
    "\"2022-05-26 13:32:06\"",
    "\"2022-05-26T13:32:06Z\"",
    "\"2022-05-26 13:32\"",
    "\"2022-13-26 13:32:06\"",
    "1653571926",
    "1653571926.5",
    "\"1653571926123456\"",
    "\"GB\"",
    "\"US\"",
    "\"gb\"",
    "\"Verified\"",
    "\"Not Verified\"",
    "\"B\"",
    "\"udp\"",
    "\"TLS\"",
    "\"customer\"",
    "\"carrier\"",
    "\"in\"",
    "\"out\"",
    "\"transfer\"",
    "\"answered\"",
    "\"phone\"",
    "\"t-1\"",
    "\"t-gb\"",
    "\"t-unknown\"",
    "\"MAFLAT0123456789ABCD\"",
    "\"MAUNKNOWN\"",
    "\"NORMAL_CLEARING\"",
    "\"a\\\"quoted\\\" value\"",
    "\"back\\\\slash\"",
    "\"line\\nbreak\"",
    "\"tab\\tin\\ttext\"",
    "\"sl\\/ash\"",
    "\"\\b\\f\\r\"",
    "\"\\u0041\"",
    "\"caf\xc3\xa9\"",
    "\"bad\xff\"",
    "[]",
    "[{\"flow\": \"in\"}]",
    "{}",
    "{\"a\": 1}",
    "\"6c3a8b60-26e0-4842-9387-2350de79f16b\"",
    "\"not a uuid!\"",
    "\"x@y\"",
};

constexpr std::string_view kBlanks[] = {"", "", "", " ", "  ", "\t", "\r\n", " \t "};

// A record line: the valid record with some members changed, dropped, repeated or added, with
// random blanks; sometimes cut short or with a byte changed.
std::string make_line(Random& rnd) {
  std::vector<std::pair<std::string, std::string>> members;
  for (const Member& m : kValid) {
    if (!rnd.one_in(60)) members.emplace_back(std::string(m.name), std::string(m.json));
  }
  const std::size_t changes = rnd.below(3);
  for (std::size_t i = 0; i < changes && !members.empty(); ++i) {
    members[rnd.below(members.size())].second = std::string(rnd.pick(kValues));
  }
  const std::size_t added = rnd.below(3);
  for (std::size_t i = 0; i < added; ++i) {
    members.emplace_back(std::string(any_name(rnd)), std::string(rnd.pick(kValues)));
  }
  std::string out(rnd.pick(kBlanks));
  out += "{";
  for (std::size_t i = 0; i < members.size(); ++i) {
    if (i > 0) out += std::string(rnd.pick(kBlanks)) + ",";
    out += std::string(rnd.pick(kBlanks)) + "\"" + members[i].first + "\"" +
           std::string(rnd.pick(kBlanks)) + ":" + std::string(rnd.pick(kBlanks)) +
           members[i].second;
  }
  out += std::string(rnd.pick(kBlanks)) + "}" + std::string(rnd.pick(kBlanks));
  if (rnd.one_in(25)) out.resize(rnd.below(out.size() + 1));
  if (rnd.one_in(25) && !out.empty()) {
    static constexpr char kBytes[] = {'"', '\\', ',', ':', '{', '}', '[', ' ', 'x', '\x01', '\x80'};
    out[rnd.below(out.size())] = rnd.pick(kBytes);
  }
  return out;
}

// Compares the two readings of `line` and what validation and the trunk link make of each.
// Returns whether the line was read in place.
bool check(std::string_view line, FlatRecord& flat) {
  const bool in_place = read_flat_line(line, flat);
  const Result<RawRecord> raw = parse_ndjson_line(line);
  if (!in_place) return false;
  EXPECT_TRUE(raw.ok()) << line;
  if (!raw.ok()) return false;
  EXPECT_EQ(first_reading_difference(flat, *raw, resolve, country_of_trunk, [](const Status&) {}),
            "")
      << line;
  for (std::size_t i = 0; i < flat.fields.size() && i < raw->fields.size(); ++i) {
    EXPECT_EQ(describe(flat.fields[i].value.kind, flat.fields[i].value.text),
              describe(raw->fields[i].value));
  }
  return true;
}

TEST(FlatRecordTest, GeneratedRecordsReadAndValidateAsTheCopiedRecord) {
  Random rnd(20261201);
  FlatRecord flat;  // reused from line to line, as ingest reuses it
  int in_place = 0, valid = 0;
  constexpr int kLines = 10'000;
  for (int i = 0; i < kLines; ++i) {
    const std::string line = make_line(rnd);
    if (check(line, flat)) {
      ++in_place;
      CallRecord record;
      valid += validate_record_into(flat, resolve, {}, record).ok();
    }
    if (::testing::Test::HasFailure()) {
      ADD_FAILURE() << "first difference at line " << i << ": " << line;
      return;
    }
  }
  // Both paths are exercised: most lines are read in place, many of them valid, and some are
  // left to the reader.
  EXPECT_GT(in_place, kLines / 2);
  EXPECT_LT(in_place, kLines);
  EXPECT_GT(valid, kLines / 20);
}

TEST(FlatRecordTest, TheGeneratorsRecordIsValid) {
  std::string line = "{";
  for (const Member& m : kValid) {
    line += (line.size() > 1 ? ", \"" : "\"") + std::string(m.name) + "\": " + std::string(m.json);
  }
  line += "}";
  FlatRecord flat;
  ASSERT_TRUE(read_flat_line(line, flat));
  CallRecord record;
  const Status status = validate_record_into(flat, resolve, {}, record);
  EXPECT_TRUE(status.ok()) << status.message();
  check(line, flat);
}

TEST(FlatRecordTest, EscapedStringsStayPutAsTheBufferFills) {
  // Every name and value has an escape: all are decoded into the record's buffer, whose room
  // was made for the whole line, so the first views still read right after the last.
  std::string line = "{";
  for (int i = 0; i < 150; ++i) {
    if (i > 0) line += ",";
    line += "\"f\\\"" + std::to_string(i) + "\":\"v\\\\" +
            std::string(static_cast<std::size_t>(i), 'x') + "\\n\"";
  }
  line += "}";
  FlatRecord flat;
  flat.unescaped = "some earlier line's text";
  ASSERT_TRUE(read_flat_line(line, flat));
  ASSERT_EQ(flat.fields.size(), 150u);
  for (int i = 0; i < 150; ++i) {
    EXPECT_EQ(flat.fields[static_cast<std::size_t>(i)].name, "f\"" + std::to_string(i));
    EXPECT_EQ(flat.fields[static_cast<std::size_t>(i)].value.text,
              "v\\" + std::string(static_cast<std::size_t>(i), 'x') + "\n");
  }
  check(line, flat);
}

TEST(FlatRecordTest, OnlyAStringWithoutEscapesIsKnownPrintable) {
  FlatRecord flat;
  ASSERT_TRUE(
      read_flat_line(R"({"a": "text", "b": "t\tab", "c": "q\"", "d": 12, "e": true})", flat));
  ASSERT_EQ(flat.fields.size(), 5u);
  EXPECT_TRUE(flat.fields[0].value.printable);
  EXPECT_FALSE(flat.fields[1].value.printable);  // decoded: may hold control characters
  EXPECT_FALSE(flat.fields[2].value.printable);  // decoded, though printable: not looked at
  EXPECT_FALSE(flat.fields[3].value.printable);
  EXPECT_FALSE(flat.fields[4].value.printable);
  // DEL (0x7F) is not printable: a line holding one is left to the reader, wherever it is.
  EXPECT_FALSE(read_flat_line("{\"a\": \"x\x7f\"}", flat));
  EXPECT_FALSE(read_flat_line("{\"a\": \"0123456789abcdef\x7f\"}", flat));
  EXPECT_FALSE(read_flat_line("{\"a\": \"\\n\x7f\"}", flat));
  EXPECT_FALSE(read_flat_line("{\"a\x7f\": 1}", flat));
  // Within a block of 16 bytes read at once, and after one, as well as in the bytes after them.
  const std::string run(40, 'y');
  EXPECT_FALSE(read_flat_line("{\"a\": \"x\x7f" + run + "\"}", flat));
  EXPECT_FALSE(read_flat_line("{\"a\": \"" + run + "\x7f" + run + "\"}", flat));
  EXPECT_FALSE(read_flat_line("{\"a\x7f" + run + "\": 1}", flat));
  EXPECT_FALSE(read_flat_line("{\"a\": \"" + run + "\xff" + run + "\"}", flat));
  EXPECT_TRUE(read_flat_line("{\"a\": \"x~ " + run + "\"}", flat));  // '~' is 0x7E, ' ' 0x20
  EXPECT_TRUE(flat.fields[0].value.printable);
}

TEST(FlatRecordTest, TextKnownPrintableIsRefusedAsTheCopiedTextAtEveryLength) {
  // The validator checks only the length of a string the reading found printable: at, just
  // over and far over each limit (256 characters for free text, 128 for trunk_id, 64 for
  // numbers and account), and with escapes that decode to control characters, its answer is
  // the copied record's, message for message.
  std::string base = "{";
  for (const Member& m : kValid) {
    if (m.name == "hangup_cause_name" || m.name == "trunk_id" || m.name == "from_number") {
      continue;
    }
    base += (base.size() > 1 ? ",\"" : "\"") + std::string(m.name) + "\":" + std::string(m.json);
  }
  FlatRecord flat;
  int checked = 0;
  for (const std::size_t n : {1, 63, 64, 65, 127, 128, 129, 255, 256, 257, 1000}) {
    const std::string text(n, 'x');
    for (const std::string& value :
         {text, "1" + std::string(n - 1, '2'), text + "\\t", "\\n" + text, "a\\\"" + text}) {
      const std::string fields = ",\"hangup_cause_name\":\"" + value + "\",\"trunk_id\":\"" +
                                 value + "\",\"from_number\":\"" + value + "\"";
      // With the valid account, then with the text as the account (in the account's place: a
      // name given twice would be refused before the text is read).
      std::string other_account = base;
      other_account.replace(other_account.find(kAuthId), kAuthId.size(), value);
      for (const std::string& line : {base + fields + "}", other_account + fields + "}"}) {
        ASSERT_TRUE(check(line, flat)) << line;
        ++checked;
      }
    }
  }
  EXPECT_EQ(checked, 110);
}

TEST(FlatRecordTest, ViewsIntoTheLineAndLiterals) {
  FlatRecord flat;
  const std::string line = R"( {"a": "text", "b": 12.50, "c": true, "d": false, "e": null} )";
  ASSERT_TRUE(read_flat_line(line, flat));
  ASSERT_EQ(flat.fields.size(), 5u);
  // Unescaped names and strings, and numbers, are seen in the line itself.
  EXPECT_EQ(flat.fields[0].name.data(), line.data() + line.find("a\""));
  EXPECT_EQ(flat.fields[0].value.text.data(), line.data() + line.find("text"));
  EXPECT_EQ(flat.fields[1].value.kind, RawKind::kNumber);
  EXPECT_EQ(flat.fields[1].value.text, "12.50");
  EXPECT_EQ(flat.fields[2].value.kind, RawKind::kBool);
  EXPECT_EQ(flat.fields[2].value.text, "true");
  EXPECT_EQ(flat.fields[3].value.text, "false");
  EXPECT_EQ(flat.fields[4].value.kind, RawKind::kNull);
  EXPECT_EQ(flat.fields[4].value.text, "");
  // An empty object is a record with no fields; anything nested is the reader's.
  ASSERT_TRUE(read_flat_line("{}", flat));
  EXPECT_TRUE(flat.fields.empty());
  EXPECT_FALSE(read_flat_line(R"({"legs": []})", flat));
  EXPECT_FALSE(read_flat_line(R"([{"a": 1}])", flat));
  EXPECT_FALSE(read_flat_line(R"({"a": "\u0041"})", flat));
  EXPECT_FALSE(read_flat_line(R"({"a": 1e3})", flat));
  EXPECT_FALSE(read_flat_line("", flat));
}

}  // namespace cdrd::service::ingest::flat_record_test
