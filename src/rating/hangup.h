// Hangup causes: the provider's table of four-digit hangup codes, each with its cause name and
// category. The table is data (src/rating/hangup_codes.csv), compiled in by a build step
// (src/rating/embed_hangup_codes.cmake), never typed into code. Several codes may share a name
// (3000 and 3010 are both normal_hangup). Read-only static data: thread-safe.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "core/status.h"

namespace cdrd::rating {

struct HangupCause {
  int code = 0;
  std::string_view name;      // e.g. "normal_hangup"
  std::string_view category;  // e.g. "normal"
};

// The whole table, ascending by code (codes are unique). Defined by the generated source.
std::span<const HangupCause> hangup_causes();

// The cause with this code, or nullptr when the table does not know it.
const HangupCause* find_hangup_cause(int code);

// Reconciles a record's hangup code and cause name:
// - no code: ok, `name` is kept as given;
// - a known code and an empty name: `name` becomes the code's name;
// - a known code and the same name in any letter case: ok, `name` becomes the table's spelling;
// - a known code and another name: kInvalidArgument
//   "hangup_cause_name: 'x' contradicts hangup_cause_code 3000 (normal_hangup)";
// - an unknown code: ok, `name` is kept as given (possibly empty).
Status check_hangup(std::optional<int> code, std::string& name);

}  // namespace cdrd::rating
