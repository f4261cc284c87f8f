// The stores a command works on (docs/scale-out.md): the calls in the sqlite database of
// --data-dir (or, with --calls, in ClickHouse: choose_calls in commands.h); the control plane
// (accounts, rate decks, OAuth apps, trunks) in that database too, or, with --control
// postgresql://..., in the shared PostgreSQL database every node uses. Only the CLI picks the
// backend (docs/architecture.md); everything above it sees the interfaces.
#pragma once

#include <memory>

#include "cli/commands.h"
#include "store/postgres/stores.h"
#include "store/sqlite/stand_in_accounts.h"
#include "store/sqlite/stores.h"

namespace cdrd::cli {

struct Backends {
  // Declared in the order they are made: destroyed in reverse (the control plane's rating store
  // bills calls through the sqlite one).
  std::unique_ptr<sqlite::Stores> sqlite;
  std::unique_ptr<postgres::ControlStores> control;                  // with --control
  std::unique_ptr<sqlite::StandInAccountsCallStore> stand_in_calls;  // with --control

  AccountStore* accounts = nullptr;
  CallStore* calls = nullptr;
  RatingStore* rating = nullptr;
  OAuthStore* oauth = nullptr;
  TrunkStore* trunks = nullptr;
};

// Opens the sqlite store (open_store) and, with --control, the PostgreSQL control plane; prints
// the error and returns null on failure.
std::unique_ptr<Backends> open_backends(const GlobalOptions& global, SqliteOptions options = {});

}  // namespace cdrd::cli
