// Fault-injection support for the black-box tests: a `cdrd serve` process that can be killed
// (SIGKILL or SIGTERM) and started again on the same data directory, optionally under a
// file-size limit (RLIMIT_FSIZE, a "full disk" for each file the server writes); a raw TCP
// client that reports exactly which bytes came back and whether they form complete HTTP
// responses; and a read-only look at the stored call ids in the database.
// Header-only test support. A ServerProcess is not thread-safe: one thread starts and stops it
// (others may read its port through their own copy). RawConnection: one per thread.
#pragma once

#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <sqlite3.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <arpa/inet.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "harness.h"
#include "records.h"

namespace cdrd::test {

// The seed of a randomised test: $CDRD_TEST_SEED when set (to replay a failure), else fresh.
inline std::uint64_t test_seed() {
  if (const char* s = std::getenv("CDRD_TEST_SEED"); s != nullptr && *s != '\0') {
    return std::strtoull(s, nullptr, 10);
  }
  return static_cast<std::uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count() ^
                                    (static_cast<std::int64_t>(getpid()) << 20));
}

// A `cdrd serve` process on a data directory the test owns, started and stopped at will.
class ServerProcess {
 public:
  explicit ServerProcess(std::string data_dir) : dir_(std::move(data_dir)) {}
  ~ServerProcess() {
    if (pid_ > 0) stop(SIGKILL);
  }
  ServerProcess(const ServerProcess&) = delete;
  ServerProcess& operator=(const ServerProcess&) = delete;

  // Starts `cdrd --data-dir D serve --port 0 --operator-key K --threads 2 EXTRA...` and waits
  // until it listens. With `max_file_bytes`, the server runs under RLIMIT_FSIZE: no file it
  // writes can grow past that size. Its output is appended to D/server.log.
  void start(const std::vector<std::string>& extra_args = {},
             std::optional<rlim_t> max_file_bytes = std::nullopt) {
    if (pid_ > 0) throw std::logic_error("ServerProcess::start: already running");
    std::filesystem::remove(dir_ + "/port");
    std::vector<std::string> args = serve_args(dir_, extra_args);
    args.insert(args.begin(), CDRD_BINARY);
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    const std::string log_path = log_path_();

    const pid_t pid = fork();
    if (pid < 0) throw std::runtime_error("fork failed");
    if (pid == 0) {              // the child: only async-signal-safe calls until exec
      signal(SIGXFSZ, SIG_DFL);  // the server itself must choose to ignore it
      if (max_file_bytes) {
        const rlimit limit{*max_file_bytes, *max_file_bytes};
        if (setrlimit(RLIMIT_FSIZE, &limit) != 0) _exit(126);
      }
      const int out = open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
      const int in = open("/dev/null", O_RDONLY);
      if (out < 0 || in < 0) _exit(126);
      dup2(in, 0);
      dup2(out, 1);
      dup2(out, 2);
      execv(argv[0], argv.data());
      _exit(127);
    }
    pid_ = pid;
    port_ = wait_for_port(pid_, dir_);
  }

  // Sends `signal` and waits: the exit code, or 128 + the signal that ended it.
  int stop(int signal) {
    if (pid_ <= 0) return -1;
    kill(pid_, signal);
    return wait_exit();
  }

  // Waits for the process to end (after a signal sent elsewhere); as stop(). When it had
  // ended already, how it ended.
  int wait_exit() {
    if (pid_ <= 0) return exit_status_;
    int status = 0;
    waitpid(pid_, &status, 0);
    return reaped(status);
  }

  // True while the process runs (it has not exited or been killed).
  bool alive() {
    if (pid_ <= 0) return false;
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) == 0) return true;
    reaped(status);
    return false;
  }

  pid_t pid() const { return pid_; }
  std::uint16_t port() const { return port_; }
  const std::string& data_dir() const { return dir_; }
  std::string db_path() const { return dir_ + "/cdrd.db"; }
  TestClient client() const { return TestClient("127.0.0.1", port_); }

  http::ClientResponse ingest(const std::string& ndjson) const {
    return ingest_as_operator(port_, ndjson);
  }
  http::ClientResponse get(const Credentials& who, const std::string& target) const {
    return client().get(target, who.basic());
  }

  std::string log() const { return read_text(log_path_()); }

 private:
  std::string log_path_() const { return dir_ + "/server.log"; }
  int reaped(int status) {
    pid_ = -1;
    exit_status_ = exit_code_of(status);
    return exit_status_;
  }

  std::string dir_;
  pid_t pid_ = -1;
  int exit_status_ = -1;
  std::uint16_t port_ = 0;
};

