// The one reader of JSON request bodies (trunk control-plane bodies, ingest NDJSON lines): text
// in, a small tree of JsonValue out (parse_json), or the same document as a flat JsonTape of
// views that a caller reuses from one document to the next (parse_json_tape: the ingest path,
// which allocates nothing per line once the tape is warm), or kInvalidArgument saying what is
// wrong and where. Both go through the same SAX handler, so the limits and messages are one.
//
// Bounded by construction, because the text comes from the network:
// - no recursion: RapidJSON's iterative parser (kParseIterativeFlag) drives a SAX handler;
// - the handler enforces JsonLimits as the events arrive (nesting depth, bytes per string or
//   member name, elements per array, members per object, values per document), so a body of
//   200,000 '[' is refused at the 9th and no deep or huge tree is ever built (the tree's
//   construction from the tape and its destructor recurse, to a depth the limit bounds);
// - the text is copied into the tape's buffer and decoded there (RapidJSON's in-situ mode):
//   strings, names and numbers are views into that buffer, never one allocation each;
// - the text must be UTF-8 (kParseValidateEncodingFlag); numbers are kept as written, never a
//   double ("0.31800" stays "0.31800").
// Messages: "PATH: nested deeper than 8 levels", "PATH: a string longer than N bytes",
// "PATH: an array of more than N elements", "PATH: an object of more than N members",
// "WHAT is not valid JSON: REASON (at offset N)", where PATH is the member path ("legs[2].from")
// or WHAT ("body", "line") at the top.
// Member names given twice are kept, in order: each caller decides (trunks refuse them).
// Pure; thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace cdrd {

struct JsonLimits {
  std::size_t max_depth = 8;              // arrays and objects inside one another
  std::size_t max_string_bytes = 16384;   // per string value and per member name
  std::size_t max_array_elements = 1000;  // per array
  std::size_t max_object_members = 256;   // per object
  std::size_t max_values = 100000;        // in the whole document, containers included
};

enum class JsonKind { kNull, kBool, kNumber, kString, kArray, kObject };

struct JsonMember;

struct JsonValue {
  JsonKind kind = JsonKind::kNull;
  std::string text;                 // kString; kNumber as written; kBool "true" or "false"
  std::vector<JsonValue> items;     // kArray
  std::vector<JsonMember> members;  // kObject, in input order (repeated names kept)
};

struct JsonMember {
  std::string name;
  JsonValue value;
};

// One parsed document as a flat list of nodes in document order: a container, then its
// contents, each container knowing where its contents end. Every string, member name and number
// is a view into `buffer`, the tape's own copy of the text (decoded in place), so the views live
// as long as the tape and until its next parse. A tape is meant to be reused: parse_json_tape
// keeps its capacity, so parsing a stream of similar documents allocates nothing once warm.
// Not thread-safe: one tape per thread.
struct JsonTape {
  struct Node {
    JsonKind kind = JsonKind::kNull;
    std::uint32_t count = 0;  // kArray: elements; kObject: members
    std::uint32_t end = 0;    // the index one past this node and everything inside it
    std::string_view name;    // the member name, when the parent is an object
    std::string_view text;    // as JsonValue::text
  };
  std::vector<Node> nodes;  // nodes[0] is the document's value
  std::string buffer;
};

// Parses `text` (one JSON value; white space around it allowed, nothing else). `what` names the
// document in messages. The fuzzing entry point: any bytes in, a value or a Status out.
Result<JsonValue> parse_json(std::string_view text, std::string_view what = "body",
                             const JsonLimits& limits = {});

// The same parse, with the same limits and messages, into `tape` (replacing what it held).
// On error the tape holds nothing usable.
Status parse_json_tape(std::string_view text, std::string_view what, const JsonLimits& limits,
                       JsonTape& tape);

}  // namespace cdrd
