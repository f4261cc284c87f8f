#include "api/page_links.h"

#include <algorithm>
#include <string_view>

namespace cdrd::api {

std::string page_link(std::string_view path, const http::Params& params, std::int64_t limit,
                      std::int64_t offset) {
  std::string out = percent_encode(path, /*keep_path_chars=*/true);
  out.push_back('?');
  for (const auto& [key, value] : params) {
    if (key == "limit" || key == "offset") continue;
    out += percent_encode(key);
    out.push_back('=');
    out += percent_encode(value);
    out.push_back('&');
  }
  out += "limit=" + std::to_string(limit) + "&offset=" + std::to_string(offset);
  return out;
}

void write_list_meta(JsonWriter& w, std::int64_t limit, std::int64_t offset,
                     std::int64_t total_count, std::string_view request_path,
                     const http::Params& request_params, NeighbourPages neighbours) {
  // One neighbour: a flag, or the link to the page at `neighbour_offset`, or null.
  const auto write_neighbour = [&](std::string_view name, bool exists,
                                   std::int64_t neighbour_offset) {
    w.key(name);
    if (neighbours == NeighbourPages::kFlags) {
      w.bool_value(exists);
    } else if (exists) {
      w.string_value(page_link(request_path, request_params, limit, neighbour_offset));
    } else {
      w.null_value();
    }
  };
  w.key("meta");
  w.start_object();
  w.int_member("limit", limit);
  write_neighbour("next", offset + limit < total_count, offset + limit);
  w.int_member("offset", offset);
  write_neighbour("previous", offset > 0, std::max<std::int64_t>(0, offset - limit));
  w.int_member("total_count", total_count);
  w.end_object();
}

}  // namespace cdrd::api
