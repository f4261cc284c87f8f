// Fuzzes the uuid maps' snapshot reader (store/index/uuid_snapshot.h): the input is the file's
// bytes. decode_uuid_snapshot either refuses them with kIOError, or gives maps that write back
// (encode_uuid_snapshot) to bytes that read again to the same entries.
#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "fuzz_target.h"
#include "store/index/uuid_snapshot.h"

using namespace cdrd;

namespace {

// The (hash, id) entries of a map, sorted, each once (a file may name one twice; the map then
// holds it twice, and writes it back once or twice).
std::vector<std::pair<std::uint64_t, std::int64_t>> entries_of(const index::CallUuidMap& m) {
  std::vector<std::pair<std::uint64_t, std::int64_t>> out;
  m.for_each([&out](std::uint64_t h, std::int64_t id) { out.emplace_back(h, id); });
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view bytes = fuzz::as_text(data, size);
  Result<index::LoadedUuidSnapshot> loaded = index::decode_uuid_snapshot(bytes);
  if (!loaded.ok()) {
    if (loaded.status().code() != Status::Code::kIOError) {
      fuzz::invariant_failed("a refused uuid snapshot is not kIOError");
    }
    return 0;
  }
  std::vector<index::UuidSnapshotAccount> accounts;
  for (const auto& [id, map] : loaded->accounts) {
    for (const auto& [h, row] : entries_of(map)) {
      std::vector<std::int64_t> ids;
      map.find(h, ids);
      if (std::find(ids.begin(), ids.end(), row) == ids.end()) {
        fuzz::invariant_failed("a loaded entry is not found by its hash");
      }
    }
    accounts.push_back({id, &map});
  }
  const std::string again = index::encode_uuid_snapshot(loaded->meta, accounts);
  const Result<index::LoadedUuidSnapshot> reread = index::decode_uuid_snapshot(again);
  if (!reread.ok() || reread->accounts.size() != loaded->accounts.size()) {
    fuzz::invariant_failed("a written uuid snapshot does not read back");
  }
  for (std::size_t a = 0; a < accounts.size(); ++a) {
    if (reread->accounts[a].first != loaded->accounts[a].first ||
        entries_of(reread->accounts[a].second) != entries_of(loaded->accounts[a].second)) {
      fuzz::invariant_failed("a written uuid snapshot reads back to other entries");
    }
  }
  return 0;
}
