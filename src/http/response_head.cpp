#include "http/response_head.h"

namespace cdrd::http {

void serialize_response_head(const bhttp::response_header<>& head, std::string& out) {
  out.clear();
  const unsigned version = head.version();
  out += "HTTP/";
  out += static_cast<char>('0' + version / 10);
  out += '.';
  out += static_cast<char>('0' + version % 10);
  out += ' ';
  // Three digits, as Beast writes them (a status is 100 to 999).
  const unsigned code = head.result_int();
  out += static_cast<char>('0' + code / 100 % 10);
  out += static_cast<char>('0' + code / 10 % 10);
  out += static_cast<char>('0' + code % 10);
  out += ' ';
  out += sv(head.reason());
  out += "\r\n";
  for (const auto& field : head) {
    out += sv(field.name_string());
    out += ": ";
    out += sv(field.value());
    out += "\r\n";
  }
  out += "\r\n";
}

}  // namespace cdrd::http
