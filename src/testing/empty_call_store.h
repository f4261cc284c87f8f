// EmptyCallStore: a CallStore that holds nothing: every write is accepted and stores nothing,
// every read answers empty. The base of the fakes that only care about one or two calls
// (KeepingCallStore for the benchmark tools, the retention sweeper's test): each overrides
// what it looks at and inherits the rest.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "store/call_store.h"

namespace cdrd::testing {

class EmptyCallStore : public CallStore {
 public:
  Result<std::vector<InsertOutcome>> insert_calls(const std::vector<CallRecord>&) override {
    return std::vector<InsertOutcome>{};
  }
  Result<std::optional<CallRecord>> find_call(std::int64_t, std::string_view, Micros) override {
    return std::optional<CallRecord>();
  }
  Result<Page<CallRecord>> list_calls(const CallQuery&) override { return Page<CallRecord>{}; }
  Result<UsageAnswer> usage(const UsageQuery&) override { return UsageAnswer{}; }
  Result<std::vector<StoredCall>> calls_stored_after(std::int64_t, std::int64_t, Micros,
                                                     int) override {
    return std::vector<StoredCall>();
  }
  Result<std::int64_t> delete_calls_ended_before(Micros, int) override { return 0; }
};

}  // namespace cdrd::testing
