// loadgen: the load generator of `make bench` (bench/run.sh). Modes:
//
//   ingest  makes the seeded sample data set (src/sample) in batches and posts them to
//           POST /v1/ingest/calls over keep-alive connections in parallel; checks that every
//           record of every batch was stored (or already there); reports records/s. With
//           --prebuild every request body is made in memory before the clock starts (the same
//           bytes: sample::make_sample_batches), so the timed phase only sends and checks the
//           answers, and the generator takes no CPU from a server on the same cores; the time
//           to make them is printed apart (prebuild_s), never part of records/s.
//   ndjson  writes the same data set, as ingest would post it, to one NDJSON file (for
//           `cdrd import`, bench/import.sh).
//   uuids   prints call_uuids of one account of the same data set, spread over all of it.
//   usernames  prints the selective from_usernames of one account (the PBX filter of the bench).
//   http    a closed loop of GET requests over a list of paths with C keep-alive connections
//           for a fixed time after a warm-up; reports requests/s and exact p50/p99 latencies.
//           Any response other than 200 (or a connection failure) is an error and is counted.
//   get     one GET; prints the body; fails unless the status is 200.
//   token   trades an app's client credentials for a PBX API access token (POST /oauth/token);
//           prints the token.
//
// http and get authenticate with HTTP Basic (--user, the account's auth_id and token) or, with
// --bearer, with the access token in $LOADGEN_BEARER (the cloud-PBX API).
//
// ingest's cpu_s is the load generator's own CPU time while the clock runs (with --prebuild,
// without the making of the bodies), machine_cpu_s the busy CPU time of the whole machine then.
//
// Every mode prints its figures as one line "RESULT key=value ..." on stdout (progress and
// errors go to stderr) and exits 0 only if nothing failed. Secrets may come from the environment
// (CDRD_OPERATOR_KEY, LOADGEN_PASSWORD, LOADGEN_BEARER, LOADGEN_CLIENT_SECRET) so they stay off
// the process list.
#include <rapidjson/document.h>
#include <sys/resource.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <map>
#include <mutex>
#include <random>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "core/status.h"
#include "core/time.h"
#include "http/client.h"
#include "sample/sample_calls.h"

namespace {

using Clock = std::chrono::steady_clock;
using cdrd::kMicrosPerSecond;
using cdrd::Micros;

// The CPU time (user + system) this process has used so far, in seconds.
double process_cpu_s() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) * 1e-6;
}

// The machine's busy CPU time so far (user, nice, system, irq, softirq and steal of every core,
// from /proc/stat), in seconds; 0 when it cannot be read.
double machine_busy_s() {
  std::ifstream in("/proc/stat");
  std::string cpu;
  long long user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0;
  if (!(in >> cpu >> user >> nice >> system >> idle >> iowait >> irq >> softirq >> steal)) return 0;
  return static_cast<double>(user + nice + system + irq + softirq + steal) /
         static_cast<double>(sysconf(_SC_CLK_TCK));
}

