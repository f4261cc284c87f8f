// SqliteTrunkStore: the rules it keeps inside its write transactions (quotas, unique usernames,
// references within the account, refusal to delete what a trunk uses), account isolation,
// list order, filters and counts, and persistence across a reopen.
#include "store/sqlite/stores.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <memory>
#include <string>

#include "core/crypto.h"
#include "testing/stores.h"

namespace cdrd {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

class TrunkStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    reopen();
    alice_ = create_account("alice");
    bob_ = create_account("bob");
  }
  void TearDown() override {
    trunks_.reset();
    db_.reset();
  }

  void reopen() {
    trunks_.reset();
    db_.reset();
    db_ = cdrd::testing::open_stores_in(dir_);
    trunks_ = std::make_unique<SqliteTrunkStore>(*db_->db);
  }

  std::int64_t create_account(const std::string& name) {
    return cdrd::testing::add_account(*db_, name, new_auth_id(), "hash").id;
  }

  std::string add_acl(std::int64_t account, std::vector<std::string> entries = {"10.0.0.0/8"},
                      int quota = 100) {
    IpAcl acl;
    acl.account_id = account;
    acl.ipacl_uuid = new_uuid_v4();
    acl.name = "office";
    acl.ip_addresses = std::move(entries);
    Status s = trunks_->create_ip_acl(acl, quota);
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
    return trunks_->create_credential(c, quota);
  }

  std::string add_uri(std::int64_t account) {
    OriginationUri u;
    u.account_id = account;
    u.uri_uuid = new_uuid_v4();
    u.uri = "pbx.example.net:5060;transport=tcp";
    EXPECT_TRUE(trunks_->create_origination_uri(u, 100).ok());
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

  cdrd::testing::TempDir dir_{"cdrd_trunk_store_"};
  std::unique_ptr<sqlite::Stores> db_;
  std::unique_ptr<SqliteTrunkStore> trunks_;
  std::int64_t alice_ = 0, bob_ = 0;
};

TEST_F(TrunkStoreTest, IpAclRoundTripKeepsEntryOrder) {
  const std::string id = add_acl(alice_, {"203.0.113.7", "2001:db8::/32", "10.0.0.0/8"});
  auto found = trunks_->find_ip_acl(alice_, id);
  ASSERT_TRUE(found.ok());
  ASSERT_TRUE(found->has_value());
  EXPECT_EQ((*found)->name, "office");
  EXPECT_THAT((*found)->ip_addresses, ElementsAre("203.0.113.7", "2001:db8::/32", "10.0.0.0/8"));

  IpAcl changed = **found;
  changed.name = "branch";
  changed.ip_addresses = {"192.0.2.1"};
  ASSERT_TRUE(trunks_->update_ip_acl(changed).ok());
  reopen();
  found = trunks_->find_ip_acl(alice_, id);
  ASSERT_TRUE(found.ok() && found->has_value());
  EXPECT_EQ((*found)->name, "branch");
  EXPECT_THAT((*found)->ip_addresses, ElementsAre("192.0.2.1"));
}

TEST_F(TrunkStoreTest, AnotherAccountsResourcesAreNotFound) {
  const std::string acl = add_acl(alice_);
  auto found = trunks_->find_ip_acl(bob_, acl);
  ASSERT_TRUE(found.ok());
  EXPECT_FALSE(found->has_value());
  IpAcl stolen;
  stolen.account_id = bob_;
  stolen.ipacl_uuid = acl;
  EXPECT_EQ(trunks_->update_ip_acl(stolen).code(), Status::Code::kNotFound);
  EXPECT_EQ(trunks_->delete_ip_acl(bob_, acl).code(), Status::Code::kNotFound);
  auto bob_page = trunks_->list_ip_acls({bob_, 20, 0});
  ASSERT_TRUE(bob_page.ok());
  EXPECT_EQ(bob_page->total_count, 0);
  EXPECT_TRUE(bob_page->rows.empty());
  // Alice's list is untouched.
  found = trunks_->find_ip_acl(alice_, acl);
  ASSERT_TRUE(found.ok() && found->has_value());
  EXPECT_EQ((*found)->name, "office");
}

