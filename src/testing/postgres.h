// The throw-away PostgreSQL of the tests (scripts/postgres-test.sh; docs/scale-out.md, "Tests"):
// ctest starts one server before the tests that need it (the postgres_server fixture) and
// passes its state directory in CDRD_TEST_POSTGRES_STATE. test_postgres() reads the URL the
// script wrote there, or why there is none (then the test skips with that reason).
// TestDatabase makes a new, empty database on that server for one test and drops it after, so
// tests running at once never see each other's rows. Test code only; throws std::runtime_error
// when the server answers but refuses (a broken test setup).
#pragma once

#include <pqxx/pqxx>

#include <cstdlib>
#include <fstream>
#include <random>
#include <stdexcept>
#include <string>

namespace cdrd::testing {

struct PostgresServer {
  std::string url;          // postgresql://cdrd@127.0.0.1:PORT/postgres, or "" with:
  std::string skip_reason;  // why there is no server
};

inline PostgresServer test_postgres() {
  const char* state = std::getenv("CDRD_TEST_POSTGRES_STATE");
  if (state == nullptr || *state == '\0') {
    return {"", "no test PostgreSQL: run through ctest (the postgres_server fixture starts it)"};
  }
  std::string line;
  if (std::ifstream in(std::string(state) + "/url"); in && std::getline(in, line)) {
    return {line, ""};
  }
  std::ifstream skip(std::string(state) + "/skip");
  std::getline(skip, line);
  return {"", "no test PostgreSQL: " +
                  (line.empty() ? "scripts/postgres-test.sh did not start one" : line)};
}

// "postgresql://u@h:p/postgres" -> "postgresql://u@h:p/<name>".
inline std::string url_of_database(const std::string& server_url, const std::string& name) {
  return server_url.substr(0, server_url.rfind('/') + 1) + name;
}

class TestDatabase {
 public:
  explicit TestDatabase(const std::string& server_url) : server_url_(server_url) {
    std::random_device rd;
    name_ = "cdrd_test_" + std::to_string(rd()) + std::to_string(rd());
    pqxx::connection c(server_url_);
    pqxx::nontransaction n(c);
    n.exec("CREATE DATABASE " + name_);
  }
  ~TestDatabase() {
    try {
      pqxx::connection c(server_url_);
      pqxx::nontransaction n(c);
      n.exec("DROP DATABASE IF EXISTS " + name_ + " WITH (FORCE)");
    } catch (const std::exception&) {
      // The server went away first: its directory goes with it.
    }
  }
  TestDatabase(const TestDatabase&) = delete;
  TestDatabase& operator=(const TestDatabase&) = delete;

  std::string url() const { return url_of_database(server_url_, name_); }
  const std::string& name() const { return name_; }

  // Runs one statement as the superuser and returns the first column of its first row ("" for
  // none): for tests that look at what the store wrote.
  std::string query(const std::string& sql) const {
    pqxx::connection c(url());
    pqxx::nontransaction n(c);
    const pqxx::result r = n.exec(sql);
    if (r.empty() || r[0][0].is_null()) return "";
    return r[0][0].as<std::string>();
  }

 private:
  std::string server_url_;
  std::string name_;
};

}  // namespace cdrd::testing
