// Fuzzes the list query of the SIP-trunk Call API (docs/api-calls.md): the input is a query
// string ("limit=5&end_time__gte=..."), decoded as the server decodes it, then parsed by
// parse_call_list_query and served by list_calls in both representations (page links
// included) on an in-memory CallStore.
#include "api/zentrunk/calls.h"
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

  const Result<CallQuery> query =
      api::zentrunk::parse_call_list_query(*params, fuzz::kAccountId, fuzz::kNow, world->settings);
  if (!query.ok()) fuzz::check_refusal(query.status());

  http::HttpRequest request;
  request.method = "GET";
  request.query = *params;
  for (auto rep :
       {api::zentrunk::Representation::kCurrent, api::zentrunk::Representation::kLegacy}) {
    request.path = rep == api::zentrunk::Representation::kCurrent
                       ? "/v1/Account/MAXXXXXXXXXXXXXXXXXX/Zentrunk/Call/"
                       : "/v1/Account/MAXXXXXXXXXXXXXXXXXX/Call/";
    request.target = request.path + "?" + std::string(text);
    const http::HttpResponse response =
        api::zentrunk::list_calls(world->ctx, account, request, rep);
    CDRD_FUZZ_CHECK(response.status == 200 || response.status == 400);
    CDRD_FUZZ_CHECK(fuzz::is_json(response.body));
  }
  return 0;
}
