// Test records: canonical ingest records (docs/ingest.md) built field by field, and a JSON
// reader for responses. Header-only test support.
#pragma once

#include <rapidjson/document.h>

#include <map>
#include <stdexcept>
#include <string>
#include <vector>

#include "api/errors.h"

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
