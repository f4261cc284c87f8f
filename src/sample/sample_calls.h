// Deterministic sample calls: canonical ingest records (docs/ingest.md) made from a seed, for
// the demo data of `make run` and the benchmark data set of `make bench`. The same options give
// the same records, byte for byte, on every machine (only std::mt19937_64's raw output is used,
// never the library's distributions, whose results differ between implementations).
// Pure; thread-safe (no shared state).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/time.h"

namespace cdrd::sample {

struct SampleOptions {
  std::uint64_t seed = 1;
  std::vector<std::string> auth_ids;  // records are spread over these accounts
  Micros end_from = 0;                // end_time of every record in [end_from, end_until)
  Micros end_until = 0;
};

// Appends records [first_index, first_index + n) of the sequence as NDJSON lines to `out`.
// Record i depends only on (options, i), so a data set can be made in chunks or in parallel.
void append_sample_calls(const SampleOptions& options, std::int64_t first_index, std::int64_t n,
                         std::string& out);

}  // namespace cdrd::sample
