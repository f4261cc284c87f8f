#include "store/postgres/pg_database.h"

#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <fstream>
#include <thread>

#include "core/clock.h"
#include "core/crypto.h"
#include "core/errno_text.h"
#include "store/postgres/migrations.h"
#include "store/postgres/pg_tx.h"

namespace cdrd::postgres {
namespace {

// How often a write transaction is run again after a serialization failure or a deadlock
// before the caller gets kUnavailable (each retry waits a little longer, up to ~50 ms).
constexpr int kMaxAttempts = 30;

// The URL with libpq's connect_timeout added unless it has one.
std::string with_connect_timeout(const std::string& url, int seconds) {
  if (url.find("connect_timeout=") != std::string::npos) return url;
  return url + (url.find('?') == std::string::npos ? "?" : "&") +
         "connect_timeout=" + std::to_string(seconds);
}

// libpq's messages span lines ("...failed: Connection refused\n\tIs the server running...");
// an error body or a log line wants one.
std::string one_line(std::string_view text) {
  std::string out;
  for (const char c : text) {
    if (c == '\n' || c == '\t' || c == '\r') {
      if (!out.empty() && out.back() != ' ') out += ' ';
    } else {
      out += c;
    }
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

// The key file of the control plane. Not the sqlite store's key file (store/sqlite/secret_keys):
// this one is shared by every node, is never made when the database already has a key, and the
// database checks it by its fingerprint rather than by opening a stored secret.
Result<std::optional<SecretBox>> read_key_file(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    if (errno == ENOENT) return std::optional<SecretBox>();
    return Status::IOError("key file " + path + ": " + errno_text());
  }
  if ((st.st_mode & 077) != 0 && ::chmod(path.c_str(), 0600) != 0) {
    return Status::IOError("cannot restrict the mode of key file " + path + ": " + errno_text());
  }
  std::ifstream in(path);
  std::string line;
  if (!in || !std::getline(in, line)) return Status::IOError("cannot read key file " + path);
  while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
  const std::optional<std::string> key = base64_decode(line);
  if (!key || key->size() != SecretBox::kKeyBytes) {
    return Status::Invalid("key file " + path + ": expected one line, the base64 of " +
                           std::to_string(SecretBox::kKeyBytes) + " bytes");
  }
  ASSIGN_OR_RETURN(SecretBox box, SecretBox::from_key(*key));
  return std::optional<SecretBox>(std::move(box));
}

Result<SecretBox> create_key_file(const std::string& path) {
  const std::string key = SecretBox::new_key();
  const std::string text = base64_encode(key) + "\n";
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) return Status::IOError("cannot create key file " + path + ": " + errno_text());
  const bool ok = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) &&
                  ::fsync(fd) == 0;
  const std::string err = errno_text();
  ::close(fd);
  if (!ok) {
    ::unlink(path.c_str());
    return Status::IOError("cannot write key file " + path + ": " + err);
  }
  spdlog::info("created key file {}: give every cdrd node on this database a copy", path);
  return SecretBox::from_key(key);
}

// Not the key: a hash of it under a label, enough to tell two keys apart.
std::string fingerprint(const SecretBox& box) {
  return sha256_hex("cdrd control-plane key fingerprint\n" + box.key());
}

// The connection to return to the pool when a transaction ends (nullptr: dropped).
class Leased {
 public:
  Leased(std::unique_ptr<Connection> c, std::function<void(std::unique_ptr<Connection>)> back)
      : conn_(std::move(c)), back_(std::move(back)) {}
  ~Leased() { back_(std::move(conn_)); }
  Leased(const Leased&) = delete;
  Leased& operator=(const Leased&) = delete;
  pqxx::connection& operator*() { return conn_->c; }
  void drop() { conn_.reset(); }

 private:
  std::unique_ptr<Connection> conn_;
  std::function<void(std::unique_ptr<Connection>)> back_;
};

template <class Transaction>
Status run_in(pqxx::connection& conn, const std::function<Status(Tx&)>& fn) {
  Transaction t(conn);
  Tx tx(t);
  Status s = fn(tx);
  if (s.ok()) t.commit();
  return s;  // not committed: the transaction's destructor rolls it back
}

}  // namespace

