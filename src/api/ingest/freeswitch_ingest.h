// POST /v1/ingest/freeswitch (docs/switch-freeswitch.md): one CDR as FreeSWITCH's mod_json_cdr
// POSTs it (cdr=<URL-encoded JSON>, cdr=<base64>, or the JSON itself), mapped by
// service/ingest/freeswitch.h and stored through IngestService::ingest_records, the one
// validation of every ingest path. The operator key is checked before (operator_auth.h: Bearer,
// or Basic operator:KEY, which is what mod_json_cdr's `cred` sends).
//
// The URL's query gives defaults for what the CDR's channel variables leave out: account,
// direction, trunk_id, and encode_values=false when json_cdr.conf sets encode-values false.
// mod_json_cdr appends "?uuid=<channel uuid>" to the URL it is given, also after a query of its
// own, so a value ends at a '?' as well.
//
// Answers: 200 with the ingest answer (ingest_response.h) when the call was stored or was
// already stored: the module retries a POST until it gets a 2xx, so a retry of a stored CDR is
// a duplicate, never an error; 200 {"stored":0,...,"skipped":"b-leg"} for a b-leg (log-b-leg):
// the a-leg's CDR is the call; 400 when the body is not a CDR or the call fails validation (the
// module retries `retries` times, then keeps the CDR in its err-log-dir). Pure apart from the
// service; thread-safe.
#pragma once

#include "http/message.h"
#include "service/ingest/ingest.h"

namespace cdrd::api::ingest {

http::HttpResponse handle_freeswitch(const service::ingest::IngestService& ingest,
                                     const http::HttpRequest& request);

}  // namespace cdrd::api::ingest
