// POST /v1/ingest/kamailio (docs/switch-kamailio.md): the CDRs Kamailio's acc_json writes, as
// contrib/kamailio/kamailio-cdrd.cfg posts them with http_client, one JSON object per line (one
// per post from that configuration). Each is mapped onto the canonical record
// (service/ingest/kamailio.h) and ingested like a line of POST /v1/ingest/calls; the answer is
// the same (ingest_response.h), so a CDR posted again is a duplicate. The query parameters
// `account` and `direction` are the defaults of a CDR without those attributes. The operator key
// is checked by the router before the body is read. Pure apart from the service; thread-safe.
#pragma once

#include "http/message.h"
#include "service/ingest/ingest.h"

namespace cdrd::api::ingest {

// The answer for a request whose whole body has been read: 415 for a Content-Type other than
// JSON (application/json, application/x-ndjson or none), 400 for an unknown query parameter,
// otherwise ingest_response() of the body's CDRs.
http::HttpResponse handle_kamailio_cdrs(const service::ingest::IngestService& ingest,
                                        const http::HttpRequest& request);

}  // namespace cdrd::api::ingest