double seconds_since(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

std::string env_or(const char* name, const std::string& fallback) {
  const char* v = std::getenv(name);
  return v && *v ? std::string(v) : fallback;
}

// The data set: records [0, calls) of the sample sequence for these options. The generator
// works with fixed account ids (MABENCH0000000000001, ...: an account's numbers, trunks and home
// country derive from its id); the records sent name the real auth_ids (--auth-ids, in order)
// with the draws of those ids, so the data set depends only on calls, seed, end-until, days and
// the number of accounts, never on the random auth_ids of a run.
struct DataSet {
  std::vector<std::string> auth_ids;
  std::int64_t calls = 1'000'000;
  std::uint64_t seed = 42;
  std::int64_t end_until_s = 0;  // end_time of every call in [end_until - days, end_until)
  int days = 30;
  int first_account_percent = 0;
  // Per account, in --auth-ids order: "OUTBOUND_TRUNK_ID:INBOUND_TRUNK_ID" (from the trunks
  // mode). cdrd refuses a call that names a trunk its account does not have.
  std::vector<std::string> trunks;

  void add_options(CLI::App& cmd) {
    cmd.add_option("--trunks", trunks, "per account OUT_TRUNK_ID:IN_TRUNK_ID (a:b,c:d,...)")
        ->delimiter(',');
    cmd.add_option("--auth-ids", auth_ids, "accounts the calls are spread over (a,b,c)")
        ->required()
        ->delimiter(',');
    cmd.add_option("--calls", calls, "number of calls in the data set")->check(CLI::PositiveNumber);
    cmd.add_option("--seed", seed, "seed of the data set");
    cmd.add_option("--end-until", end_until_s,
                   "Unix seconds: calls end in the --days before it (default: now)");
    cmd.add_option("--days", days, "days the end times are spread over")
        ->check(CLI::Range(1, 3650));
    cmd.add_option("--first-account-percent", first_account_percent,
                   "share of the calls (0-100) that go to the first account; 0: even spread")
        ->check(CLI::Range(0, 100));
  }

  static std::string generated_id(std::size_t i) {
    std::string digits = std::to_string(i + 1);
    return "MABENCH" + std::string(13 - std::min<std::size_t>(13, digits.size()), '0') + digits;
  }

  cdrd::sample::SampleOptions options() const {
    cdrd::sample::SampleOptions o;
    o.seed = seed;
    o.first_account_percent = first_account_percent;
    for (std::size_t i = 0; i < auth_ids.size(); ++i) o.auth_ids.push_back(generated_id(i));
    o.end_until = end_until_s * kMicrosPerSecond;
    o.end_from = o.end_until - static_cast<Micros>(days) * cdrd::kMicrosPerDay;
    for (std::size_t i = 0; i < trunks.size() && i < auth_ids.size(); ++i) {
      const std::size_t colon = trunks[i].find(':');
      if (colon == std::string::npos)
        throw std::runtime_error("--trunks: expected OUT:IN, got " + trunks[i]);
      cdrd::sample::AccountTrunks t;
      t.outbound.push_back({trunks[i].substr(0, colon), false});
      t.inbound.push_back({trunks[i].substr(colon + 1), false});
      o.trunks[generated_id(i)] = std::move(t);
    }
    return o;
  }

  // The same records naming the real auth_ids (--auth-ids) themselves: each account's draws are
  // seeded from its generated id (SampleOptions::account_seeds), so the records are those of
  // options() with the account replaced, made in one pass (no rewrite of the text).
  cdrd::sample::SampleOptions options_for_real_accounts() const {
    const cdrd::sample::SampleOptions generated = options();
    cdrd::sample::SampleOptions o = generated;
    o.auth_ids = auth_ids;
    o.trunks.clear();
    for (std::size_t i = 0; i < auth_ids.size(); ++i) {
      o.account_seeds[auth_ids[i]] = generated_id(i);
      const auto given = generated.trunks.find(generated_id(i));
      if (given != generated.trunks.end()) o.trunks[auth_ids[i]] = given->second;
    }
    return o;
  }

  void resolve_defaults() {
    if (end_until_s == 0) {
      end_until_s = std::chrono::duration_cast<std::chrono::seconds>(
                        std::chrono::system_clock::now().time_since_epoch())
                        .count();
    }
  }
};

struct Target {
  std::string host = "127.0.0.1";
  int port = 0;
  void add_options(CLI::App& cmd) {
    cmd.add_option("--host", host, "server address");
    cmd.add_option("--port", port, "server port")->required()->check(CLI::Range(1, 65535));
  }
};

// The Authorization of http and get: Basic for --user (the password from --password or
// $LOADGEN_PASSWORD), Bearer $LOADGEN_BEARER for --bearer, none without either.
struct Credentials {
  std::string user, password;
  bool bearer = false;
  void add_options(CLI::App& cmd) {
    cmd.add_option("--user", user, "Basic auth user (auth_id)");
    cmd.add_option("--password", password, "Basic auth password (default: $LOADGEN_PASSWORD)");
    cmd.add_flag("--bearer", bearer, "send the access token in $LOADGEN_BEARER instead");
  }
  cdrd::http::Params headers() const {
    cdrd::http::Params out;
    if (bearer) {
      const std::string token = env_or("LOADGEN_BEARER", "");
      if (token.empty()) throw std::runtime_error("--bearer: LOADGEN_BEARER is not set");
      out.emplace_back("Authorization", "Bearer " + token);
    } else if (!user.empty()) {
      const std::string pass = password.empty() ? env_or("LOADGEN_PASSWORD", "") : password;
      out.emplace_back("Authorization", cdrd::http::basic_auth(user, pass));
    }
    return out;
  }
};

// ---- ingest ----------------------------------------------------------------------------------

struct IngestOptions {
  Target target;
  DataSet data;
  std::string operator_key;
  std::int64_t batch = 5000;
  int connections = 2;
  bool prebuild = false;  // make every body before the clock starts (--prebuild)
};

// MemAvailable of /proc/meminfo in bytes, or -1 when it cannot be read.
std::int64_t available_memory_bytes() {
  std::ifstream in("/proc/meminfo");
  std::string key;
  std::int64_t kib = 0;
  std::string unit;
  while (in >> key >> kib >> unit) {
    if (key == "MemAvailable:") return kib * 1024;
  }
  return -1;
}

// Every body of the run, made before the clock starts on all cores (the server is idle then),
// after a check that they fit in memory: the first body's size times the number of bodies must
// stay under 3/4 of the memory available. Empty on failure (the reason in `error`).
std::vector<std::string> prebuild_bodies(const cdrd::sample::SampleOptions& sample,
                                         const IngestOptions& o, std::string& error) {
  std::string first;
  if (const cdrd::Status s =
          cdrd::sample::append_sample_calls(sample, 0, std::min(o.batch, o.data.calls), first);
      !s.ok()) {
    error = s.message();
    return {};
  }
  const std::int64_t batches = (o.data.calls + o.batch - 1) / o.batch;
  const double estimate = static_cast<double>(first.size()) * static_cast<double>(batches);
  const std::int64_t available = available_memory_bytes();
  std::fprintf(stderr,
               "  ingest: making %lld request bodies first, about %.0f MB (%.0f MB available)\n",
               static_cast<long long>(batches), estimate / 1e6, available / 1e6);
  if (available > 0 && estimate > 0.75 * static_cast<double>(available)) {
    error = "--prebuild: the bodies would take about " +
            std::to_string(static_cast<long long>(estimate / 1e6)) + " MB of the " +
            std::to_string(available / 1'000'000) +
            " MB available: make them while sending instead (no --prebuild)";
    return {};
  }
  const int threads = static_cast<int>(std::max(1U, std::thread::hardware_concurrency()));
  cdrd::Result<std::vector<std::string>> bodies =
      cdrd::sample::make_sample_batches(sample, o.data.calls, o.batch, threads);
  if (!bodies.ok()) {
    error = bodies.status().message();
    return {};
  }
  return std::move(bodies).value();
}

int run_ingest(IngestOptions o) {
  o.data.resolve_defaults();
  if (o.operator_key.empty()) o.operator_key = env_or("CDRD_OPERATOR_KEY", "");
  if (o.operator_key.empty()) {
    std::cerr << "loadgen ingest: no operator key (--operator-key or CDRD_OPERATOR_KEY)\n";
    return 2;
  }
  const cdrd::sample::SampleOptions sample = o.data.options_for_real_accounts();
  const std::int64_t batches = (o.data.calls + o.batch - 1) / o.batch;
  const cdrd::http::Params headers = {{"Authorization", "Bearer " + o.operator_key},
                                      {"Content-Type", "application/x-ndjson"}};

  // With --prebuild, every body now, before the clock starts.
  std::vector<std::string> prebuilt;
  double prebuild_s = 0;
  if (o.prebuild) {
    const auto p0 = Clock::now();
    std::string error;
    prebuilt = prebuild_bodies(sample, o, error);
    if (!error.empty()) {
      std::cerr << "loadgen ingest: FAILED: " << error << "\n";
      return 1;
    }
    prebuild_s = seconds_since(p0);
    std::int64_t bytes = 0;
    for (const std::string& b : prebuilt) bytes += static_cast<std::int64_t>(b.size());
    std::fprintf(stderr, "  ingest: %zu bodies, %.1f MB, made in %.2f s\n", prebuilt.size(),
                 bytes / 1e6, prebuild_s);
  }

  std::atomic<std::int64_t> next_batch{0}, stored{0}, duplicates{0}, done_records{0}, body_bytes{0},
      generate_us{0}, request_us{0};
  std::atomic<bool> failed{false};
  std::mutex err_mu;
  std::vector<std::pair<double, std::int64_t>>
      completions;  // (seconds since start, records) per batch, in completion order
  std::string first_error;
  auto fail = [&](const std::string& message) {
    std::lock_guard lock(err_mu);
    if (!failed.exchange(true)) first_error = message;
  };

  const auto t0 = Clock::now();
  const double cpu0 = process_cpu_s(), machine0 = machine_busy_s();
  std::atomic<bool> finished{false};
  std::thread progress([&] {
    auto last = Clock::now();
    while (!finished.load()) {
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
      if (Clock::now() - last >= std::chrono::seconds(10)) {
        last = Clock::now();
        const double s = seconds_since(t0);
        const auto n = done_records.load();
        std::fprintf(stderr, "  ingest: %lld / %lld records, %.0f s, %.0f records/s\n",
                     static_cast<long long>(n), static_cast<long long>(o.data.calls), s, n / s);
      }
    }
  });

  std::vector<std::thread> workers;
  for (int w = 0; w < o.connections; ++w) {
    workers.emplace_back([&] {
      cdrd::http::HttpClient client(o.target.host, static_cast<std::uint16_t>(o.target.port));
      client.set_timeout(std::chrono::minutes(5));
      std::string generated;
      for (;;) {
        if (failed.load()) return;
        const std::int64_t b = next_batch.fetch_add(1);
        if (b >= batches) return;
        const std::int64_t first = b * o.batch;
        const std::int64_t n = std::min(o.batch, o.data.calls - first);
        const auto g0 = Clock::now();
        Clock::time_point g1;
        if (!o.prebuild) {
          generated.clear();
          const cdrd::Status made = cdrd::sample::append_sample_calls(sample, first, n, generated);
          if (!made.ok()) {
            fail(std::string("batch of records ") + std::to_string(first) +
                 "..: " + made.message());
            return;
          }
        }
        const std::string& body = o.prebuild ? prebuilt[static_cast<std::size_t>(b)] : generated;
        g1 = Clock::now();
        const cdrd::Result<cdrd::http::ClientResponse> answer =
            client.request("POST", "/v1/ingest/calls", body, headers);
        if (!answer.ok()) {
          fail(std::string("batch of records ") + std::to_string(first) +
               "..: " + answer.status().message());
          return;
        }
        const cdrd::http::ClientResponse& r = *answer;
        generate_us += std::chrono::duration_cast<std::chrono::microseconds>(g1 - g0).count();
        request_us +=
            std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - g1).count();
        body_bytes += static_cast<std::int64_t>(body.size());
        const std::string where = "batch of records " + std::to_string(first) + ".." +
                                  std::to_string(first + n - 1) + ": ";
        if (r.status != 200) {
          fail(where + "status " + std::to_string(r.status) + ": " + r.body.substr(0, 500));
          return;
        }
        rapidjson::Document doc;
        doc.Parse(r.body.data(), r.body.size());
        if (doc.HasParseError() || !doc.IsObject() || !doc.HasMember("stored") ||
            !doc["stored"].IsInt64() || !doc.HasMember("duplicates") ||
            !doc["duplicates"].IsInt64() || !doc.HasMember("failed") || !doc["failed"].IsArray()) {
          fail(where + "unexpected response: " + r.body.substr(0, 500));
          return;
        }
        const std::int64_t s = doc["stored"].GetInt64(), d = doc["duplicates"].GetInt64();
        if (!doc["failed"].Empty() || s + d != n) {
          fail(where + "stored " + std::to_string(s) + " + duplicates " + std::to_string(d) +
               " of " + std::to_string(n) + " records: " + r.body.substr(0, 500));
          return;
        }
        stored += s;
        duplicates += d;
        done_records += n;
        {
          std::lock_guard lock(err_mu);
          completions.emplace_back(seconds_since(t0), n);
        }
      }
    });
  }
  for (auto& t : workers) t.join();
  const double seconds = seconds_since(t0);
  const double cpu_s = process_cpu_s() - cpu0, machine_s = machine_busy_s() - machine0;
  finished = true;
  progress.join();

  if (failed.load()) {
    std::cerr << "loadgen ingest: FAILED: " << first_error << "\n";
    return 1;
  }
  // The rate over the first and the last tenth of the records (as the table grows, inserts
  // may slow down): from the start to the batch that completed the first 10%, and from the
  // batch that completed 90% to the end.
  const std::int64_t total = done_records.load();
  double t10 = seconds, t90 = 0;
  std::int64_t n10 = total, n90 = 0, cumulative = 0;
  for (const auto& [t, n] : completions) {
    cumulative += n;
    if (cumulative * 10 >= total && t10 == seconds) {
      t10 = t;
      n10 = cumulative;
    }
    if (cumulative * 10 <= total * 9) {
      t90 = t;
      n90 = cumulative;
    }
  }
  const double first_rate = t10 > 0 ? n10 / t10 : 0;
  const double last_rate = seconds > t90 ? (total - n90) / (seconds - t90) : 0;
  std::printf(
      "RESULT records=%lld stored=%lld duplicates=%lld batches=%lld connections=%d "
      "seconds=%.2f records_per_s=%.0f first_tenth_per_s=%.0f last_tenth_per_s=%.0f mb=%.1f "
      "generate_s=%.2f request_s=%.2f cpu_s=%.2f machine_cpu_s=%.2f prebuilt=%d "
      "prebuild_s=%.2f end_until=%lld\n",
      static_cast<long long>(total), static_cast<long long>(stored.load()),
      static_cast<long long>(duplicates.load()), static_cast<long long>(batches), o.connections,
      seconds, total / seconds, first_rate, last_rate, body_bytes.load() / 1e6,
      generate_us.load() / 1e6, request_us.load() / 1e6, cpu_s, machine_s, o.prebuild ? 1 : 0,
      prebuild_s, static_cast<long long>(o.data.end_until_s));
  return 0;
}