TEST_F(TrunkStoreTest, QuotasAreCountedPerAccount) {
  add_acl(alice_, {"10.0.0.1"}, 2);
  add_acl(alice_, {"10.0.0.2"}, 2);
  IpAcl third;
  third.account_id = alice_;
  third.ipacl_uuid = new_uuid_v4();
  third.ip_addresses = {"10.0.0.3"};
  Status s = trunks_->create_ip_acl(third, 2);
  EXPECT_EQ(s.code(), Status::Code::kResourceExhausted);
  EXPECT_THAT(s.message(), HasSubstr("at most 2 IP access control lists"));
  EXPECT_EQ(trunks_->list_ip_acls({alice_, 20, 0})->total_count, 2);
  // Bob's quota is his own.
  third.account_id = bob_;
  EXPECT_TRUE(trunks_->create_ip_acl(third, 2).ok());

  EXPECT_TRUE(add_credential(alice_, "user1", 1).ok());
  Status full = add_credential(alice_, "user2", 1);
  EXPECT_EQ(full.code(), Status::Code::kResourceExhausted);
  EXPECT_THAT(full.message(), HasSubstr("at most 1 credentials"));
}

TEST_F(TrunkStoreTest, UsernamesAreUniquePerAccount) {
  ASSERT_TRUE(add_credential(alice_, "pbx.main").ok());
  Status again = add_credential(alice_, "pbx.main");
  EXPECT_EQ(again.code(), Status::Code::kConflict);
  EXPECT_THAT(again.message(), HasSubstr("username"));
  EXPECT_TRUE(add_credential(alice_, "PBX.main").ok());  // SIP usernames are case-sensitive
  EXPECT_TRUE(add_credential(bob_, "pbx.main").ok());    // another account may use it
  EXPECT_EQ(trunks_->list_credentials({alice_, 20, 0})->total_count, 2);
}

TEST_F(TrunkStoreTest, CredentialUpdateWritesNameAndHa1Only) {
  std::string id;
  ASSERT_TRUE(add_credential(alice_, "pbx", 200, &id).ok());
  Credential c = **trunks_->find_credential(alice_, id);
  c.ha1 = md5_hex("pbx:zt.example.net:NewSecret12345");
  c.username = "someone-else";
  c.realm = "elsewhere";
  ASSERT_TRUE(trunks_->update_credential(c).ok());
  Credential after = **trunks_->find_credential(alice_, id);
  EXPECT_EQ(after.ha1, c.ha1);
  EXPECT_EQ(after.username, "pbx");
  EXPECT_EQ(after.realm, "zt.example.net");
}

TEST_F(TrunkStoreTest, TrunkReferencesMustBeInTheSameAccount) {
  const std::string bobs_acl = add_acl(bob_);
  Status s = trunks_->create_trunk(outbound(alice_, "1001", bobs_acl), 100);
  EXPECT_EQ(s.code(), Status::Code::kInvalidArgument);
  EXPECT_THAT(s.message(), HasSubstr("ipacl_uuid"));
  EXPECT_THAT(s.message(), HasSubstr(bobs_acl));
  Trunk with_bad_uri = outbound(alice_, "1002", add_acl(alice_));
  with_bad_uri.direction = Direction::kInbound;
  with_bad_uri.ipacl_uuid.reset();
  with_bad_uri.primary_uri_uuid = add_uri(alice_);
  with_bad_uri.fallback_uri_uuid = add_uri(bob_);
  s = trunks_->create_trunk(with_bad_uri, 100);
  EXPECT_EQ(s.code(), Status::Code::kInvalidArgument);
  EXPECT_THAT(s.message(), HasSubstr("fallback_uri_uuid"));
  EXPECT_EQ(trunks_->list_trunks({alice_, 20, 0}, {})->total_count, 0);
}

TEST_F(TrunkStoreTest, TrunkIdsAreUniqueAcrossAccounts) {
  ASSERT_TRUE(trunks_->create_trunk(outbound(alice_, "4242", add_acl(alice_)), 100).ok());
  Status s = trunks_->create_trunk(outbound(bob_, "4242", add_acl(bob_)), 100);
  EXPECT_EQ(s.code(), Status::Code::kConflict);
  auto found = trunks_->find_trunk(bob_, "4242");
  ASSERT_TRUE(found.ok());
  EXPECT_FALSE(found->has_value());
}

