#include "api/page_links.h"

#include <algorithm>
#include <string_view>

namespace cdrd::api {
namespace {

bool is_unreserved(unsigned char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '.' || c == '_' || c == '~';
}

bool is_path_char(unsigned char c) {
  return c != 0 &&
         std::string_view("/!$&'()*+,;=:@").find(static_cast<char>(c)) != std::string_view::npos;
}

}  // namespace

std::string percent_encode(std::string_view s, bool keep_path_chars) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(s.size());
  for (unsigned char c : s) {
    if (is_unreserved(c) || (keep_path_chars && is_path_char(c))) {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 0xF]);
    }
  }
  return out;
}

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