// Makes records [0, calls) of `sample` in chunks of 10,000 and hands each chunk's NDJSON text to
// fn(text), which returns false to stop. The first error of the generator, if any.
template <class Fn>
cdrd::Status for_each_sample_chunk(const cdrd::sample::SampleOptions& sample, std::int64_t calls,
                                   Fn&& fn) {
  std::string chunk;
  constexpr std::int64_t kChunk = 10'000;
  for (std::int64_t first = 0; first < calls; first += kChunk) {
    chunk.clear();
    RETURN_IF_ERROR(
        cdrd::sample::append_sample_calls(sample, first, std::min(kChunk, calls - first), chunk));
    if (!fn(std::string_view(chunk))) break;
  }
  return cdrd::Status::Ok();
}

// ---- ndjson ----------------------------------------------------------------------------------

// The data set that ingest posts, written as one NDJSON file instead (for `cdrd import`: bench/
// import.sh): the same records, naming the real auth_ids and trunks, in the same order.
int run_ndjson(DataSet data, const std::string& out_path) {
  data.resolve_defaults();
  const cdrd::sample::SampleOptions sample = data.options_for_real_accounts();
  std::FILE* out = std::fopen(out_path.c_str(), "wb");
  if (out == nullptr) {
    std::cerr << "loadgen ndjson: cannot create " << out_path << ": " << std::strerror(errno)
              << "\n";
    return 1;
  }
  const auto t0 = Clock::now();
  std::int64_t bytes = 0;
  bool written = true;
  const cdrd::Status made = for_each_sample_chunk(sample, data.calls, [&](std::string_view text) {
    written = std::fwrite(text.data(), 1, text.size(), out) == text.size();
    bytes += static_cast<std::int64_t>(text.size());
    return written;
  });
  if (!made.ok()) {
    std::cerr << "loadgen ndjson: " << made.message() << "\n";
    std::fclose(out);
    return 2;
  }
  if (!written) {
    std::cerr << "loadgen ndjson: writing " << out_path << ": " << std::strerror(errno) << "\n";
    std::fclose(out);
    return 1;
  }
  if (std::fclose(out) != 0) {
    std::cerr << "loadgen ndjson: closing " << out_path << ": " << std::strerror(errno) << "\n";
    return 1;
  }
  std::printf("RESULT records=%lld mb=%.1f seconds=%.2f end_until=%lld\n",
              static_cast<long long>(data.calls), static_cast<double>(bytes) / 1e6,
              seconds_since(t0), static_cast<long long>(data.end_until_s));
  return 0;
}

