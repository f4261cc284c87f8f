// SqliteStore: the AccountStore, the CallStore and the RatingStore kept in one SQLite database
// file (the RatingStore part is in sqlite_rating.cpp).
//
// The file is in WAL mode with synchronous=FULL: once insert_calls (or any write) returns ok,
// the data survives a process crash and a power loss. The schema is versioned (migrations.h)
// and brought up to date by open().
//
// Thread-safety: a SqliteStore is safe for concurrent use from any number of threads without
// external synchronisation. All writes go through one writer connection and are serialised by
// a mutex. Each read borrows a connection from a pool of reader connections (one is opened when
// every pooled one is busy, and returned to the pool afterwards), so reads run in parallel with
// each other and with the writer; each read sees one consistent snapshot (list_calls answers
// its page and its total_count from the same snapshot) that includes every write that
// returned before the read began.
//
// Files: the directories open() creates are 0700 and the database, its -wal and -shm 0600,
// whatever the umask (existing looser files are restricted, with a warning). Secrets (see
// secret_keys.h) are sealed under the key file "<database>.key", created 0600 on first open.
//
// Each read runs under a time budget (SqliteOptions::query_budget_ms): a read past it is
// interrupted and fails kUnavailable ("query over its time budget of N ms; ..."). Writes are
// never interrupted.
//
// Errors are Status values; storage failures are kIOError with SQLite's message. Nothing
// throws out of the store (an allocation failure aside).
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/secret_box.h"
#include "core/status.h"
#include "store/call_store.h"
#include "store/oauth_store.h"
#include "store/rating_store.h"

namespace cdrd {

namespace sqlite {
class Connection;
}

struct SqliteOptions {
  int busy_timeout_ms = 5000;          // wait this long for a lock another process holds
  int writer_cache_kib = 64 * 1024;    // page cache of the writer (the ingest working set)
  int reader_cache_kib = 16 * 1024;    // page cache of each reader connection
  std::size_t max_idle_readers = 16;   // pooled reader connections kept open when idle
  int query_budget_ms = 2000;          // the time one read may take (0: no limit)
};

class SqliteStore final : public AccountStore,
                          public CallStore,
                          public RatingStore,
                          public OAuthStore {
 public:
  // Opens (creating it and its missing parent directories if need be) the database at `path`
  // and applies the pending migrations.
  static Result<std::unique_ptr<SqliteStore>> open(const std::string& path,
                                                   SqliteOptions opts = {});
  ~SqliteStore() override;
  SqliteStore(const SqliteStore&) = delete;
  SqliteStore& operator=(const SqliteStore&) = delete;

  // AccountStore
  Result<Account> create_account(const std::string& name, const std::string& auth_id,
                                 const std::string& token_hash) override;
  Result<std::optional<Account>> find_account_by_auth_id(std::string_view auth_id) override;
  // The oldest account of that name (names are not unique).
  Result<std::optional<Account>> find_account_by_name(std::string_view name) override;
  // kNotFound when no account has that id.
  Status set_token_hash(std::int64_t account_id, const std::string& token_hash) override;
  // Oldest first.
  Result<std::vector<Account>> list_accounts() override;

  // CallStore. insert_calls fails with kInvalidArgument (nothing written) when a record names
  // an account that does not exist.
  Result<std::vector<InsertOutcome>> insert_calls(const std::vector<CallRecord>& records) override;
  Result<std::optional<CallRecord>> find_call(std::int64_t account_id, std::string_view call_uuid,
                                              Micros served_from) override;
  // A cloud-PBX flow filter value "in" matches inbound calls and "out" outbound ones; other
  // values match nothing.
  Result<Page<CallRecord>> list_calls(const CallQuery& query) override;
  // Walks the accounts and deletes each one's oldest expired calls through its end_time index;
  // the legs are a column of the call row, so they go with it. The freed pages stay in the
  // file and are reused by later inserts (no VACUUM: that would rewrite the whole file).
  Result<std::int64_t> delete_calls_ended_before(Micros floor, int max_rows) override;

  // RatingStore (sqlite_rating.cpp).
  Status replace_rate_deck(std::int64_t account_id, std::optional<Direction> direction,
                           const std::vector<RateRow>& rows) override;
  Result<RatingProfile> rating_profile(std::int64_t account_id) override;
  Result<std::int64_t> rating_version(std::int64_t account_id) override;
  Status set_rating_settings(std::int64_t account_id, const RatingSettings& settings) override;
  Result<std::vector<BilledCall>> scan_billing(const BillingScan& scan, const BillingCursor& after,
                                               int limit) override;
  Result<std::int64_t> update_billing(const std::vector<BilledCall>& calls) override;

  // OAuthStore (sqlite_oauth.cpp).
  Result<OAuthApp> create_app(std::int64_t account_id, const std::string& client_id,
                              const std::string& secret_hash) override;
  Result<std::optional<OAuthApp>> find_app(std::string_view client_id) override;
  Result<std::vector<OAuthApp>> list_apps(std::int64_t account_id) override;
  Status revoke_app(std::string_view client_id) override;
  Status add_token(const std::string& token_hash, std::int64_t app_id, Micros expires_at,
                   Micros now) override;
  Result<std::optional<TokenGrant>> find_token(std::string_view token_hash) override;

  // Diagnostics: the EXPLAIN QUERY PLAN lines of the statements list_calls would run for
  // `query` (page first, then count; each line "page: ..." / "count: ..."), and of find_call.
  Result<std::vector<std::string>> explain_list_calls(const CallQuery& query);
  Result<std::vector<std::string>> explain_find_call();

  const std::string& path() const { return path_; }

  // The box that seals and opens the secrets kept in this database (secret_keys.h).
  std::shared_ptr<const SecretBox> secrets() const;
  // Re-seals every secret under a new key in one write transaction and makes it the key file
  // ("<database>.key"; the previous one is kept as "<database>.key.old"). Returns how many
  // values were re-sealed. No other process may use the database meanwhile: a running server
  // keeps the old key in memory.
  Result<int> rotate_secret_key();

  // For the other stores kept in this database file (SqliteTrunkStore): `fn` runs on the writer
  // connection under the write lock, or on a pooled reader connection, with the same guarantees
  // as this store's own writes and reads. `fn` owns the transactions it begins.
  Status with_writer(const std::function<Status(sqlite::Connection&)>& fn);
  Status with_reader(const std::function<Status(sqlite::Connection&)>& fn);

 private:
  class ReaderLease;
  SqliteStore(std::string path, SqliteOptions opts, std::unique_ptr<sqlite::Connection> writer,
              std::shared_ptr<const SecretBox> secrets);

  Result<ReaderLease> reader();
  Result<std::optional<Account>> find_account(const std::string& sql, std::string_view key);

  const std::string path_;
  const SqliteOptions opts_;

  std::mutex write_mu_;  // guards writer_ and every use of it
  std::unique_ptr<sqlite::Connection> writer_;

  mutable std::mutex secrets_mu_;  // guards secrets_ (replaced by rotate_secret_key)
  std::shared_ptr<const SecretBox> secrets_;

  std::mutex pool_mu_;  // guards idle_readers_
  std::vector<std::unique_ptr<sqlite::Connection>> idle_readers_;
};

}  // namespace cdrd
