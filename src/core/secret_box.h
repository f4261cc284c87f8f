// SecretBox: authenticated encryption of the small secrets the store keeps (origination-URI
// passwords), so that a copy of the database file alone does not reveal them.
//
// AES-256-GCM (OpenSSL) under one 32-byte key; every value gets its own random 96-bit nonce.
// A sealed value is text: "v1:" + base64(nonce[12] | ciphertext | tag[16]). The "v1:" prefix
// names the format, so a later format can sit beside it. The GCM tag makes any change to a
// sealed value (or opening it with another key) fail instead of yielding wrong plaintext.
//
// Errors: from_key is kInvalidArgument for a key that is not 32 bytes; open is kInvalidArgument
// for text that is not a sealed value and kPermissionDenied when the tag does not verify (the
// wrong key, or the value was altered). Nothing throws.
// Thread-safety: a SecretBox is immutable after construction; seal and open are safe to call
// from any number of threads at once.
#pragma once

#include <string>
#include <string_view>

#include "core/status.h"

namespace cdrd {

class SecretBox {
 public:
  static constexpr std::size_t kKeyBytes = 32;
  static constexpr std::size_t kNonceBytes = 12;
  static constexpr std::size_t kTagBytes = 16;
  static constexpr std::string_view kPrefix = "v1:";

  // A box over `key` (exactly kKeyBytes raw bytes).
  static Result<SecretBox> from_key(std::string_view key);
  // kKeyBytes fresh bytes from the OS CSPRNG.
  static std::string new_key();

  // "v1:" + base64(nonce | ciphertext | tag), a fresh nonce every call.
  std::string seal(std::string_view plaintext) const;
  // The plaintext of a value seal() made under the same key.
  Result<std::string> open(std::string_view sealed) const;

  // Whether `value` has the shape of a sealed value (prefix, base64, long enough for a nonce
  // and a tag). Says nothing about the key; tells stored plaintext from sealed text.
  static bool looks_sealed(std::string_view value);

  // The stored form of an optional secret: sealed, or '' for none.
  std::string seal_stored(std::string_view plaintext) const;
  // The secret of a stored form ('' for none). A value that does not open is storage damage,
  // not the client's doing: kIOError naming `what` (a 500 for the API, logged with it).
  Result<std::string> open_stored(std::string_view stored, std::string_view what) const;

  const std::string& key() const { return key_; }

 private:
  explicit SecretBox(std::string key) : key_(std::move(key)) {}
  std::string key_;
};

}  // namespace cdrd