// ---- uuids -----------------------------------------------------------------------------------

// The value of "key":"..." in a generated record line (plain ASCII, no escapes).
std::string_view field(std::string_view line, std::string_view quoted_key) {
  const auto k = line.find(quoted_key);
  if (k == std::string_view::npos) return {};
  const auto start = k + quoted_key.size() + 2;  // past `:"`
  const auto end = line.find('"', start);
  return end == std::string_view::npos ? std::string_view{} : line.substr(start, end - start);
}

// The generated id of `account` (one of data.auth_ids), or "" (the error printed) for another.
std::string generated_id_of(const DataSet& data, const std::string& account, const char* what) {
  if (data.end_until_s == 0) {
    std::cerr << "loadgen " << what << ": give --end-until (the one the data set was made with)\n";
    return "";
  }
  const auto index = std::find(data.auth_ids.begin(), data.auth_ids.end(), account);
  if (index == data.auth_ids.end()) {
    std::cerr << "loadgen " << what << ": --account must be one of --auth-ids\n";
    return "";
  }
  return DataSet::generated_id(static_cast<std::size_t>(index - data.auth_ids.begin()));
}

// The bench's cloud-PBX username filter (bench/server.sh, pick_pbx_usernames): the `count`
// from_usernames of the account (its from_number where a record has none, as the store keeps
// it) with at most 0.5% of its calls each, the most used of those first, then by name; one per
// line. From the data set itself, so that it is the same whichever store holds the calls.
int run_usernames(DataSet data, const std::string& account, std::int64_t count) {
  const std::string generated_id = generated_id_of(data, account, "usernames");
  if (generated_id.empty()) return 2;
  std::map<std::string, std::int64_t, std::less<>> n;
  std::int64_t total = 0;
  const cdrd::Status made =
      for_each_sample_chunk(data.options(), data.calls, [&](std::string_view rest) {
        while (!rest.empty()) {
          const auto nl = rest.find('\n');
          const std::string_view line = rest.substr(0, nl);
          rest.remove_prefix(nl == std::string_view::npos ? rest.size() : nl + 1);
          if (field(line, "\"account\"") != generated_id) continue;
          std::string_view name = field(line, "\"from_username\"");
          if (name.empty()) name = field(line, "\"from_number\"");
          ++n[std::string(name)];
          ++total;
        }
        return true;
      });
  if (!made.ok()) {
    std::cerr << "loadgen usernames: " << made.message() << "\n";
    return 2;
  }
  std::vector<std::pair<std::int64_t, std::string>> selective;
  for (const auto& [name, calls] : n) {
    if (static_cast<double>(calls) <= static_cast<double>(total) * 0.005) {
      selective.emplace_back(-calls, name);
    }
  }
  std::sort(selective.begin(), selective.end());
  for (std::size_t i = 0; i < selective.size() && static_cast<std::int64_t>(i) < count; ++i) {
    std::cout << selective[i].second << "\n";
  }
  return selective.empty() ? 1 : 0;
}

