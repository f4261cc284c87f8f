// The value rules of the trunk control plane, each at its boundaries.
#include "service/trunks/validators.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <regex>
#include <set>
#include <string>

namespace cdrd::service::trunks {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

TEST(Username, LengthAndCharacters) {
  EXPECT_FALSE(check_username("username", "ab").ok());
  EXPECT_TRUE(check_username("username", "abc").ok());
  EXPECT_TRUE(check_username("username", std::string(64, 'u')).ok());
  EXPECT_FALSE(check_username("username", std::string(65, 'u')).ok());
  EXPECT_TRUE(check_username("username", "Pbx.main_01-b").ok());
  for (const char* bad : {"pbx main", "pbx@home", "pbx:1", "pbx/1", "p\xc3\xa9x", ""}) {
    const Status s = check_username("username", bad);
    EXPECT_EQ(s.code(), Status::Code::kInvalidArgument) << bad;
    EXPECT_THAT(s.message(), HasSubstr("username: must be 3 to 64 characters")) << bad;
  }
}

TEST(Password, LengthClassesAndNeverEchoed) {
  EXPECT_FALSE(check_password("password", "Abcdefghij1").ok());                 // 11
  EXPECT_TRUE(check_password("password", "Abcdefghijk1").ok());                 // 12
  EXPECT_TRUE(check_password("password", "A1" + std::string(126, 'x')).ok());   // 128
  EXPECT_FALSE(check_password("password", "A1" + std::string(127, 'x')).ok());  // 129
  EXPECT_FALSE(check_password("password", "abcdefghijk1").ok());                // no upper
  EXPECT_FALSE(check_password("password", "ABCDEFGHIJK1").ok());                // no lower
  EXPECT_FALSE(check_password("password", "Abcdefghijkl").ok());                // no digit
  EXPECT_FALSE(check_password("password", "Abcdef ghijk1").ok());               // space
  EXPECT_FALSE(check_password("password", "Abcdefghijk1\xc3\xa9").ok());        // not ASCII
  EXPECT_TRUE(check_password("password", "Ab1!#$%&'()*+,-./:;<=>?@[]^_`{|}~").ok());
  for (const char* secret : {"Abcdefghij1", "abcdefghijk1", "Abcdef ghijk1"}) {
    const Status s = check_password("password", secret);
    EXPECT_THAT(s.message(), HasSubstr("password: "));
    EXPECT_THAT(s.message(), Not(HasSubstr(secret)));
  }
}

// Rows of an input and what it gives, one expectation a row so that a failure names its row:
// the shape every value test of the tree shares (phone, country, url, page links, validators).
TEST(IpEntry, AddressesAndRangesAreCanonical) {
  auto ok = [](std::string_view in) {
    Result<std::string> r = canonical_ip_entry("ip_addresses[0]", in);
    EXPECT_TRUE(r.ok()) << in << ": " << r.status().message();
    return r.ok() ? *r : std::string();
  };
  EXPECT_EQ(ok("203.0.113.7"), "203.0.113.7");
  EXPECT_EQ(ok("10.0.0.0/8"), "10.0.0.0/8");
  EXPECT_EQ(ok("192.0.2.1/32"), "192.0.2.1/32");
  EXPECT_EQ(ok("0.0.0.0/0"), "0.0.0.0/0");
  EXPECT_EQ(ok("2001:DB8:0:0:0:0:0:1"), "2001:db8::1");
  EXPECT_EQ(ok("2001:db8::/32"), "2001:db8::/32");
  EXPECT_EQ(ok("2001:0db8:0000::/48"), "2001:db8::/48");
  EXPECT_EQ(ok("::1/128"), "::1/128");
  EXPECT_EQ(ok("::ffff:192.0.2.1"), "::ffff:192.0.2.1");
}

TEST(IpEntry, RefusesWhatIsNotAnAddressOrRange) {
  for (const char* bad : {"10.0.0.0/33",
                          "1.2.3",
                          "::g",
                          "256.1.1.1",
                          "10.0.0.01",
                          "1.2.3.4.5",
                          "10.0.0.0/",
                          "/8",
                          "10.0.0.0/08",
                          "10.0.0.0/8/8",
                          "10.0.0.0/-1",
                          "2001:db8::/129",
                          "fe80::1%eth0",
                          " 10.0.0.1",
                          "10.0.0.1 ",
                          "",
                          "example.com",
                          "10.0.0.0/99999999999999999999",
                          "1:2:3:4:5:6:7:8:9",
                          "2001:db8:::1"}) {
    Result<std::string> r = canonical_ip_entry("ip_addresses[3]", bad);
    ASSERT_FALSE(r.ok()) << "'" << bad << "' -> " << (r.ok() ? *r : "");
    EXPECT_EQ(r.status().code(), Status::Code::kInvalidArgument);
    EXPECT_THAT(r.status().message(), HasSubstr("ip_addresses[3]: ")) << bad;
  }
  EXPECT_THAT(canonical_ip_entry("f", "10.0.0.0/33").status().message(),
              HasSubstr("must be 0 to 32"));
  EXPECT_THAT(canonical_ip_entry("f", "2001:db8::/129").status().message(),
              HasSubstr("must be 0 to 128"));
}

TEST(IpEntry, RangesMustNotHaveHostBits) {
  Result<std::string> r = canonical_ip_entry("ip_addresses[0]", "10.1.2.3/8");
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.status().message(), HasSubstr("the range is 10.0.0.0/8"));
  r = canonical_ip_entry("ip_addresses[0]", "2001:db8::1/64");
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.status().message(), HasSubstr("2001:db8::/64"));
}

