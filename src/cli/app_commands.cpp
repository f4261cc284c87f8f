// The OAuth app subcommands of `cdrd` (docs/api-pbx.md):
//   cdrd app create --account AUTH_ID     prints a new client_id and client_secret
//   cdrd app list --account AUTH_ID       the account's apps
//   cdrd app revoke CLIENT_ID             its tokens stop working at once
// Only a SHA-256 of the secret is stored; the secret is shown once.
#include <CLI/CLI.hpp>

#include <iostream>

#include "cli/backends.h"
#include "cli/commands.h"
#include "core/crypto.h"
#include "core/time.h"

namespace cdrd::cli {
namespace {

struct AppOptions {
  std::string account;
  std::string client_id;
};

std::optional<Account> find_account(AccountStore& accounts, const std::string& auth_id) {
  const Result<std::optional<Account>> a = accounts.find_account_by_auth_id(auth_id);
  if (!a.ok()) {
    std::cerr << "cdrd: " << a.status().message() << "\n";
    return std::nullopt;
  }
  if (!*a) {
    std::cerr << "cdrd: no account has auth_id '" << auth_id << "'\n";
    return std::nullopt;
  }
  return **a;
}

int run_app_create(const GlobalOptions& global, const AppOptions& o) {
  const std::unique_ptr<Backends> store = open_backends(global);
  if (!store) return 2;
  const std::optional<Account> account = find_account(*store->accounts, o.account);
  if (!account) return 2;
  const std::string client_id = new_oauth_client_id();
  const std::string secret = new_oauth_client_secret();
  const Result<OAuthApp> app = store->oauth->create_app(account->id, client_id, sha256_hex(secret));
  if (!app.ok()) return error_exit(app.status());
  std::cout << "app of account " << account->auth_id << " (client " << account->id
            << "; the secret is shown once):\n"
            << "  client_id:     " << client_id << "\n"
            << "  client_secret: " << secret << "\n";
  return 0;
}

int run_app_list(const GlobalOptions& global, const AppOptions& o) {
  const std::unique_ptr<Backends> store = open_backends(global);
  if (!store) return 2;
  const std::optional<Account> account = find_account(*store->accounts, o.account);
  if (!account) return 2;
  const Result<std::vector<OAuthApp>> apps = store->oauth->list_apps(account->id);
  if (!apps.ok()) return error_exit(apps.status());
  for (const OAuthApp& a : *apps) {
    std::cout << a.client_id << "  created " << format_timestamp(a.created_at)
              << (a.revoked ? "  revoked" : "  active") << "\n";
  }
  return 0;
}

int run_app_revoke(const GlobalOptions& global, const AppOptions& o) {
  const std::unique_ptr<Backends> store = open_backends(global);
  if (!store) return 2;
  if (Status s = store->oauth->revoke_app(o.client_id); !s.ok()) return error_exit(s);
  std::cout << "revoked app " << o.client_id << ": its tokens no longer work\n";
  return 0;
}

}  // namespace

AppCommands add_app_commands(CLI::App& app, const GlobalOptions& global) {
  auto options = std::make_shared<AppOptions>();
  auto* cmd = app.add_subcommand("app", "manage OAuth apps of the cloud-PBX API");
  cmd->require_subcommand(1);
  auto* create = cmd->add_subcommand("create", "create an app, print its client_id and secret");
  create->add_option("--account", options->account, "the account's auth_id")->required();
  auto* list = cmd->add_subcommand("list", "list an account's apps");
  list->add_option("--account", options->account, "the account's auth_id")->required();
  auto* revoke = cmd->add_subcommand("revoke", "revoke an app: its tokens stop working");
  revoke->add_option("client_id", options->client_id, "the app's client_id")->required();
  AppCommands out;
  out.run = [=, &global]() -> std::optional<int> {
    if (create->parsed()) return run_app_create(global, *options);
    if (list->parsed()) return run_app_list(global, *options);
    if (revoke->parsed()) return run_app_revoke(global, *options);
    return std::nullopt;
  };
  return out;
}

}  // namespace cdrd::cli
