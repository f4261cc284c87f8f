// The control-plane stores of every backend keep the same rules with the same codes and
// messages (store/*.h): each test here runs against the sqlite stores and the PostgreSQL stores
// (testing/control_stores.h; the PostgreSQL runs skip with the reason when the test server is
// not there). Trunk control plane: quotas, unique usernames, references within the account,
// refusal to delete what a trunk uses, account isolation, list order, filters and counts,
// persistence across a reopen. Accounts, rate decks and settings, OAuth apps and the live-token
// quota, sealed URI passwords. PostgreSQL only: two nodes racing for one quota or one name,
// migrations from nodes starting at once, the shared key, a server that cannot be reached.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "core/crypto.h"
#include "store/postgres/migrations.h"
#include "testing/control_stores.h"
#include "testing/values.h"

namespace cdrd {
namespace {

using cdrd::testing::ControlStores;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

std::string backend_name(const ::testing::TestParamInfo<std::string>& info) { return info.param; }

// Each test gets the stores of its backend (the test's parameter) with two accounts.
class ControlTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    stores_ = std::make_unique<ControlStores>(GetParam());
    if (!stores_->skip_reason().empty()) GTEST_SKIP() << stores_->skip_reason();
    alice_ = create_account("alice");
    bob_ = create_account("bob");
  }
  void TearDown() override { stores_.reset(); }

  void reopen() { stores_->reopen(); }
  TrunkStore& trunks() { return stores_->trunks(); }
  AccountStore& accounts() { return stores_->accounts(); }
  RatingStore& rating() { return stores_->rating(); }
  OAuthStore& oauth() { return stores_->oauth(); }

  std::int64_t create_account(const std::string& name) {
    return stores_->add_account(name, new_auth_id(), "hash").id;
  }

  std::unique_ptr<ControlStores> stores_;
  std::int64_t alice_ = 0, bob_ = 0;
};

// ---- trunk control plane ---------------------------------------------------------------------

class TrunkStoreTest : public ControlTest {
 protected:
  std::string add_acl(std::int64_t account, std::vector<std::string> entries = {"10.0.0.0/8"},
                      int quota = 100) {
    IpAcl acl;
    acl.account_id = account;
    acl.ipacl_uuid = new_uuid_v4();
    acl.name = "office";
    acl.ip_addresses = std::move(entries);
    Status s = trunks().create_ip_acl(acl, quota);
    EXPECT_TRUE(s.ok()) << s.message();
    return acl.ipacl_uuid;
  }

  Status add_credential(std::int64_t account, const std::string& username, int quota = 200,
                        std::string* uuid = nullptr) {
    Credential c;
    c.account_id = account;
    c.credential_uuid = new_uuid_v4();
    c.name = "pbx";
    c.username = username;
    c.realm = "zt.example.net";
    c.ha1 = md5_hex(username + ":zt.example.net:Secret123456");
    if (uuid) *uuid = c.credential_uuid;
    return trunks().create_credential(c, quota);
  }

  OriginationUri uri(std::int64_t account, std::string password = "") {
    OriginationUri u;
    u.account_id = account;
    u.uri_uuid = new_uuid_v4();
    u.uri = "pbx.example.net:5060;transport=tcp";
    u.authentication_needed = !password.empty();
    u.username = password.empty() ? "" : "pbx";
    u.password = std::move(password);
    return u;
  }

  std::string add_uri(std::int64_t account) {
    OriginationUri u = uri(account);
    EXPECT_TRUE(trunks().create_origination_uri(u, 100).ok());
    return u.uri_uuid;
  }

  Trunk outbound(std::int64_t account, std::string trunk_id, std::string ipacl) {
    Trunk t;
    t.account_id = account;
    t.trunk_id = std::move(trunk_id);
    t.trunk_domain = t.trunk_id + ".zt.example.net";
    t.name = "out-" + t.trunk_id;
    t.direction = Direction::kOutbound;
    t.ipacl_uuid = std::move(ipacl);
    return t;
  }
};

TEST_P(TrunkStoreTest, IpAclRoundTripKeepsEntryOrder) {
  const std::string id = add_acl(alice_, {"203.0.113.7", "2001:db8::/32", "10.0.0.0/8"});
  auto found = trunks().find_ip_acl(alice_, id);
  ASSERT_TRUE(found.ok());
  ASSERT_TRUE(found->has_value());
  EXPECT_EQ((*found)->name, "office");
  EXPECT_THAT((*found)->ip_addresses, ElementsAre("203.0.113.7", "2001:db8::/32", "10.0.0.0/8"));

  IpAcl changed = **found;
  changed.name = "branch";
  changed.ip_addresses = {"192.0.2.1"};
  ASSERT_TRUE(trunks().update_ip_acl(changed).ok());
  reopen();
  found = trunks().find_ip_acl(alice_, id);
  ASSERT_TRUE(found.ok() && found->has_value());
  EXPECT_EQ((*found)->name, "branch");
  EXPECT_THAT((*found)->ip_addresses, ElementsAre("192.0.2.1"));
}

