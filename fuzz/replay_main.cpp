// The replay driver of the fuzz targets without libFuzzer: feeds every file named on the command
// line, and every file inside every folder named there (sorted, not recursive), to
// LLVMFuzzerTestOneInput once. A crash of the target crashes this program, so a CTest test
// running it over a corpus fails when any seed, or a crash input kept in the corpus, still
// crashes. Exits 1 when it found no input at all (a corpus folder that went missing must not
// pass silently).
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "fuzz_target.h"

namespace {

bool run_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    std::fprintf(stderr, "replay: cannot read %s\n", path.c_str());
    return false;
  }
  const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  LLVMFuzzerTestOneInput(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size());
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  namespace fs = std::filesystem;
  std::size_t inputs = 0;
  for (int i = 1; i < argc; ++i) {
    const fs::path arg(argv[i]);
    std::vector<fs::path> files;
    std::error_code ec;
    if (fs::is_directory(arg, ec)) {
      for (const auto& entry : fs::directory_iterator(arg, ec)) {
        if (entry.is_regular_file()) files.push_back(entry.path());
      }
      std::sort(files.begin(), files.end());
    } else {
      files.push_back(arg);
    }
    for (const fs::path& f : files) {
      if (!run_file(f)) return 1;
      ++inputs;
    }
  }
  std::printf("replay: %zu inputs ran without a crash\n", inputs);
  return inputs == 0 ? 1 : 0;
}
