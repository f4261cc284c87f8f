#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>

#include "cli/commands.h"
#include "core/clock.h"
#include "core/crypto.h"
#include "sample/sample_calls.h"
#include "service/ingest/ingest.h"
#include "service/rating/rating_service.h"
#include "service/trunks/trunk_rules.h"
#include "service/trunks/validators.h"

namespace cdrd::cli {
namespace {

constexpr std::uint64_t kDemoSeed = 20221206;
constexpr const char* kDemoName = "demo";

// KEY=VALUE lines of a small env file.
std::map<std::string, std::string> read_env_file(const std::string& path) {
  std::map<std::string, std::string> out;
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) {
    const auto eq = line.find('=');
    if (eq != std::string::npos) out[line.substr(0, eq)] = line.substr(eq + 1);
  }
  return out;
}

// Writes a file readable by its owner only (it holds credentials).
bool write_private_file(const std::string& path, const std::string& text) {
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    if (!out) return false;
    out << text;
    if (!out.flush()) return false;
  }
  ::chmod(tmp.c_str(), 0600);
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  return !ec;
}

// The demo account's trunks, made on the first run: an IP access control list, an
// origination URI, two outbound trunks (one secure) and an inbound one. Later runs reuse what
// is there (and add a trunk of a direction that has none).
Result<sample::AccountTrunks> ensure_demo_trunks(TrunkStore& store, std::string_view sip_domain,
                                                 const Account& account) {
  Result<Page<Trunk>> existing = store.list_trunks({account.id, 20, 0}, {});
  if (!existing.ok()) return existing.status();
  sample::AccountTrunks out;
  // Oldest first, so the same trunks keep the same places on every run.
  for (auto it = existing->rows.rbegin(); it != existing->rows.rend(); ++it) {
    (it->direction == Direction::kOutbound ? out.outbound : out.inbound)
        .push_back({it->trunk_id, it->secure});
  }
  auto add = [&](Trunk draft) -> Status {
    draft.account_id = account.id;
    Result<Trunk> t = service::trunks::create_trunk(store, sip_domain, std::move(draft));
    if (!t.ok()) return t.status();
    (t->direction == Direction::kOutbound ? out.outbound : out.inbound)
        .push_back({t->trunk_id, t->secure});
    return Status::Ok();
  };
  if (out.outbound.empty()) {
    IpAcl acl;
    acl.account_id = account.id;
    acl.ipacl_uuid = new_uuid_v4();
    acl.name = "demo office";
    acl.ip_addresses = {"203.0.113.0/24", "2001:db8:100::/48"};
    if (Status s = store.create_ip_acl(acl, service::trunks::kMaxIpAclsPerAccount); !s.ok()) {
      return s;
    }
    for (bool secure : {false, true}) {
      Trunk t;
      t.name = secure ? "demo outbound (secure)" : "demo outbound";
      t.direction = Direction::kOutbound;
      t.secure = secure;
      t.ipacl_uuid = acl.ipacl_uuid;
      if (Status s = add(t); !s.ok()) return s;
    }
  }
  if (out.inbound.empty()) {
    OriginationUri uri;
    uri.account_id = account.id;
    uri.uri_uuid = new_uuid_v4();
    uri.name = "demo PBX";
    uri.uri = "pbx.demo.example:5060;transport=udp";
    if (Status s =
            store.create_origination_uri(uri, service::trunks::kMaxOriginationUrisPerAccount);
        !s.ok()) {
      return s;
    }
    Trunk t;
    t.name = "demo inbound";
    t.direction = Direction::kInbound;
    t.primary_uri_uuid = uri.uri_uuid;
    if (Status s = add(t); !s.ok()) return s;
  }
  return out;
}

}  // namespace

