#include "harness.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "core/time.h"

extern char** environ;

namespace cdrd::test {
namespace fs = std::filesystem;

TempDir::TempDir() {
  const char* base = std::getenv("TMPDIR");
  std::string tmpl = std::string(base && *base ? base : "/tmp") + "/cdrd-test-XXXXXX";
  if (!mkdtemp(tmpl.data())) throw std::runtime_error("mkdtemp failed");
  path_ = tmpl;
}

TempDir::~TempDir() {
  std::error_code ec;
  fs::remove_all(path_, ec);
}

namespace {

std::vector<char*> argv_of(std::vector<std::string>& args) {
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  return argv;
}

std::string slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

pid_t spawn(std::vector<std::string> args, const std::string& output_file) {
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, output_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_adddup2(&actions, 1, 2);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  args.insert(args.begin(), CDRD_BINARY);
  auto argv = argv_of(args);
  pid_t pid;
  const int rc = posix_spawn(&pid, CDRD_BINARY, &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) throw std::runtime_error("cannot start " CDRD_BINARY);
  return pid;
}

int wait_status(pid_t pid) {
  int status = 0;
  waitpid(pid, &status, 0);
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return -1;
}

// The value after "key: " on a line of `text`.
std::string field(const std::string& text, const std::string& key) {
  const auto at = text.find(key + ": ");
  if (at == std::string::npos) return "";
  const auto start = at + key.size() + 2;
  return text.substr(start, text.find('\n', start) - start);
}

}  // namespace

CommandResult run_cdrd(const std::vector<std::string>& args) {
  TempDir scratch;
  const std::string out = scratch.path() + "/out";
  CommandResult r;
  r.exit_code = wait_status(spawn(args, out));
  r.out = slurp(out);
  return r;
}

http::Params Credentials::basic() const {
  return {{"Authorization", http::basic_auth(auth_id, auth_token)}};
}

CdrdServer::CdrdServer(std::vector<std::string> extra_args) {
  std::vector<std::string> args = {"--data-dir", dir_.path(),  "serve",
                                   "--port",     "0",          "--port-file",
                                   dir_.path() + "/port",      "--operator-key",
                                   kOperatorKey, "--threads",  "2"};
  args.insert(args.end(), extra_args.begin(), extra_args.end());
  pid_ = spawn(args, dir_.path() + "/server.log");
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (std::chrono::steady_clock::now() < deadline) {
    std::ifstream in(dir_.path() + "/port");
    int port = 0;
    if (in >> port && port > 0) {
      port_ = static_cast<std::uint16_t>(port);
      return;
    }
    int status;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      throw std::runtime_error("cdrd exited at start:\n" + log());
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  throw std::runtime_error("cdrd did not start listening:\n" + log());
}

CdrdServer::~CdrdServer() {
  if (pid_ > 0) stop(SIGKILL);
}

int CdrdServer::stop(int signal) {
  if (pid_ <= 0) return -1;
  kill(pid_, signal);
  const int status = wait_status(pid_);
  pid_ = -1;
  return status;
}

std::string CdrdServer::log() const { return slurp(dir_.path() + "/server.log"); }

Credentials CdrdServer::create_account(const std::string& name) const {
  auto r = run_cdrd({"--data-dir", dir_.path(), "account", "create", "--name", name});
  if (r.exit_code != 0) throw std::runtime_error("account create failed: " + r.out);
  return {field(r.out, "auth_id"), field(r.out, "auth_token")};
}

http::ClientResponse CdrdServer::ingest(const std::string& ndjson) const {
  return client().request("POST", "/v1/ingest/calls", ndjson,
                          {{"Authorization", std::string("Bearer ") + kOperatorKey},
                           {"Content-Type", "application/x-ndjson"}});
}

http::ClientResponse CdrdServer::get(const Credentials& who, const std::string& target) const {
  return client().get(target, who.basic());
}

std::int64_t wall_now() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string seconds_before(std::int64_t base, std::int64_t seconds) {
  return format_timestamp(base - seconds * kMicrosPerSecond);
}

std::int64_t test_base() {
  static const std::int64_t base = wall_now();
  return base;
}

std::string ago(std::int64_t seconds) { return seconds_before(test_base(), seconds); }

}  // namespace cdrd::test