TEST_P(TrunkStoreTest, AnotherAccountsResourcesAreNotFound) {
  const std::string acl = add_acl(alice_);
  auto found = trunks().find_ip_acl(bob_, acl);
  ASSERT_TRUE(found.ok());
  EXPECT_FALSE(found->has_value());
  IpAcl stolen;
  stolen.account_id = bob_;
  stolen.ipacl_uuid = acl;
  EXPECT_EQ(trunks().update_ip_acl(stolen).code(), Status::Code::kNotFound);
  EXPECT_EQ(trunks().delete_ip_acl(bob_, acl).code(), Status::Code::kNotFound);
  auto bob_page = trunks().list_ip_acls({bob_, 20, 0});
  ASSERT_TRUE(bob_page.ok());
  EXPECT_EQ(bob_page->total_count, 0);
  EXPECT_TRUE(bob_page->rows.empty());
  // Alice's list is untouched.
  found = trunks().find_ip_acl(alice_, acl);
  ASSERT_TRUE(found.ok() && found->has_value());
  EXPECT_EQ((*found)->name, "office");
}

TEST_P(TrunkStoreTest, QuotasAreCountedPerAccount) {
  add_acl(alice_, {"10.0.0.1"}, 2);
  add_acl(alice_, {"10.0.0.2"}, 2);
  IpAcl third;
  third.account_id = alice_;
  third.ipacl_uuid = new_uuid_v4();
  third.ip_addresses = {"10.0.0.3"};
  Status s = trunks().create_ip_acl(third, 2);
  EXPECT_EQ(s.code(), Status::Code::kResourceExhausted);
  EXPECT_THAT(s.message(), HasSubstr("at most 2 IP access control lists"));
  EXPECT_EQ(trunks().list_ip_acls({alice_, 20, 0})->total_count, 2);
  // Bob's quota is his own.
  third.account_id = bob_;
  EXPECT_TRUE(trunks().create_ip_acl(third, 2).ok());

  EXPECT_TRUE(add_credential(alice_, "user1", 1).ok());
  Status full = add_credential(alice_, "user2", 1);
  EXPECT_EQ(full.code(), Status::Code::kResourceExhausted);
  EXPECT_THAT(full.message(), HasSubstr("at most 1 credentials"));
}

TEST_P(TrunkStoreTest, UsernamesAreUniquePerAccount) {
  ASSERT_TRUE(add_credential(alice_, "pbx.main").ok());
  Status again = add_credential(alice_, "pbx.main");
  EXPECT_EQ(again.code(), Status::Code::kConflict);
  EXPECT_THAT(again.message(), HasSubstr("username"));
  EXPECT_TRUE(add_credential(alice_, "PBX.main").ok());  // SIP usernames are case-sensitive
  EXPECT_TRUE(add_credential(bob_, "pbx.main").ok());    // another account may use it
  EXPECT_EQ(trunks().list_credentials({alice_, 20, 0})->total_count, 2);
}

TEST_P(TrunkStoreTest, CredentialUpdateWritesNameAndHa1Only) {
  std::string id;
  ASSERT_TRUE(add_credential(alice_, "pbx", 200, &id).ok());
  Credential c = **trunks().find_credential(alice_, id);
  c.ha1 = md5_hex("pbx:zt.example.net:NewSecret12345");
  c.username = "someone-else";
  c.realm = "elsewhere";
  ASSERT_TRUE(trunks().update_credential(c).ok());
  Credential after = **trunks().find_credential(alice_, id);
  EXPECT_EQ(after.ha1, c.ha1);
  EXPECT_EQ(after.username, "pbx");
  EXPECT_EQ(after.realm, "zt.example.net");
}

TEST_P(TrunkStoreTest, TrunkReferencesMustBeInTheSameAccount) {
  const std::string bobs_acl = add_acl(bob_);
  Status s = trunks().create_trunk(outbound(alice_, "1001", bobs_acl), 100);
  EXPECT_EQ(s.code(), Status::Code::kInvalidArgument);
  EXPECT_THAT(s.message(), HasSubstr("ipacl_uuid"));
  EXPECT_THAT(s.message(), HasSubstr(bobs_acl));
  Trunk with_bad_uri = outbound(alice_, "1002", add_acl(alice_));
  with_bad_uri.direction = Direction::kInbound;
  with_bad_uri.ipacl_uuid.reset();
  with_bad_uri.primary_uri_uuid = add_uri(alice_);
  with_bad_uri.fallback_uri_uuid = add_uri(bob_);
  s = trunks().create_trunk(with_bad_uri, 100);
  EXPECT_EQ(s.code(), Status::Code::kInvalidArgument);
  EXPECT_THAT(s.message(), HasSubstr("fallback_uri_uuid"));
  EXPECT_EQ(trunks().list_trunks({alice_, 20, 0}, {})->total_count, 0);
}