// call_uuid -> how many calls of the account `cdrd export --calls segments` of `data_dir` lists
// (the server stopped: the segment store admits one process at a time).
inline std::map<std::string, int> exported_call_uuids(const std::string& data_dir,
                                                      const std::string& auth_id) {
  TempDir scratch;
  const std::string file = scratch.path() + "/calls.ndjson";
  const CommandResult r = run_cdrd({"--data-dir", data_dir, "export", "--calls", "segments",
                                    "--account", auth_id, "--format", "ndjson", file});
  if (r.exit_code != 0) throw std::runtime_error("cdrd export failed: " + r.out.substr(0, 2000));
  std::map<std::string, int> uuids;
  std::istringstream lines(read_text(file));
  for (std::string line; std::getline(lines, line);) {
    if (line.empty()) continue;
    const rapidjson::Document call = parse_json(line);
    if (!call.IsObject() || !call.HasMember("call_uuid") || !call["call_uuid"].IsString()) {
      throw std::runtime_error("an exported call without a call_uuid: " + line.substr(0, 200));
    }
    ++uuids[call["call_uuid"].GetString()];
  }
  return uuids;
}

// call_uuid -> how many rows the account has with it, read from the database file directly
// (read-only), so a lost or doubled record shows whatever the API would say. With
// CDRD_TEST_CALLS_URL=segments (the calls not in the file), what the export of the calls lists.
inline std::map<std::string, int> stored_call_uuids(const std::string& db_path,
                                                    const std::string& auth_id) {
  if (const char* url = std::getenv("CDRD_TEST_CALLS_URL");
      url != nullptr && std::string_view(url) == "segments") {
    return exported_call_uuids(std::filesystem::path(db_path).parent_path().string(), auth_id);
  }
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(db_path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
    const std::string error = db ? sqlite3_errmsg(db) : "out of memory";
    sqlite3_close(db);
    throw std::runtime_error("cannot open " + db_path + ": " + error);
  }
  sqlite3_busy_timeout(db, 5000);
  sqlite3_stmt* st = nullptr;
  const char* sql =
      "SELECT c.call_uuid, count(*) FROM calls c JOIN accounts a ON a.id = c.account_id "
      "WHERE a.auth_id = ? GROUP BY c.call_uuid";
  if (sqlite3_prepare_v2(db, sql, -1, &st, nullptr) != SQLITE_OK) {
    const std::string error = sqlite3_errmsg(db);
    sqlite3_close(db);
    throw std::runtime_error("cannot read calls: " + error);
  }
  sqlite3_bind_text(st, 1, auth_id.c_str(), -1, SQLITE_TRANSIENT);
  std::map<std::string, int> out;
  int rc;
  while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
    out[reinterpret_cast<const char*>(sqlite3_column_text(st, 0))] = sqlite3_column_int(st, 1);
  }
  sqlite3_finalize(st);
  const std::string error = rc == SQLITE_DONE ? "" : sqlite3_errmsg(db);
  sqlite3_close(db);
  if (!error.empty()) throw std::runtime_error("reading calls failed: " + error);
  return out;
}

// A valid canonical record (docs/ingest.md) of `account`, ended a minute ago, with its own
// billing (so no rate deck is needed). `padding` characters of text in each of several PBX
// fields make it larger (at most 256).
inline Record fault_call(const std::string& account, const std::string& uuid,
                         std::size_t padding = 0) {
  Record r = with_own_billing(answered_call(account, uuid));
  if (padding > 0) {
    const std::string text(std::min<std::size_t>(padding, 256), 'p');
    for (const char* f : {"from_domain", "to_domain", "extension_name", "did_domain",
                          "bridged_domain", "from_screen_name"}) {
      r.set(f, str(text));
    }
  }
  return r;
}

// --- raw HTTP over TCP ---

// One HTTP response as it came over the wire.
struct RawResponse {
  int status = 0;
  std::string version;                                       // "HTTP/1.1"
  std::vector<std::pair<std::string, std::string>> headers;  // names lower-cased
  std::string body;
  bool keep_alive = true;

  std::string header(const std::string& lower_name) const {
    for (const auto& [k, v] : headers) {
      if (k == lower_name) return v;
    }
    return "";
  }
};

