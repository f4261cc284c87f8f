// CallRecord <-> one row of the calls table: the column list, the binding of a record to an
// INSERT, and the reading of a SELECT row back into a record. The encodings are listed at the
// top of migrations.cpp. Pure functions over a Statement; thread-safe as the Statement is not.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/call_record.h"
#include "core/status.h"
#include "store/sqlite/sqlite_db.h"

namespace cdrd::sqlite {

// Every stored column of a call except id, comma separated, in the order bind_call binds them
// and read_call reads them; the uuid is read as COALESCE(call_uuid_as_sent, call_uuid), the
// spelling it was stored with.
extern const char* const kCallColumns;
// The first kTrunkCallColumnCount columns of kCallColumns: those of the SIP-trunk vocabulary
// (CallRecord's account_id through cnam_lookup_rate), all a SIP-trunk view of a call shows.
extern const char* const kTrunkCallColumns;
inline constexpr int kTrunkCallColumnCount = 30;
// How many columns kCallColumns names.
inline constexpr int kCallColumnCount = 61;

// The insert of one call. call_uuid is the uuid folded to ASCII lower case (so the same call in
// another case is a duplicate), call_uuid_as_sent the uuid as sent when that differs (both from
// the record's call_uuid). The table has no unique key on the uuid since migration 10: the
// caller refuses duplicates first (SqliteCallStore, through the account's CallUuidMap).
const std::string& insert_call_sql();

// Binds `call` to an insert_call_sql() statement. `legs_blob` is encode_legs(call.legs) (or
// empty for no legs); `uuid_key` is scratch space that receives the folded uuid (the key): both
// must outlive the step, as must `call`. `id`: the row id to give the row, or none for SQLite's
// own choice (MAX(id) + 1).
void bind_call(Statement& st, const CallRecord& call, const std::string& legs_blob,
               std::string& uuid_key, std::optional<std::int64_t> id = std::nullopt);
// The same with the key given: `folded_key` is call.call_uuid folded to ASCII lower case
// (ascii_lower), made once by the caller (ingest's writer folds each uuid once, for its hash,
// its duplicate check and this bind); it must outlive the step.
void bind_call_keyed(Statement& st, const CallRecord& call, std::string_view legs_blob,
                     std::string_view folded_key, std::optional<std::int64_t> id = std::nullopt);

// The same insert for a call without any cloud-PBX field, quality metric or legs (every call of
// the SIP-trunk API): those 29 columns are written as SQL constants ('' or NULL, what
// bind_call binds for them) rather than bound, a third of the binds of a row fewer. Whether a
// record is one is is_trunk_only_call; bind_trunk_only_call_keyed binds the rest, as
// bind_call_keyed does.
const std::string& insert_trunk_only_call_sql();
bool is_trunk_only_call(const CallRecord& call);

// The CHECK constraint of the calls table that `call`'s row would fail, as SQLite names it in
// its message ("direction BETWEEN 0 AND 1": each enum's code in its range, migrations.cpp), in
// the table's order, or nullopt when it fails none (every record a validator made). For a writer
// that runs without SQLite's checks (SqliteCallStore's group commit): it refuses the row with
// the same failure. The 0/1 columns are bound from bools and cannot fail theirs.
std::optional<std::string_view> failed_check(const CallRecord& call);

// The trunk-only insert of `rows` calls in one statement (INSERT ... VALUES (...), (...), ...):
// SQLite's work of a statement (its cursors opened and closed, its end) is paid once for all of
// them, about a tenth of its instructions per row at 32 rows. Row k's parameters follow row
// k - 1's: bind_trunk_only_call_keyed with `first_parameter` k * kTrunkOnlyParameters + 1. Without
// ids, SQLite gives the rows MAX(id) + 1, MAX(id) + 2, ... in order, as one insert per row
// would.
std::string insert_trunk_only_calls_sql(int rows);
// The parameters of one call in the trunk-only insert: the 63 stored values (61 columns, the
// uuid's spelling and the id) less the 29 constants.
inline constexpr int kTrunkOnlyParameters = kCallColumnCount + 2 - 29;
// `first_parameter`: 1 for insert_trunk_only_call_sql(), k * kTrunkOnlyParameters + 1 for row k
// of insert_trunk_only_calls_sql().
void bind_trunk_only_call_keyed(Statement& st, const CallRecord& call, std::string_view folded_key,
                                std::optional<std::int64_t> id, int first_parameter = 1);

// Reads the record from a row whose first columns are kCallColumns.
Result<CallRecord> read_call(const Statement& st);
// The same into `call`, a record made by CallRecord's default constructor: read in place, so
// a page of rows is not moved record by record.
Status read_call_into(const Statement& st, CallRecord& call);
// The SIP-trunk fields of `call` (a default-constructed record) from a row whose first columns
// are kTrunkCallColumns; the other fields are left as they are.
Status read_trunk_call_into(const Statement& st, CallRecord& call);

}  // namespace cdrd::sqlite
