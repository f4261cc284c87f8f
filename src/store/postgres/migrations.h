// The schema of the PostgreSQL control plane, as an append-only list of migrations (the rules
// of store/sqlite/migrations.h: never edit or reorder one that has shipped; add a new one).
// Database::open applies the missing ones, each in its own transaction that first takes the
// advisory lock kMigrationLock, so nodes starting at once apply each migration exactly once and
// wait for each other; a failing migration leaves the database at the previous version.
// Pure data; thread-safe.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

namespace cdrd::postgres {

struct Migration {
  int version;
  std::string_view name;
  std::vector<std::string_view> statements;
};

// pg_advisory_xact_lock key of schema changes and of the key check ("cdrd" in ASCII, then 1).
constexpr std::int64_t kMigrationLock = 0x6364726401;

std::span<const Migration> migrations();
int latest_schema_version();

}  // namespace cdrd::postgres
