// Tests of the format layer: NDJSON lines and CSV rows to RawRecord.
#include "service/ingest/raw_record.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace cdrd::service::ingest {
namespace {

using ::testing::HasSubstr;

TEST(ParseNdjsonLine, KeepsKindsAndExactNumberText) {
  auto r = parse_ndjson_line(
      R"({"a": "x", "b": 0.31800, "c": 1e3, "d": true, "e": null, "f": -0, "g": 12345678901234567890})");
  ASSERT_TRUE(r.ok()) << r.status().message();
  const auto& f = r->fields;
  ASSERT_EQ(f.size(), 7u);
  EXPECT_EQ(f[0].name, "a");
  EXPECT_EQ(f[0].value.kind, RawKind::kString);
  EXPECT_EQ(f[0].value.text, "x");
  EXPECT_EQ(f[1].value.kind, RawKind::kNumber);
  EXPECT_EQ(f[1].value.text, "0.31800");
  EXPECT_EQ(f[2].value.text, "1e3");
  EXPECT_EQ(f[3].value.kind, RawKind::kBool);
  EXPECT_EQ(f[3].value.text, "true");
  EXPECT_EQ(f[4].value.kind, RawKind::kNull);
  EXPECT_EQ(f[5].value.text, "-0");
  EXPECT_EQ(f[6].value.text, "12345678901234567890");
}

TEST(ParseNdjsonLine, NestedArraysOfObjects) {
  auto r = parse_ndjson_line(
      R"({"legs": [{"flow": "in", "duration": 3}, {"x": [1, {"y": 2}]}], "z": 1})");
  ASSERT_TRUE(r.ok()) << r.status().message();
  ASSERT_EQ(r->fields.size(), 2u);
  const RawValue& legs = r->fields[0].value;
  ASSERT_EQ(legs.kind, RawKind::kArray);
  ASSERT_EQ(legs.items.size(), 2u);
  ASSERT_EQ(legs.items[0].kind, RawKind::kObject);
  EXPECT_EQ(legs.items[0].members[1].name, "duration");
  EXPECT_EQ(legs.items[0].members[1].value.text, "3");
  EXPECT_EQ(legs.items[1].members[0].value.items[1].members[0].value.text, "2");
  EXPECT_EQ(r->fields[1].name, "z");
}

TEST(ParseNdjsonLine, ARecordInReusedStorageShowsNothingOfAnEarlierLine) {
  // Each dropped record's storage is reused by the next line parsed on this thread.
  for (int round = 0; round < 3; ++round) {
    {
      auto first = parse_ndjson_line(R"({"call_uuid": ")" + std::string(300, 'u') +
                                     R"(", "legs": [{"a": 1}], "x": true, "y": null})");
      ASSERT_TRUE(first.ok());
    }
    auto r = parse_ndjson_line(R"({"b": "short", "c": 7})");
    ASSERT_TRUE(r.ok()) << r.status().message();
    ASSERT_EQ(r->fields.size(), 2u);
    EXPECT_EQ(r->fields[0].name, "b");
    EXPECT_EQ(r->fields[0].value.kind, RawKind::kString);
    EXPECT_EQ(r->fields[0].value.text, "short");
    EXPECT_TRUE(r->fields[0].value.items.empty());
    EXPECT_EQ(r->fields[1].name, "c");
    EXPECT_EQ(r->fields[1].value.kind, RawKind::kNumber);
    EXPECT_EQ(r->fields[1].value.text, "7");
    const RawRecord copy = *r;  // a copy owns its fields too
    EXPECT_EQ(copy.fields[0].value.text, "short");
  }
}

TEST(ParseNdjsonLine, RepeatedKeysAreKept) {
  auto r = parse_ndjson_line(R"({"a": 1, "a": 2})");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->fields.size(), 2u);
}

