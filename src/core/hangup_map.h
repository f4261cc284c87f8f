// Hangup causes between switches and the provider's four-digit hangup codes
// (src/rating/hangup_codes.csv), in both directions:
// - from a switch: a final SIP status, a Q.850 cause (name or number, as FreeSWITCH and
//   Asterisk print them) or an Asterisk disposition gives the provider's code, and who ended
//   the call gives the hangup source;
// - to the cloud-PBX view: a provider code gives a Q.850 cause name, and the code with its
//   source and the call's direction gives the PBX hangup_disposition.
// The tables are documented in docs/ingest.md ("Hangup causes from switches") and
// docs/api-pbx.md; a test in src/rating checks every code they name is in the provider's table.
// Pure static tables; thread-safe.
#pragma once

#include <optional>
#include <string_view>

#include "core/enums.h"

namespace cdrd {

// The provider's code for the final SIP status of a call: 2xx is 3000 (normal_hangup), a
// failure 400-699 the code of that status; nullopt for a status the table does not name.
std::optional<int> hangup_code_of_sip_status(int status);

// The provider's code for a Q.850 cause name as FreeSWITCH and Asterisk print it
// (NORMAL_CLEARING, USER_BUSY, NO_ANSWER, ORIGINATOR_CANCEL, CALL_REJECTED...), any letter case;
// nullopt for a name the table does not know.
std::optional<int> hangup_code_of_q850_name(std::string_view name);

// The same for a Q.850 cause number (1-127).
std::optional<int> hangup_code_of_q850_number(int cause);

// The provider's code for an Asterisk CDR disposition: ANSWERED, NO ANSWER, BUSY, FAILED,
// CONGESTION (any letter case).
std::optional<int> hangup_code_of_asterisk_disposition(std::string_view disposition);

// Who ended a call, seen from the switch.
enum class Hanger { kUnknown, kCaller, kCallee, kSwitch };

// The provider's hangup source: on an outbound call the caller is the customer and the callee
// the carrier, on an inbound call the reverse; the switch itself is zentrunk.
HangupSource hangup_source_of(Hanger who, Direction direction);

// Who ended a call, from FreeSWITCH's sip_hangup_disposition of the caller's leg (the a-leg):
// recv_bye/recv_cancel: the caller; send_bye/send_refuse/recv_refuse: the callee side;
// send_cancel: the switch. nullopt for another value.
std::optional<Hanger> hanger_of_sip_disposition(std::string_view disposition);

// The Q.850 cause name the cloud-PBX view shows for a provider code ("NORMAL_CLEARING"), or ""
// for a code the table does not know.
std::string_view q850_name_of_hangup_code(int code);

// The cloud-PBX hangup_disposition of a call that ended with `code`, hung up by `source`:
// callee_bye or caller_bye for a normal end, caller_cancel for a cancelled call or a failure
// on the caller's side, callee_refuse for a failure on the callee's side, internal_cancel when
// the platform ended it; "" when the source is unknown or the code is not in the table.
std::string_view pbx_disposition_of(int code, HangupSource source, Direction direction);

}  // namespace cdrd
