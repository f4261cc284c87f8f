#include "store/index/uuid_snapshot.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>

#include "core/errno_text.h"

namespace cdrd::index {
namespace {

constexpr std::string_view kMagic = "CDRDUUS\n";
constexpr std::string_view kTrailer = "CDRDEND\n";
// An id at most this far past the base is written in 4 bytes (CallUuidMap keeps the same ones
// in its main table).
constexpr std::uint64_t kMaxOffset = std::numeric_limits<std::uint32_t>::max() - 1;
constexpr std::size_t kNarrowEntry = 12, kWideEntry = 16;

template <class T>
void put(std::string& out, T v) {
  using U = std::make_unsigned_t<T>;
  const auto u = static_cast<U>(v);
  for (std::size_t i = 0; i < sizeof(T); ++i) out += static_cast<char>((u >> (8 * i)) & 0xFF);
}

// Reads what put() wrote; the first read past the end makes ok() false (and returns 0).
class Reader {
 public:
  explicit Reader(std::string_view bytes) : p_(bytes) {}
  bool ok() const { return ok_; }
  std::size_t left() const { return p_.size(); }
  template <class T>
  T get() {
    const std::string_view b = bytes(sizeof(T));
    std::make_unsigned_t<T> u = 0;
    for (std::size_t i = 0; i < b.size(); ++i) {
      u |= static_cast<std::make_unsigned_t<T>>(static_cast<unsigned char>(b[i])) << (8 * i);
    }
    return static_cast<T>(u);
  }
  std::string_view bytes(std::uint64_t n) {
    if (!ok_ || n > p_.size()) {
      ok_ = false;
      p_ = {};
      return {};
    }
    const std::string_view b = p_.substr(0, n);
    p_.remove_prefix(n);
    return b;
  }

