// Fuzzes the query of the SIP-trunk change feed (docs/api-calls.md, "Feed"): the input is a query
// string ("after=42&limit=100"), decoded as the server decodes it, then parsed by
// parse_feed_query and served by get_feed on an in-memory CallStore.
#include "api/zentrunk/feed.h"
#include "fake_stores.h"
#include "fuzz_target.h"
#include "http/url.h"
#include "json_check.h"

using namespace cdrd;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static fuzz::FakeWorld* world = new fuzz::FakeWorld();
  static const Account account = fuzz::fuzz_account();
  const std::string_view text = fuzz::as_text(data, size);

  const std::optional<http::Params> params = http::parse_query(text);
  if (!params) return 0;  // the server answers 400 before any handler runs

  const Result<api::zentrunk::FeedQuery> query = api::zentrunk::parse_feed_query(*params);
  if (!query.ok()) fuzz::check_refusal(query.status());

  http::HttpRequest request;
  request.method = "GET";
  request.query = *params;
  request.path = "/v1/Account/MAXXXXXXXXXXXXXXXXXX/Zentrunk/CallFeed/";
  request.target = request.path + "?" + std::string(text);
  fuzz::check_answer(api::zentrunk::get_feed(world->ctx, account, request));
  return 0;
}
