#include "http/url.h"

namespace cdrd::http {

std::string_view target_path(std::string_view target) {
  const std::size_t scheme_end = target.find("://");
  if (!target.empty() && target.front() != '/' && scheme_end != std::string_view::npos) {
    const std::size_t path_start = target.find('/', scheme_end + 3);
    target =
        path_start == std::string_view::npos ? std::string_view("/") : target.substr(path_start);
  }
  return target;
}

std::optional<Params> parse_query(std::string_view query) {
  Params params;
  while (!query.empty()) {
    const std::size_t amp = query.find('&');
    const std::string_view segment = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    if (segment.empty()) continue;

    const std::size_t eq = segment.find('=');
    auto key = percent_decode(segment.substr(0, eq), true);
    if (!key) return std::nullopt;
    std::optional<std::string> value = std::string();
    if (eq != std::string_view::npos) value = percent_decode(segment.substr(eq + 1), true);
    if (!value) return std::nullopt;
    params.emplace_back(std::move(*key), std::move(*value));
  }
  return params;
}

std::string media_type(std::string_view content_type) {
  return ascii_lower(trim_blanks(content_type.substr(0, content_type.find(';'))));
}

std::string redact_numbers(std::string_view target) {
  std::string out(target);
  std::size_t i = out.find('?');
  if (i == std::string::npos) return out;
  ++i;
  while (i < out.size()) {
    std::size_t end = out.find('&', i);
    if (end == std::string::npos) end = out.size();
    const std::size_t eq = out.find('=', i);
    if (eq != std::string::npos && eq < end) {
      std::string name = out.substr(i, eq - i);
      for (char& c : name) c = (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
      const bool number_like =
          name.find("number") != std::string::npos || name.find("username") != std::string::npos ||
          name.find("did") != std::string::npos || name.find("caller") != std::string::npos;
      if (number_like) {
        for (std::size_t j = eq + 1; j < end; ++j) {
          // Keep percent-escapes intact ("%2B" for '+'); mask the digits of the value.
          if (out[j] == '%' && j + 2 < end) {
            j += 2;
            continue;
          }
          if (out[j] >= '0' && out[j] <= '9') out[j] = '*';
        }
      }
    }
    i = end + 1;
  }
  return out;
}

}  // namespace cdrd::http
