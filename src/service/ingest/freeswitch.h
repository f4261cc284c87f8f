// The FreeSWITCH adapter (docs/switch-freeswitch.md): one CDR of mod_json_cdr, exactly as the
// module POSTs it, mapped onto the canonical record's field names (raw_record.h) for the one
// validator (validate.h) through IngestService::ingest_records. Nothing here validates a value:
// it only picks FreeSWITCH's fields and renames them.
//
// The body (freeswitch_document): mod_json_cdr's `encode` parameter decides its shape:
// "true" (the usual) sends `cdr=<URL-encoded JSON>` as application/x-www-form-urlencoded,
// "base64" sends `cdr=<base64 JSON>` as application/x-www-form-base64-encoded, "false" sends the
// JSON itself as application/json. With `encode-values` (the module's default) every value of
// the "variables" object is URL-encoded once more; they are decoded here.
//
// The mapping (map_freeswitch_cdr), from the channel variables and the first caller profile:
//   call_id            variables.sip_call_id (call_uuid is then the validator's UUIDv5 of it);
//                      without a SIP Call-ID: call_uuid = variables.uuid (the channel's uuid)
//   account            variables.cdrd_account, else ?account=, else variables.accountcode (last:
//                      FreeSWITCH's stock directory sets accountcode to the extension)
//   call_direction     variables.cdrd_direction, else ?direction=
//   trunk_id           variables.cdrd_trunk_id, else ?trunk_id=
//   from_number        caller_id_number of the first caller profile (the lowest profile_index:
//                      the call as it arrived, before any transfer); else
//                      variables.caller_id_number
//   to_number          destination_number of that profile; else variables.destination_number
//   from_screen_name   caller_id_name of that profile
//   initiation_time    variables.start_uepoch (epoch microseconds), else start_epoch
//   answer_time        answer_uepoch / answer_epoch when not 0 (0: never answered)
//   end_time           end_uepoch / end_epoch
//   duration           variables.billsec (the talk time)
//   hangup_cause_code  hangup_cause (a Q.850 name) through core/hangup_map.h, else the number
//                      hangup_cause_q850; q850_cause keeps the name
//   hangup_source      sip_hangup_disposition (recv_bye, send_cancel, ...) through hangup_map.h
//   transport_protocol variables.sip_via_protocol when udp, tcp or tls
// A b-leg (a channel FreeSWITCH originated for a bridge: its caller profile names an
// originator, as when json_cdr.conf sets log-b-leg) is recognised and not mapped: the a-leg's
// CDR is the call. Pure; thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "core/status.h"
#include "service/ingest/raw_record.h"

namespace cdrd::service::ingest {

// What the POST URL's query string gives (every call of that URL).
struct FreeswitchDefaults {
  std::string account;         // ?account=
  std::string direction;       // ?direction=
  std::string trunk_id;        // ?trunk_id=
  bool values_encoded = true;  // ?encode_values=false when json_cdr.conf sets encode-values false
};

// The JSON text of a mod_json_cdr POST body. kInvalidArgument for a form body without a `cdr`
// field, a bad %-escape or bad base64.
Result<std::string> freeswitch_document(std::string_view content_type, std::string_view body);

struct FreeswitchCdr {
  bool b_leg = false;  // a b-leg: nothing to store
  std::string uuid;    // the channel's uuid (variables.uuid), for logs; may be empty
  RawRecord record;    // the canonical fields (empty for a b-leg)
};

// The canonical fields of one CDR document. kInvalidArgument when it is not JSON, not an object,
// or has no "variables" object. Missing variables simply leave fields out (the validator then
// names what is required).
Result<FreeswitchCdr> map_freeswitch_cdr(std::string_view json, const FreeswitchDefaults& defaults);

}  // namespace cdrd::service::ingest
