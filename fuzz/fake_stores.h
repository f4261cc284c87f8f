// In-memory stand-ins for the store interfaces, for the fuzz targets: the parsers under test run
// through their real callers (ingest, the list handlers, authentication) without a database, a
// file or a socket. Each fake knows one account (kAccountId, auth_id kAuthId, token kToken),
// one outbound trunk of it (kTrunkId, secure), one OAuth app with one access token (kToken
// again), and a tiny rate deck. Writes are accepted and forgotten, so one input cannot change
// what the next one sees. Not thread-safe (a fuzz target runs one input at a time).
#pragma once

#include <algorithm>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "api/context.h"
#include "core/crypto.h"
#include "rating/rate_deck.h"
#include "service/ingest/ingest.h"
#include "service/rating/rating_service.h"
#include "store/call_store.h"
#include "store/oauth_store.h"
#include "store/rating_store.h"
#include "store/trunk_store.h"

namespace cdrd::fuzz {

inline constexpr std::int64_t kAccountId = 7;
inline constexpr std::string_view kAuthId = "MAXXXXXXXXXXXXXXXXXX";
inline constexpr std::string_view kToken = "fuzz-token-0123456789";
inline constexpr std::string_view kTrunkId = "21781981838176";
inline constexpr std::string_view kOperatorKey = "fuzz-operator-key";
// 2022-12-10 00:00:00 UTC: the seeds' calls fall inside the retention window.
inline constexpr Micros kNow = 1'670'630'400'000'000;

inline Account fuzz_account() {
  Account a;
  a.id = kAccountId;
  a.auth_id = std::string(kAuthId);
  a.name = "fuzz";
  a.token_hash = sha256_hex(kToken);
  return a;
}

class FakeAccountStore final : public AccountStore {
 public:
  Result<Account> create_account(const std::string&, const std::string&,
                                 const std::string&) override {
    return Status::Conflict("read-only fake");
  }
  Result<std::optional<Account>> find_account_by_auth_id(std::string_view auth_id) override {
    if (auth_id == kAuthId) return std::optional<Account>(fuzz_account());
    return std::optional<Account>();
  }
  Result<std::optional<Account>> find_account_by_name(std::string_view name) override {
    if (name == "fuzz") return std::optional<Account>(fuzz_account());
    return std::optional<Account>();
  }
  Status set_token_hash(std::int64_t, const std::string&) override { return Status::Ok(); }
  Status set_default_country(std::int64_t, const std::string&) override { return Status::Ok(); }
  Result<std::vector<Account>> list_accounts() override {
    return std::vector<Account>{fuzz_account()};
  }
};

// Stores nothing for long: counts what it was given and reports every record stored.
class FakeCallStore final : public CallStore {
 public:
  std::size_t inserted = 0;

