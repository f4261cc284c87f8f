// CallQuery -> the WHERE clause of the calls table and its bound values. The clause is
// assembled only from fixed fragments chosen by which filters are present (and one '?' per list
// value); every value is bound, never spliced into the text. Pure; thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/call_query.h"
#include "store/sqlite/sqlite_db.h"

namespace cdrd::sqlite {

struct CallFilter {
  std::string where;  // "account_id = ? AND ..." (no WHERE keyword)
  std::vector<SqlValue> values;
  // True when the query can match nothing (an empty range, a list of unknown flows): answer
  // without asking the database.
  bool matches_nothing = false;
};

// `all_accounts`: leave query.account_id out (the operator's export of every account).
CallFilter build_call_filter(const CallQuery& query, bool all_accounts = false);

// The least string greater than every string that begins with `prefix` (bytewise, as SQLite's
// BINARY collation compares), or nullopt when there is none (prefix empty or all 0xFF bytes).
// "919" -> "91:"; "a\xff" -> "b".
std::optional<std::string> prefix_successor(std::string_view prefix);

// The stored direction code a cloud-PBX flow names ("in" inbound, "out" outbound), if any.
std::optional<std::int64_t> flow_direction_code(std::string_view flow);

}  // namespace cdrd::sqlite
