// postgres::Database: the shared PostgreSQL 15 control plane (docs/scale-out.md): a small pool
// of connections to one database, the versioned migrations (migrations.cpp) applied at open
// under an advisory lock, and the secret key every node shares to seal origination-URI
// passwords. The store classes (pg_*_store.h) run every read and write through transact().
//
// Rules across nodes: every write runs in one SERIALIZABLE transaction that re-reads what its
// rule needs (a quota's count, a username's uniqueness, a trunk's references, the users of what
// is deleted) and is retried from the start when PostgreSQL reports a serialization failure or
// a deadlock, so two nodes racing cannot both pass a check that only one may pass. Reads that
// answer a page and its count run in one REPEATABLE READ READ ONLY snapshot.
//
// Connections: at most PgOptions::pool_size, made on demand; a request that finds all in use
// waits up to the connect timeout. A connection that broke (the server restarted) is dropped
// and the transaction is run once more on a new one; while the server cannot be reached, every
// call fails kUnavailable (503 for the API) and nothing is written. A commit whose outcome is
// unknown (the connection broke during COMMIT) is kUnavailable too, with a message saying so.
// Each statement has PgOptions::statement_timeout_ms (PostgreSQL's statement_timeout).
//
// Errors: kUnavailable when PostgreSQL cannot be reached or a transaction kept failing on
// serialization conflicts; kPermissionDenied when the key file is not this database's key;
// kIOError for other database errors. Thread-safety: safe for concurrent use.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/mutex.h"
#include "core/secret_box.h"
#include "core/status.h"

namespace cdrd::postgres {

struct Connection;  // one libpqxx connection (pg_tx.h)

struct PgOptions {
  // libpq's form: postgresql://user[:password]@host:port/dbname[?param=value...]
  std::string url;
  // The file of the 32-byte key that seals origination-URI passwords (base64, one line, mode
  // 0600). The first node on a new database creates it; every other node must be given a copy:
  // the database records the key's fingerprint and refuses any other key.
  std::string key_file;
  int pool_size = 8;
  int connect_timeout_s = 5;
  int statement_timeout_ms = 5000;
};

class Tx;  // one transaction (pg_tx.h), seen only inside the postgres stores

class Database {
 public:
  enum class Kind {
    kRead,   // REPEATABLE READ READ ONLY: one snapshot
    kWrite,  // SERIALIZABLE, retried on serialization failures
    // READ COMMITTED: each statement sees what committed before it; for the schema changes,
    // which take an advisory lock first and must then see what the previous holder wrote.
    kLocked,
  };

  // Connects, applies the migrations that are missing and checks (or records) the key.
  static Result<std::unique_ptr<Database>> open(const PgOptions& options);
  ~Database();
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  // Runs `fn` in one transaction of `kind` and commits when it returns ok; a failing status
  // rolls everything back. `fn` may be run more than once (retries): it must not keep state
  // between runs other than what it rebuilds each time.
  Status transact(Kind kind, const std::function<Status(Tx&)>& fn);

  const std::shared_ptr<const SecretBox>& secrets() const { return secrets_; }

  // For /readyz: a round trip to the server; the schema is at the version this build knows.
  Status check_reachable();
  Status check_schema();

 private:
  explicit Database(PgOptions options);  // in the .cpp: Connection is complete there
  Result<std::unique_ptr<Connection>> lease();
  void give_back(std::unique_ptr<Connection> conn);
  void drop_idle();  // after a broken connection: the others are most likely broken too
  Result<std::unique_ptr<Connection>> connect();
  Status migrate();
  Status open_secrets();

  const PgOptions options_;
  std::shared_ptr<const SecretBox> secrets_;
  Mutex mu_;
  CondVar freed_{&mu_};
  std::vector<std::unique_ptr<Connection>> idle_ GUARDED_BY(mu_);
  int open_ GUARDED_BY(mu_) = 0;  // connections made and not dropped (idle or leased)
};

}  // namespace cdrd::postgres
