#include "store/segment/call_log.h"

#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <filesystem>
#include <iterator>
#include <limits>
#include <system_error>

#include "core/byte_codec.h"
#include "core/errno_text.h"
#include "store/segment/call_codec.h"

namespace cdrd::segment {

struct CallLog::Segment {
  struct BlockEntry {
    std::int64_t first_id = 0;
    std::int64_t count = 0;
    std::size_t first = 0;          // its first call's place in `starts`
    std::uint32_t end = 0;          // the offset just past the block
    std::uint32_t accounts_at = 0;  // its accounts: accounts[accounts_at, + accounts_n)
    std::uint32_t accounts_n = 0;

    std::int64_t last_id() const { return first_id + count - 1; }
  };

  std::uint32_t number = 0;
  std::unique_ptr<SegmentFile> file;
  std::vector<BlockEntry> blocks;      // in id order
  std::vector<std::uint32_t> starts;   // each call's offset (its length varint), block by block
  std::vector<std::int64_t> accounts;  // each block's accounts, ascending, block by block

  // Adds a block appended or read (its offsets the file's).
  void add_block(const Block& b) {
    blocks.push_back({b.first_id, static_cast<std::int64_t>(b.starts.size()), starts.size(),
                      static_cast<std::uint32_t>(b.end),
                      static_cast<std::uint32_t>(accounts.size()),
                      static_cast<std::uint32_t>(b.accounts.size())});
    // The file is under 4 GiB (kMaxSegmentBytes, and open() checks a file read), so every
    // offset fits.
    for (const std::size_t at : b.starts) starts.push_back(static_cast<std::uint32_t>(at));
    accounts.insert(accounts.end(), b.accounts.begin(), b.accounts.end());
  }
  // The bytes of the segment's blocks and its header: its file's size.
  std::uint64_t bytes() const { return blocks.empty() ? kFileMagic.size() : blocks.back().end; }
  bool block_holds(const BlockEntry& b, std::int64_t account_id) const {
    const auto from = accounts.begin() + b.accounts_at;
    return std::binary_search(from, from + b.accounts_n, account_id);
  }
};

namespace {

constexpr std::uint32_t kLastSegmentNumber = 99'999'999;  // eight digits

// The number of a segment's file name ("00000042.seg": 42), or 0 for any other name.
std::uint32_t segment_number(const std::string& name) {
  if (name.size() != 12 || name.substr(8) != ".seg") return 0;
  std::uint32_t n = 0;
  for (std::size_t i = 0; i < 8; ++i) {
    if (name[i] < '0' || name[i] > '9') return 0;
    n = n * 10 + static_cast<std::uint32_t>(name[i] - '0');
  }
  return n;
}

Status log_error(const std::string& dir, const std::string& what) {
  return Status::IOError("calls log " + dir + ": " + what);
}

}  // namespace

CallLog::CallLog(std::string dir, CallLogOptions options)
    : dir_(std::move(dir)), options_(options) {}

CallLog::~CallLog() = default;

std::string CallLog::path_of(std::uint32_t number) const {
  char name[16];
  std::snprintf(name, sizeof name, "%08u.seg", number);
  return (std::filesystem::path(dir_) / name).string();
}

Result<std::unique_ptr<CallLog>> CallLog::open(const std::string& dir, CallLogOptions options) {
  if (options.segment_bytes == 0 || options.segment_bytes > kMaxSegmentBytes) {
    return Status::Invalid("calls log: segment_bytes must be from 1 to " +
                           std::to_string(kMaxSegmentBytes) + ", not " +
                           std::to_string(options.segment_bytes));
  }
  namespace fs = std::filesystem;
  std::error_code ec;
  const bool made = fs::create_directory(dir, ec);
  if (ec) return log_error(dir, "cannot make the directory: " + ec.message());
  if (made) {
    // The customers' calls: readable by the server's user alone, as the database.
    if (::chmod(dir.c_str(), 0700) != 0) return log_error(dir, "chmod: " + errno_text());
    RETURN_IF_ERROR(sync_directory_of(dir));
  }
  std::vector<std::uint32_t> numbers;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    if (const std::uint32_t n = segment_number(it->path().filename().string()); n != 0) {
      numbers.push_back(n);
    }
  }
  if (ec) return log_error(dir, "cannot list the directory: " + ec.message());
  std::sort(numbers.begin(), numbers.end());
  if (numbers.empty()) numbers.push_back(1);

