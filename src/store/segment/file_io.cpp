#include "store/segment/file_io.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <filesystem>

#include "core/errno_text.h"

namespace cdrd::segment {

std::uint32_t get_u32(std::string_view data, std::size_t at) {
  std::uint32_t v = 0;
  for (int i = 0; i < 4; ++i) {
    v |= static_cast<std::uint32_t>(static_cast<unsigned char>(data[at + i])) << (8 * i);
  }
  return v;
}

void put_u32(std::string& out, std::size_t at, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) out[at + i] = static_cast<char>((v >> (8 * i)) & 0xff);
}

bool all_zero(std::string_view data, std::size_t from) {
  return std::all_of(data.begin() + static_cast<std::ptrdiff_t>(std::min(from, data.size())),
                     data.end(), [](char c) { return c == '\0'; });
}

Status file_error(std::string_view noun, const std::string& path, std::string_view what) {
  return Status::IOError(std::string(noun) + " " + path + ": " + std::string(what) + ": " +
                         errno_text());
}

Status read_whole(int fd, std::string_view noun, const std::string& path, std::string& out) {
  struct stat st {};
  if (::fstat(fd, &st) != 0) return file_error(noun, path, "stat");
  out.resize(static_cast<std::size_t>(st.st_size));
  std::size_t done = 0;
  while (done < out.size()) {
    const ssize_t n = ::pread(fd, out.data() + done, out.size() - done, static_cast<off_t>(done));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return file_error(noun, path, "read");
    if (n == 0) break;  // the file shrank meanwhile: what was read is the file
    done += static_cast<std::size_t>(n);
  }
  out.resize(done);
  return Status::Ok();
}

Status write_all(int fd, std::string_view noun, const std::string& path, std::string_view bytes,
                 std::uint64_t at) {
  std::size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n =
        ::pwrite(fd, bytes.data() + done, bytes.size() - done, static_cast<off_t>(at + done));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return file_error(noun, path, "write");
    done += static_cast<std::size_t>(n);
  }
  return Status::Ok();
}

Status sync_directory_of(const std::string& path) {
  std::string dir = std::filesystem::path(path).parent_path().string();
  if (dir.empty()) dir = ".";
  const int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd < 0) return file_error("segment", path, "open its directory");
  const bool synced = ::fsync(dfd) == 0;
  ::close(dfd);
  return synced ? Status::Ok() : file_error("segment", path, "sync its directory");
}

}  // namespace cdrd::segment
