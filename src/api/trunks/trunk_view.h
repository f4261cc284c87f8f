// The JSON views of the trunk control plane: one object per resource (attributes of the
// reference, never a password or a digest), the retrieve body (api_id + the object), the list
// envelope of the SIP-trunk API ({"api_id", "meta": {limit, next, offset, previous,
// total_count}, "objects"}; next/previous are the neighbouring page's path and query, or null)
// and the create/update acknowledgements. Pure; thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "core/call_query.h"
#include "core/json_writer.h"
#include "core/trunk.h"
#include "http/message.h"

namespace cdrd::api::trunks {

// The attributes of one resource, written into an open JSON object.
void write_fields(JsonWriter& w, const Trunk& t);
void write_fields(JsonWriter& w, const Credential& c);
void write_fields(JsonWriter& w, const OriginationUri& u);
void write_fields(JsonWriter& w, const IpAcl& a);

// {"api_id": ..., <the attributes>}
template <class Row>
std::string render_object(const Row& row, std::string_view api_id);

// The list envelope of one page.
template <class Row>
std::string render_list(const Page<Row>& page, const PageRequest& request,
                        std::string_view request_path, const http::Params& request_params,
                        std::string_view api_id);

// {"api_id": ..., "message": message, id_key: id}
std::string render_ack(std::string_view api_id, std::string_view message, std::string_view id_key,
                       std::string_view id);

// For the templates: the envelope's opening (api_id and meta) and the string helpers.
void write_meta(JsonWriter& w, std::int64_t total_count, const PageRequest& request,
                std::string_view request_path, const http::Params& request_params,
                std::string_view api_id);

template <class Row>
std::string render_object(const Row& row, std::string_view api_id) {
  JsonWriter w;
  w.start_object();
  w.string_member("api_id", api_id);
  write_fields(w, row);
  w.end_object();
  return w.text();
}

template <class Row>
std::string render_list(const Page<Row>& page, const PageRequest& request,
                        std::string_view request_path, const http::Params& request_params,
                        std::string_view api_id) {
  JsonWriter w;
  w.start_object();
  write_meta(w, page.total_count, request, request_path, request_params, api_id);
  w.key("objects");
  w.start_array();
  for (const Row& row : page.rows) {
    w.start_object();
    write_fields(w, row);
    w.end_object();
  }
  w.end_array();
  w.end_object();
  return w.text();
}

}  // namespace cdrd::api::trunks
