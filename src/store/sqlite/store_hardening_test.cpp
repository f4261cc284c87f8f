// The hardening of the sqlite store: private file modes whatever the umask, origination-URI
// passwords sealed under the key file (and its rotation), the quotas on trunks, URIs and live
// OAuth tokens, and the time budget of a read.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <string>

#include "core/crypto.h"
#include "store/sqlite/secret_keys.h"
#include "store/sqlite/sqlite_db.h"
#include "store/sqlite/stores.h"
#include "testing/stores.h"
#include "testing/temp_dir.h"

namespace cdrd {
namespace {

using ::testing::HasSubstr;
namespace fs = std::filesystem;

constexpr const char* kPassword = "Plain7Secret9Word";

mode_t mode_of(const fs::path& p) {
  struct stat st {};
  EXPECT_EQ(::stat(p.c_str(), &st), 0) << p;
  return st.st_mode & 0777;
}

std::string file_bytes(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

class StoreHardeningTest : public ::testing::Test {
 protected:
  void SetUp() override {
    old_umask_ = ::umask(022);  // the usual default, which would give 0755 / 0644
    db_path_ = (root_ / "data" / "cdrd.db").string();
  }
  void TearDown() override {
    close();
    ::umask(old_umask_);
  }

  Status open(SqliteOptions opts = {}) {
    close();
    auto s = sqlite::open_stores(db_path_, opts);
    if (!s.ok()) return s.status();
    db_ = std::move(s).value();
    trunks_ = std::make_unique<SqliteTrunkStore>(*db_->db);
    return Status::Ok();
  }
  void close() {
    trunks_.reset();
    db_.reset();
  }

  std::int64_t account(const std::string& name = "alice") {
    return cdrd::testing::add_account(*db_, name, new_auth_id(), "hash").id;
  }

  OriginationUri uri(std::int64_t account_id, std::string password = kPassword) {
    OriginationUri u;
    u.account_id = account_id;
    u.uri_uuid = new_uuid_v4();
    u.name = "pbx";
    u.uri = "pbx.example.com:5060";
    u.authentication_needed = !password.empty();
    u.username = password.empty() ? "" : "zentrunk";
    u.password = std::move(password);
    return u;
  }

  // Runs `sql` on a connection of its own, outside the store.
  void raw_exec(const std::string& sql) {
    sqlite::ConnectionOptions co;
    auto c = sqlite::Connection::open(db_path_, co);
    ASSERT_TRUE(c.ok()) << c.status().message();
    ASSERT_TRUE((*c)->exec(sql).ok()) << sql;
  }
  std::string raw_password(const std::string& uri_uuid) {
    std::string out;
    sqlite::ConnectionOptions co;
    auto c = sqlite::Connection::open(db_path_, co);
    EXPECT_TRUE(c.ok());
    auto st = (*c)->prepare("SELECT password FROM origination_uris WHERE uri_uuid = ?");
    EXPECT_TRUE(st.ok());
    (*st)->bind(1, uri_uuid);
    auto row = (*st)->step();
    if (row.ok() && *row) out = (*st)->text(0);
    return out;
  }

  mode_t old_umask_ = 0;
  cdrd::testing::TempDir dir_{"cdrd_hardening_"};
  fs::path root_ = dir_.path();
  std::string db_path_;
  std::unique_ptr<sqlite::Stores> db_;
  std::unique_ptr<SqliteTrunkStore> trunks_;
};

// ---- files -------------------------------------------------------------------------------------

TEST_F(StoreHardeningTest, NewDirectoryAndDatabaseFilesArePrivateUnderUmask022) {
  ASSERT_TRUE(open().ok());
  account();  // a write, so the -wal and -shm exist while the store is open
  EXPECT_EQ(mode_of(root_ / "data"), 0700u);
  EXPECT_EQ(mode_of(db_path_), 0600u);
  ASSERT_TRUE(fs::exists(db_path_ + "-wal"));
  ASSERT_TRUE(fs::exists(db_path_ + "-shm"));
  EXPECT_EQ(mode_of(db_path_ + "-wal"), 0600u);
  EXPECT_EQ(mode_of(db_path_ + "-shm"), 0600u);
  EXPECT_EQ(mode_of(sqlite::key_file_path(db_path_)), 0600u);
}

TEST_F(StoreHardeningTest, LooserExistingFilesAreRestrictedOnOpen) {
  ASSERT_TRUE(open().ok());
  account();
  close();
  for (const std::string& f : {db_path_, sqlite::key_file_path(db_path_)}) {
    ASSERT_EQ(::chmod(f.c_str(), 0644), 0);
  }
  ASSERT_TRUE(open().ok());
  EXPECT_EQ(mode_of(db_path_), 0600u);
  EXPECT_EQ(mode_of(sqlite::key_file_path(db_path_)), 0600u);
}

TEST_F(StoreHardeningTest, DataDirectoryOwnedByCdrdIsRestrictedWhenAskedTo) {
  const fs::path dir = root_ / "var";
  fs::create_directory(dir);
  ASSERT_EQ(::chmod(dir.c_str(), 0755), 0);
  ASSERT_TRUE(sqlite::make_private_dir(dir, /*tighten_existing=*/false).ok());
  EXPECT_EQ(mode_of(dir), 0755u);  // a parent the store did not create is left alone
  ASSERT_TRUE(sqlite::make_private_dir(dir, /*tighten_existing=*/true).ok());
  EXPECT_EQ(mode_of(dir), 0700u);
  ASSERT_EQ(::chmod(dir.c_str(), 01777), 0);  // shared, like /tmp: never restricted
  ASSERT_TRUE(sqlite::make_private_dir(dir, /*tighten_existing=*/true).ok());
  EXPECT_EQ(mode_of(dir), 0777u);
  ASSERT_TRUE(sqlite::make_private_dir(root_ / "a" / "b", false).ok());
  EXPECT_EQ(mode_of(root_ / "a"), 0700u);
  EXPECT_EQ(mode_of(root_ / "a" / "b"), 0700u);
}

// ---- secrets -----------------------------------------------------------------------------------

TEST_F(StoreHardeningTest, UriPasswordRoundTripsButIsStoredSealed) {
  ASSERT_TRUE(open().ok());
  const OriginationUri u = uri(account());
  ASSERT_TRUE(trunks_->create_origination_uri(u, 100).ok());
  auto found = trunks_->find_origination_uri(u.account_id, u.uri_uuid);
  ASSERT_TRUE(found.ok() && *found) << found.status().message();
  EXPECT_EQ((*found)->password, kPassword);
  PageRequest page;
  page.account_id = u.account_id;
  page.limit = 10;
  auto list = trunks_->list_origination_uris(page);
  ASSERT_TRUE(list.ok());
  EXPECT_EQ(list->rows.at(0).password, kPassword);

  EXPECT_TRUE(raw_password(u.uri_uuid).starts_with("v1:"));
  OriginationUri changed = **found;
  changed.password = "Other7Secret9Word";
  ASSERT_TRUE(trunks_->update_origination_uri(changed).ok());
  EXPECT_EQ((*trunks_->find_origination_uri(u.account_id, u.uri_uuid))->password,
            "Other7Secret9Word");
  close();  // checkpoints the WAL into the file
  const std::string bytes = file_bytes(db_path_) + file_bytes(db_path_ + "-wal");
  EXPECT_EQ(bytes.find(kPassword), std::string::npos);
  EXPECT_EQ(bytes.find("Other7Secret9Word"), std::string::npos);
}

TEST_F(StoreHardeningTest, UriWithoutAuthenticationStoresNoPassword) {
  ASSERT_TRUE(open().ok());
  const OriginationUri u = uri(account(), "");
  ASSERT_TRUE(trunks_->create_origination_uri(u, 100).ok());
  EXPECT_EQ(raw_password(u.uri_uuid), "");
  EXPECT_EQ((*trunks_->find_origination_uri(u.account_id, u.uri_uuid))->password, "");
}

TEST_F(StoreHardeningTest, PlaintextPasswordsOfAnOlderDatabaseAreSealedAtOpen) {
  ASSERT_TRUE(open().ok());
  const OriginationUri u = uri(account());
  ASSERT_TRUE(trunks_->create_origination_uri(u, 100).ok());
  close();
  raw_exec("UPDATE origination_uris SET password = '" + std::string(kPassword) + "'");
  ASSERT_TRUE(open().ok());
  EXPECT_TRUE(raw_password(u.uri_uuid).starts_with("v1:"));
  EXPECT_EQ((*trunks_->find_origination_uri(u.account_id, u.uri_uuid))->password, kPassword);
  close();
  const std::string bytes = file_bytes(db_path_) + file_bytes(db_path_ + "-wal");
  EXPECT_EQ(bytes.find(kPassword), std::string::npos);
}

TEST_F(StoreHardeningTest, AlteredStoredPasswordIsDetected) {
  ASSERT_TRUE(open().ok());
  const OriginationUri u = uri(account());
  ASSERT_TRUE(trunks_->create_origination_uri(u, 100).ok());
  std::string sealed = raw_password(u.uri_uuid);
  std::string raw = *base64_decode(sealed.substr(3));
  raw[20] ^= 0x40;
  raw_exec("UPDATE origination_uris SET password = 'v1:" + base64_encode(raw) + "'");
  auto found = trunks_->find_origination_uri(u.account_id, u.uri_uuid);
  ASSERT_FALSE(found.ok());
  EXPECT_EQ(found.status().code(), Status::Code::kIOError);
  EXPECT_THAT(found.status().message(), HasSubstr("stored password"));
}

TEST_F(StoreHardeningTest, WrongKeyFileIsRefusedAtOpen) {
  ASSERT_TRUE(open().ok());
  ASSERT_TRUE(trunks_->create_origination_uri(uri(account()), 100).ok());
  close();
  const std::string key = sqlite::key_file_path(db_path_);
  fs::remove(key);
  std::ofstream(key) << base64_encode(SecretBox::new_key()) << "\n";
  Status s = open();
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.code(), Status::Code::kPermissionDenied);
  EXPECT_THAT(s.message(), HasSubstr("does not open the secrets stored in this database"));

  std::ofstream(key, std::ios::trunc) << "not base64\n";
  s = open();
  EXPECT_EQ(s.code(), Status::Code::kInvalidArgument);
  EXPECT_THAT(s.message(), HasSubstr("expected one line, the base64 of 32 bytes"));
}

TEST_F(StoreHardeningTest, RotationResealsEverySecretUnderANewKey) {
  ASSERT_TRUE(open().ok());
  const std::int64_t a = account();
  const OriginationUri u1 = uri(a), u2 = uri(a, "Second7Secret9Word");
  ASSERT_TRUE(trunks_->create_origination_uri(u1, 100).ok());
  ASSERT_TRUE(trunks_->create_origination_uri(u2, 100).ok());
  ASSERT_TRUE(trunks_->create_origination_uri(uri(a, ""), 100).ok());
  const std::string key_path = sqlite::key_file_path(db_path_);
  const std::string old_key = file_bytes(key_path);
  const std::string before = raw_password(u1.uri_uuid);

  Result<int> n = db_->db->rotate_secret_key();
  ASSERT_TRUE(n.ok()) << n.status().message();
  EXPECT_EQ(*n, 2);
  EXPECT_NE(file_bytes(key_path), old_key);
  EXPECT_EQ(file_bytes(key_path + ".old"), old_key);
  EXPECT_FALSE(fs::exists(key_path + ".new"));
  EXPECT_EQ(mode_of(key_path), 0600u);
  EXPECT_NE(raw_password(u1.uri_uuid), before);
  EXPECT_EQ((*trunks_->find_origination_uri(a, u1.uri_uuid))->password, kPassword);

  close();
  ASSERT_TRUE(open().ok());  // the new key file opens them after a restart
  EXPECT_EQ((*trunks_->find_origination_uri(a, u1.uri_uuid))->password, kPassword);
  EXPECT_EQ((*trunks_->find_origination_uri(a, u2.uri_uuid))->password, "Second7Secret9Word");
}

TEST_F(StoreHardeningTest, RotationStoppedBeforeItsRenamesIsFinishedAtOpen) {
  ASSERT_TRUE(open().ok());
  const OriginationUri u = uri(account());
  ASSERT_TRUE(trunks_->create_origination_uri(u, 100).ok());
  ASSERT_TRUE(db_->db->rotate_secret_key().ok());
  close();
  // As if the process had stopped after the commit: the new key still under ".new".
  const std::string key_path = sqlite::key_file_path(db_path_);
  fs::rename(key_path, key_path + ".new");
  fs::rename(key_path + ".old", key_path);
  ASSERT_TRUE(open().ok());
  EXPECT_EQ((*trunks_->find_origination_uri(u.account_id, u.uri_uuid))->password, kPassword);
  EXPECT_FALSE(fs::exists(key_path + ".new"));
}

// Quotas (URIs, trunks, live tokens per app): store/postgres/control_store_conformance_test.cpp,
// against every backend.

// ---- time budget -------------------------------------------------------------------------------

constexpr const char* kSlowQuery =
    "SELECT count(*) FROM big a, big b WHERE a.x + b.x = -1";  // 10^10 pairs: never finishes

void fill_big_table(sqlite::Database& db) {
  Status s = db.with_writer([](sqlite::Connection& c) {
    return c.exec(
        "CREATE TABLE big (x INTEGER); WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL "
        "SELECT x + 1 FROM n WHERE x < 100000) INSERT INTO big SELECT x FROM n;");
  });
  ASSERT_TRUE(s.ok()) << s.message();
}

Status run_read(sqlite::Database& db, const std::string& sql) {
  return db.with_reader([&](sqlite::Connection& c) -> Status {
    auto st = c.prepare(sql);
    if (!st.ok()) return st.status();
    return (*st)->run();
  });
}

TEST_F(StoreHardeningTest, ReadPastItsTimeBudgetIsUnavailable) {
  SqliteOptions opts;
  opts.query_budget_ms = 20;
  ASSERT_TRUE(open(opts).ok());
  fill_big_table(*db_->db);  // the writer is never interrupted: this takes longer than 20 ms
  const auto start = std::chrono::steady_clock::now();
  Status s = run_read(*db_->db, kSlowQuery);
  const auto took = std::chrono::steady_clock::now() - start;
  EXPECT_EQ(s.code(), Status::Code::kUnavailable) << s.message();
  EXPECT_EQ(s.message(), "query over its time budget of 20 ms; narrow the filter or try again");
  EXPECT_LT(took, std::chrono::seconds(2));
  // The connection goes back to the pool in a usable state, with a fresh budget.
  EXPECT_TRUE(run_read(*db_->db, "SELECT count(*) FROM big").ok());
  EXPECT_TRUE(account("after") > 0);
}

TEST_F(StoreHardeningTest, ZeroBudgetMeansNoLimit) {
  SqliteOptions opts;
  opts.query_budget_ms = 0;
  ASSERT_TRUE(open(opts).ok());
  fill_big_table(*db_->db);
  // Long enough that a small budget would stop it (about 10^5 rows scanned 10 times).
  EXPECT_TRUE(run_read(*db_->db,
                       "SELECT count(*) FROM big a, (SELECT x FROM big LIMIT 10) b "
                       "WHERE a.x + b.x = -1")
                  .ok());
}

}  // namespace
}  // namespace cdrd
