#include "service/trunks/validators.h"

#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/network_v4.hpp>
#include <boost/asio/ip/network_v6.hpp>

#include <algorithm>
#include <charconv>
#include <optional>

#include "core/crypto.h"

namespace cdrd::service::trunks {
namespace {

constexpr std::size_t kMaxEcho = 64;
constexpr std::size_t kMaxEntryLength = 64;  // the longest IPv6 text is 45 characters, +"/128"
constexpr std::size_t kMaxUriLength = 255;
constexpr std::size_t kTrunkIdDigits = 17;

constexpr std::string_view kIpForm =
    "an IPv4 or IPv6 address or CIDR range (e.g. 203.0.113.7, 198.51.100.0/24, "
    "2001:db8::/32)";
constexpr std::string_view kUriForm =
    "host[:port][;transport=udp|tcp|tls] with a host name, an IPv4 address or a bracketed IPv6 "
    "address (e.g. pbx.example.com:5060;transport=tcp)";

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_alpha(char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'); }

Status bad(std::string_view field, std::string_view form, std::string_view value) {
  return Status::Invalid(std::string(field) + ": must be " + std::string(form) + ", got '" +
                         echo(value) + "'");
}

// Digits only, no leading zero (except "0" itself), at most `max_digits`; the value.
std::optional<unsigned> small_number(std::string_view s, std::size_t max_digits) {
  if (s.empty() || s.size() > max_digits || !std::all_of(s.begin(), s.end(), is_digit)) {
    return std::nullopt;
  }
  if (s.size() > 1 && s[0] == '0') return std::nullopt;
  unsigned v = 0;
  std::from_chars(s.data(), s.data() + s.size(), v);
  return v;
}

}  // namespace

std::string echo(std::string_view value) {
  if (value.size() <= kMaxEcho) return std::string(value);
  return std::string(value.substr(0, kMaxEcho)) + "...";
}

Status check_name(std::string_view field, std::string_view value) {
  std::size_t chars = 0;
  for (unsigned char c : value) {
    if (c < 0x20 || c == 0x7F) {
      return Status::Invalid(std::string(field) +
                             ": must not contain control characters (tab, line break, ...)");
    }
    chars += (c & 0xC0) != 0x80;
  }
  if (chars > kMaxNameChars) {
    return Status::Invalid(std::string(field) + ": must be at most " +
                           std::to_string(kMaxNameChars) + " characters, got " +
                           std::to_string(chars));
  }
  return Status::Ok();
}

Status check_username(std::string_view field, std::string_view value) {
  const bool ok = value.size() >= 3 && value.size() <= 64 &&
                  std::all_of(value.begin(), value.end(), [](char c) {
                    return is_alpha(c) || is_digit(c) || c == '.' || c == '_' || c == '-';
                  });
  if (ok) return Status::Ok();
  return bad(field, "3 to 64 characters of letters, digits, '.', '_' and '-'", value);
}

Status check_password(std::string_view field, std::string_view value) {
  const std::string f(field);
  if (value.size() < 12 || value.size() > 128) {
    return Status::Invalid(f + ": must be 12 to 128 characters long, got " +
                           std::to_string(value.size()));
  }
  bool upper = false, lower = false, digit = false;
  for (char c : value) {
    if (c <= 0x20 || c >= 0x7F) {
      return Status::Invalid(f + ": must be printable ASCII without spaces");
    }
    upper = upper || (c >= 'A' && c <= 'Z');
    lower = lower || (c >= 'a' && c <= 'z');
    digit = digit || is_digit(c);
  }
  if (!upper || !lower || !digit) {
    return Status::Invalid(f +
                           ": must contain at least one upper-case letter, one lower-case "
                           "letter and one digit");
  }
  return Status::Ok();
}

Result<std::string> canonical_ip_entry(std::string_view field, std::string_view value) {
  namespace ip = boost::asio::ip;
  // The parsers below accept what inet_pton accepts; this first pass keeps out scope ids
  // ("fe80::1%eth0"), white space and anything long.
  const bool charset_ok = !value.empty() && value.size() <= kMaxEntryLength &&
                          std::all_of(value.begin(), value.end(), [](char c) {
                            return is_digit(c) || (c >= 'a' && c <= 'f') ||
                                   (c >= 'A' && c <= 'F') || c == '.' || c == ':' || c == '/';
                          });
  if (!charset_ok) return bad(field, kIpForm, value);

  const std::size_t slash = value.find('/');
  const std::string address_text(value.substr(0, slash));
  boost::system::error_code ec;
  const ip::address address = ip::make_address(address_text, ec);
  if (ec) return bad(field, kIpForm, value);
  if (slash == std::string_view::npos) return address.to_string();

  const unsigned max_prefix = address.is_v4() ? 32 : 128;
  const std::optional<unsigned> prefix = small_number(value.substr(slash + 1), 3);
  if (!prefix || *prefix > max_prefix) {
    return Status::Invalid(std::string(field) + ": the prefix length of an " +
                           (address.is_v4() ? "IPv4" : "IPv6") + " range must be 0 to " +
                           std::to_string(max_prefix) + ", got '" + echo(value) + "'");
  }
  std::string network_text;
  bool host_bits = false;
  if (address.is_v4()) {
    const ip::network_v4 net(address.to_v4(), static_cast<unsigned short>(*prefix));
    host_bits = net.network() != address.to_v4();
    network_text = ip::network_v4(net.network(), net.prefix_length()).to_string();
  } else {
    const ip::network_v6 net(address.to_v6(), static_cast<unsigned short>(*prefix));
    host_bits = net.network() != address.to_v6();
    network_text = ip::network_v6(net.network(), net.prefix_length()).to_string();
  }
  if (host_bits) {
    return Status::Invalid(std::string(field) + ": '" + echo(value) +
                           "' has address bits set beyond its prefix; the range is " +
                           network_text);
  }
  return network_text;
}

bool is_host_name(std::string_view value) {
  if (value.empty() || value.size() > 253) return false;
  std::size_t start = 0;
  std::string_view last;
  while (true) {
    const std::size_t dot = value.find('.', start);
    const std::string_view label =
        value.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start);
    if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-') {
      return false;
    }
    if (!std::all_of(label.begin(), label.end(),
                     [](char c) { return is_alpha(c) || is_digit(c) || c == '-'; })) {
      return false;
    }
    last = label;
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  // "1.2.3" is a malformed address, not a name.
  return !std::all_of(last.begin(), last.end(), is_digit);
}

Status check_origination_uri(std::string_view field, std::string_view value) {
  namespace ip = boost::asio::ip;
  if (value.empty() || value.size() > kMaxUriLength) return bad(field, kUriForm, value);
  std::string_view rest = value;
  // ;transport=...
  if (const std::size_t semi = rest.find(';'); semi != std::string_view::npos) {
    const std::string_view param = rest.substr(semi + 1);
    if (param != "transport=udp" && param != "transport=tcp" && param != "transport=tls") {
      return bad(field, kUriForm, value);
    }
    rest = rest.substr(0, semi);
  }
  // host and :port
  std::string_view host, port;
  if (!rest.empty() && rest.front() == '[') {
    const std::size_t close = rest.find(']');
    if (close == std::string_view::npos) return bad(field, kUriForm, value);
    host = rest.substr(1, close - 1);
    const std::string_view after = rest.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return bad(field, kUriForm, value);
      port = after.substr(1);
      if (port.empty()) return bad(field, kUriForm, value);
    }
    boost::system::error_code ec;
    ip::make_address_v6(std::string(host), ec);
    if (ec || host.find('%') != std::string_view::npos) return bad(field, kUriForm, value);
  } else {
    const std::size_t colon = rest.find(':');
    host = rest.substr(0, colon);
    if (colon != std::string_view::npos) {
      port = rest.substr(colon + 1);
      if (port.empty()) return bad(field, kUriForm, value);
    }
    const bool looks_numeric = !host.empty() && std::all_of(host.begin(), host.end(), [](char c) {
      return is_digit(c) || c == '.';
    });
    if (looks_numeric) {
      boost::system::error_code ec;
      ip::make_address_v4(std::string(host), ec);
      if (ec) return bad(field, kUriForm, value);
    } else if (!is_host_name(host)) {
      return bad(field, kUriForm, value);
    }
  }
  if (!port.empty()) {
    const std::optional<unsigned> p = small_number(port, 5);
    if (!p || *p < 1 || *p > 65535) return bad(field, kUriForm, value);
  }
  return Status::Ok();
}

