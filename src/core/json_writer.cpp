#include "core/json_writer.h"

#include <cstdint>
#include <cstring>

#include "core/json_text.h"

namespace cdrd {

namespace {

// Whether RapidJSON writes `s` as it is between its quotes and json_write_string passes it
// unchanged: printable ASCII other than '"' and '\\' (RapidJSON escapes those and the control
// characters; bytes of 0x80 and up go through the UTF-8 check).
bool is_plain(std::string_view s) {
  // Eight bytes at a time (every string of every answer passes here, most of them plain and
  // short): a word holds a byte that is not plain when one is under 0x20, 0x80 or over, '"' or
  // '\\'. Exact per word: has_zero(v) is set when, and only when, some byte of v is zero, and
  // v - 0x20 per byte borrows into a byte's high bit only from a byte under 0x20 (which
  // ~x & 0x80 keeps) or below one that is (so then one is, too). The last bytes fill a word
  // of spaces, which are plain.
  constexpr std::uint64_t kOnes = 0x0101010101010101ULL;
  constexpr std::uint64_t kHigh = 0x8080808080808080ULL;
  const auto has_zero = [](std::uint64_t v) { return ((v - kOnes) & ~v & kHigh) != 0; };
  const auto plain_word = [&](std::uint64_t x) {
    return (x & kHigh) == 0 && ((x - 0x20 * kOnes) & ~x & kHigh) == 0 &&
           !has_zero(x ^ ('"' * kOnes)) && !has_zero(x ^ ('\\' * kOnes));
  };
  std::size_t i = 0;
  for (; i + 8 <= s.size(); i += 8) {
    std::uint64_t x;
    std::memcpy(&x, s.data() + i, 8);
    if (!plain_word(x)) return false;
  }
  if (i == s.size()) return true;
  std::uint64_t x = 0x20 * kOnes;
  std::memcpy(&x, s.data() + i, s.size() - i);
  return plain_word(x);
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
