#include "store/index/index_snapshot.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <memory>
#include <optional>
#include <thread>
#include <unordered_map>

#include "core/errno_text.h"

namespace cdrd::index {
namespace {

constexpr std::string_view kMagic = "CDRDIXS\n";
constexpr std::string_view kTrailer = "CDRDEND\n";
// Flags of a call's first byte.
constexpr std::uint8_t kHasCause = 1, kHasBridged = 2, kHasExtension = 4;
// The digits a number may have to be written as an integer (10^19 < 2^64).
constexpr std::size_t kMaxNumberDigits = 19;

// A 64-bit checksum, eight bytes a step (a multiply-xorshift mix: catches any torn or flipped
// part of the file; not a defence against a forger, who could write the store itself).
std::uint64_t checksum(std::string_view bytes) {
  std::uint64_t h = 0x9E3779B97F4A7C15ULL ^ bytes.size();
  std::size_t i = 0;
  auto mix = [&h](std::uint64_t w) {
    h ^= w * 0xBF58476D1CE4E5B9ULL;
    h = (h << 27 | h >> 37) * 0x94D049BB133111EBULL;
  };
  for (; i + 8 <= bytes.size(); i += 8) {
    std::uint64_t w;
    std::memcpy(&w, bytes.data() + i, 8);
    mix(w);
  }
  std::uint64_t tail = 0;
  for (std::size_t k = 0; i < bytes.size(); ++i, ++k) {
    tail |= std::uint64_t{static_cast<unsigned char>(bytes[i])} << (8 * k);
  }
  mix(tail);
  return h ^ (h >> 31);
}

void put_varint(std::string& out, std::uint64_t v) {
  while (v >= 0x80) {
    out += static_cast<char>((v & 0x7F) | 0x80);
    v >>= 7;
  }
  out += static_cast<char>(v);
}
void put_signed(std::string& out, std::int64_t v) {
  put_varint(out, (static_cast<std::uint64_t>(v) << 1) ^ static_cast<std::uint64_t>(v >> 63));
}
void put_u64(std::string& out, std::uint64_t v) {
  for (int i = 0; i < 8; ++i) out += static_cast<char>((v >> (8 * i)) & 0xFF);
}
void put_string(std::string& out, std::string_view s) {
  put_varint(out, s.size());
  out += s;
}

// Reads what the put_ functions wrote; the first read past the end (or a malformed varint)
// makes ok() false, and every read after it returns 0.
class Reader {
 public:
  explicit Reader(std::string_view bytes) : p_(bytes) {}
  bool ok() const { return ok_; }
  std::size_t left() const { return p_.size(); }
  std::uint64_t varint() {
    std::uint64_t v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (p_.empty()) return fail();
      const auto b = static_cast<unsigned char>(p_.front());
      p_.remove_prefix(1);
      v |= std::uint64_t{b & 0x7Fu} << shift;
      if ((b & 0x80) == 0) return v;
    }
    return fail();
  }
  std::int64_t signed_varint() {
    const std::uint64_t z = varint();
    return static_cast<std::int64_t>((z >> 1) ^ (~(z & 1) + 1));
  }
  std::uint64_t u64() {
    const std::string_view b = bytes(8);
    std::uint64_t v = 0;
    for (std::size_t i = 0; i < b.size(); ++i) {
      v |= std::uint64_t{static_cast<unsigned char>(b[i])} << (8 * i);
    }
    return v;
  }
  std::uint8_t byte() {
    const std::string_view b = bytes(1);
    return b.empty() ? 0 : static_cast<std::uint8_t>(b[0]);
  }
  std::string_view bytes(std::uint64_t n) {
    if (!ok_ || n > p_.size()) {
      fail();
      return {};
    }
    const std::string_view b = p_.substr(0, n);
    p_.remove_prefix(n);
    return b;
  }
  std::string_view string() { return bytes(varint()); }