  Result<std::vector<InsertOutcome>> insert_calls(const std::vector<CallRecord>& records) override {
    inserted += records.size();
    return std::vector<InsertOutcome>(records.size(), InsertOutcome::kStored);
  }
  Result<std::optional<CallRecord>> find_call(std::int64_t, std::string_view, Micros) override {
    return std::optional<CallRecord>();
  }
  Result<Page<CallRecord>> list_calls(const CallQuery&) override { return Page<CallRecord>{}; }
  // One row in the query's first period, so that the view renders every field.
  Result<UsageAnswer> usage(const UsageQuery& q) override {
    UsageAnswer a;
    UsageRow row;
    row.period_start = usage_period_start(q.period, q.filter.end_time.from.value_or(0));
    if (q.group_by) row.group = "DE";
    row.totals = {3, 2, 187, 1235, Money::from_units(123451)};
    a.rows.push_back(row);
    return a;
  }
  // One call after the cursor (unless the cursor is at the end), so that the feed renders one.
  Result<std::vector<StoredCall>> calls_stored_after(std::int64_t account_id, std::int64_t after,
                                                     Micros served_from, int limit) override {
    std::vector<StoredCall> out;
    if (limit > 0 && after < std::numeric_limits<std::int64_t>::max()) {
      StoredCall c;
      c.id = after + 1;
      c.call.account_id = account_id;
      c.call.call_uuid = "fuzz-feed-call";
      c.call.end_time = served_from;
      out.push_back(std::move(c));
    }
    return out;
  }
  // Three calls of ids 1-3, each one the query's account's (or account 1's), with text that
  // needs JSON escaping and CSV quoting, so that the export writes every kind of field.
  Result<std::int64_t> export_calls(const ExportQuery& query, std::int64_t after_id,
                                    std::int64_t through_id, const ExportRowFn& row) override {
    std::int64_t n = 0;
    for (std::int64_t id = std::max<std::int64_t>(after_id + 1, 1);
         id <= std::min<std::int64_t>(through_id, 3); ++id) {
      CallExportRow r;
      r.id = id;
      r.account_id = query.all_accounts ? 1 : query.filter.account_id;
      r.call_uuid = "fuzz-export-call";
      r.sip_call_id = "a,\"b\"\n\xff@host";
      r.end_time = query.served_from == std::numeric_limits<Micros>::min() ? 0 : query.served_from;
      if (id == 2) r.answer_time = r.end_time, r.hangup_cause_code = 3000;
      row(r);
      ++n;
    }
    return n;
  }
  Result<std::int64_t> last_call_id() override { return 3; }
  Result<std::int64_t> delete_calls_ended_before(Micros, int) override { return 0; }
};

class FakeTrunkStore final : public TrunkStore {
 public:
  Trunk trunk() const {
    Trunk t;
    t.account_id = kAccountId;
    t.trunk_id = std::string(kTrunkId);
    t.trunk_domain = std::string(kTrunkId) + ".zt.cdrd.example";
    t.name = "fuzz";
    t.secure = true;
    t.ipacl_uuid = "acl-1";
    return t;
  }

  Status create_ip_acl(const IpAcl&, int) override { return Status::Ok(); }
  Result<std::optional<IpAcl>> find_ip_acl(std::int64_t, std::string_view) override {
    return std::optional<IpAcl>();
  }
  Result<Page<IpAcl>> list_ip_acls(const PageRequest& page) override {
    return one<IpAcl>(page, IpAcl{kAccountId, "acl-1", "office", {"10.0.0.0/8"}, kNow});
  }
  Status update_ip_acl(const IpAcl&) override { return Status::Ok(); }
  Status delete_ip_acl(std::int64_t, std::string_view) override { return Status::Ok(); }

  Status create_credential(const Credential&, int) override { return Status::Ok(); }
  Result<std::optional<Credential>> find_credential(std::int64_t, std::string_view) override {
    return std::optional<Credential>();
  }
  Result<Page<Credential>> list_credentials(const PageRequest& page) override {
    return one<Credential>(page, Credential{kAccountId, "cred-1", "pbx", "pbx.main",
                                            "zt.cdrd.example", std::string(32, 'a'), kNow});
  }
  Status update_credential(const Credential&) override { return Status::Ok(); }
  Status delete_credential(std::int64_t, std::string_view) override { return Status::Ok(); }

  Status create_origination_uri(const OriginationUri&, int) override { return Status::Ok(); }
  Result<std::optional<OriginationUri>> find_origination_uri(std::int64_t,
                                                             std::string_view) override {
    return std::optional<OriginationUri>();
  }
  Result<Page<OriginationUri>> list_origination_uris(const PageRequest& page) override {
    OriginationUri u;
    u.account_id = kAccountId;
    u.uri_uuid = "uri-1";
    u.uri = "pbx.example.com:5060;transport=tcp";
    return one<OriginationUri>(page, u);
  }
  Status update_origination_uri(const OriginationUri&) override { return Status::Ok(); }
  Status delete_origination_uri(std::int64_t, std::string_view) override { return Status::Ok(); }

