#include "core/secret_box.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <set>

#include "core/crypto.h"

namespace cdrd {
namespace {

using ::testing::HasSubstr;

SecretBox box(const std::string& key = SecretBox::new_key()) {
  Result<SecretBox> b = SecretBox::from_key(key);
  EXPECT_TRUE(b.ok()) << b.status().message();
  return std::move(b).value();
}

TEST(SecretBox, SealedValueOpensToThePlaintext) {
  const SecretBox b = box();
  for (const std::string& plain :
       {std::string(), std::string("Secret1234567"), std::string(300, 'x')}) {
    const std::string sealed = b.seal(plain);
    EXPECT_TRUE(sealed.starts_with("v1:")) << sealed;
    EXPECT_TRUE(SecretBox::looks_sealed(sealed));
    Result<std::string> opened = b.open(sealed);
    ASSERT_TRUE(opened.ok()) << opened.status().message();
    EXPECT_EQ(*opened, plain);
  }
}

TEST(SecretBox, EverySealUsesAFreshNonce) {
  const SecretBox b = box();
  std::set<std::string> seen;
  for (int i = 0; i < 50; ++i) seen.insert(b.seal("Secret1234567"));
  EXPECT_EQ(seen.size(), 50u);
}

TEST(SecretBox, SealedTextDoesNotContainThePlaintext) {
  const std::string sealed = box().seal("Secret1234567");
  EXPECT_EQ(sealed.find("Secret1234567"), std::string::npos);
  EXPECT_EQ(base64_decode(sealed.substr(3))->find("Secret1234567"), std::string::npos);
}

TEST(SecretBox, AlteredValueIsRefused) {
  const SecretBox b = box();
  const std::string sealed = b.seal("Secret1234567");
  std::string raw = *base64_decode(sealed.substr(3));
  for (std::size_t at : {std::size_t{0}, std::size_t{14}, raw.size() - 1}) {  // nonce, text, tag
    std::string bad = raw;
    bad[at] ^= 0x01;
    Result<std::string> opened = b.open("v1:" + base64_encode(bad));
    ASSERT_FALSE(opened.ok()) << at;
    EXPECT_EQ(opened.status().code(), Status::Code::kPermissionDenied);
  }
}

TEST(SecretBox, WrongKeyIsRefusedWithAClearStatus) {
  const std::string sealed = box().seal("Secret1234567");
  Result<std::string> opened = box().open(sealed);
  ASSERT_FALSE(opened.ok());
  EXPECT_EQ(opened.status().code(), Status::Code::kPermissionDenied);
  EXPECT_THAT(opened.status().message(), HasSubstr("does not decrypt under this key"));
}

TEST(SecretBox, MalformedValuesAreNotSealed) {
  const SecretBox b = box();
  for (std::string_view v : {"Secret1234567", "v1:", "v1:@@@@", "v1:AAAA", "v2:AAAAAAAAAAAA"}) {
    EXPECT_FALSE(SecretBox::looks_sealed(v)) << v;
    Result<std::string> opened = b.open(v);
    ASSERT_FALSE(opened.ok()) << v;
    EXPECT_EQ(opened.status().code(), Status::Code::kInvalidArgument) << v;
  }
}

TEST(SecretBox, KeyMustBe32Bytes) {
  EXPECT_EQ(SecretBox::from_key("short").status().code(), Status::Code::kInvalidArgument);
  EXPECT_EQ(SecretBox::new_key().size(), 32u);
  EXPECT_NE(SecretBox::new_key(), SecretBox::new_key());
}

TEST(Base64, EncodeRoundTripsEveryLength) {
  std::string data;
  for (int n = 0; n < 40; ++n) {
    EXPECT_EQ(base64_decode(base64_encode(data)), data) << n;
    data.push_back(static_cast<char>(n * 37));
  }
  EXPECT_EQ(base64_encode("foobar"), "Zm9vYmFy");
  EXPECT_EQ(base64_encode("fo"), "Zm8=");
}

TEST(SecretBox, AStoredSecretIsSealedOrEmptyAndADamagedOneIsAnIoErrorNamingIt) {
  const auto box = SecretBox::from_key(SecretBox::new_key());
  ASSERT_TRUE(box.ok());
  EXPECT_EQ(box->seal_stored(""), "");
  const std::string stored = box->seal_stored("s3cret");
  EXPECT_TRUE(SecretBox::looks_sealed(stored));
  EXPECT_EQ(box->open_stored(stored, "uri").value(), "s3cret");
  EXPECT_EQ(box->open_stored("", "uri").value(), "");
  const auto other = SecretBox::from_key(SecretBox::new_key());
  const Result<std::string> damaged = other->open_stored(stored, "origination URI u-1");
  ASSERT_FALSE(damaged.ok());
  EXPECT_EQ(damaged.status().code(), Status::Code::kIOError);
  EXPECT_EQ(damaged.status().message().rfind("origination URI u-1: stored password: ", 0), 0u)
      << damaged.status().message();
}

}  // namespace
}  // namespace cdrd