int run_uuids(DataSet data, const std::string& account, std::int64_t sample_size) {
  const std::string generated_id = generated_id_of(data, account, "uuids");
  if (generated_id.empty()) return 2;
  const cdrd::sample::SampleOptions sample = data.options();
  std::vector<std::string> uuids;
  const cdrd::Status made = for_each_sample_chunk(sample, data.calls, [&](std::string_view rest) {
    while (!rest.empty()) {
      const auto nl = rest.find('\n');
      const std::string_view line = rest.substr(0, nl);
      rest.remove_prefix(nl == std::string_view::npos ? rest.size() : nl + 1);
      if (field(line, "\"account\"") == generated_id) {
        uuids.emplace_back(field(line, "\"call_uuid\""));
      }
    }
    return true;
  });
  if (!made.ok()) {
    std::cerr << "loadgen uuids: " << made.message() << "\n";
    return 2;
  }
  if (uuids.empty()) {
    std::cerr << "loadgen uuids: the data set has no calls of " << account << "\n";
    return 1;
  }
  // Evenly spaced over the data set, then in a seeded random order.
  std::vector<std::string> picked;
  const auto k = std::min<std::int64_t>(sample_size, static_cast<std::int64_t>(uuids.size()));
  for (std::int64_t j = 0; j < k; ++j) {
    picked.push_back(
        uuids[static_cast<std::size_t>(j * static_cast<std::int64_t>(uuids.size()) / k)]);
  }
  std::mt19937_64 rng(data.seed);
  for (std::size_t i = picked.size(); i > 1; --i) std::swap(picked[i - 1], picked[rng() % i]);
  for (const auto& u : picked) std::cout << u << "\n";
  std::cerr << "loadgen uuids: " << picked.size() << " of the " << uuids.size() << " calls of "
            << account << "\n";
  return 0;
}

