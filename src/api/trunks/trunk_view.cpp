#include "api/trunks/trunk_view.h"

#include "api/page_links.h"
#include "core/enums.h"
#include "core/json_writer.h"

namespace cdrd::api::trunks {
void write_fields(JsonWriter& w, const Trunk& t) {
  w.string_member("trunk_id", t.trunk_id);
  w.string_member("name", t.name);
  w.string_member("trunk_domain", t.trunk_domain);
  w.string_member("trunk_status", to_string(t.status));
  w.string_member("trunk_direction", to_string(t.direction));
  w.bool_member("secure", t.secure);
  w.optional_string_member("default_country", t.default_country.empty()
                                                  ? std::nullopt
                                                  : std::optional<std::string>(t.default_country));
  w.optional_string_member("ipacl_uuid", t.ipacl_uuid);
  w.optional_string_member("credential_uuid", t.credential_uuid);
  w.optional_string_member("primary_uri_uuid", t.primary_uri_uuid);
  w.optional_string_member("fallback_uri_uuid", t.fallback_uri_uuid);
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
  w.optional_string_member(
      "username", u.authentication_needed ? std::optional<std::string>(u.username) : std::nullopt);
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
  w.string_member("api_id", api_id);
  write_list_meta(w, request.limit, request.offset, total_count, request_path, request_params);
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
