#include "api/zentrunk/usage.h"

#include <string_view>

#include "api/errors.h"
#include "api/zentrunk/calls.h"
#include "core/ascii.h"
#include "core/crypto.h"
#include "core/json_writer.h"

namespace cdrd::api::zentrunk {
namespace {

void optional_text(JsonWriter& w, std::string_view name, const std::optional<std::string>& v) {
  if (v) {
    w.string_member(name, *v);
  } else {
    w.null_member(name);
  }
}

// The figures of one row or of the totals, in the order the documentation shows them.
void write_figures(JsonWriter& w, const UsageTotals& t) {
  w.int_member("calls", t.calls);
  w.int_member("answered_calls", t.answered_calls);
  optional_text(w, "asr", usage_asr(t));
  optional_text(w, "acd", usage_acd(t));
  w.int_member("bill_duration", t.bill_duration_s);
  w.string_member("billed_minutes", usage_billed_minutes(t));
  w.string_member("total_amount", t.total_amount.to_fixed5());
}

}  // namespace

Result<UsageQuery> parse_usage_query(const http::Params& params, std::int64_t account_id,
                                     Micros now, const ApiSettings& settings) {
  UsageQuery q;
  q.max_rows = kMaxUsageRows;
  http::Params filters;
  bool period_seen = false, group_seen = false;
  for (const auto& [name, value] : params) {
    if (name == "period" || name == "group_by") {
      bool& seen = name == "period" ? period_seen : group_seen;
      if (seen) {
        return Status::Invalid(name + ": given more than once; give each parameter at most once");
      }
      seen = true;
      const std::string_view v = trim_blanks(value);
      if (name == "period") {
        const std::optional<UsagePeriod> p = parse_usage_period(v);
        if (!p) return bad_param_value(name, "must be hour, day or month", value);
        q.period = *p;
      } else {
        const std::optional<UsageGroup> g = parse_usage_group(v);
        if (!g) {
          return bad_param_value(name, "must be direction, to_country, trunk_id or hangup_source",
                                 value);
        }
        q.group_by = *g;
      }
      continue;
    }
    filters.emplace_back(name, value);
  }
  ASSIGN_OR_RETURN(q.filter,
                   parse_call_filter_query(filters, account_id, now, settings, "period, group_by"));
  return q;
}

Result<std::string> render_usage(const UsageAnswer& answer, const UsageQuery& query) {
  UsageTotals totals;
  for (const UsageRow& row : answer.rows) {
    if (!totals.add(row.totals)) {
      return Status::Invalid(
          "the totals leave the exact integer range; ask for a narrower end_time window");
    }
  }
  const std::string_view group = query.group_by ? to_string(*query.group_by) : std::string_view();
  JsonWriter w;
  w.start_object();
  w.string_member("api_id", new_uuid_v4());
  w.key("meta");
  w.start_object();
  w.string_member("period", to_string(query.period));
  if (query.group_by) {
    w.string_member("group_by", group);
  } else {
    w.null_member("group_by");
  }
  const TimeRange& window = query.filter.end_time;
  optional_text(w, "end_time__gte",
                window.from ? std::optional(format_timestamp(*window.from)) : std::nullopt);
  optional_text(w, "end_time__lt",
                window.until ? std::optional(format_timestamp(*window.until)) : std::nullopt);
  w.int_member("max_rows", query.max_rows);
  w.int_member("total_count", static_cast<std::int64_t>(answer.rows.size()));
  w.end_object();
  w.key("objects");
  w.start_array();
  for (const UsageRow& row : answer.rows) {
    w.start_object();
    w.string_member("period_start", format_timestamp(row.period_start));
    w.string_member("period_end",
                    format_timestamp(usage_period_end(query.period, row.period_start)));
    if (query.group_by) w.string_member(group, row.group);
    write_figures(w, row.totals);
    w.end_object();
  }
  w.end_array();
  w.key("totals");
  w.start_object();
  write_figures(w, totals);
  w.end_object();
  w.end_object();
  return w.text();
}

http::HttpResponse get_usage(const ApiContext& ctx, const Account& account,
                             const http::HttpRequest& request) {
  Result<UsageQuery> query = parse_usage_query(request.query, account.id, ctx.now(), ctx.settings);
  if (!query.ok()) return error_response(query.status());
  Result<UsageAnswer> answer = ctx.calls.usage(*query);
  if (!answer.ok()) return error_response(answer.status());
  if (answer->more) {
    return error_response(
        400, "period, group_by: the answer would have more than " + std::to_string(kMaxUsageRows) +
                 " rows (one per period and group); narrow the end_time window "
                 "(end_time__gte, end_time__lt), choose a longer period or add a filter");
  }
  Result<std::string> body = render_usage(*answer, *query);
  if (!body.ok()) return error_response(body.status());
  http::HttpResponse r;
  r.status = 200;
  r.body = std::move(*body);
  return r;
}

}  // namespace cdrd::api::zentrunk
