#include "store/sqlite/secret_keys.h"

#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string_view>
#include <vector>

#include "core/crypto.h"
#include "core/errno_text.h"

namespace cdrd::sqlite {
namespace {

// Every column that holds a sealed secret. A new secret column is one more line here.
struct SecretColumn {
  std::string_view table, column;
};
constexpr SecretColumn kSecretColumns[] = {
    {"origination_uris", "password"},
};

// Writes `text` to a new file `path` with mode 0600, synced. kIOError when it exists.
Status write_private_file(const std::string& path, const std::string& text) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) return Status::IOError("cannot create key file " + path + ": " + errno_text());
  bool ok = ::fchmod(fd, 0600) == 0 &&
            ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) &&
            ::fsync(fd) == 0;
  const std::string err = errno_text();
  ::close(fd);
  if (!ok) {
    ::unlink(path.c_str());
    return Status::IOError("cannot write key file " + path + ": " + err);
  }
  return Status::Ok();
}

// Makes the rename of a key file durable.
void sync_dir_of(const std::string& path) {
  std::string dir = std::filesystem::path(path).parent_path().string();
  if (dir.empty()) dir = ".";
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return;
  (void)::fsync(fd);
  ::close(fd);
}

Result<SecretBox> read_key_file(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) == 0 && (st.st_mode & 077) != 0) {
    if (::chmod(path.c_str(), 0600) != 0) {
      return Status::IOError("cannot restrict the mode of key file " + path + ": " + errno_text());
    }
    spdlog::warn("key file {} was open to other users (mode {:04o}); restricted it to 0600", path,
                 st.st_mode & 07777);
  }
  std::ifstream in(path);
  std::string line;
  if (!in || !std::getline(in, line)) {
    return Status::IOError("cannot read key file " + path);
  }
  while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
  const std::optional<std::string> key = base64_decode(line);
  if (!key || key->size() != SecretBox::kKeyBytes) {
    return Status::Invalid("key file " + path + ": expected one line, the base64 of " +
                           std::to_string(SecretBox::kKeyBytes) + " bytes");
  }
  return SecretBox::from_key(*key);
}

Status create_key_file(const std::string& path) {
  RETURN_IF_ERROR(write_private_file(path, base64_encode(SecretBox::new_key()) + "\n"));
  sync_dir_of(path);
  spdlog::info("created key file {} (back it up with the database)", path);
  return Status::Ok();
}

// Ok when `box` opens every sealed secret stored (the first one of each column is tried: all
// were sealed under one key); kPermissionDenied when it does not.
Status check_key(Connection& c, const SecretBox& box, const std::string& key_path) {
  for (const SecretColumn& col : kSecretColumns) {
    const std::string column(col.column);
    ASSIGN_OR_RETURN(const std::optional<std::string> sealed,
                     c.query_one("SELECT " + column + " FROM " + std::string(col.table) +
                                     " WHERE " + column + " LIKE 'v1:%' ORDER BY id LIMIT 1",
                                 [](const Statement& st) { return st.text(0); }));
    if (!sealed || !SecretBox::looks_sealed(*sealed)) continue;
    if (Result<std::string> opened = box.open(*sealed); !opened.ok()) {
      return Status::Denied("key file " + key_path +
                            " does not open the secrets stored in this "
                            "database (another database's key, or a replaced key file?); put back "
                            "the key file backed up with this database");
    }
  }
  return Status::Ok();
}

// Re-writes every secret column: plain text and values sealed under `from` (when given) are
// sealed under `to`. Runs inside the caller's write transaction.
Status reseal(Connection& c, const SecretBox* from, const SecretBox& to, int* changed) {
  for (const SecretColumn& col : kSecretColumns) {
    const std::string table(col.table), column(col.column);
    ASSIGN_OR_RETURN(
        auto rows,
        c.query_all("SELECT id, " + column + " FROM " + table + " WHERE " + column + " <> ''",
                    [](const Statement& st) { return std::pair(st.int64(0), st.text(1)); }));
    const std::string update = "UPDATE " + table + " SET " + column + " = ? WHERE id = ?";
    for (auto& [id, value] : rows) {
      std::string plain;
      if (!SecretBox::looks_sealed(value)) {
        plain = std::move(value);  // stored before sealing existed
      } else if (from != nullptr) {
        Result<std::string> opened = from->open(value);
        if (!opened.ok()) {
          return Status::Denied(table + "." + column + " of row " + std::to_string(id) + ": " +
                                opened.status().message());
        }
        plain = std::move(opened).value();
      } else {
        continue;  // already sealed under the current key
      }
      RETURN_IF_ERROR(c.run(update, to.seal(plain), id));
      ++*changed;
    }
  }
  return Status::Ok();
}

}  // namespace

