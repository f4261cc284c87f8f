// KeepingCallStore: a CallStore that accepts every batch whole, for the benchmark tools that
// time what comes before the store (bench/ingest_cpu, bench/store_write): it counts the calls
// it is given and, when asked, keeps a copy of them. Every read answers empty (EmptyCallStore).
// Not thread-safe.
#pragma once

#include <cstdint>
#include <vector>

#include "testing/empty_call_store.h"

namespace cdrd::testing {

class KeepingCallStore final : public EmptyCallStore {
 public:
  // `keep`: also keep a copy of every call (else only count them).
  explicit KeepingCallStore(bool keep) : keep_(keep) {}

  Result<std::vector<InsertOutcome>> insert_calls(const std::vector<CallRecord>& records) override {
    stored += static_cast<std::int64_t>(records.size());
    if (keep_) kept.insert(kept.end(), records.begin(), records.end());
    return std::vector<InsertOutcome>(records.size(), InsertOutcome::kStored);
  }

  std::int64_t stored = 0;       // calls given
  std::vector<CallRecord> kept;  // a copy of each, when keeping

 private:
  bool keep_;
};

}  // namespace cdrd::testing
