// Fuzzes the FreeSWITCH adapter (docs/switch-freeswitch.md): the input as a POST body in each of
// mod_json_cdr's encodings (freeswitch_document), the mapping of the document
// (map_freeswitch_cdr, encoded and plain values), validation of what it maps, and the whole
// route (handle_freeswitch) on in-memory stores.
#include "api/ingest/freeswitch_ingest.h"
#include "fake_stores.h"
#include "fuzz_target.h"
#include "service/ingest/freeswitch.h"
#include "service/ingest/validate.h"

using namespace cdrd;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static fuzz::FakeWorld* world = new fuzz::FakeWorld();
  const std::string_view text = fuzz::as_text(data, size);

  for (const char* type : {"application/x-www-form-urlencoded",
                           "application/x-www-form-base64-encoded", "application/json"}) {
    const Result<std::string> json = service::ingest::freeswitch_document(type, text);
    if (!json.ok()) fuzz::check_refusal(json.status());
  }
  for (bool encoded : {true, false}) {
    service::ingest::FreeswitchDefaults defaults;
    defaults.values_encoded = encoded;
    defaults.account = std::string(fuzz::kAuthId);
    const Result<service::ingest::FreeswitchCdr> cdr =
        service::ingest::map_freeswitch_cdr(text, defaults);
    if (!cdr.ok()) {
      fuzz::check_refusal(cdr.status());
      continue;
    }
    CDRD_FUZZ_CHECK(!cdr->b_leg || cdr->record.fields.empty());
    const service::ingest::AccountResolver resolve =
        [](std::string_view auth_id) -> Result<std::optional<std::int64_t>> {
      if (auth_id == fuzz::kAuthId) return std::optional<std::int64_t>(fuzz::kAccountId);
      return std::optional<std::int64_t>();
    };
    const Result<CallRecord> record = service::ingest::validate_record(cdr->record, resolve);
    if (!record.ok()) fuzz::check_refusal(record.status());
  }

  http::HttpRequest request;
  request.method = "POST";
  request.path = "/v1/ingest/freeswitch";
  request.headers.emplace_back("content-type", "application/json");
  request.body = std::string(text);
  const http::HttpResponse r = api::ingest::handle_freeswitch(world->ingest, request);
  CDRD_FUZZ_CHECK(r.status == 200 || r.status == 400);
  return 0;
}
