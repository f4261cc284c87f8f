#include <iostream>

#include "cli/backends.h"
#include "cli/commands.h"
#include "core/crypto.h"

namespace cdrd::cli {

int run_account_create(const GlobalOptions& global, const std::string& name) {
  if (name.empty() || name.size() > 128) {
    std::cerr << "cdrd: --name must be 1 to 128 characters\n";
    return 2;
  }
  const std::unique_ptr<Backends> store = open_backends(global);
  if (!store) return 2;
  const std::string token = new_auth_token();
  auto account = store->accounts->create_account(name, new_auth_id(), sha256_hex(token));
  if (!account.ok()) return error_exit(account.status());
  std::cout << "auth_id: " << account->auth_id << "\n"
            << "auth_token: " << token << "\n"
            << "(the token is shown once: only its hash is stored)\n";
  return 0;
}

int run_account_list(const GlobalOptions& global) {
  const std::unique_ptr<Backends> store = open_backends(global);
  if (!store) return 2;
  auto accounts = store->accounts->list_accounts();
  if (!accounts.ok()) return error_exit(accounts.status());
  for (const auto& a : *accounts) {
    std::cout << a.auth_id << "  " << format_timestamp(a.created_at) << "  " << a.name << "\n";
  }
  return 0;
}

int run_account_reset_token(const GlobalOptions& global, const std::string& auth_id) {
  const std::unique_ptr<Backends> store = open_backends(global);
  if (!store) return 2;
  auto account = store->accounts->find_account_by_auth_id(auth_id);
  if (!account.ok()) return error_exit(account.status());
  if (!*account) {
    std::cerr << "cdrd: no account with auth_id '" << auth_id << "'\n";
    return 2;
  }
  const std::string token = new_auth_token();
  if (Status s = store->accounts->set_token_hash((*account)->id, sha256_hex(token)); !s.ok()) {
    return error_exit(s);
  }
  std::cout << "auth_id: " << auth_id << "\n"
            << "auth_token: " << token << "\n"
            << "(the old token stops working on every node within their --auth-cache-ms)\n";
  return 0;
}

}  // namespace cdrd::cli
