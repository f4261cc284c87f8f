// TrunkStore: the trunk control plane's storage (core/trunk.h): IP access control lists,
// credentials, origination URIs and trunks, each scoped to one account.
//
// The store keeps the rules that need the stored state, each checked in the same write
// transaction as the write, so concurrent requests cannot slip past them:
//   - quotas (the caller passes the limit): kResourceExhausted naming the quota
//   - a credential username is unique in its account: kConflict
//   - a trunk's ipacl_uuid, credential_uuid, primary_uri_uuid and fallback_uri_uuid name
//     resources of the trunk's own account: kInvalidArgument naming the field
//   - a list, credential or URI that a trunk uses cannot be deleted: kConflict naming the
//     trunk(s)
// Everything else (formats, directions, required fields) is checked before the store is asked.
// Unknown ids, and ids of another account, are kNotFound: one account never sees another's.
//
// Thread-safety: implementations are safe for concurrent use. Errors are Status values.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "core/call_query.h"
#include "core/status.h"
#include "core/trunk.h"

namespace cdrd {

// The four resources have the same five operations (the API treats them alike); each keeps its
// own typed signatures and its own rules rather than one generic template.
class TrunkStore {
 public:
  virtual ~TrunkStore() = default;

  // IP access control lists. create fails kResourceExhausted when the account already has
  // `max_per_account` lists; update replaces the name and the entries.
  virtual Status create_ip_acl(const IpAcl& acl, int max_per_account) = 0;
  virtual Result<std::optional<IpAcl>> find_ip_acl(std::int64_t account_id,
                                                   std::string_view ipacl_uuid) = 0;
  virtual Result<Page<IpAcl>> list_ip_acls(const PageRequest& page) = 0;
  virtual Status update_ip_acl(const IpAcl& acl) = 0;
  virtual Status delete_ip_acl(std::int64_t account_id, std::string_view ipacl_uuid) = 0;

  // Credentials. create fails kConflict when the username is taken in the account and
  // kResourceExhausted at the quota; update writes the name and the HA1 (username and realm
  // never change: the HA1 is made of them).
  virtual Status create_credential(const Credential& credential, int max_per_account) = 0;
  virtual Result<std::optional<Credential>> find_credential(std::int64_t account_id,
                                                            std::string_view credential_uuid) = 0;
  virtual Result<Page<Credential>> list_credentials(const PageRequest& page) = 0;
  virtual Status update_credential(const Credential& credential) = 0;
  virtual Status delete_credential(std::int64_t account_id, std::string_view credential_uuid) = 0;

  // Origination URIs. create fails kResourceExhausted when the account already has
  // `max_per_account` URIs; update writes name, uri, authentication_needed, username and
  // password. The password is kept sealed (encrypted) and given back in plain text; a stored
  // password that does not decrypt (altered) fails the read with kIOError.
  virtual Status create_origination_uri(const OriginationUri& uri, int max_per_account) = 0;
  virtual Result<std::optional<OriginationUri>> find_origination_uri(std::int64_t account_id,
                                                                     std::string_view uri_uuid) = 0;
  virtual Result<Page<OriginationUri>> list_origination_uris(const PageRequest& page) = 0;
  virtual Status update_origination_uri(const OriginationUri& uri) = 0;
  virtual Status delete_origination_uri(std::int64_t account_id, std::string_view uri_uuid) = 0;

  // Trunks. create fails kResourceExhausted when the account already has `max_per_account`
  // trunks, and kConflict when trunk_id is taken (by any account: the caller draws a new id and
  // tries again). update writes everything but trunk_id, trunk_domain and
  // created_at. Deleting a trunk leaves the calls that name it as they are.
  virtual Status create_trunk(const Trunk& trunk, int max_per_account) = 0;
  virtual Result<std::optional<Trunk>> find_trunk(std::int64_t account_id,
                                                  std::string_view trunk_id) = 0;
  virtual Result<Page<Trunk>> list_trunks(const PageRequest& page, const TrunkFilter& filter) = 0;
  virtual Status update_trunk(const Trunk& trunk) = 0;
  virtual Status delete_trunk(std::int64_t account_id, std::string_view trunk_id) = 0;
};

}  // namespace cdrd