TEST_P(TrunkStoreTest, TrunkIdsAreUniqueAcrossAccounts) {
  ASSERT_TRUE(trunks().create_trunk(outbound(alice_, "4242", add_acl(alice_)), 100).ok());
  Status s = trunks().create_trunk(outbound(bob_, "4242", add_acl(bob_)), 100);
  EXPECT_EQ(s.code(), Status::Code::kConflict);
  auto found = trunks().find_trunk(bob_, "4242");
  ASSERT_TRUE(found.ok());
  EXPECT_FALSE(found->has_value());
}

TEST_P(TrunkStoreTest, UsedResourcesCannotBeDeletedAndTheMessageNamesTheTrunk) {
  const std::string acl = add_acl(alice_);
  std::string cred;
  ASSERT_TRUE(add_credential(alice_, "pbx", 200, &cred).ok());
  Trunk out = outbound(alice_, "7001", acl);
  out.credential_uuid = cred;
  ASSERT_TRUE(trunks().create_trunk(out, 100).ok());
  Trunk in;
  in.account_id = alice_;
  in.trunk_id = "7002";
  in.name = "inbound";
  in.direction = Direction::kInbound;
  const std::string primary = add_uri(alice_), fallback = add_uri(alice_);
  in.primary_uri_uuid = primary;
  in.fallback_uri_uuid = fallback;
  ASSERT_TRUE(trunks().create_trunk(in, 100).ok());

  Status s = trunks().delete_ip_acl(alice_, acl);
  EXPECT_EQ(s.code(), Status::Code::kConflict);
  EXPECT_THAT(s.message(), HasSubstr("7001"));
  EXPECT_THAT(s.message(), HasSubstr("out-7001"));
  s = trunks().delete_credential(alice_, cred);
  EXPECT_EQ(s.code(), Status::Code::kConflict);
  EXPECT_THAT(s.message(), HasSubstr("7001"));
  s = trunks().delete_origination_uri(alice_, fallback);
  EXPECT_EQ(s.code(), Status::Code::kConflict);
  EXPECT_THAT(s.message(), HasSubstr("7002"));
  EXPECT_TRUE(trunks().find_ip_acl(alice_, acl)->has_value());

  // Once the trunk lets go, the delete goes through.
  in.fallback_uri_uuid.reset();
  ASSERT_TRUE(trunks().update_trunk(in).ok());
  EXPECT_TRUE(trunks().delete_origination_uri(alice_, fallback).ok());
  ASSERT_TRUE(trunks().delete_trunk(alice_, "7001").ok());
  EXPECT_TRUE(trunks().delete_ip_acl(alice_, acl).ok());
  EXPECT_TRUE(trunks().delete_credential(alice_, cred).ok());
  EXPECT_FALSE(trunks().find_ip_acl(alice_, acl)->has_value());
  EXPECT_EQ(trunks().delete_trunk(alice_, "7001").code(), Status::Code::kNotFound);
}

TEST_P(TrunkStoreTest, TrunkListIsNewestFirstWithFiltersAndExactCounts) {
  const std::string acl = add_acl(alice_);
  std::string cred;
  ASSERT_TRUE(add_credential(alice_, "pbx", 200, &cred).ok());
  for (int i = 0; i < 7; ++i) {
    Trunk t = outbound(alice_, std::to_string(100 + i), acl);
    if (i % 2) t.credential_uuid = cred;
    t.secure = i % 3 == 0;
    t.status = i == 6 ? TrunkStatus::kDisabled : TrunkStatus::kEnabled;
    ASSERT_TRUE(trunks().create_trunk(t, 100).ok());
  }
  ASSERT_TRUE(trunks().create_trunk(outbound(bob_, "999", add_acl(bob_)), 100).ok());

  auto ids = [](const Page<Trunk>& p) {
    std::vector<std::string> out;
    for (const Trunk& t : p.rows) out.push_back(t.trunk_id);
    return out;
  };
  auto all = trunks().list_trunks({alice_, 3, 0}, {});
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->total_count, 7);
  EXPECT_THAT(ids(*all), ElementsAre("106", "105", "104"));
  auto last = trunks().list_trunks({alice_, 3, 6}, {});
  EXPECT_THAT(ids(*last), ElementsAre("100"));
  EXPECT_EQ(last->total_count, 7);

  TrunkFilter with_cred;
  with_cred.credential_uuid = cred;
  EXPECT_THAT(ids(*trunks().list_trunks({alice_, 20, 0}, with_cred)),
              ElementsAre("105", "103", "101"));
  TrunkFilter secure_enabled;
  secure_enabled.secure = true;
  secure_enabled.status = TrunkStatus::kEnabled;
  EXPECT_THAT(ids(*trunks().list_trunks({alice_, 20, 0}, secure_enabled)),
              ElementsAre("103", "100"));
  TrunkFilter inbound;
  inbound.direction = Direction::kInbound;
  EXPECT_EQ(trunks().list_trunks({alice_, 20, 0}, inbound)->total_count, 0);
  TrunkFilter bobs_acl_filter;
  bobs_acl_filter.ipacl_uuid = acl;
  EXPECT_EQ(trunks().list_trunks({bob_, 20, 0}, bobs_acl_filter)->total_count, 0);
}

