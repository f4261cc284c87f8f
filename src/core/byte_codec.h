// ByteWriter and ByteReader: the primitives of cdrd's compact binary encodings (the legs of a
// call, core/leg_codec.h; a call in a segment, store/segment/call_codec.h).
//
// Unsigned integers are LEB128 varints (7 bits a byte, low bits first); signed ones zigzag
// varints, so small negative numbers stay short; a string is a varint byte length and its bytes
// (any bytes); an optional is a byte 0 (absent) or 1 followed by its value; a double is its
// 8 bytes (IEEE 754, little-endian), so every value, NaN's bits included, comes back the same.
//
// A ByteReader never reads past its input: the first read that would (or a varint of more than
// 10 bytes, a presence byte other than 0 or 1, a length past the end) makes ok() false, and
// every later read returns zero values. A decoder checks ok() once at its end.
//
// Header-only; no state but the buffer. Not thread-safe (one writer or reader per buffer).
#pragma once

#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>

namespace cdrd {

class ByteWriter {
 public:
  explicit ByteWriter(std::string& out) : out_(out) {}

  void byte(unsigned char b) { out_.push_back(static_cast<char>(b)); }
  void varint(std::uint64_t v) {
    while (v >= 0x80) {
      out_.push_back(static_cast<char>((v & 0x7f) | 0x80));
      v >>= 7;
    }
    out_.push_back(static_cast<char>(v));
  }
  void i64(std::int64_t v) {
    varint((static_cast<std::uint64_t>(v) << 1) ^ static_cast<std::uint64_t>(v >> 63));
  }
  void f64(double v) {
    std::uint64_t bits = 0;
    std::memcpy(&bits, &v, sizeof bits);
    for (int i = 0; i < 8; ++i) out_.push_back(static_cast<char>((bits >> (8 * i)) & 0xff));
  }
  void str(std::string_view s) {
    varint(s.size());
    out_.append(s);
  }
  void opt(const std::optional<std::int64_t>& v) {
    byte(v ? 1 : 0);
    if (v) i64(*v);
  }
  void opt(const std::optional<int>& v) {
    byte(v ? 1 : 0);
    if (v) i64(*v);
  }
  void opt(const std::optional<double>& v) {
    byte(v ? 1 : 0);
    if (v) f64(*v);
  }
  void opt(const std::optional<std::string>& v) {
    byte(v ? 1 : 0);
    if (v) str(*v);
  }

 private:
  std::string& out_;
};

class ByteReader {
 public:
  explicit ByteReader(std::string_view in) : in_(in) {}

  bool ok() const { return ok_; }
  std::size_t remaining() const { return in_.size() - pos_; }

  unsigned char byte() {
    if (pos_ >= in_.size()) return static_cast<unsigned char>(fail());
    return static_cast<unsigned char>(in_[pos_++]);
  }
  std::uint64_t varint() {
    std::uint64_t v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (pos_ >= in_.size()) return fail();
      const auto b = static_cast<unsigned char>(in_[pos_++]);
      v |= static_cast<std::uint64_t>(b & 0x7f) << shift;
      if ((b & 0x80) == 0) return v;
    }
    return fail();
  }
  std::int64_t i64() {
    const std::uint64_t z = varint();
    return static_cast<std::int64_t>((z >> 1) ^ (~(z & 1) + 1));
  }
  // An int that must fit `int`: a larger value fails the reader.
  int i32() {
    const std::int64_t v = i64();
    if (v < INT32_MIN || v > INT32_MAX) return static_cast<int>(fail());
    return static_cast<int>(v);
  }
  double f64() {
    if (remaining() < 8) return static_cast<double>(fail());
    std::uint64_t bits = 0;
    for (int i = 0; i < 8; ++i) {
      bits |= static_cast<std::uint64_t>(static_cast<unsigned char>(in_[pos_++])) << (8 * i);
    }
    double v = 0;
    std::memcpy(&v, &bits, sizeof v);
    return v;
  }
  // A string's bytes, as a view into the input.
  std::string_view view() {
    const std::uint64_t n = varint();
    if (!ok_ || n > remaining()) return fail(), std::string_view();
    const std::string_view s = in_.substr(pos_, n);
    pos_ += n;
    return s;
  }
  std::string str() { return std::string(view()); }
  // A string read into `out`, which keeps its room.
  void str_into(std::string& out) { out.assign(view()); }
  // The forms a field list shared with ByteWriter calls (the value read into its argument):
  // `v.str(leg.flow)` writes with a ByteWriter and reads with a ByteReader.
  void str(std::string& out) { str_into(out); }
  void i64(std::int64_t& out) { out = i64(); }
  bool present() {
    const unsigned char b = byte();
    if (b > 1) fail();
    return ok_ && b == 1;
  }
  void opt(std::optional<std::int64_t>& v) {
    v.reset();
    if (present()) v = i64();
  }
  void opt(std::optional<int>& v) {
    v.reset();
    if (present()) v = i32();
  }
  void opt(std::optional<double>& v) {
    v.reset();
    if (present()) v = f64();
  }
  void opt(std::optional<std::string>& v) {
    v.reset();
    if (present()) v = str();
  }

 private:
  std::uint64_t fail() {
    ok_ = false;
    pos_ = in_.size();
    return 0;
  }

  std::string_view in_;
  std::size_t pos_ = 0;
  bool ok_ = true;
};

}  // namespace cdrd
