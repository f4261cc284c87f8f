// Fuzzes the query of the streamed export (docs/export.md): the input is a query string
// ("format=csv&call_direction=inbound"), decoded as the server decodes it, parsed by
// parse_export_query (the Call list's filters plus format and account) and served by
// export_account_calls and export_all_calls on in-memory stores, whose streamed bodies are read
// to the end: every answer is a 200 whose lines are JSON objects (NDJSON) or a header and rows
// (CSV), or a 400/404 JSON error.
#include "api/zentrunk/export.h"
#include "fake_stores.h"
#include "fuzz_target.h"
#include "http/url.h"
#include "json_check.h"

using namespace cdrd;

namespace {

void check_export(const http::HttpResponse& r) {
  if (!r.stream) {
    CDRD_FUZZ_CHECK(r.status == 400 || r.status == 404);
    CDRD_FUZZ_CHECK(fuzz::is_json(r.body));
    return;
  }
  CDRD_FUZZ_CHECK(r.status == 200);
  std::string body;
  for (int pieces = 0;; ++pieces) {
    CDRD_FUZZ_CHECK(pieces < 100);
    const Result<bool> more = r.stream->next(body);
    CDRD_FUZZ_CHECK(more.ok());
    if (!*more) break;
  }
  const bool csv = r.content_type.starts_with("text/csv");
  std::size_t start = 0;
  for (std::size_t end; (end = body.find('\n', start)) != std::string::npos; start = end + 1) {
    const std::string_view line(body.data() + start, end - start);
    if (!csv) CDRD_FUZZ_CHECK(fuzz::is_json(line));
  }
  CDRD_FUZZ_CHECK(start == body.size());  // every line ends in '\n'
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static fuzz::FakeWorld* world = new fuzz::FakeWorld();
  static const Account account = fuzz::fuzz_account();
  const std::string_view text = fuzz::as_text(data, size);

  const std::optional<http::Params> params = http::parse_query(text);
  if (!params) return 0;  // the server answers 400 before any handler runs

  for (const bool operator_route : {false, true}) {
    const Result<api::zentrunk::ExportRequest> query = api::zentrunk::parse_export_query(
        *params, account.id, world->ctx.now(), world->ctx.settings, operator_route);
    if (!query.ok()) fuzz::check_refusal(query.status());
  }
  http::HttpRequest request;
  request.method = "GET";
  request.query = *params;
  request.path = "/v1/export/calls";
  request.target = request.path + "?" + std::string(text);
  check_export(api::zentrunk::export_all_calls(world->ctx, request));
  request.path = "/v1/Account/MAXXXXXXXXXXXXXXXXXX/Zentrunk/Export/";
  check_export(api::zentrunk::export_account_calls(world->ctx, account, request));
  return 0;
}
