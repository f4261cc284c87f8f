// The operator's endpoints (POST /v1/ingest/calls, the rate decks of /v1/ratedecks/) are not
// customer resources: they take the operator key from the configuration as
// "Authorization: Bearer KEY" instead of an account's Basic credentials. Pure; thread-safe.
#pragma once

#include <optional>
#include <string_view>

#include "api/context.h"
#include "http/message.h"

namespace cdrd::api {

// nullopt when `request` carries the configured operator key. Otherwise the error response:
// 403 "<what> is disabled: start cdrd with --operator-key" when no key is configured, 401 (with
// WWW-Authenticate: Bearer) for a missing or wrong key. The key is compared in constant time.
std::optional<http::HttpResponse> check_operator_key(const ApiContext& ctx,
                                                     const http::HttpRequest& request,
                                                     std::string_view what);

}  // namespace cdrd::api
