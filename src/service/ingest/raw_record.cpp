#include "service/ingest/raw_record.h"

#include <array>
#include <utility>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

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

// The common line read without the general reader: one object of at most kFastMembers members,
// each value a string, a plain number, true, false or null, every byte printable ASCII (DEL is
// left to the reader too, so a string without escapes is known printable: RawView::printable),
// strings without \u escapes. Such a line is read to exactly the fields parse_json_tape and to_raw
// give (json_reader.h), in one pass, as views (FlatRecord): into the line, or for a string with
// escapes into the record's `unescaped`, whose room is made for the whole line before the first
// byte is written (a decoded string is never longer than its text in the line), so no view
// moves. Anything else (nesting, other bytes, \u, an exponent or a long number, a limit in
// reach, or any error) makes it answer false, and the line goes to the general reader, which
// decides it as always: so what the fast reading accepts is a subset of what the reader
// accepts, and every refusal and its message stays the reader's. ndjson_fast_path_test.cpp
// compares the two over many lines.
//
// Its small steps are always inlined into read(): a call per field and per blank cost more than
// the steps themselves.
class FlatLine {
 public:
  explicit FlatLine(std::string_view line) : p_(line.data()), end_(line.data() + line.size()) {}

  bool read(FlatRecord& out) {
    out.fields.clear();
    out.unescaped.clear();
    out.unescaped.reserve(static_cast<std::size_t>(end_ - p_));
    unescaped_ = &out.unescaped;
    skip_blanks();
    if (!take('{')) return false;
    skip_blanks();
    if (!take('}')) {
      while (true) {
        if (out.fields.size() == kFastMembers) return false;
        FlatField& f = out.fields.emplace_back();
        bool name_printable;  // unused: a name is looked up, never checked as text
        if (!take('"') || !string(f.name, name_printable)) return false;
        skip_blanks();
        if (!take(':')) return false;
        skip_blanks();
        if (!value(f.value)) return false;
        skip_blanks();
        if (take(',')) {
          skip_blanks();
          continue;
        }
        if (take('}')) break;
        return false;
      }
    }
    skip_blanks();
    return p_ == end_;
  }

 private:
  // Below the reader's limits (JsonLimits: 256 members, 16384 bytes a string), so that no limit
  // is ever decided here. A number of at most kFastNumber characters without an exponent is
  // one RapidJSON reads without a range check (it refuses only exponents and integer parts
  // beyond double's range).
  static constexpr std::size_t kFastMembers = 200;
  static constexpr std::size_t kFastString = 16000;
  static constexpr std::size_t kFastNumber = 20;

  // Bytes a string holds as they are: printable ASCII, but '"' and '\\'.
  static constexpr std::array<bool, 256> kPlain = [] {
    std::array<bool, 256> t{};
    for (int c = 0x20; c < 0x7F; ++c) t[static_cast<std::size_t>(c)] = c != '"' && c != '\\';
    return t;
  }();

  [[gnu::always_inline]] bool take(char c) {
    if (p_ == end_ || *p_ != c) return false;
    ++p_;
    return true;
  }
  [[gnu::always_inline]] void skip_blanks() {
    // Every blank is at most ' ': one comparison passes the common byte that follows none.
    while (p_ != end_ && static_cast<unsigned char>(*p_) <= ' ' &&
           (*p_ == ' ' || *p_ == '\t' || *p_ == '\n' || *p_ == '\r')) {
      ++p_;
    }
  }
  static bool plain(char c) { return kPlain[static_cast<unsigned char>(c)]; }

  // The first byte at or after `p` that is not plain(), or `end`: 16 bytes at a time where
  // SSE2 is there (baseline on x86-64), loading only within [p, end).
  [[gnu::always_inline]] static const char* skip_plain(const char* p, const char* end) {
#if defined(__SSE2__)
    const __m128i quote = _mm_set1_epi8('"');
    const __m128i backslash = _mm_set1_epi8('\\');
    const __m128i one = _mm_set1_epi8(1);
    const __m128i past_space = _mm_set1_epi8(0x21);
    while (end - p >= 16) {
      const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
      // Each byte plus one, as a signed byte: the printable ones (0x20-0x7E) become 0x21-0x7F,
      // and every other is below 0x21 (the control characters 0x01-0x20, 0xFF 0x00, DEL and
      // the bytes from 0x80 up negative): one comparison finds them all.
      const __m128i stop =
          _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, backslash)),
                       _mm_cmplt_epi8(_mm_add_epi8(v, one), past_space));
      const int mask = _mm_movemask_epi8(stop);
      if (mask != 0) return p + __builtin_ctz(static_cast<unsigned>(mask));
      p += 16;
    }
