// Dispatch of the trunk control plane by resource and method, and what its handlers share.
#include "api/trunks/trunk_api.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <vector>

#include "api/errors.h"
#include "api/trunks/handlers.h"
#include "api/trunks/trunk_view.h"
#include "core/crypto.h"
#include "service/trunks/validators.h"

namespace cdrd::api::trunks {

namespace detail {

http::HttpResponse json(int status, std::string body) {
  http::HttpResponse r;
  r.status = status;
  r.body = std::move(body);
  return r;
}

http::HttpResponse error(const Status& status) {
  if (api::http_status_for(status) == 500) {
    spdlog::error("trunk control plane: {}", status.message());
  }
  return error_response(status);
}

http::HttpResponse created(std::string_view message, std::string_view id_key, std::string_view id) {
  return json(201, render_ack(new_uuid_v4(), message, id_key, id));
}

http::HttpResponse updated(std::string_view message, std::string_view id_key, std::string_view id) {
  return json(202, render_ack(new_uuid_v4(), message, id_key, id));
}

http::HttpResponse deleted() {
  http::HttpResponse r;
  r.status = 204;
  return r;
}

http::HttpResponse not_found(std::string_view what, std::string_view id) {
  return error_response(404, std::string(what) + " not found: " + echo(id));
}

namespace {

// The bare digits of a non-negative integer (spaces around allowed: a raw '+' decodes to one).
std::optional<std::int64_t> non_negative(std::string_view s, std::size_t max_digits) {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  while (s.size() > 1 && s.front() == '0') s.remove_prefix(1);
  if (s.empty() || s.size() > max_digits ||
      !std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return std::nullopt;
  }
  std::int64_t v = 0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
  return v;
}

}  // namespace

Result<PageRequest> parse_list_query(
    const http::Params& params, std::int64_t account_id,
    std::initializer_list<std::string_view> filters,
    const std::function<Status(std::string_view name, std::string_view value)>& on_filter) {
  PageRequest page;
  page.account_id = account_id;
  std::vector<std::string_view> seen;
  for (const auto& [name, value] : params) {
    const bool is_filter = std::find(filters.begin(), filters.end(), name) != filters.end();
    if (!is_filter && name != "limit" && name != "offset") {
      std::string accepted;
      for (std::string_view f : filters) accepted += std::string(f) + ", ";
      return Status::Invalid("unknown parameter '" + echo(name) +
                             "'; accepted parameters: " + accepted + "limit, offset");
    }
    if (std::find(seen.begin(), seen.end(), name) != seen.end()) {
      return Status::Invalid(name + ": given more than once; give each parameter at most once");
    }
    seen.push_back(name);
    if (name == "limit") {
      const auto v = non_negative(value, 2);
      if (!v || *v < 1 || *v > 20) {
        return Status::Invalid("limit: must be an integer from 1 to 20, got '" + echo(value) + "'");
      }
      page.limit = static_cast<int>(*v);
    } else if (name == "offset") {
      const auto v = non_negative(value, 18);
      if (!v) {
        return Status::Invalid("offset: must be a non-negative integer, got '" + echo(value) + "'");
      }
      page.offset = *v;
    } else if (Status s = on_filter(name, value); !s.ok()) {
      return s;
    }
  }
  return page;
}

Result<JsonBody> body_of(const http::HttpRequest& request) { return JsonBody::parse(request.body); }

Status nothing_to_change(std::string_view accepted) {
  return Status::Invalid("the body names no field to change; send at least one of: " +
                         std::string(accepted));
}

Status read_name(const JsonBody& body, std::string& target) {
  Result<std::optional<std::string>> name =
      body.string("name", "a string of at most 128 characters");
  if (!name.ok()) return name.status();
  if (!*name) return Status::Ok();
  if (Status s = check_name("name", **name); !s.ok()) return s;
  target = **name;
  return Status::Ok();
}

}  // namespace detail

namespace {

constexpr std::array<ResourcePath, 4> kPaths = {{
    {"Trunk", Resource::kTrunk},
    {"Credential", Resource::kCredential},
    {"URI", Resource::kUri},
    {"IPAccessControlList", Resource::kIpAcl},
}};

http::HttpResponse method_not_allowed(const http::HttpRequest& request, std::string_view allowed) {
  http::HttpResponse r =
      error_response(405, "method " + request.method + " is not allowed on " + request.path +
                              "; allowed: " + std::string(allowed));
  r.headers.emplace_back("Allow", std::string(allowed));
  return r;
}

const detail::ResourceHandlers& handlers_of(Resource resource) {
  using namespace detail;
  switch (resource) {
    case Resource::kTrunk:
      return kTrunkHandlers;
    case Resource::kCredential:
      return kCredentialHandlers;
    case Resource::kUri:
      return kUriHandlers;
    case Resource::kIpAcl:
      break;
  }
  return kIpAclHandlers;
}

}  // namespace

std::span<const ResourcePath> resource_paths() { return kPaths; }

http::HttpResponse handle_collection(const ApiContext& ctx, TrunkStore& store,
                                     const Account& account, const http::HttpRequest& request,
                                     Resource resource) {
  const detail::Call c{ctx, store, account, request};
  const detail::ResourceHandlers& handlers = handlers_of(resource);
  if (request.method == "GET") return handlers.list(c);
  if (request.method == "POST") return handlers.create(c);
  return method_not_allowed(request, "GET, POST");
}

http::HttpResponse handle_item(const ApiContext& ctx, TrunkStore& store, const Account& account,
                               const http::HttpRequest& request, Resource resource,
                               std::string_view id) {
  const detail::Call c{ctx, store, account, request};
  const detail::ResourceHandlers& handlers = handlers_of(resource);
  if (request.method == "GET") return handlers.get(c, id);
  if (request.method == "POST") return handlers.update(c, id);
  if (request.method == "DELETE") return handlers.remove(c, id);
  return method_not_allowed(request, "GET, POST, DELETE");
}

}  // namespace cdrd::api::trunks
