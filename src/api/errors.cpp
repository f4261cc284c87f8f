#include "api/errors.h"

namespace cdrd::api {

// A switch rather than a table: the compiler checks that every Status code has its status.
int http_status_for(const Status& status) {
  switch (status.code()) {
    case Status::Code::kOk:
      return 200;
    case Status::Code::kInvalidArgument:
      return 400;
    case Status::Code::kMissingArgument:
      return 422;
    case Status::Code::kNotFound:
      return 404;
    case Status::Code::kConflict:
      return 409;
    case Status::Code::kUnauthenticated:
      return 401;
    case Status::Code::kPermissionDenied:
      return 403;
    case Status::Code::kResourceExhausted:
      return 400;
    case Status::Code::kUnavailable:
      return 503;
    case Status::Code::kIOError:
    case Status::Code::kInternal:
      return 500;
  }
  return 500;
}

http::HttpResponse error_response(const Status& status) {
  // Storage and internal failures are logged by the caller; the client gets no internals.
  if (http_status_for(status) == 500) return error_response(500, "internal server error");
  http::HttpResponse r = error_response(http_status_for(status), status.message());
  if (r.status == 503) r.headers.emplace_back("Retry-After", "1");
  return r;
}

}  // namespace cdrd::api
