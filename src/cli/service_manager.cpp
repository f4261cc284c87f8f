#include "cli/service_manager.h"

#include <spdlog/spdlog.h>
#include <systemd/sd-daemon.h>

#include <cstdlib>
#include <cstring>

namespace cdrd::cli {

namespace {

void notify(const char* state) {
  if (std::getenv("NOTIFY_SOCKET") == nullptr) return;
  // < 0: an error; 0: no manager listens (NOTIFY_SOCKET unset); > 0: sent.
  if (const int r = sd_notify(/*unset_environment=*/0, state); r < 0) {
    spdlog::warn("cannot tell the service manager {}: {}", state, std::strerror(-r));
  }
}

}  // namespace

void notify_ready() { notify("READY=1"); }

void notify_stopping() { notify("STOPPING=1"); }

}  // namespace cdrd::cli