TEST(ParseNdjsonLine, Errors) {
  EXPECT_THAT(parse_ndjson_line("{\"a\": }").status().message(),
              HasSubstr("line is not valid JSON"));
  EXPECT_THAT(parse_ndjson_line("{\"a\": 1} x").status().message(),
              HasSubstr("line is not valid JSON"));
  EXPECT_THAT(parse_ndjson_line("\"text\"").status().message(), HasSubstr("not a JSON object"));
  EXPECT_THAT(parse_ndjson_line("[{\"a\": 1}]").status().message(), HasSubstr("JSON array"));
  EXPECT_THAT(parse_ndjson_line(std::string("{\"a\": 1}\0", 9)).status().message(),
              HasSubstr("NUL"));
  EXPECT_THAT(parse_ndjson_line("{\"a\": \"\xff\"}").status().message(),
              HasSubstr("not valid JSON"));
  EXPECT_THAT(parse_ndjson_line("{\"a\": NaN}").status().message(), HasSubstr("not valid JSON"));
  EXPECT_THAT(parse_ndjson_line("{\"a\": [[[[[[[[[[1]]]]]]]]]]}").status().message(),
              HasSubstr("nested deeper"));
}

TEST(ParseNdjsonLine, IsBoundedByTheJsonReader) {
  std::string deep;
  for (int i = 0; i < 200000; ++i) deep += "{\"a\": ";
  EXPECT_EQ(parse_ndjson_line(deep).status().message(), "line: nested deeper than 8 levels");
  EXPECT_EQ(
      parse_ndjson_line("{\"region\": \"" + std::string(20000, 'x') + "\"}").status().message(),
      "region: a string longer than 16384 bytes");
  std::string legs = "{\"legs\": [{}";
  for (int i = 0; i < 1000; ++i) legs += ", {}";
  EXPECT_EQ(parse_ndjson_line(legs + "]}").status().message(),
            "legs: an array of more than 1000 elements");
}

TEST(CsvRowToRecord, EmptyCellsAreAbsentAndTextIsUntyped) {
  auto r = csv_row_to_record({"a", "b", "c"}, {"1", "", "x"});
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->fields.size(), 2u);
  EXPECT_EQ(r->fields[0].name, "a");
  EXPECT_EQ(r->fields[0].value.kind, RawKind::kText);
  EXPECT_EQ(r->fields[1].name, "c");
  EXPECT_EQ(csv_row_to_record({"a", "b"}, {"1"}).status().message(),
            "row has 1 fields but the header has 2");
}

TEST(CsvRowToRecord, ARowInReusedStorageShowsNothingOfAnEarlierLine) {
  {
    auto line =
        parse_ndjson_line(R"({"legs": [{"a": 1}], "x": "a long value of the line before"})");
    ASSERT_TRUE(line.ok());
  }
  auto r = csv_row_to_record({"a", "b"}, {"", "x"});
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->fields.size(), 1u);
  EXPECT_EQ(r->fields[0].name, "b");
  EXPECT_EQ(r->fields[0].value.kind, RawKind::kText);
  EXPECT_EQ(r->fields[0].value.text, "x");
  EXPECT_TRUE(r->fields[0].value.items.empty());
}

TEST(Describe, CutsLongTextAndReplacesBadBytes) {
  EXPECT_EQ(describe(RawValue{RawKind::kString, "abc", {}, {}}), "'abc'");
  EXPECT_EQ(describe(RawValue{RawKind::kText, std::string(50, 'x'), {}, {}}),
            "'" + std::string(40, 'x') + "...'");
  EXPECT_EQ(describe(RawValue{RawKind::kText, "a\xff", {}, {}}), "'a?'");
  EXPECT_EQ(describe(RawValue{RawKind::kNumber, "12", {}, {}}), "12");
  EXPECT_EQ(describe(RawValue{RawKind::kArray, "", {}, {}}), "an array");
  EXPECT_EQ(describe(RawValue{RawKind::kNull, "", {}, {}}), "null");
}

TEST(Utf8, Validation) {
  EXPECT_TRUE(is_valid_utf8("plain"));
  EXPECT_TRUE(is_valid_utf8("\xc3\xa9t\xc3\xa9 \xe2\x82\xac \xf0\x9f\x93\x9e"));
  EXPECT_FALSE(is_valid_utf8("\xc3"));          // cut short
  EXPECT_FALSE(is_valid_utf8("\xc0\xaf"));      // overlong
  EXPECT_FALSE(is_valid_utf8("\xed\xa0\x80"));  // surrogate
  EXPECT_FALSE(is_valid_utf8("\xf4\x90\x80\x80"));
  EXPECT_FALSE(is_valid_utf8("\x80"));
}

}  // namespace
}  // namespace cdrd::service::ingest
