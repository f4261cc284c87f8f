#include "api/trunks/json_body.h"

#include <rapidjson/error/en.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <set>

#include "api/trunks/validators.h"

namespace cdrd::api::trunks {
namespace {

std::string_view name_of(const rapidjson::Value& v) {
  return std::string_view(v.GetString(), v.GetStringLength());
}

}  // namespace

std::string describe(const rapidjson::Value& v) {
  if (v.IsString()) return "'" + echo(name_of(v)) + "'";
  if (v.IsNull()) return "null";
  if (v.IsBool()) return v.GetBool() ? "true" : "false";
  if (v.IsArray()) return "an array";
  if (v.IsObject()) return "an object";
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> w(buf);
  v.Accept(w);
  return echo(std::string_view(buf.GetString(), buf.GetSize()));
}

Result<JsonBody> JsonBody::parse(std::string_view text) {
  auto doc = std::make_unique<rapidjson::Document>();
  const bool blank = std::all_of(text.begin(), text.end(), [](char c) {
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
  });
  if (blank) {
    doc->SetObject();
    return JsonBody(std::move(doc));
  }
  // Without kParseStopWhenDoneFlag, anything but white space after the value is an error.
  // Iterative: a recursive parse of a deeply nested body ("[[[[...") overflows the stack.
  doc->Parse<rapidjson::kParseValidateEncodingFlag | rapidjson::kParseIterativeFlag>(text.data(),
                                                                                     text.size());
  if (doc->HasParseError()) {
    return Status::Invalid(std::string("the body must be a JSON object (Content-Type: "
                                       "application/json): ") +
                           rapidjson::GetParseError_En(doc->GetParseError()) + " at offset " +
                           std::to_string(doc->GetErrorOffset()));
  }
  if (!doc->IsObject()) {
    return Status::Invalid("the body must be a JSON object (Content-Type: application/json), "
                           "got " + describe(*doc));
  }
  std::set<std::string_view> seen;
  for (const auto& m : doc->GetObject()) {
    if (!seen.insert(name_of(m.name)).second) {
      return Status::Invalid(echo(name_of(m.name)) + ": given more than once");
    }
  }
  return JsonBody(std::move(doc));
}

Status JsonBody::check_fields(std::initializer_list<std::string_view> accepted) const {
  for (const auto& m : doc_->GetObject()) {
    const std::string_view name = name_of(m.name);
    if (std::find(accepted.begin(), accepted.end(), name) == accepted.end()) {
      std::string list;
      for (std::string_view a : accepted) list += (list.empty() ? "" : ", ") + std::string(a);
      return Status::Invalid("unknown field '" + echo(name) + "'; accepted fields: " + list);
    }
  }
  return Status::Ok();
}

const rapidjson::Value* JsonBody::find(std::string_view name) const {
  for (const auto& m : doc_->GetObject()) {
    if (name_of(m.name) == name) return &m.value;
  }
  return nullptr;
}

bool JsonBody::has(std::string_view name) const { return find(name) != nullptr; }

bool JsonBody::is_null(std::string_view name) const {
  const rapidjson::Value* v = find(name);
  return v != nullptr && v->IsNull();
}

bool JsonBody::empty() const { return doc_->MemberCount() == 0; }

Result<std::optional<std::string>> JsonBody::string(std::string_view name, std::string_view form,
                                                    bool secret) const {
  const rapidjson::Value* v = find(name);
  if (v == nullptr || v->IsNull()) return std::optional<std::string>();
  if (!v->IsString()) {
    std::string m = std::string(name) + ": must be " + std::string(form);
    if (!secret) m += ", got " + describe(*v);
    return Status::Invalid(m);
  }
  return std::optional<std::string>(std::string(name_of(*v)));
}

Result<std::optional<bool>> JsonBody::boolean(std::string_view name) const {
  const rapidjson::Value* v = find(name);
  if (v == nullptr || v->IsNull()) return std::optional<bool>();
  if (!v->IsBool()) {
    return Status::Invalid(std::string(name) + ": must be true or false, got " + describe(*v));
  }
  return std::optional<bool>(v->GetBool());
}

Result<std::optional<std::vector<std::string>>> JsonBody::string_array(
    std::string_view name, std::string_view form) const {
  const rapidjson::Value* v = find(name);
  if (v == nullptr || v->IsNull()) return std::optional<std::vector<std::string>>();
  if (!v->IsArray()) {
    return Status::Invalid(std::string(name) + ": must be " + std::string(form) + ", got " +
                           describe(*v));
  }
  std::vector<std::string> out;
  for (rapidjson::SizeType i = 0; i < v->Size(); ++i) {
    const rapidjson::Value& item = (*v)[i];
    if (!item.IsString()) {
      return Status::Invalid(std::string(name) + "[" + std::to_string(i) +
                             "]: must be a string, got " + describe(item));
    }
    out.emplace_back(name_of(item));
  }
  return std::optional<std::vector<std::string>>(std::move(out));
}

}  // namespace cdrd::api::trunks