std::string key_file_path(const std::string& db_path) { return db_path + ".key"; }

Result<std::shared_ptr<const SecretBox>> open_secrets(Connection& writer,
                                                      const std::string& db_path) {
  const std::string key_path = key_file_path(db_path);
  const std::string new_path = key_path + ".new";
  std::error_code ec;
  if (!std::filesystem::exists(key_path, ec)) {
    RETURN_IF_ERROR(create_key_file(key_path));
  }
  Result<SecretBox> box = read_key_file(key_path);
  if (!box.ok()) return box.status();
  Status checked = check_key(writer, *box, key_path);
  const bool pending_new = std::filesystem::exists(new_path, ec);
  if (!checked.ok() && checked.code() == Status::Code::kPermissionDenied && pending_new) {
    // A rotation committed its re-sealed secrets but stopped before renaming the key files.
    Result<SecretBox> next = read_key_file(new_path);
    if (next.ok() && check_key(writer, *next, new_path).ok()) {
      std::filesystem::rename(key_path, key_path + ".old", ec);
      if (!ec) std::filesystem::rename(new_path, key_path, ec);
      if (ec) return Status::IOError("finishing a key rotation: " + ec.message());
      sync_dir_of(key_path);
      spdlog::warn("finished an interrupted key rotation: {} is now the key", key_path);
      box = std::move(next);
      checked = Status::Ok();
    }
  } else if (checked.ok() && pending_new) {
    // A rotation that did not commit: its new key opens nothing.
    std::filesystem::remove(new_path, ec);
  }
  if (!checked.ok()) return checked;

  // secure_delete: the space a replaced plain-text value leaves is zeroed, not left readable.
  // The build's default, put back afterwards.
  ASSIGN_OR_RETURN(
      const std::optional<std::int64_t> secure_delete,
      writer.query_one("PRAGMA secure_delete", [](const Statement& st) { return st.int64(0); }));
  RETURN_IF_ERROR(writer.exec("PRAGMA secure_delete=ON"));
  int changed = 0;
  Status sealed = [&]() -> Status {
    ASSIGN_OR_RETURN(Transaction tx, Transaction::begin(writer, Transaction::Kind::kWrite));
    RETURN_IF_ERROR(reseal(writer, nullptr, *box, &changed));
    return tx.commit();
  }();
  RETURN_IF_ERROR(writer.exec("PRAGMA secure_delete=" + std::to_string(secure_delete.value_or(0))));
  if (!sealed.ok()) return sealed;
  if (changed > 0) spdlog::info("sealed {} secret(s) stored in plain text", changed);
  return std::make_shared<const SecretBox>(std::move(box).value());
}

Result<RotatedKey> rotate_key(Connection& writer, const std::string& db_path,
                              const SecretBox& current) {
  const std::string key_path = key_file_path(db_path);
  const std::string new_path = key_path + ".new";
  ASSIGN_OR_RETURN(SecretBox next, SecretBox::from_key(SecretBox::new_key()));
  std::error_code ec;
  std::filesystem::remove(new_path, ec);  // left by a rotation that did not commit
  RETURN_IF_ERROR(write_private_file(new_path, base64_encode(next.key()) + "\n"));
  int changed = 0;
  {
    Result<Transaction> tx = Transaction::begin(writer, Transaction::Kind::kWrite);
    Status s = tx.ok() ? reseal(writer, &current, next, &changed) : tx.status();
    if (s.ok()) s = tx->commit();
    if (!s.ok()) {
      std::filesystem::remove(new_path, ec);  // nothing changed: the old key stays
      return s;
    }
  }
  // Committed: from here on only the new key opens the secrets. open_secrets finishes these
  // renames if the process stops between them.
  std::filesystem::rename(key_path, key_path + ".old", ec);
  if (!ec) std::filesystem::rename(new_path, key_path, ec);
  if (ec) {
    return Status::IOError("the secrets are re-sealed under " + new_path +
                           " but renaming the key files failed (" + ec.message() +
                           "); the next open finishes it");
  }
  sync_dir_of(key_path);
  return RotatedKey{changed, std::make_shared<const SecretBox>(std::move(next))};
}

}  // namespace cdrd::sqlite
