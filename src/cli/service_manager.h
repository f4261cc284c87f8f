// Tells the service manager (systemd, a unit of Type=notify) how `cdrd serve` is doing, through
// libsystemd's sd_notify: "READY=1" once the server listens, "STOPPING=1" when its shutdown
// begins. Only when the manager asked for it (NOTIFY_SOCKET is set in the environment); otherwise
// nothing is sent and nothing fails. A message that cannot be sent is logged as a warning, never
// an error: the server serves either way.
// Thread-safety: callable from any thread.
#pragma once

namespace cdrd::cli {

void notify_ready();
void notify_stopping();

}  // namespace cdrd::cli
