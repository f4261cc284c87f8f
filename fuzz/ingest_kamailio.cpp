// Fuzzes the Kamailio adapter (docs/switch-kamailio.md): kamailio_cdr_to_record on the whole
// input read as one CDR, then POST /v1/ingest/kamailio's handler over the input as a body (line
// splitting, the mapping, validation, trunk linking and rating) on in-memory stores.
#include "api/ingest/kamailio_endpoint.h"
#include "fake_stores.h"
#include "fuzz_target.h"
#include "json_check.h"
#include "service/ingest/kamailio.h"
#include "service/ingest/raw_record.h"

using namespace cdrd;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static fuzz::FakeWorld* world = new fuzz::FakeWorld();
  const std::string_view text = fuzz::as_text(data, size);

  const Result<service::ingest::RawRecord> cdr = service::ingest::parse_ndjson_line(text);
  if (cdr.ok()) {
    const auto record = service::ingest::kamailio_cdr_to_record(*cdr, {"", "outbound"});
    // A refusal is a client error with a message.
    if (!record.ok()) fuzz::check_refusal(record.status());
  }

  http::HttpRequest request;
  request.headers.emplace_back("content-type", "application/json");
  request.query.emplace_back("account", std::string(fuzz::kAuthId));
  request.body = std::string(text);
  fuzz::check_answer(api::ingest::handle_kamailio_cdrs(world->ingest, request));
  return 0;
}
