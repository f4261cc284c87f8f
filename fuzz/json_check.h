// The fuzz targets' oracles for what cdrd answers: every body it answers with must be one
// well-formed JSON value in valid UTF-8, whatever bytes the request echoed into its message; a
// list or ingest answer is 200 or a 400 for the client's input (a refused input is checked by
// check_refusal in fuzz_target.h). A broken invariant aborts (CDRD_FUZZ_CHECK).
#pragma once

#include <rapidjson/document.h>

#include <string_view>

#include "core/status.h"
#include "fuzz_target.h"
#include "http/message.h"

namespace cdrd::fuzz {

inline bool is_json(std::string_view text) {
  rapidjson::Document doc;
  doc.Parse<rapidjson::kParseValidateEncodingFlag | rapidjson::kParseIterativeFlag>(text.data(),
                                                                                    text.size());
  return !doc.HasParseError();
}

// The answer of a list or ingest handler: 200, or 400 for what the client sent; JSON either way.
inline void check_answer(const http::HttpResponse& response) {
  CDRD_FUZZ_CHECK(response.status == 200 || response.status == 400);
  CDRD_FUZZ_CHECK(is_json(response.body));
}

}  // namespace cdrd::fuzz
