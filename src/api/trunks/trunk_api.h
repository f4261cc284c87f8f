// The trunk control plane of the SIP-trunk API (docs/api-trunks.md), under
// /v1/Account/{auth_id}/Zentrunk/:
//
//   Trunk/               GET list (filters, limit, offset)   POST create
//   Trunk/{trunk_id}/    GET retrieve   POST update   DELETE delete
//   Credential/, URI/, IPAccessControlList/ (+ {uuid}/) the same, without list filters
//
// Handlers parse the request (query string or JSON body) into typed values, check the value
// rules and the rules between a trunk's direction and its links (service/trunks/), and leave the
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
#include "store/trunk_store.h"

namespace cdrd::api::trunks {

enum class Resource { kTrunk, kCredential, kUri, kIpAcl };

struct ResourcePath {
  std::string_view segment;  // the path segment after Zentrunk/
  Resource resource;
};
// Trunk, Credential, URI, IPAccessControlList.
std::span<const ResourcePath> resource_paths();

// The collection: GET lists, POST creates.
http::HttpResponse handle_collection(const ApiContext& ctx, TrunkStore& store,
                                     const Account& account, const http::HttpRequest& request,
                                     Resource resource);
// One resource: GET retrieves, POST updates, DELETE deletes.
http::HttpResponse handle_item(const ApiContext& ctx, TrunkStore& store, const Account& account,
                               const http::HttpRequest& request, Resource resource,
                               std::string_view id);

}  // namespace cdrd::api::trunks