// Parses the response at the start of `buf`. Returns the bytes it takes when `buf` holds a whole
// response; 0 when more bytes are needed (`at_eof`: none will come, which for a response
// without a length ends its body); throws std::runtime_error when the bytes are not HTTP.
// `head`: the request was HEAD, so the response has no body whatever its length says.
inline std::size_t parse_raw_response(const std::string& buf, bool head, bool at_eof,
                                      RawResponse& out) {
  const std::size_t end = buf.find("\r\n\r\n");
  if (end == std::string::npos) {
    if (buf.size() > 64 * 1024) throw std::runtime_error("response header over 64 KiB");
    return 0;
  }
  out = RawResponse{};
  std::istringstream head_lines(buf.substr(0, end + 2));
  std::string line;
  std::getline(head_lines, line);
  if (line.empty() || line.back() != '\r') throw std::runtime_error("status line without CRLF");
  line.pop_back();
  // "HTTP/1.x NNN reason"
  if (line.size() < 12 || line.compare(0, 7, "HTTP/1.") != 0 || line[8] != ' ' ||
      (line.size() > 12 && line[12] != ' ')) {
    throw std::runtime_error("bad status line '" + line + "'");
  }
  out.version = line.substr(0, 8);
  for (int i = 9; i < 12; ++i) {
    if (line[i] < '0' || line[i] > '9') throw std::runtime_error("bad status '" + line + "'");
  }
  out.status = std::stoi(line.substr(9, 3));
  if (out.status < 100 || out.status > 599) throw std::runtime_error("bad status " + line);
  std::optional<std::size_t> length;
  bool chunked = false;
  while (std::getline(head_lines, line)) {
    if (line.empty() || line.back() != '\r') throw std::runtime_error("header line without CRLF");
    line.pop_back();
    const std::size_t colon = line.find(':');
    if (colon == std::string::npos || colon == 0) {
      throw std::runtime_error("bad header line '" + line + "'");
    }
    std::string name = line.substr(0, colon);
    for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    std::string value = line.substr(colon + 1);
    while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.erase(0, 1);
    while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.pop_back();
    if (name == "content-length") {
      if (value.empty() || value.find_first_not_of("0123456789") != std::string::npos ||
          (length && *length != std::stoull(value))) {
        throw std::runtime_error("bad Content-Length '" + value + "'");
      }
      length = std::stoull(value);
    }
    if (name == "transfer-encoding") chunked = value.find("chunked") != std::string::npos;
    if (name == "connection") {
      std::string v = value;
      for (char& c : v) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      if (v.find("close") != std::string::npos) out.keep_alive = false;
    }
    out.headers.emplace_back(std::move(name), std::move(value));
  }
  if (out.version == "HTTP/1.0" &&
      out.header("connection").find("eep-alive") == std::string::npos) {
    out.keep_alive = false;
  }
  std::size_t pos = end + 4;
  if (head && !out.keep_alive) {
    // The last response on the connection. A server that could not read the request cannot
    // know it was HEAD, so its error may carry a body: take none, or exactly the length.
    if (!at_eof) return 0;
    const std::size_t rest = buf.size() - pos;
    if (rest == 0) return pos;
    if (length && rest == *length) {
      out.body = buf.substr(pos);
      return buf.size();
    }
    throw std::runtime_error("a HEAD response followed by " + std::to_string(rest) + " bytes");
  }
  const bool bodiless = head || out.status == 204 || out.status == 304 || out.status < 200;
  if (bodiless) return pos;
  if (chunked) {
    for (;;) {
      const std::size_t eol = buf.find("\r\n", pos);
      if (eol == std::string::npos) return 0;
      const std::string size_text = buf.substr(pos, eol - pos);
      std::size_t size = 0;
      try {
        size = std::stoull(size_text, nullptr, 16);
      } catch (const std::exception&) {
        throw std::runtime_error("bad chunk size '" + size_text + "'");
      }
      pos = eol + 2;
      if (size == 0) {
        const std::size_t trailer_end = buf.find("\r\n", pos);
        return trailer_end == std::string::npos ? 0 : trailer_end + 2;
      }
      if (buf.size() < pos + size + 2) return 0;
      out.body += buf.substr(pos, size);
      pos += size + 2;
    }
  }
  if (length) {
    if (buf.size() < pos + *length) return 0;
    out.body = buf.substr(pos, *length);
    return pos + *length;
  }
  // No length: the body runs to the end of the connection.
  if (!at_eof) return 0;
  out.body = buf.substr(pos);
  out.keep_alive = false;
  return buf.size();
}