int run_demo(const GlobalOptions& global, std::int64_t calls, const std::string& sip_domain) {
  if (!service::trunks::is_valid_sip_domain(sip_domain)) {
    std::cerr << "cdrd: --sip-domain must be a DNS name such as sip.example.com, got '"
              << sip_domain << "'\n";
    return 2;
  }
  auto store = open_store(global);
  if (!store) return 2;
  // The demo's calls go into the sqlite database: refused when the data directory keeps its
  // calls in the segment store (the account and its credentials alone, --calls 0, are not).
  std::unique_ptr<CallStore> unused;
  if (calls > 0 && choose_calls(global, "", 0, store->calls, unused) == nullptr) return 2;
  const std::string env_path = (std::filesystem::path(global.data_dir) / "demo.env").string();
  const std::string key_path = (std::filesystem::path(global.data_dir) / "operator.key").string();

  // The operator key, made once.
  std::string operator_key;
  {
    std::ifstream in(key_path);
    std::getline(in, operator_key);
  }
  if (operator_key.empty()) {
    operator_key =
        random_string(32, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789");
    if (!write_private_file(key_path, operator_key + "\n")) {
      std::cerr << "cdrd: cannot write " << key_path << "\n";
      return 2;
    }
  }

  // The demo account: reuse it with the credentials written at its creation; if they were
  // lost, give it a new token.
  auto existing = store->accounts.find_account_by_name(kDemoName);
  if (!existing.ok()) return error_exit(existing.status());
  auto env = read_env_file(env_path);
  std::optional<Account> account = *existing;
  std::string token = env["CDRD_AUTH_TOKEN"];
  if (account && (env["CDRD_AUTH_ID"] != account->auth_id ||
                  !constant_time_equals(sha256_hex(token), account->token_hash))) {
    token = new_auth_token();
    if (auto s = store->accounts.set_token_hash(account->id, sha256_hex(token)); !s.ok())
      return error_exit(s);
  } else if (!account) {
    token = new_auth_token();
    auto created = store->accounts.create_account(kDemoName, new_auth_id(), sha256_hex(token));
    if (!created.ok()) return error_exit(created.status());
    account = *created;
  }

  // The demo OAuth app of the cloud-PBX API: reused while demo.env holds its secret.
  std::string client_id = env["CDRD_CLIENT_ID"], client_secret = env["CDRD_CLIENT_SECRET"];
  {
    auto app = store->oauth.find_app(client_id);
    if (!app.ok()) return error_exit(app.status());
    const bool reusable = *app && (*app)->account_id == account->id && !(*app)->revoked &&
                          constant_time_equals(sha256_hex(client_secret), (*app)->secret_hash);
    if (!reusable) {
      client_id = new_oauth_client_id();
      client_secret = new_oauth_client_secret();
      auto created = store->oauth.create_app(account->id, client_id, sha256_hex(client_secret));
      if (!created.ok()) return error_exit(created.status());
    }
  }

  Result<sample::AccountTrunks> demo_trunks =
      ensure_demo_trunks(store->trunks, sip_domain, *account);
  if (!demo_trunks.ok()) {
    std::cerr << "cdrd: demo trunks: " << demo_trunks.status().message() << "\n";
    return 2;
  }

  // Demo calls that ended in the 29 whole UTC days before today: the same calls on every
  // machine and every day (same call_uuids, numbers, durations, causes, legs and metrics, in the
  // same order; only their dates move with the day), all inside the default 30-day list window.
  // They carry the cloud-PBX fields and the quality metrics, so both APIs and Call Insights
  // show real content. Ingested through the same validation as any other record, so a second
  // run adds nothing.
  sample::SampleOptions options;
  options.seed = kDemoSeed;
  options.auth_ids = {account->auth_id};
  options.account_seeds[account->auth_id] = kDemoName;
  options.pbx_detail = true;
  const Micros now = system_now();
  options.end_until = now - (now % kMicrosPerDay + kMicrosPerDay) % kMicrosPerDay;
  options.end_from = options.end_until - 29 * kMicrosPerDay;
  options.trunks[account->auth_id] = *demo_trunks;
  std::string ndjson;
  if (Status s = sample::append_sample_calls(options, 0, calls, ndjson); !s.ok()) {
    std::cerr << "cdrd: demo calls: " << s.message() << "\n";
    return 2;
  }
  service::RatingService rating(store->accounts, store->rating);
  const service::ingest::IngestService ingest(store->accounts, store->calls, store->trunks, rating,
                                              {});
  auto result = ingest.ingest_text(ndjson, service::ingest::Format::kNdjson);
  if (!result.ok()) return error_exit(result.status());
  if (!result->failed.empty()) {
    std::cerr << "cdrd: demo record refused at line " << result->failed[0].line << ": "
              << result->failed[0].error << "\n";
    return 2;
  }
  // The newest demo call, for the README's retrieve example.
  CallQuery newest;
  newest.account_id = account->id;
  newest.limit = 1;
  auto page = store->calls.list_calls(newest);
  const std::string example_call =
      page.ok() && !page->rows.empty() ? page->rows.front().call_uuid : "";

  const std::string env_text =
      "CDRD_AUTH_ID=" + account->auth_id + "\nCDRD_AUTH_TOKEN=" + token +
      "\nCDRD_OPERATOR_KEY=" + operator_key + "\nCDRD_DEMO_CALL=" + example_call +
      "\nCDRD_CLIENT_ID=" + client_id + "\nCDRD_CLIENT_SECRET=" + client_secret + "\n";
  if (!write_private_file(env_path, env_text)) {
    std::cerr << "cdrd: cannot write " << env_path << "\n";
    return 2;
  }
  std::cout << "demo account (written to " << env_path << "):\n"
            << "  auth_id:      " << account->auth_id << "\n"
            << "  auth_token:   " << token << "\n"
            << "  operator key: " << operator_key << "  (in " << key_path << ")\n"
            << "  oauth app:    client_id " << client_id << ", client_secret " << client_secret
            << "  (cloud-PBX API, client " << account->id << ")\n"
            << "  demo trunks:  " << demo_trunks->outbound.size() << " outbound, "
            << demo_trunks->inbound.size() << " inbound\n"
            << "  demo calls:   " << result->stored << " new, " << result->duplicates
            << " already there; newest call_uuid " << example_call << "\n";
  return 0;
}

}  // namespace cdrd::cli
