// Test records: canonical ingest records (docs/ingest.md) built field by field, the one valid
// call the tests start from, and a JSON reader for responses. Header-only test support.
#pragma once

#include <rapidjson/document.h>

#include <cstdint>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

#include "api/errors.h"
#include "harness.h"

namespace cdrd::test {

// One NDJSON record; values are raw JSON text (use str() for strings).
class Record {
 public:
  Record& set(const std::string& key, const std::string& raw_json) {
    fields_[key] = raw_json;
    return *this;
  }
  Record& unset(const std::string& key) {
    fields_.erase(key);
    return *this;
  }
  std::string line() const {
    std::string out = "{";
    for (const auto& [k, v] : fields_) {
      if (out.size() > 1) out += ", ";
      out += api::json_quote(k) + ": " + v;
    }
    return out + "}";
  }
  const std::map<std::string, std::string>& fields() const { return fields_; }

 private:
  std::map<std::string, std::string> fields_;
};

inline std::string str(const std::string& s) { return api::json_quote(s); }

// A valid record of `account`: an answered outbound call to India (+912235328936 to
// +919943720205) that rang 8 s, talked `talk_seconds` and ended `ended_ago` seconds before
// test_base(). No billing, no hangup cause: a test sets what it is about.
inline Record answered_call(const std::string& account, const std::string& uuid,
                            std::int64_t talk_seconds = 4, std::int64_t ended_ago = 60) {
  Record r;
  r.set("account", str(account))
      .set("call_uuid", str(uuid))
      .set("call_direction", str("outbound"))
      .set("from_number", str("+912235328936"))
      .set("to_number", str("+919943720205"))
      .set("initiation_time", str(ago(ended_ago + talk_seconds + 8)))
      .set("answer_time", str(ago(ended_ago + talk_seconds)))
      .set("end_time", str(ago(ended_ago)));
  return r;
}

// `r` with billing of its own (rate 0.03000, total_amount 0.00200), so no rate deck is needed.
inline Record with_own_billing(Record r) {
  r.set("rate", str("0.03000")).set("total_amount", str("0.00200"));
  return r;
}

inline std::string ndjson(const std::vector<Record>& records) {
  std::string out;
  for (const auto& r : records) out += r.line() + "\n";
  return out;
}

inline rapidjson::Document parse_json(const std::string& text) {
  rapidjson::Document d;
  d.Parse(text.c_str());
  if (d.HasParseError()) throw std::runtime_error("not JSON: " + text);
  return d;
}

}  // namespace cdrd::test
