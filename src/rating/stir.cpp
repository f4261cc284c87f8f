#include "rating/stir.h"

#include <string>

namespace cdrd::rating {

Status check_stir(StirVerification verification, Attestation attestation) {
  const bool contradiction =
      (verification == StirVerification::kVerified &&
       (attestation == Attestation::kB || attestation == Attestation::kC)) ||
      (verification == StirVerification::kNotVerified && attestation == Attestation::kA);
  if (!contradiction) return Status::Ok();
  const std::string expected = verification == StirVerification::kVerified ? "A" : "B or C";
  return Status::Invalid("attestation_indicator: '" + std::string(to_string(attestation)) +
                         "' contradicts stir_verification '" +
                         std::string(to_string(verification)) + "' (which means attestation " +
                         expected + ")");
}

}  // namespace cdrd::rating
