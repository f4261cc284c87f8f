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
};

}  // namespace cdrd
