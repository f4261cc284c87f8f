// The SIP-trunk control plane of an account (docs/api-trunks.md): trunks and the IP access
// control lists, credentials and origination URIs they use. Every resource belongs to one
// account; references between them never cross accounts.
//
//   IpAcl           which source addresses may send calls into an outbound trunk
//   Credential      a SIP digest username; only HA1 = MD5(username:realm:password) is kept
//   OriginationUri  where an inbound trunk delivers calls (your PBX or SBC)
//   Trunk           trunk_id (numeric string) and trunk_domain "{trunk_id}.zt.{sip domain}";
//                   outbound trunks authenticate by IP ACL and/or credential, inbound trunks
//                   route to a primary (and optional fallback) origination URI
//
// Plain value types; thread-safe to copy.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/enums.h"
#include "core/time.h"

namespace cdrd {

enum class TrunkStatus { kEnabled, kDisabled };
std::optional<TrunkStatus> parse_trunk_status(std::string_view s);  // enabled | disabled
std::string_view to_string(TrunkStatus s);

struct IpAcl {
  std::int64_t account_id = 0;
  std::string ipacl_uuid;
  std::string name;
  std::vector<std::string> ip_addresses;  // canonical addresses and CIDR ranges, in given order
  Micros created_at = 0;
};

struct Credential {
  std::int64_t account_id = 0;
  std::string credential_uuid;
  std::string name;
  std::string username;
  std::string realm;
  std::string ha1;  // lower-case hex MD5(username:realm:password); the password is not kept
  Micros created_at = 0;
};

struct OriginationUri {
  std::int64_t account_id = 0;
  std::string uri_uuid;
  std::string name;
  std::string uri;  // host[:port][;transport=udp|tcp|tls]
  bool authentication_needed = false;
  // Only with authentication_needed. The password is what cdrd's platform presents to your
  // server, so it is kept as given (it cannot be a digest: your server's realm is not known in
  // advance); it is never returned by the API.
  std::string username, password;
  Micros created_at = 0;
};

struct Trunk {
  std::int64_t account_id = 0;
  std::string trunk_id;      // numeric string, unique across accounts
  std::string trunk_domain;  // "{trunk_id}.zt.{sip domain}", fixed at creation
  std::string name;
  TrunkStatus status = TrunkStatus::kEnabled;
  Direction direction = Direction::kOutbound;
  bool secure = false;
  // ISO 3166 alpha-2 region of the national and 00/011 numbers of its calls, turned into E.164
  // at ingest (docs/ingest.md, "Numbers"); "" uses the account's default country.
  std::string default_country;
  std::optional<std::string> ipacl_uuid, credential_uuid;          // outbound
  std::optional<std::string> primary_uri_uuid, fallback_uri_uuid;  // inbound
  Micros created_at = 0;
};

// The trunk list filters; each present one must match exactly.
struct TrunkFilter {
  std::optional<TrunkStatus> status;
  std::optional<Direction> direction;
  std::optional<bool> secure;
  std::optional<std::string> ipacl_uuid, credential_uuid, primary_uri_uuid, fallback_uri_uuid;
};

// One page of a resource list, newest first (the order of creation, reversed).
struct PageRequest {
  std::int64_t account_id = 0;
  int limit = 20;
  std::int64_t offset = 0;
};

}  // namespace cdrd
