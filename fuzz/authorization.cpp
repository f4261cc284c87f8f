// Fuzzes the forms of the Authorization header: the input is the header's value, checked as
// HTTP Basic customer credentials (Authenticator, core/crypto.h base64_decode), as the operator
// key (check_operator_key: "Bearer KEY" or Basic operator:KEY), as a cloud-PBX access token
// (list_calls) and as the OAuth token endpoint's Basic client credentials (handle_token), on
// in-memory stores.
#include "api/app/auth.h"
#include "api/operator_auth.h"
#include "api/pbx/pbx.h"
#include "core/crypto.h"
#include "fake_stores.h"
#include "fuzz_target.h"
#include "json_check.h"

using namespace cdrd;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static fuzz::FakeWorld* world = new fuzz::FakeWorld();
  static api::Authenticator* auth = new api::Authenticator(world->accounts);
  const std::string_view header = fuzz::as_text(data, size);

  (void)base64_decode(header);
  const Result<Account> account = auth->authenticate_basic(header);
  if (account.ok()) {
    CDRD_FUZZ_CHECK(account->id == fuzz::kAccountId);
  } else {
    CDRD_FUZZ_CHECK(account.status().code() == Status::Code::kUnauthenticated);
  }

  http::HttpRequest request;
  request.method = "POST";
  request.headers.emplace_back("authorization", std::string(header));
  if (const auto refused = api::check_operator_key(world->ctx, request, "ingest")) {
    CDRD_FUZZ_CHECK(refused->status == 401);
    CDRD_FUZZ_CHECK(fuzz::is_json(refused->body));
  }

  request.headers.emplace_back("content-type", "application/x-www-form-urlencoded");
  request.body = "grant_type=client_credentials";
  const http::HttpResponse token = api::pbx::handle_token(world->ctx, world->oauth, request);
  CDRD_FUZZ_CHECK(token.status == 200 || token.status == 400 || token.status == 401);
  CDRD_FUZZ_CHECK(fuzz::is_json(token.body));

  request.method = "GET";
  request.body.clear();
  request.path = "/api/ver1.0/client/@me/calls/";
  request.target = request.path;
  const http::HttpResponse calls =
      api::pbx::list_calls(world->ctx, world->oauth, request, "@me", false);
  CDRD_FUZZ_CHECK(calls.status == 200 || calls.status == 401);
  CDRD_FUZZ_CHECK(fuzz::is_json(calls.body));
  return 0;
}