Database::Database(PgOptions options) : options_(std::move(options)) {}

Database::~Database() = default;

Result<std::unique_ptr<Connection>> Database::connect() {
  try {
    auto conn = std::make_unique<Connection>(
        with_connect_timeout(options_.url, options_.connect_timeout_s));
    pqxx::nontransaction n(conn->c);
    n.exec("SET client_min_messages = warning");
    n.exec("SET statement_timeout = " + std::to_string(options_.statement_timeout_ms));
    n.exec("SET lock_timeout = " + std::to_string(options_.statement_timeout_ms));
    n.exec("SET idle_in_transaction_session_timeout = 60000");
    n.commit();
    return conn;
  } catch (const std::exception& e) {
    return Status::Unavailable("postgresql: cannot connect: " + one_line(e.what()));
  }
}

Result<std::unique_ptr<Connection>> Database::lease() {
  {
    MutexLock lock(&mu_);
    const auto deadline =
        std::chrono::steady_clock::now() + std::chrono::seconds(options_.connect_timeout_s);
    while (idle_.empty() && open_ >= options_.pool_size) {
      const auto left = deadline - std::chrono::steady_clock::now();
      if (left <= std::chrono::steady_clock::duration::zero() || !freed_.wait_for(left)) {
        if (!idle_.empty() || open_ < options_.pool_size) break;
        return Status::Unavailable("postgresql: all " + std::to_string(options_.pool_size) +
                                   " connections stayed busy; try again");
      }
    }
    if (!idle_.empty()) {
      std::unique_ptr<Connection> c = std::move(idle_.back());
      idle_.pop_back();
      return c;
    }
    ++open_;
  }
  Result<std::unique_ptr<Connection>> made = connect();
  if (!made.ok()) {
    MutexLock lock(&mu_);
    --open_;
    freed_.signal();
  }
  return made;
}

void Database::give_back(std::unique_ptr<Connection> conn) {
  MutexLock lock(&mu_);
  if (conn && conn->c.is_open()) {
    idle_.push_back(std::move(conn));
  } else {
    --open_;
  }
  freed_.signal();
}

void Database::drop_idle() {
  MutexLock lock(&mu_);
  open_ -= static_cast<int>(idle_.size());
  idle_.clear();
  freed_.signal_all();
}

Status Database::transact(Kind kind, const std::function<Status(Tx&)>& fn) {
  bool reconnected = false;
  for (int attempt = 1;; ++attempt) {
    ASSIGN_OR_RETURN(std::unique_ptr<Connection> conn, lease());
    Leased leased(std::move(conn),
                  [this](std::unique_ptr<Connection> c) { give_back(std::move(c)); });
    try {
      if (kind == Kind::kWrite) {
        return run_in<pqxx::transaction<pqxx::serializable>>(*leased, fn);
      }
      if (kind == Kind::kLocked) return run_in<pqxx::work>(*leased, fn);
      return run_in<pqxx::transaction<pqxx::repeatable_read, pqxx::read_only>>(*leased, fn);
    } catch (const pqxx::in_doubt_error& e) {
      leased.drop();
      return Status::Unavailable(
          "postgresql: the connection broke during COMMIT, so the change may or may not be "
          "stored; read it back before trying again");
    } catch (const pqxx::broken_connection& e) {
      // The server restarted or the network dropped the connection: nothing was committed.
      // The idle connections went with it: dropped too. Once more on a new connection; then
      // the caller answers 503.
      leased.drop();
      drop_idle();
      if (!reconnected) {
        reconnected = true;
        continue;
      }
      return Status::Unavailable("postgresql: connection lost: " + one_line(e.what()));
    } catch (const pqxx::transaction_rollback& e) {
      // Serialization failure or deadlock: another node's transaction won; run it again.
      if (attempt >= kMaxAttempts) {
        return Status::Unavailable(
            "postgresql: the transaction kept conflicting with concurrent ones; try again");
      }
    } catch (const pqxx::sql_error& e) {
      if (e.sqlstate() == "57014" || e.sqlstate() == "55P03") {  // statement or lock timeout
        return Status::Unavailable("postgresql: timed out: " + one_line(e.what()));
      }
      if (e.sqlstate().rfind("08", 0) == 0 || e.sqlstate().rfind("57P", 0) == 0) {
        leased.drop();  // connection exception, or the server is shutting down
        return Status::Unavailable("postgresql: " + one_line(e.what()));
      }
      return Status::IOError("postgresql: " + one_line(e.what()));
    } catch (const std::exception& e) {
      return Status::IOError("postgresql: " + one_line(e.what()));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(std::min(50, attempt * 2)));
  }
}