TEST_P(TrunkStoreTest, UriQuotaAcceptsNAndRefusesTheNext) {
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(trunks().create_origination_uri(uri(alice_), 3).ok());
  Status s = trunks().create_origination_uri(uri(alice_), 3);
  EXPECT_EQ(s.code(), Status::Code::kResourceExhausted);
  EXPECT_THAT(s.message(), HasSubstr("at most 3 origination URIs"));
  EXPECT_TRUE(trunks().create_origination_uri(uri(bob_), 3).ok());  // per account
}

TEST_P(TrunkStoreTest, TrunkQuotaAcceptsNAndRefusesTheNext) {
  auto trunk = [&](std::int64_t account, int n) {
    Trunk t;
    t.account_id = account;
    t.trunk_id = std::to_string(1000 + n);
    t.trunk_domain = t.trunk_id + ".zt.example";
    t.name = "t";
    t.direction = Direction::kInbound;
    return t;
  };
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(trunks().create_trunk(trunk(alice_, i), 3).ok()) << i;
  Status s = trunks().create_trunk(trunk(alice_, 3), 3);
  EXPECT_EQ(s.code(), Status::Code::kResourceExhausted);
  EXPECT_THAT(s.message(), HasSubstr("at most 3 trunks"));
  EXPECT_TRUE(trunks().create_trunk(trunk(bob_, 4), 3).ok());
}

TEST_P(TrunkStoreTest, UriPasswordRoundTripsButIsStoredSealed) {
  const OriginationUri u = uri(alice_, "Secret7Pass9Word");
  ASSERT_TRUE(trunks().create_origination_uri(u, 100).ok());
  reopen();
  auto found = trunks().find_origination_uri(alice_, u.uri_uuid);
  ASSERT_TRUE(found.ok() && *found) << found.status().message();
  EXPECT_EQ((*found)->password, "Secret7Pass9Word");
  EXPECT_EQ(trunks().list_origination_uris({alice_, 10, 0})->rows.at(0).password,
            "Secret7Pass9Word");
  OriginationUri changed = **found;
  changed.password = "";
  changed.authentication_needed = false;
  ASSERT_TRUE(trunks().update_origination_uri(changed).ok());
  EXPECT_EQ((*trunks().find_origination_uri(alice_, u.uri_uuid))->password, "");
  if (stores_->is_postgres()) {
    ASSERT_TRUE(trunks().update_origination_uri(**found).ok());
    const std::string raw = stores_->database().query(
        "SELECT password FROM origination_uris WHERE uri_uuid = '" + u.uri_uuid + "'");
    EXPECT_TRUE(raw.starts_with("v1:")) << raw;
    EXPECT_EQ(raw.find("Secret7Pass9Word"), std::string::npos);
  }
}

// ---- accounts --------------------------------------------------------------------------------

using AccountStoreTest = ControlTest;

TEST_P(AccountStoreTest, CreateFindListInCreationOrder) {
  const Account carol = stores_->add_account("Carol", "MACCCCCCCCCCCCCCCCCC", "hash-c");
  Result<std::optional<Account>> a = accounts().find_account_by_auth_id("MACCCCCCCCCCCCCCCCCC");
  ASSERT_TRUE(a.ok() && a->has_value());
  EXPECT_EQ((*a)->id, carol.id);
  EXPECT_EQ((*a)->name, "Carol");
  EXPECT_EQ((*a)->token_hash, "hash-c");
  EXPECT_GT((*a)->created_at, 0);
  EXPECT_FALSE(accounts().find_account_by_auth_id("MAZZZZZZZZZZZZZZZZZZ")->has_value());
  // Exact, case-sensitive; the oldest of a name.
  EXPECT_FALSE(accounts().find_account_by_name("carol")->has_value());
  stores_->add_account("Carol", "MACCCCCCCCCCCCCCCCC2");
  EXPECT_EQ((*accounts().find_account_by_name("Carol"))->id, carol.id);
  Result<std::vector<Account>> all = accounts().list_accounts();
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 4u);
  EXPECT_EQ((*all)[0].id, alice_);
  EXPECT_EQ((*all)[1].id, bob_);
  EXPECT_EQ((*all)[2].id, carol.id);
}

