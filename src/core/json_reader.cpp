#include "core/json_reader.h"

// RapidJSON's SSE2 path (baseline on x86-64) skips white space and scans strings 16 bytes at a
// time. Only in this file, which the build compiles on its own (CMakeLists.txt): no other code
// parses in situ, and this file's in-situ buffer is padded for the aligned 16-byte loads, which
// may read up to 15 bytes past the text's terminating NUL.
#if defined(__SSE2__) && !defined(RAPIDJSON_SSE2)
#define RAPIDJSON_SSE2
#endif

#include <rapidjson/error/en.h>
#include <rapidjson/reader.h>

#include <cstdint>
#include <cstring>

namespace cdrd {
namespace {

constexpr std::size_t kMaxEchoedName = 64;  // bytes of a member name shown in a path

// An open container: its node, how many values it holds so far and, for an object, the name of
// its latest member (the one being read, or the open container inside it).
struct Frame {
  std::uint32_t node = 0;
  bool object = false;
  std::uint32_t count = 0;
  std::string_view key;
};

// Writes RapidJSON's SAX events onto a JsonTape, refusing (by returning false, which stops the
// parse at once) the first event that would break a limit; `error` then says which.
class TapeBuilder : public rapidjson::BaseReaderHandler<rapidjson::UTF8<>, TapeBuilder> {
 public:
  using Node = JsonTape::Node;

  // `stack` is scratch space, emptied first (reused by the caller so that it keeps its memory).
  TapeBuilder(std::string_view what, const JsonLimits& limits, std::vector<Node>& nodes,
              std::vector<Frame>& stack)
      : what_(what), limits_(limits), nodes_(nodes), stack_(stack) {
    stack_.clear();
  }

  std::string error;

  bool Null() { return add(JsonKind::kNull, {}); }
  bool Bool(bool b) { return add(JsonKind::kBool, b ? "true" : "false"); }
  bool RawNumber(const char* s, rapidjson::SizeType n, bool) {
    return add(JsonKind::kNumber, std::string_view(s, n));
  }
  bool String(const char* s, rapidjson::SizeType n, bool) {
    if (n > limits_.max_string_bytes) {
      return fail(path(true) + ": a string longer than " +
                  std::to_string(limits_.max_string_bytes) + " bytes");
    }
    return add(JsonKind::kString, std::string_view(s, n));
  }
  bool Key(const char* s, rapidjson::SizeType n, bool) {
    Frame& object = stack_.back();
    if (object.count >= limits_.max_object_members) {
      return fail(path(false) + ": an object of more than " +
                  std::to_string(limits_.max_object_members) + " members");
    }
    if (n > limits_.max_string_bytes) {
      return fail(path(false) + ": a member name longer than " +
                  std::to_string(limits_.max_string_bytes) + " bytes");
    }
    object.key = std::string_view(s, n);
    return true;
  }
  bool StartObject() { return open(JsonKind::kObject); }
  bool EndObject(rapidjson::SizeType) { return close(); }
  bool StartArray() { return open(JsonKind::kArray); }
  bool EndArray(rapidjson::SizeType) { return close(); }

 private:
  bool fail(std::string message) {
    error = std::move(message);
    return false;
  }

  // Where the parse is: the member path of the value about to be added (`pending`), or of the
  // innermost open container. "legs[2].from"; `what` alone at the top; "body[3]" in a
  // top-level array.
  std::string path(bool pending) const {
    std::string out;
    const std::size_t frames = pending ? stack_.size() : stack_.size() - 1;
    for (std::size_t k = 0; k < frames; ++k) {
      const Frame& c = stack_[k];
      const bool last = k + 1 == stack_.size();  // its child on the path is not placed yet
      if (c.object) {
        const std::string_view name = c.key;
        if (!out.empty()) out.push_back('.');
        out += name.substr(0, kMaxEchoedName);
        if (name.size() > kMaxEchoedName) out += "...";
      } else {
        const std::size_t index = last ? c.count : c.count - 1;
        out += "[" + std::to_string(index) + "]";
      }
    }
    if (out.empty()) return std::string(what_);
    if (out.front() == '[') return std::string(what_) + out;
    return out;
  }

  // Adds a node to the innermost open container (or makes it the root); false (with `error`
  // set) when a limit refuses it.
  bool place(JsonKind kind, std::string_view text) {
    if (++values_ > limits_.max_values) {
      return fail(std::string(what_) + ": more than " + std::to_string(limits_.max_values) +
                  " values");
    }
    std::string_view name;
    if (!stack_.empty()) {
      Frame& parent = stack_.back();
      if (parent.object) {
        name = parent.key;
      } else if (parent.count >= limits_.max_array_elements) {
        return fail(path(false) + ": an array of more than " +
                    std::to_string(limits_.max_array_elements) + " elements");
      }
      ++parent.count;
    }
    nodes_.push_back(Node{kind, 0, 0, name, text});
    return true;
  }
  bool add(JsonKind kind, std::string_view text) {
    if (!place(kind, text)) return false;
    nodes_.back().end = static_cast<std::uint32_t>(nodes_.size());
    return true;
  }
  bool open(JsonKind kind) {
    if (stack_.size() >= limits_.max_depth) {
      return fail(std::string(what_) + ": nested deeper than " + std::to_string(limits_.max_depth) +
                  " levels");
    }
    if (!place(kind, {})) return false;
    stack_.push_back(
        Frame{static_cast<std::uint32_t>(nodes_.size() - 1), kind == JsonKind::kObject, 0, {}});
    return true;
  }
  bool close() {
    const Frame& f = stack_.back();
    Node& node = nodes_[f.node];
    node.count = f.count;
    node.end = static_cast<std::uint32_t>(nodes_.size());
    stack_.pop_back();
    return true;
  }