 private:
  std::uint64_t fail() {
    ok_ = false;
    p_ = {};
    return 0;
  }
  std::string_view p_;
  bool ok_ = true;
};

// Whether `s` is 0 to 19 digits: written as its digit count and value.
bool short_digits(std::string_view s) {
  if (s.size() > kMaxNumberDigits) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

// One account's payload; adds its calls to `stats`.
Result<std::string> encode_account(const SnapshotAccount& a, SnapshotStats& stats) {
  if (!a.index->exact()) {
    return Status::Invalid("account " + std::to_string(a.account_id) +
                           ": its list index is not exact, so it cannot be written");
  }
  // The strings for_each_call gives out are views into the index's own dictionary, where equal
  // strings are one: so they are told apart by where they are, without hashing their text (a
  // string met at two places is written twice, which costs bytes, never correctness). The
  // index does not change while it is written (its lock is held), so the views stay valid.
  // An open-addressing table of table ids + 1 (0: empty), at most half full.
  std::vector<std::string_view> table;
  std::vector<std::uint32_t> slots(1024, 0);
  std::string calls;
  calls.reserve(a.index->size() * 32);
  auto place_hash = [](std::string_view s) {
    std::uint64_t h = reinterpret_cast<std::uintptr_t>(s.data()) ^ (s.size() << 48);
    h *= 0x9E3779B97F4A7C15ULL;
    return h ^ (h >> 29);
  };
  auto slot_of = [&](std::string_view s) {
    const std::size_t mask = slots.size() - 1;
    for (std::size_t i = place_hash(s) & mask;; i = (i + 1) & mask) {
      if (slots[i] == 0) return i;
      const std::string_view t = table[slots[i] - 1];
      if (t.data() == s.data() && t.size() == s.size()) return i;
    }
  };
  auto ref = [&](std::string_view s) {
    std::size_t i = slot_of(s);
    if (slots[i] == 0) {
      if (2 * (table.size() + 1) > slots.size()) {
        slots.assign(2 * slots.size(), 0);
        for (std::uint32_t id = 0; id < table.size(); ++id) slots[slot_of(table[id])] = id + 1;
        i = slot_of(s);
      }
      table.push_back(s);
      slots[i] = static_cast<std::uint32_t>(table.size());
    }
    put_varint(calls, slots[i] - 1);
  };
  // Numbers are views valid during one call only: any other (a SIP username, over 19 digits;
  // few) goes through a table of copies.
  std::unordered_map<std::string, std::uint32_t> odd_numbers;
  std::vector<std::unique_ptr<std::string>> odd_texts;
  // A number of at most 19 digits, with or without one '+': tag 1 + (digits * 2 + plus), then
  // its value; any other: tag 0, then its table id.
  auto number = [&](std::string_view n) {
    const bool plus = !n.empty() && n.front() == '+';
    const std::string_view d = plus ? n.substr(1) : n;
    if (short_digits(d)) {
      std::uint64_t v = 0;
      for (char c : d) v = v * 10 + static_cast<std::uint64_t>(c - '0');
      put_varint(calls, 1 + d.size() * 2 + (plus ? 1 : 0));
      put_varint(calls, v);
      return;
    }
    put_varint(calls, 0);
    auto [it, fresh] =
        odd_numbers.try_emplace(std::string(n), static_cast<std::uint32_t>(table.size()));
    if (fresh) {
      odd_texts.push_back(std::make_unique<std::string>(n));
      table.push_back(*odd_texts.back());
    }
    put_varint(calls, it->second);
  };
  std::int64_t prev_id = 0, prev_end = 0, max_id = 0;
  std::size_t n = 0;
  a.index->for_each_call([&](const IndexedCall& c) {
    max_id = n == 0 ? c.id : std::max(max_id, c.id);
    ++n;
    put_signed(calls, c.id - prev_id);
    put_signed(calls, c.end_time - prev_end);
    prev_id = c.id, prev_end = c.end_time;
    // end - initiation in two's complement (either may be anywhere in int64).
    put_signed(calls, static_cast<std::int64_t>(static_cast<std::uint64_t>(c.end_time) -
                                                static_cast<std::uint64_t>(c.initiation_time)));
    std::uint8_t flags = 0;
    if (c.hangup_cause_code) flags |= kHasCause;
    if (c.bridged_duration_s) flags |= kHasBridged;
    if (c.extension_id) flags |= kHasExtension;
    calls += static_cast<char>(flags);
    calls += static_cast<char>(static_cast<unsigned>(c.direction) |
                               static_cast<unsigned>(c.hangup_source) << 1 |
                               static_cast<unsigned>(c.stir_verification) << 4);
    number(c.from_number);
    number(c.to_number);
    ref(c.trunk_id);
    // A username (or DID) that is its call's number (SIP-trunk calls are named by theirs): a
    // byte 0; any other: a byte 1, then its table id. (The index gives the former as views
    // into a buffer it reuses, which the table must not keep.)
    auto user = [&](std::string_view name, std::string_view number) {
      if (name == number) {
        put_varint(calls, 0);
      } else {
        calls += '\x01';
        ref(name);
      }
    };
    user(c.from_username, c.from_number);
    user(c.to_username, c.to_number);
    user(c.bridged_username, c.to_number);
    user(c.did_number, c.to_number);
    put_signed(calls, c.duration_s);
    put_signed(calls, c.bill_duration_s);
    if (c.hangup_cause_code) put_signed(calls, *c.hangup_cause_code);
    if (c.bridged_duration_s) put_signed(calls, *c.bridged_duration_s);
    if (c.extension_id) put_signed(calls, *c.extension_id);
  });
  stats.calls += n;
  if (n > 0) stats.max_call_id = std::max(stats.max_call_id, max_id);
  std::string out;
  out.reserve(calls.size() + 64);
  put_signed(out, a.account_id);
  put_varint(out, n);
  put_varint(out, table.size());
  for (std::string_view s : table) put_string(out, s);
  out += calls;
  return out;
}

std::string encode_header(const SnapshotMeta& meta, std::size_t accounts) {
  std::string h(kMagic);
  for (int i = 0; i < 4; ++i) h += static_cast<char>((kSnapshotVersion >> (8 * i)) & 0xFF);
  put_string(h, meta.token);
  put_signed(h, meta.last_call_id);
  put_varint(h, accounts);
  put_u64(h, checksum(h));
  return h;
}

// Reads one account's payload into an index; kIOError naming the first doubt.
Result<std::pair<std::int64_t, AccountCallIndex>> decode_account(std::string_view payload,
                                                                 std::size_t chunk_rows) {
  Reader r(payload);
  const std::int64_t account_id = r.signed_varint();
  const std::string where = "account " + std::to_string(account_id) + ": ";
  const std::uint64_t n = r.varint();
  const std::uint64_t strings = r.varint();
  // Each string takes a byte at least, each call more: counts past the bytes are corrupt.
  if (!r.ok() || strings > r.left() || n > r.left()) {
    return Status::IOError(where + "counts past the end of the payload");
  }
  std::vector<std::string_view> table(strings);
  for (std::string_view& s : table) s = r.string();
  if (!r.ok()) return Status::IOError(where + "a string past the end of the payload");
  auto ref = [&](std::string_view& out) {
    const std::uint64_t i = r.varint();
    if (i >= table.size()) return false;
    out = table[i];
    return true;
  };
  char digits[kMaxNumberDigits + 1];
  char digits_to[kMaxNumberDigits + 1];
  auto number = [&](std::string_view& out, char* buf) {
    const std::uint64_t tag = r.varint();
    if (tag == 0) return ref(out);
    const std::uint64_t count = (tag - 1) / 2, plus = (tag - 1) % 2;
    std::uint64_t v = r.varint();
    if (count > kMaxNumberDigits) return false;
    buf[0] = '+';
    for (std::uint64_t k = count; k > 0; --k) {
      buf[plus + k - 1] = static_cast<char>('0' + v % 10);
      v /= 10;
    }
    out = std::string_view(buf, count + plus);
    return v == 0;  // the value had no more digits than its count
  };
  auto user = [&](std::string_view& out, std::string_view number) {
    const std::uint8_t form = r.byte();
    if (form == 0) {
      out = number;
      return true;
    }
    return form == 1 && ref(out);
  };
  AccountCallIndex index(chunk_rows);
  std::int64_t prev_id = 0, prev_end = 0;
  for (std::uint64_t k = 0; k < n; ++k) {
    IndexedCall c;
    c.id = static_cast<std::int64_t>(static_cast<std::uint64_t>(prev_id) +
                                     static_cast<std::uint64_t>(r.signed_varint()));
    c.end_time = static_cast<std::int64_t>(static_cast<std::uint64_t>(prev_end) +
                                           static_cast<std::uint64_t>(r.signed_varint()));
    if (k > 0 && !(c.end_time > prev_end || (c.end_time == prev_end && c.id > prev_id))) {
      return Status::IOError(where + "calls out of (end_time, id) order at call " +
                             std::to_string(k));
    }
    prev_id = c.id, prev_end = c.end_time;
    c.initiation_time = static_cast<std::int64_t>(static_cast<std::uint64_t>(c.end_time) -
                                                  static_cast<std::uint64_t>(r.signed_varint()));
    const std::uint8_t flags = r.byte();
    const std::uint8_t enums = r.byte();
    const unsigned dir = enums & 1u, source = (enums >> 1) & 7u, stir = enums >> 4;
    if ((flags & ~(kHasCause | kHasBridged | kHasExtension)) != 0 ||
        source > static_cast<unsigned>(HangupSource::kZentrunk) ||
        stir > static_cast<unsigned>(StirVerification::kNotVerified)) {
      return Status::IOError(where + "unknown flags or enum values at call " + std::to_string(k));
    }
    c.direction = static_cast<Direction>(dir);
    c.hangup_source = static_cast<HangupSource>(source);
    c.stir_verification = static_cast<StirVerification>(stir);
    bool ok = number(c.from_number, digits) && number(c.to_number, digits_to);
    ok = ok && ref(c.trunk_id) && user(c.from_username, c.from_number) &&
         user(c.to_username, c.to_number) && user(c.bridged_username, c.to_number) &&
         user(c.did_number, c.to_number);
    c.duration_s = r.signed_varint();
    c.bill_duration_s = r.signed_varint();
    if (flags & kHasCause) {
      const std::int64_t code = r.signed_varint();
      if (code < 0 || code > 0xFFFF) ok = false;
      c.hangup_cause_code = static_cast<int>(code);
    }
    if (flags & kHasBridged) c.bridged_duration_s = r.signed_varint();
    if (flags & kHasExtension) c.extension_id = r.signed_varint();
    if (!ok || !r.ok()) {
      return Status::IOError(where + "malformed call " + std::to_string(k) + " of " +
                             std::to_string(n));
    }
    index.add(c);
  }
  if (r.left() != 0) return Status::IOError(where + "bytes after its last call");
  if (!index.exact()) return Status::IOError(where + "a value the index cannot hold");
  // No compact(): calls added in order leave every chunk as full as compact() packs them.
  return std::pair(account_id, std::move(index));
}

}  // namespace

Result<std::string> encode_snapshot(const SnapshotMeta& meta,
                                    const std::vector<SnapshotAccount>& accounts) {
  std::string out = encode_header(meta, accounts.size());
  SnapshotStats stats;
  for (const SnapshotAccount& a : accounts) {
    ASSIGN_OR_RETURN(const std::string payload, encode_account(a, stats));
    put_u64(out, payload.size());
    out += payload;
    put_u64(out, checksum(payload));
  }
  out += kTrailer;
  return out;
}

bool write_all(int fd, std::string_view bytes) {
  while (!bytes.empty()) {
    const ssize_t w = ::write(fd, bytes.data(), bytes.size());
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return false;
    bytes.remove_prefix(static_cast<std::size_t>(w));
  }
  return true;
}

Status replace_file(const std::string& tmp, const std::string& path) {
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    Status s = Status::IOError("cannot rename " + tmp + " to " + path + ": " + errno_text());
    ::unlink(tmp.c_str());
    return s;
  }
  std::string dir = std::filesystem::path(path).parent_path().string();
  if (dir.empty()) dir = ".";
  const int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    const bool synced = ::fsync(dfd) == 0;
    ::close(dfd);
    if (!synced) return Status::IOError("cannot sync the directory of " + path);
  }
  return Status::Ok();
}

