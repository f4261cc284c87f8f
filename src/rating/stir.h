// STIR/SHAKEN consistency: whether a record's stir_verification agrees with its attestation
// indicator. "Verified" is attestation A; "Not Verified" is B or C (docs/rating.md).
// Pure; thread-safe.
#pragma once

#include "core/enums.h"
#include "core/status.h"

namespace cdrd::rating {

// kInvalidArgument for the two contradictions: Verified with attestation B or C, and
// Not Verified with attestation A. Everything else is ok: a verification without an
// attestation (the legacy representation has no attestation field), and Not Applicable with
// any attestation (recorded as given).
Status check_stir(StirVerification verification, Attestation attestation);

}  // namespace cdrd::rating
