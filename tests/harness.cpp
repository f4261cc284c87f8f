#include "harness.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "core/time.h"
#include "records.h"

extern char** environ;

namespace cdrd::test {
namespace {

std::vector<char*> argv_of(std::vector<std::string>& args) {
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  return argv;
}

int wait_status(pid_t pid) {
  int status = 0;
  waitpid(pid, &status, 0);
  return exit_code_of(status);
}

// The value after "key:" and its spaces on a line of `text`.
std::string field(const std::string& text, const std::string& key) {
  const auto at = text.find(key + ":");
  if (at == std::string::npos) return "";
  const auto start = text.find_first_not_of(' ', at + key.size() + 1);
  if (start == std::string::npos) return "";
  return text.substr(start, text.find('\n', start) - start);
}

}  // namespace

pid_t spawn_cdrd(std::vector<std::string> args, const std::string& output_file) {
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, output_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                   0644);
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

int exit_code_of(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return -1;
}

std::string read_text(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

CommandResult run_cdrd(const std::vector<std::string>& args) {
  TempDir scratch;
  const std::string out = scratch.path() + "/out";
  CommandResult r;
  r.exit_code = wait_status(spawn_cdrd(args, out));
  r.out = read_text(out);
  return r;
}

http::Params Credentials::basic() const {
  return {{"Authorization", http::basic_auth(auth_id, auth_token)}};
}

Credentials create_account_in(const std::string& data_dir, const std::string& name) {
  auto r = run_cdrd({"--data-dir", data_dir, "account", "create", "--name", name});
  if (r.exit_code != 0) throw std::runtime_error("account create failed: " + r.out);
  return {field(r.out, "auth_id"), field(r.out, "auth_token")};
}

OAuthApp create_app_in(const std::string& data_dir, const std::string& auth_id) {
  auto r = run_cdrd({"--data-dir", data_dir, "app", "create", "--account", auth_id});
  if (r.exit_code != 0) throw std::runtime_error("app create failed: " + r.out);
  OAuthApp app{field(r.out, "client_id"), field(r.out, "client_secret"), ""};
  if (const auto c = r.out.find("(client "); c != std::string::npos) {
    const auto from = c + 8;
    app.numeric_client = r.out.substr(from, r.out.find(';', from) - from);
  }
  return app;
}

http::ClientResponse request_token(std::uint16_t port, const std::string& client_id,
                                   const std::string& client_secret) {
  return TestClient("127.0.0.1", port)
      .request("POST", "/oauth/token",
               "grant_type=client_credentials&client_id=" + client_id +
                   "&client_secret=" + client_secret,
               {{"Content-Type", "application/x-www-form-urlencoded"}});
}

std::map<std::string, std::string> read_env(const std::string& path) {
  std::map<std::string, std::string> out;
  std::ifstream in(path);
  for (std::string line; std::getline(in, line);) {
    const auto eq = line.find('=');
    if (eq != std::string::npos) out[line.substr(0, eq)] = line.substr(eq + 1);
  }
  return out;
}

std::vector<std::string> serve_args(const std::string& data_dir,
                                    const std::vector<std::string>& extra_args) {
  std::vector<std::string> args = {"--data-dir",
                                   data_dir,
                                   "serve",
                                   "--port",
                                   "0",
                                   "--port-file",
                                   data_dir + "/port",
                                   "--operator-key",
                                   CdrdServer::kOperatorKey,
                                   "--threads",
                                   "2"};
  // CDRD_TEST_CALLS_URL=clickhouse://HOST:PORT: the calls in ClickHouse, one database per data
  // directory (a restart on the same directory finds its calls), unless the test names its own;
  // CDRD_TEST_CALLS_URL=segments: in the segment store of the data directory.
  const char* calls_url = std::getenv("CDRD_TEST_CALLS_URL");
  const bool named = std::find(extra_args.begin(), extra_args.end(), "--calls") != extra_args.end();
  if (calls_url != nullptr && std::string_view(calls_url) == "segments" && !named) {
    args.insert(args.end(), {"--calls", "segments"});
  } else if (calls_url != nullptr && *calls_url != '\0' && !named) {
    std::string database = "blackbox_" + std::filesystem::path(data_dir).filename().string();
    for (char& c : database) {
      if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
    }
    args.insert(args.end(), {"--calls", std::string(calls_url) + "/" + database});
  }
  args.insert(args.end(), extra_args.begin(), extra_args.end());
  return args;
}

std::uint16_t wait_for_port(pid_t& pid, const std::string& data_dir) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (std::chrono::steady_clock::now() < deadline) {
    std::ifstream in(data_dir + "/port");
    int port = 0;
    if (in >> port && port > 0) return static_cast<std::uint16_t>(port);
    int status;
    if (waitpid(pid, &status, WNOHANG) == pid) {
      pid = -1;
      throw std::runtime_error("cdrd exited at start:\n" + read_text(data_dir + "/server.log"));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  throw std::runtime_error("cdrd did not start listening:\n" + read_text(data_dir + "/server.log"));
}

http::ClientResponse ingest_as_operator(std::uint16_t port, const std::string& ndjson) {
  return TestClient("127.0.0.1", port)
      .request("POST", "/v1/ingest/calls", ndjson,
               {{"Authorization", std::string("Bearer ") + CdrdServer::kOperatorKey},
                {"Content-Type", "application/x-ndjson"}});
}

CdrdServer::CdrdServer(std::vector<std::string> extra_args) {
  pid_ = spawn_cdrd(serve_args(dir_.path(), extra_args), dir_.path() + "/server.log");
  port_ = wait_for_port(pid_, dir_.path());
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

std::string CdrdServer::log() const { return read_text(dir_.path() + "/server.log"); }

Credentials CdrdServer::create_account(const std::string& name) const {
  return create_account_in(dir_.path(), name);
}

http::ClientResponse CdrdServer::ingest(const std::string& ndjson) const {
  return ingest_as_operator(port_, ndjson);
}

http::ClientResponse CdrdServer::get(const Credentials& who, const std::string& target) const {
  return client().get(target, who.basic());
}

std::int64_t listed_call_count(std::uint16_t port, const Credentials& who) {
  const auto r = TestClient("127.0.0.1", port)
                     .get("/v1/Account/" + who.auth_id + "/Zentrunk/Call/?limit=1", who.basic());
  if (r.status != 200) throw std::runtime_error("list calls: " + std::to_string(r.status) + r.body);
  return parse_json(r.body)["meta"]["total_count"].GetInt64();
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
