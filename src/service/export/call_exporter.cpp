#include "service/export/call_exporter.h"

#include <algorithm>
#include <deque>
#include <thread>
#include <utility>
#include <vector>

#include "core/mutex.h"

namespace cdrd::service {

CallExporter::CallExporter(CallStore& calls, AccountStore& accounts, ExportQuery query,
                           ExportFormat format, ExportSettings settings)
    : calls_(calls),
      accounts_(accounts),
      query_(std::move(query)),
      settings_(settings),
      formatter_(format) {}

Result<std::unique_ptr<CallExporter>> CallExporter::start(CallStore& calls, AccountStore& accounts,
                                                          ExportQuery query, ExportFormat format,
                                                          ExportSettings settings) {
  settings.window_ids = std::max<std::int64_t>(settings.window_ids, 1);
  settings.stride = std::max<std::int64_t>(settings.stride, 1);
  settings.first_window = std::max<std::int64_t>(settings.first_window, 0);
  std::unique_ptr<CallExporter> e(
      new CallExporter(calls, accounts, std::move(query), format, settings));
  ASSIGN_OR_RETURN(std::vector<Account> all, accounts.list_accounts());
  for (Account& a : all) e->auth_ids_.emplace(a.id, std::move(a.auth_id));
  if (!e->query_.all_accounts && !e->auth_ids_.contains(e->query_.filter.account_id)) {
    return Status::NotFound("no account of id " + std::to_string(e->query_.filter.account_id));
  }
  if (settings.through_id > 0) {
    e->through_id_ = settings.through_id;
  } else {
    ASSIGN_OR_RETURN(e->through_id_, calls.last_call_id());
  }
  e->after_id_ = settings.first_window * settings.window_ids;
  e->header_written_ = settings.first_window != 0;
  return e;
}

std::string_view CallExporter::auth_id_of(std::int64_t account_id) {
  auto it = auth_ids_.find(account_id);
  if (it == auth_ids_.end() && !accounts_reloaded_) {
    // An account made after the export began (its calls have later ids, so this is rare).
    accounts_reloaded_ = true;
    if (Result<std::vector<Account>> all = accounts_.list_accounts(); all.ok()) {
      for (Account& a : *all) auth_ids_.emplace(a.id, std::move(a.auth_id));
    }
    it = auth_ids_.find(account_id);
  }
  return it == auth_ids_.end() ? std::string_view() : std::string_view(it->second);
}

Status CallExporter::skip_empty_windows() {
  ASSIGN_OR_RETURN(const std::int64_t next_id, calls_.next_export_id(query_, after_id_));
  if (next_id <= 0 || next_id > through_id_) {
    after_id_ = through_id_;
    return Status::Ok();
  }
  // The first of this exporter's windows (first_window + k * stride) that reaches next_id.
  const std::int64_t w = settings_.window_ids;
  const std::int64_t window = (next_id - 1) / w;
  const std::int64_t k =
      window <= settings_.first_window
          ? 0
          : (window - settings_.first_window + settings_.stride - 1) / settings_.stride;
  after_id_ = std::max(after_id_, (settings_.first_window + k * settings_.stride) * w);
  return Status::Ok();
}

Result<bool> CallExporter::next(std::string& out) {
  if (!header_written_) {
    formatter_.append_header(out);
    header_written_ = true;
  }
  const auto started = std::chrono::steady_clock::now();
  // One account's export looks its auth_id up once; the operator's per call (cached by id).
  const std::int64_t single = query_.all_accounts ? 0 : query_.filter.account_id;
  const std::string single_auth_id = single != 0 ? std::string(auth_id_of(single)) : "";
  std::int64_t last_account = -1;
  std::string_view last_auth_id;
  const ExportRowFn row = [&](const CallExportRow& r) {
    if (single != 0) {
      formatter_.append(out, r, single_auth_id);
    } else {
      if (r.account_id != last_account) {
        last_account = r.account_id;
        last_auth_id = auth_id_of(r.account_id);
      }
      formatter_.append(out, r, last_auth_id);
    }
  };
  while (after_id_ < through_id_) {
    const std::int64_t window_end = std::min(through_id_, after_id_ + settings_.window_ids);
    ASSIGN_OR_RETURN(const std::int64_t n, calls_.export_calls(query_, after_id_, window_end, row));
    written_ += n;
    after_id_ += settings_.window_ids * settings_.stride;
    if (n == 0 && after_id_ < through_id_) RETURN_IF_ERROR(skip_empty_windows());
    if (out.size() >= settings_.piece_bytes) break;
    if (settings_.piece_time.count() > 0 &&
        std::chrono::steady_clock::now() - started >= settings_.piece_time) {
      break;
    }
  }
  return after_id_ < through_id_;
}

namespace {

// The pieces of one exporter of export_to(), handed from its thread to the writer.
struct Lane {
  Mutex mu;
  CondVar cv{&mu};
  // (window, piece): a lane's windows rise, but it skips the empty ones of a store of sparse
  // ids (CallStore::next_export_id), so the writer merges by window.
  std::deque<std::pair<std::int64_t, std::string>> ready GUARDED_BY(mu);
  bool done GUARDED_BY(mu) = false;
  bool cancelled GUARDED_BY(mu) = false;
  Status error GUARDED_BY(mu);
};

constexpr std::size_t kPiecesWaiting = 2;

}  // namespace

Result<std::int64_t> export_to(CallStore& calls, AccountStore& accounts, const ExportQuery& query,
                               ExportFormat format, int threads,
                               const std::function<Status(std::string_view)>& write) {
  threads = std::max(threads, 1);
  ExportSettings settings;
  settings.piece_bytes = 0;  // one window per piece: the lanes take turns window by window
  settings.piece_time = std::chrono::milliseconds(0);
  settings.stride = threads;
  ASSIGN_OR_RETURN(settings.through_id, calls.last_call_id());
  if (settings.through_id == 0) settings.through_id = 1;  // nothing stored: one empty window
  const auto n = static_cast<std::size_t>(threads);
  std::vector<std::unique_ptr<CallExporter>> exporters;
  exporters.reserve(n);
  for (int i = 0; i < threads; ++i) {
    settings.first_window = i;
    ASSIGN_OR_RETURN(std::unique_ptr<CallExporter> e,
                     CallExporter::start(calls, accounts, query, format, settings));
    exporters.push_back(std::move(e));
  }
  std::vector<std::unique_ptr<Lane>> lanes;
  lanes.reserve(n);
  for (int i = 0; i < threads; ++i) lanes.push_back(std::make_unique<Lane>());
  std::vector<std::thread> workers;
  workers.reserve(n);
  for (int i = 0; i < threads; ++i) {
    workers.emplace_back([&exporter = *exporters[static_cast<std::size_t>(i)],
                          &lane = *lanes[static_cast<std::size_t>(i)]] {
      for (;;) {
        std::string piece;
        const std::int64_t window = exporter.next_window();
        const Result<bool> more = exporter.next(piece);
        MutexLock lock(&lane.mu);
        while (lane.ready.size() >= kPiecesWaiting && !lane.cancelled) lane.cv.wait();
        if (lane.cancelled) return;
        if (!more.ok()) {
          lane.error = more.status();
          lane.done = true;
        } else {
          lane.ready.emplace_back(window, std::move(piece));
          lane.done = !*more;
        }
        lane.cv.signal_all();
        if (lane.done) return;
      }
    });
  }
  Status failed;
  for (;;) {
    // The lowest window any lane holds next: once every lane has one ready or is done.
    Lane* next = nullptr;
    std::int64_t next_window = 0;
    for (auto& lane : lanes) {
      MutexLock lock(&lane->mu);
      while (lane->ready.empty() && !lane->done) lane->cv.wait();
      if (lane->ready.empty()) {
        if (!lane->error.ok()) failed = lane->error;
      } else if (next == nullptr || lane->ready.front().first < next_window) {
        next = lane.get();
        next_window = lane->ready.front().first;
      }
    }
    if (!failed.ok() || next == nullptr) break;  // an error, or every lane is done
    std::string piece;
    {
      MutexLock lock(&next->mu);
      piece = std::move(next->ready.front().second);
      next->ready.pop_front();
      next->cv.signal_all();
    }
    failed = write(piece);
    if (!failed.ok()) break;
  }
  for (auto& lane : lanes) {
    MutexLock lock(&lane->mu);
    lane->cancelled = true;
    lane->cv.signal_all();
  }
  for (std::thread& t : workers) t.join();
  RETURN_IF_ERROR(failed);
  std::int64_t written = 0;
  for (const auto& e : exporters) written += e->calls_written();
  return written;
}

}  // namespace cdrd::service