  std::unique_ptr<CallLog> log(new CallLog(dir, options));
  WriterLock lock(&log->mu_);  // nobody else sees the log yet; the lock satisfies the analysis
  for (std::size_t i = 0; i < numbers.size(); ++i) {
    if (i > 0 && numbers[i] != numbers[i - 1] + 1) {
      return log_error(dir, "segment " +
                                fs::path(log->path_of(numbers[i - 1] + 1)).filename().string() +
                                " is missing (the segments are numbered without gaps)");
    }
    auto segment = std::make_unique<Segment>();
    segment->number = numbers[i];
    const std::string path = log->path_of(numbers[i]);
    Segment* s = segment.get();
    OpenOptions opts;
    opts.sealed = i + 1 < numbers.size();
    opts.on_block = [s](const Block& block) { s->add_block(block); };
    ASSIGN_OR_RETURN(segment->file, SegmentFile::open(path, opts));
    if (segment->file->size() > std::numeric_limits<std::uint32_t>::max()) {
      return log_error(dir, path + " is larger than 4 GiB");
    }
    // A segment is sealed only once it holds a block (append() begins the next one then): a
    // sealed one without blocks lost them.
    if (opts.sealed && segment->blocks.empty()) {
      return log_error(dir, path + ": a sealed segment holds no block");
    }
    if (!segment->blocks.empty() && segment->blocks.front().first_id < log->next_id_) {
      return log_error(dir, path + ": its first id " +
                                std::to_string(segment->blocks.front().first_id) +
                                " is not above the last id of the segment before (" +
                                std::to_string(log->next_id_ - 1) + ")");
    }
    if (!segment->blocks.empty()) log->next_id_ = segment->file->next_id();
    log->torn_cut_ += segment->file->torn_bytes_cut();
    log->segments_.push_back(std::move(segment));
  }
  return log;
}

Status CallLog::append(std::int64_t first_id, CallRefs calls) {
  Segment* active = nullptr;
  {
    ReaderLock lock(&mu_);
    if (first_id < next_id_) {
      return Status::Invalid("calls log append: first id " + std::to_string(first_id) +
                             " is not above the last id written (" + std::to_string(next_id_ - 1) +
                             ")");
    }
    active = segments_.back().get();
  }
  // Only this thread appends: the active segment's file and its size are this thread's to read.
  // A segment whose append could not be taken back (broken) is not sealed: it is never whole.
  if (active->file->size() >= options_.segment_bytes && active->file->next_id() > 0 &&
      !active->file->broken()) {
    if (active->number >= kLastSegmentNumber) {
      return log_error(dir_, "no segment number is left after " + path_of(active->number));
    }
    auto segment = std::make_unique<Segment>();
    segment->number = active->number + 1;
    ASSIGN_OR_RETURN(segment->file, SegmentFile::open(path_of(segment->number)));
    active = segment.get();
    WriterLock lock(&mu_);
    segments_.push_back(std::move(segment));
  }
  RETURN_IF_ERROR(active->file->append(first_id, calls, &placed_));
  WriterLock lock(&mu_);
  active->add_block(placed_);
  next_id_ = active->file->next_id();
  return Status::Ok();
}

Result<bool> CallLog::read(std::int64_t id, CallRecord& out) const {
  const SegmentFile* file = nullptr;
  std::uint64_t start = 0, end = 0;
  std::uint32_t number = 0;
  {
    ReaderLock lock(&mu_);
    // The segment holding `id`: the last whose first block begins at or below it (a segment
    // without blocks is the active one, the last).
    const auto seg = std::upper_bound(segments_.begin(), segments_.end(), id,
                                      [](std::int64_t v, const std::unique_ptr<Segment>& s) {
                                        return s->blocks.empty() || v < s->blocks.front().first_id;
                                      });
    if (seg == segments_.begin()) return false;
    const Segment& s = **std::prev(seg);
    auto block = std::upper_bound(
        s.blocks.begin(), s.blocks.end(), id,
        [](std::int64_t v, const Segment::BlockEntry& b) { return v < b.first_id; });
    if (block == s.blocks.begin()) return false;
    --block;
    if (id - block->first_id >= block->count) return false;  // in a gap between blocks
    const std::size_t i = block->first + static_cast<std::size_t>(id - block->first_id);
    start = s.starts[i];
    // Its bytes end where the next call of its block starts, or at the block's end.
    end = i + 1 < block->first + static_cast<std::size_t>(block->count) ? s.starts[i + 1]
                                                                        : block->end;
    file = s.file.get();
    number = s.number;
  }
  thread_local std::string bytes;
  RETURN_IF_ERROR(file->read_at(start, static_cast<std::size_t>(end - start), bytes));
  ByteReader r(bytes);
  const std::string_view encoded = r.view();
  Status decoded = r.ok() ? decode_call(encoded, out)
                          : Status::IOError("corrupt call: its length runs past its block");
  if (!decoded.ok()) {
    return Status::IOError("calls log " + path_of(number) + ": call " + std::to_string(id) +
                           " at offset " + std::to_string(start) + ": " + decoded.message());
  }
  return true;
}

