// The trunk link rules and create_trunk's id drawing.
#include "service/trunks/trunk_rules.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>
#include <string>

#include "service/trunks/validators.h"

namespace cdrd::service::trunks {
namespace {

using ::testing::HasSubstr;

// ---- the trunk link rules ----------------------------------------------------------------------

Trunk trunk(Direction d) {
  Trunk t;
  t.direction = d;
  return t;
}

TEST(TrunkLinks, OutboundNeedsAnAclOrACredentialAndNoUri) {
  Trunk t = trunk(Direction::kOutbound);
  Status s = check_trunk_links(t);
  EXPECT_EQ(s.code(), Status::Code::kMissingArgument);
  EXPECT_THAT(s.message(), HasSubstr("ipacl_uuid or credential_uuid"));
  t.ipacl_uuid = "acl";
  EXPECT_TRUE(check_trunk_links(t).ok());
  t.ipacl_uuid.reset();
  t.credential_uuid = "cred";
  EXPECT_TRUE(check_trunk_links(t).ok());
  t.ipacl_uuid = "acl";
  EXPECT_TRUE(check_trunk_links(t).ok());
  t.primary_uri_uuid = "uri";
  s = check_trunk_links(t);
  EXPECT_EQ(s.code(), Status::Code::kInvalidArgument);
  EXPECT_THAT(s.message(), HasSubstr("primary_uri_uuid: only an inbound trunk"));
  t.primary_uri_uuid.reset();
  t.fallback_uri_uuid = "uri";
  EXPECT_THAT(check_trunk_links(t).message(), HasSubstr("fallback_uri_uuid"));
}

TEST(TrunkLinks, InboundNeedsAPrimaryUriAndNoAclOrCredential) {
  Trunk t = trunk(Direction::kInbound);
  Status s = check_trunk_links(t);
  EXPECT_EQ(s.code(), Status::Code::kMissingArgument);
  EXPECT_THAT(s.message(), HasSubstr("primary_uri_uuid"));
  t.primary_uri_uuid = "p";
  EXPECT_TRUE(check_trunk_links(t).ok());
  t.fallback_uri_uuid = "f";
  EXPECT_TRUE(check_trunk_links(t).ok());
  t.fallback_uri_uuid = "p";
  EXPECT_THAT(check_trunk_links(t).message(), HasSubstr("fallback_uri_uuid: must differ"));
  t.fallback_uri_uuid.reset();
  t.ipacl_uuid = "acl";
  s = check_trunk_links(t);
  EXPECT_EQ(s.code(), Status::Code::kInvalidArgument);
  EXPECT_THAT(s.message(), HasSubstr("ipacl_uuid: only an outbound trunk"));
  t.ipacl_uuid.reset();
  t.credential_uuid = "c";
  EXPECT_THAT(check_trunk_links(t).message(), HasSubstr("credential_uuid: only an outbound"));
}

// ---- create_trunk ------------------------------------------------------------------------------

// A TrunkStore must override every method: those the rules never reach return unused(), one
// line each, the same shape repeated by the interface, not by choice.
// Keeps trunks in memory; refuses the first `taken` ids it is offered as taken.
class MemoryTrunkStore final : public TrunkStore {
 public:
  int taken = 0;
  std::map<std::string, Trunk> trunks;

  Status create_trunk(const Trunk& t, int) override {
    if (taken > 0) {
      --taken;
      return Status::Conflict("trunk_id taken");
    }
    trunks[t.trunk_id] = t;
    return Status::Ok();
  }
  Status create_ip_acl(const IpAcl&, int) override { return unused(); }
  Result<std::optional<IpAcl>> find_ip_acl(std::int64_t, std::string_view) override {
    return unused();
  }
  Result<Page<IpAcl>> list_ip_acls(const PageRequest&) override { return unused(); }
  Status update_ip_acl(const IpAcl&) override { return unused(); }
  Status delete_ip_acl(std::int64_t, std::string_view) override { return unused(); }
  Status create_credential(const Credential&, int) override { return unused(); }
  Result<std::optional<Credential>> find_credential(std::int64_t, std::string_view) override {
    return unused();
  }
  Result<Page<Credential>> list_credentials(const PageRequest&) override { return unused(); }
  Status update_credential(const Credential&) override { return unused(); }
  Status delete_credential(std::int64_t, std::string_view) override { return unused(); }
  Status create_origination_uri(const OriginationUri&, int) override { return unused(); }
  Result<std::optional<OriginationUri>> find_origination_uri(std::int64_t,
                                                             std::string_view) override {
    return unused();
  }
  Result<Page<OriginationUri>> list_origination_uris(const PageRequest&) override {
    return unused();
  }
  Status update_origination_uri(const OriginationUri&) override { return unused(); }
  Status delete_origination_uri(std::int64_t, std::string_view) override { return unused(); }
  Result<std::optional<Trunk>> find_trunk(std::int64_t, std::string_view) override {
    return unused();
  }
  Result<Page<Trunk>> list_trunks(const PageRequest&, const TrunkFilter&) override {
    return unused();
  }
  Status update_trunk(const Trunk&) override { return unused(); }
  Status delete_trunk(std::int64_t, std::string_view) override { return unused(); }

 private:
  static Status unused() { return Status::Internal("not used by this test"); }
};

TEST(CreateTrunk, DrawsANumericIdAndTheDomainFromTheSetting) {
  MemoryTrunkStore store;
  const std::string sip_domain = "voice.example.net";
  Trunk draft = trunk(Direction::kOutbound);
  draft.ipacl_uuid = "acl";
  Result<Trunk> t = create_trunk(store, sip_domain, draft);
  ASSERT_TRUE(t.ok()) << t.status().message();
  EXPECT_EQ(t->trunk_id.size(), 17u);
  EXPECT_EQ(t->trunk_domain, t->trunk_id + ".zt.voice.example.net");
  ASSERT_EQ(store.trunks.count(t->trunk_id), 1u);
  EXPECT_EQ(store.trunks[t->trunk_id].trunk_domain, t->trunk_domain);
}

TEST(CreateTrunk, DrawsAgainWhenTheIdIsTakenAndChecksLinksFirst) {
  MemoryTrunkStore store;
  store.taken = 2;
  Trunk draft = trunk(Direction::kOutbound);
  draft.credential_uuid = "c";
  ASSERT_TRUE(create_trunk(store, kDefaultSipDomain, draft).ok());
  EXPECT_EQ(store.trunks.size(), 1u);
  store.taken = 100;
  EXPECT_EQ(create_trunk(store, kDefaultSipDomain, draft).status().code(), Status::Code::kInternal);
  EXPECT_EQ(create_trunk(store, kDefaultSipDomain, trunk(Direction::kInbound)).status().code(),
            Status::Code::kMissingArgument);
  EXPECT_EQ(store.trunks.size(), 1u);
}

}  // namespace
}  // namespace cdrd::service::trunks
