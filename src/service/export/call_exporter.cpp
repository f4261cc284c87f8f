#include "service/export/call_exporter.h"

#include <algorithm>
#include <utility>

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
  std::unique_ptr<CallExporter> e(
      new CallExporter(calls, accounts, std::move(query), format, settings));
  ASSIGN_OR_RETURN(std::vector<Account> all, accounts.list_accounts());
  for (Account& a : all) e->auth_ids_.emplace(a.id, std::move(a.auth_id));
  if (!e->query_.all_accounts && !e->auth_ids_.contains(e->query_.filter.account_id)) {
    return Status::NotFound("no account of id " + std::to_string(e->query_.filter.account_id));
  }
  ASSIGN_OR_RETURN(e->through_id_, calls.last_call_id());
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
    after_id_ = window_end;
    if (out.size() >= settings_.piece_bytes) break;
    if (settings_.piece_time.count() > 0 &&
        std::chrono::steady_clock::now() - started >= settings_.piece_time) {
      break;
    }
  }
  return after_id_ < through_id_;
}

}  // namespace cdrd::service
