// snapshot_load: the index snapshot (store/index/index_snapshot.h) alone: how long reading a
// snapshot file back into indexes takes, and writing it again. No database, no HTTP: the part
// of a start after a clean stop that grows with the calls.
//
// Usage: snapshot_load FILE [--threads N] [--rounds R] [--write OUT]
// Prints "calls=<n> accounts=<a> file_bytes=<b> bytes_per_call=<..> load_s=<best of R>
// [write_s=<..>]".
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "store/index/index_snapshot.h"

namespace {

using Clock = std::chrono::steady_clock;

double since(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: snapshot_load FILE [--threads N] [--rounds R] [--write OUT]\n");
    return 2;
  }
  const std::string file = argv[1];
  std::size_t threads = 2;
  int rounds = 1;
  std::string out;
  for (int i = 2; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    if (flag == "--threads") threads = std::strtoul(argv[i + 1], nullptr, 10);
    if (flag == "--rounds") rounds = std::atoi(argv[i + 1]);
    if (flag == "--write") out = argv[i + 1];
  }
  double best = 1e9;
  cdrd::Result<cdrd::index::LoadedSnapshot> loaded = cdrd::Status::Internal("no round");
  for (int r = 0; r < rounds; ++r) {
    loaded = cdrd::Status::Internal("no round");  // frees the last round's indexes first
    const auto t0 = Clock::now();
    loaded = cdrd::index::read_snapshot_file(file, threads);
    best = std::min(best, since(t0));
    if (!loaded.ok()) {
      std::fprintf(stderr, "snapshot_load: %s\n", loaded.status().message().c_str());
      return 1;
    }
  }
  const auto bytes = std::filesystem::file_size(file);
  std::printf("calls=%zu accounts=%zu file_bytes=%ju bytes_per_call=%.1f load_s=%.3f",
              loaded->calls, loaded->accounts.size(), static_cast<std::uintmax_t>(bytes),
              loaded->calls ? static_cast<double>(bytes) / static_cast<double>(loaded->calls) : 0.0,
              best);
  if (!out.empty()) {
    std::vector<cdrd::index::SnapshotAccount> accounts;
    for (const auto& [id, index] : loaded->accounts) accounts.push_back({id, &index});
    const auto t0 = Clock::now();
    const auto written = cdrd::index::write_snapshot_file(out, loaded->meta, accounts);
    if (!written.ok()) {
      std::fprintf(stderr, "\nsnapshot_load: %s\n", written.status().message().c_str());
      return 1;
    }
    std::printf(" write_s=%.3f", since(t0));
  }
  std::printf("\n");
  return 0;
}
