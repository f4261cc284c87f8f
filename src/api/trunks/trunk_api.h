// The trunk control plane of the SIP-trunk API (docs/api-trunks.md), under
// /v1/Account/{auth_id}/Zentrunk/:
//
//   Trunk/               GET list (filters, limit, offset)   POST create
//   Trunk/{trunk_id}/    GET retrieve   POST update   DELETE delete
//   Credential/, URI/, IPAccessControlList/ (+ {uuid}/) the same, without list filters
//
// Handlers parse the request (query string or JSON body) into typed values, check the value
// rules (validators.h) and the rules between a trunk's direction and its links, and leave the
// rules that need stored state (quotas, unique usernames, same-account references, deletes of
// used resources) to the TrunkStore, which checks them atomically with the write.
// Statuses: 200 retrieve/list, 201 create, 202 update, 204 delete, 400 bad value or quota,
// 404 unknown id (or another account's), 409 username taken or resource in use,
// 422 required field missing.
//
// Thread-safe (the store is).
#pragma once

#include <span>
#include <string_view>

#include "api/context.h"
#include "core/account.h"
#include "core/trunk.h"
#include "http/message.h"

namespace cdrd::api::trunks {

enum class Resource { kTrunk, kCredential, kUri, kIpAcl };

struct ResourcePath {
  std::string_view segment;  // the path segment after Zentrunk/
  Resource resource;
};
// Trunk, Credential, URI, IPAccessControlList.
std::span<const ResourcePath> resource_paths();

// The collection: GET lists, POST creates.
http::HttpResponse handle_collection(const ApiContext& ctx, const Account& account,
                                     const http::HttpRequest& request, Resource resource);
// One resource: GET retrieves, POST updates, DELETE deletes.
http::HttpResponse handle_item(const ApiContext& ctx, const Account& account,
                               const http::HttpRequest& request, Resource resource,
                               std::string_view id);

// The rules between a trunk's direction and its links: an outbound trunk takes ipacl_uuid
// and/or credential_uuid (one is required: kMissingArgument) and no URI; an inbound trunk
// takes primary_uri_uuid (required) and an optional, different fallback_uri_uuid, and no ACL
// or credential (kInvalidArgument naming the field).
Status check_trunk_links(const Trunk& trunk);

// Creates a trunk from `draft` (account_id, name, status, direction, secure and links):
// checks its links, draws a new trunk_id (again if one is taken), sets its trunk_domain from
// settings.sip_domain and stores it. Returns the stored trunk.
Result<Trunk> create_trunk(TrunkStore& store, const ApiSettings& settings, Trunk draft);

}  // namespace cdrd::api::trunks
