// TempDir: a fresh directory under the system's temporary directory ($TMPDIR, else /tmp),
// removed with everything in it when the TempDir is destroyed. The one temporary-directory
// fixture of the unit tests and the black-box tests; test code only.
// Throws std::runtime_error (which fails the test) when the directory cannot be made.
// Not thread-safe: one owner.
#pragma once

#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>

namespace cdrd::testing {

class TempDir {
 public:
  // The directory is named `prefix` followed by six random characters.
  explicit TempDir(std::string_view prefix = "cdrd-test-") {
    std::string tmpl = (std::filesystem::temp_directory_path() / prefix).string() + "XXXXXX";
    if (mkdtemp(tmpl.data()) == nullptr) {
      throw std::runtime_error("cannot make a temporary directory like " + tmpl);
    }
    path_ = std::move(tmpl);
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::string& path() const { return path_; }
  // The path of `name` (which may contain '/') inside the directory.
  std::string file(std::string_view name) const { return path_ + "/" + std::string(name); }

 private:
  std::string path_;
};

// The bytes of the file at `path` ("" when it cannot be read).
inline std::string file_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// Makes the file at `path` hold exactly `bytes`.
inline void write_bytes(const std::string& path, std::string_view bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

}  // namespace cdrd::testing
