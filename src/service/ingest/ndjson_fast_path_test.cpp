// parse_ndjson_line reads the common line (a flat object of plain values) without the general
// JSON reader. These tests hold it to exactly what the general reader gives: for thousands of
// generated lines, valid and broken, the record (or the error message) of parse_ndjson_line must
// be the one parse_json (core/json_reader.h, which never takes the fast reading) implies.
#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/json_reader.h"
#include "service/ingest/raw_record.h"

namespace cdrd::service::ingest {
namespace {

// What parse_ndjson_line answered before it had a fast reading: the general reader's record or
// message. Recursive to the reader's depth limit.
bool same_value(const RawValue& raw, const JsonValue& json);

bool same_members(const std::vector<RawField>& raw, const std::vector<JsonMember>& json) {
  if (raw.size() != json.size()) return false;
  for (std::size_t i = 0; i < raw.size(); ++i) {
    if (raw[i].name != json[i].name || !same_value(raw[i].value, json[i].value)) return false;
  }
  return true;
}

bool same_value(const RawValue& raw, const JsonValue& json) {
  static constexpr RawKind kKinds[] = {RawKind::kNull,   RawKind::kBool,  RawKind::kNumber,
                                       RawKind::kString, RawKind::kArray, RawKind::kObject};
  if (raw.kind != kKinds[static_cast<int>(json.kind)] || raw.text != json.text ||
      raw.items.size() != json.items.size()) {
    return false;
  }
  for (std::size_t i = 0; i < raw.items.size(); ++i) {
    if (!same_value(raw.items[i], json.items[i])) return false;
  }
  return same_members(raw.members, json.members);
}

// The message the general path gives for `line`, or "" when it reads a record.
std::string reference_error(std::string_view line) {
  std::size_t first = 0;
  while (first < line.size() && (line[first] == ' ' || line[first] == '\t')) ++first;
  if (first < line.size() && line[first] == '[') {
    return "line is a JSON array: send one JSON object per line (NDJSON), not an array";
  }
  const Result<JsonValue> tree = parse_json(line, "line");
  if (!tree.ok()) return tree.status().message();
  if (tree->kind != JsonKind::kObject) {
    return "line is not a JSON object: each line must be one {...} record";
  }
  return "";
}

// Checks one line; returns whether it was read as a record.
bool check(std::string_view line) {
  const Result<RawRecord> raw = parse_ndjson_line(line);
  const std::string want_error = reference_error(line);
  if (!want_error.empty()) {
    EXPECT_FALSE(raw.ok()) << "accepted: " << line;
    if (!raw.ok()) {
      EXPECT_EQ(raw.status().message(), want_error) << line;
    }
    return false;
  }
  EXPECT_TRUE(raw.ok()) << "refused: " << line << ": " << raw.status().message();
  if (!raw.ok()) return false;
  const Result<JsonValue> tree = parse_json(line, "line");
  EXPECT_TRUE(same_members(raw->fields, tree->members)) << line;
  return true;
}

class Rng {
 public:
  explicit Rng(std::uint64_t seed) : s_(seed) {}
  std::uint64_t next() {
    s_ += 0x9E3779B97F4A7C15ULL;
    std::uint64_t z = s_;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
  }
  std::size_t below(std::size_t n) { return static_cast<std::size_t>(next() % n); }
  bool chance(std::size_t one_in) { return below(one_in) == 0; }

