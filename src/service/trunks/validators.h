// The value rules of the trunk control plane (docs/api-trunks.md, "Rules"): each check names
// the field it was given and the accepted form in its kInvalidArgument message. Secrets
// (passwords) are never echoed back. Pure; thread-safe.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "core/status.h"

namespace cdrd::service::trunks {

// Quotas and sizes.
constexpr int kMaxIpAclsPerAccount = 100;
constexpr int kMaxCredentialsPerAccount = 200;
constexpr int kMaxTrunksPerAccount = 100;
constexpr int kMaxOriginationUrisPerAccount = 100;
constexpr int kMaxEntriesPerIpAcl = 50;
constexpr std::size_t kMaxNameChars = 128;

// A resource name: 0-128 characters, no control characters (the JSON parser has already
// checked the text is UTF-8).
Status check_name(std::string_view field, std::string_view value);

// A SIP username: 3-64 characters of letters, digits, '.', '_' and '-'.
Status check_username(std::string_view field, std::string_view value);

// A password: 12-128 printable ASCII characters (no spaces), with at least one upper-case
// letter, one lower-case letter and one digit.
Status check_password(std::string_view field, std::string_view value);

// An IP access control list entry: an IPv4 or IPv6 address, or a CIDR range whose address has
// no bits set beyond the prefix ("10.0.0.0/8", not "10.1.2.3/8"). Parsed with Boost.Asio's
// address and network parsers. Returns the canonical text (IPv6 compressed, lower case).
Result<std::string> canonical_ip_entry(std::string_view field, std::string_view value);

// A DNS host name: 1-253 characters, dot-separated labels of 1-63 letters, digits and '-'
// (not at either end of a label), the last label not all digits.
bool is_host_name(std::string_view value);

// An origination URI: host[:port][;transport=udp|tcp|tls], where host is a host name, an IPv4
// address or a bracketed IPv6 address ("[2001:db8::1]") and port is 1-65535.
Status check_origination_uri(std::string_view field, std::string_view value);

// A resource uuid as the API hands them out (and as a client may send one): 1-64 characters of
// letters, digits and '-'.
bool is_uuid_like(std::string_view value);

// A trunk_id: 1-20 digits.
bool is_trunk_id(std::string_view value);

// A new trunk_id: 17 random digits, the first not 0.
std::string new_trunk_id();

// The SIP domain of a server started without one (cdrd serve --sip-domain).
inline constexpr std::string_view kDefaultSipDomain = "cdrd.example";

// "{trunk_id}.zt.{sip_domain}".
std::string trunk_domain_of(std::string_view trunk_id, std::string_view sip_domain);
// The SIP digest realm of every credential: "zt.{sip_domain}".
std::string realm_of(std::string_view sip_domain);
// Whether `sip_domain` can make trunk domains: a host name that leaves room for the
// "{17 digits}.zt." in front of it.
bool is_valid_sip_domain(std::string_view sip_domain);

// The SIP digest HA1 of a credential (RFC 2617 / RFC 7616 with MD5): lower-case hex
// MD5("username:realm:password"). The only form in which cdrd keeps a credential's password.
std::string sip_digest_ha1(std::string_view username, std::string_view realm,
                           std::string_view password);

// The text of `value` fit for an error message: bounded to 64 bytes.
std::string echo(std::string_view value);

}  // namespace cdrd::service::trunks
