#include "core/secret_box.h"

#include <openssl/evp.h>
#include <openssl/rand.h>

#include <cstdio>
#include <cstdlib>
#include <memory>

#include "core/crypto.h"

namespace cdrd {
namespace {

struct CtxFree {
  void operator()(EVP_CIPHER_CTX* c) const { EVP_CIPHER_CTX_free(c); }
};
using CipherCtx = std::unique_ptr<EVP_CIPHER_CTX, CtxFree>;

const unsigned char* bytes(std::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}
unsigned char* bytes(std::string& s) { return reinterpret_cast<unsigned char*>(s.data()); }

std::string random_bytes(std::size_t n) {
  std::string out(n, '\0');
  if (RAND_bytes(bytes(out), static_cast<int>(n)) != 1) {
    std::fputs("cdrd: the system random number generator failed\n", stderr);
    std::abort();
  }
  return out;
}

[[noreturn]] void cipher_failed(const char* what) {
  // Only an allocation failure or a broken OpenSSL gets here; no safe way on exists.
  std::fprintf(stderr, "cdrd: AES-256-GCM %s failed\n", what);
  std::abort();
}

}  // namespace

Result<SecretBox> SecretBox::from_key(std::string_view key) {
  if (key.size() != kKeyBytes) {
    return Status::Invalid("secret key: must be " + std::to_string(kKeyBytes) + " bytes, got " +
                           std::to_string(key.size()));
  }
  return SecretBox(std::string(key));
}

std::string SecretBox::new_key() { return random_bytes(kKeyBytes); }

std::string SecretBox::seal(std::string_view plaintext) const {
  const std::string nonce = random_bytes(kNonceBytes);
  std::string out = nonce;
  out.resize(kNonceBytes + plaintext.size() + kTagBytes);
  CipherCtx ctx(EVP_CIPHER_CTX_new());
  int len = 0;
  if (!ctx || EVP_EncryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, nullptr, nullptr) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_IVLEN, kNonceBytes, nullptr) != 1 ||
      EVP_EncryptInit_ex(ctx.get(), nullptr, nullptr, bytes(key_), bytes(nonce)) != 1 ||
      EVP_EncryptUpdate(ctx.get(), bytes(out) + kNonceBytes, &len, bytes(plaintext),
                        static_cast<int>(plaintext.size())) != 1 ||
      EVP_EncryptFinal_ex(ctx.get(), bytes(out) + kNonceBytes + len, &len) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, kTagBytes,
                          bytes(out) + kNonceBytes + plaintext.size()) != 1) {
    cipher_failed("encryption");
  }
  return std::string(kPrefix) + base64_encode(out);
}

bool SecretBox::looks_sealed(std::string_view value) {
  if (!value.starts_with(kPrefix)) return false;
  const std::optional<std::string> raw = base64_decode(value.substr(kPrefix.size()));
  return raw && raw->size() >= kNonceBytes + kTagBytes;
}

Result<std::string> SecretBox::open(std::string_view sealed) const {
  if (!sealed.starts_with(kPrefix)) {
    return Status::Invalid("sealed secret: expected the form v1:BASE64, got another form");
  }
  const std::optional<std::string> raw = base64_decode(sealed.substr(kPrefix.size()));
  if (!raw || raw->size() < kNonceBytes + kTagBytes) {
    return Status::Invalid(
        "sealed secret: expected v1: and the base64 of a nonce, the "
        "ciphertext and a tag; the value is malformed");
  }
  const std::string_view all(*raw);
  const std::string_view nonce = all.substr(0, kNonceBytes);
  const std::string_view cipher = all.substr(kNonceBytes, all.size() - kNonceBytes - kTagBytes);
  std::string tag(all.substr(all.size() - kTagBytes));
  std::string plain(cipher.size(), '\0');
  CipherCtx ctx(EVP_CIPHER_CTX_new());
  int len = 0;
  if (!ctx || EVP_DecryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, nullptr, nullptr) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_IVLEN, kNonceBytes, nullptr) != 1 ||
      EVP_DecryptInit_ex(ctx.get(), nullptr, nullptr, bytes(key_), bytes(nonce)) != 1 ||
      EVP_DecryptUpdate(ctx.get(), bytes(plain), &len, bytes(cipher),
                        static_cast<int>(cipher.size())) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, kTagBytes, bytes(tag)) != 1) {
    cipher_failed("decryption");
  }
  int tail = 0;
  if (EVP_DecryptFinal_ex(ctx.get(), bytes(plain) + len, &tail) != 1) {
    return Status::Denied(
        "sealed secret: does not decrypt under this key (the wrong key file, "
        "or the stored value was altered)");
  }
  plain.resize(static_cast<std::size_t>(len) + static_cast<std::size_t>(tail));
  return plain;
}

std::string SecretBox::seal_stored(std::string_view plaintext) const {
  return plaintext.empty() ? std::string() : seal(plaintext);
}

Result<std::string> SecretBox::open_stored(std::string_view stored, std::string_view what) const {
  if (stored.empty()) return std::string();
  Result<std::string> plaintext = open(stored);
  if (!plaintext.ok()) {
    return Status::IOError(std::string(what) +
                           ": stored password: " + plaintext.status().message());
  }
  return plaintext;
}

}  // namespace cdrd