 private:
  std::uint64_t s_;
};

std::string blanks(Rng& rng) {
  static constexpr std::string_view kBlanks[] = {"", "", "", " ", "  ", "\t", "\r", "\n", " \r\n"};
  return std::string(kBlanks[rng.below(std::size(kBlanks))]);
}

// String contents, quotes included: plain text, every escape, \u forms (good and bad
// surrogates), non-ASCII (valid and not), control bytes and long runs across 16-byte blocks.
std::string json_string(Rng& rng) {
  static constexpr std::string_view kPlain[] = {
      "a",
      "call",
      "+14155550100",
      "2026-12-01 10:00:00",
      "x y",
      "-",
      "\x7f",
      "'",
      "{",
      "}",
      ",",
      ":",
      "[",
      "]",
      "0123456789abcdef0123",
  };
  static constexpr std::string_view kEscaped[] = {
      "\\\"", "\\\\",    "\\/",     "\\b",     "\\f",      "\\n",          "\\r",
      "\\t",  "\\u0041", "\\u00e9", "\\u0000", "\xc3\xa9", "\xe2\x82\xac", "\\ud83d\\ude00",
  };
  static constexpr std::string_view kBroken[] = {
      "\\ud800", "\\udc00", "\\x", "\\", "\xff", "\xc3", "\t", "\x01", "\\u12",
  };
  std::string out = "\"";
  const std::size_t pieces = rng.chance(50) ? 200 + rng.below(2000) : rng.below(8);
  for (std::size_t i = 0; i < pieces; ++i) {
    // Mostly plain text, so that the other pieces land at every offset of a 16-byte block.
    if (rng.chance(400)) {
      out += kBroken[rng.below(std::size(kBroken))];
    } else if (rng.chance(8)) {
      out += kEscaped[rng.below(std::size(kEscaped))];
    } else {
      out += kPlain[rng.below(std::size(kPlain))];
    }
  }
  return out + "\"";
}

std::string json_number(Rng& rng) {
  static constexpr std::string_view kNumbers[] = {
      "0",
      "-0",
      "7",
      "28",
      "0.31800",
      "12.5",
      "-3",
      "123456789012345678",
      "-1234567890123456789",
      "1e3",
      "1E+2",
      "2e-5",
      "01",
      "00",
      "-",
      "1.",
      ".5",
      "+1",
      "0x10",
      "1.5e",
      "12345678901234567890",
      "123456789012345678901234",
      "0.000000000000000000001",
      "1e400",
      "1e-400",
      "NaN",
      "Infinity",
      "-Infinity",
      "1.2.3",
      "9007199254740993",
  };
  // The first 9 are valid and read by both; the others are the reader's to decide.
  std::string n(kNumbers[rng.chance(8) ? rng.below(std::size(kNumbers)) : rng.below(9)]);
  if (rng.chance(400)) n = std::string(300 + rng.below(100), '9');  // beyond a double
  return n;
}

std::string json_value(Rng& rng, int depth);

std::string json_object(Rng& rng, int depth) {
  std::string out = "{" + blanks(rng);
  // Wide objects at the top only: the nesting stays small.
  const std::size_t n = depth > 0         ? rng.below(4)
                        : rng.chance(100) ? 190 + rng.below(80)
                                          : rng.below(30);
  for (std::size_t i = 0; i < n; ++i) {
    if (i > 0) out += blanks(rng) + "," + blanks(rng);
    static constexpr std::string_view kNames[] = {"account", "call_uuid", "from_number", "duration",
                                                  "legs",    "a",         "a",           ""};
    out += rng.chance(4) ? json_string(rng)
                         : "\"" + std::string(kNames[rng.below(std::size(kNames))]) + "\"";
    out += blanks(rng) + ":" + blanks(rng) + json_value(rng, depth + 1);
  }
  return out + blanks(rng) + "}";
}

std::string json_value(Rng& rng, int depth) {
  switch (rng.below(depth > 9 || !rng.chance(depth == 1 ? 10 : 3) ? 6 : 9)) {
    case 0:
    case 1:
      return json_string(rng);
    case 2:
    case 3:
      return json_number(rng);
    case 4:
      return rng.chance(2) ? "true" : "false";
    case 5:
      return rng.chance(100) ? (rng.chance(2) ? "nul" : "True") : "null";
    case 6:
    case 7:
      if (rng.chance(3)) return json_object(rng, depth);
      [[fallthrough]];
    default: {
      std::string out = "[";
      const std::size_t n = rng.below(4);
      for (std::size_t i = 0; i < n; ++i) out += (i ? "," : "") + json_value(rng, depth + 1);
      return out + "]";
    }
  }
}

// A small change of the kind a broken sender makes.
std::string mutate(Rng& rng, std::string line) {
  static constexpr char kBytes[] = {'"', '\\', ',', ':', '{', '}',  '[',  ']',    ' ',
                                    '0', 'e',  '-', '.', 'n', '\0', '\n', '\x80', '\xff'};
  const std::size_t edits = 1 + rng.below(3);
  for (std::size_t e = 0; e < edits && !line.empty(); ++e) {
    const std::size_t at = rng.below(line.size());
    switch (rng.below(4)) {
      case 0:
        line[at] = kBytes[rng.below(std::size(kBytes))];
        break;
      case 1:
        line.insert(line.begin() + static_cast<std::ptrdiff_t>(at),
                    kBytes[rng.below(std::size(kBytes))]);
        break;
      case 2:
        line.erase(at, 1);
        break;
      default:
        line.resize(at);  // cut short
        break;
    }
  }
  return line;
}

TEST(NdjsonFastPath, GivesTheGeneralReadersRecordOrMessageForGeneratedLines) {
  Rng rng(20261201);
  int read = 0, refused = 0;
  for (int i = 0; i < 20000; ++i) {
    std::string line = blanks(rng) + json_object(rng, 0) + blanks(rng);
    if (rng.chance(3)) line = mutate(rng, line);
    if (rng.chance(50)) line = blanks(rng) + json_value(rng, 0);  // not an object, mostly
    (check(line) ? read : refused) += 1;
    if (::testing::Test::HasFailure()) break;  // one line's report is enough
  }
  // Both outcomes are well represented.
  EXPECT_GT(read, 5000);
  EXPECT_GT(refused, 3000);
}

TEST(NdjsonFastPath, GivesTheGeneralReadersRecordForTheEdgesItDecides) {
  for (std::string_view line : {
           R"({})",
           R"( { } )",
           "\t{\"a\":1}\r\n",
           R"({"a":"","b":"x"})",
           R"({"a":"\"\\\/\b\f\n\r\t"})",
           R"({"a":"0123456789abcdef0123456789abcdef\"0123456789abcdef"})",
           R"({"a":-0,"b":0.5,"c":12345678901234567890,"d":-1234567890123456789})",
           R"({"a":99999999999999999999,"b":-9999999999999999999,"c":0.000000000000000001})",
           R"({"a":1.234567890123456789,"b":-0.00000000000000001,"c":18446744073709551616})",
           R"({"a":true,"b":false,"c":null,"a":null})",
           "{\"a\":\"\x7f\"}",
           R"({"a":1e3})",
           R"({"a":123456789012345678901})",
           R"({"a":"\u0041"})",
           R"({"a":[1]})",
           R"({"a":{"b":1}})",
           "{\"a\":\"\xc3\xa9\"}",
       }) {
    EXPECT_TRUE(check(line)) << line;
  }
}

