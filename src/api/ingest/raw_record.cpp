#include "api/ingest/raw_record.h"

#include <rapidjson/error/en.h>
#include <rapidjson/memorystream.h>
#include <rapidjson/reader.h>

namespace cdrd::api::ingest {
namespace {

constexpr std::size_t kMaxDepth = 8;  // record object > legs array > leg object > ... is 3

// Builds a RawValue tree from RapidJSON's SAX events. Numbers arrive as their text
// (kParseNumbersAsStringsFlag), so "0.31800" stays "0.31800".
class TreeBuilder : public rapidjson::BaseReaderHandler<rapidjson::UTF8<>, TreeBuilder> {
 public:
  RawValue root;
  std::string error;  // set when the handler itself stopped the parse

  bool Null() { return add(RawValue{RawKind::kNull, {}, {}, {}}); }
  bool Bool(bool b) { return add(RawValue{RawKind::kBool, b ? "true" : "false", {}, {}}); }
  bool RawNumber(const char* s, rapidjson::SizeType n, bool) {
    return add(RawValue{RawKind::kNumber, std::string(s, n), {}, {}});
  }
  bool String(const char* s, rapidjson::SizeType n, bool) {
    return add(RawValue{RawKind::kString, std::string(s, n), {}, {}});
  }
  bool Key(const char* s, rapidjson::SizeType n, bool) {
    key_.assign(s, n);
    return true;
  }
  bool StartObject() { return open(RawKind::kObject); }
  bool EndObject(rapidjson::SizeType) { return close(); }
  bool StartArray() { return open(RawKind::kArray); }
  bool EndArray(rapidjson::SizeType) { return close(); }

 private:
  // Adds a value to the innermost open container (or makes it the root); returns it.
  RawValue* place(RawValue v) {
    if (stack_.empty()) {
      root = std::move(v);
      return &root;
    }
    RawValue& parent = *stack_.back();
    if (parent.kind == RawKind::kObject) {
      parent.members.push_back(RawField{std::move(key_), std::move(v)});
      return &parent.members.back().value;
    }
    parent.items.push_back(std::move(v));
    return &parent.items.back();
  }
  bool add(RawValue v) {
    place(std::move(v));
    return true;
  }
  bool open(RawKind kind) {
    if (stack_.size() >= kMaxDepth) {
      error = "JSON nested deeper than " + std::to_string(kMaxDepth) + " levels";
      return false;
    }
    // Only the innermost container grows, so pointers to the open ancestors stay valid.
    stack_.push_back(place(RawValue{kind, {}, {}, {}}));
    return true;
  }
  bool close() {
    stack_.pop_back();
    return true;
  }

  std::vector<RawValue*> stack_;
  std::string key_;
};

}  // namespace

Result<RawRecord> parse_ndjson_line(std::string_view line) {
  if (line.find('\0') != std::string_view::npos) {
    return Status::Invalid("line contains a NUL byte");
  }
  std::size_t first = 0;
  while (first < line.size() && (line[first] == ' ' || line[first] == '\t')) ++first;
  if (first < line.size() && line[first] == '[') {
    return Status::Invalid(
        "line is a JSON array: send one JSON object per line (NDJSON), not an array");
  }
  TreeBuilder builder;
  rapidjson::Reader reader;
  rapidjson::MemoryStream stream(line.data(), line.size());
  constexpr unsigned kFlags = rapidjson::kParseNumbersAsStringsFlag |
                              rapidjson::kParseValidateEncodingFlag |
                              rapidjson::kParseIterativeFlag;
  const rapidjson::ParseResult ok = reader.Parse<kFlags>(stream, builder);
  if (!ok) {
    if (!builder.error.empty()) return Status::Invalid("line is not accepted: " + builder.error);
    return Status::Invalid(std::string("line is not valid JSON: ") +
                           rapidjson::GetParseError_En(ok.Code()) + " (at character " +
                           std::to_string(ok.Offset() + 1) + ")");
  }
  if (builder.root.kind != RawKind::kObject) {
    return Status::Invalid("line is not a JSON object: each line must be one {...} record");
  }
  return RawRecord{std::move(builder.root.members)};
}

Result<RawRecord> csv_row_to_record(const std::vector<std::string>& header,
                                    const std::vector<std::string>& cells) {
  if (cells.size() != header.size()) {
    return Status::Invalid("row has " + std::to_string(cells.size()) +
                           " fields but the header has " + std::to_string(header.size()));
  }
  RawRecord record;
  record.fields.reserve(cells.size());
  for (std::size_t i = 0; i < cells.size(); ++i) {
    if (cells[i].empty()) continue;
    record.fields.push_back(RawField{header[i], RawValue{RawKind::kText, cells[i], {}, {}}});
  }
  return record;
}

std::size_t utf8_sequence_length(std::string_view s, std::size_t i) {
  const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
  const unsigned char c = byte(i);
  if (c < 0x80) return 1;
  std::size_t n;
  unsigned lo = 0x80, hi = 0xBF;  // allowed range of the second byte
  if (c >= 0xC2 && c <= 0xDF) {
    n = 2;
  } else if (c >= 0xE0 && c <= 0xEF) {
    n = 3;
    if (c == 0xE0) lo = 0xA0;  // no overlong forms
    if (c == 0xED) hi = 0x9F;  // no surrogates
  } else if (c >= 0xF0 && c <= 0xF4) {
    n = 4;
    if (c == 0xF0) lo = 0x90;  // no overlong forms
    if (c == 0xF4) hi = 0x8F;  // nothing beyond U+10FFFF
  } else {
    return 0;
  }
  if (i + n > s.size()) return 0;
  if (byte(i + 1) < lo || byte(i + 1) > hi) return 0;
  for (std::size_t k = 2; k < n; ++k) {
    if (byte(i + k) < 0x80 || byte(i + k) > 0xBF) return 0;
  }
  return n;
}

bool is_valid_utf8(std::string_view s) {
  for (std::size_t i = 0; i < s.size();) {
    const std::size_t n = utf8_sequence_length(s, i);
    if (n == 0) return false;
    i += n;
  }
  return true;
}

namespace {

// At most `max_chars` characters of `s`, invalid bytes as '?', "..." when cut.
std::string excerpt(std::string_view s, std::size_t max_chars) {
  std::string out;
  std::size_t chars = 0;
  for (std::size_t i = 0; i < s.size(); ++chars) {
    if (chars == max_chars) return out + "...";
    const std::size_t n = utf8_sequence_length(s, i);
    if (n == 0) {
      out.push_back('?');
      ++i;
    } else {
      out.append(s.substr(i, n));
      i += n;
    }
  }
  return out;
}

}  // namespace

std::string describe(const RawValue& value) {
  constexpr std::size_t kMax = 40;
  switch (value.kind) {
    case RawKind::kString:
    case RawKind::kText: return "'" + excerpt(value.text, kMax) + "'";
    case RawKind::kNumber: return excerpt(value.text, kMax);
    case RawKind::kBool: return value.text;
    case RawKind::kNull: return "null";
    case RawKind::kArray: return "an array";
    case RawKind::kObject: return "an object";
  }
  return "?";
}

}  // namespace cdrd::api::ingest
