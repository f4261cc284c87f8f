// hardening: the load tool of the hardening scenarios of `make bench` (bench/hardening.sh).
// Each mode compares two states side by side in one run and prints its figures as one line
// "RESULT key=value ..." on stdout (progress and errors go to stderr). Loopback traffic only:
// the target is --host (127.0.0.1 by default), and every loop ends by itself.
//
//   stall         opens --connections connections to a running server at once, sends each an
//                 upload head announcing Content-Length 33554432 (and --body-bytes of the body)
//                 and then nothing more, holds them --hold-s seconds, and reports the server's
//                 memory (VmRSS, VmHWM of --server-pid) before, while held and after release,
//                 and what the clients got back and how fast. --kind unauth: alternately
//                 POST /oauth/token without credentials and POST /v1/ingest/calls with a wrong
//                 operator key; --kind auth: POST /v1/ingest/calls with the operator key
//                 ($CDRD_OPERATOR_KEY). --rounds does it all again on the same server, to
//                 tell memory the allocator keeps for reuse from memory that keeps growing.
//   fairness      account B's small list, closed loop: alone (baseline), then while account A
//                 runs --heavy-connections loops of its slowest list (the slowest of
//                 --heavy-paths-file, each timed three times first); reports both latencies, their
//                 ratio and A's answers by status.
//   slow-headers  a normal client's small list, closed loop: alone (baseline), then while
//                 --slow-connections connections each send a request head one byte every
//                 --byte-interval-ms and never finish it (a connection the server closes is
//                 opened again); reports both latencies and their ratio.
// Both alternate the two states --rounds times (alone, loaded, alone, loaded, ...) and pool each
// state's windows, so that a change in the load other processes put on the machine falls on
// both sides of the ratio.
//
// Latency is measured from sending a request to reading its whole response; percentiles are
// nearest-rank over every request in the measured interval. Passwords come from the
// environment so they stay off the process list: HARDENING_PASSWORD_A (account A of fairness),
// HARDENING_PASSWORD_B (the measured client of fairness and slow-headers).
#include <sys/resource.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <array>
#include <atomic>
#include <boost/asio.hpp>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <iostream>
#include <map>
#include <memory>
#include <random>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "http/client.h"

namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;

double ms_between(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration<double, std::milli>(b - a).count();
}

Clock::duration seconds(double s) {
  return std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(s));
}

std::string env_or(const char* name, const std::string& fallback) {
  const char* v = std::getenv(name);
  return v && *v ? std::string(v) : fallback;
}

// Raises the soft limit on open files to the hard one (thousands of sockets); returns it.
rlim_t raise_open_files() {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0) return 0;
  if (limit.rlim_cur < limit.rlim_max) {
    limit.rlim_cur = limit.rlim_max;
    setrlimit(RLIMIT_NOFILE, &limit);
    getrlimit(RLIMIT_NOFILE, &limit);
  }
  return limit.rlim_cur;
}

double percentile(const std::vector<double>& sorted, double p) {
  if (sorted.empty()) return 0;
  auto rank = static_cast<std::size_t>(std::ceil(p / 100.0 * static_cast<double>(sorted.size())));
  rank = std::clamp<std::size_t>(rank, 1, sorted.size());
  return sorted[rank - 1];
}

std::string statuses_text(const std::map<int, std::int64_t>& statuses, const char* prefix) {
  std::string out;
  for (const auto& [status, n] : statuses) {
    out += " " + std::string(prefix) +
           (status == 0 ? std::string("none") : std::to_string(status)) + "=" + std::to_string(n);
  }
  return out;
}

// Like loadgen's Target: each bench tool is one self-contained file (a handful of lines is
// not worth a shared header between two programs).
struct Target {
  std::string host = "127.0.0.1";
  int port = 0;
  void add_options(CLI::App& cmd) {
    cmd.add_option("--host", host, "server address (loopback)");
    cmd.add_option("--port", port, "server port")->required()->check(CLI::Range(1, 65535));
  }
  tcp::endpoint endpoint() const {
    return {asio::ip::make_address(host), static_cast<std::uint16_t>(port)};
  }
};

// ---- server memory -----------------------------------------------------------------------------

struct Memory {
  std::int64_t rss_kib = -1, hwm_kib = -1;
};

Memory read_memory(int pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  Memory m;
  for (std::string line; std::getline(in, line);) {
    if (line.starts_with("VmRSS:")) m.rss_kib = std::atoll(line.c_str() + 6);
    if (line.starts_with("VmHWM:")) m.hwm_kib = std::atoll(line.c_str() + 6);
  }
  return m;
}