Result<SnapshotStats> write_snapshot_file(const std::string& path, const SnapshotMeta& meta,
                                          const std::vector<SnapshotAccount>& accounts) {
  SnapshotStats stats;
  const std::string tmp = path + ".tmp";
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return Status::IOError("cannot create " + tmp + ": " + errno_text());
  auto write_all = [fd](std::string_view b) { return index::write_all(fd, b); };
  Status status;
  const std::string header = encode_header(meta, accounts.size());
  bool ok = write_all(header);
  stats.bytes = header.size() + kTrailer.size();
  // Two accounts at a time, encoded on two threads (the checksums too), then written in order:
  // the encoded forms of two accounts at most are in memory.
  for (std::size_t i = 0; ok && i < accounts.size(); i += 2) {
    struct Encoded {
      Result<std::string> payload = std::string();
      SnapshotStats stats;
      std::uint64_t sum = 0;
    };
    Encoded e[2];
    auto encode = [&accounts, &e, i](std::size_t k) {
      e[k].payload = encode_account(accounts[i + k], e[k].stats);
      if (e[k].payload.ok()) e[k].sum = checksum(*e[k].payload);
    };
    const std::size_t n = std::min<std::size_t>(2, accounts.size() - i);
    std::thread second;
    if (n == 2) second = std::thread(encode, 1);
    encode(0);
    if (second.joinable()) second.join();
    for (std::size_t k = 0; ok && k < n; ++k) {
      if (!e[k].payload.ok()) {
        status = e[k].payload.status();
        ok = false;
        break;
      }
      const std::string& payload = *e[k].payload;
      std::string framed;
      put_u64(framed, payload.size());
      ok = write_all(framed) && write_all(payload);
      framed.clear();
      put_u64(framed, e[k].sum);
      ok = ok && write_all(framed);
      stats.bytes += 16 + payload.size();
      stats.calls += e[k].stats.calls;
      stats.max_call_id = std::max(stats.max_call_id, e[k].stats.max_call_id);
    }
  }
  ok = ok && write_all(kTrailer) && ::fsync(fd) == 0;
  if (!ok && status.ok()) status = Status::IOError("cannot write " + tmp + ": " + errno_text());
  ::close(fd);
  if (!status.ok()) {
    ::unlink(tmp.c_str());
    return status;
  }
  if (const Status replaced = replace_file(tmp, path); !replaced.ok()) return replaced;
  return stats;
}