// ---- http ------------------------------------------------------------------------------------

struct HttpOptions {
  Target target;
  Credentials credentials;
  int connections = 4;
  double duration_s = 15;
  double warmup_s = 2;
  std::string paths_file;
};

// Nearest-rank percentile of sorted values.
double percentile(const std::vector<double>& sorted, double p) {
  if (sorted.empty()) return 0;
  auto rank = static_cast<std::size_t>(std::ceil(p / 100.0 * static_cast<double>(sorted.size())));
  rank = std::clamp<std::size_t>(rank, 1, sorted.size());
  return sorted[rank - 1];
}

int run_http(const HttpOptions& o) {
  std::vector<std::string> paths;
  {
    std::ifstream in(o.paths_file);
    if (!in) {
      std::cerr << "loadgen http: cannot read " << o.paths_file << "\n";
      return 2;
    }
    for (std::string line; std::getline(in, line);) {
      if (!line.empty()) paths.push_back(line);
    }
  }
  if (paths.empty()) {
    std::cerr << "loadgen http: no paths in " << o.paths_file << "\n";
    return 2;
  }
  const cdrd::http::Params headers = o.credentials.headers();

  struct Worker {
    std::vector<double> latencies_ms;       // requests that ended inside the measured interval
    std::int64_t errors = 0, answered = 0;  // answered: every 200, measured or not
    std::vector<std::string> error_samples;
  };
  std::vector<Worker> workers(static_cast<std::size_t>(o.connections));
  const auto t0 = Clock::now();
  const auto measure_from =
      t0 + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(o.warmup_s));
  const auto measure_until = measure_from + std::chrono::duration_cast<Clock::duration>(
                                                std::chrono::duration<double>(o.duration_s));
  std::vector<std::thread> threads;
  for (int w = 0; w < o.connections; ++w) {
    threads.emplace_back([&, w] {
      Worker& me = workers[static_cast<std::size_t>(w)];
      me.latencies_ms.reserve(1 << 16);
      cdrd::http::HttpClient client(o.target.host, static_cast<std::uint16_t>(o.target.port));
      client.set_timeout(std::chrono::seconds(30));
      // Each connection walks the list from its own starting point.
      std::size_t i =
          paths.size() * static_cast<std::size_t>(w) / static_cast<std::size_t>(o.connections);
      for (;;) {
        const auto start = Clock::now();
        if (start >= measure_until) return;
        const std::string& path = paths[i];
        i = (i + 1) % paths.size();
        std::string error;
        const cdrd::Result<cdrd::http::ClientResponse> r = client.get(path, headers);
        if (!r.ok()) {
          error = r.status().message();
          std::this_thread::sleep_for(
              std::chrono::milliseconds(10));  // don't spin on a dead server
        } else if (r->status != 200) {
          error = "status " + std::to_string(r->status) + " for " + path + ": " +
                  r->body.substr(0, 300);
        } else if (r->body.empty() || r->body.front() != '{') {
          error = "not a JSON object for " + path + ": " + r->body.substr(0, 300);
        }
        const auto end = Clock::now();
        if (!error.empty()) {
          ++me.errors;
          if (me.error_samples.size() < 3) me.error_samples.push_back(error);
        } else {
          ++me.answered;
          if (start >= measure_from && end <= measure_until) {  // not warm-up, not overtime
            me.latencies_ms.push_back(
                std::chrono::duration<double, std::milli>(end - start).count());
          }
        }
      }
    });
  }
  for (auto& t : threads) t.join();

  std::vector<double> all;
  std::int64_t errors = 0, answered = 0;
  for (const Worker& w : workers) {
    all.insert(all.end(), w.latencies_ms.begin(), w.latencies_ms.end());
    errors += w.errors;
    answered += w.answered;
    for (const auto& e : w.error_samples) std::cerr << "loadgen http: error: " << e << "\n";
  }
  std::sort(all.begin(), all.end());
  double sum = 0;
  for (double v : all) sum += v;
  const double mean = all.empty() ? 0 : sum / static_cast<double>(all.size());
  std::printf(
      "RESULT requests=%zu seconds=%.2f requests_per_s=%.1f p50_ms=%.3f p90_ms=%.3f "
      "p99_ms=%.3f max_ms=%.3f mean_ms=%.3f errors=%lld answered=%lld connections=%d paths=%zu\n",
      all.size(), o.duration_s, static_cast<double>(all.size()) / o.duration_s, percentile(all, 50),
      percentile(all, 90), percentile(all, 99), all.empty() ? 0.0 : all.back(), mean,
      static_cast<long long>(errors), static_cast<long long>(answered), o.connections,
      paths.size());
  if (errors > 0) {
    std::cerr << "loadgen http: " << errors << " errors: these figures are not valid\n";
    return 1;
  }
  if (all.empty()) {
    std::cerr << "loadgen http: no request completed in the measured interval\n";
    return 1;
  }
  return 0;
}

