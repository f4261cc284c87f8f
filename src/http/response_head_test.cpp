#include "http/response_head.h"

#include <gtest/gtest.h>

#include <string>

namespace cdrd::http {
namespace {

// The bytes Beast's serializer writes for the head of `response`.
std::string beast_head(bhttp::response<bhttp::string_body>& response) {
  bhttp::response_serializer<bhttp::string_body> serializer(response);
  serializer.split(true);
  std::string out;
  beast::error_code ec;
  while (!serializer.is_header_done()) {
    serializer.next(ec, [&](beast::error_code&, const auto& buffers) {
      std::size_t n = 0;
      for (const auto buffer : beast::buffers_range_ref(buffers)) {
        out.append(static_cast<const char*>(buffer.data()), buffer.size());
        n += buffer.size();
      }
      serializer.consume(n);
    });
    EXPECT_FALSE(ec) << ec.message();
    if (ec) break;
  }
  return out;
}

std::string ours(const bhttp::response<bhttp::string_body>& response) {
  std::string out = "left over";
  serialize_response_head(response.base(), out);
  return out;
}

TEST(ResponseHead, IsTheBytesBeastWritesForEveryShapeOfResponse) {
  struct Case {
    unsigned version;
    unsigned status;
    bool keep_alive;
    const char* body;
  };
  for (const Case c :
       {Case{11, 200, true, "{\"a\":1}"}, Case{11, 404, false, "not found"},
        Case{10, 200, true, "x"}, Case{10, 503, false, ""}, Case{11, 204, true, nullptr},
        Case{11, 429, true, "{}"}, Case{11, 599, true, "odd"}, Case{11, 100, true, nullptr}}) {
    bhttp::response<bhttp::string_body> response;
    response.version(c.version);
    response.result(c.status);
    response.insert("Retry-After", "1");
    response.insert("X-Custom", "a value, with: colons");
    response.set(bhttp::field::content_type, "application/json");
    response.keep_alive(c.keep_alive);
    if (c.body != nullptr) {
      response.body() = c.body;
      response.prepare_payload();
    }
    EXPECT_EQ(ours(response), beast_head(response)) << c.version << " " << c.status;
  }
}

TEST(ResponseHead, KeepsAReasonOfItsOwn) {
  bhttp::response<bhttp::string_body> response;
  response.result(bhttp::status::ok);
  response.reason("Fine");
  response.content_length(0);
  EXPECT_EQ(ours(response), "HTTP/1.1 200 Fine\r\nContent-Length: 0\r\n\r\n");
  EXPECT_EQ(ours(response), beast_head(response));
}

}  // namespace
}  // namespace cdrd::http
