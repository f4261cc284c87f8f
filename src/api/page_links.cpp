#include "api/page_links.h"

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

}  // namespace cdrd::api