TEST_P(AccountStoreTest, ConflictTokenHashAndDefaultCountry) {
  const std::string auth_id = (*accounts().list_accounts())[0].auth_id;
  Result<Account> dup = accounts().create_account("again", auth_id, "x");
  ASSERT_FALSE(dup.ok());
  EXPECT_EQ(dup.status().code(), Status::Code::kConflict);
  EXPECT_THAT(dup.status().message(), HasSubstr(auth_id));
  ASSERT_TRUE(accounts().set_token_hash(alice_, "hash-new").ok());
  ASSERT_TRUE(accounts().set_default_country(alice_, "DE").ok());
  reopen();
  const Account a = **accounts().find_account_by_auth_id(auth_id);
  EXPECT_EQ(a.token_hash, "hash-new");
  EXPECT_EQ(a.default_country, "DE");
  EXPECT_EQ(accounts().set_token_hash(999999, "h").code(), Status::Code::kNotFound);
  EXPECT_EQ(accounts().set_default_country(999999, "DE").code(), Status::Code::kNotFound);
}

// ---- rate decks and settings -------------------------------------------------------------------

class RatingStoreTest : public ControlTest {
 protected:
  static RateRow row(Direction d, std::string prefix, std::int64_t rate_units,
                     Micros from = kSinceBeginning) {
    return cdrd::testing::rate_row(std::move(prefix), Money::from_units(rate_units), 30, 6, from,
                                   d);
  }
  static std::vector<RateRow> sorted(std::vector<RateRow> rows) {
    std::sort(rows.begin(), rows.end(), [](const RateRow& a, const RateRow& b) {
      return std::tie(a.direction, a.prefix, a.effective_from) <
             std::tie(b.direction, b.prefix, b.effective_from);
    });
    return rows;
  }
};

TEST_P(RatingStoreTest, NewAccountHasVersionZeroAndDefaults) {
  EXPECT_EQ(*rating().rating_version(alice_), 0);
  Result<RatingProfile> p = rating().rating_profile(alice_);
  ASSERT_TRUE(p.ok()) << p.status().message();
  EXPECT_EQ(p->version, 0);
  EXPECT_EQ(p->settings, RatingSettings{});
  EXPECT_TRUE(p->rows.empty());
}

