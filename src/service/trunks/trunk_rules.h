// The trunk rules of the control plane that are not about single values (docs/api-trunks.md,
// "Rules"): what a trunk's direction allows it to link to, and how a new trunk gets its
// trunk_id and trunk_domain. The value rules are validators.h; the rules that need stored state
// (quotas, unique usernames, same-account references) are the TrunkStore's, checked atomically
// with the write. Thread-safe (the store is).
#pragma once

#include <string_view>

#include "core/status.h"
#include "core/trunk.h"
#include "store/trunk_store.h"

namespace cdrd::service::trunks {

// The rules between a trunk's direction and its links: an outbound trunk takes ipacl_uuid
// and/or credential_uuid (one is required: kMissingArgument) and no URI; an inbound trunk
// takes primary_uri_uuid (required) and an optional, different fallback_uri_uuid, and no ACL
// or credential (kInvalidArgument naming the field).
Status check_trunk_links(const Trunk& trunk);

// Creates a trunk from `draft` (account_id, name, status, direction, secure and links):
// checks its links, draws a new trunk_id (again if one is taken), sets its trunk_domain
// "{trunk_id}.zt.{sip_domain}" and stores it. Returns the stored trunk; the store's failure
// (kInvalidArgument for a quota), or kInternal when no free trunk_id was drawn.
Result<Trunk> create_trunk(TrunkStore& store, std::string_view sip_domain, Trunk draft);

}  // namespace cdrd::service::trunks
