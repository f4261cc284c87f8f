// The ClickHouse server of the tests: the one the `clickhouse` CTest fixture started
// (scripts/clickhouse-test.sh start $CDRD_CLICKHOUSE_DIR writes its port there), or the one
// CDRD_CLICKHOUSE_URL names (clickhouse://HOST:PORT, for a run by hand). Each test gets a fresh
// database of its own, dropped at the end. Test code only.
#pragma once

#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <fstream>
#include <optional>
#include <string>

#include "store/clickhouse/client.h"

namespace cdrd::clickhouse::testing {

// "clickhouse://127.0.0.1:PORT" without a database, or nullopt (with the reason in `why`).
inline std::optional<std::string> server_url(std::string& why) {
  if (const char* url = std::getenv("CDRD_CLICKHOUSE_URL"); url && *url) return std::string(url);
  const char* dir = std::getenv("CDRD_CLICKHOUSE_DIR");
  if (dir == nullptr || *dir == '\0') {
    why = "neither CDRD_CLICKHOUSE_URL nor CDRD_CLICKHOUSE_DIR is set (run it through ctest)";
    return std::nullopt;
  }
  std::ifstream in(std::string(dir) + "/http_port");
  std::string port;
  if (!(in >> port)) {
    why =
        "ClickHouse could not be installed or started (scripts/clickhouse-test.sh; see the "
        "clickhouse_start test's output)";
    return std::nullopt;
  }
  return "clickhouse://127.0.0.1:" + port;
}

// CDRD_CLICKHOUSE_OPTIONS ("?cluster=NAME" with CDRD_CLICKHOUSE_URL naming every shard: the
// sharded layout), or "".
inline std::string url_options() {
  const char* o = std::getenv("CDRD_CLICKHOUSE_OPTIONS");
  return o == nullptr ? std::string() : std::string(o);
}

// A database name no other test process uses.
inline std::string fresh_database(const std::string& label) {
  static std::atomic<int> n{0};
  return "cdrd_test_" + label + "_" + std::to_string(::getpid()) + "_" + std::to_string(n++);
}

// Drops `database` on every server of `url` (best effort).
inline void drop_database(const std::string& url, const std::string& database) {
  Result<Endpoint> e = parse_url(url + "/" + database + url_options());
  if (!e.ok()) return;
  for (const Endpoint& shard : e->shards()) {
    Client c(shard, ClientOptions{});
    static_cast<void>(c.run_without_database("DROP DATABASE IF EXISTS " + database));
  }
}

}  // namespace cdrd::clickhouse::testing
