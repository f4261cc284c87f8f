#include "service/ingest/raw_record.h"

#include "core/json_reader.h"

namespace cdrd::service::ingest {
namespace {

// The bounded reader's tree as a RawValue, moving the text. Recursive to the depth of the
// value, which the reader's limit (JsonLimits::max_depth, 8) bounds.
// A switch per kind, like describe() below and the other enum switches: the compiler checks
// that every kind is handled.
RawValue to_raw(JsonValue&& v) {
  RawValue out;
  out.text = std::move(v.text);
  switch (v.kind) {
    case JsonKind::kNull:
      out.kind = RawKind::kNull;
      break;
    case JsonKind::kBool:
      out.kind = RawKind::kBool;
      break;
    case JsonKind::kNumber:
      out.kind = RawKind::kNumber;
      break;
    case JsonKind::kString:
      out.kind = RawKind::kString;
      break;
    case JsonKind::kArray:
      out.kind = RawKind::kArray;
      out.items.reserve(v.items.size());
      for (JsonValue& item : v.items) out.items.push_back(to_raw(std::move(item)));
      break;
    case JsonKind::kObject:
      out.kind = RawKind::kObject;
      out.members.reserve(v.members.size());
      for (JsonMember& m : v.members) {
        out.members.push_back(RawField{std::move(m.name), to_raw(std::move(m.value))});
      }
      break;
  }
  return out;
}

}  // namespace

Result<RawRecord> parse_ndjson_line(std::string_view line) {
  std::size_t first = 0;
  while (first < line.size() && (line[first] == ' ' || line[first] == '\t')) ++first;
  if (first < line.size() && line[first] == '[') {
    return Status::Invalid(
        "line is a JSON array: send one JSON object per line (NDJSON), not an array");
  }
  // Ingest's own bounds: a record holds at most kMaxLegs (1000) legs, checked again, with the
  // field's name, by the validator.
  Result<JsonValue> value = parse_json(line, "line", JsonLimits{});
  if (!value.ok()) return value.status();
  if (value->kind != JsonKind::kObject) {
    return Status::Invalid("line is not a JSON object: each line must be one {...} record");
  }
  RawValue root = to_raw(std::move(value).value());
  return RawRecord{std::move(root.members)};
}

void add_text_field(RawRecord& record, std::string_view name, std::string value) {
  if (value.empty()) return;
  record.fields.push_back(
      RawField{std::string(name), RawValue{RawKind::kText, std::move(value), {}, {}}});
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
    case RawKind::kText:
      return "'" + excerpt(value.text, kMax) + "'";
    case RawKind::kNumber:
      return excerpt(value.text, kMax);
    case RawKind::kBool:
      return value.text;
    case RawKind::kNull:
      return "null";
    case RawKind::kArray:
      return "an array";
    case RawKind::kObject:
      return "an object";
  }
  return "?";
}

}  // namespace cdrd::service::ingest