// ---- get -------------------------------------------------------------------------------------

int run_get(const Target& target, const Credentials& credentials, const std::string& path) {
  const cdrd::http::Params headers = credentials.headers();
  cdrd::http::HttpClient client(target.host, static_cast<std::uint16_t>(target.port));
  const auto r = client.get(path, headers);
  if (!r.ok()) {
    std::cerr << "loadgen get: " << r.status().message() << "\n";
    return 1;
  }
  std::cout << r->body << "\n";
  if (r->status != 200) {
    std::cerr << "loadgen get: status " << r->status << " for " << path << "\n";
    return 1;
  }
  return 0;
}

// ---- token ----------------------------------------------------------------------------------

int run_token(const Target& target, const std::string& client_id) {
  const std::string secret = env_or("LOADGEN_CLIENT_SECRET", "");
  if (secret.empty()) {
    std::cerr << "loadgen token: LOADGEN_CLIENT_SECRET is not set\n";
    return 2;
  }
  cdrd::http::HttpClient client(target.host, static_cast<std::uint16_t>(target.port));
  // client_id is hex and the secret alphanumeric (docs/api-pbx.md): no form escaping needed.
  const std::string body =
      "grant_type=client_credentials&client_id=" + client_id + "&client_secret=" + secret;
  const auto r = client.request("POST", "/oauth/token", body,
                                {{"Content-Type", "application/x-www-form-urlencoded"}});
  if (!r.ok()) {
    std::cerr << "loadgen token: " << r.status().message() << "\n";
    return 1;
  }
  rapidjson::Document d;
  d.Parse(r->body.c_str());
  if (r->status != 200 || d.HasParseError() || !d.IsObject() || !d.HasMember("access_token") ||
      !d["access_token"].IsString()) {
    std::cerr << "loadgen token: status " << r->status << ": " << r->body.substr(0, 300) << "\n";
    return 1;
  }
  std::cout << d["access_token"].GetString() << "\n";
  return 0;
}

}  // namespace

// Creates an IP ACL and an outbound trunk on it, an origination URI and an inbound trunk on it,
// for one account; prints "OUT_TRUNK_ID:IN_TRUNK_ID".
int run_trunks(const Target& target, const std::string& user, std::string password) {
  if (password.empty()) password = env_or("LOADGEN_PASSWORD", "");
  cdrd::http::HttpClient client(target.host, target.port);
  const cdrd::http::Params headers = {{"Authorization", cdrd::http::basic_auth(user, password)},
                                      {"Content-Type", "application/json"}};
  const std::string base = "/v1/Account/" + user + "/Zentrunk/";
  const auto create = [&](const std::string& resource, const std::string& body,
                          const char* id_field) {
    const auto answer = client.request("POST", base + resource + "/", body, headers);
    if (!answer.ok()) {
      throw std::runtime_error("POST " + resource + ": " + answer.status().message());
    }
    const cdrd::http::ClientResponse& r = *answer;
    rapidjson::Document d;
    d.Parse(r.body.c_str());
    if (r.status != 201 || d.HasParseError() || !d.IsObject() || !d.HasMember(id_field) ||
        !d[id_field].IsString()) {
      throw std::runtime_error("POST " + resource + ": " + std::to_string(r.status) + " " + r.body);
    }
    return std::string(d[id_field].GetString());
  };
  const std::string acl =
      create("IPAccessControlList", R"({"name": "bench", "ip_addresses": ["192.0.2.0/24"]})",
             "ipacl_uuid");
  const std::string out = create(
      "Trunk",
      R"({"name": "bench out", "trunk_direction": "outbound", "ipacl_uuid": ")" + acl + "\"}",
      "trunk_id");
  const std::string uri =
      create("URI", R"({"name": "bench pbx", "uri": "pbx.bench.example:5060"})", "uri_uuid");
  const std::string in = create(
      "Trunk",
      R"({"name": "bench in", "trunk_direction": "inbound", "primary_uri_uuid": ")" + uri + "\"}",
      "trunk_id");
  std::cout << out << ":" << in << "\n";
  return 0;
}

