// JsonWriter: the one way cdrd writes JSON text (response bodies, error bodies, the sample NDJSON
// lines). A thin wrapper over RapidJSON's compact Writer into a StringBuffer, so every body has
// the same spacing ({"a":1,"b":"x"}) and every string or member name goes through
// json_write_string / json_write_key (core/json_text.h): bytes that are not UTF-8 become U+FFFD,
// so the text is always valid UTF-8 whatever a client sent. Members are written in call order.
//
// Usage: start_object(); string_member("api_id", id); ...; end_object(); then text().
// The caller keeps the calls balanced (RapidJSON asserts in debug builds). Not thread-safe: one
// writer per body; cheap to make.
#pragma once

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace cdrd {

class JsonWriter {
 public:
  JsonWriter() : writer_(buffer_) {}
  // With room for `capacity` bytes of text before the buffer grows (a large body's size known
  // roughly in advance: the list views).
  explicit JsonWriter(std::size_t capacity)
      : buffer_(nullptr, capacity == 0 ? 256 : capacity), writer_(buffer_) {}
  JsonWriter(const JsonWriter&) = delete;
  JsonWriter& operator=(const JsonWriter&) = delete;

  void start_object() { writer_.StartObject(); }
  void end_object() { writer_.EndObject(); }
  void start_array() { writer_.StartArray(); }
  void end_array() { writer_.EndArray(); }

  // A member name inside an object; the value follows with one of the value calls.
  void key(std::string_view name);

  // Values (after key() in an object, or as array elements).
  void string_value(std::string_view value);
  void int_value(std::int64_t value) { writer_.Int64(value); }
  void bool_value(bool value) { writer_.Bool(value); }
  void null_value() { writer_.Null(); }
  // `text` must already be a valid JSON number token ("0.318", "552135006716"): written as it
  // is, so exact decimals never pass through a double.
  void raw_number(std::string_view text);

  // key() and a value in one call, the common case.
  void string_member(std::string_view name, std::string_view value);
  void int_member(std::string_view name, std::int64_t value);
  void bool_member(std::string_view name, bool value);
  void null_member(std::string_view name);
  // The value, or null when there is none.
  void optional_string_member(std::string_view name, const std::optional<std::string>& value);
  void optional_int_member(std::string_view name, const std::optional<std::int64_t>& value);

  // The text written so far (a complete document once the outermost value is closed).
  std::string_view view() const { return {buffer_.GetString(), buffer_.GetSize()}; }
  std::string text() const { return std::string(view()); }

  // Empties the writer for the next document.
  void clear();

 private:
  // RapidJSON's Writer and one more way to write a string: one copy of its bytes, for a string
  // that needs neither an escape nor a replacement (what WriteString writes for it, byte for
  // byte, without looking at each byte again).
  class Writer : public rapidjson::Writer<rapidjson::StringBuffer> {
   public:
    using rapidjson::Writer<rapidjson::StringBuffer>::Writer;
    void plain_string(std::string_view s);
  };

  // key() and string_value(): the plain case by plain_string, the rest by json_write_string.
  void write_string(std::string_view s);

  rapidjson::StringBuffer buffer_;
  Writer writer_;
};

}  // namespace cdrd
