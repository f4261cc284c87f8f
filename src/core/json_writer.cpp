#include "core/json_writer.h"

#include <cstring>

#include "core/json_text.h"

namespace cdrd {

namespace {

// Whether RapidJSON writes `s` as it is between its quotes and json_write_string passes it
// unchanged: printable ASCII other than '"' and '\\' (RapidJSON escapes those and the control
// characters; bytes of 0x80 and up go through the UTF-8 check).
bool is_plain(std::string_view s) {
  bool plain = true;
  for (const char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    plain &= c >= 0x20 && c < 0x80 && c != '"' && c != '\\';
  }
  return plain;
}

}  // namespace

void JsonWriter::Writer::plain_string(std::string_view s) {
  Prefix(rapidjson::kStringType);
  char* out = os_->Push(s.size() + 2);
  out[0] = '"';
  if (!s.empty()) std::memcpy(out + 1, s.data(), s.size());
  out[s.size() + 1] = '"';
  EndValue(true);
}

void JsonWriter::write_string(std::string_view s) {
  if (is_plain(s)) {
    writer_.plain_string(s);
  } else {
    json_write_string(writer_, s);
  }
}

// A member name is written as a string is (RapidJSON's Key is its String).
void JsonWriter::key(std::string_view name) { write_string(name); }

void JsonWriter::string_value(std::string_view value) { write_string(value); }

// Not Writer::RawNumber: in RapidJSON 1.1.0, the version Debian 12 ships, RawNumber writes its
// text as a quoted string.
void JsonWriter::raw_number(std::string_view text) {
  writer_.RawValue(text.data(), text.size(), rapidjson::kNumberType);
}

void JsonWriter::string_member(std::string_view name, std::string_view value) {
  key(name);
  string_value(value);
}

void JsonWriter::int_member(std::string_view name, std::int64_t value) {
  key(name);
  int_value(value);
}

void JsonWriter::bool_member(std::string_view name, bool value) {
  key(name);
  bool_value(value);
}

void JsonWriter::null_member(std::string_view name) {
  key(name);
  null_value();
}

void JsonWriter::optional_string_member(std::string_view name,
                                        const std::optional<std::string>& value) {
  if (!value) return null_member(name);
  string_member(name, *value);
}

void JsonWriter::optional_int_member(std::string_view name,
                                     const std::optional<std::int64_t>& value) {
  if (!value) return null_member(name);
  int_member(name, *value);
}

void JsonWriter::clear() {
  buffer_.Clear();
  writer_.Reset(buffer_);
}

}  // namespace cdrd
