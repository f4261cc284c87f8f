// Randomness, hashing and comparison for credentials and identifiers (OpenSSL underneath).
// All functions are thread-safe. Random values come from the OS CSPRNG; a failure to get
// randomness aborts, as no safe fallback exists.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace cdrd {

// n characters drawn uniformly from `alphabet` (rejection sampling, no modulo bias).
std::string random_string(std::size_t n, std::string_view alphabet);

// A new SIP-trunk account id: "MA" followed by 18 upper-case letters and digits.
std::string new_auth_id();
// A new 40-character auth token of letters and digits.
std::string new_auth_token();
// A random RFC 4122 version 4 UUID, lower case ("91d15144-e8c1-45fa-8226-061702f297fe").
std::string new_uuid_v4();
// 16 bytes as a UUID's text: lower-case hex in the 8-4-4-4-12 groups, as given (no version or
// variant bits set).
std::string format_uuid(const unsigned char* bytes16);

// The call_uuid cdrd derives from a SIP Call-ID: the RFC 4122 version 5 (SHA-1, name-based)
// UUID of `call_id` in cdrd's namespace 109797a3-046f-474d-8261-f670ac874f7d, lower case. The
// same Call-ID always gives the same uuid, so a switch's retry is a duplicate.
std::string uuid_v5(std::string_view call_id);

// Lower-case hex SHA-256 of `data`.
std::string sha256_hex(std::string_view data);
// Lower-case hex MD5 of `data` (SIP digest HA1 only; never for anything secret on its own).
std::string md5_hex(std::string_view data);

// Equality in time that depends only on the lengths, not on where the first difference is.
bool constant_time_equals(std::string_view a, std::string_view b);

// An OAuth app's public client_id (32 lower-case hex digits) and its secret (48 characters of
// A-Z, a-z, 0-9: about 285 bits), from the CSPRNG.
std::string new_oauth_client_id();
std::string new_oauth_client_secret();

// Standard base64 with padding.
std::string base64_encode(std::string_view in);
// Decodes standard base64 (with padding); nullopt on bad input.
std::optional<std::string> base64_decode(std::string_view in);

}  // namespace cdrd
