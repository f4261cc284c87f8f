// Fuzzes the list queries of the trunk control plane (docs/api-trunks.md): the input is a
// query string, decoded as the server decodes it, then handed to the list handler of each of
// the four resources (limit, offset and the trunk filters; page links in the answer) on an
// in-memory TrunkStore.
#include "api/trunks/trunk_api.h"
#include "fake_stores.h"
#include "fuzz_target.h"
#include "http/url.h"
#include "json_check.h"

using namespace cdrd;

// Opens as zentrunk_query.cpp and pbx_query.cpp do (the world, the account, the query decoded as
// the server decodes it): the entry point of a query target, a few lines each kept in place.
extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static fuzz::FakeWorld* world = new fuzz::FakeWorld();
  static const Account account = fuzz::fuzz_account();
  const std::string_view text = fuzz::as_text(data, size);

  const std::optional<http::Params> params = http::parse_query(text);
  if (!params) return 0;  // the server answers 400 before any handler runs

  http::HttpRequest request;
  request.method = "GET";
  request.query = *params;
  for (const api::trunks::ResourcePath& r : api::trunks::resource_paths()) {
    request.path =
        "/v1/Account/" + std::string(fuzz::kAuthId) + "/Zentrunk/" + std::string(r.segment) + "/";
    request.target = request.path + "?" + std::string(text);
    const http::HttpResponse response =
        api::trunks::handle_collection(world->ctx, world->trunks, account, request, r.resource);
    fuzz::check_answer(response);
  }
  return 0;
}
