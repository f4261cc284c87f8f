// The one-line statement helpers of sqlite_db.h (run, query, query_one, query_all, exists,
// query_int and the binds they make) and the stored enum codes of enum_codes.h, on an
// in-memory database.
#include "store/sqlite/sqlite_db.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "store/sqlite/enum_codes.h"

namespace cdrd::sqlite {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

// A connection of its own on an in-memory database, unlike the store tests' file in a TempDir
// (testing/stores.h); the opening lines of a gtest fixture are all it shares with them.
class SqliteDbTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ConnectionOptions opts;
    opts.create = true;
    Result<std::unique_ptr<Connection>> c = Connection::open(":memory:", opts);
    ASSERT_TRUE(c.ok()) << c.status().message();
    conn_ = std::move(c).value();
    ASSERT_TRUE(
        conn_->exec("CREATE TABLE t (id INTEGER PRIMARY KEY, n INTEGER, s TEXT, b BLOB)").ok());
  }
  std::unique_ptr<Connection> conn_;
};

std::pair<std::int64_t, std::string> read_pair(const Statement& st) {
  return {st.int64(0), st.text(1)};
}

TEST_F(SqliteDbTest, RunBindsEveryKindOfValueInOrder) {
  const std::optional<std::string> none;
  ASSERT_TRUE(conn_
                  ->run("INSERT INTO t (n, s, b) VALUES (?, ?, ?)", Money::from_units(12345),
                        std::string("text"), Blob{std::string_view("\0x", 2)})
                  .ok());
  ASSERT_TRUE(conn_->run("INSERT INTO t (n, s) VALUES (?, ?)", true, none).ok());
  EXPECT_EQ(conn_->changes(), 1);
  Result<std::vector<std::pair<std::int64_t, std::string>>> rows =
      conn_->query_all("SELECT n, coalesce(s, 'null') FROM t ORDER BY id", read_pair);
  ASSERT_TRUE(rows.ok()) << rows.status().message();
  EXPECT_THAT(*rows, ElementsAre(std::pair<std::int64_t, std::string>{12345, "text"},
                                 std::pair<std::int64_t, std::string>{1, "null"}));
  Result<std::optional<std::string>> blob =
      conn_->query_one("SELECT b FROM t WHERE typeof(b) = 'blob'",
                       [](const Statement& st) { return std::string(st.blob(0)); });
  ASSERT_TRUE(blob.ok() && blob->has_value());
  EXPECT_EQ(**blob, std::string("\0x", 2));
}

TEST_F(SqliteDbTest, ListsOfValuesTakeOneParameterEach) {
  for (int i = 1; i <= 5; ++i) {
    ASSERT_TRUE(conn_->run("INSERT INTO t (n, s) VALUES (?, ?)", i, std::to_string(i)).ok());
  }
  const std::vector<SqlValue> values = {std::int64_t{2}, std::string("4")};
  Result<std::vector<std::int64_t>> got = conn_->query_all(
      "SELECT n FROM t WHERE n >= ? AND s <= ? ORDER BY n LIMIT ?",
      [](const Statement& st) { return st.int64(0); }, values, 10);
  ASSERT_TRUE(got.ok()) << got.status().message();
  EXPECT_THAT(*got, ElementsAre(2, 3, 4));
  Result<std::int64_t> count = conn_->query_int("SELECT COUNT(*) FROM t WHERE n >= ?", values[0]);
  ASSERT_TRUE(count.ok());
  EXPECT_EQ(*count, 4);
}

TEST_F(SqliteDbTest, AbsentRowsAndReaderErrors) {
  ASSERT_TRUE(conn_->run("INSERT INTO t (n) VALUES (?)", 7).ok());
  EXPECT_TRUE(*conn_->exists("SELECT 1 FROM t WHERE n = ?", 7));
  EXPECT_FALSE(*conn_->exists("SELECT 1 FROM t WHERE n = ?", 8));
  const auto read_n = [](const Statement& st) { return st.int64(0); };
  Result<std::optional<std::int64_t>> none =
      conn_->query_one("SELECT n FROM t WHERE n = ?", read_n, 8);
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->has_value());
  Result<std::int64_t> no_row = conn_->query_int("SELECT n FROM t WHERE n = ?", 8);
  EXPECT_EQ(no_row.status().code(), Status::Code::kInternal);
  // A reader's error stops the walk and is the answer.
  Result<std::vector<int>> failed =
      conn_->query_all("SELECT n FROM t",
                       [](const Statement&) -> Result<int> { return Status::IOError("bad row"); });
  EXPECT_EQ(failed.status().message(), "bad row");
  // SQLite's own errors carry its message.
  Status s = conn_->run("INSERT INTO nowhere VALUES (?)", 1);
  EXPECT_EQ(s.code(), Status::Code::kIOError);
  EXPECT_THAT(s.message(), HasSubstr("no such table"));
}

TEST_F(SqliteDbTest, QueryHandsOutTheBoundStatement) {
  ASSERT_TRUE(conn_->run("INSERT INTO t (n, s) VALUES (1, 'a'), (2, 'b'), (3, 'c')").ok());
  const std::int64_t from = 2;
  Result<StatementRef> st = conn_->query("SELECT s FROM t WHERE n >= ? ORDER BY n", from);
  ASSERT_TRUE(st.ok());
  std::string seen;
  ASSERT_TRUE((*st)->for_each([&](const Statement& row) { seen += row.text(0); }).ok());
  EXPECT_EQ(seen, "bc");
}

TEST(EnumCodes, RoundTripAndRefuseCodesOutOfRange) {
  EXPECT_EQ(enum_from_code<Direction>(enum_code(Direction::kOutbound)), Direction::kOutbound);
  EXPECT_EQ(enum_from_code<TrunkStatus>(1), TrunkStatus::kDisabled);
  EXPECT_EQ(enum_from_code<Attestation>(3), Attestation::kC);
  EXPECT_FALSE(enum_from_code<Direction>(2).has_value());
  EXPECT_FALSE(enum_from_code<RatingState>(-1).has_value());
}

}  // namespace
}  // namespace cdrd::sqlite
