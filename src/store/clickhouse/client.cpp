#include "store/clickhouse/client.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <charconv>
#include <utility>

namespace cdrd::clickhouse {
namespace {

// ClickHouse's error codes that mean "not now" rather than "never": the APIs answer 503.
bool is_transient(int code) {
  switch (code) {
    case 159:  // TIMEOUT_EXCEEDED (max_execution_time: the read budget)
    case 160:  // TOO_SLOW
    case 202:  // TOO_MANY_SIMULTANEOUS_QUERIES
    case 209:  // SOCKET_TIMEOUT
    case 210:  // NETWORK_ERROR
    case 241:  // MEMORY_LIMIT_EXCEEDED
    case 242:  // TABLE_IS_READ_ONLY
    case 252:  // TOO_MANY_PARTS
    case 279:  // ALL_CONNECTION_TRIES_FAILED (a shard of a Distributed table is down)
    case 425:  // SYSTEM_ERROR
      return true;
    default:
      return false;
  }
}

// "Code: 60, e.displayText() = DB::Exception: Table x doesn't exist., e.what() = ..." -> 60.
int error_code(std::string_view body) {
  const std::size_t at = body.find("Code: ");
  if (at == std::string_view::npos) return 0;
  int code = 0;
  const char* begin = body.data() + at + 6;
  std::from_chars(begin, body.data() + body.size(), code);
  return code;
}

// The first line of an error body, without ClickHouse's stack trace, at most 300 bytes.
std::string first_line(std::string_view body) {
  std::string_view s = body.substr(0, body.find('\n'));
  if (s.size() > 300) s = s.substr(0, 300);
  return std::string(s);
}

}  // namespace

std::string Endpoint::describe() const {
  return "ClickHouse at " + host + ":" + std::to_string(port) + "/" + database;
}

std::vector<Endpoint> Endpoint::shards() const {
  std::vector<Endpoint> out;
  const std::vector<Server> listed =
      servers.empty() ? std::vector<Server>{Server{host, port}} : servers;
  for (const Server& s : listed) {
    Endpoint e = *this;
    e.host = s.host;
    e.port = s.port;
    e.servers = {s};
    out.push_back(std::move(e));
  }
  return out;
}

Result<Endpoint> parse_url(std::string_view url) {
  const auto bad = [&](std::string_view what) {
    return Status::Invalid(
        "calls: " + std::string(what) +
        "; the accepted form is "
        "clickhouse://HOST:PORT[,HOST:PORT...]/DATABASE[?node=N&cluster=NAME&feed_lag_ms=N], "
        "got '" +
        std::string(url) + "'");
  };
  const auto is_name = [](std::string_view name) {
    if (name.empty()) return false;
    for (const char ch : name) {
      const bool ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
                      (ch >= '0' && ch <= '9') || ch == '_';
      if (!ok) return false;
    }
    return true;
  };
  constexpr std::string_view kScheme = "clickhouse://";
  if (url.substr(0, kScheme.size()) != kScheme) return bad("not a clickhouse:// URL");
  std::string_view rest = url.substr(kScheme.size());
  std::string_view query;
  if (const std::size_t q = rest.find('?'); q != std::string_view::npos) {
    query = rest.substr(q + 1);
    rest = rest.substr(0, q);
  }
  Endpoint e;
  std::string_view authorities = rest.substr(0, rest.find('/'));
  if (const std::size_t slash = rest.find('/'); slash != std::string_view::npos) {
    std::string_view db = rest.substr(slash + 1);
    if (!db.empty()) e.database = std::string(db);
  }
  if (!is_name(e.database)) return bad("the database name may hold letters, digits and '_' only");
  for (;;) {
    const std::size_t comma = authorities.find(',');
    std::string_view authority = authorities.substr(0, comma);
    Endpoint::Server server;
    if (const std::size_t colon = authority.rfind(':'); colon != std::string_view::npos) {
      const std::string_view port = authority.substr(colon + 1);
      int p = 0;
      const auto r = std::from_chars(port.data(), port.data() + port.size(), p);
      if (r.ec != std::errc() || r.ptr != port.data() + port.size() || p <= 0 || p > 65535) {
        return bad("the port is not a number from 1 to 65535");
      }
      server.port = static_cast<std::uint16_t>(p);
      authority = authority.substr(0, colon);
    }
    if (authority.empty()) return bad("no host");
    server.host = std::string(authority);
    e.servers.push_back(std::move(server));
    if (comma == std::string_view::npos) break;
    authorities = authorities.substr(comma + 1);
  }
  e.host = e.servers.front().host;
  e.port = e.servers.front().port;
  while (!query.empty()) {
    const std::string_view option = query.substr(0, query.find('&'));
    query = option.size() < query.size() ? query.substr(option.size() + 1) : std::string_view();
    if (option.substr(0, 5) == "node=") {
      const std::string_view n = option.substr(5);
      const auto r = std::from_chars(n.data(), n.data() + n.size(), e.node);
      if (r.ec != std::errc() || r.ptr != n.data() + n.size() || e.node < 0 || e.node > 15) {
        return bad("node is a number from 0 to 15");
      }
    } else if (option.substr(0, 12) == "feed_lag_ms=") {
      const std::string_view n = option.substr(12);
      const auto r = std::from_chars(n.data(), n.data() + n.size(), e.feed_lag_ms);
      if (r.ec != std::errc() || r.ptr != n.data() + n.size() || e.feed_lag_ms < 0 ||
          e.feed_lag_ms > 3'600'000) {
        return bad("feed_lag_ms is a number from 0 to 3600000");
      }
    } else if (option.substr(0, 8) == "cluster=") {
      e.cluster = std::string(option.substr(8));
      if (!is_name(e.cluster)) return bad("the cluster name may hold letters, digits and '_' only");
    } else {
      return bad("the options are node=N, cluster=NAME and feed_lag_ms=N");
    }
  }
  if (e.cluster.empty() && e.servers.size() > 1) {
    return bad("several servers need cluster=NAME, the cluster they are the shards of");
  }
  return e;
}

Client::Client(Endpoint endpoint, ClientOptions options)
    : endpoint_(std::move(endpoint)), options_(options) {}

Result<std::string> Client::request(const std::string& target, const std::string& body) {
  std::unique_ptr<http::HttpClient> conn;
  {
    MutexLock lock(&mu_);
    if (!idle_.empty()) {
      conn = std::move(idle_.back());
      idle_.pop_back();
    }
  }
  if (!conn) {
    conn = std::make_unique<http::HttpClient>(endpoint_.host, endpoint_.port);
    conn->set_timeout(options_.timeout);
  }
  Result<http::ClientResponse> r = conn->request("POST", target, body);
  if (!r.ok()) {
    // The connection is dropped (the client closed it); the caller's request failed. The
    // details go to the log, not to API clients.
    spdlog::warn("calls store: {}: {}", endpoint_.describe(), r.status().message());
    return Status::Unavailable("the calls store is unavailable; try again later");
  }
  {
    MutexLock lock(&mu_);
    if (idle_.size() < options_.max_idle_connections) idle_.push_back(std::move(conn));
  }
  if (r->status != 200) {
    const int code = error_code(r->body);
    std::string message = endpoint_.describe() + " answered " + std::to_string(r->status) + ": " +
                          first_line(r->body);
    if (is_transient(code) || r->status == 503) {
      spdlog::warn("calls store: {}", message);
      return Status::Unavailable("the calls store is busy; try again later");
    }
    return Status::IOError(message);
  }
  return std::move(r->body);
}

Result<std::string> Client::run(std::string_view sql, bool read) {
  // max_query_size: ingest's duplicate check names every uuid of a batch (thousands), past
  // ClickHouse's default of 256 KiB of statement text.
  // insert_distributed_sync: as for insert() (an INSERT ... SELECT is a statement too).
  std::string target =
      "/?wait_end_of_query=1&insert_distributed_sync=1&max_query_size=16777216&database=" +
      endpoint_.database;
  if (read && options_.query_budget_ms > 0) {
    // Whole seconds in ClickHouse 18.16; at least one.
    target += "&max_execution_time=" + std::to_string(std::max(1, options_.query_budget_ms / 1000));
    target += "&timeout_overflow_mode=throw";
  }
  return request(target, std::string(sql));
}

Result<std::string> Client::run_without_database(std::string_view sql) {
  return request("/?wait_end_of_query=1", std::string(sql));
}

Status Client::insert(std::string_view insert_sql, const std::string& rows) {
  // insert_distributed_sync: an insert into a Distributed table (the sharded layout) is answered
  // once every shard wrote its rows, not when they are queued on this server (the default).
  const std::string target =
      "/?wait_end_of_query=1&insert_distributed_sync=1&database=" + endpoint_.database +
      "&query=" + http::url_encode(std::string(insert_sql));
  return request(target, rows).status();
}

}  // namespace cdrd::clickhouse
