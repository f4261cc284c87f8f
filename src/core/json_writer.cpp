#include "core/json_writer.h"

#include "core/json_text.h"

namespace cdrd {

void JsonWriter::key(std::string_view name) { json_write_key(writer_, name); }

void JsonWriter::string_value(std::string_view value) { json_write_string(writer_, value); }

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
