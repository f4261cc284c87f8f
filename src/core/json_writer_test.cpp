#include "core/json_writer.h"

#include <gtest/gtest.h>

namespace cdrd {
namespace {

TEST(JsonWriterTest, WritesCompactJsonInCallOrder) {
  JsonWriter w;
  w.start_object();
  w.string_member("b", "x");
  w.int_member("a", -12);
  w.bool_member("t", true);
  w.null_member("n");
  w.key("list");
  w.start_array();
  w.int_value(1);
  w.string_value("two");
  w.null_value();
  w.bool_value(false);
  w.end_array();
  w.end_object();
  EXPECT_EQ(w.text(), R"({"b":"x","a":-12,"t":true,"n":null,"list":[1,"two",null,false]})");
}

TEST(JsonWriterTest, RawNumbersAreWrittenAsTheyAre) {
  JsonWriter w;
  w.start_array();
  w.raw_number("0.318");
  w.raw_number("552135006716");
  w.end_array();
  EXPECT_EQ(w.view(), "[0.318,552135006716]");
}

TEST(JsonWriterTest, StringsAndNamesAreEscapedAndMadeValidUtf8) {
  JsonWriter w;
  w.start_object();
  w.string_member("q\"\\", "l1\nl2\x01");
  w.string_member("bad\xFF",
                  "a\xC0\xAF"
                  "b");
  w.end_object();
  const std::string r = "\xEF\xBF\xBD";  // U+FFFD
  EXPECT_EQ(w.text(), "{\"q\\\"\\\\\":\"l1\\nl2\\u0001\",\"bad" + r + "\":\"a" + r + r + "b\"}");
}

TEST(JsonWriterTest, ClearStartsTheNextDocument) {
  JsonWriter w;
  w.start_object();
  w.int_member("a", 1);
  w.end_object();
  w.clear();
  w.start_object();
  w.int_member("b", 2);
  w.end_object();
  EXPECT_EQ(w.text(), R"({"b":2})");
}

}  // namespace
}  // namespace cdrd