// Samples the server's VmRSS every 50 ms on its own thread and keeps the largest value seen
// since the last reset().
class RssSampler {
 public:
  explicit RssSampler(int pid) : pid_(pid), thread_([this] { loop(); }) {}
  ~RssSampler() {
    stop_ = true;
    thread_.join();
  }
  void reset() { max_kib_ = read_memory(pid_).rss_kib; }
  std::int64_t max_kib() const { return max_kib_.load(); }

 private:
  void loop() {
    while (!stop_) {
      const std::int64_t now = read_memory(pid_).rss_kib;
      std::int64_t seen = max_kib_.load();
      while (now > seen && !max_kib_.compare_exchange_weak(seen, now)) {
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  }
  const int pid_;
  std::atomic<bool> stop_{false};
  std::atomic<std::int64_t> max_kib_{0};
  std::thread thread_;
};

double mib(std::int64_t kib) { return static_cast<double>(kib) / 1024.0; }

// ---- stall
// ---------------------------------------------------------------------------------------

struct StallOptions {
  Target target;
  int server_pid = 0;
  int connections = 1000;
  std::string kind = "unauth";
  double hold_s = 8;
  int rounds = 2;  // the same again on the same server: freed memory reused, or more taken?
  std::int64_t body_bytes = 0;
  std::int64_t content_length = 32 * 1024 * 1024;
};

struct StallConn {
  explicit StallConn(asio::io_context& io) : socket(io) {}
  tcp::socket socket;
  const std::string* request = nullptr;  // shared by the connections of a kind
  Clock::time_point sent_at;
  bool connected = false, sent = false, closed_by_server = false;
  int status = 0;  // of the first response, 0 if none
  double first_response_ms = -1;
  std::string received;
  std::array<char, 4096> buffer{};
};

struct StallRound {
  Memory before, held_end, after;
  std::int64_t held_max_kib = 0;
  std::int64_t connected = 0, connect_failures = 0, sent = 0, closed = 0, open_at_end = 0;
  double send_s = 0;
  std::map<int, std::int64_t> statuses;
  std::vector<double> first_ms;  // sorted
};

// One round: open every connection, send each its request, hold them, close them.
StallRound stall_round(const StallOptions& o, const std::string& token_request,
                       const std::string& ingest_request) {
  StallRound round;
  round.before = read_memory(o.server_pid);
  RssSampler sampler(o.server_pid);
  sampler.reset();

  asio::io_context io;
  std::vector<std::unique_ptr<StallConn>> conns;
  std::function<void(StallConn&)> read_more = [&](StallConn& c) {
    c.socket.async_read_some(asio::buffer(c.buffer),
                             [&, pc = &c](boost::system::error_code ec, std::size_t n) {
                               StallConn& c = *pc;
                               if (ec) {
                                 c.closed_by_server = true;
                                 return;
                               }
                               if (c.status == 0) {
                                 c.received.append(c.buffer.data(), n);
                                 if (c.received.find("\r\n") != std::string::npos) {
                                   c.first_response_ms = ms_between(c.sent_at, Clock::now());
                                   // "HTTP/1.1 401 ..."
                                   const auto space = c.received.find(' ');
                                   if (space != std::string::npos)
                                     c.status = std::atoi(c.received.c_str() + space + 1);
                                   if (c.status == 0) c.status = -1;
                                   c.received.clear();
                                 }
                               }
                               read_more(c);
                             });
  };
  const auto t0 = Clock::now();
  for (int i = 0; i < o.connections; ++i) {
    auto c = std::make_unique<StallConn>(io);
    c->request = o.kind == "unauth" && i % 2 == 0 ? &token_request : &ingest_request;
    StallConn* pc = c.get();
    conns.push_back(std::move(c));
    pc->socket.async_connect(o.target.endpoint(), [&, pc](boost::system::error_code ec) {
      if (ec) {
        ++round.connect_failures;
        return;
      }
      pc->connected = true;
      pc->sent_at = Clock::now();
      read_more(*pc);
      asio::async_write(pc->socket, asio::buffer(*pc->request),
                        [&, pc](boost::system::error_code ec2, std::size_t) {
                          if (!ec2) {
                            pc->sent = true;
                            ++round.sent;
                          }
                        });
    });
  }
  // Every head (and body prefix) is out, or 30 s passed; then a moment for the answers.
  while (round.sent + round.connect_failures < o.connections &&
         Clock::now() - t0 < std::chrono::seconds(30)) {
    io.run_for(std::chrono::milliseconds(50));
  }
  round.send_s = std::chrono::duration<double>(Clock::now() - t0).count();
  io.run_for(std::chrono::milliseconds(1000));
  // Held: the clients send nothing more and do not close.
  const auto hold_until = Clock::now() + seconds(o.hold_s);
  while (Clock::now() < hold_until) io.run_for(std::chrono::milliseconds(100));
  round.held_end = read_memory(o.server_pid);
  round.held_max_kib = sampler.max_kib();
  for (const auto& c : conns) {  // before the clients close: what the server closed
    round.open_at_end += c->connected && !c->closed_by_server;
    round.closed += c->connected && c->closed_by_server;
  }
  // Release: the clients close; the server frees what they held.
  for (auto& c : conns) {
    boost::system::error_code ignored;
    c->socket.close(ignored);
  }
  io.run_for(std::chrono::milliseconds(100));
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  round.after = read_memory(o.server_pid);

  for (const auto& c : conns) {
    if (!c->connected) continue;
    ++round.connected;
    ++round.statuses[c->status];
    if (c->first_response_ms >= 0) round.first_ms.push_back(c->first_response_ms);
  }
  std::sort(round.first_ms.begin(), round.first_ms.end());
  return round;
}

int run_stall(StallOptions o) {
  const rlim_t files = raise_open_files();
  if (files < static_cast<rlim_t>(o.connections) + 64) {
    std::cerr << "hardening stall: the open-file limit (" << files << ") is below " << o.connections
              << " connections\n";
    return 2;
  }
  if (o.kind != "unauth" && o.kind != "auth") {
    std::cerr << "hardening stall: --kind must be unauth or auth, got '" << o.kind << "'\n";
    return 2;
  }
  const std::string operator_key = env_or("CDRD_OPERATOR_KEY", "");
  if (o.kind == "auth" && operator_key.empty()) {
    std::cerr << "hardening stall: --kind auth needs CDRD_OPERATOR_KEY\n";
    return 2;
  }
  if (read_memory(o.server_pid).rss_kib < 0) {
    std::cerr << "hardening stall: cannot read /proc/" << o.server_pid << "/status\n";
    return 2;
  }
  const std::string length = std::to_string(o.content_length);
  const std::string host = "Host: " + o.target.host + "\r\n";
  const std::string token_request = "POST /oauth/token HTTP/1.1\r\n" + host +
                                    "Content-Type: application/x-www-form-urlencoded\r\n"
                                    "Content-Length: " +
                                    length + "\r\n\r\n";
  // The body sent before stalling: blank lines (NDJSON skips them).
  const std::string ingest_request =
      "POST /v1/ingest/calls HTTP/1.1\r\n" + host + "Authorization: Bearer " +
      (o.kind == "auth" ? operator_key : std::string("not-the-operator-key")) +
      "\r\nContent-Type: application/x-ndjson\r\nContent-Length: " + length + "\r\n\r\n" +
      std::string(static_cast<std::size_t>(o.body_bytes), '\n');

  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  std::vector<StallRound> rounds;
  for (int r = 0; r < o.rounds; ++r) {
    rounds.push_back(stall_round(o, token_request, ingest_request));
    std::cerr << "hardening stall: round " << r + 1 << ": RSS " << mib(rounds.back().before.rss_kib)
              << " MiB before, " << mib(rounds.back().held_max_kib) << " MiB held, "
              << mib(rounds.back().after.rss_kib) << " MiB after release\n";
  }
  const StallRound& first = rounds.front();
  const StallRound& last = rounds.back();
  const std::int64_t increase = first.held_max_kib - first.before.rss_kib;
  std::printf(
      "RESULT kind=%s connections=%d connected=%lld connect_failures=%lld sent=%lld send_s=%.2f "
      "body_bytes=%lld hold_s=%.1f rss_before_mib=%.1f hwm_before_mib=%.1f rss_held_max_mib=%.1f "
      "rss_held_end_mib=%.1f rss_increase_mib=%.1f increase_kib_per_connection=%.1f "
      "hwm_after_mib=%.1f rss_after_release_mib=%.1f rounds=%d last_rss_held_max_mib=%.1f "
      "last_rss_after_release_mib=%.1f last_increase_over_first_before_mib=%.1f answered=%zu "
      "first_response_p50_ms=%.2f first_response_p99_ms=%.2f first_response_max_ms=%.2f "
      "closed_by_server=%lld open_at_end=%lld%s\n",
      o.kind.c_str(), o.connections, static_cast<long long>(first.connected),
      static_cast<long long>(first.connect_failures), static_cast<long long>(first.sent),
      first.send_s, static_cast<long long>(o.body_bytes), o.hold_s, mib(first.before.rss_kib),
      mib(first.before.hwm_kib), mib(first.held_max_kib), mib(first.held_end.rss_kib),
      mib(increase),
      first.connected > 0 ? static_cast<double>(increase) / static_cast<double>(first.connected)
                          : 0.0,
      mib(first.after.hwm_kib), mib(first.after.rss_kib), o.rounds, mib(last.held_max_kib),
      mib(last.after.rss_kib), mib(last.held_max_kib - first.before.rss_kib), first.first_ms.size(),
      percentile(first.first_ms, 50), percentile(first.first_ms, 99),
      first.first_ms.empty() ? 0.0 : first.first_ms.back(), static_cast<long long>(first.closed),
      static_cast<long long>(first.open_at_end), statuses_text(first.statuses, "status_").c_str());
  std::int64_t failures = 0;
  for (const auto& r : rounds) failures += r.connect_failures;
  return failures == 0 ? 0 : 1;
}

// ---- closed-loop clients
// -------------------------------------------------------------------------

struct LoopResult {
  std::vector<double> latencies_ms;      // 200s that ended inside the measured interval
  std::map<int, std::int64_t> statuses;  // every answer; 0: a connection failure
  std::vector<std::string> error_samples;
};

// `connections` threads, each a keep-alive connection sending GET `path` in a closed loop from
// `start` until `stop` is set or `until` passes; latencies of 200s that start at or after
// `measure_from` and end by `until` are kept.
LoopResult run_loop(const Target& target, const cdrd::http::Params& headers,
                    const std::string& path, int connections, Clock::time_point measure_from,
                    Clock::time_point until, const std::atomic<bool>* stop = nullptr) {
  std::vector<LoopResult> parts(static_cast<std::size_t>(connections));
  std::vector<std::thread> threads;
  for (int w = 0; w < connections; ++w) {
    threads.emplace_back([&, w] {
      LoopResult& me = parts[static_cast<std::size_t>(w)];
      cdrd::http::HttpClient client(target.host, static_cast<std::uint16_t>(target.port));
      client.set_timeout(std::chrono::seconds(60));
      for (;;) {
        const auto start = Clock::now();
        if (start >= until || (stop && stop->load())) return;
        int status = 0;
        const auto r = client.get(path, headers);
        if (r.ok()) {
          status = r->status;
          if (status != 200 && me.error_samples.size() < 2) {
            me.error_samples.push_back("status " + std::to_string(status) + ": " +
                                       r->body.substr(0, 200));
          }
        } else {
          if (me.error_samples.size() < 2) me.error_samples.push_back(r.status().message());
          std::this_thread::sleep_for(std::chrono::milliseconds(10));
        }
        const auto end = Clock::now();
        ++me.statuses[status];
        if (status == 200 && start >= measure_from && end <= until) {
          me.latencies_ms.push_back(ms_between(start, end));
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  LoopResult all;
  for (auto& p : parts) {
    all.latencies_ms.insert(all.latencies_ms.end(), p.latencies_ms.begin(), p.latencies_ms.end());
    for (const auto& [s, n] : p.statuses) all.statuses[s] += n;
    for (auto& e : p.error_samples) all.error_samples.push_back(std::move(e));
  }
  std::sort(all.latencies_ms.begin(), all.latencies_ms.end());
  return all;
}

struct Latency {
  std::size_t requests = 0;
  double p50 = 0, p99 = 0, max = 0;
  std::int64_t errors = 0;
};

Latency summarize(const LoopResult& r) {
  Latency l;
  l.requests = r.latencies_ms.size();
  l.p50 = percentile(r.latencies_ms, 50);
  l.p99 = percentile(r.latencies_ms, 99);
  l.max = r.latencies_ms.empty() ? 0 : r.latencies_ms.back();
  for (const auto& [s, n] : r.statuses) {
    if (s != 200) l.errors += n;
  }
  return l;
}

std::string latency_text(const char* name, const Latency& l) {
  char buf[256];
  std::snprintf(buf, sizeof buf,
                " %s_requests=%zu %s_p50_ms=%.2f %s_p99_ms=%.2f %s_max_ms=%.2f %s_errors=%lld",
                name, l.requests, name, l.p50, name, l.p99, name, l.max, name,
                static_cast<long long>(l.errors));
  return buf;
}

void print_errors(const char* what, const LoopResult& r) {
  for (const auto& e : r.error_samples) std::cerr << "hardening: " << what << ": " << e << "\n";
}

struct LightOptions {
  Target target;
  std::string user;
  std::string path;
  int connections = 1;
  double warmup_s = 2;
  double duration_s = 15;
  int rounds = 3;
  void add_options(CLI::App& cmd, const char* user_help) {
    target.add_options(cmd);
    cmd.add_option("--user", user, user_help)->required();
    cmd.add_option("--path", path, "the measured small list (request target)")->required();
    cmd.add_option("--connections", connections, "connections of the measured client")
        ->check(CLI::Range(1, 64));
    cmd.add_option("--warmup-s", warmup_s, "seconds before measuring, in each phase")
        ->check(CLI::Range(0.0, 60.0));
    cmd.add_option("--duration-s", duration_s, "measured seconds of each phase (in all)")
        ->check(CLI::Range(1.0, 600.0));
    cmd.add_option("--rounds", rounds,
                   "the phases alternate this many times (alone, loaded, alone, ...), each "
                   "measured for duration / rounds, so that a change in the machine's other "
                   "load falls on both")
        ->check(CLI::Range(1, 100));
  }
};

// One measured window of the client: warm-up, then duration_s / rounds seconds.
LoopResult measure_window(const LightOptions& o, const cdrd::http::Params& headers,
                          const char* phase) {
  const auto now = Clock::now();
  const double window_s = o.duration_s / o.rounds;
  LoopResult r = run_loop(o.target, headers, o.path, o.connections, now + seconds(o.warmup_s),
                          now + seconds(o.warmup_s + window_s));
  print_errors(phase, r);
  return r;
}

void merge(LoopResult& into, LoopResult&& from) {
  into.latencies_ms.insert(into.latencies_ms.end(), from.latencies_ms.begin(),
                           from.latencies_ms.end());
  std::sort(into.latencies_ms.begin(), into.latencies_ms.end());
  for (const auto& [s, n] : from.statuses) into.statuses[s] += n;
  for (auto& e : from.error_samples) into.error_samples.push_back(std::move(e));
}

// ---- fairness
// ------------------------------------------------------------------------------------

struct FairnessOptions {
  LightOptions light;  // account B
  std::string user_a;
  std::string heavy_paths_file;
  int heavy_connections = 4;
};

int run_fairness(FairnessOptions o) {
  const std::string password_a = env_or("HARDENING_PASSWORD_A", "");
  const std::string password_b = env_or("HARDENING_PASSWORD_B", "");
  if (password_a.empty() || password_b.empty()) {
    std::cerr << "hardening fairness: set HARDENING_PASSWORD_A and HARDENING_PASSWORD_B\n";
    return 2;
  }
  const cdrd::http::Params headers_a = {
      {"Authorization", cdrd::http::basic_auth(o.user_a, password_a)}};
  const cdrd::http::Params headers_b = {
      {"Authorization", cdrd::http::basic_auth(o.light.user, password_b)}};

  // A's slowest list: each candidate once to warm up, then the median of three timings.
  std::vector<std::string> candidates;
  {
    std::ifstream in(o.heavy_paths_file);
    for (std::string line; std::getline(in, line);) {
      if (!line.empty()) candidates.push_back(line);
    }
  }
  if (candidates.empty()) {
    std::cerr << "hardening fairness: no paths in " << o.heavy_paths_file << "\n";
    return 2;
  }
  std::string heavy;
  double heavy_alone_ms = -1;
  {
    cdrd::http::HttpClient client(o.light.target.host,
                                  static_cast<std::uint16_t>(o.light.target.port));
    client.set_timeout(std::chrono::seconds(60));
    // The status of GET `path`; a request without an answer ends the run.
    const auto status_of = [&](const std::string& path) {
      const auto r = client.get(path, headers_a);
      if (!r.ok()) throw std::runtime_error(r.status().message());
      return r->status;
    };
    for (const auto& path : candidates) {
      int status = status_of(path);
      std::vector<double> times;
      for (int i = 0; i < 3 && status == 200; ++i) {
        const auto t = Clock::now();
        status = status_of(path);
        times.push_back(ms_between(t, Clock::now()));
      }
      std::sort(times.begin(), times.end());
      const double ms = times.empty() ? 0 : times[times.size() / 2];
      std::cerr << "hardening fairness: " << status << ", median " << ms << " ms: " << path << "\n";
      if (status == 200 && ms > heavy_alone_ms) {
        heavy_alone_ms = ms;
        heavy = path;
      }
    }
  }
  if (heavy.empty()) {
    std::cerr << "hardening fairness: no candidate of account A answered 200\n";
    return 1;
  }
  std::cerr << "hardening fairness: A's slowest list (" << heavy_alone_ms << " ms alone): " << heavy
            << "\n";

  LoopResult alone, loaded, heavy_result;
  double heavy_s = 0;
  for (int round = 1; round <= o.light.rounds; ++round) {
    std::cerr << "hardening fairness: round " << round << ": B alone, then B while A runs "
              << o.heavy_connections << " loops\n";
    merge(alone, measure_window(o.light, headers_b, "baseline"));
    std::atomic<bool> stop{false};
    LoopResult heavy_round;
    const auto heavy_start = Clock::now();
    std::thread heavy_thread([&] {
      heavy_round = run_loop(o.light.target, headers_a, heavy, o.heavy_connections, heavy_start,
                             heavy_start + std::chrono::hours(1), &stop);
    });
    merge(loaded, measure_window(o.light, headers_b, "under load"));
    stop = true;
    heavy_thread.join();  // A's requests in flight end before B is measured alone again
    heavy_s += std::chrono::duration<double>(Clock::now() - heavy_start).count();
    merge(heavy_result, std::move(heavy_round));
  }
  print_errors("account A", heavy_result);
  const Latency baseline = summarize(alone), under_load = summarize(loaded);
  const bool failed = baseline.requests == 0 || under_load.requests == 0;

  std::int64_t a_200 = 0, a_429 = 0, a_503 = 0, a_other = 0;
  for (const auto& [s, n] : heavy_result.statuses) {
    (s == 200 ? a_200 : s == 429 ? a_429 : s == 503 ? a_503 : a_other) += n;
  }
  std::printf(
      "RESULT heavy_path=%s heavy_alone_ms=%.1f heavy_connections=%d light_connections=%d "
      "duration_s=%.1f rounds=%d%s%s ratio_p50=%.2f ratio_p99=%.2f a_requests=%lld a_200=%lld "
      "a_429=%lld "
      "a_503=%lld a_other=%lld a_per_s=%.2f a_p50_ms=%.1f a_p99_ms=%.1f\n",
      heavy.c_str(), heavy_alone_ms, o.heavy_connections, o.light.connections, o.light.duration_s,
      o.light.rounds, latency_text("baseline", baseline).c_str(),
      latency_text("loaded", under_load).c_str(),
      baseline.p50 > 0 ? under_load.p50 / baseline.p50 : 0.0,
      baseline.p99 > 0 ? under_load.p99 / baseline.p99 : 0.0,
      static_cast<long long>(a_200 + a_429 + a_503 + a_other), static_cast<long long>(a_200),
      static_cast<long long>(a_429), static_cast<long long>(a_503), static_cast<long long>(a_other),
      static_cast<double>(a_200 + a_429 + a_503) / heavy_s,
      percentile(heavy_result.latencies_ms, 50), percentile(heavy_result.latencies_ms, 99));
  return failed || baseline.errors > 0 || under_load.errors > 0 ? 1 : 0;
}

// ---- slow headers
// --------------------------------------------------------------------------------

struct SlowOptions {
  LightOptions light;
  int slow_connections = 2000;
  int byte_interval_ms = 1000;
  double ramp_s = 2;
};

// Connections that each send a request head one byte per interval and never finish it; one the
// server closes is opened again. Runs on its own thread until stop().
class SlowHeaders {
 public:
  SlowHeaders(const SlowOptions& o, std::string head)
      : o_(o), head_(std::move(head)), rng_(7), thread_([this] { io_.run(); }) {
    // Keep the io_context running while the connections are being set up.
    asio::post(io_, [this] {
      for (int i = 0; i < o_.slow_connections; ++i) {
        auto c = std::make_shared<Conn>(io_);
        conns_.push_back(c);
        // Spread the first connections over the ramp.
        const auto delay = seconds(o_.ramp_s * i / std::max(1, o_.slow_connections));
        c->timer.expires_after(delay);
        c->timer.async_wait([this, c](boost::system::error_code ec) {
          if (!ec) open(c);
        });
      }
    });
  }
  ~SlowHeaders() { stop(); }

  void stop() {
    if (stopped_.exchange(true)) return;
    io_.stop();
    thread_.join();
    for (auto& c : conns_) {  // the io_context no longer runs: safe from this thread
      boost::system::error_code ignored;
      c->socket.close(ignored);
    }
  }

  std::int64_t open_now() const { return open_.load(); }
  std::int64_t opened() const { return opened_.load(); }
  std::int64_t closed_by_server() const { return closed_by_server_.load(); }
  std::int64_t bytes_sent() const { return bytes_.load(); }
  std::int64_t connect_failures() const { return connect_failures_.load(); }

 private:
  struct Conn {
    explicit Conn(asio::io_context& io) : socket(io), timer(io) {}
    tcp::socket socket;
    asio::steady_timer timer;
    std::size_t next = 0;  // next byte of the head to send
    bool open = false;
    std::uint64_t generation = 0;  // of the current socket: handlers of an older one are ignored
    std::array<char, 512> buffer{};
    char byte = 0;
  };

  void open(const std::shared_ptr<Conn>& c) {
    if (stopped_) return;
    boost::system::error_code ignored;
    c->socket.close(ignored);
    c->next = 0;
    const std::uint64_t gen = ++c->generation;
    c->socket.async_connect(endpoint_(), [this, c, gen](boost::system::error_code ec) {
      if (gen != c->generation) return;
      if (ec) {
        ++connect_failures_;
        c->timer.expires_after(std::chrono::milliseconds(200));
        c->timer.async_wait([this, c](boost::system::error_code e) {
          if (!e) open(c);
        });
        return;
      }
      c->open = true;
      ++open_;
      ++opened_;
      read(c, gen);
      // The first byte at a random point of the interval, so the writes are spread.
      c->timer.expires_after(std::chrono::milliseconds(rng_() % std::max(1, o_.byte_interval_ms)));
      c->timer.async_wait([this, c, gen](boost::system::error_code e) {
        if (!e) send_byte(c, gen);
      });
    });
  }

  void closed(const std::shared_ptr<Conn>& c, std::uint64_t gen) {
    if (gen != c->generation || !c->open) return;
    c->open = false;
    --open_;
    if (stopped_) return;
    ++closed_by_server_;
    c->timer.cancel();
    asio::post(io_, [this, c] { open(c); });
  }

  void read(const std::shared_ptr<Conn>& c, std::uint64_t gen) {
    c->socket.async_read_some(asio::buffer(c->buffer),
                              [this, c, gen](boost::system::error_code ec, std::size_t) {
                                if (ec) return closed(c, gen);
                                read(c, gen);  // an answer (none is expected): read to EOF
                              });
  }

  void send_byte(const std::shared_ptr<Conn>& c, std::uint64_t gen) {
    if (gen != c->generation || !c->open) return;
    // The head never ends: past its last line, the value of an X-Slow header grows forever.
    c->byte = c->next < head_.size() ? head_[c->next] : 'a';
    ++c->next;
    asio::async_write(c->socket, asio::buffer(&c->byte, 1),
                      [this, c, gen](boost::system::error_code ec, std::size_t) {
                        if (ec) return closed(c, gen);
                        ++bytes_;
                        c->timer.expires_after(std::chrono::milliseconds(o_.byte_interval_ms));
                        c->timer.async_wait([this, c, gen](boost::system::error_code e) {
                          if (!e) send_byte(c, gen);
                        });
                      });
  }

  tcp::endpoint endpoint_() const { return o_.light.target.endpoint(); }

  const SlowOptions& o_;
  const std::string head_;
  asio::io_context io_;
  asio::executor_work_guard<asio::io_context::executor_type> guard_ =
      asio::make_work_guard(io_);  // run() until stop()
  std::vector<std::shared_ptr<Conn>> conns_;
  std::mt19937 rng_;
  std::atomic<bool> stopped_{false};
  std::atomic<std::int64_t> open_{0}, opened_{0}, closed_by_server_{0}, bytes_{0},
      connect_failures_{0};
  std::thread thread_;  // last: starts once the rest is built
};

int run_slow_headers(SlowOptions o) {
  const rlim_t files = raise_open_files();
  if (files < static_cast<rlim_t>(o.slow_connections) + 256) {
    std::cerr << "hardening slow-headers: the open-file limit (" << files << ") is below "
              << o.slow_connections << " connections\n";
    return 2;
  }
  const std::string password = env_or("HARDENING_PASSWORD_B", "");
  if (password.empty()) {
    std::cerr << "hardening slow-headers: set HARDENING_PASSWORD_B (the client's password)\n";
    return 2;
  }
  const cdrd::http::Params headers = {
      {"Authorization", cdrd::http::basic_auth(o.light.user, password)}};

  const std::string head =
      "GET " + o.light.path + " HTTP/1.1\r\nHost: " + o.light.target.host + "\r\nX-Slow: ";
  LoopResult alone, loaded;
  std::int64_t open_min = -1, open_max = 0, opened = 0, closed_by_server = 0,
               closed_while_measured = 0, bytes = 0, connect_failures = 0;
  for (int round = 1; round <= o.light.rounds; ++round) {
    std::cerr << "hardening slow-headers: round " << round << ": the client alone, then while "
              << o.slow_connections << " connections send their heads slowly\n";
    merge(alone, measure_window(o.light, headers, "baseline"));
    SlowHeaders slow(o, head);
    std::this_thread::sleep_for(seconds(o.ramp_s));
    // Sample the open slow connections while the client is measured.
    std::atomic<bool> done{false};
    std::thread monitor([&] {
      const auto from = Clock::now() + seconds(o.light.warmup_s);
      while (!done) {
        std::this_thread::sleep_for(std::chrono::milliseconds(200));
        if (Clock::now() < from) continue;
        const std::int64_t n = slow.open_now();
        open_min = open_min < 0 ? n : std::min(open_min, n);
        open_max = std::max(open_max, n);
      }
    });
    const std::int64_t closed_before = slow.closed_by_server();
    merge(loaded, measure_window(o.light, headers, "under load"));
    done = true;
    monitor.join();
    closed_while_measured += slow.closed_by_server() - closed_before;
    slow.stop();
    opened += slow.opened();
    closed_by_server += slow.closed_by_server();
    bytes += slow.bytes_sent();
    connect_failures += slow.connect_failures();
  }
  const Latency baseline = summarize(alone), under_load = summarize(loaded);
  const bool failed = baseline.requests == 0 || under_load.requests == 0;

  std::printf(
      "RESULT slow_connections=%d byte_interval_ms=%d light_connections=%d duration_s=%.1f "
      "rounds=%d%s%s "
      "ratio_p50=%.2f ratio_p99=%.2f slow_open_min=%lld slow_open_max=%lld slow_opened=%lld "
      "slow_closed_by_server=%lld slow_closed_while_measured=%lld slow_bytes=%lld "
      "slow_connect_failures=%lld\n",
      o.slow_connections, o.byte_interval_ms, o.light.connections, o.light.duration_s,
      o.light.rounds, latency_text("baseline", baseline).c_str(),
      latency_text("loaded", under_load).c_str(),
      baseline.p50 > 0 ? under_load.p50 / baseline.p50 : 0.0,
      baseline.p99 > 0 ? under_load.p99 / baseline.p99 : 0.0, static_cast<long long>(open_min),
      static_cast<long long>(open_max), static_cast<long long>(opened),
      static_cast<long long>(closed_by_server), static_cast<long long>(closed_while_measured),
      static_cast<long long>(bytes), static_cast<long long>(connect_failures));
  return failed || baseline.errors > 0 || under_load.errors > 0 ? 1 : 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"hardening: the hardening scenarios of the cdrd benchmark (bench/hardening.sh)"};
  app.require_subcommand(1);

  StallOptions stall;
  auto* stall_cmd = app.add_subcommand("stall", "stalled uploads: the server's memory while held");
  stall.target.add_options(*stall_cmd);
  stall_cmd->add_option("--server-pid", stall.server_pid, "pid of the server (memory from /proc)")
      ->required();
  stall_cmd->add_option("--connections", stall.connections, "stalled connections")
      ->check(CLI::Range(1, 100'000));
  stall_cmd->add_option("--kind", stall.kind,
                        "unauth (no or wrong credentials) or auth (operator key)");
  stall_cmd->add_option("--hold-s", stall.hold_s, "seconds the connections are held")
      ->check(CLI::Range(0.0, 600.0));
  stall_cmd
      ->add_option("--rounds", stall.rounds,
                   "times the whole (open, hold, close) is done; figures of the first, and "
                   "the memory of the last")
      ->check(CLI::Range(1, 10));
  stall_cmd->add_option("--body-bytes", stall.body_bytes, "body bytes sent after the head")
      ->check(CLI::Range(0, 32 * 1024 * 1024));

  FairnessOptions fairness;
  auto* fairness_cmd = app.add_subcommand(
      "fairness", "account B's small list while account A runs its slowest list");
  fairness.light.add_options(*fairness_cmd, "account B's auth_id");
  fairness_cmd->add_option("--user-a", fairness.user_a, "account A's auth_id")->required();
  fairness_cmd
      ->add_option("--heavy-paths-file", fairness.heavy_paths_file,
                   "A's candidate lists, one request target a line (the slowest is used)")
      ->required();
  fairness_cmd
      ->add_option("--heavy-connections", fairness.heavy_connections, "A's concurrent loops")
      ->check(CLI::Range(1, 256));

  SlowOptions slow;
  auto* slow_cmd =
      app.add_subcommand("slow-headers", "a client's small list during slow request heads");
  slow.light.add_options(*slow_cmd, "the client's auth_id");
  slow_cmd->add_option("--slow-connections", slow.slow_connections, "slow-head connections")
      ->check(CLI::Range(1, 100'000));
  slow_cmd->add_option("--byte-interval-ms", slow.byte_interval_ms, "one byte per this many ms")
      ->check(CLI::Range(1, 60'000));
  slow_cmd->add_option("--ramp-s", slow.ramp_s, "seconds over which they are opened")
      ->check(CLI::Range(0.0, 60.0));

  CLI11_PARSE(app, argc, argv);
  try {
    if (*stall_cmd) return run_stall(stall);
    if (*fairness_cmd) return run_fairness(fairness);
    if (*slow_cmd) return run_slow_headers(slow);
  } catch (const std::exception& e) {
    std::cerr << "hardening: " << e.what() << "\n";
    return 1;
  }
  return 2;
}