TEST_P(RatingStoreTest, ReplaceStoresRowsExactlyPerDirectionAndRaisesTheVersion) {
  const std::vector<RateRow> rows = {
      row(Direction::kOutbound, "91", 3000), row(Direction::kOutbound, "91", 2500, 1'700'000'000),
      row(Direction::kOutbound, "123456789012345", 1), row(Direction::kInbound, "1", 300)};
  ASSERT_TRUE(rating().replace_rate_deck(alice_, std::nullopt, rows).ok());
  EXPECT_EQ(sorted(rating().rating_profile(alice_)->rows), sorted(rows));
  EXPECT_EQ(*rating().rating_version(alice_), 1);
  EXPECT_TRUE(rating().rating_profile(bob_)->rows.empty());  // decks are per account
  ASSERT_TRUE(
      rating()
          .replace_rate_deck(alice_, Direction::kOutbound, {row(Direction::kOutbound, "44", 5000)})
          .ok());
  reopen();
  EXPECT_EQ(sorted(rating().rating_profile(alice_)->rows),
            sorted({row(Direction::kInbound, "1", 300), row(Direction::kOutbound, "44", 5000)}));
  EXPECT_EQ(*rating().rating_version(alice_), 2);
  // A large deck goes in whole (PostgreSQL: several multi-row INSERTs in one transaction).
  std::vector<RateRow> many;
  for (int i = 0; i < 2500; ++i)
    many.push_back(row(Direction::kOutbound, std::to_string(1000 + i), i));
  ASSERT_TRUE(rating().replace_rate_deck(alice_, Direction::kOutbound, many).ok());
  EXPECT_EQ(rating().rating_profile(alice_)->rows.size(), 2501u);
}

TEST_P(RatingStoreTest, AFailedReplaceChangesNothing) {
  const std::vector<RateRow> before = {row(Direction::kOutbound, "91", 3000)};
  ASSERT_TRUE(rating().replace_rate_deck(alice_, std::nullopt, before).ok());
  Status wrong = rating().replace_rate_deck(alice_, Direction::kOutbound,
                                            {row(Direction::kInbound, "1", 300)});
  EXPECT_EQ(wrong.code(), Status::Code::kInvalidArgument);
  EXPECT_THAT(wrong.message(), HasSubstr("prefix 1 is an inbound row"));
  Status dup = rating().replace_rate_deck(
      alice_, std::nullopt,
      {row(Direction::kOutbound, "44", 5000), row(Direction::kOutbound, "44", 5100)});
  EXPECT_EQ(dup.code(), Status::Code::kInvalidArgument);
  EXPECT_THAT(dup.message(), HasSubstr("prefix 44"));
  RateRow zero = row(Direction::kOutbound, "33", 1000);
  zero.initial_increment = 0;
  EXPECT_FALSE(rating().replace_rate_deck(alice_, std::nullopt, {zero}).ok());
  EXPECT_EQ(rating().rating_profile(alice_)->rows, before);
  EXPECT_EQ(*rating().rating_version(alice_), 1);
  EXPECT_EQ(rating().replace_rate_deck(999999, std::nullopt, before).code(),
            Status::Code::kNotFound);
}

TEST_P(RatingStoreTest, SettingsRoundTripAndRaiseTheVersion) {
  RatingSettings s;
  s.secure_trunking_rate = Money::from_units(100);
  s.always_rerate = true;
  ASSERT_TRUE(rating().set_rating_settings(alice_, s).ok());
  EXPECT_EQ(rating().rating_profile(alice_)->settings, s);
  EXPECT_EQ(*rating().rating_version(alice_), 1);
  s.always_rerate = false;
  ASSERT_TRUE(rating().set_rating_settings(alice_, s).ok());
  reopen();
  EXPECT_EQ(rating().rating_profile(alice_)->settings, s);
  EXPECT_EQ(*rating().rating_version(alice_), 2);
  EXPECT_EQ(rating().set_rating_settings(999999, s).code(), Status::Code::kNotFound);
  s.secure_trunking_rate = Money::from_units(-1);
  EXPECT_EQ(rating().set_rating_settings(alice_, s).code(), Status::Code::kInvalidArgument);
}

// ---- OAuth apps and tokens ---------------------------------------------------------------------

using OAuthStoreTest = ControlTest;

TEST_P(OAuthStoreTest, AppsAreUniqueListedOldestFirstAndRevocable) {
  auto app = oauth().create_app(alice_, "client-a", "hash");
  ASSERT_TRUE(app.ok()) << app.status().message();
  ASSERT_TRUE(oauth().create_app(alice_, "client-b", "hash").ok());
  EXPECT_EQ(oauth().create_app(bob_, "client-a", "hash").status().code(), Status::Code::kConflict);
  EXPECT_EQ(oauth().create_app(999999, "client-c", "hash").status().code(),
            Status::Code::kNotFound);
  auto apps = oauth().list_apps(alice_);
  ASSERT_TRUE(apps.ok());
  ASSERT_EQ(apps->size(), 2u);
  EXPECT_EQ((*apps)[0].client_id, "client-a");
  EXPECT_EQ((*apps)[1].client_id, "client-b");
  ASSERT_TRUE(oauth().add_token("tok", app->id, 2'000, 1'000).ok());
  ASSERT_TRUE(oauth().revoke_app("client-a").ok());
  EXPECT_TRUE((*oauth().find_token("tok"))->revoked);
  EXPECT_TRUE((*oauth().find_app("client-a"))->revoked);
  EXPECT_EQ(oauth().revoke_app("nobody").code(), Status::Code::kNotFound);
}

TEST_P(OAuthStoreTest, AppKeepsAtMostTheQuotaOfLiveTokensDroppingTheOldest) {
  auto app = oauth().create_app(alice_, new_oauth_client_id(), "hash");
  ASSERT_TRUE(app.ok());
  auto other = oauth().create_app(bob_, new_oauth_client_id(), "hash");
  ASSERT_TRUE(other.ok());
  const Micros now = 1'000'000'000'000'000;
  ASSERT_TRUE(oauth().add_token("other", other->id, now + 10, now).ok());
  for (int i = 0; i < kMaxLiveTokensPerApp; ++i) {
    ASSERT_TRUE(oauth().add_token("t" + std::to_string(i), app->id, now + 100 + i, now).ok());
  }
  for (int i = 0; i < kMaxLiveTokensPerApp; ++i) {
    EXPECT_TRUE(*oauth().find_token("t" + std::to_string(i))) << i;
  }
  ASSERT_TRUE(oauth().add_token("newest", app->id, now + 1000, now).ok());
  EXPECT_FALSE(*oauth().find_token("t0"));
  EXPECT_TRUE(*oauth().find_token("t1"));
  EXPECT_TRUE(*oauth().find_token("newest"));
  EXPECT_TRUE(*oauth().find_token("other"));
  const auto grant = *oauth().find_token("other");
  EXPECT_EQ(grant->app_id, other->id);
  EXPECT_EQ(grant->client_id, other->client_id);
  EXPECT_EQ(grant->account_id, bob_);
  // Expired tokens are dropped on the way.
  ASSERT_TRUE(oauth().add_token("later", app->id, now + 5000, now + 2000).ok());
  EXPECT_FALSE(*oauth().find_token("newest"));
}

// ---- PostgreSQL only: many nodes on one database ------------------------------------------------

class PostgresNodesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    stores_ = std::make_unique<ControlStores>("postgres");
    if (!stores_->skip_reason().empty()) GTEST_SKIP() << stores_->skip_reason();
    alice_ = stores_->add_account("alice", new_auth_id()).id;
    for (int i = 0; i < kNodes; ++i) nodes_.push_back(stores_->open_another_postgres());
  }
  void TearDown() override {
    nodes_.clear();
    stores_.reset();
  }

  // Runs `work(node, i)` for i in [0, kAttempts) on kNodes threads at once, each with its own
  // node; returns how many answered ok. Every other answer must be `refused`.
  template <class Work>
  int race(Status::Code refused, Work work) {
    std::atomic<int> ok{0}, next{0}, other{0};
    std::vector<std::thread> threads;
    for (int n = 0; n < kNodes; ++n) {
      threads.emplace_back([&, n] {
        for (int i = next++; i < kAttempts; i = next++) {
          const Status s = work(*nodes_[n], i);
          if (s.ok()) {
            ++ok;
          } else if (s.code() != refused) {
            ++other;
            ADD_FAILURE() << s.message();
          }
        }
      });
    }
    for (std::thread& t : threads) t.join();
    EXPECT_EQ(other.load(), 0);
    return ok.load();
  }

  static constexpr int kNodes = 4;
  static constexpr int kAttempts = 24;
  std::unique_ptr<ControlStores> stores_;
  std::vector<std::unique_ptr<postgres::ControlStores>> nodes_;
  std::int64_t alice_ = 0;
};

