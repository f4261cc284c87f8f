#include "api/zentrunk/export.h"

#include <memory>
#include <string>
#include <string_view>
#include <utility>

#include "api/errors.h"
#include "api/zentrunk/calls.h"
#include "service/export/call_exporter.h"

namespace cdrd::api::zentrunk {
namespace {

// The exporter as the server's body source: one piece per call of next().
class ExportSource : public http::BodySource {
 public:
  explicit ExportSource(std::unique_ptr<service::CallExporter> exporter)
      : exporter_(std::move(exporter)) {}
  Result<bool> next(std::string& out) override { return exporter_->next(out); }

 private:
  std::unique_ptr<service::CallExporter> exporter_;
};

http::HttpResponse stream(const ApiContext& ctx, ExportQuery query, ExportFormat format) {
  Result<std::unique_ptr<service::CallExporter>> exporter =
      service::CallExporter::start(ctx.calls, ctx.accounts, std::move(query), format);
  if (!exporter.ok()) return error_response(exporter.status());
  http::HttpResponse r;
  r.status = 200;
  r.content_type = std::string(export_content_type(format));
  r.stream = std::make_shared<ExportSource>(std::move(*exporter));
  return r;
}

}  // namespace

Result<ExportRequest> parse_export_query(const http::Params& params, std::int64_t account_id,
                                         Micros now, const ApiSettings& settings,
                                         bool operator_route) {
  ExportRequest r;
  http::Params filters;
  bool format_seen = false;
  for (const auto& [name, value] : params) {
    if (name == "limit" || name == "offset") {
      return Status::Invalid(name +
                             ": an export has no pages: it holds every call that matches; "
                             "leave out limit and offset");
    }
    const bool is_account = operator_route && name == "account";
    if (name != "format" && !is_account) {
      filters.emplace_back(name, value);
      continue;
    }
    if (is_account ? r.account.has_value() : format_seen) {
      return Status::Invalid(name + ": given more than once; give each parameter at most once");
    }
    if (is_account) {
      if (value.empty()) return bad_param_value(name, "must be an account's auth_id", value);
      r.account = value;
    } else {
      format_seen = true;
      const std::optional<ExportFormat> f = parse_export_format(value);
      if (!f) return bad_param_value(name, "must be ndjson or csv", value);
      r.format = *f;
    }
  }
  ASSIGN_OR_RETURN(r.filter,
                   parse_call_filter_query(filters, account_id, now, settings,
                                           operator_route ? "format, account" : "format"));
  return r;
}

http::HttpResponse export_account_calls(const ApiContext& ctx, const Account& account,
                                        const http::HttpRequest& request) {
  Result<ExportRequest> parsed =
      parse_export_query(request.query, account.id, ctx.now(), ctx.settings, false);
  if (!parsed.ok()) return error_response(parsed.status());
  ExportQuery query;
  query.filter = std::move(parsed->filter);
  query.served_from = ctx.retention_floor();
  return stream(ctx, std::move(query), parsed->format);
}

http::HttpResponse export_all_calls(const ApiContext& ctx, const http::HttpRequest& request) {
  Result<ExportRequest> parsed =
      parse_export_query(request.query, 0, ctx.now(), ctx.settings, true);
  if (!parsed.ok()) return error_response(parsed.status());
  ExportQuery query;
  query.filter = std::move(parsed->filter);
  query.served_from = ctx.retention_floor();
  if (parsed->account) {
    Result<std::optional<Account>> account = ctx.accounts.find_account_by_auth_id(*parsed->account);
    if (!account.ok()) return error_response(account.status());
    if (!account->has_value()) {
      return error_response(
          404, "account: no account with auth_id '" + parsed->account->substr(0, 64) + "'");
    }
    query.filter.account_id = (*account)->id;
  } else {
    query.all_accounts = true;
  }
  return stream(ctx, std::move(query), parsed->format);
}

}  // namespace cdrd::api::zentrunk
