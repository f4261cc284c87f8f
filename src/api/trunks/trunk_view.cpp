#include "api/trunks/trunk_view.h"

#include <algorithm>

#include "api/page_links.h"
#include "core/enums.h"
#include "core/json_writer.h"

namespace cdrd::api::trunks {
namespace {

void optional_string_field(JsonWriter& w, std::string_view k, const std::optional<std::string>& v) {
  if (v) {
    w.string_member(k, *v);
  } else {
    w.null_member(k);
  }
}

}  // namespace

void write_fields(JsonWriter& w, const Trunk& t) {
  w.string_member("trunk_id", t.trunk_id);
  w.string_member("name", t.name);
  w.string_member("trunk_domain", t.trunk_domain);
  w.string_member("trunk_status", to_string(t.status));
  w.string_member("trunk_direction", to_string(t.direction));
  w.bool_member("secure", t.secure);
  optional_string_field(w, "ipacl_uuid", t.ipacl_uuid);
  optional_string_field(w, "credential_uuid", t.credential_uuid);
  optional_string_field(w, "primary_uri_uuid", t.primary_uri_uuid);
  optional_string_field(w, "fallback_uri_uuid", t.fallback_uri_uuid);
}

void write_fields(JsonWriter& w, const Credential& c) {
  w.string_member("credential_uuid", c.credential_uuid);
  w.string_member("name", c.name);
  w.string_member("username", c.username);
  w.string_member("realm", c.realm);
}

void write_fields(JsonWriter& w, const OriginationUri& u) {
  w.string_member("uri_uuid", u.uri_uuid);
  w.string_member("name", u.name);
  w.string_member("uri", u.uri);
  w.bool_member("authentication_needed", u.authentication_needed);
  optional_string_field(
      w, "username",
      u.authentication_needed ? std::optional<std::string>(u.username) : std::nullopt);
}

void write_fields(JsonWriter& w, const IpAcl& a) {
  w.string_member("ipacl_uuid", a.ipacl_uuid);
  w.string_member("name", a.name);
  w.key("ip_addresses");
  w.start_array();
  for (const std::string& entry : a.ip_addresses) {
    w.string_value(entry);
  }
  w.end_array();
}

void write_meta(JsonWriter& w, std::int64_t total_count, const PageRequest& request,
                std::string_view request_path, const http::Params& request_params,
                std::string_view api_id) {
  const std::int64_t limit = request.limit;
  const std::int64_t offset = request.offset;
  w.string_member("api_id", api_id);
  w.key("meta");
  w.start_object();
  w.int_member("limit", limit);
  w.key("next");
  if (offset + limit < total_count) {
    const std::string link = page_link(request_path, request_params, limit, offset + limit);
    w.string_value(link);
  } else {
    w.null_value();
  }
  w.int_member("offset", offset);
  w.key("previous");
  if (offset > 0) {
    const std::string link =
        page_link(request_path, request_params, limit, std::max<std::int64_t>(0, offset - limit));
    w.string_value(link);
  } else {
    w.null_value();
  }
  w.int_member("total_count", total_count);
  w.end_object();
}

std::string render_ack(std::string_view api_id, std::string_view message, std::string_view id_key,
                       std::string_view id) {
  JsonWriter w;
  w.start_object();
  w.string_member("api_id", api_id);
  w.string_member("message", message);
  w.string_member(id_key, id);
  w.end_object();
  return w.text();
}

}  // namespace cdrd::api::trunks
