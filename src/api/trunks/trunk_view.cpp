#include "api/trunks/trunk_view.h"

#include <algorithm>

#include "api/page_links.h"
#include "core/enums.h"
#include "core/json_text.h"

namespace cdrd::api::trunks {
namespace {

void key(JsonWriter& w, std::string_view k) {
  w.Key(k.data(), static_cast<rapidjson::SizeType>(k.size()));
}

void string_field(JsonWriter& w, std::string_view k, std::string_view v) {
  key(w, k);
  json_write_string(w, v);
}

void optional_string_field(JsonWriter& w, std::string_view k,
                           const std::optional<std::string>& v) {
  if (v) {
    string_field(w, k, *v);
  } else {
    key(w, k);
    w.Null();
  }
}

void bool_field(JsonWriter& w, std::string_view k, bool v) {
  key(w, k);
  w.Bool(v);
}

}  // namespace

void write_fields(JsonWriter& w, const Trunk& t) {
  string_field(w, "trunk_id", t.trunk_id);
  string_field(w, "name", t.name);
  string_field(w, "trunk_domain", t.trunk_domain);
  string_field(w, "trunk_status", to_string(t.status));
  string_field(w, "trunk_direction", to_string(t.direction));
  bool_field(w, "secure", t.secure);
  optional_string_field(w, "ipacl_uuid", t.ipacl_uuid);
  optional_string_field(w, "credential_uuid", t.credential_uuid);
  optional_string_field(w, "primary_uri_uuid", t.primary_uri_uuid);
  optional_string_field(w, "fallback_uri_uuid", t.fallback_uri_uuid);
}

void write_fields(JsonWriter& w, const Credential& c) {
  string_field(w, "credential_uuid", c.credential_uuid);
  string_field(w, "name", c.name);
  string_field(w, "username", c.username);
  string_field(w, "realm", c.realm);
}

void write_fields(JsonWriter& w, const OriginationUri& u) {
  string_field(w, "uri_uuid", u.uri_uuid);
  string_field(w, "name", u.name);
  string_field(w, "uri", u.uri);
  bool_field(w, "authentication_needed", u.authentication_needed);
  optional_string_field(w, "username", u.authentication_needed
                                           ? std::optional<std::string>(u.username)
                                           : std::nullopt);
}

void write_fields(JsonWriter& w, const IpAcl& a) {
  string_field(w, "ipacl_uuid", a.ipacl_uuid);
  string_field(w, "name", a.name);
  key(w, "ip_addresses");
  w.StartArray();
  for (const std::string& entry : a.ip_addresses) {
    json_write_string(w, entry);
  }
  w.EndArray();
}

void write_meta(JsonWriter& w, std::int64_t total_count, const PageRequest& request,
                std::string_view request_path, const http::Params& request_params,
                std::string_view api_id) {
  const std::int64_t limit = request.limit;
  const std::int64_t offset = request.offset;
  string_field(w, "api_id", api_id);
  key(w, "meta");
  w.StartObject();
  key(w, "limit");
  w.Int64(limit);
  key(w, "next");
  if (offset + limit < total_count) {
    const std::string link =
        page_link(request_path, request_params, limit, offset + limit);
    w.String(link.data(), static_cast<rapidjson::SizeType>(link.size()));
  } else {
    w.Null();
  }
  key(w, "offset");
  w.Int64(offset);
  key(w, "previous");
  if (offset > 0) {
    const std::string link = page_link(request_path, request_params, limit,
                                                 std::max<std::int64_t>(0, offset - limit));
    w.String(link.data(), static_cast<rapidjson::SizeType>(link.size()));
  } else {
    w.Null();
  }
  key(w, "total_count");
  w.Int64(total_count);
  w.EndObject();
}

std::string render_ack(std::string_view api_id, std::string_view message, std::string_view id_key,
                       std::string_view id) {
  rapidjson::StringBuffer buf;
  JsonWriter w(buf);
  w.StartObject();
  string_field(w, "api_id", api_id);
  string_field(w, "message", message);
  string_field(w, id_key, id);
  w.EndObject();
  return std::string(buf.GetString(), buf.GetSize());
}

}  // namespace cdrd::api::trunks