namespace {

// The header's fields; `r` is left after it.
Result<SnapshotMeta> decode_header(std::string_view bytes, Reader& r, std::uint64_t& accounts) {
  if (bytes.size() < kMagic.size() + 4 || bytes.substr(0, kMagic.size()) != kMagic) {
    return Status::IOError("not an index snapshot (no magic)");
  }
  r.bytes(kMagic.size());
  const std::string_view v = r.bytes(4);
  std::uint32_t version = 0;
  for (std::size_t i = 0; i < 4; ++i) {
    version |= std::uint32_t{static_cast<unsigned char>(v[i])} << (8 * i);
  }
  if (version != kSnapshotVersion) {
    return Status::IOError("snapshot format version " + std::to_string(version) +
                           ", this cdrd reads version " + std::to_string(kSnapshotVersion));
  }
  SnapshotMeta meta;
  meta.token = std::string(r.string());
  meta.last_call_id = r.signed_varint();
  accounts = r.varint();
  const std::size_t header_size = bytes.size() - r.left();
  const std::uint64_t sum = r.u64();
  if (!r.ok()) return Status::IOError("the snapshot header is truncated");
  if (sum != checksum(bytes.substr(0, header_size))) {
    return Status::IOError("the snapshot header's checksum does not match");
  }
  return meta;
}

}  // namespace

