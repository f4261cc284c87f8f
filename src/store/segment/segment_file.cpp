#include "store/segment/segment_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <limits>

#include "core/byte_codec.h"
#include "core/crc32c.h"
#include "store/segment/call_codec.h"
#include "store/segment/file_io.h"

namespace cdrd::segment {
namespace {

constexpr std::uint32_t kBlockMagic = 0x4B4C4253;  // "SBLK" read as little-endian

Status io_error(const std::string& path, std::string_view what) {
  return file_error("segment", path, what);
}

}  // namespace

BlockState read_block(std::string_view data, std::size_t offset, Block& out) {
  if (offset >= data.size()) return offset == data.size() ? BlockState::kEnd : BlockState::kCorrupt;
  // Damage at `offset` is a torn write when nothing but zeros follows `after`.
  const auto damaged = [&](std::size_t after) {
    return all_zero(data, after) ? BlockState::kTorn : BlockState::kCorrupt;
  };
  if (data.size() - offset < kBlockHeaderBytes) return BlockState::kTorn;
  const std::uint32_t magic = get_u32(data, offset);
  const std::uint32_t length = get_u32(data, offset + 4);
  const std::uint32_t crc = get_u32(data, offset + 8);
  if (magic != kBlockMagic || crc32c(data.substr(offset, 12)) != get_u32(data, offset + 12)) {
    return damaged(offset);
  }
  // The header is as it was written: its length can be trusted.
  if (length > kMaxBlockBytes) return BlockState::kCorrupt;
  const std::size_t payload_at = offset + kBlockHeaderBytes;
  if (data.size() - payload_at < length) return BlockState::kTorn;
  const std::size_t end = payload_at + length;
  const std::string_view payload = data.substr(payload_at, length);
  if (crc32c(payload) != crc) return damaged(end);
  // The checksum holds: what follows was written whole, so a bad payload is corruption.
  ByteReader r(payload);
  const std::uint64_t first = r.varint();
  const std::uint64_t count = r.varint();
  const std::uint64_t n_accounts = r.varint();
  // Each account takes a byte at least, and no call is without one: larger numbers are
  // corruption, not a reason to reserve room.
  if (!r.ok() || n_accounts == 0 || n_accounts > count || n_accounts > r.remaining()) {
    return BlockState::kCorrupt;
  }
  out.accounts.clear();  // grown as they are read: room is reserved only for what checks out
  out.accounts.push_back(r.i64());
  for (std::uint64_t i = 1; i < n_accounts; ++i) {
    // Each next account is above the one before and at most the largest int64.
    const auto before = static_cast<std::uint64_t>(out.accounts.back());
    const std::uint64_t room =
        static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()) - before;
    const std::uint64_t step = r.varint();
    if (step == 0 || step > room) return BlockState::kCorrupt;
    out.accounts.push_back(static_cast<std::int64_t>(before + step));
  }
  // Each call takes at least two bytes (its length and a byte of it): a larger count is
  // corruption, not a reason to reserve room.
  if (!r.ok() || first == 0 || count == 0 || count > r.remaining() / 2 ||
      first > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()) - count) {
    return BlockState::kCorrupt;
  }
  out.first_id = static_cast<std::int64_t>(first);
  out.calls.clear();
  out.calls.reserve(count);
  out.starts.clear();
  out.starts.reserve(count);
  for (std::uint64_t i = 0; i < count; ++i) {
    const std::size_t start = payload_at + (length - r.remaining());
    const std::string_view call = r.view();
    if (!r.ok() || call.empty()) return BlockState::kCorrupt;
    out.calls.push_back(call);
    out.starts.push_back(start);
  }
  if (r.remaining() != 0) return BlockState::kCorrupt;
  out.end = end;
  return BlockState::kOk;
}

std::vector<const CallRecord*> refs_of(const std::vector<CallRecord>& calls) {
  std::vector<const CallRecord*> refs;
  refs.reserve(calls.size());
  for (const CallRecord& call : calls) refs.push_back(&call);
  return refs;
}

