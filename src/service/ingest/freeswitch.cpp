#include "service/ingest/freeswitch.h"

#include <charconv>
#include <optional>
#include <utility>
#include <vector>

#include "core/ascii.h"
#include "core/crypto.h"
#include "core/enums.h"
#include "core/hangup_map.h"
#include "core/json_reader.h"

namespace cdrd::service::ingest {
namespace {

// A CDR carries a few hundred channel variables and SDP bodies of a few KiB: wider than the
// limits of an ingest line, still bounded.
constexpr JsonLimits kCdrLimits{/*max_depth=*/12, /*max_string_bytes=*/65536,
                                /*max_array_elements=*/1000, /*max_object_members=*/4096,
                                /*max_values=*/100000};

const JsonValue* member(const JsonValue& object, std::string_view name) {
  if (object.kind != JsonKind::kObject) return nullptr;
  for (const JsonMember& m : object.members) {
    if (m.name == name) return &m.value;
  }
  return nullptr;
}

// The text of a string (or number) member, "" when absent or of another kind.
std::string_view text_of(const JsonValue* v) {
  if (v == nullptr || (v->kind != JsonKind::kString && v->kind != JsonKind::kNumber)) return {};
  return v->text;
}

// The channel variables, decoded when mod_json_cdr URL-encoded them (encode-values). A value
// whose escapes do not decode is kept as sent.
class Variables {
 public:
  Variables(const JsonValue& object, bool encoded) : object_(object), encoded_(encoded) {}

  std::string get(std::string_view name) const {
    const std::string_view raw = text_of(member(object_, name));
    if (!encoded_) return std::string(raw);
    return percent_decode(raw, /*plus_is_space=*/false).value_or(std::string(raw));
  }

