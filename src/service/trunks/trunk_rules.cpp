#include "service/trunks/trunk_rules.h"

#include <string>

#include "service/trunks/validators.h"

namespace cdrd::service::trunks {
namespace {

constexpr int kTrunkIdAttempts = 5;

Status only_for(const Trunk& t, std::string_view field, std::string_view why) {
  return Status::Invalid(std::string(field) + ": " + std::string(why) + "; a" +
                         (t.direction == Direction::kInbound ? "n inbound" : "n outbound") +
                         " trunk does not take it (leave it out, or send null to remove it)");
}

}  // namespace

Status check_trunk_links(const Trunk& t) {
  if (t.direction == Direction::kOutbound) {
    if (t.primary_uri_uuid) {
      return only_for(t, "primary_uri_uuid", "only an inbound trunk routes to origination URIs");
    }
    if (t.fallback_uri_uuid) {
      return only_for(t, "fallback_uri_uuid", "only an inbound trunk routes to origination URIs");
    }
    if (!t.ipacl_uuid && !t.credential_uuid) {
      return Status::Missing(
          "ipacl_uuid or credential_uuid: an outbound trunk needs an IP access "
          "control list, a credential or both");
    }
    return Status::Ok();
  }
  if (t.ipacl_uuid) {
    return only_for(t, "ipacl_uuid",
                    "only an outbound trunk authenticates by IP access control list");
  }
  if (t.credential_uuid) {
    return only_for(t, "credential_uuid", "only an outbound trunk authenticates by credential");
  }
  if (!t.primary_uri_uuid) {
    return Status::Missing(
        "primary_uri_uuid: an inbound trunk needs a primary origination URI "
        "(the uuid of one of your origination URIs)");
  }
  if (t.fallback_uri_uuid && *t.fallback_uri_uuid == *t.primary_uri_uuid) {
    return Status::Invalid("fallback_uri_uuid: must differ from primary_uri_uuid");
  }
  return Status::Ok();
}

Result<Trunk> create_trunk(TrunkStore& store, std::string_view sip_domain, Trunk draft) {
  if (Status s = check_trunk_links(draft); !s.ok()) return s;
  // 17 random digits: a collision is rare; a taken id is drawn again.
  for (int attempt = 0; attempt < kTrunkIdAttempts; ++attempt) {
    draft.trunk_id = new_trunk_id();
    draft.trunk_domain = trunk_domain_of(draft.trunk_id, sip_domain);
    const Status s = store.create_trunk(draft, kMaxTrunksPerAccount);
    if (s.ok()) return draft;
    if (s.code() != Status::Code::kConflict) return s;
  }
  return Status::Internal("no free trunk_id after " + std::to_string(kTrunkIdAttempts) +
                          " attempts");
}

}  // namespace cdrd::service::trunks
