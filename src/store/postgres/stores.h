// postgres::ControlStores: the control-plane stores over one shared PostgreSQL database, built
// together for `cdrd serve --control postgresql://...` and the CLI commands that manage
// accounts (docs/scale-out.md):
//   accounts  PgAccountStore  AccountStore  (pg_account_store.h)
//   rating    PgRatingStore   RatingStore   (pg_rating_store.h; billing goes to the calls backend)
//   oauth     PgOAuthStore    OAuthStore    (pg_oauth_store.h)
//   trunks    PgTrunkStore    TrunkStore    (pg_trunk_store.h)
//
// Errors: open_control_stores fails as Database::open does. Thread-safety: as the stores; they
// are destroyed before the database they share, and `calls_billing` must outlive them.
#pragma once

#include <memory>

#include "store/postgres/pg_account_store.h"
#include "store/postgres/pg_database.h"
#include "store/postgres/pg_oauth_store.h"
#include "store/postgres/pg_rating_store.h"
#include "store/postgres/pg_trunk_store.h"

namespace cdrd::postgres {

struct ControlStores {
  ControlStores(std::unique_ptr<Database> database, RatingStore& calls_billing)
      : db(std::move(database)),
        accounts(*db),
        rating(*db, calls_billing),
        oauth(*db),
        trunks(*db) {}
  ControlStores(const ControlStores&) = delete;
  ControlStores& operator=(const ControlStores&) = delete;

  const std::unique_ptr<Database> db;  // declared first: destroyed last
  PgAccountStore accounts;
  PgRatingStore rating;
  PgOAuthStore oauth;
  PgTrunkStore trunks;
};

Result<std::unique_ptr<ControlStores>> open_control_stores(const PgOptions& options,
                                                           RatingStore& calls_billing);

}  // namespace cdrd::postgres