  std::string_view what_;
  const JsonLimits& limits_;
  std::vector<Node>& nodes_;
  std::vector<Frame>& stack_;  // the open containers, outermost first: at most max_depth

  std::size_t values_ = 0;
};

// The value of tape.nodes[i] as a tree. Recursive to the depth of the value, which the
// reader's limit (JsonLimits::max_depth) bounds.
JsonValue to_tree(const JsonTape& tape, std::size_t i) {
  const JsonTape::Node& n = tape.nodes[i];
  JsonValue v{n.kind, std::string(n.text), {}, {}};
  if (n.kind == JsonKind::kArray) {
    v.items.reserve(n.count);
    for (std::size_t j = i + 1; j < n.end; j = tape.nodes[j].end) {
      v.items.push_back(to_tree(tape, j));
    }
  } else if (n.kind == JsonKind::kObject) {
    v.members.reserve(n.count);
    for (std::size_t j = i + 1; j < n.end; j = tape.nodes[j].end) {
      v.members.push_back(JsonMember{std::string(tape.nodes[j].name), to_tree(tape, j)});
    }
  }
  return v;
}

// No byte of `text` has its high bit set; eight bytes at a time.
bool is_ascii(std::string_view text) {
  std::size_t i = 0;
  std::uint64_t high = 0;
  for (; i + 8 <= text.size(); i += 8) {
    std::uint64_t word;
    std::memcpy(&word, text.data() + i, 8);
    high |= word;
  }
  for (; i < text.size(); ++i) high |= static_cast<unsigned char>(text[i]);
  return (high & 0x8080808080808080ULL) == 0;
}

}  // namespace

Status parse_json_tape(std::string_view text, std::string_view what, const JsonLimits& limits,
                       JsonTape& tape) {
  tape.nodes.clear();
  // RapidJSON reads a NUL as the end of the text, which would hide whatever follows it.
  if (const void* nul = std::memchr(text.data(), '\0', text.size()); nul != nullptr) {
    const auto at = static_cast<const char*>(nul) - text.data();
    return Status::Invalid(std::string(what) + " contains a NUL byte (at offset " +
                           std::to_string(at) + ")");
  }
  // Decoded in place in the tape's own copy (NUL-terminated, as the in-situ stream needs).
  // Memory grown by one very large document is given back rather than kept for the next.
  constexpr std::size_t kKeptBytes = std::size_t{1} << 20;
  constexpr std::size_t kKeptNodes = std::size_t{1} << 14;
  if (tape.buffer.capacity() > kKeptBytes && text.size() <= kKeptBytes) {
    std::string().swap(tape.buffer);
  }
  if (tape.nodes.capacity() > kKeptNodes) std::vector<JsonTape::Node>().swap(tape.nodes);
  constexpr std::size_t kSimdPadding = 16;  // room for the SSE2 loads past the NUL
  tape.buffer.reserve(text.size() + kSimdPadding);
  tape.buffer.assign(text.data(), text.size());
  // The reader and the frames keep their memory between documents: one of each per thread
  // (the parse never reenters itself).
  thread_local rapidjson::Reader reader;
  thread_local std::vector<Frame> frames;
  TapeBuilder builder(what, limits, tape.nodes, frames);
  rapidjson::InsituStringStream stream(tape.buffer.data());
  constexpr unsigned kFlags = rapidjson::kParseIterativeFlag | rapidjson::kParseInsituFlag |
                              rapidjson::kParseValidateEncodingFlag |
                              rapidjson::kParseNumbersAsStringsFlag;
  // Text of ASCII bytes alone is valid UTF-8: RapidJSON's byte-by-byte check of every string
  // (a good part of the parse) is then skipped, with the same outcome. A \u escape is decoded
  // to valid UTF-8 either way.
  constexpr unsigned kAsciiFlags = kFlags & ~unsigned{rapidjson::kParseValidateEncodingFlag};
  const rapidjson::ParseResult ok = is_ascii(text) ? reader.Parse<kAsciiFlags>(stream, builder)
                                                   : reader.Parse<kFlags>(stream, builder);
  if (!ok) {
    tape.nodes.clear();
    if (!builder.error.empty()) return Status::Invalid(std::move(builder.error));
    return Status::Invalid(std::string(what) +
                           " is not valid JSON: " + rapidjson::GetParseError_En(ok.Code()) +
                           " (at offset " + std::to_string(ok.Offset()) + ")");
  }
  return Status::Ok();
}

Result<JsonValue> parse_json(std::string_view text, std::string_view what,
                             const JsonLimits& limits) {
  JsonTape tape;
  RETURN_IF_ERROR(parse_json_tape(text, what, limits, tape));
  return to_tree(tape, 0);
}

}  // namespace cdrd