TEST(HostName, Labels) {
  EXPECT_TRUE(is_host_name("pbx.example.com"));
  EXPECT_TRUE(is_host_name("localhost"));
  EXPECT_TRUE(is_host_name("a-b.c1"));
  EXPECT_TRUE(is_host_name(std::string(63, 'a') + ".com"));
  EXPECT_FALSE(is_host_name(std::string(64, 'a') + ".com"));
  for (const char* bad : {"", ".", "pbx..example.com", "-pbx.com", "pbx-.com", "pbx_1.com",
                          "pbx.example.com.", "1.2.3", "10.0.0.1", "pbx.123"}) {
    EXPECT_FALSE(is_host_name(bad)) << bad;
  }
}

TEST(OriginationUri, Forms) {
  for (const char* good :
       {"pbx.example.com", "pbx.example.com:5060", "203.0.113.9", "203.0.113.9:5061;transport=tls",
        "[2001:db8::1]", "[2001:db8::1]:5060;transport=tcp", "pbx.example.com;transport=udp",
        "pbx.example.com:1", "pbx.example.com:65535"}) {
    EXPECT_TRUE(check_origination_uri("uri", good).ok()) << good;
  }
  for (const char* bad :
       {"", "sip:pbx.example.com", "pbx..example.com", "pbx.example.com:0", "pbx.example.com:65536",
        "pbx.example.com:", ":5060", "[2001:db8::1", "2001:db8::1", "[2001:db8::1]5060", "1.2.3",
        "256.0.0.1", "pbx.example.com;transport=sctp", "pbx.example.com;user=phone",
        "pbx.example.com:05060", "pbx example.com", "[fe80::1%eth0]"}) {
    const Status s = check_origination_uri("uri", bad);
    EXPECT_EQ(s.code(), Status::Code::kInvalidArgument) << bad;
    EXPECT_THAT(s.message(), HasSubstr("uri: must be host[:port]")) << bad;
  }
}

TEST(Name, LengthInCharactersAndNoControls) {
  EXPECT_TRUE(check_name("name", "").ok());
  EXPECT_TRUE(check_name("name", std::string(128, 'n')).ok());
  EXPECT_FALSE(check_name("name", std::string(129, 'n')).ok());
  std::string accented;
  for (int i = 0; i < 128; ++i) accented += "\xc3\xa9";  // 128 characters, 256 bytes
  EXPECT_TRUE(check_name("name", accented).ok());
  EXPECT_THAT(check_name("name", "a\tb").message(), HasSubstr("control characters"));
}

TEST(Ids, TrunkIdsAndUuids) {
  const std::regex seventeen("[1-9][0-9]{16}");
  std::set<std::string> seen;
  for (int i = 0; i < 200; ++i) {
    const std::string id = new_trunk_id();
    EXPECT_TRUE(std::regex_match(id, seventeen)) << id;
    EXPECT_TRUE(is_trunk_id(id));
    seen.insert(id);
  }
  EXPECT_EQ(seen.size(), 200u);
  EXPECT_FALSE(is_trunk_id(""));
  EXPECT_FALSE(is_trunk_id("12a"));
  EXPECT_FALSE(is_trunk_id(std::string(21, '1')));
  EXPECT_TRUE(is_uuid_like("90b6eb07-796c-4d86-a4fd-44ed11667ddb"));
  EXPECT_FALSE(is_uuid_like("90b6eb07/796c"));
  EXPECT_FALSE(is_uuid_like(std::string(65, 'a')));
}

TEST(Domains, TrunkDomainRealmAndSetting) {
  EXPECT_EQ(trunk_domain_of("93667062664669661", "example.net"),
            "93667062664669661.zt.example.net");
  EXPECT_EQ(realm_of("example.net"), "zt.example.net");
  EXPECT_TRUE(is_valid_sip_domain("example.net"));
  EXPECT_TRUE(is_valid_sip_domain("cdrd.example"));
  EXPECT_FALSE(is_valid_sip_domain("bad domain"));
  EXPECT_FALSE(is_valid_sip_domain("example.net."));
  EXPECT_FALSE(is_valid_sip_domain(std::string(240, 'a')));
}

TEST(Digest, Ha1OfRfc2617Example) {
  // RFC 2617 section 3.5: Mufasa / testrealm@host.com / "Circle Of Life".
  EXPECT_EQ(sip_digest_ha1("Mufasa", "testrealm@host.com", "Circle Of Life"),
            "939e7578ed9e3c518a452acee763bce9");
}

}  // namespace
}  // namespace cdrd::service::trunks
