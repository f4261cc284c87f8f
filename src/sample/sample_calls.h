// Deterministic sample calls: canonical ingest records (docs/ingest.md) made from a seed, for
// the demo data of `make run` and the benchmark data set of `make bench`. The same options give
// the same records, byte for byte, on every machine (only std::mt19937_64's raw output is used,
// never the library's distributions, whose results differ between implementations).
// Options that cannot make a record (no accounts, an end_time range without a whole second, a
// listed account without an outbound or an inbound trunk) give kInvalidArgument.
// Pure; thread-safe (no shared state).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "core/status.h"
#include "core/time.h"

namespace cdrd::sample {

// A trunk of cdrd that sample calls may use.
struct SampleTrunk {
  std::string trunk_id;
  bool secure = false;
};
struct AccountTrunks {
  std::vector<SampleTrunk> outbound, inbound;  // each needs at least one
};

struct SampleOptions {
  std::uint64_t seed = 1;
  std::vector<std::string> auth_ids;  // records are spread over these accounts
  Micros end_from = 0;                // end_time of every record in [end_from, end_until)
  Micros end_until = 0;
  // 0: every account is as likely as the next. 1-100: that percentage of the records go to the
  // first account and the rest spread evenly over the others (one large account beside smaller
  // ones, as in the benchmark's data set).
  int first_account_percent = 0;
  // The trunks of each account, by auth_id. A listed account's calls go over its trunks and
  // name only their trunk_id (cdrd fills in trunk_domain and secure_trunking from the trunk at
  // ingest). An account not listed gets made-up trunks, complete with domain, which a cdrd that
  // does not have those trunks refuses.
  std::map<std::string, AccountTrunks> trunks;
  // The name an account's own draws (home country, numbers, made-up trunks) are seeded from, by
  // auth_id; an account not listed uses its auth_id. The demo names its account "demo", so the
  // demo calls are the same whatever auth_id the account got.
  std::map<std::string, std::string> account_seeds;
  // Also the cloud-PBX fields (result, Q.850 cause, disposition, extension, bridged party, legs
  // with recordings) and the quality metrics of Call Insights (rtt, jitter, loss, post-dial
  // delay, carriers, regions), each consistent with the call's answer and hangup code. Drawn
  // from a generator of their own, so the other fields are the same bytes with or without.
  bool pbx_detail = false;
};

// Appends records [first_index, first_index + n) of the sequence as NDJSON lines to `out`.
// Record i depends only on (options, i), so a data set can be made in chunks or in parallel.
// kInvalidArgument (and nothing appended) when the options cannot make a record.
Status append_sample_calls(const SampleOptions& options, std::int64_t first_index, std::int64_t n,
                           std::string& out);

// Records [0, calls) cut into request bodies of `batch` records each (the last one may be
// shorter): body b holds records [b * batch, min((b + 1) * batch, calls)), exactly the bytes
// append_sample_calls gives for them, so the bodies joined are the whole sequence. Made by
// `threads` threads at once (at least one), each taking the next body not yet made. The load
// generator makes every body of a run with it before its clock starts (loadgen ingest
// --prebuild). kInvalidArgument as append_sample_calls, or when calls or batch is not positive.
Result<std::vector<std::string>> make_sample_batches(const SampleOptions& options,
                                                     std::int64_t calls, std::int64_t batch,
                                                     int threads);

}  // namespace cdrd::sample
