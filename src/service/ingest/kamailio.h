// The Kamailio adapter (docs/switch-kamailio.md): one CDR of Kamailio's dialog-based accounting
// (acc with cdr_enable, written as JSON by acc_json, with the cdr_extra attributes of
// contrib/kamailio/kamailio-cdrd.cfg) mapped onto the canonical record (docs/ingest.md). It
// only renames and derives: every value is then checked by validate_record like any other
// record, so a bad value is reported under its canonical name.
//
// The mapping:
// - start_time, end_time (acc's, epoch seconds with a fraction): the answer and the end of an
//   answered call (cdr_start_on_confirmed);
// - invite_time: initiation_time; cdr_time (when the CDR was written): the end of a failed call;
// - caller, callee (the From user and the request-URI user of the INVITE): from_number, to_number;
// - method and sip_code (of the message that ended the call): a BYE is an answered call, ended
//   by the side whose From tag it carries (from_tag against caller_tag); a final failure status
//   is a failed call, its hangup_cause_code hangup_code_of_sip_status(status), refused by the
//   callee (487: cancelled by the caller; a failure the proxy made itself, without a status:
//   by the switch, 408); neither: a dialog the switch expired at its call limit, ended by the
//   switch (answered: 6030 alloted_timeout);
// - who ended it gives hangup_source (core/hangup_map.h: hangup_source_of with the direction);
// - transport: transport_protocol (ws as tcp, wss as tls);
// - a 486 or 600 failure: result "busy" (the cloud-PBX view; other results are derived);
// - account, call_direction, call_id and every other attribute keep their names; a record
//   without account or call_direction takes the endpoint's defaults (its query parameters).
// acc's duration is left out: validate_record derives it from answer_time and end_time.
// Pure; thread-safe.
#pragma once

#include <string>

#include "core/status.h"
#include "service/ingest/raw_record.h"

namespace cdrd::service::ingest {

// What a CDR without its own account or call_direction attribute gets ("" = nothing).
struct KamailioDefaults {
  std::string account;
  std::string call_direction;
};

// The canonical record of one Kamailio CDR (a JSON object as acc_json writes it, read with
// parse_ndjson_line). kInvalidArgument, naming the attribute, when an attribute the mapping
// reads is not text (a JSON string or number) or sip_code is not a SIP status (100-699).
Result<RawRecord> kamailio_cdr_to_record(const RawRecord& cdr, const KamailioDefaults& defaults);

}  // namespace cdrd::service::ingest