bool is_uuid_like(std::string_view value) {
  return !value.empty() && value.size() <= 64 &&
         std::all_of(value.begin(), value.end(),
                     [](char c) { return is_alpha(c) || is_digit(c) || c == '-'; });
}

bool is_trunk_id(std::string_view value) {
  return !value.empty() && value.size() <= 20 && std::all_of(value.begin(), value.end(), is_digit);
}

std::string new_trunk_id() {
  return random_string(1, "123456789") + random_string(kTrunkIdDigits - 1, "0123456789");
}

std::string trunk_domain_of(std::string_view trunk_id, std::string_view sip_domain) {
  return std::string(trunk_id) + ".zt." + std::string(sip_domain);
}

std::string sip_digest_ha1(std::string_view username, std::string_view realm,
                           std::string_view password) {
  std::string text;
  text.reserve(username.size() + realm.size() + password.size() + 2);
  text.append(username).append(":").append(realm).append(":").append(password);
  return md5_hex(text);
}

std::string realm_of(std::string_view sip_domain) { return "zt." + std::string(sip_domain); }

bool is_valid_sip_domain(std::string_view sip_domain) {
  return is_host_name(sip_domain) &&
         is_host_name(trunk_domain_of(std::string(kTrunkIdDigits, '9'), sip_domain));
}

}  // namespace cdrd::service::trunks
