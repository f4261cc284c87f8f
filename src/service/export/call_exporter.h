// CallExporter: the export of a filtered set of calls (docs/export.md) made piece by piece, so
// that neither `cdrd export` nor the API's streamed export holds more than one piece in memory,
// whatever the number of calls.
//
// The export covers the calls stored when it began (ids up to CallStore::last_call_id() then;
// a call stored later is left for the next export or the change feed), in storage order. Each
// next() walks windows of ids through CallStore::export_calls until the piece is full, the
// export is done or `piece_time` has passed (past empty windows at once where the store's ids
// are sparse: CallStore::next_export_id); each window is one short read of its own, so a
// long export holds no database snapshot and no reader connection between windows.
//
// Errors: start() fails kNotFound for an account that does not exist, and passes on the store's
// errors; next() passes on the store's (kUnavailable past a read's time budget, kIOError).
// Thread-safety: none; one thread at a time (the server calls next() from one worker at a time).
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <unordered_map>

#include "core/call_export.h"
#include "core/status.h"
#include "store/call_store.h"

namespace cdrd::service {

struct ExportSettings {
  // A piece ends once it holds this many bytes (it may pass it by one window's calls).
  std::size_t piece_bytes = std::size_t{256} * 1024;
  // Storage ids per read: bounds the calls one read hands over, so a piece's size stays near
  // piece_bytes however densely the ids are used.
  std::int64_t window_ids = 4096;
  // A piece also ends after this long, even a small or empty one (a selective filter over many
  // calls), so that a worker is not held for the whole export. Zero: no limit.
  std::chrono::milliseconds piece_time{100};
  // Windows this exporter takes: first_window, first_window + stride, ... (export_to() runs
  // `stride` exporters side by side); the CSV header only when first_window is 0.
  std::int64_t stride = 1;
  std::int64_t first_window = 0;
  // Where the export ends (0: CallStore::last_call_id() at start()).
  std::int64_t through_id = 0;
};

// The whole export handed to `write` in order, made by `threads` exporters side by side (each
// on its own reader connection, at most two pieces waiting each, so memory stays bounded): what
// `cdrd export` runs. Returns the number of calls; the first error of the store or of `write`
// stops every thread.
Result<std::int64_t> export_to(CallStore& calls, AccountStore& accounts, const ExportQuery& query,
                               ExportFormat format, int threads,
                               const std::function<Status(std::string_view)>& write);

class CallExporter {
 public:
  // Begins an export of `query` (query.all_accounts: every account; else the account of
  // query.filter.account_id) in `format`.
  static Result<std::unique_ptr<CallExporter>> start(CallStore& calls, AccountStore& accounts,
                                                     ExportQuery query, ExportFormat format,
                                                     ExportSettings settings = {});

  // Appends the next piece to `out` (the CSV header first): false once the export is complete
  // (`out` then holds the last piece, possibly empty). A piece may be empty while more follow.
  Result<bool> next(std::string& out);

  std::int64_t calls_written() const { return written_; }
  // The window of ids the next call of next() begins with (its number from 0).
  std::int64_t next_window() const { return after_id_ / settings_.window_ids; }

 private:
  CallExporter(CallStore& calls, AccountStore& accounts, ExportQuery query, ExportFormat format,
               ExportSettings settings);
  // After an empty window: on to this exporter's first window that may hold a call
  // (CallStore::next_export_id), or to the end.
  Status skip_empty_windows();
  // The auth_id of an account id ("" if it has none any more).
  std::string_view auth_id_of(std::int64_t account_id);

  CallStore& calls_;
  AccountStore& accounts_;
  const ExportQuery query_;
  const ExportSettings settings_;
  CallExportFormatter formatter_;
  std::unordered_map<std::int64_t, std::string> auth_ids_;
  bool accounts_reloaded_ = false;
  bool header_written_ = false;
  std::int64_t after_id_ = 0;
  std::int64_t through_id_ = 0;
  std::int64_t written_ = 0;
};

}  // namespace cdrd::service