void append_block(std::int64_t first_id, const std::vector<CallRecord>& calls, std::string& out,
                  Block* placed) {
  append_block(first_id, refs_of(calls), out, placed);
}

void append_block(std::int64_t first_id, CallRefs calls, std::string& out, Block* placed) {
  Block own;
  Block& b = placed != nullptr ? *placed : own;
  b.first_id = first_id;
  b.calls.clear();
  b.starts.clear();
  const std::size_t start = out.size();
  out.append(kBlockHeaderBytes, '\0');
  ByteWriter w(out);
  w.varint(static_cast<std::uint64_t>(first_id));
  w.varint(calls.size());
  std::vector<std::int64_t>& accounts = b.accounts;
  accounts.clear();
  for (const CallRecord* call : calls) accounts.push_back(call->account_id);
  std::sort(accounts.begin(), accounts.end());
  accounts.erase(std::unique(accounts.begin(), accounts.end()), accounts.end());
  w.varint(accounts.size());
  for (std::size_t i = 0; i < accounts.size(); ++i) {
    if (i == 0) {
      w.i64(accounts[0]);
    } else {
      // The difference of two int64 values fits 64 bits unsigned.
      w.varint(static_cast<std::uint64_t>(accounts[i]) -
               static_cast<std::uint64_t>(accounts[i - 1]));
    }
  }
  // Each call encoded in place, after two bytes of room for its length varint (a call's
  // encoding is mostly 128 to 16,383 bytes long, whose length takes two); a length of another
  // size moves the encoding once.
  std::string length;
  for (const CallRecord* call : calls) {
    const std::size_t at = out.size();
    b.starts.push_back(at);
    out.append(2, '\0');
    encode_call(*call, out);
    const std::size_t n = out.size() - at - 2;
    if (n >= 0x80 && n < 0x4000) {
      out[at] = static_cast<char>((n & 0x7f) | 0x80);
      out[at + 1] = static_cast<char>(n >> 7);
    } else {
      length.clear();
      ByteWriter(length).varint(n);
      out.replace(at, 2, length);
    }
  }
  const std::string_view payload = std::string_view(out).substr(start + kBlockHeaderBytes);
  put_u32(out, start, kBlockMagic);
  put_u32(out, start + 4, static_cast<std::uint32_t>(payload.size()));
  put_u32(out, start + 8, crc32c(payload));
  put_u32(out, start + 12, crc32c(std::string_view(out).substr(start, 12)));
  b.end = out.size();
}

Result<std::unique_ptr<SegmentFile>> SegmentFile::open(const std::string& path,
                                                       const OpenOptions& options) {
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);  // as the database
  if (fd < 0) return io_error(path, "open");
  std::unique_ptr<SegmentFile> file(new SegmentFile(path, fd));
  std::string data;
  RETURN_IF_ERROR(read_whole(fd, "segment", path, data));
  if (data.size() < kFileMagic.size() && options.sealed) {
    return Status::IOError("segment " + path + ": a sealed segment holds no header");
  }
  if (data.size() < kFileMagic.size() &&
      (kFileMagic.substr(0, data.size()) == data || all_zero(data, 0))) {
    // New, or its creation was cut short before its header was whole: it holds no call.
    if (::ftruncate(fd, 0) != 0) return io_error(path, "truncate");
    RETURN_IF_ERROR(write_all(fd, "segment", path, kFileMagic, 0));
    if (::fdatasync(fd) != 0) return io_error(path, "sync");
    RETURN_IF_ERROR(sync_directory_of(path));
    file->size_ = kFileMagic.size();
    return file;
  }
  if (std::string_view(data).substr(0, kFileMagic.size()) != kFileMagic) {
    return Status::IOError("segment " + path + ": not a segment file (no \"cdrdseg1\" header)");
  }
  std::size_t offset = kFileMagic.size();
  Block block;
  for (;;) {
    const BlockState state = read_block(data, offset, block);
    if (state == BlockState::kEnd) break;
    if (state == BlockState::kCorrupt || (state == BlockState::kTorn && options.sealed) ||
        (state == BlockState::kOk && block.first_id < file->next_id_)) {
      return Status::IOError("segment " + path + ": corrupt block at offset " +
                             std::to_string(offset));
    }
    if (state == BlockState::kTorn) {
      if (::ftruncate(fd, static_cast<off_t>(offset)) != 0) return io_error(path, "truncate");
      if (::fdatasync(fd) != 0) return io_error(path, "sync");
      file->torn_cut_ = data.size() - offset;
      break;
    }
    file->next_id_ = block.first_id + static_cast<std::int64_t>(block.calls.size());
    if (options.on_block) options.on_block(block);
    offset = block.end;
  }
  file->size_ = offset;
  return file;
}

