#include "api/ratedecks/deck_api.h"

#include <spdlog/spdlog.h>

#include <cctype>
#include <string>
#include <variant>
#include <vector>

#include "api/errors.h"
#include "api/operator_auth.h"
#include "core/crypto.h"
#include "core/json_writer.h"
#include "rating/rate_deck.h"
#include "service/rating/rating_service.h"

namespace cdrd::api::ratedecks {
namespace {

using service::AccountRating;
using service::DeckLoadResult;
using service::RatingService;

constexpr std::string_view kWhat = "the rate deck API";

// Everything a deck request needs once it is known to be allowed.
struct DeckRequest {
  Account account;
  std::optional<Direction> direction;
};

// The storage failure is logged; the client gets "internal server error".
http::HttpResponse failure(const Status& status, std::string_view doing) {
  if (http_status_for(status) == 500)
    spdlog::error("rate deck API: {}: {}", doing, status.message());
  return error_response(status);
}

// Checks the operator key and the path; the response to send instead when something is wrong.
std::variant<DeckRequest, http::HttpResponse> admit(const ApiContext& ctx,
                                                    RatingService& rating_service,
                                                    const http::HttpRequest& request,
                                                    std::string_view auth_id,
                                                    std::optional<std::string_view> direction) {
  if (auto refused = check_operator_key(ctx, request, kWhat)) return *refused;
  DeckRequest out;
  if (direction) {
    out.direction = parse_direction(*direction);
    if (!out.direction) {
      return error_response(400,
                            "direction: the path segment after the auth_id must be inbound "
                            "or outbound, got '" +
                                std::string(*direction) + "'");
    }
  }
  Result<Account> account = rating_service.account(auth_id);
  if (!account.ok()) return failure(account.status(), "finding the account");
  out.account = std::move(account).value();
  return out;
}

// "<name>": {"rows": N, "prefixes": N, "previous_rows": N} for one direction.
void write_counts(JsonWriter& w, std::string_view name, const DeckLoadResult& r, std::size_t i) {
  w.key(name);
  w.start_object();
  w.int_member("rows", static_cast<std::int64_t>(r.rows[i]));
  w.int_member("prefixes", static_cast<std::int64_t>(r.prefixes[i]));
  w.int_member("previous_rows", static_cast<std::int64_t>(r.previous_rows[i]));
  w.end_object();
}

std::string lower_trimmed_media(std::string_view content_type) {
  std::string media(content_type.substr(0, content_type.find(';')));
  std::string out;
  for (char c : media) {
    if (c != ' ' && c != '\t')
      out.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  }
  return out;
}

}  // namespace

http::HttpResponse handle_put_deck(const ApiContext& ctx, RatingService& rating_service,
                                   const http::HttpRequest& request, std::string_view auth_id,
                                   std::optional<std::string_view> direction) {
  auto admitted = admit(ctx, rating_service, request, auth_id, direction);
  if (auto* response = std::get_if<http::HttpResponse>(&admitted)) return std::move(*response);
  const DeckRequest& deck = std::get<DeckRequest>(admitted);

  const std::string media = lower_trimmed_media(request.header("content-type"));
  if (!media.empty() && media != "text/csv" && media != "text/plain") {
    return error_response(415, "unsupported Content-Type '" +
                                   std::string(request.header("content-type")) +
                                   "': send the rate deck as text/csv");
  }
  Result<DeckLoadResult> loaded =
      rating_service.load_deck(deck.account.id, deck.direction, request.body);
  if (!loaded.ok()) return failure(loaded.status(), "loading a deck");
  const DeckLoadResult& r = *loaded;
  JsonWriter w;
  w.start_object();
  w.string_member("api_id", new_uuid_v4());
  w.string_member("message", "Rate deck loaded.");
  w.string_member("auth_id", deck.account.auth_id);
  w.string_member("replaced", deck.direction ? to_string(*deck.direction) : "both");
  write_counts(w, "inbound", r, 0);
  write_counts(w, "outbound", r, 1);
  w.end_object();
  http::HttpResponse response;
  response.body = w.text();
  return response;
}

// Opens like handle_put_deck (admit, then the deck request): the shared part is admit() itself.
http::HttpResponse handle_get_deck(const ApiContext& ctx, RatingService& rating_service,
                                   const http::HttpRequest& request, std::string_view auth_id,
                                   std::optional<std::string_view> direction) {
  auto admitted = admit(ctx, rating_service, request, auth_id, direction);
  if (auto* response = std::get_if<http::HttpResponse>(&admitted)) return std::move(*response);
  const DeckRequest& deck = std::get<DeckRequest>(admitted);

  Result<std::shared_ptr<const AccountRating>> current = rating_service.current(deck.account.id);
  if (!current.ok()) return failure(current.status(), "reading a deck");
  std::vector<RateRow> rows;
  for (Direction d : {Direction::kOutbound, Direction::kInbound}) {
    if (deck.direction && *deck.direction != d) continue;
    const auto part = (*current)->deck.rows(d);
    rows.insert(rows.end(), part.begin(), part.end());
  }
  http::HttpResponse response;
  response.content_type = "text/csv";
  response.body = rating::format_rate_deck_csv(rows);
  return response;
}

}  // namespace cdrd::api::ratedecks
