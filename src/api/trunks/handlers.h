// Internal to the trunks module: one set of handlers per resource, and what they share
// (responses, the list query parser). trunk_api.cpp dispatches to them by method.
#pragma once

#include <functional>
#include <initializer_list>
#include <string>
#include <string_view>

#include "api/context.h"
#include "api/trunks/json_body.h"
#include "core/account.h"
#include "core/trunk.h"
#include "http/message.h"
#include "service/trunks/trunk_rules.h"
#include "service/trunks/validators.h"

namespace cdrd::api::trunks {

// The trunk rules the handlers apply (service/trunks/).
using service::trunks::canonical_ip_entry;
using service::trunks::check_name;
using service::trunks::check_origination_uri;
using service::trunks::check_password;
using service::trunks::check_trunk_links;
using service::trunks::check_username;
using service::trunks::echo;
using service::trunks::is_trunk_id;
using service::trunks::is_uuid_like;
using service::trunks::kMaxCredentialsPerAccount;
using service::trunks::kMaxEntriesPerIpAcl;
using service::trunks::kMaxIpAclsPerAccount;
using service::trunks::kMaxOriginationUrisPerAccount;
using service::trunks::realm_of;
using service::trunks::sip_digest_ha1;

}  // namespace cdrd::api::trunks

namespace cdrd::api::trunks::detail {

struct Call {
  const ApiContext& ctx;
  TrunkStore& store;
  const Account& account;
  const http::HttpRequest& request;
};

// --- shared ---

http::HttpResponse json(int status, std::string body);
http::HttpResponse error(const Status& status);
http::HttpResponse created(std::string_view message, std::string_view id_key, std::string_view id);
http::HttpResponse updated(std::string_view message, std::string_view id_key, std::string_view id);
http::HttpResponse deleted();
http::HttpResponse not_found(std::string_view what, std::string_view id);

// limit (1-20, default 20) and offset (>= 0, default 0), and the filters named in `filters`,
// each handed to `on_filter`. Unknown and repeated names are kInvalidArgument.
Result<PageRequest> parse_list_query(
    const http::Params& params, std::int64_t account_id,
    std::initializer_list<std::string_view> filters,
    const std::function<Status(std::string_view name, std::string_view value)>& on_filter);

// The request body, or the 400 to answer.
Result<JsonBody> body_of(const http::HttpRequest& request);
// 400 for an update whose body names no field.
Status nothing_to_change(std::string_view accepted);

// Reads an optional `name` into `target` (checked with check_name).
Status read_name(const JsonBody& body, std::string& target);

// --- per resource ---

http::HttpResponse list_trunks(const Call& c);
http::HttpResponse create_trunk(const Call& c);
http::HttpResponse get_trunk(const Call& c, std::string_view trunk_id);
http::HttpResponse update_trunk(const Call& c, std::string_view trunk_id);
http::HttpResponse delete_trunk(const Call& c, std::string_view trunk_id);

http::HttpResponse list_credentials(const Call& c);
http::HttpResponse create_credential(const Call& c);
http::HttpResponse get_credential(const Call& c, std::string_view uuid);
http::HttpResponse update_credential(const Call& c, std::string_view uuid);
http::HttpResponse delete_credential(const Call& c, std::string_view uuid);

http::HttpResponse list_uris(const Call& c);
http::HttpResponse create_uri(const Call& c);
http::HttpResponse get_uri(const Call& c, std::string_view uuid);
http::HttpResponse update_uri(const Call& c, std::string_view uuid);
http::HttpResponse delete_uri(const Call& c, std::string_view uuid);

http::HttpResponse list_ip_acls(const Call& c);
http::HttpResponse create_ip_acl(const Call& c);
http::HttpResponse get_ip_acl(const Call& c, std::string_view uuid);
http::HttpResponse update_ip_acl(const Call& c, std::string_view uuid);
http::HttpResponse delete_ip_acl(const Call& c, std::string_view uuid);

}  // namespace cdrd::api::trunks::detail
