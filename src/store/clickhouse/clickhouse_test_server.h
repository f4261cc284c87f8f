// The ClickHouse server of the tests: the one the `clickhouse` CTest fixture started
// (scripts/clickhouse-test.sh start $CDRD_CLICKHOUSE_DIR writes its port there), the two shards
// of the `clickhouse_shards` fixture ($CDRD_CLICKHOUSE_SHARDS_DIR, the sharded layout), or the
// one CDRD_CLICKHOUSE_URL names (clickhouse://HOST:PORT, for a run by hand). Each test gets a fresh
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
  // The sharded layout: the two shards scripts/cluster.sh start-shards started.
  if (const char* shards = std::getenv("CDRD_CLICKHOUSE_SHARDS_DIR"); shards && *shards) {
    std::string url = "clickhouse://";
    for (const char* shard : {"/ch1/http_port", "/ch2/http_port"}) {
      std::ifstream in(std::string(shards) + shard);
      std::string port;
      if (!(in >> port)) {
        why =
            "the two ClickHouse shards could not be started (scripts/cluster.sh start-shards; "
            "see the clickhouse_shards_start test's output)";
        return std::nullopt;
      }
      url += (url.size() > 13 ? ",127.0.0.1:" : "127.0.0.1:") + port;
    }
    return url;
  }
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

// The URL options of the layout: "?cluster=cdrd_cluster" with CDRD_CLICKHOUSE_SHARDS_DIR,
// CDRD_CLICKHOUSE_OPTIONS when set (with a CDRD_CLICKHOUSE_URL naming every shard), else "".
inline std::string url_options() {
  if (const char* o = std::getenv("CDRD_CLICKHOUSE_OPTIONS")) return o;
  if (const char* s = std::getenv("CDRD_CLICKHOUSE_SHARDS_DIR"); s && *s) {
    return "?cluster=cdrd_cluster";
  }
  return "";
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
