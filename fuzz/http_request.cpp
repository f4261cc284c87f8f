// Fuzzes the HTTP request head as the server reads it (src/http/server.cpp): the input is the
// raw bytes of a request, put through Beast's request_parser with the server's header and body
// limits; when the parser accepts a request, its target is split and decoded as the server does
// it (percent_decode of the path, parse_query of the query). The input is also decoded directly
// by percent_decode (both modes), parse_query and media_type (as is every header value). No socket:
// the bytes are handed to put().
#include <boost/beast/http.hpp>

#include "fuzz_target.h"
#include "http/server.h"
#include "http/url.h"

using namespace cdrd;
namespace bhttp = boost::beast::http;

namespace {

using http::kMaxHeaderBytes;  // the server's limits (http/url.h)
using http::target_path;

void check_decoding(std::string_view s) {
  for (bool plus_is_space : {false, true}) {
    const std::optional<std::string> decoded = http::percent_decode(s, plus_is_space);
    if (decoded) CDRD_FUZZ_CHECK(decoded->size() <= s.size());
  }
  // What the access log writes with --log-redact-numbers: the same length, never more.
  CDRD_FUZZ_CHECK(http::redact_numbers(s).size() == s.size());
  // The media type the ingest and token handlers read from a Content-Type value.
  CDRD_FUZZ_CHECK(http::media_type(s).size() <= s.size());
  if (const std::optional<http::Params> params = http::parse_query(s)) {
    std::size_t total = 0;
    for (const auto& [k, v] : *params) total += k.size() + v.size();
    CDRD_FUZZ_CHECK(total <= s.size());
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view bytes = fuzz::as_text(data, size);
  check_decoding(bytes);

  bhttp::request_parser<bhttp::string_body> parser;
  parser.header_limit(kMaxHeaderBytes);
  parser.body_limit(static_cast<std::uint64_t>(http::ServerOptions{}.max_body_bytes));
  parser.eager(true);
  boost::beast::error_code ec;
  std::string_view rest = bytes;
  while (!rest.empty() && !parser.is_done()) {
    const std::size_t used = parser.put(boost::asio::buffer(rest.data(), rest.size()), ec);
    if (ec == bhttp::error::need_more) {  // a real read would wait for more bytes here
      ec = {};
      break;
    }
    if (ec) return 0;  // the server answers 400 (or 413/431) and closes
    if (used == 0) break;
    rest.remove_prefix(used);
  }
  if (!parser.is_done()) {
    if (!parser.got_some()) return 0;  // nothing sent: the server's read ends with end_of_stream
    parser.put_eof(ec);
    if (ec || !parser.is_done()) return 0;
  }

  const auto& message = parser.get();
  const std::string_view target(message.target().data(), message.target().size());
  const std::size_t question = target.find('?');
  check_decoding(target_path(target.substr(0, question)));
  if (question != std::string_view::npos) check_decoding(target.substr(question + 1));
  for (const auto& field : message) {
    (void)field.name_string();
    const std::string_view value(field.value().data(), field.value().size());
    CDRD_FUZZ_CHECK(http::media_type(value).size() <= value.size());
  }
  return 0;
}
