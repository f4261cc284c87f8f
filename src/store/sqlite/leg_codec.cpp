#include "store/sqlite/leg_codec.h"

#include <cstdint>
#include <optional>

namespace cdrd::sqlite {
namespace {

constexpr unsigned char kFormatV1 = 0x01;

class Writer {
 public:
  explicit Writer(std::string& out) : out_(out) {}
  void varint(std::uint64_t v) {
    while (v >= 0x80) {
      out_.push_back(static_cast<char>((v & 0x7f) | 0x80));
      v >>= 7;
    }
    out_.push_back(static_cast<char>(v));
  }
  void i64(std::int64_t v) {
    // zigzag: small negative numbers stay short
    varint((static_cast<std::uint64_t>(v) << 1) ^ static_cast<std::uint64_t>(v >> 63));
  }
  void str(const std::string& s) {
    varint(s.size());
    out_.append(s);
  }
  void opt(const std::optional<std::int64_t>& v) {
    out_.push_back(v ? 1 : 0);
    if (v) i64(*v);
  }
  void opt(const std::optional<std::string>& v) {
    out_.push_back(v ? 1 : 0);
    if (v) str(*v);
  }

 private:
  std::string& out_;
};

class Reader {
 public:
  explicit Reader(std::string_view in) : in_(in) {}
  bool ok() const { return ok_; }
  std::size_t remaining() const { return in_.size() - pos_; }

  std::uint64_t varint() {
    std::uint64_t v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (pos_ >= in_.size()) return fail();
      auto b = static_cast<unsigned char>(in_[pos_++]);
      v |= static_cast<std::uint64_t>(b & 0x7f) << shift;
      if ((b & 0x80) == 0) return v;
    }
    return fail();
  }
  std::int64_t i64() {
    std::uint64_t z = varint();
    return static_cast<std::int64_t>((z >> 1) ^ (~(z & 1) + 1));
  }
  unsigned char byte() {
    if (pos_ >= in_.size()) return static_cast<unsigned char>(fail());
    return static_cast<unsigned char>(in_[pos_++]);
  }
  std::string str() {
    std::uint64_t n = varint();
    if (!ok_ || n > remaining()) return fail(), std::string();
    std::string s(in_.substr(pos_, n));
    pos_ += n;
    return s;
  }
  bool present() {
    unsigned char b = byte();
    if (b > 1) fail();
    return ok_ && b == 1;
  }
  void opt(std::optional<std::int64_t>& v) {
    if (present()) v = i64();
  }
  void opt(std::optional<std::string>& v) {
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

}  // namespace

// encode_legs and decode_legs walk the same fields in the same order, one writing and one
// reading: alike on purpose (the format is that order).
std::string encode_legs(const std::vector<CallLeg>& legs) {
  std::string out;
  out.reserve(16 + legs.size() * 256);
  out.push_back(static_cast<char>(kFormatV1));
  Writer w(out);
  w.varint(legs.size());
  for (const CallLeg& l : legs) {
    w.str(l.record_uuid);
    w.str(l.flow);
    w.str(l.result);
    w.str(l.from_username);
    w.str(l.from_domain);
    w.str(l.from_screen_name);
    w.str(l.to_username);
    w.str(l.to_domain);
    w.str(l.source_number);
    w.str(l.source_domain);
    w.str(l.dest_number);
    w.str(l.dest_domain);
    w.str(l.did_number);
    w.str(l.did_domain);
    w.str(l.ani_number);
    w.str(l.application);
    w.opt(l.extension_id);
    w.str(l.extension_name);
    w.str(l.extension_type);
    w.opt(l.extension_group_owner_id);
    w.opt(l.ext_number_reg);
    w.str(l.hangup_cause);
    w.str(l.hangup_disposition);
    w.i64(l.init_time);
    w.opt(l.start_time);
    w.i64(l.hangup_time);
    w.i64(l.duration_s);
    w.i64(l.record_file_size);
  }
  return out;
}

Result<std::vector<CallLeg>> decode_legs(std::string_view blob) {
  if (blob.empty() || static_cast<unsigned char>(blob[0]) != kFormatV1) {
    return Status::IOError("corrupt legs: unknown format");
  }
  Reader r(blob.substr(1));
  std::uint64_t n = r.varint();
  // Every leg takes well over one byte; a larger count is corruption, not a reason to allocate.
  if (!r.ok() || n > r.remaining()) return Status::IOError("corrupt legs: bad count");
  std::vector<CallLeg> legs(n);
  for (CallLeg& l : legs) {
    l.record_uuid = r.str();
    l.flow = r.str();
    l.result = r.str();
    l.from_username = r.str();
    l.from_domain = r.str();
    l.from_screen_name = r.str();
    l.to_username = r.str();
    l.to_domain = r.str();
    l.source_number = r.str();
    l.source_domain = r.str();
    l.dest_number = r.str();
    l.dest_domain = r.str();
    l.did_number = r.str();
    l.did_domain = r.str();
    l.ani_number = r.str();
    l.application = r.str();
    r.opt(l.extension_id);
    l.extension_name = r.str();
    l.extension_type = r.str();
    r.opt(l.extension_group_owner_id);
    r.opt(l.ext_number_reg);
    l.hangup_cause = r.str();
    l.hangup_disposition = r.str();
    l.init_time = r.i64();
    r.opt(l.start_time);
    l.hangup_time = r.i64();
    l.duration_s = r.i64();
    l.record_file_size = r.i64();
    if (!r.ok()) return Status::IOError("corrupt legs: truncated");
  }
  if (r.remaining() != 0) return Status::IOError("corrupt legs: trailing bytes");
  return legs;
}

}  // namespace cdrd::sqlite