 private:
  const JsonValue& object_;
  const bool encoded_;
};

// Every caller profile of the document: "callflow" is an array in FreeSWITCH 1.10 and a member
// repeated once per profile in older versions; both are read.
std::vector<const JsonValue*> callflows(const JsonValue& root) {
  std::vector<const JsonValue*> out;
  for (const JsonMember& m : root.members) {
    if (m.name != "callflow") continue;
    if (m.value.kind == JsonKind::kArray) {
      for (const JsonValue& item : m.value.items) out.push_back(&item);
    } else if (m.value.kind == JsonKind::kObject) {
      out.push_back(&m.value);
    }
  }
  return out;
}

long long profile_index(const JsonValue& callflow) {
  const std::string_view s = text_of(member(callflow, "profile_index"));
  long long n = 0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
  return ec == std::errc() && end == s.data() + s.size() ? n : 1LL << 40;
}

// The caller profile of the call as it arrived: the lowest profile_index (transfers add
// profiles with higher ones), or nullptr.
const JsonValue* first_caller_profile(const JsonValue& root) {
  const JsonValue* best = nullptr;
  long long best_index = 0;
  for (const JsonValue* flow : callflows(root)) {
    const JsonValue* profile = member(*flow, "caller_profile");
    if (profile == nullptr || profile->kind != JsonKind::kObject) continue;
    const long long index = profile_index(*flow);
    if (best == nullptr || index < best_index) {
      best = profile;
      best_index = index;
    }
  }
  return best;
}

// A b-leg's caller profile names the a-leg's as its originator.
bool is_b_leg(const JsonValue& root, const Variables& vars) {
  for (const JsonValue* flow : callflows(root)) {
    const JsonValue* profile = member(*flow, "caller_profile");
    if (profile != nullptr && member(*profile, "originator") != nullptr) return true;
  }
  return !vars.get("originating_leg_uuid").empty();
}

bool is_zero(std::string_view s) { return s.empty() || s.find_first_not_of('0') == s.npos; }

// An epoch time: microseconds when FreeSWITCH gave them, else seconds; "" when 0 or absent.
std::string epoch(const Variables& vars, std::string_view stem) {
  std::string micros = vars.get(std::string(stem) + "_uepoch");
  if (!is_zero(micros)) return micros;
  std::string seconds = vars.get(std::string(stem) + "_epoch");
  return is_zero(seconds) ? std::string() : seconds;
}

std::string first_of(std::initializer_list<std::string> values) {
  for (const std::string& v : values) {
    if (!v.empty()) return v;
  }
  return {};
}

}  // namespace

Result<std::string> freeswitch_document(std::string_view content_type, std::string_view body) {
  const std::string type = ascii_lower(trim_blanks(content_type.substr(0, content_type.find(';'))));
  const std::string_view trimmed = trim_blanks(body);
  const bool form = trimmed.starts_with("cdr=") || type == "application/x-www-form-urlencoded" ||
                    type == "application/x-www-form-base64-encoded";
  if (!form) return std::string(body);
  // A form body: find the cdr field (mod_json_cdr sends only that one).
  std::string_view rest = trimmed;
  while (!rest.empty()) {
    const std::size_t amp = rest.find('&');
    const std::string_view pair = rest.substr(0, amp);
    rest = amp == std::string_view::npos ? std::string_view() : rest.substr(amp + 1);
    if (!pair.starts_with("cdr=")) continue;
    const std::string_view value = pair.substr(4);
    if (type == "application/x-www-form-base64-encoded") {
      // '+' is a base64 digit here, but a form may also have escaped it.
      std::optional<std::string> unescaped = percent_decode(value, /*plus_is_space=*/false);
      std::optional<std::string> json = unescaped ? base64_decode(*unescaped) : std::nullopt;
      if (!json) return Status::Invalid("body: the cdr field is not valid base64");
      return std::move(*json);
    }
    std::optional<std::string> json = percent_decode(value, /*plus_is_space=*/true);
    if (!json) return Status::Invalid("body: the cdr field has a bad %-escape");
    return std::move(*json);
  }
  return Status::Invalid(
      "body: a form body must have a cdr field (cdr=<URL-encoded JSON>, as mod_json_cdr sends it)");
}

Result<FreeswitchCdr> map_freeswitch_cdr(std::string_view json,
                                         const FreeswitchDefaults& defaults) {
  Result<JsonValue> parsed = parse_json(json, "cdr", kCdrLimits);
  if (!parsed.ok()) return parsed.status();
  const JsonValue& root = *parsed;
  if (root.kind != JsonKind::kObject) {
    return Status::Invalid("cdr: must be a JSON object, as mod_json_cdr sends it");
  }
  const JsonValue* variables = member(root, "variables");
  if (variables == nullptr || variables->kind != JsonKind::kObject) {
    return Status::Invalid("cdr: has no \"variables\" object: is this a mod_json_cdr document?");
  }
  const Variables vars(*variables, defaults.values_encoded);
  FreeswitchCdr out;
  out.uuid = vars.get("uuid");
  if (is_b_leg(root, vars)) {
    out.b_leg = true;
    return out;
  }
  RawRecord& r = out.record;

  const std::string call_id = vars.get("sip_call_id");
  if (!call_id.empty()) {
    add_text_field(r, "call_id", call_id);
  } else {
    add_text_field(r, "call_uuid", out.uuid);
  }
  add_text_field(r, "account",
                 first_of({vars.get("cdrd_account"), defaults.account, vars.get("accountcode")}));
  const std::string direction = first_of({vars.get("cdrd_direction"), defaults.direction});
  add_text_field(r, "call_direction", direction);
  add_text_field(r, "trunk_id", first_of({vars.get("cdrd_trunk_id"), defaults.trunk_id}));

  const JsonValue* profile = first_caller_profile(root);
  const auto profile_text = [&](std::string_view name) {
    return profile == nullptr ? std::string() : std::string(text_of(member(*profile, name)));
  };
  add_text_field(r, "from_number",
                 first_of({profile_text("caller_id_number"), vars.get("caller_id_number")}));
  add_text_field(r, "to_number",
                 first_of({profile_text("destination_number"), vars.get("destination_number")}));
  add_text_field(r, "from_screen_name",
                 first_of({profile_text("caller_id_name"), vars.get("caller_id_name")}));

  add_text_field(r, "initiation_time", epoch(vars, "start"));
  add_text_field(r, "answer_time", epoch(vars, "answer"));
  add_text_field(r, "end_time", epoch(vars, "end"));
  add_text_field(r, "duration", vars.get("billsec"));

  const std::string cause = vars.get("hangup_cause");
  std::optional<int> code = hangup_code_of_q850_name(cause);
  if (!code) {
    const std::string number = vars.get("hangup_cause_q850");
    int n = 0;
    const auto [end, ec] = std::from_chars(number.data(), number.data() + number.size(), n);
    if (ec == std::errc() && end == number.data() + number.size()) {
      code = hangup_code_of_q850_number(n);
    }
  }
  if (code) add_text_field(r, "hangup_cause_code", std::to_string(*code));
  add_text_field(r, "q850_cause", cause);

  const std::optional<Direction> dir = parse_direction(direction);
  const std::optional<Hanger> hanger =
      hanger_of_sip_disposition(vars.get("sip_hangup_disposition"));
  if (dir && hanger)
    add_text_field(r, "hangup_source", std::string(to_string(hangup_source_of(*hanger, *dir))));

  const std::string via = ascii_lower(vars.get("sip_via_protocol"));
  if (via == "udp" || via == "tcp" || via == "tls") add_text_field(r, "transport_protocol", via);
  return out;
}

}  // namespace cdrd::service::ingest
