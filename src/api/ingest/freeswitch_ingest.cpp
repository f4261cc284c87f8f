#include "api/ingest/freeswitch_ingest.h"

#include <spdlog/spdlog.h>

#include "api/errors.h"
#include "api/ingest/ingest_response.h"
#include "core/crypto.h"
#include "core/json_writer.h"
#include "service/ingest/freeswitch.h"

namespace cdrd::api::ingest {
namespace {

using service::ingest::FreeswitchDefaults;

// The URL's defaults. A value ends at '?' too: mod_json_cdr appends "?uuid=..." to the URL.
FreeswitchDefaults defaults_of(const http::HttpRequest& request) {
  FreeswitchDefaults d;
  for (const auto& [name, raw] : request.query) {
    const std::string value = raw.substr(0, raw.find('?'));
    if (name == "account") d.account = value;
    if (name == "direction") d.direction = value;
    if (name == "trunk_id") d.trunk_id = value;
    if (name == "encode_values") d.values_encoded = value != "false" && value != "0";
  }
  return d;
}

http::HttpResponse b_leg_response() {
  JsonWriter w;
  w.start_object();
  w.string_member("api_id", new_uuid_v4());
  w.int_member("stored", 0);
  w.int_member("duplicates", 0);
  w.int_member("failed_count", 0);
  w.key("failed");
  w.start_array();
  w.end_array();
  w.string_member("skipped", "b-leg: the a-leg's CDR is the call");
  w.end_object();
  http::HttpResponse r;
  r.body = w.text();
  return r;
}

}  // namespace

http::HttpResponse handle_freeswitch(const service::ingest::IngestService& ingest,
                                     const http::HttpRequest& request) {
  Result<std::string> json =
      service::ingest::freeswitch_document(request.header("content-type"), request.body);
  if (!json.ok()) return error_response(json.status());
  Result<service::ingest::FreeswitchCdr> cdr =
      service::ingest::map_freeswitch_cdr(*json, defaults_of(request));
  if (!cdr.ok()) return error_response(cdr.status());
  if (cdr->b_leg) return b_leg_response();
  std::vector<service::ingest::MappedRecord> records;
  records.push_back({1, std::move(cdr->record)});
  Result<BatchResult> result = ingest.ingest_records(records);
  if (!result.ok()) {
    spdlog::error("ingest/freeswitch: storing call {} failed: {}", cdr->uuid,
                  result.status().message());
    return error_response(result.status());
  }
  return ingest_response(*result);
}

}  // namespace cdrd::api::ingest
