// Credential/: a SIP digest username of the account. Only HA1 = MD5(username:realm:password)
// is stored; the realm is the service's ("zt.{sip_domain}"), so it is not the client's to set.
// An update changes the password only.
#include <string>

#include "api/trunks/handlers.h"
#include "api/trunks/trunk_view.h"
#include "core/crypto.h"
#include "service/trunks/validators.h"

namespace cdrd::api::trunks::detail {
namespace {

constexpr std::string_view kUsernameForm =
    "3 to 64 characters of letters, digits, '.', '_' and '-'";
constexpr std::string_view kPasswordForm =
    "12 to 128 printable ASCII characters with an upper-case letter, a lower-case letter and a "
    "digit";
constexpr ResourceOps<Credential> kCredentialOps{
    "credential", &is_uuid_like, &TrunkStore::find_credential, &TrunkStore::delete_credential};

// The password of `body`: kMissingArgument when absent, kInvalidArgument (never echoing it)
// when malformed.
Result<std::string> read_password(const JsonBody& body) {
  Result<std::optional<std::string>> password =
      body.string("password", "a string: " + std::string(kPasswordForm), /*secret=*/true);
  if (!password.ok()) return password.status();
  if (!*password)
    return Status::Missing("password: is required (" + std::string(kPasswordForm) + ")");
  if (Status s = check_password("password", **password); !s.ok()) return s;
  return std::move(**password);
}

http::HttpResponse create_credential(const Call& c) {
  Result<JsonBody> body = body_of(c.request);
  if (!body.ok()) return error(body.status());
  if (Status s = body->check_fields({"name", "username", "password", "realm"}); !s.ok()) {
    return error(s);
  }
  const std::string realm = realm_of(c.ctx.settings.sip_domain);
  if (body->has("realm")) {
    return error(
        Status::Invalid("realm: cannot be set; every credential uses this service's SIP "
                        "digest realm, " +
                        realm));
  }
  Credential cred;
  cred.account_id = c.account.id;
  if (Status s = read_name(*body, cred.name); !s.ok()) return error(s);
  Result<std::optional<std::string>> username =
      body->string("username", "a string of " + std::string(kUsernameForm));
  if (!username.ok()) return error(username.status());
  if (*username) {
    if (Status s = check_username("username", **username); !s.ok()) return error(s);
  }
  // The password is checked before the missing username is reported, so one answer names
  // every malformed value first and the missing fields after.
  Result<std::string> password = read_password(*body);
  if (!password.ok() && password.status().code() != Status::Code::kMissingArgument) {
    return error(password.status());
  }
  if (!*username) {
    return error(Status::Missing("username: is required (" + std::string(kUsernameForm) + ")"));
  }
  if (!password.ok()) return error(password.status());
  cred.username = **username;
  cred.realm = realm;
  cred.ha1 = sip_digest_ha1(cred.username, cred.realm, *password);
  cred.credential_uuid = new_uuid_v4();
  if (Status s = c.store.create_credential(cred, kMaxCredentialsPerAccount); !s.ok()) {
    return error(s);
  }
  return created("Credential created successfully.", "credential_uuid", cred.credential_uuid);
}

http::HttpResponse update_credential(const Call& c, std::string_view uuid) {
  Credential cred;
  if (std::optional<http::HttpResponse> answer = find_row(c, kCredentialOps, uuid, cred)) {
    return *answer;
  }
  Result<JsonBody> body = body_of(c.request);
  if (!body.ok()) return error(body.status());
  if (Status s = body->check_fields({"password", "name", "username", "realm"}); !s.ok()) {
    return error(s);
  }
  for (std::string_view fixed : {"name", "username", "realm"}) {
    if (body->has(fixed)) {
      return error(Status::Invalid(std::string(fixed) +
                                   ": cannot be changed; an update changes the password only "
                                   "(create a new credential for another username)"));
    }
  }
  Result<std::string> password = read_password(*body);
  if (!password.ok()) return error(password.status());
  cred.ha1 = sip_digest_ha1(cred.username, cred.realm, *password);
  if (Status s = c.store.update_credential(cred); !s.ok()) return error(s);
  return updated("Credential updated successfully.", "credential_uuid", cred.credential_uuid);
}

}  // namespace

const ResourceHandlers kCredentialHandlers{
    [](const Call& c) { return list_unfiltered(c, &TrunkStore::list_credentials); },
    &create_credential,
    [](const Call& c, std::string_view id) { return get_row(c, kCredentialOps, id); },
    &update_credential,
    [](const Call& c, std::string_view id) { return delete_row(c, kCredentialOps, id); },
};

}  // namespace cdrd::api::trunks::detail
