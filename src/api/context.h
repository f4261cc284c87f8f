// ApiContext: what every API handler may use: the account and call stores and the settings.
// Handlers are plain functions of (context, request) -> response; they parse the request into a
// typed query, ask the store or a service (src/service/), and render a view. A handler that
// needs more (the OAuth store, the trunk store, the rating or ingest service) takes it as a
// parameter of its own, and ApiServices (api/app/app.h) gathers them for the App: each is a
// reference, so a server without one does not compile rather than answering 404 or 500 at run
// time.
// Thread-safety: shared read-only between threads; the stores and services are thread-safe
// themselves.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "core/call_record.h"
#include "core/clock.h"
#include "core/status.h"
#include "core/time.h"
#include "service/trunks/validators.h"
#include "store/call_store.h"
#include "store/oauth_store.h"
#include "store/trunk_store.h"

namespace cdrd::api {

struct ApiSettings {
  // A list without an end_time filter covers the last `list_window_days` days.
  std::int64_t list_window_days = 30;
  // Calls that ended more than `retention_days` days ago are never served.
  std::int64_t retention_days = 90;
  // The key of POST /v1/ingest/calls (Authorization: Bearer KEY); empty disables ingest.
  std::string operator_key;
  // Lifetime of the cloud-PBX API's OAuth access tokens (POST /oauth/token), in seconds.
  std::int64_t token_ttl_seconds = 3600;
  // Trunks get the SIP domain "{trunk_id}.zt.{sip_domain}" and credentials the digest realm
  // "zt.{sip_domain}" (docs/api-trunks.md).
  std::string sip_domain{service::trunks::kDefaultSipDomain};
  // The largest upload (ingest body, rate deck), the server's --max-body-bytes.
  std::size_t max_upload_bytes = std::size_t{32} * 1024 * 1024;
  // How long a node trusts an account it read (auth.h): the bound on a token reset made
  // elsewhere (the CLI, another node) reaching this node. 0: read on every request.
  std::int64_t auth_cache_ms = 5000;
  // Wall clock; tests may fix it.
  Clock now;
};

struct ApiContext {
  AccountStore& accounts;
  CallStore& calls;
  const ApiSettings& settings;

  Micros now() const;
  // The first end_time still served: now - retention.
  Micros retention_floor() const { return now() - settings.retention_days * kMicrosPerDay; }
  // One call of `account_id` by its uuid (any ASCII letter case), within the retention: the
  // retrieve routes' lookup. kNotFound "call not found: <uuid>" (the uuid cut to the longest a
  // valid one has) for a call the account cannot see; the store's error otherwise.
  Result<CallRecord> find_call(std::int64_t account_id, std::string_view call_uuid) const;
  // The same with the SIP-trunk fields only set (CallStore::find_trunk_call): for the answers
  // that show no other.
  Result<CallRecord> find_trunk_call(std::int64_t account_id, std::string_view call_uuid) const;
};

}  // namespace cdrd::api