Result<LoadedSnapshot> decode_snapshot(std::string_view bytes, std::size_t threads,
                                       std::size_t chunk_rows) {
  Reader r(bytes);
  std::uint64_t accounts = 0;
  LoadedSnapshot out;
  ASSIGN_OR_RETURN(out.meta, decode_header(bytes, r, accounts));
  // Frame every payload and check its checksum first, then decode them in parallel.
  std::vector<std::pair<std::string_view, std::uint64_t>> payloads;  // and their checksums
  for (std::uint64_t i = 0; i < accounts; ++i) {
    const std::uint64_t size = r.u64();
    const std::string_view payload = r.bytes(size);
    const std::uint64_t sum = r.u64();
    if (!r.ok()) {
      return Status::IOError("the snapshot is truncated in account section " + std::to_string(i));
    }
    payloads.emplace_back(payload, sum);
  }
  if (r.bytes(kTrailer.size()) != kTrailer || !r.ok() || r.left() != 0) {
    return Status::IOError("the snapshot does not end with its trailer");
  }
  std::vector<std::optional<Result<std::pair<std::int64_t, AccountCallIndex>>>> decoded(
      payloads.size());
  std::atomic<std::size_t> next{0};
  auto work = [&] {
    for (std::size_t i; (i = next.fetch_add(1)) < payloads.size();) {
      const auto [p, sum] = payloads[i];
      if (sum != checksum(p)) {
        decoded[i] = Status::IOError("the checksum of account section " + std::to_string(i) +
                                     " does not match");
      } else {
        decoded[i] = decode_account(p, chunk_rows);
      }
    }
  };
  std::vector<std::thread> pool;
  for (std::size_t t = 1; t < std::min(threads, payloads.size()); ++t) pool.emplace_back(work);
  work();
  for (std::thread& t : pool) t.join();
  for (auto& d : decoded) {
    if (!d->ok()) return d->status();
    out.calls += (*d)->second.size();
    for (const auto& [id, _] : out.accounts) {
      if (id == (*d)->first) {
        return Status::IOError("account " + std::to_string(id) + " twice in the snapshot");
      }
    }
    out.accounts.push_back(std::move(**d));
  }
  return out;
}

