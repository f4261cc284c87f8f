// The fuzz targets' oracle for response bodies: every body cdrd answers with must be one
// well-formed JSON value in valid UTF-8, whatever bytes the request echoed into its message.
#pragma once

#include <rapidjson/document.h>

#include <string_view>

namespace cdrd::fuzz {

inline bool is_json(std::string_view text) {
  rapidjson::Document doc;
  doc.Parse<rapidjson::kParseValidateEncodingFlag | rapidjson::kParseIterativeFlag>(text.data(),
                                                                                    text.size());
  return !doc.HasParseError();
}

}  // namespace cdrd::fuzz
