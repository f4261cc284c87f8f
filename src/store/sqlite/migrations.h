// The versioned schema of the sqlite store. Migration N is a list of SQL statements; at open,
// every migration newer than the database is applied in order, each in its own transaction,
// and recorded in `schema_migrations` (and in PRAGMA user_version, for tools).
// How to add one: see the top of migrations.cpp.
//
// Thread-safety: migrate() needs the writer connection to itself (the store calls it at open,
// before any other use). Two processes opening the same file serialise on BEGIN IMMEDIATE.
#pragma once

#include <span>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "core/time.h"
#include "store/sqlite/sqlite_db.h"

namespace cdrd::sqlite {

struct Migration {
  int version;            // 1, 2, 3, ... without gaps
  std::string_view name;  // what it adds, for the schema_migrations row
  std::vector<std::string_view> statements;
};

// Every migration, oldest first.
std::span<const Migration> migrations();
// The version a fully migrated database has.
int latest_schema_version();

// Brings the database up to latest_schema_version(). Refuses (kIOError) a database whose
// version is newer than this build knows.
Status migrate(Connection& conn);

}  // namespace cdrd::sqlite
