#include "api/ingest/ingest_response.h"

#include <string>

#include "api/errors.h"
#include "core/crypto.h"
#include "core/json_writer.h"
#include "http/url.h"

namespace cdrd::api::ingest {
namespace {

std::string render_result(const BatchResult& r, std::string_view error) {
  JsonWriter w;
  w.start_object();
  w.string_member("api_id", new_uuid_v4());
  if (!error.empty()) w.string_member("error", error);
  w.int_member("stored", r.stored);
  w.int_member("duplicates", r.duplicates);
  w.int_member("failed_count", r.failed_count);
  w.key("failed");
  w.start_array();
  for (const service::ingest::LineError& failure : r.failed) {
    w.start_object();
    w.int_member("line", failure.line);
    w.string_member("error", failure.error);
    w.end_object();
  }
  w.end_array();
  w.end_object();
  return w.text();
}

}  // namespace

Result<Format> ingest_format(std::string_view content_type) {
  const std::string media = http::media_type(content_type);
  if (media.empty() || media == "application/x-ndjson" || media == "application/json") {
    return Format::kNdjson;
  }
  if (media == "text/csv") return Format::kCsv;
  return Status::Invalid("unsupported Content-Type '" + std::string(content_type) +
                         "': send application/x-ndjson (or application/json) or text/csv");
}

http::HttpResponse ingest_response(const BatchResult& r) {
  http::HttpResponse response;
  if (r.stored + r.duplicates > 0) {
    response.body = render_result(r, "");
  } else if (r.failed_count == 0) {
    return error_response(400,
                          "no records: the body holds only blank lines (or a CSV header "
                          "without rows)");
  } else {
    response.status = 400;
    response.body = render_result(r, "no record was stored: every record failed validation");
  }
  return response;
}

}  // namespace cdrd::api::ingest
