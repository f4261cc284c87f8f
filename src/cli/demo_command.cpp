#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>

#include "api/ingest/ingest.h"
#include "api/ratedecks/rating_service.h"
#include "cli/commands.h"
#include "core/crypto.h"
#include "sample/sample_calls.h"

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

}  // namespace

int run_demo(const GlobalOptions& global, std::int64_t calls) {
  auto store = open_store(global);
  if (!store) return 2;
  const std::string env_path = (std::filesystem::path(global.data_dir) / "demo.env").string();
  const std::string key_path = (std::filesystem::path(global.data_dir) / "operator.key").string();

  // The operator key, made once.
  std::string operator_key;
  {
    std::ifstream in(key_path);
    std::getline(in, operator_key);
  }
  if (operator_key.empty()) {
    operator_key = random_string(32, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789");
    if (!write_private_file(key_path, operator_key + "\n")) {
      std::cerr << "cdrd: cannot write " << key_path << "\n";
      return 2;
    }
  }

  // The demo account: reuse it with the credentials written at its creation; if they were
  // lost, give it a new token.
  auto existing = store->find_account_by_name(kDemoName);
  if (!existing.ok()) {
    std::cerr << "cdrd: " << existing.status().message() << "\n";
    return 2;
  }
  auto env = read_env_file(env_path);
  std::optional<Account> account = *existing;
  std::string token = env["CDRD_AUTH_TOKEN"];
  if (account && (env["CDRD_AUTH_ID"] != account->auth_id ||
                  !constant_time_equals(sha256_hex(token), account->token_hash))) {
    token = new_auth_token();
    if (auto s = store->set_token_hash(account->id, sha256_hex(token)); !s.ok()) {
      std::cerr << "cdrd: " << s.message() << "\n";
      return 2;
    }
  } else if (!account) {
    token = new_auth_token();
    auto created = store->create_account(kDemoName, new_auth_id(), sha256_hex(token));
    if (!created.ok()) {
      std::cerr << "cdrd: " << created.status().message() << "\n";
      return 2;
    }
    account = *created;
  }

  // The demo OAuth app of the cloud-PBX API: reused while demo.env holds its secret.
  std::string client_id = env["CDRD_CLIENT_ID"], client_secret = env["CDRD_CLIENT_SECRET"];
  {
    auto app = store->find_app(client_id);
    if (!app.ok()) {
      std::cerr << "cdrd: " << app.status().message() << "\n";
      return 2;
    }
    const bool reusable = *app && (*app)->account_id == account->id && !(*app)->revoked &&
                          constant_time_equals(sha256_hex(client_secret), (*app)->secret_hash);
    if (!reusable) {
      client_id = new_oauth_client_id();
      client_secret = new_oauth_client_secret();
      auto created = store->create_app(account->id, client_id, sha256_hex(client_secret));
      if (!created.ok()) {
        std::cerr << "cdrd: " << created.status().message() << "\n";
        return 2;
      }
    }
  }

  // Demo calls over the last 30 days, the same call_uuids on every machine; ingested through
  // the same validation as any other record, so a second run adds nothing.
  sample::SampleOptions options;
  options.seed = kDemoSeed;
  options.auth_ids = {account->auth_id};
  options.end_until = api::system_now();
  options.end_from = options.end_until - 30 * kMicrosPerDay;
  std::string ndjson;
  sample::append_sample_calls(options, 0, calls, ndjson);
  api::ApiSettings settings;
  api::ratedecks::RatingService rating(*store, *store);
  auto result =
      api::ingest::ingest_text(api::ApiContext{*store, *store, settings, &rating}, ndjson,
                               api::ingest::Format::kNdjson);
  if (!result.ok()) {
    std::cerr << "cdrd: " << result.status().message() << "\n";
    return 2;
  }
  if (!result->failed.empty()) {
    std::cerr << "cdrd: demo record refused at line " << result->failed[0].line << ": "
              << result->failed[0].error << "\n";
    return 2;
  }
  // The newest demo call, for the README's retrieve example.
  CallQuery newest;
  newest.account_id = account->id;
  newest.limit = 1;
  auto page = store->list_calls(newest);
  const std::string example_call =
      page.ok() && !page->rows.empty() ? page->rows.front().call_uuid : "";

  const std::string env_text = "CDRD_AUTH_ID=" + account->auth_id + "\nCDRD_AUTH_TOKEN=" + token +
                               "\nCDRD_OPERATOR_KEY=" + operator_key +
                               "\nCDRD_DEMO_CALL=" + example_call +
                               "\nCDRD_CLIENT_ID=" + client_id +
                               "\nCDRD_CLIENT_SECRET=" + client_secret + "\n";
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
            << "  demo calls:   " << result->stored << " new, " << result->duplicates
            << " already there; newest call_uuid " << example_call << "\n";
  return 0;
}

}  // namespace cdrd::cli
