// The key subcommand of `cdrd` (docs/operations.md, "Files, modes and the secret key"):
//   cdrd key rotate [--db PATH]   seals every stored secret under a new key
// The database (default: <data-dir>/cdrd.db) must not be in use by a running server, which
// keeps the old key in memory: stop it, rotate, start it again.
#include <CLI/CLI.hpp>

#include <iostream>

#include "cli/commands.h"
#include "store/sqlite/secret_keys.h"

namespace cdrd::cli {
namespace {

int run_key_rotate(const GlobalOptions& global, const std::string& db) {
  if (!global.control.empty()) {
    // The secrets are in the control plane, sealed under the key every node shares.
    std::cerr << "cdrd: key rotate rotates the sqlite store's key; the key of a PostgreSQL "
                 "control plane (--control) cannot be rotated yet (docs/scale-out.md)\n";
    return 2;
  }
  std::unique_ptr<sqlite::Stores> store;
  if (db.empty()) {
    store = open_store(global);
  } else if (auto opened = sqlite::open_stores(db); opened.ok()) {
    store = std::move(opened).value();
  } else {
    std::cerr << "cdrd: cannot open the database: " << opened.status().message() << "\n";
  }
  if (!store) return 2;
  const Result<int> resealed = store->db->rotate_secret_key();
  if (!resealed.ok()) {
    std::cerr << "cdrd: key rotation failed: " << resealed.status().message() << "\n";
    return 2;
  }
  const std::string key = sqlite::key_file_path(store->db->path());
  std::cout << "rotated the secret key of " << store->db->path() << ": " << *resealed
            << " secret(s) re-sealed\n"
            << "  new key:      " << key << " (back it up with the database)\n"
            << "  previous key: " << key << ".old (opens only backups taken before now; "
            << "delete it when none is needed)\n";
  return 0;
}

}  // namespace

KeyCommands add_key_commands(CLI::App& app, const GlobalOptions& global) {
  auto db = std::make_shared<std::string>();
  auto* cmd = app.add_subcommand("key", "manage the key that seals the stored secrets");
  cmd->require_subcommand(1);
  auto* rotate = cmd->add_subcommand(
      "rotate", "seal every stored secret under a new key (stop the server first)");
  rotate->add_option("--db", *db, "the database file (default: DATA_DIR/cdrd.db)");
  KeyCommands out;
  out.run = [=, &global]() -> std::optional<int> {
    if (rotate->parsed()) return run_key_rotate(global, *db);
    return std::nullopt;
  };
  return out;
}

}  // namespace cdrd::cli
