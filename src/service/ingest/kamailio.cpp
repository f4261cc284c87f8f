#include "service/ingest/kamailio.h"

#include <array>
#include <charconv>
#include <optional>
#include <string_view>
#include <utility>

#include "core/ascii.h"
#include "core/enums.h"
#include "core/hangup_map.h"

namespace cdrd::service::ingest {
namespace {

// The attributes of kamailio-cdrd.cfg the mapping reads; everything else keeps its name.
constexpr std::array<std::string_view, 12> kRead = {
    "start_time", "end_time", "duration",   "invite_time", "cdr_time", "caller",
    "callee",     "method",   "caller_tag", "from_tag",    "sip_code", "transport"};

// The provider's code of a call ended because it reached its allotted time.
constexpr int kAllotedTimeout = 6030;

bool is_read(std::string_view name) {
  for (std::string_view r : kRead) {
    if (r == name) return true;
  }
  return false;
}

// The attributes the mapping reads, as text; absent, null and "" (acc's value of an unset
// variable) are all nullopt.
class Attributes {
 public:
  explicit Attributes(const RawRecord& cdr) : cdr_(cdr) {}

  Result<std::optional<std::string>> text(std::string_view name) const {
    for (const RawField& f : cdr_.fields) {
      if (f.name != name) continue;
      switch (f.value.kind) {
        case RawKind::kString:
        case RawKind::kNumber:
        case RawKind::kText:
          if (f.value.text.empty()) return std::optional<std::string>();
          return std::optional<std::string>(f.value.text);
        case RawKind::kNull:
          return std::optional<std::string>();
        default:
          return Status::Invalid(std::string(name) + ": must be text (a JSON string), got " +
                                 describe(f.value));
      }
    }
    return std::optional<std::string>();
  }

  bool has(std::string_view name) const {
    for (const RawField& f : cdr_.fields) {
      if (f.name == name) return true;
    }
    return false;
  }

 private:
  const RawRecord& cdr_;
};

RawValue string_value(std::string text) {
  RawValue v;
  v.kind = RawKind::kString;
  v.text = std::move(text);
  return v;
}

void add(RawRecord& out, std::string name, const std::optional<std::string>& text) {
  if (text) out.fields.push_back(RawField{std::move(name), string_value(*text)});
}

void add_number(RawRecord& out, std::string name, int number) {
  RawValue v;
  v.kind = RawKind::kNumber;
  v.text = std::to_string(number);
  out.fields.push_back(RawField{std::move(name), std::move(v)});
}

std::optional<int> sip_status(std::string_view text) {
  int status = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), status);
  if (ec != std::errc() || end != text.data() + text.size() || status < 100 || status > 699) {
    return std::nullopt;
  }
  return status;
}

std::string transport_of(std::string_view proto) {
  std::string t = ascii_lower(proto);
  if (t == "ws") return "tcp";
  if (t == "wss") return "tls";
  return t;
}

}  // namespace

Result<RawRecord> kamailio_cdr_to_record(const RawRecord& cdr, const KamailioDefaults& defaults) {
  const Attributes a(cdr);
  ASSIGN_OR_RETURN(auto start, a.text("start_time"));
  ASSIGN_OR_RETURN(auto end, a.text("end_time"));
  ASSIGN_OR_RETURN(auto invite, a.text("invite_time"));
  ASSIGN_OR_RETURN(auto written, a.text("cdr_time"));
  ASSIGN_OR_RETURN(auto caller, a.text("caller"));
  ASSIGN_OR_RETURN(auto callee, a.text("callee"));
  ASSIGN_OR_RETURN(auto method, a.text("method"));
  ASSIGN_OR_RETURN(auto caller_tag, a.text("caller_tag"));
  ASSIGN_OR_RETURN(auto from_tag, a.text("from_tag"));
  ASSIGN_OR_RETURN(auto sip_code, a.text("sip_code"));
  ASSIGN_OR_RETURN(auto transport, a.text("transport"));
  ASSIGN_OR_RETURN(auto direction_text, a.text("call_direction"));
  ASSIGN_OR_RETURN(auto duration, a.text("duration"));

  std::optional<int> status;
  if (sip_code) {
    status = sip_status(*sip_code);
    if (!status) {
      return Status::Invalid("sip_code: must be a SIP status code 100-699, got '" + *sip_code +
                             "'");
    }
  }

  // How the call ended, from the message that ended it.
  const bool by_bye = method && ascii_lower(*method) == "bye";
  const bool failed = !by_bye && ((status && *status >= 300) || (method && !status));
  bool answered = by_bye;
  if (!by_bye && !failed && duration) {
    answered = duration->find_first_not_of("0.") != std::string::npos;  // expired, confirmed
  }
  Hanger hanger = Hanger::kSwitch;  // neither a BYE nor a failure: the switch expired it
  std::optional<int> code;
  if (by_bye) {
    hanger = !caller_tag || !from_tag   ? Hanger::kUnknown
             : *caller_tag == *from_tag ? Hanger::kCaller
                                        : Hanger::kCallee;
    code = hangup_code_of_sip_status(200);
  } else if (failed && status) {
    hanger = *status == 487 ? Hanger::kCaller : Hanger::kCallee;
    code = hangup_code_of_sip_status(*status);
  } else if (failed) {  // a failure the proxy answered itself: its transaction timed out
    code = hangup_code_of_sip_status(408);
  } else if (answered) {  // the dialog outlived the proxy's call limit (CALL_LIMIT)
    code = kAllotedTimeout;
  }

  RawRecord out;
  if (!a.has("account") && !defaults.account.empty()) {
    add(out, "account", defaults.account);
  }
  if (!direction_text && !defaults.call_direction.empty()) {
    direction_text = defaults.call_direction;
    add(out, "call_direction", defaults.call_direction);
  }
  add(out, "from_number", caller);
  add(out, "to_number", callee);
  add(out, "initiation_time", invite ? invite : start);
  if (answered) {
    add(out, "answer_time", start);
    add(out, "end_time", end);
  } else {
    add(out, "end_time", written ? written : end);
  }
  if (code) add_number(out, "hangup_cause_code", *code);
  if (const auto dir = direction_text ? parse_direction(*direction_text) : std::nullopt;
      dir && hanger != Hanger::kUnknown) {
    add(out, "hangup_source", std::string(to_string(hangup_source_of(hanger, *dir))));
  }
  if (transport) add(out, "transport_protocol", transport_of(*transport));
  if (failed && status && (*status == 486 || *status == 600)) {
    add(out, "result", std::string("busy"));  // the cloud-PBX view's result of a busy callee
  }
  for (const RawField& f : cdr.fields) {
    if (!is_read(f.name)) out.fields.push_back(f);
  }
  return out;
}

}  // namespace cdrd::service::ingest
