// Links between pages of a list on the current SIP-trunk paths (the calls of zentrunk/ and the
// control-plane resources of trunks/): `meta.next` and `meta.previous` are the path and query
// of the neighbouring page, built from the request's own parameters (re-encoded, in their order)
// with limit and offset replaced; write_list_meta writes the whole `meta` member of a list.
// Pure; thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/ascii.h"
#include "core/json_writer.h"
#include "http/message.h"

namespace cdrd::api {

// Links are percent-encoded with core/ascii.h's percent_encode.
using cdrd::percent_encode;

// `path` + "?" + the params other than limit and offset, then "limit=L&offset=O".
std::string page_link(std::string_view path, const http::Params& params, std::int64_t limit,
                      std::int64_t offset);

// How `meta.next` and `meta.previous` say there is a neighbouring page: its link or null (the
// current shapes), or true / false (the legacy calls shape of seed 001).
enum class NeighbourPages { kLinks, kFlags };

// "meta": {limit, next, offset, previous, total_count} of the list page at `offset`, with the
// links built from the request's path and parameters.
void write_list_meta(JsonWriter& w, std::int64_t limit, std::int64_t offset,
                     std::int64_t total_count, std::string_view request_path,
                     const http::Params& request_params,
                     NeighbourPages neighbours = NeighbourPages::kLinks);

}  // namespace cdrd::api
