// URI/: an origination URI, where an inbound trunk delivers calls. With
// authentication_needed, a username and a password (never returned) go with it.
#include <string>

#include "api/trunks/handlers.h"
#include "api/trunks/trunk_view.h"
#include "core/crypto.h"
#include "service/trunks/validators.h"

namespace cdrd::api::trunks::detail {
namespace {

constexpr std::string_view kUriFields = "name, uri, authentication_needed, username, password";
constexpr std::string_view kUriForm = "a string host[:port][;transport=udp|tcp|tls]";
constexpr ResourceOps<OriginationUri> kUriOps{"origination URI", &is_uuid_like,
                                              &TrunkStore::find_origination_uri,
                                              &TrunkStore::delete_origination_uri};

// What a create or update body gives; each present value already checked.
struct UriInput {
  std::optional<std::string> uri, username, password;
  std::optional<bool> authentication_needed;
};

Result<UriInput> read_body(const JsonBody& body, OriginationUri& target) {
  if (Status s =
          body.check_fields({"name", "uri", "authentication_needed", "username", "password"});
      !s.ok()) {
    return s;
  }
  if (Status s = read_name(body, target.name); !s.ok()) return s;
  UriInput in;
  Result<std::optional<std::string>> uri = body.string("uri", kUriForm);
  if (!uri.ok()) return uri.status();
  if (*uri) {
    if (Status s = check_origination_uri("uri", **uri); !s.ok()) return s;
    in.uri = **uri;
  }
  Result<std::optional<bool>> auth = body.boolean("authentication_needed");
  if (!auth.ok()) return auth.status();
  in.authentication_needed = *auth;
  Result<std::optional<std::string>> username = body.string(
      "username", "a string of 3 to 64 characters of letters, digits, '.', '_' and '-'");
  if (!username.ok()) return username.status();
  if (*username) {
    if (Status s = check_username("username", **username); !s.ok()) return s;
    in.username = **username;
  }
  Result<std::optional<std::string>> password =
      body.string("password", "a string", /*secret=*/true);
  if (!password.ok()) return password.status();
  if (*password) {
    if (Status s = check_password("password", **password); !s.ok()) return s;
    in.password = **password;
  }
  return in;
}

// Applies `in` to `u` and checks the authentication rule on the result.
Status merge(const UriInput& in, OriginationUri& u) {
  if (in.uri) u.uri = *in.uri;
  if (in.authentication_needed) u.authentication_needed = *in.authentication_needed;
  if (!u.authentication_needed) {
    for (auto [given, field] : {std::pair{in.username.has_value(), "username"},
                                std::pair{in.password.has_value(), "password"}}) {
      if (given) {
        return Status::Invalid(std::string(field) +
                               ": only used with authentication_needed true; set it to true or "
                               "leave the " +
                               field + " out");
      }
    }
    u.username.clear();
    u.password.clear();
    return Status::Ok();
  }
  if (in.username) u.username = *in.username;
  if (in.password) u.password = *in.password;
  if (u.username.empty()) {
    return Status::Missing("username: is required when authentication_needed is true");
  }
  if (u.password.empty()) {
    return Status::Missing("password: is required when authentication_needed is true");
  }
  return Status::Ok();
}

http::HttpResponse create_uri(const Call& c) {
  Result<JsonBody> body = body_of(c.request);
  if (!body.ok()) return error(body.status());
  OriginationUri u;
  u.account_id = c.account.id;
  Result<UriInput> in = read_body(*body, u);
  if (!in.ok()) return error(in.status());
  if (!in->uri) return error(Status::Missing("uri: is required (" + std::string(kUriForm) + ")"));
  if (Status s = merge(*in, u); !s.ok()) return error(s);
  u.uri_uuid = new_uuid_v4();
  if (Status s = c.store.create_origination_uri(u, kMaxOriginationUrisPerAccount); !s.ok()) {
    return error(s);
  }
  return created("URI created successfully.", "uri_uuid", u.uri_uuid);
}

http::HttpResponse update_uri(const Call& c, std::string_view uuid) {
  OriginationUri u;
  if (std::optional<http::HttpResponse> answer = find_row(c, kUriOps, uuid, u)) return *answer;
  Result<JsonBody> body = body_of(c.request);
  if (!body.ok()) return error(body.status());
  if (body->empty()) return error(nothing_to_change(kUriFields));
  Result<UriInput> in = read_body(*body, u);
  if (!in.ok()) return error(in.status());
  if (Status s = merge(*in, u); !s.ok()) return error(s);
  if (Status s = c.store.update_origination_uri(u); !s.ok()) return error(s);
  return updated("URI updated successfully.", "uri_uuid", u.uri_uuid);
}

}  // namespace

const ResourceHandlers kUriHandlers{
    [](const Call& c) { return list_unfiltered(c, &TrunkStore::list_origination_uris); },
    &create_uri,
    [](const Call& c, std::string_view id) { return get_row(c, kUriOps, id); },
    &update_uri,
    [](const Call& c, std::string_view id) { return delete_row(c, kUriOps, id); },
};

}  // namespace cdrd::api::trunks::detail
