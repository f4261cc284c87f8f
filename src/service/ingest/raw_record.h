// RawRecord: one input record before validation, independent of its source format. An NDJSON
// line keeps each value's JSON kind and, for numbers, the exact text (never a double); a CSV row
// gives untyped text (an empty cell is simply not a field). validate_record (validate.h) turns a
// RawRecord into a CallRecord whatever format it came from. Plain values; thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/json_text.h"
#include "core/status.h"

namespace cdrd::service::ingest {

enum class RawKind {
  kString,  // a JSON string
  kNumber,  // a JSON number; `text` is the number exactly as written ("0.31800", "28", "1e3")
  kBool,    // a JSON true/false; `text` is "true" or "false"
  kNull,    // a JSON null
  kArray,   // a JSON array; `items`
  kObject,  // a JSON object; `members`
  kText,    // untyped text (a CSV cell)
};

struct RawField;

struct RawValue {
  RawKind kind = RawKind::kNull;
  std::string text;               // kString, kNumber, kBool, kText
  std::vector<RawValue> items;    // kArray
  std::vector<RawField> members;  // kObject, in input order (repeated names kept)
};

struct RawField {
  std::string name;
  RawValue value;
};

// The fields of one record in input order. A name may appear twice (JSON allows it); the
// validator refuses that.
//
// Ingest makes and drops one RawRecord per line, hundreds of thousands a second: so a record's
// field storage, when it is dropped, goes back to a small pool of the thread that drops it (at
// most 4 records of at most 256 fields, each string at most 1 KiB kept), and parse_ndjson_line
// and csv_row_to_record take their storage from there, writing each field into strings that
// already have the room. A warm thread then reads a line without allocating. Nothing of a
// dropped record's content is ever seen again: a reused field is overwritten whole.
struct RawRecord {
  RawRecord() = default;
  explicit RawRecord(std::vector<RawField> f) : fields(std::move(f)) {}
  RawRecord(const RawRecord&) = default;
  RawRecord(RawRecord&&) noexcept = default;
  RawRecord& operator=(const RawRecord&) = default;
  RawRecord& operator=(RawRecord&&) noexcept = default;
  ~RawRecord();

  std::vector<RawField> fields;
};

// One value of a flat line (FlatRecord), seen where it lies: `text` as in RawValue (a string's
// decoded text, a number's exact text, "true"/"false", "" for null). Never an array or object.
// `printable`: a string without escapes, whose every byte the reading found printable ASCII
// (0x20-0x7E), so the validator need not look at its bytes again; false for every other value.
struct RawView {
  RawKind kind = RawKind::kNull;
  std::string_view text;
  bool printable = false;
};

struct FlatField {
  std::string_view name;
  RawView value;
};

// The common NDJSON line (one flat object of strings, plain numbers, booleans and nulls: what
// parse_ndjson_line reads without the general reader) as views, with no string copied: a name or
// string without escapes is seen in the line itself, one with escapes in `unescaped`, where it
// is decoded (its room is made for the whole line first, so no view moves). Valid while the line
// and this record are, until the next read_flat_line into it. Ingest reads its lines into one
// FlatRecord per batch and validates each from there (validate_record_into); the same fields,
// copied, are what parse_ndjson_line returns for such a line.
struct FlatRecord {
  std::vector<FlatField> fields;
  std::string unescaped;
};

// Reads `line` into `out` when it is such a flat line, and only then: false for every other
// line (nesting, bytes outside printable ASCII, \u escapes, an exponent or a long number, a
// limit of the reader in reach, any error), which parse_ndjson_line decides as always. When
// true, the fields are exactly those parse_ndjson_line gives (ndjson_fast_path_test.cpp,
// flat_record_test.cpp and the ingest_ndjson fuzz target compare them).
bool read_flat_line(std::string_view line, FlatRecord& out);

// Parses one NDJSON line (one JSON object; surrounding white space allowed) with the bounded
// reader (core/json_reader.h: depth 8, 16 KiB per string, 1000 elements per array, 256 members
// per object). On error, a kInvalidArgument Status whose message says what is wrong and where.
// The common line (a flat object of plain ASCII values) is read by a strict one-pass reading
// first, which gives the same fields; every other line, and every refusal, is the reader's.
Result<RawRecord> parse_ndjson_line(std::string_view line);

// A CSV row as a RawRecord: cell i becomes field header[i] as kText unless it is empty.
// The row must have exactly as many cells as the header.
Result<RawRecord> csv_row_to_record(const std::vector<std::string>& header,
                                    const std::vector<std::string>& cells);

// Appends `value` as the untyped field `name` unless it is empty (an absent value): how the
// switch adapters (freeswitch.h, asterisk.h) build their records.
void add_text_field(RawRecord& record, std::string_view name, std::string value);

// For messages: a short description of a value ("'sideways'", "12", "true", "null",
// "an array", "an object"); long text is cut and bytes that are not UTF-8 become '?'.
std::string describe(const RawValue& value);
// The same for a value seen in place (the kind and text of a RawValue).
std::string describe(RawKind kind, std::string_view text);

// The UTF-8 checks live in core/json_text.h; named here for the validator.
using cdrd::is_valid_utf8;
using cdrd::utf8_sequence_length;

}  // namespace cdrd::service::ingest
