#include "store/postgres/pg_oauth_store.h"

#include "core/clock.h"
#include "store/postgres/pg_tx.h"

namespace cdrd::postgres {
namespace {

const std::string kSelectApp =
    "SELECT id, client_id, account_id, secret_hash, revoked, created_at FROM oauth_apps ";

OAuthApp read_app(const pqxx::row& r) {
  OAuthApp a;
  a.id = int64_of(r[0]);
  a.client_id = text_of(r[1]);
  a.account_id = int64_of(r[2]);
  a.secret_hash = text_of(r[3]);
  a.revoked = bool_of(r[4]);
  a.created_at = int64_of(r[5]);
  return a;
}

}  // namespace

Result<OAuthApp> PgOAuthStore::create_app(std::int64_t account_id, const std::string& client_id,
                                          const std::string& secret_hash) {
  OAuthApp a;
  a.client_id = client_id;
  a.account_id = account_id;
  a.secret_hash = secret_hash;
  a.created_at = system_now();
  RETURN_IF_ERROR(db_.transact(Database::Kind::kWrite, [&](Tx& tx) -> Status {
    if (!tx.exists("SELECT 1 FROM accounts WHERE id = $1 FOR SHARE", {account_id})) {
      return Status::NotFound("no account with id " + std::to_string(account_id));
    }
    if (tx.exists("SELECT 1 FROM oauth_apps WHERE client_id = $1", {client_id})) {
      return Status::Conflict("client_id " + client_id + " is already taken");
    }
    a.id = tx.query_int(
        "INSERT INTO oauth_apps (client_id, account_id, secret_hash, revoked, created_at) "
        "VALUES ($1, $2, $3, false, $4) RETURNING id",
        {a.client_id, a.account_id, a.secret_hash, a.created_at});
    return Status::Ok();
  }));
  return a;
}

Result<std::optional<OAuthApp>> PgOAuthStore::find_app(std::string_view client_id) {
  std::optional<OAuthApp> found;
  RETURN_IF_ERROR(db_.transact(Database::Kind::kRead, [&](Tx& tx) {
    const pqxx::result r = tx.exec(kSelectApp + "WHERE client_id = $1", {client_id});
    found = r.empty() ? std::nullopt : std::optional<OAuthApp>(read_app(r[0]));
    return Status::Ok();
  }));
  return found;
}

Result<std::vector<OAuthApp>> PgOAuthStore::list_apps(std::int64_t account_id) {
  std::vector<OAuthApp> out;
  RETURN_IF_ERROR(db_.transact(Database::Kind::kRead, [&](Tx& tx) {
    out.clear();
    for (const pqxx::row& r :
         tx.exec(kSelectApp + "WHERE account_id = $1 ORDER BY id", {account_id})) {
      out.push_back(read_app(r));
    }
    return Status::Ok();
  }));
  return out;
}

Status PgOAuthStore::revoke_app(std::string_view client_id) {
  return db_.transact(Database::Kind::kWrite, [&](Tx& tx) -> Status {
    if (tx.exec("UPDATE oauth_apps SET revoked = true WHERE client_id = $1", {client_id})
            .affected_rows() == 0) {
      return Status::NotFound("no app has client_id " + std::string(client_id));
    }
    return Status::Ok();
  });
}

Status PgOAuthStore::add_token(const std::string& token_hash, std::int64_t app_id,
                               Micros expires_at, Micros now) {
  return db_.transact(Database::Kind::kWrite, [&](Tx& tx) {
    // The app's row, locked: two nodes issuing tokens to one app take turns here, so the
    // quota below counts what the other committed.
    tx.exec("SELECT 1 FROM oauth_apps WHERE id = $1 FOR UPDATE", {app_id});
    tx.exec("DELETE FROM oauth_tokens WHERE app_id = $1 AND expires_at <= $2", {app_id, now});
    // Room for the new token: the app keeps at most kMaxLiveTokensPerApp live ones.
    tx.exec(
        "DELETE FROM oauth_tokens WHERE token_hash IN (SELECT token_hash FROM oauth_tokens "
        "WHERE app_id = $1 ORDER BY expires_at, token_hash LIMIT GREATEST(0, (SELECT COUNT(*) "
        "FROM oauth_tokens WHERE app_id = $1) - $2))",
        {app_id, kMaxLiveTokensPerApp - 1});
    tx.exec("INSERT INTO oauth_tokens (token_hash, app_id, expires_at) VALUES ($1, $2, $3)",
            {token_hash, app_id, expires_at});
    // Expired tokens of other apps, a few at a time: the table stays small without every issue
    // touching (and conflicting on) the rows of every app.
    tx.exec(
        "DELETE FROM oauth_tokens WHERE token_hash IN (SELECT token_hash FROM oauth_tokens "
        "WHERE expires_at <= $1 LIMIT 100)",
        {now});
    return Status::Ok();
  });
}

Result<std::optional<TokenGrant>> PgOAuthStore::find_token(std::string_view token_hash) {
  std::optional<TokenGrant> found;
  RETURN_IF_ERROR(db_.transact(Database::Kind::kRead, [&](Tx& tx) {
    const pqxx::result r = tx.exec(
        "SELECT a.account_id, a.client_id, t.expires_at, a.revoked, a.id FROM oauth_tokens t "
        "JOIN oauth_apps a ON a.id = t.app_id WHERE t.token_hash = $1",
        {token_hash});
    found.reset();
    if (!r.empty()) {
      TokenGrant g;
      g.account_id = int64_of(r[0][0]);
      g.client_id = text_of(r[0][1]);
      g.expires_at = int64_of(r[0][2]);
      g.revoked = bool_of(r[0][3]);
      g.app_id = int64_of(r[0][4]);
      found = g;
    }
    return Status::Ok();
  }));
  return found;
}

}  // namespace cdrd::postgres
