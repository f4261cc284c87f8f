// Internal to the trunks module: one set of handlers per resource, and what they share
// (responses, the list query parser). trunk_api.cpp dispatches to them by method.
#pragma once

#include <functional>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>

#include "api/context.h"
#include "api/trunks/json_body.h"
#include "api/trunks/trunk_view.h"
#include "core/account.h"
#include "core/crypto.h"
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

// --- what list, retrieve and delete do alike for every resource ---

// One resource as the shared handlers see it.
template <class Row>
struct ResourceOps {
  std::string_view what;                  // how a 404 names it: "credential", "trunk"...
  bool (*well_formed)(std::string_view);  // is_uuid_like, or is_trunk_id for trunks
  Result<std::optional<Row>> (TrunkStore::*find)(std::int64_t account_id, std::string_view id);
  Status (TrunkStore::*erase)(std::int64_t account_id, std::string_view id);
};

// 200 with the list envelope of `rows`, the page `page` of the request's list.
template <class Row>
http::HttpResponse list_response(const Call& c, const Page<Row>& rows, const PageRequest& page) {
  return json(200, render_list(rows, page, c.request.path, c.request.query, new_uuid_v4()));
}

// The list of a resource that has no filters.
template <class Row>
http::HttpResponse list_unfiltered(const Call& c,
                                   Result<Page<Row>> (TrunkStore::*list)(const PageRequest&)) {
  Result<PageRequest> page =
      parse_list_query(c.request.query, c.account.id, {},
                       [](std::string_view, std::string_view) { return Status::Ok(); });
  if (!page.ok()) return error(page.status());
  Result<Page<Row>> rows = (c.store.*list)(*page);
  if (!rows.ok()) return error(rows.status());
  return list_response(c, *rows, *page);
}

// Reads the row `id` names in the caller's account into `row` and gives nullopt, or gives the
// response to answer instead: 404 for a malformed or unknown id, the store's error otherwise.
template <class Row>
std::optional<http::HttpResponse> find_row(const Call& c, const ResourceOps<Row>& ops,
                                           std::string_view id, Row& row) {
  if (!ops.well_formed(id)) return not_found(ops.what, id);
  Result<std::optional<Row>> found = (c.store.*ops.find)(c.account.id, id);
  if (!found.ok()) return error(found.status());
  if (!*found) return not_found(ops.what, id);
  row = std::move(**found);
  return std::nullopt;
}

template <class Row>
http::HttpResponse get_row(const Call& c, const ResourceOps<Row>& ops, std::string_view id) {
  Row row;
  if (std::optional<http::HttpResponse> answer = find_row(c, ops, id, row)) return *answer;
  return json(200, render_object(row, new_uuid_v4()));
}

template <class Row>
http::HttpResponse delete_row(const Call& c, const ResourceOps<Row>& ops, std::string_view id) {
  if (!ops.well_formed(id)) return not_found(ops.what, id);
  if (Status s = (c.store.*ops.erase)(c.account.id, id); !s.ok()) return error(s);
  return deleted();
}

// --- per resource ---

// The handlers of one resource, by method; each *_handlers.cpp defines its resource's set (the
// four sets look alike: together they are one table).
// List, retrieve and delete are the shared templates above; create and update share their
// skeleton (read the body, check it, store, acknowledge) but not their rules, so each resource
// writes them out.
struct ResourceHandlers {
  http::HttpResponse (*list)(const Call&);
  http::HttpResponse (*create)(const Call&);
  http::HttpResponse (*get)(const Call&, std::string_view id);
  http::HttpResponse (*update)(const Call&, std::string_view id);
  http::HttpResponse (*remove)(const Call&, std::string_view id);
};

extern const ResourceHandlers kTrunkHandlers;
extern const ResourceHandlers kCredentialHandlers;
extern const ResourceHandlers kUriHandlers;
extern const ResourceHandlers kIpAclHandlers;

}  // namespace cdrd::api::trunks::detail
