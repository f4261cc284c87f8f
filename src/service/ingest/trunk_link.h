// The link between an ingested call and the trunk it names (docs/ingest.md, "Trunks"): a
// record's trunk_id must be the trunk_id of a trunk of the record's own account, and the
// trunk_domain and secure_trunking the record leaves out are the trunk's. A record without a
// trunk_id is stored as it is. Pure apart from the resolver; thread-safe.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "core/call_record.h"
#include "core/status.h"
#include "service/ingest/raw_record.h"

namespace cdrd::service::ingest {

// What a call takes from its trunk.
struct TrunkFacts {
  std::string trunk_domain;
  bool secure = false;
  std::string default_country;  // of its calls' numbers (validate.h); "" for the account's
};

// The trunk `trunk_id` of account `account_id`: its facts, nullopt when the account has no such
// trunk, or the storage error.
using TrunkResolver = std::function<Result<std::optional<TrunkFacts>>(std::int64_t account_id,
                                                                      std::string_view trunk_id)>;

// Links `record` (valid, made from `raw`) to its trunk. kInvalidArgument "trunk_id: ..." when
// the account has no such trunk; a resolver failure is returned unchanged (never
// kInvalidArgument), so the caller can stop the batch.
Status link_trunk(CallRecord& record, const RawRecord& raw, const TrunkResolver& resolve);

// The same link with the record's trunk already looked up by the caller (`trunk`: its facts, or
// nullopt when the account has no such trunk): what link_trunk does after its look-up. For a
// caller that keeps the trunks it has looked up (the ingest batch), so that no facts are copied.
Status link_known_trunk(CallRecord& record, const RawRecord& raw,
                        const std::optional<TrunkFacts>& trunk);
// The same for a record validated from a flat line read in place (raw_record.h).
Status link_known_trunk(CallRecord& record, const FlatRecord& raw,
                        const std::optional<TrunkFacts>& trunk);

}  // namespace cdrd::service::ingest
