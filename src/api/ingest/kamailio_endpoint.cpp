#include "api/ingest/kamailio_endpoint.h"

#include <spdlog/spdlog.h>

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "api/errors.h"
#include "api/ingest/ingest_response.h"
#include "core/ascii.h"
#include "service/ingest/kamailio.h"

namespace cdrd::api::ingest {

http::HttpResponse handle_kamailio_cdrs(const service::ingest::IngestService& ingest,
                                        const http::HttpRequest& request) {
  Result<Format> format = ingest_format(request.header("content-type"));
  if (!format.ok() || *format != Format::kNdjson) {
    return error_response(415, "unsupported Content-Type '" +
                                   std::string(request.header("content-type")) +
                                   "': send the CDRs as application/json, one object per line");
  }
  service::ingest::KamailioDefaults defaults;
  for (const auto& [name, value] : request.query) {
    if (name == "account") {
      defaults.account = value;
    } else if (name == "direction") {
      defaults.call_direction = value;
    } else {
      return error_response(400, name + ": unknown query parameter (accepted: account, direction)");
    }
  }
  std::string_view body = request.body;
  if (body.starts_with("\xEF\xBB\xBF")) body.remove_prefix(3);
  std::vector<service::ingest::MappedRecord> records;
  std::int64_t line = 0;
  std::size_t pos = 0;
  while (pos <= body.size()) {
    const std::size_t nl = body.find('\n', pos);
    std::string_view text = body.substr(pos, nl == std::string_view::npos ? nl : nl - pos);
    if (text.ends_with('\r')) text.remove_suffix(1);
    pos = nl == std::string_view::npos ? body.size() + 1 : nl + 1;
    ++line;
    if (trim_blanks(text).empty()) continue;
    Result<service::ingest::RawRecord> cdr = service::ingest::parse_ndjson_line(text);
    if (cdr.ok()) cdr = service::ingest::kamailio_cdr_to_record(*cdr, defaults);
    records.push_back({line, std::move(cdr)});
  }
  if (records.empty()) {
    return error_response(400, "empty body: send Kamailio CDRs, one JSON object per line");
  }
  Result<BatchResult> result = ingest.ingest_records(records);
  if (!result.ok()) {
    spdlog::error("ingest kamailio: storing calls failed: {}", result.status().message());
    return error_response(result.status());
  }
  return ingest_response(*result);
}

}  // namespace cdrd::api::ingest