TEST(NdjsonFastPath, RefusesWithTheGeneralReadersMessage) {
  for (std::string_view line : {
           R"({"a":01})",
           R"({"a":1.})",
           R"({"a":-})",
           R"({"a":.5})",
           R"({"a":1e400})",
           R"({"a":tru})",
           R"({"a":nulll})",
           R"({"a":"x)",
           R"({"a":"\x"})",
           R"({"a":"\ud800"})",
           R"({"a" "b"})",
           R"({"a":1,})",
           R"({"a":1} x)",
           R"({"a":1}})",
           R"({,})",
           R"({a:1})",
           R"("text")",
           R"(17)",
           R"( [{"a":1}])",
           "{\"a\":\"\t\"}",
           "{\"a\":\"\xff\"}",
           "",
           "   ",
       }) {
    EXPECT_FALSE(check(line)) << line;
  }
  EXPECT_FALSE(check(std::string_view("{\"a\":1}\0", 8)));
  EXPECT_FALSE(check(std::string_view("{\"a\":\"\0\"}", 8)));
}

TEST(NdjsonFastPath, LeavesTheLimitsToTheGeneralReader) {
  std::string many = "{";
  for (int i = 0; i < 257; ++i) many += (i ? ",\"m" : "\"m") + std::to_string(i) + "\":1";
  EXPECT_FALSE(check(many + "}"));
  std::string fewer = "{";
  for (int i = 0; i < 256; ++i) fewer += (i ? ",\"m" : "\"m") + std::to_string(i) + "\":1";
  EXPECT_TRUE(check(fewer + "}"));
  EXPECT_FALSE(check(R"({"a":")" + std::string(16385, 'x') + R"("})"));
  EXPECT_TRUE(check(R"({"a":")" + std::string(16384, 'x') + R"("})"));
  EXPECT_TRUE(check(R"({"a":")" + std::string(16000, 'x') + R"(\n"})"));
  EXPECT_FALSE(check(R"({")" + std::string(16385, 'k') + R"(":1})"));
}

}  // namespace
}  // namespace cdrd::service::ingest
