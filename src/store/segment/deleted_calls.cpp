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

DeletedRecords read_deleted_records(std::string_view data) {
  DeletedRecords out;
  std::size_t at = 0;
  while (at < data.size()) {
    const std::size_t left = data.size() - at;
    if (left < kHeaderBytes || get_u32(data, at) != kMagic ||
        crc32c(data.substr(at, 12)) != get_u32(data, at + 12)) {
      // A header cut short, or zeros, ends the file (a torn write); anything else is damage.
      out.corrupt = left >= kHeaderBytes && !all_zero(data, at);
      break;
    }
    const std::uint64_t bytes = 8ull * get_u32(data, at + 4);
    if (left - kHeaderBytes < bytes) break;  // its header whole, its ids cut short
    const std::string_view ids = data.substr(at + kHeaderBytes, bytes);
    if (crc32c(ids) != get_u32(data, at + 8)) {
      // Ids not all written before a crash end the file (zeros or nothing after them).
      out.corrupt = !all_zero(data, at + kHeaderBytes + bytes);
      break;
    }
    for (std::size_t i = 0; i < ids.size(); i += 8) out.ids.push_back(get_i64(ids, i));
    at += kHeaderBytes + bytes;
  }
  out.whole = at;
  return out;
}

void append_deleted_record(const std::vector<std::int64_t>& ids, std::string& out) {
  const std::size_t start = out.size();
  out.append(kHeaderBytes + 8 * ids.size(), '\0');
  for (std::size_t i = 0; i < ids.size(); ++i) put_i64(out, start + kHeaderBytes + 8 * i, ids[i]);
  put_u32(out, start, kMagic);
  put_u32(out, start + 4, static_cast<std::uint32_t>(ids.size()));
  put_u32(out, start + 8, crc32c(std::string_view(out).substr(start + kHeaderBytes)));
  put_u32(out, start + 12, crc32c(std::string_view(out).substr(start, 12)));
}

Result<std::unique_ptr<DeletedCalls>> DeletedCalls::open(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) return file_error(kNoun, path, "open");
  std::unique_ptr<DeletedCalls> d(new DeletedCalls(path, fd));
  std::string data;
  RETURN_IF_ERROR(read_whole(fd, kNoun, path, data));
  const DeletedRecords read = read_deleted_records(data);
  if (read.corrupt) {
    return Status::IOError(std::string(kNoun) + " " + path + ": a damaged record at offset " +
                           std::to_string(read.whole));
  }
  if (read.whole < data.size()) {
    if (::ftruncate(fd, static_cast<off_t>(read.whole)) != 0 || ::fdatasync(fd) != 0) {
      return file_error(kNoun, path, "cut its torn end");
    }
    d->torn_cut_ = data.size() - read.whole;
  }
  d->size_ = read.whole;
  {
    WriterLock lock(&d->mu_);
    d->ids_.insert(read.ids.begin(), read.ids.end());
  }
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
  std::string record;
  append_deleted_record(ids, record);
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
