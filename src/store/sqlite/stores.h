// sqlite::Stores: the five sqlite stores over one sqlite::Database, built together for the
// callers that want all of them (the `cdrd` subcommands, tests). Each store is also usable on
// its own over a Database (database.h):
//   accounts  SqliteAccountStore  AccountStore  (sqlite_account_store.h)
//   calls     SqliteCallStore     CallStore     (sqlite_call_store.h)
//   rating    SqliteRatingStore   RatingStore   (sqlite_rating_store.h)
//   oauth     SqliteOAuthStore    OAuthStore    (sqlite_oauth_store.h)
//   trunks    SqliteTrunkStore    TrunkStore    (sqlite_trunk_store.h)
//
// Errors: open_stores fails as Database::open does. Thread-safety: as the stores, safe for
// concurrent use; the stores are destroyed before the database they share.
#pragma once

#include <memory>
#include <string>

#include "core/status.h"
#include "store/sqlite/database.h"
#include "store/sqlite/sqlite_account_store.h"
#include "store/sqlite/sqlite_call_store.h"
#include "store/sqlite/sqlite_oauth_store.h"
#include "store/sqlite/sqlite_rating_store.h"
#include "store/sqlite/sqlite_trunk_store.h"

namespace cdrd::sqlite {

struct Stores {
  explicit Stores(std::unique_ptr<Database> database)
      : db(std::move(database)), accounts(*db), calls(*db), rating(*db), oauth(*db), trunks(*db) {}
  Stores(const Stores&) = delete;
  Stores& operator=(const Stores&) = delete;

  const std::unique_ptr<Database> db;  // declared first: destroyed last
  SqliteAccountStore accounts;
  SqliteCallStore calls;
  SqliteRatingStore rating;
  SqliteOAuthStore oauth;
  SqliteTrunkStore trunks;
};

// Opens the database at `path` (Database::open) and builds the stores over it.
Result<std::unique_ptr<Stores>> open_stores(const std::string& path, SqliteOptions opts = {});

}  // namespace cdrd::sqlite
