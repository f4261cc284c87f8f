// Links between pages of a list on the current SIP-trunk paths (the calls of zentrunk/ and the
// control-plane resources of trunks/): `meta.next` and `meta.previous` are the path and query
// of the neighbouring page, built from the request's own parameters (re-encoded, in their order)
// with limit and offset replaced; write_list_meta writes the whole `meta` member of a list.
// Pure; thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/json_writer.h"
#include "http/message.h"

namespace cdrd::api {

// Percent-encodes every byte outside the RFC 3986 unreserved set (A-Z a-z 0-9 - . _ ~), so a
// space becomes "%20" and a '+' "%2B": the result decodes to `s` whichever way a client treats
// '+'. With `keep_path_chars`, '/' and the other characters allowed in a path segment
// (! $ & ' ( ) * + , ; = : @) are kept as they are.
std::string percent_encode(std::string_view s, bool keep_path_chars = false);

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