// A plain TCP connection to 127.0.0.1:port, with deadlines on every wait.
class RawConnection {
 public:
  RawConnection() = default;
  ~RawConnection() { close(); }
  RawConnection(const RawConnection&) = delete;
  RawConnection& operator=(const RawConnection&) = delete;

  // False when nothing listens (connection refused) or the connect times out.
  bool connect(std::uint16_t port, std::chrono::milliseconds timeout = std::chrono::seconds(5)) {
    close();
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd_ < 0) return false;
    const int one = 1;
    setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0) return true;
    if (errno != EINPROGRESS || !wait_for(POLLOUT, timeout)) return close(), false;
    int error = 0;
    socklen_t len = sizeof error;
    getsockopt(fd_, SOL_SOCKET, SO_ERROR, &error, &len);
    if (error != 0) return close(), false;
    buffer_.clear();
    return true;
  }

  bool is_open() const { return fd_ >= 0; }

  // Sends all of `bytes`; false if the peer closed or reset the connection meanwhile.
  bool send_all(std::string_view bytes,
                std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
    while (!bytes.empty()) {
      const ssize_t n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
      if (n > 0) {
        bytes.remove_prefix(static_cast<std::size_t>(n));
      } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
        if (!wait_for(POLLOUT, timeout)) return false;
      } else if (n < 0 && errno == EINTR) {
        continue;
      } else {
        return false;
      }
    }
    return true;
  }

  // No more bytes from us: the server sees the end of the stream.
  void shutdown_send() {
    if (fd_ >= 0) ::shutdown(fd_, SHUT_WR);
  }

  enum class ReadResult { kResponse, kClosed, kTimeout };

  // Reads one final response (interim 1xx responses are skipped; with `interim`, a 1xx is
  // returned like a final one). kClosed: the connection ended first; `partial` then holds what
  // had arrived of the response (empty when nothing had). Throws when the bytes are not HTTP.
  ReadResult read_response(RawResponse& out, bool head = false,
                           std::chrono::milliseconds timeout = std::chrono::seconds(30),
                           std::string* partial = nullptr, bool interim = false) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    bool eof = false;
    for (;;) {
      if (!buffer_.empty()) {
        const std::size_t used = parse_raw_response(buffer_, head, eof, out);
        if (used > 0) {
          buffer_.erase(0, used);
          if (!interim && out.status >= 100 && out.status < 200 && out.status != 101) continue;
          return ReadResult::kResponse;
        }
      }
      if (eof) {
        if (partial) *partial = buffer_;
        buffer_.clear();
        return ReadResult::kClosed;
      }
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0 || !wait_for(POLLIN, left)) {
        if (partial) *partial = buffer_;
        return ReadResult::kTimeout;
      }
      char chunk[16384];
      const ssize_t n = ::recv(fd_, chunk, sizeof chunk, 0);
      if (n > 0) {
        buffer_.append(chunk, static_cast<std::size_t>(n));
      } else if (n == 0 || (errno != EAGAIN && errno != EINTR && errno != EWOULDBLOCK)) {
        eof = true;  // closed or reset
      }
    }
  }

  // Bytes received but not yet taken by read_response().
  const std::string& pending() const { return buffer_; }

  void close() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
    buffer_.clear();
  }

 private:
  bool wait_for(short events, std::chrono::milliseconds timeout) {
    pollfd p{fd_, events, 0};
    for (;;) {
      const int rc = ::poll(&p, 1, static_cast<int>(std::max<std::int64_t>(timeout.count(), 0)));
      if (rc < 0 && errno == EINTR) continue;
      return rc > 0;
    }
  }

  int fd_ = -1;
  std::string buffer_;
};

// "METHOD TARGET HTTP/1.1" with Host, Content-Length (when there is a body) and `headers`
// ("Name: value" lines without CRLF).
inline std::string raw_request(const std::string& method, const std::string& target,
                               const std::vector<std::string>& headers = {},
                               const std::string& body = "") {
  std::string out = method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\n";
  for (const auto& h : headers) out += h + "\r\n";
  if (!body.empty() || method == "POST" || method == "PUT") {
    out += "Content-Length: " + std::to_string(body.size()) + "\r\n";
  }
  return out + "\r\n" + body;
}

}  // namespace cdrd::test
