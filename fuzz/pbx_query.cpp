// Fuzzes the list options of the cloud-PBX calls API (docs/api-pbx.md): the input is a query
// string, decoded as the server decodes it, then parsed by parse_list_options and served by
// list_calls (calls/ and call_history/) with a valid access token on in-memory stores.
#include "api/pbx/pbx.h"
#include "fake_stores.h"
#include "fuzz_target.h"
#include "http/url.h"
#include "json_check.h"

using namespace cdrd;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static fuzz::FakeWorld* world = new fuzz::FakeWorld();
  const std::string_view text = fuzz::as_text(data, size);

  const std::optional<http::Params> params = http::parse_query(text);
  if (!params) return 0;  // the server answers 400 before any handler runs

  const Result<CallQuery> query =
      api::pbx::parse_list_options(*params, fuzz::kAccountId, world->ctx.retention_floor());
  if (!query.ok()) fuzz::check_refusal(query.status());

  http::HttpRequest request;
  request.method = "GET";
  request.query = *params;
  request.headers.emplace_back("authorization", "Bearer " + std::string(fuzz::kToken));
  for (bool with_legs : {false, true}) {
    request.path =
        with_legs ? "/api/ver1.0/client/@me/call_history/" : "/api/ver1.0/client/@me/calls/";
    request.target = request.path + "?" + std::string(text);
    const http::HttpResponse response =
        api::pbx::list_calls(world->ctx, world->oauth, request, "@me", with_legs);
    CDRD_FUZZ_CHECK(response.status == 200 || response.status == 400);
    CDRD_FUZZ_CHECK(fuzz::is_json(response.body));
  }
  return 0;
}
