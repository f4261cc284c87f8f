#include "core/hangup_map.h"

#include <array>

#include "core/ascii.h"

namespace cdrd {
namespace {

// A final SIP status and the provider's code for it.
struct SipRow {
  int status;
  int code;
};

// RFC 3261's final statuses as the provider's table names them.
constexpr std::array<SipRow, 38> kSipRows{{
    {400, 4000},  // bad_request
    {401, 4020},  // unauthorized
    {402, 4030},  // insufficient_plivo_credits
    {403, 4040},  // forbidden
    {404, 4310},  // uri_not_found
    {405, 5020},  // not_implemented
    {406, 6070},  // not_acceptable
    {407, 4150},  // proxy_authentication_required
    {408, 4160},  // request_timeout_carrier
    {410, 4310},  // uri_not_found
    {415, 4220},  // unsupported_media_type
    {416, 4230},  // unsupported_uri_scheme
    {420, 4580},  // invalid_sip_packet
    {421, 4580},  // invalid_sip_packet
    {422, 4270},  // session_interval_too_small
    {480, 4330},  // temporary_unavailable
    {481, 4360},  // call_does_not_exist
    {482, 4370},  // loop_detected
    {483, 4380},  // too_many_hops
    {484, 4120},  // destination_invalid
    {485, 4320},  // uri_invalid
    {486, 4410},  // user_busy
    {487, 4440},  // request_terminated
    {488, 4430},  // sdp_not_acceptable_here
    {491, 4500},  // request_pending
    {493, 4580},  // invalid_sip_packet
    {494, 4520},  // security_agreement_required
    {500, 5250},  // internal_error
    {501, 5020},  // not_implemented
    {502, 5300},  // bad_gateway
    {503, 5350},  // service_unavailable_by_carrier
    {504, 5200},  // server_timeout
    {505, 5020},  // not_implemented
    {513, 4580},  // invalid_sip_packet
    {600, 6000},  // busy_everywhere
    {603, 6040},  // declined_from_carrier
    {604, 6020},  // does_not_exist_anywhere
    {606, 6070},  // not_acceptable
}};

// A cause as switches name it: its Q.850 number (0 for FreeSWITCH's own causes, which have
// none) and the provider's code.
struct CauseRow {
  int number;
  std::string_view name;
  int code;
};

constexpr std::array<CauseRow, 44> kCauseRows{{
    {1, "UNALLOCATED_NUMBER", 4090},          // destination_not_found
    {2, "NO_ROUTE_TRANSIT_NET", 4080},        // route_not_found
    {3, "NO_ROUTE_DESTINATION", 4080},        // route_not_found
    {6, "CHANNEL_UNACCEPTABLE", 5250},        // internal_error
    {16, "NORMAL_CLEARING", 3000},            // normal_hangup
    {17, "USER_BUSY", 4410},                  // user_busy
    {18, "NO_USER_RESPONSE", 4160},           // request_timeout_carrier
    {19, "NO_ANSWER", 4330},                  // temporary_unavailable
    {20, "SUBSCRIBER_ABSENT", 4330},          // temporary_unavailable
    {21, "CALL_REJECTED", 6040},              // declined_from_carrier
    {22, "NUMBER_CHANGED", 4310},             // uri_not_found
    {25, "EXCHANGE_ROUTING_ERROR", 4380},     // too_many_hops
    {27, "DESTINATION_OUT_OF_ORDER", 5300},   // bad_gateway
    {28, "INVALID_NUMBER_FORMAT", 4120},      // destination_invalid
    {29, "FACILITY_REJECTED", 5020},          // not_implemented
    {31, "NORMAL_UNSPECIFIED", 4330},         // temporary_unavailable
    {34, "NORMAL_CIRCUIT_CONGESTION", 5350},  // service_unavailable_by_carrier
    {38, "NETWORK_OUT_OF_ORDER", 5350},       // service_unavailable_by_carrier
    {41, "NORMAL_TEMPORARY_FAILURE", 5350},   // service_unavailable_by_carrier
    {42, "SWITCH_CONGESTION", 5010},          // port_limit_reached
    {47, "RESOURCE_UNAVAILABLE", 5350},       // service_unavailable_by_carrier
    {50, "REQUESTED_CHAN_UNAVAIL", 5350},     // service_unavailable_by_carrier
    {52, "OUTGOING_CALL_BARRED", 4570},       // barred_number
    {54, "INCOMING_CALL_BARRED", 4570},       // barred_number
    {57, "BEARERCAPABILITY_NOTAUTH", 4040},   // forbidden
    {58, "BEARERCAPABILITY_NOTAVAIL", 5350},  // service_unavailable_by_carrier
    {65, "BEARERCAPABILITY_NOTIMPL", 4430},   // sdp_not_acceptable_here
    {79, "SERVICE_NOT_IMPLEMENTED", 5020},    // not_implemented
    {81, "INVALID_CALL_REFERENCE", 4360},     // call_does_not_exist
    {88, "INCOMPATIBLE_DESTINATION", 4430},   // sdp_not_acceptable_here
    {95, "INVALID_MSG_UNSPECIFIED", 4580},    // invalid_sip_packet
    {102, "RECOVERY_ON_TIMER_EXPIRE", 5200},  // server_timeout
    {111, "PROTOCOL_ERROR", 4580},            // invalid_sip_packet
    {127, "INTERWORKING", 5250},              // internal_error
    {0, "ORIGINATOR_CANCEL", 4550},           // user_cancelled
    {0, "LOSE_RACE", 4550},                   // user_cancelled
    {0, "PICKED_OFF", 3000},                  // normal_hangup
    {0, "ATTENDED_TRANSFER", 3000},           // normal_hangup
    {0, "BLIND_TRANSFER", 3000},              // normal_hangup
    {0, "MANAGER_REQUEST", 3000},             // normal_hangup
    {0, "ALLOTTED_TIMEOUT", 6030},            // alloted_timeout
    {0, "MEDIA_TIMEOUT", 3020},               // rtp_timeout
    {0, "USER_NOT_REGISTERED", 4330},         // temporary_unavailable
    {0, "PROGRESS_TIMEOUT", 4160},            // request_timeout_carrier
}};

struct DispositionRow {
  std::string_view name;
  int code;
};

constexpr std::array<DispositionRow, 5> kAsteriskRows{{
    {"ANSWERED", 3000},    // normal_hangup
    {"NO ANSWER", 4330},   // temporary_unavailable
    {"BUSY", 4410},        // user_busy
    {"FAILED", 5000},      // service_unavailable_no_more_destinations
    {"CONGESTION", 5350},  // service_unavailable_by_carrier
}};

// What the cloud-PBX view makes of a provider code: the Q.850 name it shows, and whether the
// code ends an established call (a bye), cancels a call being set up, or refuses it.
enum class Ending { kBye, kCancel, kRefuse };

struct ViewRow {
  int code;
  std::string_view q850;
  Ending ending;
};

constexpr std::array<ViewRow, 79> kViewRows{{
    {3000, "NORMAL_CLEARING", Ending::kBye},
    {3010, "NORMAL_CLEARING", Ending::kBye},
    {3020, "MEDIA_TIMEOUT", Ending::kBye},
    {3030, "OUTGOING_CALL_BARRED", Ending::kBye},
    {3040, "NORMAL_UNSPECIFIED", Ending::kBye},
    {4000, "INVALID_MSG_UNSPECIFIED", Ending::kRefuse},
    {4010, "CALL_REJECTED", Ending::kRefuse},
    {4020, "CALL_REJECTED", Ending::kRefuse},
    {4030, "OUTGOING_CALL_BARRED", Ending::kRefuse},
    {4040, "CALL_REJECTED", Ending::kRefuse},
    {4050, "CALL_REJECTED", Ending::kRefuse},
    {4060, "CALL_REJECTED", Ending::kRefuse},
    {4070, "NO_ROUTE_DESTINATION", Ending::kRefuse},
    {4080, "NO_ROUTE_DESTINATION", Ending::kRefuse},
    {4090, "UNALLOCATED_NUMBER", Ending::kRefuse},
    {4100, "NO_ROUTE_DESTINATION", Ending::kRefuse},
    {4110, "FACILITY_REJECTED", Ending::kRefuse},
    {4120, "INVALID_NUMBER_FORMAT", Ending::kRefuse},
    {4130, "CALL_REJECTED", Ending::kRefuse},
    {4140, "CALL_REJECTED", Ending::kRefuse},
    {4150, "CALL_REJECTED", Ending::kRefuse},
    {4160, "NO_USER_RESPONSE", Ending::kRefuse},
    {4170, "NO_USER_RESPONSE", Ending::kRefuse},
    {4190, "CALL_REJECTED", Ending::kRefuse},
    {4200, "CALL_REJECTED", Ending::kRefuse},
    {4220, "SERVICE_NOT_IMPLEMENTED", Ending::kRefuse},
    {4230, "INTERWORKING", Ending::kRefuse},
    {4270, "INTERWORKING", Ending::kRefuse},
    {4310, "UNALLOCATED_NUMBER", Ending::kRefuse},
    {4320, "INVALID_NUMBER_FORMAT", Ending::kRefuse},
    {4330, "NO_ANSWER", Ending::kRefuse},
    {4340, "NO_ANSWER", Ending::kRefuse},
    {4350, "NO_ANSWER", Ending::kRefuse},
    {4360, "INVALID_CALL_REFERENCE", Ending::kRefuse},
    {4370, "EXCHANGE_ROUTING_ERROR", Ending::kRefuse},
    {4380, "EXCHANGE_ROUTING_ERROR", Ending::kRefuse},
    {4410, "USER_BUSY", Ending::kRefuse},
    {4420, "ORIGINATOR_CANCEL", Ending::kCancel},
    {4430, "INCOMPATIBLE_DESTINATION", Ending::kRefuse},
    {4440, "ORIGINATOR_CANCEL", Ending::kCancel},
    {4500, "NORMAL_TEMPORARY_FAILURE", Ending::kRefuse},
    {4520, "INTERWORKING", Ending::kRefuse},
    {4540, "CALL_REJECTED", Ending::kRefuse},
    {4550, "ORIGINATOR_CANCEL", Ending::kCancel},
    {4560, "OUTGOING_CALL_BARRED", Ending::kRefuse},
    {4570, "OUTGOING_CALL_BARRED", Ending::kRefuse},
    {4580, "INVALID_MSG_UNSPECIFIED", Ending::kRefuse},
    {4590, "CALL_REJECTED", Ending::kRefuse},
    {4610, "INCOMPATIBLE_DESTINATION", Ending::kRefuse},
    {4620, "INCOMPATIBLE_DESTINATION", Ending::kRefuse},
    {4630, "INCOMPATIBLE_DESTINATION", Ending::kRefuse},
    {4640, "INCOMPATIBLE_DESTINATION", Ending::kRefuse},
    {5000, "NORMAL_TEMPORARY_FAILURE", Ending::kRefuse},
    {5010, "SWITCH_CONGESTION", Ending::kRefuse},
    {5020, "SERVICE_NOT_IMPLEMENTED", Ending::kRefuse},
    {5030, "SERVICE_NOT_IMPLEMENTED", Ending::kRefuse},
    {5040, "SERVICE_NOT_IMPLEMENTED", Ending::kRefuse},
    {5180, "SWITCH_CONGESTION", Ending::kRefuse},
    {5190, "SWITCH_CONGESTION", Ending::kRefuse},
    {5200, "RECOVERY_ON_TIMER_EXPIRE", Ending::kRefuse},
    {5220, "NORMAL_CLEARING", Ending::kBye},
    {5230, "NORMAL_CLEARING", Ending::kBye},
    {5240, "MEDIA_TIMEOUT", Ending::kBye},
    {5250, "INTERWORKING", Ending::kBye},
    {5260, "INTERWORKING", Ending::kBye},
    {5270, "INTERWORKING", Ending::kBye},
    {5290, "INTERWORKING", Ending::kBye},
    {5300, "DESTINATION_OUT_OF_ORDER", Ending::kBye},
    {5310, "NORMAL_UNSPECIFIED", Ending::kBye},
    {5320, "NORMAL_UNSPECIFIED", Ending::kBye},
    {5330, "RECOVERY_ON_TIMER_EXPIRE", Ending::kBye},
    {5340, "RECOVERY_ON_TIMER_EXPIRE", Ending::kBye},
    {5350, "NORMAL_TEMPORARY_FAILURE", Ending::kBye},
    {5360, "NORMAL_TEMPORARY_FAILURE", Ending::kBye},
    {6000, "USER_BUSY", Ending::kRefuse},
    {6020, "UNALLOCATED_NUMBER", Ending::kRefuse},
    {6030, "ALLOTTED_TIMEOUT", Ending::kBye},
    {6040, "CALL_REJECTED", Ending::kRefuse},
    {6070, "INCOMPATIBLE_DESTINATION", Ending::kRefuse},
}};

const ViewRow* view_row(int code) {
  for (const ViewRow& row : kViewRows) {
    if (row.code == code) return &row;
  }
  return nullptr;
}

}  // namespace

std::optional<int> hangup_code_of_sip_status(int status) {
  if (status >= 200 && status < 300) return 3000;
  for (const SipRow& row : kSipRows) {
    if (row.status == status) return row.code;
  }
  return std::nullopt;
}

std::optional<int> hangup_code_of_q850_name(std::string_view name) {
  for (const CauseRow& row : kCauseRows) {
    if (iequals(row.name, name)) return row.code;
  }
  return std::nullopt;
}

std::optional<int> hangup_code_of_q850_number(int cause) {
  if (cause <= 0) return std::nullopt;
  for (const CauseRow& row : kCauseRows) {
    if (row.number == cause) return row.code;
  }
  return std::nullopt;
}

std::optional<int> hangup_code_of_asterisk_disposition(std::string_view disposition) {
  for (const DispositionRow& row : kAsteriskRows) {
    if (iequals(row.name, disposition)) return row.code;
  }
  return std::nullopt;
}

HangupSource hangup_source_of(Hanger who, Direction direction) {
  const bool outbound = direction == Direction::kOutbound;
  switch (who) {
    case Hanger::kCaller:
      return outbound ? HangupSource::kCustomer : HangupSource::kCarrier;
    case Hanger::kCallee:
      return outbound ? HangupSource::kCarrier : HangupSource::kCustomer;
    case Hanger::kSwitch:
      return HangupSource::kZentrunk;
    case Hanger::kUnknown:
      break;
  }
  return HangupSource::kUnknown;
}

std::optional<Hanger> hanger_of_sip_disposition(std::string_view disposition) {
  if (iequals(disposition, "recv_bye") || iequals(disposition, "recv_cancel")) {
    return Hanger::kCaller;
  }
  if (iequals(disposition, "send_bye") || iequals(disposition, "send_refuse") ||
      iequals(disposition, "recv_refuse")) {
    return Hanger::kCallee;
  }
  if (iequals(disposition, "send_cancel")) return Hanger::kSwitch;
  return std::nullopt;
}

std::string_view q850_name_of_hangup_code(int code) {
  const ViewRow* row = view_row(code);
  return row != nullptr ? row->q850 : std::string_view();
}

std::string_view pbx_disposition_of(int code, HangupSource source, Direction direction) {
  const ViewRow* row = view_row(code);
  if (row == nullptr || source == HangupSource::kUnknown) return {};
  if (source == HangupSource::kZentrunk) return "internal_cancel";
  // On an outbound call the customer placed the call; on an inbound call the carrier did.
  const bool by_caller = (source == HangupSource::kCustomer) == (direction == Direction::kOutbound);
  switch (row->ending) {
    case Ending::kBye:
      return by_caller ? "caller_bye" : "callee_bye";
    case Ending::kCancel:
      return "caller_cancel";
    case Ending::kRefuse:
      return by_caller ? "caller_cancel" : "callee_refuse";
  }
  return {};
}

}  // namespace cdrd
