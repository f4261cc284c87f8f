// The OAuthStore part of SqliteStore: the oauth_apps and oauth_tokens tables of migration 3.
// Same locking as the rest of the store: writes hold write_mu_ and use the writer connection;
// reads borrow a reader connection.
#include <sqlite3.h>

#include <chrono>

#include "store/sqlite/reader_lease.h"
#include "store/sqlite/sqlite_db.h"
#include "store/sqlite/sqlite_store.h"

namespace cdrd {

using sqlite::StatementRef;
using sqlite::Transaction;

namespace {

const char* const kAppColumns =
    "SELECT id, client_id, account_id, secret_hash, revoked, created_at FROM oauth_apps ";

Micros wall_micros() {
  using namespace std::chrono;
  return duration_cast<microseconds>(system_clock::now().time_since_epoch()).count();
}

OAuthApp read_app(const sqlite::Statement& st) {
  OAuthApp a;
  a.id = st.int64(0);
  a.client_id = st.text(1);
  a.account_id = st.int64(2);
  a.secret_hash = st.text(3);
  a.revoked = st.int64(4) != 0;
  a.created_at = st.int64(5);
  return a;
}

}  // namespace

Result<OAuthApp> SqliteStore::create_app(std::int64_t account_id, const std::string& client_id,
                                         const std::string& secret_hash) {
  OAuthApp a;
  a.client_id = client_id;
  a.account_id = account_id;
  a.secret_hash = secret_hash;
  a.created_at = wall_micros();
  std::lock_guard lock(write_mu_);
  Result<StatementRef> st = writer_->prepare(
      "INSERT INTO oauth_apps (client_id, account_id, secret_hash, revoked, created_at) "
      "VALUES (?, ?, ?, 0, ?)");
  if (!st.ok()) return st.status();
  (*st)->bind(1, a.client_id);
  (*st)->bind(2, a.account_id);
  (*st)->bind(3, a.secret_hash);
  (*st)->bind(4, a.created_at);
  if (Status s = (*st)->run(); !s.ok()) {
    const int code = sqlite3_extended_errcode(writer_->handle());
    if (code == SQLITE_CONSTRAINT_UNIQUE) {
      return Status::Conflict("client_id " + client_id + " is already taken");
    }
    if (code == SQLITE_CONSTRAINT_FOREIGNKEY) {
      return Status::NotFound("no account with id " + std::to_string(account_id));
    }
    return s;
  }
  a.id = writer_->last_insert_rowid();
  return a;
}

Result<std::optional<OAuthApp>> SqliteStore::find_app(std::string_view client_id) {
  Result<ReaderLease> conn = reader();
  if (!conn.ok()) return conn.status();
  Result<StatementRef> st = (*conn)->prepare(std::string(kAppColumns) + "WHERE client_id = ?");
  if (!st.ok()) return st.status();
  (*st)->bind(1, client_id);
  Result<bool> row = (*st)->step();
  if (!row.ok()) return row.status();
  if (!*row) return std::optional<OAuthApp>();
  return std::optional<OAuthApp>(read_app(**st));
}

Result<std::vector<OAuthApp>> SqliteStore::list_apps(std::int64_t account_id) {
  Result<ReaderLease> conn = reader();
  if (!conn.ok()) return conn.status();
  Result<StatementRef> st =
      (*conn)->prepare(std::string(kAppColumns) + "WHERE account_id = ? ORDER BY id");
  if (!st.ok()) return st.status();
  (*st)->bind(1, account_id);
  std::vector<OAuthApp> out;
  for (;;) {
    Result<bool> row = (*st)->step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    out.push_back(read_app(**st));
  }
  return out;
}

Status SqliteStore::revoke_app(std::string_view client_id) {
  std::lock_guard lock(write_mu_);
  Result<StatementRef> st = writer_->prepare("UPDATE oauth_apps SET revoked = 1 WHERE client_id = ?");
  if (!st.ok()) return st.status();
  (*st)->bind(1, client_id);
  if (Status s = (*st)->run(); !s.ok()) return s;
  if (writer_->changes() == 0) {
    return Status::NotFound("no app has client_id " + std::string(client_id));
  }
  return Status::Ok();
}

Status SqliteStore::add_token(const std::string& token_hash, std::int64_t app_id,
                              Micros expires_at, Micros now) {
  std::lock_guard lock(write_mu_);
  Result<Transaction> tx = Transaction::begin(*writer_, Transaction::Kind::kWrite);
  if (!tx.ok()) return tx.status();
  {
    Result<StatementRef> del = writer_->prepare("DELETE FROM oauth_tokens WHERE expires_at <= ?");
    if (!del.ok()) return del.status();
    (*del)->bind(1, now);
    if (Status s = (*del)->run(); !s.ok()) return s;
  }
  {
    // Room for the new token: the app keeps at most kMaxLiveTokensPerApp live ones.
    Result<StatementRef> del = writer_->prepare(
        "DELETE FROM oauth_tokens WHERE token_hash IN (SELECT token_hash FROM oauth_tokens "
        "WHERE app_id = ?1 ORDER BY expires_at, token_hash LIMIT max(0, (SELECT COUNT(*) FROM "
        "oauth_tokens WHERE app_id = ?1) - ?2))");
    if (!del.ok()) return del.status();
    (*del)->bind(1, app_id);
    (*del)->bind(2, kMaxLiveTokensPerApp - 1);
    if (Status s = (*del)->run(); !s.ok()) return s;
  }
  {
    Result<StatementRef> ins = writer_->prepare(
        "INSERT INTO oauth_tokens (token_hash, app_id, expires_at) VALUES (?, ?, ?)");
    if (!ins.ok()) return ins.status();
    (*ins)->bind(1, token_hash);
    (*ins)->bind(2, app_id);
    (*ins)->bind(3, expires_at);
    if (Status s = (*ins)->run(); !s.ok()) return s;
  }
  return tx->commit();
}

Result<std::optional<TokenGrant>> SqliteStore::find_token(std::string_view token_hash) {
  Result<ReaderLease> conn = reader();
  if (!conn.ok()) return conn.status();
  Result<StatementRef> st = (*conn)->prepare(
      "SELECT a.account_id, a.client_id, t.expires_at, a.revoked FROM oauth_tokens t "
      "JOIN oauth_apps a ON a.id = t.app_id WHERE t.token_hash = ?");
  if (!st.ok()) return st.status();
  (*st)->bind(1, token_hash);
  Result<bool> row = (*st)->step();
  if (!row.ok()) return row.status();
  if (!*row) return std::optional<TokenGrant>();
  TokenGrant g;
  g.account_id = (*st)->int64(0);
  g.client_id = (*st)->text(1);
  g.expires_at = (*st)->int64(2);
  g.revoked = (*st)->int64(3) != 0;
  return std::optional<TokenGrant>(std::move(g));
}

}  // namespace cdrd