SegmentFile::~SegmentFile() {
  if (fd_ >= 0) ::close(fd_);
}

Status SegmentFile::append(std::int64_t first_id, CallRefs calls, Block* placed) {
  if (broken_) {
    return Status::IOError("segment " + path_ +
                           ": an earlier append failed and its bytes could not be taken back");
  }
  if (calls.empty()) return Status::Invalid("segment append: no calls");
  if (first_id <= 0 || first_id < next_id_) {
    return Status::Invalid("segment append: first id " + std::to_string(first_id) +
                           " is not above the last id written (" + std::to_string(next_id_ - 1) +
                           ")");
  }
  buffer_.clear();
  append_block(first_id, calls, buffer_, placed);
  if (buffer_.size() - kBlockHeaderBytes > kMaxBlockBytes) {
    return Status::Invalid("segment append: a block of more than " +
                           std::to_string(kMaxBlockBytes) + " bytes");
  }
  Status written = write_all(fd_, "segment", path_, buffer_, size_);
  if (written.ok() && ::fdatasync(fd_) != 0) {
    written = io_error(path_, "sync");
    // After a failed sync the kernel may have dropped the pages it could not write: whatever
    // the file now holds is not to be trusted, so nothing more is appended to it.
    broken_ = true;
  }
  if (!written.ok()) {
    if (::ftruncate(fd_, static_cast<off_t>(size_)) != 0) broken_ = true;
    return written;
  }
  if (placed != nullptr) {
    for (std::size_t& at : placed->starts) at += size_;
    placed->end += size_;
  }
  size_ += buffer_.size();
  next_id_ = first_id + static_cast<std::int64_t>(calls.size());
  return Status::Ok();
}

Status SegmentFile::read_at(std::uint64_t offset, std::size_t length, std::string& out) const {
  out.resize(length);
  std::size_t done = 0;
  while (done < length) {
    const ssize_t n =
        ::pread(fd_, out.data() + done, length - done, static_cast<off_t>(offset + done));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return io_error(path_, "read");
    if (n == 0) break;
    done += static_cast<std::size_t>(n);
  }
  out.resize(done);
  return Status::Ok();
}

Status SegmentFile::scan(
    const std::function<Status(std::int64_t id, std::string_view encoded)>& visit) const {
  std::string data;
  RETURN_IF_ERROR(read_whole(fd_, "segment", path_, data));
  data.resize(std::min<std::size_t>(data.size(), size_));
  std::size_t offset = kFileMagic.size();
  Block block;
  for (;;) {
    const BlockState state = read_block(data, offset, block);
    if (state == BlockState::kEnd) return Status::Ok();
    if (state != BlockState::kOk) {
      return Status::IOError("segment " + path_ + ": corrupt block at offset " +
                             std::to_string(offset));
    }
    for (std::size_t i = 0; i < block.calls.size(); ++i) {
      RETURN_IF_ERROR(visit(block.first_id + static_cast<std::int64_t>(i), block.calls[i]));
    }
    offset = block.end;
  }
}

}  // namespace cdrd::segment
