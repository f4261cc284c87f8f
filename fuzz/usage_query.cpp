// Fuzzes the query of the SIP-trunk Usage API (docs/api-usage.md): the input is a query string
// ("period=day&group_by=direction&end_time__gte=..."), decoded as the server decodes it, then
// parsed by parse_usage_query and served by get_usage on an in-memory CallStore.
#include "api/zentrunk/usage.h"
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

  const Result<UsageQuery> query =
      api::zentrunk::parse_usage_query(*params, fuzz::kAccountId, fuzz::kNow, world->settings);
  if (!query.ok()) fuzz::check_refusal(query.status());

  http::HttpRequest request;
  request.method = "GET";
  request.query = *params;
  request.path = "/v1/Account/MAXXXXXXXXXXXXXXXXXX/Zentrunk/Usage/";
  request.target = request.path + "?" + std::string(text);
  fuzz::check_answer(api::zentrunk::get_usage(world->ctx, account, request));
  return 0;
}
