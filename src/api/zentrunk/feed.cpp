#include "api/zentrunk/feed.h"

#include <charconv>
#include <limits>
#include <optional>
#include <string>
#include <string_view>

#include "api/errors.h"
#include "api/zentrunk/call_view.h"
#include "api/zentrunk/calls.h"
#include "core/crypto.h"
#include "core/json_writer.h"

namespace cdrd::api::zentrunk {
namespace {

// Decimal digits only (no sign, no blanks) up to `max`, else none.
std::optional<std::int64_t> parse_decimal(std::string_view s, std::int64_t max) {
  if (s.empty() || s.size() > 18) return std::nullopt;
  std::int64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
  }
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size() || v > max) return std::nullopt;
  return v;
}

}  // namespace

Result<FeedQuery> parse_feed_query(const http::Params& params) {
  FeedQuery q;
  bool after_seen = false, limit_seen = false;
  for (const auto& [name, value] : params) {
    if (name != "after" && name != "limit") {
      std::string shown = name.substr(0, 64);
      if (name.size() > 64) shown += "...";
      return Status::Invalid("unknown parameter '" + shown +
                             "'; accepted parameters: after, limit");
    }
    bool& seen = name == "after" ? after_seen : limit_seen;
    if (seen) {
      return Status::Invalid(name + ": given more than once; give each parameter at most once");
    }
    seen = true;
    if (name == "after") {
      const std::optional<std::int64_t> v =
          parse_decimal(value, std::numeric_limits<std::int64_t>::max());
      if (!v) {
        return bad_param_value(
            name, "must be the next_cursor of an earlier answer (decimal digits)", value);
      }
      q.after = *v;
    } else {
      const std::optional<std::int64_t> v = parse_decimal(value, kMaxFeedLimit);
      if (!v || *v < 1) return bad_param_value(name, "must be an integer from 1 to 1000", value);
      q.limit = static_cast<int>(*v);
    }
  }
  return q;
}

std::string render_feed(const std::vector<StoredCall>& calls, const FeedQuery& query) {
  const std::int64_t next = calls.empty() ? query.after : calls.back().id;
  JsonWriter w;
  w.start_object();
  w.string_member("api_id", new_uuid_v4());
  w.key("meta");
  w.start_object();
  w.int_member("limit", query.limit);
  w.string_member("next_cursor", std::to_string(next));
  w.end_object();
  w.key("objects");
  w.start_array();
  for (const StoredCall& c : calls) {
    w.start_object();
    write_call_fields(w, c.call, Representation::kCurrent);
    w.end_object();
  }
  w.end_array();
  w.end_object();
  return w.text();
}

http::HttpResponse get_feed(const ApiContext& ctx, const Account& account,
                            const http::HttpRequest& request) {
  Result<FeedQuery> query = parse_feed_query(request.query);
  if (!query.ok()) return error_response(query.status());
  Result<std::vector<StoredCall>> calls =
      ctx.calls.calls_stored_after(account.id, query->after, ctx.retention_floor(), query->limit);
  if (!calls.ok()) return error_response(calls.status());
  http::HttpResponse r;
  r.status = 200;
  r.body = render_feed(*calls, *query);
  return r;
}

}  // namespace cdrd::api::zentrunk
