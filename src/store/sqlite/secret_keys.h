// The secrets a sqlite::Database keeps sealed (core/secret_box.h) and the key file that opens them.
//
// Which columns hold secrets is one table (secret_keys.cpp: origination_uris.password); each
// holds either '' (no secret) or a sealed value "v1:...". The key is 32 random bytes, kept
// base64-encoded in the key file "<database>.key" beside the database, mode 0600: a copy of the
// database alone does not reveal the secrets, and a database restored without its key file has
// lost them (docs/operations.md: back the two up together).
//
// open_secrets (at Database::open) creates the key file when it is missing, checks that the
// key opens the stored secrets, finishes a rotation that stopped between its commit and its file
// renames, and seals any secret still stored in plain text (databases from before sealing).
// rotate_key (Database::rotate_secret_key) re-seals every secret under a new key in one write
// transaction; the previous key file is kept as "<database>.key.old".
//
// Errors: kPermissionDenied when the key file does not open the stored secrets; kInvalidArgument
// for a malformed key file; kIOError for file and SQLite failures. Thread-safety: the functions
// need the writer connection to themselves.
#pragma once

#include <memory>
#include <string>

#include "core/secret_box.h"
#include "core/status.h"
#include "store/sqlite/sqlite_db.h"

namespace cdrd::sqlite {

std::string key_file_path(const std::string& db_path);

// The box of the database at `db_path`, ready for use (see above).
Result<std::shared_ptr<const SecretBox>> open_secrets(Connection& writer,
                                                      const std::string& db_path);

struct RotatedKey {
  int resealed = 0;                      // how many stored values were re-sealed
  std::shared_ptr<const SecretBox> box;  // the new key's box
};
// Re-seals every secret sealed under `current` under a new key and makes that the key file.
// On a failure before the commit nothing changed; after it (a failed rename of the key files)
// the error says so, and the next open_secrets finishes the renames.
Result<RotatedKey> rotate_key(Connection& writer, const std::string& db_path,
                              const SecretBox& current);

}  // namespace cdrd::sqlite
