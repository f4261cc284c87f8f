// Black-box test support for the trunk control plane: JSON requests under
// /v1/Account/{auth_id}/Zentrunk/ with an account's Basic auth, and quick ways to make the
// resources a test needs. Header-only; not thread-safe.
#pragma once

#include <stdexcept>
#include <string>

#include "harness.h"
#include "records.h"

namespace cdrd::test {

class TrunkClient {
 public:
  TrunkClient(const CdrdServer& server, Credentials who) : server_(server), who_(std::move(who)) {}

  const Credentials& who() const { return who_; }
  // "/v1/Account/{auth_id}/Zentrunk/" + path
  std::string url(const std::string& path) const {
    return "/v1/Account/" + who_.auth_id + "/Zentrunk/" + path;
  }

  http::ClientResponse post(const std::string& path, const std::string& json) const {
    http::Params headers = who_.basic();
    headers.emplace_back("Content-Type", "application/json");
    return server_.client().request("POST", url(path), json, headers);
  }
  http::ClientResponse get(const std::string& path) const {
    return server_.client().get(url(path), who_.basic());
  }
  http::ClientResponse del(const std::string& path) const {
    return server_.client().request("DELETE", url(path), "", who_.basic());
  }

  // POSTs `json` to `collection` and returns the new resource's `id_key`; throws unless 201.
  std::string create(const std::string& collection, const std::string& json,
                     const std::string& id_key) const {
    const http::ClientResponse r = post(collection, json);
    if (r.status != 201) {
      throw std::runtime_error("create " + collection + " " + json + " -> " +
                               std::to_string(r.status) + " " + r.body);
    }
    return parse_json(r.body)[id_key.c_str()].GetString();
  }

  std::string ip_acl(const std::string& entries = "[\"203.0.113.0/24\"]") const {
    return create("IPAccessControlList/", "{\"ip_addresses\": " + entries + "}", "ipacl_uuid");
  }
  std::string uri(const std::string& uri = "pbx.example.com:5060") const {
    return create("URI/", "{\"uri\": " + str(uri) + "}", "uri_uuid");
  }
  // An outbound trunk on a new IP access control list.
  std::string outbound_trunk(bool secure = false, const std::string& name = "out") const {
    return create("Trunk/",
                  "{\"name\": " + str(name) + ", \"trunk_direction\": \"outbound\", \"secure\": " +
                      (secure ? "true" : "false") + ", \"ipacl_uuid\": " + str(ip_acl()) + "}",
                  "trunk_id");
  }
  // An inbound trunk on a new origination URI.
  std::string inbound_trunk(bool secure = false, const std::string& name = "in") const {
    return create("Trunk/",
                  "{\"name\": " + str(name) + ", \"trunk_direction\": \"inbound\", \"secure\": " +
                      (secure ? "true" : "false") + ", \"primary_uri_uuid\": " + str(uri()) + "}",
                  "trunk_id");
  }

 private:
  const CdrdServer& server_;
  Credentials who_;
};

}  // namespace cdrd::test
