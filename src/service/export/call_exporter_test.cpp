// CallExporter over a store of sparse storage ids (as ClickHouse's time-based ones): the windows
// between calls are skipped through CallStore::next_export_id, by one exporter and by several
// side by side (export_to), and every call is exported once, in storage order.
#include "service/export/call_exporter.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <string>
#include <vector>

namespace cdrd::service {
namespace {

class OneAccount final : public AccountStore {
 public:
  Result<Account> create_account(const std::string&, const std::string&,
                                 const std::string&) override {
    return Status::Internal("unused");
  }
  Result<std::optional<Account>> find_account_by_auth_id(std::string_view) override {
    return Status::Internal("unused");
  }
  Result<std::optional<Account>> find_account_by_name(std::string_view) override {
    return Status::Internal("unused");
  }
  Status set_token_hash(std::int64_t, const std::string&) override {
    return Status::Internal("unused");
  }
  Status set_default_country(std::int64_t, const std::string&) override {
    return Status::Internal("unused");
  }
  Result<std::vector<Account>> list_accounts() override {
    Account a;
    a.id = 1;
    a.auth_id = "MAAAAAAAAAAAAAAAAAAA";
    return std::vector<Account>{a};
  }
};

// Calls of account 1 at the given ids; counts the reads.
class SparseCalls final : public CallStore {
 public:
  explicit SparseCalls(std::vector<std::int64_t> ids) : ids_(std::move(ids)) {
    for (const std::int64_t id : ids_) uuids_.push_back("call-" + std::to_string(id));
  }
  Result<std::vector<InsertOutcome>> insert_calls(const std::vector<CallRecord>&) override {
    return Status::Internal("unused");
  }
  Result<std::optional<CallRecord>> find_call(std::int64_t, std::string_view, Micros) override {
    return Status::Internal("unused");
  }
  Result<Page<CallRecord>> list_calls(const CallQuery&) override {
    return Status::Internal("unused");
  }
  Result<UsageAnswer> usage(const UsageQuery&) override { return Status::Internal("unused"); }
  Result<std::vector<StoredCall>> calls_stored_after(std::int64_t, std::int64_t, Micros,
                                                     int) override {
    return Status::Internal("unused");
  }
  Result<std::int64_t> delete_calls_ended_before(Micros, int) override {
    return Status::Internal("unused");
  }
  Result<std::int64_t> export_calls(const ExportQuery&, std::int64_t after_id,
                                    std::int64_t through_id, const ExportRowFn& row) override {
    ++reads;
    std::int64_t n = 0;
    for (std::size_t i = 0; i < ids_.size(); ++i) {
      if (ids_[i] <= after_id || ids_[i] > through_id) continue;
      CallExportRow r;
      r.id = ids_[i];
      r.account_id = 1;
      r.call_uuid = uuids_[i];
      row(r);
      ++n;
    }
    return n;
  }
  Result<std::int64_t> next_export_id(const ExportQuery&, std::int64_t after_id) override {
    ++reads;
    for (const std::int64_t id : ids_) {
      if (id > after_id) return id;
    }
    return std::int64_t{0};
  }
  Result<std::int64_t> last_call_id() override { return ids_.empty() ? 0 : ids_.back(); }

  std::atomic<int> reads{0};

 private:
  std::vector<std::int64_t> ids_;
  std::vector<std::string> uuids_;
};

std::vector<std::int64_t> sparse_ids() {
  // Runs of calls 16 ids apart, far from each other (ids of 2^56 and more).
  std::vector<std::int64_t> ids;
  std::int64_t at = std::int64_t{1} << 56;
  for (int run = 0; run < 20; ++run) {
    for (int i = 0; i < 50; ++i) ids.push_back(at + std::int64_t{16} * i + 3);
    at += std::int64_t{1} << (30 + run % 7);
  }
  return ids;
}

std::vector<std::string> uuids_in(const std::string& ndjson) {
  std::vector<std::string> out;
  for (std::size_t at = ndjson.find("call-"); at != std::string::npos;
       at = ndjson.find("call-", at + 1)) {
    out.push_back(ndjson.substr(at, ndjson.find('"', at) - at));
  }
  return out;
}

TEST(CallExporter, SkipsTheEmptyWindowsBetweenSparseIds) {
  const std::vector<std::int64_t> ids = sparse_ids();
  SparseCalls calls(ids);
  OneAccount accounts;
  ExportQuery q;
  q.filter.account_id = 1;
  Result<std::unique_ptr<CallExporter>> e =
      CallExporter::start(calls, accounts, q, ExportFormat::kNdjson);
  ASSERT_TRUE(e.ok()) << e.status().message();
  std::string out;
  for (;;) {
    Result<bool> more = (*e)->next(out);
    ASSERT_TRUE(more.ok()) << more.status().message();
    if (!*more) break;
  }
  std::vector<std::string> want;
  for (const std::int64_t id : ids) want.push_back("call-" + std::to_string(id));
  EXPECT_EQ(uuids_in(out), want);
  // A read per window with calls and one per run of empty windows: not one per window.
  EXPECT_LT(calls.reads, 200);
}

TEST(CallExporter, ExportersSideBySideSkipToTheirOwnWindows) {
  const std::vector<std::int64_t> ids = sparse_ids();
  for (const int threads : {2, 3}) {
    SparseCalls calls(ids);
    OneAccount accounts;
    ExportQuery q;
    q.filter.account_id = 1;
    std::string out;
    Result<std::int64_t> n =
        export_to(calls, accounts, q, ExportFormat::kNdjson, threads, [&](std::string_view piece) {
          out += piece;
          return Status::Ok();
        });
    ASSERT_TRUE(n.ok()) << n.status().message();
    EXPECT_EQ(*n, static_cast<std::int64_t>(ids.size()));
    std::vector<std::string> want;
    for (const std::int64_t id : ids) want.push_back("call-" + std::to_string(id));
    EXPECT_EQ(uuids_in(out), want) << threads;
  }
}

}  // namespace
}  // namespace cdrd::service