TEST_F(PostgresNodesTest, RacingNodesNeverPassAQuota) {
  const int made = race(Status::Code::kResourceExhausted, [&](postgres::ControlStores& node, int) {
    OriginationUri u;
    u.account_id = alice_;
    u.uri_uuid = new_uuid_v4();
    u.uri = "pbx.example.net";
    return node.trunks.create_origination_uri(u, 5);
  });
  EXPECT_EQ(made, 5);
  EXPECT_EQ(stores_->trunks().list_origination_uris({alice_, 100, 0})->total_count, 5);
}

TEST_F(PostgresNodesTest, RacingNodesNeverTakeOneNameTwice) {
  const int made = race(Status::Code::kConflict, [&](postgres::ControlStores& node, int i) {
    Credential c;
    c.account_id = alice_;
    c.credential_uuid = new_uuid_v4();
    c.username = "pbx-" + std::to_string(i % 3);  // 3 names, 24 tries
    c.realm = "zt.example.net";
    c.ha1 = md5_hex(c.username);
    return node.trunks.create_credential(c, 1000);
  });
  EXPECT_EQ(made, 3);
  const int accounts = race(Status::Code::kConflict, [&](postgres::ControlStores& node, int i) {
    return node.accounts.create_account("x", "MARACE" + std::to_string(i % 2), "h").status();
  });
  EXPECT_EQ(accounts, 2);
}

TEST_F(PostgresNodesTest, ADeleteRacingATrunkThatUsesItLeavesNoDanglingReference) {
  // Each round: one node makes a trunk on a new list while another deletes that list. Either
  // the trunk exists and the list too, or the trunk was refused; never a trunk without its list.
  for (int round = 0; round < 10; ++round) {
    IpAcl acl;
    acl.account_id = alice_;
    acl.ipacl_uuid = new_uuid_v4();
    acl.ip_addresses = {"10.0.0.1"};
    ASSERT_TRUE(nodes_[0]->trunks.create_ip_acl(acl, 1000).ok());
    Trunk t;
    t.account_id = alice_;
    t.trunk_id = std::to_string(5000 + round);
    t.trunk_domain = t.trunk_id + ".zt.example";
    t.direction = Direction::kOutbound;
    t.ipacl_uuid = acl.ipacl_uuid;
    Status made, deleted;
    std::thread a([&] { made = nodes_[1]->trunks.create_trunk(t, 1000); });
    std::thread b([&] { deleted = nodes_[2]->trunks.delete_ip_acl(alice_, acl.ipacl_uuid); });
    a.join();
    b.join();
    EXPECT_NE(made.ok(), deleted.ok()) << made.message() << " / " << deleted.message();
    const bool trunk = stores_->trunks().find_trunk(alice_, t.trunk_id)->has_value();
    const bool list = stores_->trunks().find_ip_acl(alice_, acl.ipacl_uuid)->has_value();
    EXPECT_TRUE(!trunk || list);
  }
}

