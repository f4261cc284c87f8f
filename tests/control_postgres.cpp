// The black-box suites on the PostgreSQL control plane (docs/scale-out.md, "Tests"): ctest runs
// the API suites a second time as control_postgres.* with CDRD_TEST_CONTROL_POSTGRES set to the
// state directory of the test server (scripts/postgres-test.sh, the postgres_server fixture).
// Then this environment gives the test process a new database on that server and sets
// CDRD_CONTROL and CDRD_CONTROL_KEY_FILE, which every cdrd the tests start (serve, account
// create, app create, ratedeck load ...) reads as --control and --control-key-file: the same
// tests, the same expected bytes, with accounts, decks, OAuth apps and trunks in PostgreSQL.
// Without a test server every test of the run skips, saying why.
#include <gtest/gtest.h>

#include <cstdlib>
#include <optional>

#include "testing/postgres.h"
#include "testing/temp_dir.h"

namespace cdrd::test {
namespace {

class PostgresControlEnvironment : public ::testing::Environment {
 public:
  void SetUp() override {
    const char* state = std::getenv("CDRD_TEST_CONTROL_POSTGRES");
    if (state == nullptr || *state == '\0') return;
    ::setenv("CDRD_TEST_POSTGRES_STATE", state, 1);
    const cdrd::testing::PostgresServer server = cdrd::testing::test_postgres();
    if (server.url.empty()) GTEST_SKIP() << server.skip_reason;
    database_.emplace(server.url);
    key_dir_.emplace("cdrd_control_key_");
    ::setenv("CDRD_CONTROL", database_->url().c_str(), 1);
    ::setenv("CDRD_CONTROL_KEY_FILE", key_dir_->file("control.key").c_str(), 1);
  }
  void TearDown() override {
    ::unsetenv("CDRD_CONTROL");
    ::unsetenv("CDRD_CONTROL_KEY_FILE");
    database_.reset();
    key_dir_.reset();
  }

 private:
  std::optional<cdrd::testing::TestDatabase> database_;
  std::optional<cdrd::testing::TempDir> key_dir_;
};

[[maybe_unused]] ::testing::Environment* const kPostgresControl =
    ::testing::AddGlobalTestEnvironment(new PostgresControlEnvironment);

}  // namespace
}  // namespace cdrd::test
