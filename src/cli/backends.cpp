#include "cli/backends.h"

#include <filesystem>
#include <iostream>

namespace cdrd::cli {

std::unique_ptr<Backends> open_backends(const GlobalOptions& global, SqliteOptions options) {
  auto b = std::make_unique<Backends>();
  b->sqlite = open_store(global, options);
  if (!b->sqlite) return nullptr;
  b->accounts = &b->sqlite->accounts;
  b->calls = &b->sqlite->calls;
  b->rating = &b->sqlite->rating;
  b->oauth = &b->sqlite->oauth;
  b->trunks = &b->sqlite->trunks;
  if (global.control.empty()) return b;

  postgres::PgOptions pg;
  pg.url = global.control;
  pg.key_file = global.control_key_file.empty()
                    ? (std::filesystem::path(global.data_dir) / "control.key").string()
                    : global.control_key_file;
  pg.pool_size = global.control_pool_size;
  pg.statement_timeout_ms = global.control_timeout_ms;
  auto control = postgres::open_control_stores(pg, b->sqlite->rating);
  if (!control.ok()) {
    std::cerr << "cdrd: cannot open the control plane: " << control.status().message() << "\n";
    return nullptr;
  }
  b->control = std::move(control).value();
  b->stand_in_calls =
      std::make_unique<sqlite::StandInAccountsCallStore>(*b->sqlite->db, b->sqlite->calls);
  b->accounts = &b->control->accounts;
  b->calls = b->stand_in_calls.get();
  b->rating = &b->control->rating;
  b->oauth = &b->control->oauth;
  b->trunks = &b->control->trunks;
  return b;
}

}  // namespace cdrd::cli
