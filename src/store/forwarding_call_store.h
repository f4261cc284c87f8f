// ForwardingCallStore: a CallStore that hands every operation to another one, for a store that
// changes one or two of them (sqlite::StandInAccountsCallStore adds stand-in accounts before an
// insert) and must answer the rest exactly as the store it wraps: deriving from it, a new
// CallStore operation reaches the wrapped store without touching the wrapper.
// Thread-safety: as the wrapped store, which must outlive it.
#pragma once

#include <cstdint>
#include <future>
#include <optional>
#include <string_view>
#include <vector>

#include "store/call_store.h"

namespace cdrd {

class ForwardingCallStore : public CallStore {
 public:
  explicit ForwardingCallStore(CallStore& inner) : inner_(inner) {}

  Result<std::vector<InsertOutcome>> insert_calls(const std::vector<CallRecord>& records) override {
    return inner_.insert_calls(records);
  }
  std::future<Result<std::vector<InsertOutcome>>> insert_calls_async(
      std::vector<CallRecord> records) override {
    return inner_.insert_calls_async(std::move(records));
  }
  std::vector<CallRecord> take_spent_records() override { return inner_.take_spent_records(); }
  Result<std::optional<CallRecord>> find_call(std::int64_t account_id, std::string_view call_uuid,
                                              Micros served_from) override {
    return inner_.find_call(account_id, call_uuid, served_from);
  }
  Result<std::optional<CallRecord>> find_trunk_call(std::int64_t account_id,
                                                    std::string_view call_uuid,
                                                    Micros served_from) override {
    return inner_.find_trunk_call(account_id, call_uuid, served_from);
  }
  bool find_call_is_local() const override { return inner_.find_call_is_local(); }
  bool find_call_is_bounded(std::int64_t account_id) override {
    return inner_.find_call_is_bounded(account_id);
  }
  bool list_is_bounded(const CallQuery& query) override { return inner_.list_is_bounded(query); }
  Result<Page<CallRecord>> list_calls(const CallQuery& query) override {
    return inner_.list_calls(query);
  }
  Result<UsageAnswer> usage(const UsageQuery& query) override { return inner_.usage(query); }
  Result<std::vector<StoredCall>> calls_stored_after(std::int64_t account_id, std::int64_t after_id,
                                                     Micros served_from, int limit) override {
    return inner_.calls_stored_after(account_id, after_id, served_from, limit);
  }
  Result<std::int64_t> export_calls(const ExportQuery& query, std::int64_t after_id,
                                    std::int64_t through_id, const ExportRowFn& row) override {
    return inner_.export_calls(query, after_id, through_id, row);
  }
  Result<std::int64_t> next_export_id(const ExportQuery& query, std::int64_t after_id) override {
    return inner_.next_export_id(query, after_id);
  }
  Result<std::int64_t> last_call_id() override { return inner_.last_call_id(); }
  Result<std::int64_t> delete_calls_ended_before(Micros floor, int max_rows) override {
    return inner_.delete_calls_ended_before(floor, max_rows);
  }

 protected:
  CallStore& inner() { return inner_; }

 private:
  CallStore& inner_;
};

}  // namespace cdrd
