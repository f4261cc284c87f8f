// clickhouse::Client: statements to one ClickHouse server over its HTTP interface, through the
// project's HTTP client (http/client.h, Boost.Beast) with keep-alive connections kept in a small
// pool, so a statement reuses a warm connection and concurrent statements each get their own.
//
// Every request waits for the whole answer (wait_end_of_query=1), so a statement that fails
// midway is an error status, never a truncated 200; an insert answered 200 is in the table.
//
// Errors: kUnavailable when the server cannot be reached, a request times out (`timeout`) or
// ClickHouse refuses for load (too many queries, memory, the time budget): the APIs answer 503
// with Retry-After. Its message says only that ("the calls store is unavailable; try again
// later"): API clients see it, so the server's address and ClickHouse's words go to the log
// (spdlog, warning). kIOError for any other refusal (a statement it rejects), with its message.
// Thread-safety: safe for concurrent use.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/mutex.h"
#include "core/status.h"
#include "http/client.h"

namespace cdrd::clickhouse {

// clickhouse://HOST:PORT[,HOST:PORT...]/DATABASE[?node=N&cluster=NAME&feed_lag_ms=N], PORT the HTTP
// port (8123 when absent), DATABASE `cdrd` when absent. `node` (0-15) tells apart the nodes that
// write one table (see the store). `cluster` names a cluster of the servers' <remote_servers>:
// the calls are then sharded over it, the listed servers being its shards (the first one takes
// the statements); without it only one server may be listed.
struct Endpoint {
  std::string host;
  std::uint16_t port = 8123;
  std::string database = "cdrd";
  int node = 0;
  std::string cluster;
  // feed_lag_ms=N: the change feed leaves out the calls stored in the last N ms (by their id's
  // time), for deployments where several nodes write (see the store).
  int feed_lag_ms = 0;
  // Every listed server, the first being host:port; each shard's endpoint (node and cluster
  // as above).
  std::vector<Endpoint> shards() const;
  std::string describe() const;  // "ClickHouse at host:port/database"

  struct Server {
    std::string host;
    std::uint16_t port = 8123;
  };
  std::vector<Server> servers;  // every listed server, in order; servers[0] is host:port
};
// kInvalidArgument naming what is wrong and the accepted form.
Result<Endpoint> parse_url(std::string_view url);

struct ClientOptions {
  std::chrono::milliseconds timeout{10'000};  // connect, send, and receive, each
  int query_budget_ms = 0;                    // ClickHouse's max_execution_time for reads (0: none)
  std::size_t max_idle_connections = 8;
};

class Client {
 public:
  Client(Endpoint endpoint, ClientOptions options);
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  const Endpoint& endpoint() const { return endpoint_; }

  // Runs `sql` in the endpoint's database and returns the answer's body (for a SELECT, its rows
  // in the format the statement names). `read` applies the read time budget.
  Result<std::string> run(std::string_view sql, bool read = true);
  // Runs the statement without a database (CREATE DATABASE).
  Result<std::string> run_without_database(std::string_view sql);
  // INSERT: `insert_sql` ("INSERT INTO t (cols) FORMAT TabSeparated") with `rows` as its data.
  Status insert(std::string_view insert_sql, const std::string& rows);

 private:
  Result<std::string> request(const std::string& target, const std::string& body);

  const Endpoint endpoint_;
  const ClientOptions options_;
  Mutex mu_;
  std::vector<std::unique_ptr<http::HttpClient>> idle_ GUARDED_BY(mu_);
};

}  // namespace cdrd::clickhouse
