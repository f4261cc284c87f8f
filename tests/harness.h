// Black-box test harness: runs the real `cdrd` binary (CDRD_BINARY) in a temporary data
// directory, serving on a free port, and talks to it over HTTP. Not thread-safe.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "http/client.h"
#include "testing/http_client.h"
#include "testing/temp_dir.h"

namespace cdrd::test {

// A fresh directory under $TMPDIR, removed with everything in it on destruction.
using cdrd::testing::TempDir;
// An HTTP client whose calls give the response, or throw (failing the test) when there is none.
using cdrd::testing::TestClient;

struct CommandResult {
  int exit_code = -1;
  std::string out;  // stdout and stderr together
};

// Runs `cdrd ARGS...` to completion.
CommandResult run_cdrd(const std::vector<std::string>& args);

// Starts `cdrd ARGS...` in the background, its stdout and stderr to `output_file` (truncated),
// stdin from /dev/null. Throws std::runtime_error when it cannot be started.
pid_t spawn_cdrd(std::vector<std::string> args, const std::string& output_file);
// The exit code in a waitpid() `status`, or 128 + the signal that ended the process.
int exit_code_of(int status);
// The whole text of the file at `path`; empty when it cannot be read.
std::string read_text(const std::string& path);

struct Credentials {
  std::string auth_id, auth_token;
  http::Params basic() const;  // the Authorization header
};

// `cdrd account create` on `data_dir` (a server may run on it meanwhile); throws unless it
// succeeds.
Credentials create_account_in(const std::string& data_dir, const std::string& name);

// An OAuth app of the cloud-PBX API, as `cdrd app create` prints it.
struct OAuthApp {
  std::string client_id, client_secret;
  std::string numeric_client;  // the account's client id of the API's paths
};
// `cdrd app create --account AUTH_ID` on `data_dir`; throws unless it succeeds.
OAuthApp create_app_in(const std::string& data_dir, const std::string& auth_id);
// POST /oauth/token with the client-credentials grant, to the server on 127.0.0.1:`port`.
http::ClientResponse request_token(std::uint16_t port, const std::string& client_id,
                                   const std::string& client_secret);
// The NAME=value lines of the file at `path` (the demo.env that `cdrd demo` writes).
std::map<std::string, std::string> read_env(const std::string& path);

// The arguments of `cdrd --data-dir D serve` on a free port written to D/port, with
// CdrdServer::kOperatorKey and two threads, then `extra_args`.
std::vector<std::string> serve_args(const std::string& data_dir,
                                    const std::vector<std::string>& extra_args);
// Waits until the `cdrd serve` process `pid` (started with serve_args) has written its port,
// and returns it. Throws std::runtime_error, with the server's log (D/server.log), when the
// process exits first (it is then reaped and `pid` set to -1) or does not listen within 30 s.
std::uint16_t wait_for_port(pid_t& pid, const std::string& data_dir);
// POST /v1/ingest/calls of `ndjson` with the operator key, to the server on 127.0.0.1:`port`.
http::ClientResponse ingest_as_operator(std::uint16_t port, const std::string& ndjson);

class CdrdServer {
 public:
  static constexpr const char* kOperatorKey = "test-operator-key-0123456789abcdef";

  // Starts `cdrd --data-dir D serve --port 0 ...` plus `extra_args`; waits until it listens.
  explicit CdrdServer(std::vector<std::string> extra_args = {});
  ~CdrdServer();  // stops it (SIGTERM) if still running

  std::uint16_t port() const { return port_; }
  const std::string& data_dir() const { return dir_.path(); }
  TestClient client() const { return TestClient("127.0.0.1", port_); }

  // `cdrd account create` against the same data directory (the server may run meanwhile).
  Credentials create_account(const std::string& name) const;
  // POST /v1/ingest/calls with the operator key.
  http::ClientResponse ingest(const std::string& ndjson) const;
  // GET with Basic auth of `who`.
  http::ClientResponse get(const Credentials& who, const std::string& target) const;

  // Sends `signal` and waits for the process; returns its exit status (or 128+signal).
  int stop(int signal = 15);
  pid_t pid() const { return pid_; }
  // What the server wrote to stderr so far (its log).
  std::string log() const;

 private:
  TempDir dir_;
  pid_t pid_ = -1;
  std::uint16_t port_ = 0;
};

// The total_count of the SIP-trunk call list of `who` (its default window), from the server on
// 127.0.0.1:`port`; throws std::runtime_error unless the list answers 200.
std::int64_t listed_call_count(std::uint16_t port, const Credentials& who);

// The wall clock now, in microseconds since the epoch.
std::int64_t wall_now();
// "YYYY-MM-DD HH:MM:SS" (UTC) of `base` minus `seconds`.
std::string seconds_before(std::int64_t base, std::int64_t seconds);
// The one instant the tests' record times count back from: the wall clock when first asked,
// fixed after that, so a time a test writes again (in an expected message) is the same string.
std::int64_t test_base();
// seconds_before(test_base(), seconds).
std::string ago(std::int64_t seconds);

}  // namespace cdrd::test
