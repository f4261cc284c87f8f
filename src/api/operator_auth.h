// The operator's endpoints (POST /v1/ingest/calls, the rate decks of /v1/ratedecks/) are not
// customer resources: they take the operator key from the configuration as
// "Authorization: Bearer KEY", or, for switches that can only send Basic credentials (FreeSWITCH's
// mod_json_cdr `cred`), as "Authorization: Basic" of the user name `operator` and the key as the
// password (kOperatorUser). Pure; thread-safe.
#pragma once

#include <optional>
#include <string_view>

#include "api/context.h"
#include "http/message.h"

namespace cdrd::api {

// The user name of the operator's Basic credentials (the password is the operator key).
inline constexpr std::string_view kOperatorUser = "operator";

// nullopt when `request` carries the configured operator key. Otherwise the error response:
// 403 "<what> is disabled: start cdrd with --operator-key" when no key is configured, 401 (with
// WWW-Authenticate: Bearer and Basic) for a missing or wrong key or user name. The key is
// compared in constant time. The app's failed-auth throttle counts every 401.
std::optional<http::HttpResponse> check_operator_key(const ApiContext& ctx,
                                                     const http::HttpRequest& request,
                                                     std::string_view what);

}  // namespace cdrd::api
