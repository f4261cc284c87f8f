#include "core/json_reader.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>

namespace cdrd {
namespace {

using ::testing::HasSubstr;

std::string nested_arrays(std::size_t depth) {
  return std::string(depth, '[') + "1" + std::string(depth, ']');
}

std::string nested_objects(std::size_t depth) {
  std::string out;
  for (std::size_t i = 0; i < depth; ++i) out += "{\"a\":";
  return out + "1" + std::string(depth, '}');
}

std::string error_of(std::string_view text, const JsonLimits& limits = {}) {
  const Result<JsonValue> r = parse_json(text, "body", limits);
  EXPECT_FALSE(r.ok()) << text.substr(0, 80);
  return r.status().message();
}

// The same kind of check as ParseNdjsonLine's in raw_record_test.cpp, on purpose: each parser
// states its own contract beside its code.
TEST(ParseJson, KeepsKindsOrderRepeatedNamesAndNumbersAsWritten) {
  const Result<JsonValue> r = parse_json(R"( {"s": "x\u00e9", "n": 0.31800, "b": false, "z": null,
                     "a": [1, {"k": "v"}], "s": 2} )");
  ASSERT_TRUE(r.ok()) << r.status().message();
  ASSERT_EQ(r->kind, JsonKind::kObject);
  const auto& m = r->members;
  ASSERT_EQ(m.size(), 6u);
  EXPECT_EQ(m[0].name, "s");
  EXPECT_EQ(m[0].value.kind, JsonKind::kString);
  EXPECT_EQ(m[0].value.text, "x\xC3\xA9");
  EXPECT_EQ(m[1].value.kind, JsonKind::kNumber);
  EXPECT_EQ(m[1].value.text, "0.31800");
  EXPECT_EQ(m[2].value.text, "false");
  EXPECT_EQ(m[3].value.kind, JsonKind::kNull);
  ASSERT_EQ(m[4].value.items.size(), 2u);
  EXPECT_EQ(m[4].value.items[1].members[0].value.text, "v");
  EXPECT_EQ(m[5].name, "s");  // the caller decides about a repeated name
}

TEST(ParseJson, AcceptsNestingAtTheDepthLimitAndRefusesOneMore) {
  EXPECT_TRUE(parse_json(nested_arrays(8)).ok());
  EXPECT_TRUE(parse_json(nested_objects(8)).ok());
  EXPECT_EQ(error_of(nested_arrays(9)), "body: nested deeper than 8 levels");
  EXPECT_EQ(error_of(nested_objects(9)), "body: nested deeper than 8 levels");
  JsonLimits two;
  two.max_depth = 2;
  EXPECT_TRUE(parse_json("[[]]", "body", two).ok());
  EXPECT_EQ(error_of("[[[]]]", two), "body: nested deeper than 2 levels");
}

TEST(ParseJson, RefusesTwoHundredThousandOpeningBracketsQuickly) {
  const auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(error_of(std::string(200000, '[')), "body: nested deeper than 8 levels");
  std::string objects;
  for (int i = 0; i < 200000; ++i) objects += "{\"a\":";
  EXPECT_EQ(error_of(objects), "body: nested deeper than 8 levels");
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(1));
}

TEST(ParseJson, RefusesALongStringNamingItsPath) {
  JsonLimits limits;
  limits.max_string_bytes = 4;
  EXPECT_TRUE(parse_json(R"({"name": "abcd"})", "body", limits).ok());
  EXPECT_EQ(error_of(R"({"name": "abcde"})", limits), "name: a string longer than 4 bytes");
  EXPECT_EQ(error_of(R"({"legs": [{"a": 1}, {"from": "abcde"}]})", limits),
            "legs[1].from: a string longer than 4 bytes");
  EXPECT_EQ(error_of(R"(["abcde"])", limits), "body[0]: a string longer than 4 bytes");
  EXPECT_EQ(error_of(R"({"abcde": 1})", limits), "body: a member name longer than 4 bytes");
  // The default: 16 KiB.
  EXPECT_EQ(error_of("{\"name\": \"" + std::string(16385, 'x') + "\"}"),
            "name: a string longer than 16384 bytes");
}

TEST(ParseJson, RefusesABigArrayAndABigObject) {
  std::string ok = "[0";
  for (int i = 1; i < 1000; ++i) ok += ",0";
  EXPECT_TRUE(parse_json(ok + "]").ok());
  EXPECT_EQ(error_of(ok + ",0]"), "body: an array of more than 1000 elements");
  EXPECT_EQ(error_of("{\"ip\": " + ok + ",0]}"), "ip: an array of more than 1000 elements");
  std::string members = "{\"m0\": 0";
  for (int i = 1; i < 256; ++i) members += ", \"m" + std::to_string(i) + "\": 0";
  EXPECT_TRUE(parse_json(members + "}").ok());
  EXPECT_EQ(error_of(members + ", \"x\": 0}"), "body: an object of more than 256 members");
}