TEST_F(PostgresNodesTest, ATokenIssuedOnOneNodeWorksOnEveryNodeUntilItsAppIsRevoked) {
  auto app = nodes_[0]->oauth.create_app(alice_, "client-x", "hash");
  ASSERT_TRUE(app.ok());
  ASSERT_TRUE(nodes_[1]->oauth.add_token("tok", app->id, 2'000, 1'000).ok());
  auto grant = nodes_[2]->oauth.find_token("tok");
  ASSERT_TRUE(grant.ok() && *grant);
  EXPECT_EQ((*grant)->account_id, alice_);
  ASSERT_TRUE(nodes_[3]->oauth.revoke_app("client-x").ok());
  EXPECT_TRUE((*nodes_[0]->oauth.find_token("tok"))->revoked);
  // Deck changes raise the version every node's cache compares.
  ASSERT_TRUE(
      nodes_[0]
          ->rating
          .replace_rate_deck(alice_, std::nullopt,
                             {cdrd::testing::rate_row("44", Money::from_units(5000), 60, 60,
                                                      kSinceBeginning, Direction::kOutbound)})
          .ok());
  EXPECT_EQ(*nodes_[1]->rating.rating_version(alice_), 1);
}

TEST(PostgresOpenTest, NodesStartingAtOnceApplyEachMigrationOnceAndShareOneKey) {
  const cdrd::testing::PostgresServer server = cdrd::testing::test_postgres();
  if (server.url.empty()) GTEST_SKIP() << server.skip_reason;
  cdrd::testing::TestDatabase db(server.url);
  cdrd::testing::TempDir dir("cdrd_pg_open_");
  // The first node makes the key; the others are given a copy, as an operator would.
  postgres::PgOptions first;
  first.url = db.url();
  first.key_file = dir.file("control.key");
  ASSERT_TRUE(postgres::Database::open(first).ok());
  ASSERT_EQ(db.query("SELECT COUNT(*) FROM schema_migrations"),
            std::to_string(postgres::latest_schema_version()));
  cdrd::testing::TestDatabase fresh(server.url);
  std::vector<std::thread> nodes;
  std::atomic<int> opened{0};
  for (int i = 0; i < 6; ++i) {
    nodes.emplace_back([&] {
      postgres::PgOptions o = first;
      o.url = fresh.url();
      Result<std::unique_ptr<postgres::Database>> d = postgres::Database::open(o);
      if (d.ok()) {
        ++opened;
      } else {
        ADD_FAILURE() << d.status().message();
      }
    });
  }
  for (std::thread& t : nodes) t.join();
  EXPECT_EQ(opened.load(), 6);
  EXPECT_EQ(fresh.query("SELECT COUNT(*) FROM schema_migrations"),
            std::to_string(postgres::latest_schema_version()));
  EXPECT_EQ(fresh.query("SELECT COUNT(*) FROM control_secret_key"), "1");
  // A node without the key, or with another key, is refused: it could not open the secrets.
  postgres::PgOptions missing = first;
  missing.key_file = dir.file("none.key");
  Result<std::unique_ptr<postgres::Database>> refused = postgres::Database::open(missing);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), Status::Code::kPermissionDenied);
  EXPECT_THAT(refused.status().message(), HasSubstr("copy the key file"));
  cdrd::testing::TempDir other("cdrd_pg_other_");
  postgres::PgOptions elsewhere = first;
  elsewhere.url = fresh.url();
  elsewhere.key_file = other.file("control.key");
  cdrd::testing::TestDatabase third(server.url);
  elsewhere.url = third.url();
  ASSERT_TRUE(postgres::Database::open(elsewhere).ok());  // makes other/control.key
  elsewhere.url = db.url();
  refused = postgres::Database::open(elsewhere);
  ASSERT_FALSE(refused.ok());
  EXPECT_THAT(refused.status().message(), HasSubstr("is not the key of this control database"));
}

TEST(PostgresOpenTest, AServerThatCannotBeReachedIsUnavailable) {
  cdrd::testing::TempDir dir("cdrd_pg_down_");
  postgres::PgOptions o;
  o.url = "postgresql://cdrd@127.0.0.1:1/none";  // nothing listens on port 1
  o.key_file = dir.file("control.key");
  o.connect_timeout_s = 2;
  Result<std::unique_ptr<postgres::Database>> d = postgres::Database::open(o);
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.status().code(), Status::Code::kUnavailable);
  EXPECT_THAT(d.status().message(), HasSubstr("postgresql: cannot connect"));
  o.url = "mysql://x";
  EXPECT_EQ(postgres::Database::open(o).status().code(), Status::Code::kInvalidArgument);
}

INSTANTIATE_TEST_SUITE_P(Backends, TrunkStoreTest, ::testing::Values("sqlite", "postgres"),
                         backend_name);
INSTANTIATE_TEST_SUITE_P(Backends, AccountStoreTest, ::testing::Values("sqlite", "postgres"),
                         backend_name);
INSTANTIATE_TEST_SUITE_P(Backends, RatingStoreTest, ::testing::Values("sqlite", "postgres"),
                         backend_name);
INSTANTIATE_TEST_SUITE_P(Backends, OAuthStoreTest, ::testing::Values("sqlite", "postgres"),
                         backend_name);

}  // namespace
}  // namespace cdrd