Status Database::migrate() {
  for (const Migration& m : migrations()) {
    RETURN_IF_ERROR(transact(Kind::kLocked, [&](Tx& tx) -> Status {
      tx.exec("SELECT pg_advisory_xact_lock($1)", {kMigrationLock});
      tx.exec(
          "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, "
          "name TEXT NOT NULL, applied_at BIGINT NOT NULL)");
      const std::int64_t version =
          tx.query_int("SELECT COALESCE(MAX(version), 0) FROM schema_migrations");
      if (version > latest_schema_version()) {
        return Status::IOError("postgresql: the database has schema version " +
                               std::to_string(version) + ", newer than this cdrd knows (" +
                               std::to_string(latest_schema_version()) + ")");
      }
      if (version >= m.version) return Status::Ok();
      for (std::string_view sql : m.statements) tx.exec(std::string(sql));
      tx.exec("INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)",
              {m.version, m.name, system_now()});
      spdlog::info("postgresql: applied migration {} ({})", m.version, m.name);
      return Status::Ok();
    }));
  }
  return Status::Ok();
}

Status Database::open_secrets() {
  ASSIGN_OR_RETURN(std::optional<SecretBox> box, read_key_file(options_.key_file));
  RETURN_IF_ERROR(transact(Kind::kLocked, [&](Tx& tx) -> Status {
    tx.exec("SELECT pg_advisory_xact_lock($1)", {kMigrationLock});
    const pqxx::result stored = tx.exec("SELECT fingerprint FROM control_secret_key");
    if (stored.empty()) {
      if (!box) {
        ASSIGN_OR_RETURN(SecretBox made, create_key_file(options_.key_file));
        box.emplace(std::move(made));
      }
      tx.exec("INSERT INTO control_secret_key (fingerprint, created_at) VALUES ($1, $2)",
              {fingerprint(*box), system_now()});
      return Status::Ok();
    }
    if (!box) {
      return Status::Denied("no key file at " + options_.key_file +
                            ": this control database already has a key; copy the key file of a "
                            "node that uses it (--control-key-file)");
    }
    if (text_of(stored[0][0]) != fingerprint(*box)) {
      return Status::Denied("key file " + options_.key_file +
                            " is not the key of this control database; copy the key file of a "
                            "node that uses it (--control-key-file)");
    }
    return Status::Ok();
  }));
  secrets_ = std::make_shared<const SecretBox>(std::move(*box));
  return Status::Ok();
}

Result<std::unique_ptr<Database>> Database::open(const PgOptions& options) {
  if (options.url.rfind("postgresql://", 0) != 0 && options.url.rfind("postgres://", 0) != 0) {
    return Status::Invalid("--control: expected postgresql://user@host:port/dbname, got '" +
                           options.url + "'");
  }
  if (options.key_file.empty()) return Status::Invalid("postgresql: no key file given");
  std::unique_ptr<Database> db(new Database(options));
  RETURN_IF_ERROR(db->migrate());
  RETURN_IF_ERROR(db->open_secrets());
  return db;
}

Status Database::check_reachable() {
  return transact(Kind::kRead, [](Tx& tx) {
    tx.exec("SELECT 1");
    return Status::Ok();
  });
}

Status Database::check_schema() {
  return transact(Kind::kRead, [](Tx& tx) -> Status {
    const std::int64_t version =
        tx.query_int("SELECT COALESCE(MAX(version), 0) FROM schema_migrations");
    if (version != latest_schema_version()) {
      return Status::Unavailable("postgresql: schema version " + std::to_string(version) +
                                 ", this cdrd needs " + std::to_string(latest_schema_version()));
    }
    return Status::Ok();
  });
}

}  // namespace cdrd::postgres
