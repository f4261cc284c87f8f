#include "core/json_writer.h"

#include <gtest/gtest.h>
#include <random>
#include <string>
#include <vector>

#include "core/json_text.h"

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

// Strings are checked for bytes to escape eight at a time: every byte at every position of a
// long plain string (each lane of each word, and the tail), and two at once, are written as
// RapidJSON's escaping writer writes them.
TEST(JsonWriterTest, EveryByteAtEveryPositionOfALongStringIsWrittenAsTheEscapingWriterWrites) {
  const auto reference = [](std::string_view s) {
    rapidjson::StringBuffer buffer;
    rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
    json_write_string(writer, s);
    return std::string(buffer.GetString(), buffer.GetSize());
  };
  const auto written = [](std::string_view s) {
    JsonWriter w;
    w.string_value(s);
    return w.text();
  };
  const std::string plain = "abcdefghijklmnopqrstuvwxyz~ !#";
  for (int c = 0; c < 256; ++c) {
    for (std::size_t at = 0; at < plain.size(); ++at) {
      std::string s = plain;
      s[at] = static_cast<char>(c);
      ASSERT_EQ(written(s), reference(s)) << c << " at " << at;
      s[(at + 9) % s.size()] = static_cast<char>(255 - c);
      ASSERT_EQ(written(s), reference(s)) << c << " at " << at << " and " << (at + 9) % s.size();
    }
  }
}

// A string without escapes or non-ASCII bytes is copied in one piece: the text is what
// RapidJSON's escaping and the UTF-8 check write, for every byte alone, in a string and as a
// member name, and for random strings of every byte.
TEST(JsonWriterTest, PlainStringsAreWrittenAsTheEscapingWriterWrites) {
  const auto reference = [](std::string_view s, bool as_key) {
    rapidjson::StringBuffer buffer;
    rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
    writer.StartObject();
    if (as_key) {
      json_write_key(writer, s);
      writer.Null();
    } else {
      writer.Key("k");
      json_write_string(writer, s);
    }
    writer.EndObject();
    return std::string(buffer.GetString(), buffer.GetSize());
  };
  const auto written = [](std::string_view s, bool as_key) {
    JsonWriter w(as_key ? 0 : 8);
    w.start_object();
    if (as_key) {
      w.null_member(s);
    } else {
      w.string_member("k", s);
    }
    w.end_object();
    return w.text();
  };
  std::vector<std::string> samples = {"",          "a",           "call_uuid",   "two words",
                                      "q\"uote",   "back\\slash", "caf\xC3\xA9", "\xFF\xFE",
                                      "tab\there", "\x7F"};
  for (int c = 0; c < 256; ++c) {
    samples.emplace_back(1, static_cast<char>(c));
    samples.push_back("x" + std::string(1, static_cast<char>(c)) + "yz");
  }
  std::mt19937 rng(7);
  for (int i = 0; i < 3000; ++i) {
    std::string s(rng() % 40, ' ');
    for (char& ch : s) ch = static_cast<char>(rng() % 4 == 0 ? rng() % 256 : 0x20 + rng() % 95);
    samples.push_back(s);
  }
  for (const std::string& s : samples) {
    for (const bool as_key : {false, true}) {
      ASSERT_EQ(written(s, as_key), reference(s, as_key)) << s;
    }
  }
}

}  // namespace
}  // namespace cdrd