TEST_F(TrunkStoreTest, UsedResourcesCannotBeDeletedAndTheMessageNamesTheTrunk) {
  const std::string acl = add_acl(alice_);
  std::string cred;
  ASSERT_TRUE(add_credential(alice_, "pbx", 200, &cred).ok());
  Trunk out = outbound(alice_, "7001", acl);
  out.credential_uuid = cred;
  ASSERT_TRUE(trunks_->create_trunk(out, 100).ok());
  Trunk in;
  in.account_id = alice_;
  in.trunk_id = "7002";
  in.name = "inbound";
  in.direction = Direction::kInbound;
  const std::string primary = add_uri(alice_), fallback = add_uri(alice_);
  in.primary_uri_uuid = primary;
  in.fallback_uri_uuid = fallback;
  ASSERT_TRUE(trunks_->create_trunk(in, 100).ok());

  Status s = trunks_->delete_ip_acl(alice_, acl);
  EXPECT_EQ(s.code(), Status::Code::kConflict);
  EXPECT_THAT(s.message(), HasSubstr("7001"));
  EXPECT_THAT(s.message(), HasSubstr("out-7001"));
  s = trunks_->delete_credential(alice_, cred);
  EXPECT_EQ(s.code(), Status::Code::kConflict);
  EXPECT_THAT(s.message(), HasSubstr("7001"));
  s = trunks_->delete_origination_uri(alice_, fallback);
  EXPECT_EQ(s.code(), Status::Code::kConflict);
  EXPECT_THAT(s.message(), HasSubstr("7002"));
  EXPECT_TRUE(trunks_->find_ip_acl(alice_, acl)->has_value());

  // Once the trunk lets go, the delete goes through.
  in.fallback_uri_uuid.reset();
  ASSERT_TRUE(trunks_->update_trunk(in).ok());
  EXPECT_TRUE(trunks_->delete_origination_uri(alice_, fallback).ok());
  ASSERT_TRUE(trunks_->delete_trunk(alice_, "7001").ok());
  EXPECT_TRUE(trunks_->delete_ip_acl(alice_, acl).ok());
  EXPECT_TRUE(trunks_->delete_credential(alice_, cred).ok());
  EXPECT_FALSE(trunks_->find_ip_acl(alice_, acl)->has_value());
  EXPECT_EQ(trunks_->delete_trunk(alice_, "7001").code(), Status::Code::kNotFound);
}

TEST_F(TrunkStoreTest, TrunkListIsNewestFirstWithFiltersAndExactCounts) {
  const std::string acl = add_acl(alice_);
  std::string cred;
  ASSERT_TRUE(add_credential(alice_, "pbx", 200, &cred).ok());
  for (int i = 0; i < 7; ++i) {
    Trunk t = outbound(alice_, std::to_string(100 + i), acl);
    if (i % 2) t.credential_uuid = cred;
    t.secure = i % 3 == 0;
    t.status = i == 6 ? TrunkStatus::kDisabled : TrunkStatus::kEnabled;
    ASSERT_TRUE(trunks_->create_trunk(t, 100).ok());
  }
  ASSERT_TRUE(trunks_->create_trunk(outbound(bob_, "999", add_acl(bob_)), 100).ok());

  auto ids = [](const Page<Trunk>& p) {
    std::vector<std::string> out;
    for (const Trunk& t : p.rows) out.push_back(t.trunk_id);
    return out;
  };
  auto all = trunks_->list_trunks({alice_, 3, 0}, {});
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->total_count, 7);
  EXPECT_THAT(ids(*all), ElementsAre("106", "105", "104"));
  auto last = trunks_->list_trunks({alice_, 3, 6}, {});
  EXPECT_THAT(ids(*last), ElementsAre("100"));
  EXPECT_EQ(last->total_count, 7);

  TrunkFilter with_cred;
  with_cred.credential_uuid = cred;
  EXPECT_THAT(ids(*trunks_->list_trunks({alice_, 20, 0}, with_cred)),
              ElementsAre("105", "103", "101"));
  TrunkFilter secure_enabled;
  secure_enabled.secure = true;
  secure_enabled.status = TrunkStatus::kEnabled;
  EXPECT_THAT(ids(*trunks_->list_trunks({alice_, 20, 0}, secure_enabled)),
              ElementsAre("103", "100"));
  TrunkFilter inbound;
  inbound.direction = Direction::kInbound;
  EXPECT_EQ(trunks_->list_trunks({alice_, 20, 0}, inbound)->total_count, 0);
  TrunkFilter bobs_acl_filter;
  bobs_acl_filter.ipacl_uuid = acl;
  EXPECT_EQ(trunks_->list_trunks({bob_, 20, 0}, bobs_acl_filter)->total_count, 0);
}

}  // namespace
}  // namespace cdrd
