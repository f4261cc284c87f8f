// IPAccessControlList/: the addresses and CIDR ranges allowed to send calls into an outbound
// trunk. Entries are parsed and stored in their canonical form; an update replaces the list.
#include <string>
#include <vector>

#include "api/trunks/handlers.h"
#include "api/trunks/trunk_view.h"
#include "core/crypto.h"
#include "service/trunks/validators.h"

namespace cdrd::api::trunks::detail {
namespace {

constexpr std::string_view kAclFields = "name, ip_addresses";
constexpr ResourceOps<IpAcl> kIpAclOps{"IP access control list", &is_uuid_like,
                                       &TrunkStore::find_ip_acl, &TrunkStore::delete_ip_acl};
const std::string kEntriesForm = "an array of 1 to " + std::to_string(kMaxEntriesPerIpAcl) +
                                 " IPv4 or IPv6 addresses or CIDR ranges";

// The name and entries `body` gives onto `acl`; `entries_given` says whether there were any.
Status read_body(const JsonBody& body, IpAcl& acl, bool& entries_given) {
  if (Status s = body.check_fields({"name", "ip_addresses"}); !s.ok()) return s;
  if (Status s = read_name(body, acl.name); !s.ok()) return s;
  Result<std::optional<std::vector<std::string>>> entries =
      body.string_array("ip_addresses", kEntriesForm);
  if (!entries.ok()) return entries.status();
  entries_given = entries->has_value();
  if (!entries_given) return Status::Ok();
  const std::vector<std::string>& raw = **entries;
  if (raw.empty() || raw.size() > static_cast<std::size_t>(kMaxEntriesPerIpAcl)) {
    return Status::Invalid("ip_addresses: must hold 1 to " + std::to_string(kMaxEntriesPerIpAcl) +
                           " entries, got " + std::to_string(raw.size()));
  }
  std::vector<std::string> canonical;
  for (std::size_t i = 0; i < raw.size(); ++i) {
    const std::string field = "ip_addresses[" + std::to_string(i) + "]";
    Result<std::string> entry = canonical_ip_entry(field, raw[i]);
    if (!entry.ok()) return entry.status();
    for (std::size_t j = 0; j < canonical.size(); ++j) {
      if (canonical[j] == *entry) {
        return Status::Invalid(field + ": '" + echo(raw[i]) + "' is already in the list (" +
                               "ip_addresses[" + std::to_string(j) + "])");
      }
    }
    canonical.push_back(std::move(entry).value());
  }
  acl.ip_addresses = std::move(canonical);
  return Status::Ok();
}

http::HttpResponse create_ip_acl(const Call& c) {
  Result<JsonBody> body = body_of(c.request);
  if (!body.ok()) return error(body.status());
  IpAcl acl;
  acl.account_id = c.account.id;
  bool entries_given = false;
  if (Status s = read_body(*body, acl, entries_given); !s.ok()) return error(s);
  if (!entries_given) {
    return error(Status::Missing("ip_addresses: is required (" + kEntriesForm + ")"));
  }
  acl.ipacl_uuid = new_uuid_v4();
  if (Status s = c.store.create_ip_acl(acl, kMaxIpAclsPerAccount); !s.ok()) return error(s);
  return created("IP Access Control List created successfully.", "ipacl_uuid", acl.ipacl_uuid);
}

http::HttpResponse update_ip_acl(const Call& c, std::string_view uuid) {
  IpAcl acl;
  if (std::optional<http::HttpResponse> answer = find_row(c, kIpAclOps, uuid, acl)) return *answer;
  Result<JsonBody> body = body_of(c.request);
  if (!body.ok()) return error(body.status());
  if (body->empty()) return error(nothing_to_change(kAclFields));
  bool entries_given = false;
  if (Status s = read_body(*body, acl, entries_given); !s.ok()) return error(s);
  if (Status s = c.store.update_ip_acl(acl); !s.ok()) return error(s);
  return updated("IP Access Control List updated successfully.", "ipacl_uuid", acl.ipacl_uuid);
}

}  // namespace

const ResourceHandlers kIpAclHandlers{
    [](const Call& c) { return list_unfiltered(c, &TrunkStore::list_ip_acls); },     &create_ip_acl,
    [](const Call& c, std::string_view id) { return get_row(c, kIpAclOps, id); },    &update_ip_acl,
    [](const Call& c, std::string_view id) { return delete_row(c, kIpAclOps, id); },
};

}  // namespace cdrd::api::trunks::detail