TEST(ParseJson, RefusesTooManyValuesInAll) {
  JsonLimits limits;
  limits.max_values = 6;  // [[1, 2], [3]] is six values, containers included
  EXPECT_TRUE(parse_json("[[1, 2], [3]]", "body", limits).ok());
  EXPECT_EQ(error_of("[[1, 2], [3, 4]]", limits), "body: more than 6 values");
}

TEST(ParseJson, RefusesInvalidUtf8) {
  for (std::string_view bad : {"\"\xff\"", "\"\xc0\xaf\"", "\"\xed\xa0\x80\"", "\"\xe2\x82\"",
                               "\"\x80\"", "{\"\xfe\": 1}"}) {
    EXPECT_THAT(error_of(bad), HasSubstr("body is not valid JSON: Invalid encoding")) << bad;
  }
}

TEST(ParseJson, RefusesSyntaxErrorsTrailingTextAndNulBytes) {
  EXPECT_EQ(error_of("{\"a\": }"), "body is not valid JSON: Invalid value. (at offset 6)");
  EXPECT_THAT(error_of("{} x"), HasSubstr("body is not valid JSON"));
  EXPECT_THAT(error_of(""), HasSubstr("body is not valid JSON"));
  EXPECT_THAT(error_of("NaN"), HasSubstr("body is not valid JSON"));
  EXPECT_EQ(error_of(std::string_view("{}\0x", 4)), "body contains a NUL byte (at offset 2)");
}

TEST(ParseJson, NamesTheDocumentAsAsked) {
  EXPECT_EQ(parse_json(nested_arrays(9), "line").status().message(),
            "line: nested deeper than 8 levels");
}

TEST(ParseJsonTape, FlatNodesInDocumentOrderWithViewsOfTheDecodedText) {
  JsonTape tape;
  ASSERT_TRUE(
      parse_json_tape(R"({"s": "x\u00e9", "a": [1, {"k": "v"}], "n": 0.31800})", "body", {}, tape)
          .ok());
  ASSERT_EQ(tape.nodes.size(), 7u);
  const auto& n = tape.nodes;
  EXPECT_EQ(n[0].kind, JsonKind::kObject);
  EXPECT_EQ(n[0].count, 3u);
  EXPECT_EQ(n[0].end, 7u);
  EXPECT_EQ(n[1].name, "s");
  EXPECT_EQ(n[1].text, "x\xC3\xA9");
  EXPECT_EQ(n[2].name, "a");
  EXPECT_EQ(n[2].kind, JsonKind::kArray);
  EXPECT_EQ(n[2].count, 2u);
  EXPECT_EQ(n[2].end, 6u);  // the array holds 1 and the object {"k": "v"}
  EXPECT_EQ(n[3].text, "1");
  EXPECT_EQ(n[3].end, 4u);
  EXPECT_EQ(n[4].kind, JsonKind::kObject);
  EXPECT_EQ(n[5].name, "k");
  EXPECT_EQ(n[5].text, "v");
  EXPECT_EQ(n[6].name, "n");
  EXPECT_EQ(n[6].kind, JsonKind::kNumber);
  EXPECT_EQ(n[6].text, "0.31800");
}

TEST(ParseJsonTape, AReusedTapeHoldsOnlyTheLatestDocument) {
  JsonTape tape;
  ASSERT_TRUE(parse_json_tape(R"({"long_name": ")" + std::string(200, 'x') + R"(", "b": [1, 2]})",
                              "line", {}, tape)
                  .ok());
  ASSERT_TRUE(parse_json_tape(R"( {"a": "y"} )", "line", {}, tape).ok());
  ASSERT_EQ(tape.nodes.size(), 2u);
  EXPECT_EQ(tape.nodes[0].count, 1u);
  EXPECT_EQ(tape.nodes[1].name, "a");
  EXPECT_EQ(tape.nodes[1].text, "y");
  EXPECT_FALSE(parse_json_tape("{\"a\": }", "line", {}, tape).ok());
  EXPECT_TRUE(tape.nodes.empty());  // nothing of a refused document is left to read
}

TEST(ParseJsonTape, RefusesWithTheSameMessagesAsTheTree) {
  JsonLimits small;
  small.max_string_bytes = 4;
  small.max_array_elements = 2;
  small.max_object_members = 2;
  for (std::string_view bad :
       {std::string_view("{\"a\": }"), std::string_view("{} x"), std::string_view("\"\xff\""),
        std::string_view("{}\0x", 4),
        std::string_view(R"({"legs": [{"a": 1}, {"from": "abcde"}]})"),
        std::string_view("[1, 2, 3]"), std::string_view(R"({"a": 1, "b": 2, "c": 3})"),
        std::string_view("[[[[[[[[[1]]]]]]]]]"), std::string_view(R"({"abcde": 1})")}) {
    JsonTape tape;
    const Status s = parse_json_tape(bad, "body", small, tape);
    EXPECT_FALSE(s.ok()) << bad;
    EXPECT_EQ(s.message(), error_of(bad, small)) << bad;
  }
}

}  // namespace
}  // namespace cdrd