namespace {

// The file mapped read-only for as long as it lives.
class MappedFile {
 public:
  static Result<MappedFile> open(const std::string& path) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
      if (errno == ENOENT) return Status::NotFound("no index snapshot " + path);
      return Status::IOError("cannot open " + path + ": " + errno_text());
    }
    struct stat st {};
    if (::fstat(fd, &st) != 0) {
      ::close(fd);
      return Status::IOError("cannot stat " + path + ": " + errno_text());
    }
    MappedFile f;
    f.size_ = static_cast<std::size_t>(st.st_size);
    if (f.size_ > 0) {
      void* p = ::mmap(nullptr, f.size_, PROT_READ, MAP_PRIVATE, fd, 0);
      if (p == MAP_FAILED) {
        ::close(fd);
        return Status::IOError("cannot map " + path + ": " + errno_text());
      }
      (void)::madvise(p, f.size_, MADV_SEQUENTIAL);
      f.data_ = static_cast<const char*>(p);
    }
    ::close(fd);
    return f;
  }
  MappedFile() = default;
  MappedFile(MappedFile&& o) noexcept : data_(std::exchange(o.data_, nullptr)), size_(o.size_) {}
  MappedFile& operator=(MappedFile&&) = delete;
  ~MappedFile() {
    if (data_ != nullptr) ::munmap(const_cast<char*>(data_), size_);
  }
  std::string_view bytes() const { return {data_, size_}; }

 private:
  const char* data_ = nullptr;
  std::size_t size_ = 0;
};

}  // namespace

Result<LoadedSnapshot> read_snapshot_file(const std::string& path, std::size_t threads,
                                          std::size_t chunk_rows) {
  ASSIGN_OR_RETURN(const MappedFile f, MappedFile::open(path));
  return decode_snapshot(f.bytes(), threads, chunk_rows);
}

Result<SnapshotMeta> read_snapshot_meta(const std::string& path) {
  ASSIGN_OR_RETURN(const MappedFile f, MappedFile::open(path));
  Reader r(f.bytes());
  std::uint64_t accounts = 0;
  return decode_header(f.bytes(), r, accounts);
}

std::uint64_t snapshot_checksum(std::string_view bytes) { return checksum(bytes); }

}  // namespace cdrd::index