  Status create_trunk(const Trunk&, int) override { return Status::Ok(); }
  Result<std::optional<Trunk>> find_trunk(std::int64_t account_id,
                                          std::string_view trunk_id) override {
    if (account_id == kAccountId && trunk_id == kTrunkId) return std::optional<Trunk>(trunk());
    return std::optional<Trunk>();
  }
  Result<Page<Trunk>> list_trunks(const PageRequest& page, const TrunkFilter&) override {
    return one<Trunk>(page, trunk());
  }
  Status update_trunk(const Trunk&) override { return Status::Ok(); }
  Status delete_trunk(std::int64_t, std::string_view) override { return Status::Ok(); }

 private:
  template <class T>
  static Page<T> one(const PageRequest& page, T row) {
    Page<T> p;
    p.total_count = 1;
    if (page.offset == 0) p.rows.push_back(std::move(row));
    return p;
  }
};

// One app ("fuzz-app", secret kToken) and one live token (kToken) of the account.
class FakeOAuthStore final : public OAuthStore {
 public:
  Result<OAuthApp> create_app(std::int64_t, const std::string&, const std::string&) override {
    return Status::Conflict("read-only fake");
  }
  Result<std::optional<OAuthApp>> find_app(std::string_view client_id) override {
    if (client_id != "fuzz-app") return std::optional<OAuthApp>();
    OAuthApp app;
    app.id = 1;
    app.client_id = "fuzz-app";
    app.account_id = kAccountId;
    app.secret_hash = sha256_hex(kToken);
    return std::optional<OAuthApp>(app);
  }
  Result<std::vector<OAuthApp>> list_apps(std::int64_t) override { return std::vector<OAuthApp>(); }
  Status revoke_app(std::string_view) override { return Status::Ok(); }
  Status add_token(const std::string&, std::int64_t, Micros, Micros) override {
    return Status::Ok();
  }
  Result<std::optional<TokenGrant>> find_token(std::string_view token_hash) override {
    if (token_hash != sha256_hex(kToken)) return std::optional<TokenGrant>();
    return std::optional<TokenGrant>(
        TokenGrant{kAccountId, "fuzz-app", kNow + 3'600'000'000, false, 1});
  }
};

// The account's deck: outbound 1 (US/Canada) and 44 (UK), inbound 1; version 1.
class FakeRatingStore final : public RatingStore {
 public:
  Status replace_rate_deck(std::int64_t, std::optional<Direction>,
                           const std::vector<RateRow>&) override {
    return Status::Ok();
  }
  Result<RatingProfile> rating_profile(std::int64_t) override {
    RatingProfile p;
    p.version = 1;
    auto deck = rating::parse_rate_deck_csv(
        "prefix,rate,initial_increment,subsequent_increment,direction\n"
        "1,0.00450,6,6,outbound\n44,0.01200,60,60,outbound\n1,0.00100,1,1,inbound\n");
    if (!deck.ok()) return deck.status();
    for (Direction d : {Direction::kInbound, Direction::kOutbound}) {
      for (const RateRow& r : deck->rows(d)) p.rows.push_back(r);
    }
    return p;
  }
  Result<std::int64_t> rating_version(std::int64_t) override { return std::int64_t{1}; }
  Status set_rating_settings(std::int64_t, const RatingSettings&) override { return Status::Ok(); }
  Result<std::vector<BilledCall>> scan_billing(const BillingScan&, const BillingCursor&,
                                               int) override {
    return std::vector<BilledCall>();
  }
  Result<std::int64_t> update_billing(const std::vector<BilledCall>&) override {
    return std::int64_t{0};
  }
};

// Every fake wired into an ApiContext and the services with a fixed clock and an operator key.
struct FakeWorld {
  FakeAccountStore accounts;
  FakeCallStore calls;
  FakeTrunkStore trunks;
  FakeOAuthStore oauth;
  FakeRatingStore rating_store;
  service::RatingService rating{accounts, rating_store};
  api::ApiSettings settings = [] {
    api::ApiSettings s;
    s.operator_key = std::string(kOperatorKey);
    s.now = [] { return kNow; };
    return s;
  }();
  api::ApiContext ctx{accounts, calls, settings};
  service::ingest::IngestService ingest{
      accounts, calls, trunks, rating, {settings.retention_days, settings.now, {}}};
};

}  // namespace cdrd::fuzz
