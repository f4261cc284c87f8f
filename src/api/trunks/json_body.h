// JsonBody: the JSON object a create or update request sends, read field by field. Every
// refusal is kInvalidArgument naming the field and the accepted form; the value is echoed
// (bounded) except for secrets.
//
// A field given as null reads as absent; the trunk's links tell null apart with is_null().
// The body is read by the bounded reader (core/json_reader.h): nested deeper than 8 levels, a
// string over 16 KiB, an array over 1000 elements or an object over 256 members is refused
// (kInvalidArgument naming the limit) before any tree is built.
// Not thread-safe (a request's own value).
#pragma once

#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/json_reader.h"
#include "core/status.h"

namespace cdrd::api::trunks {

class JsonBody {
 public:
  // The body as a JSON object (UTF-8 validated). An empty or all-blank body is an empty object.
  // Anything else, and a member name given twice, is kInvalidArgument.
  static Result<JsonBody> parse(std::string_view text);

  // kInvalidArgument naming the first member whose name is not in `accepted` (and listing them).
  Status check_fields(std::initializer_list<std::string_view> accepted) const;

  bool has(std::string_view name) const;      // present, null or not
  bool is_null(std::string_view name) const;  // present as null
  bool empty() const;                         // no member at all

  // Absent or null: nullopt. Otherwise the value, or kInvalidArgument "name: must be FORM,
  // got VALUE" (VALUE left out when `secret`).
  Result<std::optional<std::string>> string(std::string_view name, std::string_view form,
                                            bool secret = false) const;
  Result<std::optional<bool>> boolean(std::string_view name) const;
  // An array of strings; an element that is not a string is refused as "name[i]".
  Result<std::optional<std::vector<std::string>>> string_array(std::string_view name,
                                                               std::string_view form) const;

 private:
  explicit JsonBody(JsonValue object) : object_(std::move(object)) {}
  const JsonValue* find(std::string_view name) const;

  JsonValue object_;  // kObject
};

// A short description of a JSON value for messages: 'text' (bounded), 12, true, null,
// an array, an object.
std::string describe(const JsonValue& v);

}  // namespace cdrd::api::trunks
