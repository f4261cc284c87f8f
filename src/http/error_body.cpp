#include "http/error_body.h"

#include "core/crypto.h"
#include "core/json_writer.h"

namespace cdrd::http {

std::string error_body(std::string_view message) {
  JsonWriter w;
  w.start_object();
  w.string_member("api_id", new_uuid_v4());
  w.string_member("error", message);
  w.end_object();
  return w.text();
}

HttpResponse error_response(int status, std::string_view message) {
  HttpResponse r;
  r.status = status;
  r.body = error_body(message);
  return r;
}

}  // namespace cdrd::http
