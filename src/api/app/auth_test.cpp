#include "api/app/auth.h"

#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/crypto.h"

namespace cdrd::api {
namespace {

// One account kept in memory, counting the lookups the authenticator makes.
class OneAccountStore : public AccountStore {
 public:
  Account account;
  int lookups = 0;

  Result<Account> create_account(const std::string&, const std::string&,
                                 const std::string&) override {
    return Status::Internal("not used");
  }
  Result<std::optional<Account>> find_account_by_auth_id(std::string_view auth_id) override {
    ++lookups;
    if (auth_id != account.auth_id) return std::optional<Account>();
    return std::optional<Account>(account);
  }
  Result<std::optional<Account>> find_account_by_name(std::string_view) override {
    return Status::Internal("not used");
  }
  Status set_token_hash(std::int64_t, const std::string& token_hash) override {
    account.token_hash = token_hash;
    return Status::Ok();
  }
  Status set_default_country(std::int64_t, const std::string&) override {
    return Status::Internal("not used");
  }
  Result<std::vector<Account>> list_accounts() override { return std::vector<Account>{account}; }
};

std::string basic(const std::string& auth_id, const std::string& token) {
  return "Basic " + base64_encode(auth_id + ":" + token);
}

class AuthenticatorTest : public ::testing::Test {
 protected:
  AuthenticatorTest() {
    store_.account.id = 7;
    store_.account.auth_id = "MAAAAAAAAAAAAAAAAAAA";
    store_.account.token_hash = sha256_hex(token_);
  }
  int status_of(Authenticator& auth, const std::string& token) {
    Result<Account> r = auth.authenticate_basic(basic(store_.account.auth_id, token));
    if (r.ok()) {
      EXPECT_EQ(r->id, 7);
      return 200;
    }
    return r.status().code() == Status::Code::kUnauthenticated ? 401 : 500;
  }

  OneAccountStore store_;
  std::string token_ = "tokentokentokentokentokentokentokentoken";
  Micros now_ = 1'000'000'000;
  Clock clock_ = [this] { return now_; };
};

// A token seen to match is accepted again without a lookup while the entry is fresh; a token
// that differs from it (even by its last character, or a prefix of it) is still refused.
TEST_F(AuthenticatorTest, AVerifiedTokenIsAcceptedAgainAndNoOtherIs) {
  Authenticator auth(store_, 5 * kMicrosPerSecond, clock_);
  EXPECT_EQ(status_of(auth, token_), 200);
  const int lookups = store_.lookups;
  for (int i = 0; i < 10; ++i) EXPECT_EQ(status_of(auth, token_), 200);
  EXPECT_EQ(store_.lookups, lookups);
  std::string other = token_;
  other.back() = 'X';
  EXPECT_EQ(status_of(auth, other), 401);
  EXPECT_EQ(status_of(auth, token_.substr(0, 39)), 401);
  EXPECT_EQ(status_of(auth, token_ + "n"), 401);
  EXPECT_EQ(status_of(auth, ""), 401);
  EXPECT_EQ(status_of(auth, token_), 200);
}

// A token reset in the store: the new token works at once, and from then on the old one is
// refused at once (the entry read again holds the new hash, and the old token's verification
// went with the old entry); without a new request, past max_age at the latest.
TEST_F(AuthenticatorTest, AResetTokenStopsTheOldOneAsWithoutTheVerifiedToken) {
  Authenticator auth(store_, 5 * kMicrosPerSecond, clock_);
  EXPECT_EQ(status_of(auth, token_), 200);
  EXPECT_EQ(status_of(auth, token_), 200);
  const std::string fresh = "newtokennewtokennewtokennewtokennewtoken";
  ASSERT_TRUE(store_.set_token_hash(7, sha256_hex(fresh)).ok());
  EXPECT_EQ(status_of(auth, fresh), 200);
  EXPECT_EQ(status_of(auth, token_), 401);
  EXPECT_EQ(status_of(auth, fresh), 200);

  // Reset again, and no request with the new token: the old one (verified, cached) holds until
  // the entry's max_age, as the cached hash always did, and not a microsecond past it.
  const std::string third = "thirdtokenthirdtokenthirdtokenthirdtoken";
  ASSERT_TRUE(store_.set_token_hash(7, sha256_hex(third)).ok());
  now_ += 5 * kMicrosPerSecond - 1;
  EXPECT_EQ(status_of(auth, fresh), 200);
  now_ += 1;
  EXPECT_EQ(status_of(auth, fresh), 401);
  EXPECT_EQ(status_of(auth, third), 200);
}

// Without a cache (max_age 0) every request reads the store: a reset is seen at once.
TEST_F(AuthenticatorTest, WithoutACacheEveryRequestReadsTheStore) {
  Authenticator auth(store_, 0, clock_);
  EXPECT_EQ(status_of(auth, token_), 200);
  EXPECT_EQ(status_of(auth, token_), 200);
  EXPECT_EQ(store_.lookups, 2);
  ASSERT_TRUE(store_.set_token_hash(7, sha256_hex("other")).ok());
  EXPECT_EQ(status_of(auth, token_), 401);
}

// A clock that goes back makes the entry stale, as for the cached hash.
TEST_F(AuthenticatorTest, AClockThatGoesBackReadsTheStoreAgain) {
  Authenticator auth(store_, 5 * kMicrosPerSecond, clock_);
  EXPECT_EQ(status_of(auth, token_), 200);
  const int lookups = store_.lookups;
  now_ -= 1;
  EXPECT_EQ(status_of(auth, token_), 200);
  EXPECT_EQ(store_.lookups, lookups + 1);
}

}  // namespace
}  // namespace cdrd::api
