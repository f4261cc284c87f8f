// PgTrunkStore: the TrunkStore (store/trunk_store.h) kept in the PostgreSQL control plane
// (pg_database.h), shared by every node. Each write is one SERIALIZABLE transaction that checks
// the rules of trunk_store.h (quotas, unique usernames, references within the account, refusal
// to delete what a trunk uses) against what it reads, and PostgreSQL aborts (and the Database
// retries) whichever of two racing transactions would make the rule false; each list answers
// its page and its total_count from one snapshot. Messages and codes are those of
// SqliteTrunkStore, so the API answers the same bytes on either backend.
// Origination-URI passwords are sealed with the Database's SecretBox on the way in and opened
// on the way out.
//
// Thread-safety: safe for concurrent use; the Database must outlive it.
#pragma once

#include "store/postgres/pg_database.h"
#include "store/trunk_store.h"

namespace cdrd::postgres {

class PgTrunkStore final : public TrunkStore {
 public:
  explicit PgTrunkStore(Database& db) : db_(db) {}

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
  Database& db_;
};

}  // namespace cdrd::postgres
