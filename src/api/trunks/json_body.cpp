#include "api/trunks/json_body.h"

#include <algorithm>
#include <set>

#include "service/trunks/validators.h"

namespace cdrd::api::trunks {

using service::trunks::echo;

// As service/ingest's describe(RawValue), for the reader's own JsonValue and with the trunk
// API's echo: a switch over another type, kept beside its one user.
std::string describe(const JsonValue& v) {
  switch (v.kind) {
    case JsonKind::kString:
      return "'" + echo(v.text) + "'";
    case JsonKind::kNull:
      return "null";
    case JsonKind::kBool:
      return v.text;
    case JsonKind::kArray:
      return "an array";
    case JsonKind::kObject:
      return "an object";
    case JsonKind::kNumber:
      return echo(v.text);
  }
  return "?";
}

Result<JsonBody> JsonBody::parse(std::string_view text) {
  const bool blank = std::all_of(text.begin(), text.end(), [](char c) {
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
  });
  if (blank) return JsonBody(JsonValue{JsonKind::kObject, {}, {}, {}});
  Result<JsonValue> value = parse_json(text, "body");
  if (!value.ok()) {
    Status refused = value.status();
    const std::string& m = refused.message();
    // A syntax error gets the hint about the media type; a limit names itself.
    if (m.rfind("body is not valid JSON", 0) == 0 || m.rfind("body contains", 0) == 0) {
      return Status::Invalid("the body must be a JSON object (Content-Type: application/json): " +
                             m);
    }
    return refused;
  }
  if (value->kind != JsonKind::kObject) {
    return Status::Invalid(
        "the body must be a JSON object (Content-Type: application/json), "
        "got " +
        describe(*value));
  }
  std::set<std::string_view> seen;
  for (const JsonMember& m : value->members) {
    if (!seen.insert(m.name).second) {
      return Status::Invalid(echo(m.name) + ": given more than once");
    }
  }
  return JsonBody(std::move(value).value());
}

Status JsonBody::check_fields(std::initializer_list<std::string_view> accepted) const {
  for (const JsonMember& m : object_.members) {
    if (std::find(accepted.begin(), accepted.end(), m.name) == accepted.end()) {
      std::string list;
      for (std::string_view a : accepted) list += (list.empty() ? "" : ", ") + std::string(a);
      return Status::Invalid("unknown field '" + echo(m.name) + "'; accepted fields: " + list);
    }
  }
  return Status::Ok();
}

const JsonValue* JsonBody::find(std::string_view name) const {
  for (const JsonMember& m : object_.members) {
    if (m.name == name) return &m.value;
  }
  return nullptr;
}

bool JsonBody::has(std::string_view name) const { return find(name) != nullptr; }

bool JsonBody::is_null(std::string_view name) const {
  const JsonValue* v = find(name);
  return v != nullptr && v->kind == JsonKind::kNull;
}

bool JsonBody::empty() const { return object_.members.empty(); }

Result<std::optional<std::string>> JsonBody::string(std::string_view name, std::string_view form,
                                                    bool secret) const {
  const JsonValue* v = find(name);
  if (v == nullptr || v->kind == JsonKind::kNull) return std::optional<std::string>();
  if (v->kind != JsonKind::kString) {
    std::string m = std::string(name) + ": must be " + std::string(form);
    if (!secret) m += ", got " + describe(*v);
    return Status::Invalid(m);
  }
  return std::optional<std::string>(v->text);
}

Result<std::optional<bool>> JsonBody::boolean(std::string_view name) const {
  const JsonValue* v = find(name);
  if (v == nullptr || v->kind == JsonKind::kNull) return std::optional<bool>();
  if (v->kind != JsonKind::kBool) {
    return Status::Invalid(std::string(name) + ": must be true or false, got " + describe(*v));
  }
  return std::optional<bool>(v->text == "true");
}

Result<std::optional<std::vector<std::string>>> JsonBody::string_array(
    std::string_view name, std::string_view form) const {
  const JsonValue* v = find(name);
  if (v == nullptr || v->kind == JsonKind::kNull) return std::optional<std::vector<std::string>>();
  if (v->kind != JsonKind::kArray) {
    return Status::Invalid(std::string(name) + ": must be " + std::string(form) + ", got " +
                           describe(*v));
  }
  std::vector<std::string> out;
  out.reserve(v->items.size());
  for (std::size_t i = 0; i < v->items.size(); ++i) {
    const JsonValue& item = v->items[i];
    if (item.kind != JsonKind::kString) {
      return Status::Invalid(std::string(name) + "[" + std::to_string(i) +
                             "]: must be a string, got " + describe(item));
    }
    out.push_back(item.text);
  }
  return std::optional<std::vector<std::string>>(std::move(out));
}

}  // namespace cdrd::api::trunks