#endif
    while (p != end && plain(*p)) ++p;
    return p;
  }

  // After the opening quote: the string's text as `out`, up to and past the closing quote. A
  // string without escapes is seen in the line, and `printable` is set (every byte of it is
  // printable ASCII); one with escapes is decoded onto the end of `unescaped_` (within the room
  // made for the line, so the earlier views stay put), and `printable` is cleared.
  [[gnu::always_inline]] bool string(std::string_view& out, bool& printable) {
    const char* const from = p_;
    p_ = skip_plain(p_, end_);
    if (p_ == end_) return false;
    if (*p_ == '"') {
      if (static_cast<std::size_t>(p_ - from) > kFastString) return false;
      out = std::string_view(from, static_cast<std::size_t>(p_ - from));
      printable = true;
      ++p_;
      return true;
    }
    if (*p_ != '\\') return false;
    printable = false;
    return unescape(from, out);
  }

  // The rest of string() for a string with escapes, from its first byte `from` (p_ is at its
  // first backslash): decoded onto the end of `unescaped_`. Out of line: rare.
  [[gnu::noinline]] bool unescape(const char* from, std::string_view& out) {
    std::string& buf = *unescaped_;
    const std::size_t start = buf.size();
    buf.append(from, static_cast<std::size_t>(p_ - from));
    while (true) {
      const char* const run = p_;
      p_ = skip_plain(p_, end_);
      buf.append(run, static_cast<std::size_t>(p_ - run));
      if (p_ == end_) return false;
      const char c = *p_++;
      if (c == '"') break;
      if (c != '\\' || p_ == end_) return false;
      switch (*p_++) {
        case '"':
          buf.push_back('"');
          break;
        case '\\':
          buf.push_back('\\');
          break;
        case '/':
          buf.push_back('/');
          break;
        case 'b':
          buf.push_back('\b');
          break;
        case 'f':
          buf.push_back('\f');
          break;
        case 'n':
          buf.push_back('\n');
          break;
        case 'r':
          buf.push_back('\r');
          break;
        case 't':
          buf.push_back('\t');
          break;
        default:  // \u and anything invalid
          return false;
      }
    }
    out = std::string_view(buf.data() + start, buf.size() - start);
    return out.size() <= kFastString;
  }

  static bool digit(char c) { return c >= '0' && c <= '9'; }

  [[gnu::always_inline]] bool number(std::string_view& out) {
    const char* const from = p_;
    take('-');
    if (p_ == end_ || !digit(*p_)) return false;
    if (*p_++ != '0') {
      while (p_ != end_ && digit(*p_)) ++p_;
    }
    if (take('.')) {
      if (p_ == end_ || !digit(*p_)) return false;
      while (p_ != end_ && digit(*p_)) ++p_;
    }
    // What may follow a member's value; anything else (an exponent, a digit after a leading
    // 0) is the reader's to decide.
    if (p_ != end_ && *p_ != ',' && *p_ != '}' && *p_ != ' ' && *p_ != '\t' && *p_ != '\n' &&
        *p_ != '\r') {
      return false;
    }
    const auto n = static_cast<std::size_t>(p_ - from);
    if (n > kFastNumber) return false;
    out = std::string_view(from, n);
    return true;
  }

  [[gnu::always_inline]] bool literal(std::string_view word) {
    if (static_cast<std::size_t>(end_ - p_) < word.size() ||
        std::string_view(p_, word.size()) != word) {
      return false;
    }
    p_ += word.size();
    return true;
  }

  [[gnu::always_inline]] bool value(RawView& out) {
    if (p_ == end_) return false;
    switch (*p_) {
      case '"':
        ++p_;
        out.kind = RawKind::kString;
        return string(out.text, out.printable);
      case 't':
        out.kind = RawKind::kBool;
        out.text = "true";
        return literal("true");
      case 'f':
        out.kind = RawKind::kBool;
        out.text = "false";
        return literal("false");
      case 'n':
        out.kind = RawKind::kNull;
        out.text = std::string_view();
        return literal("null");
      default:
        out.kind = RawKind::kNumber;
        return number(out.text);
    }
  }

  const char* p_;
  const char* const end_;
  std::string* unescaped_ = nullptr;
};

}  // namespace

bool read_flat_line(std::string_view line, FlatRecord& out) { return FlatLine(line).read(out); }

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
  // The record's storage comes from the pool, and the reader's tape is reused from line to line
  // on each thread: once warm, a line costs no allocation.
  RawRecord record(pool().take());
  thread_local FlatRecord flat;
  if (read_flat_line(line, flat)) {
    record.fields.resize(flat.fields.size());
    for (std::size_t k = 0; k < flat.fields.size(); ++k) {
      const FlatField& from = flat.fields[k];
      RawField& f = record.fields[k];
      // Into the room the pooled strings have: an append to an emptied string is a copy and a
      // length, where assign() first works out whether the text overlaps the string's own.
      f.name.clear();
      f.name.append(from.name);
      f.value.kind = from.value.kind;
      f.value.text.clear();
      f.value.text.append(from.value.text);
      f.value.items.clear();
      f.value.members.clear();
    }
    return record;
  }
  thread_local JsonTape tape;
  // Ingest's own bounds: a record holds at most kMaxLegs (1000) legs, checked again, with the
  // field's name, by the validator.
  RETURN_IF_ERROR(parse_json_tape(line, "line", JsonLimits{}, tape));
  const JsonTape::Node& root = tape.nodes.front();
  if (root.kind != JsonKind::kObject) {
    return Status::Invalid("line is not a JSON object: each line must be one {...} record");
  }
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

std::string describe(const RawValue& value) { return describe(value.kind, value.text); }

std::string describe(RawKind kind, std::string_view text) {
  constexpr std::size_t kMax = 40;
  switch (kind) {
    case RawKind::kString:
    case RawKind::kText:
      return "'" + excerpt(text, kMax) + "'";
    case RawKind::kNumber:
      return excerpt(text, kMax);
    case RawKind::kBool:
      return std::string(text);
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