 private:
  std::string_view p_;
  bool ok_ = true;
};

std::string encode_account(const UuidSnapshotAccount& a) {
  // The base: the smallest id. Its entry goes first, so that the map the loader fills takes it
  // as its own base (CallUuidMap::add) and keeps every other narrow entry in its main table.
  bool any = false;
  std::int64_t base = 0;
  std::uint64_t base_hash = 0;
  a.map->for_each([&](std::uint64_t h, std::int64_t id) {
    if (!any || id < base) base = id, base_hash = h;
    any = true;
  });
  std::string narrow, wide;
  narrow.reserve(a.map->size() * kNarrowEntry);
  std::uint64_t n = 0, m = 0;
  if (any) {
    put(narrow, base_hash);
    put(narrow, std::uint32_t{0});
    ++n;
  }
  a.map->for_each([&](std::uint64_t h, std::int64_t id) {
    if (id == base && h == base_hash) return;
    const auto offset = static_cast<std::uint64_t>(id) - static_cast<std::uint64_t>(base);
    if (offset <= kMaxOffset) {
      put(narrow, h);
      put(narrow, static_cast<std::uint32_t>(offset));
      ++n;
    } else {
      put(wide, h);
      put(wide, id);
      ++m;
    }
  });
  std::string out;
  out.reserve(32 + narrow.size() + wide.size());
  put(out, a.account_id);
  put(out, base);
  put(out, n);
  put(out, m);
  out += narrow;
  out += wide;
  return out;
}

std::string encode_header(const index::SnapshotMeta& meta, std::size_t accounts) {
  std::string h(kMagic);
  put(h, kUuidSnapshotVersion);
  put(h, static_cast<std::uint32_t>(meta.token.size()));
  h += meta.token;
  put(h, meta.last_call_id);
  put(h, index::call_uuid_hash(kUuidHashProbe));
  put(h, static_cast<std::uint64_t>(accounts));
  put(h, index::snapshot_checksum(h));
  return h;
}

// One account's section framed: its length, the payload, its checksum.
void append_section(std::string& out, const UuidSnapshotAccount& a) {
  const std::string payload = encode_account(a);
  put(out, static_cast<std::uint64_t>(payload.size()));
  out += payload;
  put(out, index::snapshot_checksum(payload));
}

Result<std::pair<std::int64_t, index::CallUuidMap>> decode_account(std::string_view payload) {
  Reader r(payload);
  const auto account_id = r.get<std::int64_t>();
  const auto base = r.get<std::int64_t>();
  const auto n = r.get<std::uint64_t>();
  const auto m = r.get<std::uint64_t>();
  const std::string where = "account " + std::to_string(account_id) + ": ";
  if (!r.ok() || n > r.left() / kNarrowEntry || m > r.left() / kWideEntry ||
      n * kNarrowEntry + m * kWideEntry != r.left()) {
    return Status::IOError(where + "entry counts that do not match the section's length");
  }
  // Row ids are positive; the base leaves room for every offset above it.
  constexpr std::int64_t kMaxBase =
      std::numeric_limits<std::int64_t>::max() - static_cast<std::int64_t>(kMaxOffset);
  if (n > 0 && (base < 1 || base > kMaxBase)) {
    return Status::IOError(where + "a base id out of range");
  }
  index::CallUuidMap map;
  map.reserve(n);
  for (std::uint64_t k = 0; k < n; ++k) {
    const auto h = r.get<std::uint64_t>();
    const auto offset = r.get<std::uint32_t>();
    if (h == 0 || offset > kMaxOffset || (k == 0 && offset != 0)) {
      return Status::IOError(where + "malformed entry " + std::to_string(k));
    }
    map.add(h, static_cast<std::int64_t>(static_cast<std::uint64_t>(base) + offset));
  }
  for (std::uint64_t k = 0; k < m; ++k) {
    const auto h = r.get<std::uint64_t>();
    const auto id = r.get<std::int64_t>();
    if (h == 0 || id < 1) {
      return Status::IOError(where + "malformed wide entry " + std::to_string(k));
    }
    map.add(h, id);
  }
  return std::pair(account_id, std::move(map));
}

}  // namespace

std::string encode_uuid_snapshot(const index::SnapshotMeta& meta,
                                 const std::vector<UuidSnapshotAccount>& accounts) {
  std::string out = encode_header(meta, accounts.size());
  for (const UuidSnapshotAccount& a : accounts) append_section(out, a);
  out += kTrailer;
  return out;
}

Result<std::size_t> write_uuid_snapshot_file(const std::string& path,
                                             const index::SnapshotMeta& meta,
                                             const std::vector<UuidSnapshotAccount>& accounts) {
  const std::string tmp = path + ".tmp";
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return Status::IOError("cannot create " + tmp + ": " + errno_text());
  auto write_all = [fd](std::string_view b) { return index::write_all(fd, b); };
  // One account's section in memory at a time.
  std::size_t bytes = 0;
  std::string chunk = encode_header(meta, accounts.size());
  bool ok = true;
  for (std::size_t i = 0; ok && i <= accounts.size(); ++i) {
    if (i == accounts.size()) chunk += kTrailer;
    ok = write_all(chunk);
    bytes += chunk.size();
    chunk.clear();
    if (i < accounts.size()) append_section(chunk, accounts[i]);
  }
  ok = ok && ::fsync(fd) == 0;
  const Status failed = Status::IOError("cannot write " + tmp + ": " + errno_text());
  ::close(fd);
  if (!ok) {
    ::unlink(tmp.c_str());
    return failed;
  }
  if (const Status replaced = index::replace_file(tmp, path); !replaced.ok()) return replaced;
  return bytes;
}

Result<LoadedUuidSnapshot> decode_uuid_snapshot(std::string_view bytes) {
  Reader r(bytes);
  if (r.bytes(kMagic.size()) != kMagic) return Status::IOError("not a uuid snapshot (no magic)");
  const auto version = r.get<std::uint32_t>();
  if (!r.ok() || version != kUuidSnapshotVersion) {
    return Status::IOError("uuid snapshot format version " + std::to_string(version) +
                           ", this cdrd reads version " + std::to_string(kUuidSnapshotVersion));
  }
  LoadedUuidSnapshot out;
  out.meta.token = std::string(r.bytes(r.get<std::uint32_t>()));
  out.meta.last_call_id = r.get<std::int64_t>();
  const auto probe = r.get<std::uint64_t>();
  const auto accounts = r.get<std::uint64_t>();
  const std::size_t header_size = bytes.size() - r.left();
  const auto sum = r.get<std::uint64_t>();
  if (!r.ok()) return Status::IOError("the uuid snapshot header is truncated");
  if (sum != index::snapshot_checksum(bytes.substr(0, header_size))) {
    return Status::IOError("the uuid snapshot header's checksum does not match");
  }
  if (probe != index::call_uuid_hash(kUuidHashProbe)) {
    return Status::IOError("the uuid snapshot was made with another uuid hash");
  }
  for (std::uint64_t i = 0; i < accounts; ++i) {
    const auto size = r.get<std::uint64_t>();
    const std::string_view payload = r.bytes(size);
    const auto payload_sum = r.get<std::uint64_t>();
    if (!r.ok()) {
      return Status::IOError("the uuid snapshot is truncated in account section " +
                             std::to_string(i));
    }
    if (payload_sum != index::snapshot_checksum(payload)) {
      return Status::IOError("the checksum of uuid account section " + std::to_string(i) +
                             " does not match");
    }
    ASSIGN_OR_RETURN(auto account, decode_account(payload));
    for (const auto& [id, _] : out.accounts) {
      if (id == account.first) {
        return Status::IOError("account " + std::to_string(id) + " twice in the uuid snapshot");
      }
    }
    out.calls += account.second.size();
    out.accounts.push_back(std::move(account));
  }
  if (r.bytes(kTrailer.size()) != kTrailer || !r.ok() || r.left() != 0) {
    return Status::IOError("the uuid snapshot does not end with its trailer");
  }
  return out;
}

Result<LoadedUuidSnapshot> read_uuid_snapshot_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    std::error_code ec;
    if (!std::filesystem::exists(path, ec)) return Status::NotFound("no uuid snapshot " + path);
    return Status::IOError("cannot open " + path);
  }
  std::string bytes;
  std::error_code ec;
  const std::uintmax_t size = std::filesystem::file_size(path, ec);
  if (ec) return Status::IOError("cannot stat " + path + ": " + ec.message());
  bytes.resize(static_cast<std::size_t>(size));
  in.read(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  if (static_cast<std::uintmax_t>(in.gcount()) != size) {
    return Status::IOError("cannot read " + path);
  }
  return decode_uuid_snapshot(bytes);
}

}  // namespace cdrd::index
