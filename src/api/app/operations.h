// The operator's view of a running server (docs/metrics.md): GET /readyz, whether the server is
// ready to serve, and GET /metrics, the Prometheus metrics (api/app/metrics.h) behind the
// operator key. GET /healthz (the process answers) is in the route table of app.cpp.
//
// /readyz runs every ReadinessCheck in order and answers 200
//   {"status":"ready","checks":{"database":"ok","migrations":"ok",...}}
// or, when one fails, 503 (Retry-After: 1) with "status":"not ready" and that check's message
// in place of its "ok" (the checks after it are not run). No authentication: it says nothing
// but which checks pass, as a load balancer or an orchestrator needs.
// Thread-safety: the functions are pure given thread-safe checks.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "api/app/metrics.h"
#include "core/status.h"
#include "http/message.h"

namespace cdrd::api {

struct ReadinessCheck {
  std::string name;               // a JSON member name: "database", "migrations", ...
  std::function<Status()> check;  // Ok when ready; otherwise the message says why not
};

// What the operator routes need; an App without them answers /readyz 200 with no checks and
// /metrics 404.
struct Operations {
  std::shared_ptr<const Metrics> metrics;
  std::vector<ReadinessCheck> readiness;
};

http::HttpResponse readiness_response(const std::vector<ReadinessCheck>& checks);
http::HttpResponse metrics_response(const Metrics& metrics);

}  // namespace cdrd::api
