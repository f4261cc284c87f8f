#include "store/segment/deleted_calls.h"

#include <fcntl.h>
#include <unistd.h>

#include "core/crc32c.h"
#include "store/segment/file_io.h"

namespace cdrd::segment {
namespace {

constexpr std::uint32_t kMagic = 0x4C454453;  // "SDEL" read as little-endian
constexpr std::size_t kHeaderBytes = 16;
constexpr char kNoun[] = "deleted calls";

std::int64_t get_i64(std::string_view data, std::size_t at) {
  const std::uint64_t lo = get_u32(data, at), hi = get_u32(data, at + 4);
  return static_cast<std::int64_t>(lo | (hi << 32));
}

void put_i64(std::string& out, std::size_t at, std::int64_t v) {
  const auto u = static_cast<std::uint64_t>(v);
  put_u32(out, at, static_cast<std::uint32_t>(u & 0xffffffffu));
  put_u32(out, at + 4, static_cast<std::uint32_t>(u >> 32));
}

}  // namespace

Result<std::unique_ptr<DeletedCalls>> DeletedCalls::open(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) return file_error(kNoun, path, "open");
  std::unique_ptr<DeletedCalls> d(new DeletedCalls(path, fd));
  std::string data;
  RETURN_IF_ERROR(read_whole(fd, kNoun, path, data));
  std::size_t at = 0;
  WriterLock lock(&d->mu_);
  while (at < data.size()) {
    const auto torn_or_corrupt = [&]() -> Status {
      if (all_zero(data, at) || data.size() - at < kHeaderBytes) return Status::Ok();
      return Status::IOError(std::string(kNoun) + " " + path + ": a damaged record at offset " +
                             std::to_string(at));
    };
    if (data.size() - at < kHeaderBytes || get_u32(data, at) != kMagic ||
        crc32c(std::string_view(data).substr(at, 12)) != get_u32(data, at + 12)) {
      RETURN_IF_ERROR(torn_or_corrupt());
      break;
    }
    const std::uint64_t bytes = 8ull * get_u32(data, at + 4);
    if (data.size() - at - kHeaderBytes < bytes) break;  // its header whole, its ids cut short
    const std::string_view ids = std::string_view(data).substr(at + kHeaderBytes, bytes);
    if (crc32c(ids) != get_u32(data, at + 8)) {
      // A record whose ids were not all written before a crash ends the file (zeros or
      // nothing after it); anything else after it is damage.
      if (!all_zero(data, at + kHeaderBytes + bytes)) {
        return Status::IOError(std::string(kNoun) + " " + path + ": a damaged record at offset " +
                               std::to_string(at));
      }
      break;
    }
    for (std::size_t i = 0; i < ids.size(); i += 8) d->ids_.insert(get_i64(ids, i));
    at += kHeaderBytes + bytes;
  }
  if (at < data.size()) {
    if (::ftruncate(fd, static_cast<off_t>(at)) != 0 || ::fdatasync(fd) != 0) {
      return file_error(kNoun, path, "cut its torn end");
    }
    d->torn_cut_ = data.size() - at;
  }
  d->size_ = at;
  if (data.empty()) RETURN_IF_ERROR(sync_directory_of(path));
  return d;
}

DeletedCalls::~DeletedCalls() { ::close(fd_); }

Status DeletedCalls::add(const std::vector<std::int64_t>& ids) {
  if (ids.empty()) return Status::Ok();
  if (broken_) {
    return Status::IOError(std::string(kNoun) + " " + path_ +
                           ": an earlier write failed and could not be taken back");
  }
  if (ids.size() > (1u << 24)) return Status::Invalid("deleted calls: too many ids at once");
  std::string record(kHeaderBytes + 8 * ids.size(), '\0');
  for (std::size_t i = 0; i < ids.size(); ++i) put_i64(record, kHeaderBytes + 8 * i, ids[i]);
  put_u32(record, 0, kMagic);
  put_u32(record, 4, static_cast<std::uint32_t>(ids.size()));
  put_u32(record, 8, crc32c(std::string_view(record).substr(kHeaderBytes)));
  put_u32(record, 12, crc32c(std::string_view(record).substr(0, 12)));
  Status written = write_all(fd_, kNoun, path_, record, size_);
  if (written.ok() && ::fdatasync(fd_) != 0) {
    written = file_error(kNoun, path_, "sync");
    broken_ = true;
  }
  if (!written.ok()) {
    if (::ftruncate(fd_, static_cast<off_t>(size_)) != 0) broken_ = true;
    return written;
  }
  size_ += record.size();
  WriterLock lock(&mu_);
  ids_.insert(ids.begin(), ids.end());
  return Status::Ok();
}

bool DeletedCalls::contains(std::int64_t id) const {
  ReaderLock lock(&mu_);
  return ids_.contains(id);
}

std::size_t DeletedCalls::size() const {
  ReaderLock lock(&mu_);
  return ids_.size();
}

}  // namespace cdrd::segment
