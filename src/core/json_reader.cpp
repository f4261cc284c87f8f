#include "core/json_reader.h"

#include <rapidjson/error/en.h>
#include <rapidjson/memorystream.h>
#include <rapidjson/reader.h>

#include <cstdint>
#include <cstring>

namespace cdrd {
namespace {

constexpr std::size_t kMaxEchoedName = 64;  // bytes of a member name shown in a path

// Builds a JsonValue tree from RapidJSON's SAX events, refusing (by returning false, which stops
// the parse at once) the first event that would break a limit; `error` then says which.
class BoundedBuilder : public rapidjson::BaseReaderHandler<rapidjson::UTF8<>, BoundedBuilder> {
 public:
  BoundedBuilder(std::string_view what, const JsonLimits& limits) : what_(what), limits_(limits) {}

  JsonValue root;
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
    const JsonValue& object = *stack_.back();
    if (object.members.size() >= limits_.max_object_members) {
      return fail(path(false) + ": an object of more than " +
                  std::to_string(limits_.max_object_members) + " members");
    }
    if (n > limits_.max_string_bytes) {
      return fail(path(false) + ": a member name longer than " +
                  std::to_string(limits_.max_string_bytes) + " bytes");
    }
    key_.assign(s, n);
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
      const JsonValue& c = *stack_[k];
      const bool last = k + 1 == stack_.size();  // its child on the path is not placed yet
      if (c.kind == JsonKind::kObject) {
        std::string_view name = last ? std::string_view(key_) : c.members.back().name;
        if (!out.empty()) out.push_back('.');
        out += name.substr(0, kMaxEchoedName);
        if (name.size() > kMaxEchoedName) out += "...";
      } else {
        const std::size_t index = last ? c.items.size() : c.items.size() - 1;
        out += "[" + std::to_string(index) + "]";
      }
    }
    if (out.empty()) return std::string(what_);
    if (out.front() == '[') return std::string(what_) + out;
    return out;
  }

  // Adds a value to the innermost open container (or makes it the root); returns it, or
  // nullptr (with `error` set) when a limit refuses it.
  JsonValue* place(JsonKind kind, std::string_view text) {
    if (++values_ > limits_.max_values) {
      fail(std::string(what_) + ": more than " + std::to_string(limits_.max_values) + " values");
      return nullptr;
    }
    if (stack_.empty()) {
      root = JsonValue{kind, std::string(text), {}, {}};
      return &root;
    }
    JsonValue& parent = *stack_.back();
    if (parent.kind == JsonKind::kObject) {
      parent.members.push_back(
          JsonMember{std::move(key_), JsonValue{kind, std::string(text), {}, {}}});
      return &parent.members.back().value;
    }
    if (parent.items.size() >= limits_.max_array_elements) {
      fail(path(false) + ": an array of more than " + std::to_string(limits_.max_array_elements) +
           " elements");
      return nullptr;
    }
    parent.items.push_back(JsonValue{kind, std::string(text), {}, {}});
    return &parent.items.back();
  }
  bool add(JsonKind kind, std::string_view text) { return place(kind, text) != nullptr; }
  bool open(JsonKind kind) {
    if (stack_.size() >= limits_.max_depth) {
      return fail(std::string(what_) + ": nested deeper than " + std::to_string(limits_.max_depth) +
                  " levels");
    }
    JsonValue* container = place(kind, {});
    if (container == nullptr) return false;
    // Only the innermost container grows, so the pointers to its open ancestors stay valid.
    stack_.push_back(container);
    return true;
  }
  bool close() {
    stack_.pop_back();
    return true;
  }

  std::string_view what_;
  const JsonLimits& limits_;
  std::vector<JsonValue*> stack_;  // the open containers, outermost first
  std::string key_;                // the name of the member whose value comes next
  std::size_t values_ = 0;
};

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

Result<JsonValue> parse_json(std::string_view text, std::string_view what,
                             const JsonLimits& limits) {
  // RapidJSON reads a NUL as the end of the text, which would hide whatever follows it.
  if (const void* nul = std::memchr(text.data(), '\0', text.size()); nul != nullptr) {
    const auto at = static_cast<const char*>(nul) - text.data();
    return Status::Invalid(std::string(what) + " contains a NUL byte (at offset " +
                           std::to_string(at) + ")");
  }
  BoundedBuilder builder(what, limits);
  rapidjson::Reader reader;
  rapidjson::MemoryStream stream(text.data(), text.size());
  constexpr unsigned kFlags = rapidjson::kParseIterativeFlag |
                              rapidjson::kParseValidateEncodingFlag |
                              rapidjson::kParseNumbersAsStringsFlag;
  // Text of ASCII bytes alone is valid UTF-8: RapidJSON's byte-by-byte check of every string
  // (a good part of the parse) is then skipped, with the same outcome. A \u escape is decoded
  // to valid UTF-8 either way.
  constexpr unsigned kAsciiFlags = kFlags & ~unsigned{rapidjson::kParseValidateEncodingFlag};
  const rapidjson::ParseResult ok = is_ascii(text) ? reader.Parse<kAsciiFlags>(stream, builder)
                                                   : reader.Parse<kFlags>(stream, builder);
  if (!ok) {
    if (!builder.error.empty()) return Status::Invalid(std::move(builder.error));
    return Status::Invalid(std::string(what) +
                           " is not valid JSON: " + rapidjson::GetParseError_En(ok.Code()) +
                           " (at offset " + std::to_string(ok.Offset()) + ")");
  }
  return std::move(builder.root);
}

}  // namespace cdrd
