// The operator's rate deck API (docs/rating.md), authenticated with the operator key like
// ingest ("Authorization: Bearer KEY"):
//   PUT /v1/ratedecks/{auth_id}/{direction}   replace the account's deck of one direction
//   PUT /v1/ratedecks/{auth_id}               replace its whole deck (the CSV's direction column)
//   GET (same paths)                          the deck in force, as deck CSV
// A PUT body is the deck CSV (Content-Type text/csv, or none). A bad deck is a 400 whose error
// names the row and the reason, and leaves the deck in force as it was. Parses the request,
// asks the RatingService (service/rating/rating_service.h), renders the answer. Thread-safe.
#pragma once

#include <optional>
#include <string_view>

#include "api/context.h"
#include "http/message.h"
#include "service/rating/rating_service.h"

namespace cdrd::api::ratedecks {

// `direction` is the path segment, nullopt for the whole-deck path.
http::HttpResponse handle_put_deck(const ApiContext& ctx, service::RatingService& rating_service,
                                   const http::HttpRequest& request, std::string_view auth_id,
                                   std::optional<std::string_view> direction);
http::HttpResponse handle_get_deck(const ApiContext& ctx, service::RatingService& rating_service,
                                   const http::HttpRequest& request, std::string_view auth_id,
                                   std::optional<std::string_view> direction);

}  // namespace cdrd::api::ratedecks
