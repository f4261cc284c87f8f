#include "service/ingest/raw_record.h"

#include <utility>

#include "core/json_reader.h"

namespace cdrd::service::ingest {
namespace {

// The field storage of dropped records, for the next lines parsed on this thread (see
// RawRecord). Bounded: kKept vectors of at most kMaxFields fields, strings of at most
// kMaxKeptBytes capacity, nested values dropped.
class FieldPool {
 public:
  ~FieldPool() { gone = true; }

  // Storage for a record: a vector of old fields to overwrite (perhaps empty).
  std::vector<RawField> take() {
    if (kept_.empty()) return {};
    std::vector<RawField> out = std::move(kept_.back());
    kept_.pop_back();
    return out;
  }

  void give(std::vector<RawField>& fields) {
    if (kept_.size() >= kKept || fields.empty() || fields.capacity() > kMaxFields) return;
    for (RawField& f : fields) {
      trim(f.name);
      trim(f.value.text);
      if (!f.value.items.empty()) std::vector<RawValue>().swap(f.value.items);
      if (!f.value.members.empty()) std::vector<RawField>().swap(f.value.members);
    }
    kept_.push_back(std::move(fields));
  }

  // Set once the thread's pool is destroyed (at thread exit): a record dropped after that
  // frees its storage as usual. A plain thread_local bool outlives every object.
  static thread_local bool gone;

 private:
  static constexpr std::size_t kKept = 4;
  static constexpr std::size_t kMaxFields = 256;
  static constexpr std::size_t kMaxKeptBytes = 1024;
  static void trim(std::string& s) {
    if (s.capacity() > kMaxKeptBytes) std::string().swap(s);
  }
  std::vector<std::vector<RawField>> kept_;
};

thread_local bool FieldPool::gone = false;

FieldPool& pool() {
  thread_local FieldPool p;
  return p;
}

// The value of tape.nodes[i] written over `out` (reusing its strings' room). Recursive to the
// depth of the value, which the reader's limit (JsonLimits::max_depth, 8) bounds.
// A switch per kind, like describe() below and the other enum switches: the compiler checks
// that every kind is handled.
void to_raw(const JsonTape& tape, std::size_t i, RawValue& out) {
  const JsonTape::Node& n = tape.nodes[i];
  out.text.assign(n.text);
  out.items.clear();
  out.members.clear();
  switch (n.kind) {
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
      out.items.resize(n.count);
      for (std::size_t j = i + 1, k = 0; j < n.end; j = tape.nodes[j].end, ++k) {
        to_raw(tape, j, out.items[k]);
      }
      break;
    case JsonKind::kObject:
      out.kind = RawKind::kObject;
      out.members.resize(n.count);
      for (std::size_t j = i + 1, k = 0; j < n.end; j = tape.nodes[j].end, ++k) {
        out.members[k].name.assign(tape.nodes[j].name);
        to_raw(tape, j, out.members[k].value);
      }
      break;
  }
}

}  // namespace

RawRecord::~RawRecord() {
  if (!FieldPool::gone) pool().give(fields);
}

Result<RawRecord> parse_ndjson_line(std::string_view line) {
  std::size_t first = 0;
  while (first < line.size() && (line[first] == ' ' || line[first] == '\t')) ++first;
  if (first < line.size() && line[first] == '[') {
    return Status::Invalid(
        "line is a JSON array: send one JSON object per line (NDJSON), not an array");
  }
  // The reader's tape is reused from line to line on each thread, and the record's storage
  // comes from the pool: once warm, a line costs no allocation.
  thread_local JsonTape tape;
  // Ingest's own bounds: a record holds at most kMaxLegs (1000) legs, checked again, with the
  // field's name, by the validator.
  RETURN_IF_ERROR(parse_json_tape(line, "line", JsonLimits{}, tape));
  const JsonTape::Node& root = tape.nodes.front();
  if (root.kind != JsonKind::kObject) {
    return Status::Invalid("line is not a JSON object: each line must be one {...} record");
  }
  RawRecord record(pool().take());
  record.fields.resize(root.count);
  for (std::size_t j = 1, k = 0; j < root.end; j = tape.nodes[j].end, ++k) {
    record.fields[k].name.assign(tape.nodes[j].name);
    to_raw(tape, j, record.fields[k].value);
  }
  return record;
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
  // Written into pooled storage, as parse_ndjson_line does (see RawRecord).
  RawRecord record(pool().take());
  std::size_t n = 0;
  for (const std::string& cell : cells) n += !cell.empty();
  record.fields.resize(n);
  for (std::size_t i = 0, k = 0; i < cells.size(); ++i) {
    if (cells[i].empty()) continue;
    RawField& f = record.fields[k++];
    f.name.assign(header[i]);
    f.value.kind = RawKind::kText;
    f.value.text.assign(cells[i]);
    f.value.items.clear();
    f.value.members.clear();
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
