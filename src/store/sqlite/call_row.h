// CallRecord <-> one row of the calls table: the column list, the binding of a record to an
// INSERT, and the reading of a SELECT row back into a record. The encodings are listed at the
// top of migrations.cpp. Pure functions over a Statement; thread-safe as the Statement is not.
#pragma once

#include <string>

#include "core/call_record.h"
#include "core/status.h"
#include "store/sqlite/sqlite_db.h"

namespace cdrd::sqlite {

// Every stored column of a call except id, comma separated, in the order bind_call binds them
// and read_call reads them.
extern const char* const kCallColumns;

// The insert of one call that leaves an existing (account_id, call_uuid) untouched.
const std::string& insert_call_sql();

// Binds `call` to an insert_call_sql() statement. `legs_blob` is encode_legs(call.legs) (or
// empty for no legs) and must outlive the step, as must `call`.
void bind_call(Statement& st, const CallRecord& call, const std::string& legs_blob);

// Reads the record from a row whose first columns are kCallColumns.
Result<CallRecord> read_call(const Statement& st);

}  // namespace cdrd::sqlite
