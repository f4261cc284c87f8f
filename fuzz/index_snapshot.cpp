// Fuzzes the index snapshot reader (store/index/index_snapshot.h): the input is a snapshot file's
// bytes. decode_snapshot either refuses them with kIOError, or gives indexes that are exact and
// that write back (encode_snapshot) to bytes that read again to the same calls.
#include <string>
#include <vector>

#include "fuzz_target.h"
#include "store/index/index_snapshot.h"

using namespace cdrd;

namespace {

std::vector<std::string> calls_of(const index::AccountCallIndex& idx) {
  std::vector<std::string> out;
  idx.for_each_call([&out](const index::IndexedCall& c) {
    out.push_back(std::to_string(c.id) + " " + std::to_string(c.end_time) + " " +
                  std::string(c.from_number) + " " + std::string(c.to_number) + " " +
                  std::string(c.trunk_id) + " " + std::string(c.from_username) + " " +
                  std::string(c.to_username) + " " + std::string(c.bridged_username) + " " +
                  std::string(c.did_number) + " " + std::to_string(c.bill_duration_s));
  });
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view bytes = fuzz::as_text(data, size);
  Result<index::LoadedSnapshot> loaded = index::decode_snapshot(bytes, 1, 16);
  if (!loaded.ok()) {
    if (loaded.status().code() != Status::Code::kIOError) {
      fuzz::invariant_failed("a refused snapshot is not kIOError");
    }
    return 0;
  }
  std::vector<index::SnapshotAccount> accounts;
  for (const auto& [id, idx] : loaded->accounts) {
    if (!idx.exact()) fuzz::invariant_failed("a loaded index is not exact");
    accounts.push_back({id, &idx});
    CallQuery q;  // every call, newest first, with its count
    q.limit = 5;
    if (idx.query(q).total_count != static_cast<std::int64_t>(idx.size())) {
      fuzz::invariant_failed("a loaded index does not count its calls");
    }
  }
  const Result<std::string> again = index::encode_snapshot(loaded->meta, accounts);
  if (!again.ok()) fuzz::invariant_failed("a loaded snapshot does not write back");
  const Result<index::LoadedSnapshot> reread = index::decode_snapshot(*again, 1, 16);
  if (!reread.ok() || reread->accounts.size() != loaded->accounts.size()) {
    fuzz::invariant_failed("a written snapshot does not read back");
  }
  for (std::size_t a = 0; a < accounts.size(); ++a) {
    if (reread->accounts[a].first != loaded->accounts[a].first ||
        calls_of(reread->accounts[a].second) != calls_of(loaded->accounts[a].second)) {
      fuzz::invariant_failed("a written snapshot reads back to other calls");
    }
  }
  return 0;
}