int main(int argc, char** argv) {
  CLI::App app{"loadgen: data and load for the cdrd benchmark (bench/run.sh)"};
  app.require_subcommand(1);

  IngestOptions ingest;
  auto* ingest_cmd =
      app.add_subcommand("ingest", "load the seeded data set through POST /v1/ingest/calls");
  ingest.target.add_options(*ingest_cmd);
  ingest.data.add_options(*ingest_cmd);
  ingest_cmd->add_option("--operator-key", ingest.operator_key,
                         "operator key (default: $CDRD_OPERATOR_KEY)");
  ingest_cmd->add_option("--batch", ingest.batch, "records per request")
      ->check(CLI::Range(1, 1'000'000));
  ingest_cmd->add_option("--connections", ingest.connections, "parallel keep-alive connections")
      ->check(CLI::Range(1, 256));
  ingest_cmd->add_flag("--prebuild", ingest.prebuild,
                       "make every request body in memory before the clock starts (the same "
                       "bytes; the timed phase only sends)");

  DataSet ndjson_data;
  std::string ndjson_out;
  auto* ndjson_cmd = app.add_subcommand(
      "ndjson", "write the data set ingest would post to one NDJSON file (for cdrd import)");
  ndjson_data.add_options(*ndjson_cmd);
  ndjson_cmd->add_option("--out", ndjson_out, "the file")->required();

  DataSet uuid_data;
  std::string uuid_account;
  std::int64_t uuid_sample = 20'000;
  auto* uuids_cmd = app.add_subcommand("uuids", "print call_uuids of one account of the data set");
  uuid_data.add_options(*uuids_cmd);
  uuids_cmd->add_option("--account", uuid_account, "the account")->required();
  uuids_cmd->add_option("--sample", uuid_sample, "how many (spread over the data set)")
      ->check(CLI::PositiveNumber);

  DataSet name_data;
  std::string name_account;
  std::int64_t name_count = 3;
  auto* names_cmd = app.add_subcommand(
      "usernames", "print the selective from_usernames of one account (the PBX filter's)");
  name_data.add_options(*names_cmd);
  names_cmd->add_option("--account", name_account, "the account")->required();
  names_cmd->add_option("--count", name_count, "how many (default 3)")->check(CLI::PositiveNumber);

  HttpOptions http;
  auto* http_cmd = app.add_subcommand("http", "closed-loop GET load over a list of paths");
  http.target.add_options(*http_cmd);
  http.credentials.add_options(*http_cmd);
  http_cmd->add_option("--connections", http.connections, "concurrent keep-alive connections")
      ->check(CLI::Range(1, 1024));
  http_cmd->add_option("--duration-s", http.duration_s, "measured seconds")
      ->check(CLI::Range(0.1, 3600.0));
  http_cmd->add_option("--warmup-s", http.warmup_s, "seconds of load before measuring")
      ->check(CLI::Range(0.0, 600.0));
  http_cmd->add_option("--paths-file", http.paths_file, "request targets, one per line")
      ->required();

  Target get_target;
  Credentials get_credentials;
  std::string get_path;
  auto* get_cmd = app.add_subcommand("get", "one GET; prints the body, fails unless 200");
  get_target.add_options(*get_cmd);
  get_credentials.add_options(*get_cmd);
  get_cmd->add_option("--path", get_path, "request target")->required();

  Target token_target;
  std::string token_client_id;
  auto* token_cmd = app.add_subcommand(
      "token", "an access token for an app (secret in $LOADGEN_CLIENT_SECRET); print it");
  token_target.add_options(*token_cmd);
  token_cmd->add_option("--client-id", token_client_id, "the app's client_id")->required();

  Target trunks_target;
  std::string trunks_user, trunks_password;
  auto* trunks_cmd =
      app.add_subcommand("trunks", "create an outbound and an inbound trunk; print OUT:IN");
  trunks_target.add_options(*trunks_cmd);
  trunks_cmd->add_option("--user", trunks_user, "Basic auth user (auth_id)")->required();
  trunks_cmd->add_option("--password", trunks_password,
                         "Basic auth password (default: $LOADGEN_PASSWORD)");

  CLI11_PARSE(app, argc, argv);
  try {
    if (*trunks_cmd) return run_trunks(trunks_target, trunks_user, trunks_password);
    if (*ingest_cmd) return run_ingest(ingest);
    if (*uuids_cmd) return run_uuids(uuid_data, uuid_account, uuid_sample);
    if (*names_cmd) return run_usernames(name_data, name_account, name_count);
    if (*ndjson_cmd) return run_ndjson(ndjson_data, ndjson_out);
    if (*http_cmd) return run_http(http);
    if (*get_cmd) return run_get(get_target, get_credentials, get_path);
    if (*token_cmd) return run_token(token_target, token_client_id);
  } catch (const std::exception& e) {
    std::cerr << "loadgen: " << e.what() << "\n";
    return 1;
  }
  return 2;
}
