// Account: one customer of the operator. Its auth_id is public (it appears in paths); only a
// SHA-256 hash of its auth token is ever kept. Plain value type.
#pragma once

#include <cstdint>
#include <string>

#include "core/time.h"

namespace cdrd {

struct Account {
  std::int64_t id = 0;  // internal key
  std::string auth_id;  // "MA" + 18 upper-case letters and digits
  std::string name;
  std::string token_hash;  // sha256_hex(auth_token)
  Micros created_at = 0;
  // ISO 3166 alpha-2 region whose national and international-prefix (00, 011) numbers ingest
  // turns into E.164 (docs/ingest.md, "Numbers"); "" keeps numbers as sent.
  std::string default_country;
};

}  // namespace cdrd