Status CallLog::scan(std::optional<std::int64_t> account_id, std::int64_t after_id,
                     std::int64_t through_id,
                     const std::function<bool(std::int64_t, const CallRecord&)>& visit) const {
  std::string bytes;
  std::vector<std::uint32_t> starts;
  CallRecord call;
  // One block at a time: its place found under the lock, its bytes read and its calls visited
  // outside of it, so the writer is never kept waiting on a scan's reads.
  for (std::int64_t from = after_id; from < through_id;) {
    const SegmentFile* file = nullptr;
    std::int64_t first_id = 0;
    std::uint32_t number = 0;
    std::uint64_t end = 0;
    {
      ReaderLock lock(&mu_);
      // The first block, in id order, with a call above `from` that holds the account.
      for (const auto& seg : segments_) {
        if (seg->blocks.empty() || seg->blocks.back().last_id() <= from) continue;
        auto b = std::upper_bound(
            seg->blocks.begin(), seg->blocks.end(), from,
            [](std::int64_t v, const Segment::BlockEntry& e) { return v < e.last_id(); });
        for (; b != seg->blocks.end() && b->first_id <= through_id; ++b) {
          if (account_id && !seg->block_holds(*b, *account_id)) continue;
          file = seg->file.get();
          number = seg->number;
          first_id = b->first_id;
          starts.assign(seg->starts.begin() + static_cast<std::ptrdiff_t>(b->first),
                        seg->starts.begin() + static_cast<std::ptrdiff_t>(b->first + b->count));
          end = b->end;
          break;
        }
        if (file != nullptr || (b != seg->blocks.end() && b->first_id > through_id)) break;
      }
    }
    if (file == nullptr) return Status::Ok();
    // The calls of the block from the first above `from`, read with one pread.
    const std::size_t skip =
        from >= first_id ? static_cast<std::size_t>(from - first_id + 1) : std::size_t{0};
    const std::uint64_t base = starts[skip];
    RETURN_IF_ERROR(file->read_at(base, static_cast<std::size_t>(end - base), bytes));
    for (std::size_t i = skip; i < starts.size(); ++i) {
      const std::int64_t id = first_id + static_cast<std::int64_t>(i);
      if (id > through_id) return Status::Ok();
      ByteReader r(
          std::string_view(bytes).substr(std::min<std::size_t>(starts[i] - base, bytes.size())));
      const std::string_view encoded = r.view();
      Status decoded = r.ok() ? decode_call(encoded, call)
                              : Status::IOError("corrupt call: its length runs past its block");
      if (!decoded.ok()) {
        return Status::IOError("calls log " + path_of(number) + ": call " + std::to_string(id) +
                               " at offset " + std::to_string(starts[i]) + ": " +
                               decoded.message());
      }
      if (account_id && call.account_id != *account_id) continue;
      if (!visit(id, call)) return Status::Ok();
    }
    from = first_id + static_cast<std::int64_t>(starts.size()) - 1;
  }
  return Status::Ok();
}

std::int64_t CallLog::next_id() const {
  ReaderLock lock(&mu_);
  return next_id_;
}

CallLog::Usage CallLog::usage() const {
  ReaderLock lock(&mu_);
  Usage u;
  u.segments = segments_.size();
  u.torn_bytes_cut = torn_cut_;
  for (const auto& s : segments_) {
    u.calls += s->starts.size();
    u.blocks += s->blocks.size();
    u.file_bytes += s->bytes();
    u.memory_bytes += s->starts.capacity() * sizeof(std::uint32_t) +
                      s->accounts.capacity() * sizeof(std::int64_t) +
                      s->blocks.capacity() * sizeof(Segment::BlockEntry) + sizeof(Segment);
  }
  return u;
}

}  // namespace cdrd::segment
