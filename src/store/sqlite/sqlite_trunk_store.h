// SqliteTrunkStore: the TrunkStore kept in a sqlite::Database (database.h), beside the accounts
// and calls (schema: migration 4 in migrations.cpp). It shares the database's durability (WAL,
// synchronous=FULL), its single serialised writer and its reader pool: every write below is one
// write transaction that also checks the rules listed in trunk_store.h; every list answers its
// page and its total_count from one snapshot.
// Origination-URI passwords are sealed with the database's SecretBox (secret_keys.h) on the
// way in and opened on the way out.
//
// Thread-safety: safe for concurrent use; the Database must outlive it.
#pragma once

#include "store/sqlite/database.h"
#include "store/trunk_store.h"

namespace cdrd {

class SqliteTrunkStore final : public TrunkStore {
 public:
  explicit SqliteTrunkStore(sqlite::Database& db) : db_(db) {}

  // TrunkStore, one block per resource as declared there.

  Status create_ip_acl(const IpAcl& acl, int max_per_account) override;
  Result<std::optional<IpAcl>> find_ip_acl(std::int64_t account_id,
                                           std::string_view ipacl_uuid) override;
  Result<Page<IpAcl>> list_ip_acls(const PageRequest& page) override;
  Status update_ip_acl(const IpAcl& acl) override;
  Status delete_ip_acl(std::int64_t account_id, std::string_view ipacl_uuid) override;

  Status create_credential(const Credential& credential, int max_per_account) override;
  Result<std::optional<Credential>> find_credential(std::int64_t account_id,
                                                    std::string_view credential_uuid) override;
  Result<Page<Credential>> list_credentials(const PageRequest& page) override;
  Status update_credential(const Credential& credential) override;
  Status delete_credential(std::int64_t account_id, std::string_view credential_uuid) override;

  Status create_origination_uri(const OriginationUri& uri, int max_per_account) override;
  Result<std::optional<OriginationUri>> find_origination_uri(std::int64_t account_id,
                                                             std::string_view uri_uuid) override;
  Result<Page<OriginationUri>> list_origination_uris(const PageRequest& page) override;
  Status update_origination_uri(const OriginationUri& uri) override;
  Status delete_origination_uri(std::int64_t account_id, std::string_view uri_uuid) override;

  Status create_trunk(const Trunk& trunk, int max_per_account) override;
  Result<std::optional<Trunk>> find_trunk(std::int64_t account_id,
                                          std::string_view trunk_id) override;
  Result<Page<Trunk>> list_trunks(const PageRequest& page, const TrunkFilter& filter) override;
  Status update_trunk(const Trunk& trunk) override;
  Status delete_trunk(std::int64_t account_id, std::string_view trunk_id) override;

 private:
  sqlite::Database& db_;
};

}  // namespace cdrd
