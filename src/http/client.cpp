// HttpClient runs Beast's asynchronous operations on a private io_context and waits for each:
// blocking to the caller, but with the deadlines of beast::tcp_stream, which Beast's
// synchronous calls do not have, so a test or benchmark never hangs on a dead server.
#include "http/client.h"

#include <openssl/evp.h>
#include "core/ascii.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <limits>

#include "core/ascii.h"
#include "http/beast_names.h"
#include "http/url.h"

namespace cdrd::http {
namespace {

// Errors that mean the server closed a kept-alive connection before reading our request (its
// idle timeout, a restart): the request was not processed, so sending it again is safe.
bool closed_by_peer(const beast::error_code& ec) {
  return ec == bhttp::error::end_of_stream || ec == asio::error::eof ||
         ec == asio::error::connection_reset || ec == asio::error::broken_pipe ||
         ec == asio::error::connection_aborted;
}

}  // namespace

std::string ClientResponse::header(std::string_view lower_name) const {
  for (const auto& [name, value] : headers) {
    if (name == lower_name) return value;
  }
  return {};
}

struct HttpClient::Impl {
  std::string host;
  std::uint16_t port;
  std::string host_header;  // "host:port"
  std::chrono::milliseconds timeout{30'000};
  asio::io_context ioc{1};
  beast::tcp_stream stream{ioc};
  beast::flat_buffer buffer;
  bool connected = false;

  Impl(std::string h, std::uint16_t p)
      : host(std::move(h)), port(p), host_header(host + ":" + std::to_string(port)) {}

  // Runs the operation `start` begins until it completes and returns its error.
  template <class Start>
  beast::error_code wait_for(Start&& start) {
    beast::error_code result = asio::error::would_block;
    stream.expires_after(timeout);
    start([&result](beast::error_code ec, auto&&...) { result = ec; });
    ioc.restart();
    ioc.run();
    return result;
  }

  Status connect() {
    beast::error_code ec;
    tcp::resolver resolver(ioc);
    const auto endpoints = resolver.resolve(host, std::to_string(port), ec);
    if (!ec) {
      ec = wait_for([&](auto handler) { stream.async_connect(endpoints, std::move(handler)); });
    }
    if (ec) return Status::Unavailable("cannot connect to " + host_header + ": " + ec.message());
    beast::error_code ignored;
    stream.socket().set_option(tcp::no_delay(true), ignored);
    connected = true;
    return Status::Ok();
  }

  void close() {
    beast::error_code ignored;
    stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
    stream.close();
    buffer.consume(buffer.size());
    connected = false;
  }

  // One attempt on the current connection.
  beast::error_code exchange(const bhttp::request<bhttp::string_body>& request,
                             bhttp::response_parser<bhttp::string_body>& parser) {
    auto ec =
        wait_for([&](auto handler) { bhttp::async_write(stream, request, std::move(handler)); });
    if (ec) return ec;
    return wait_for(
        [&](auto handler) { bhttp::async_read(stream, buffer, parser, std::move(handler)); });
  }
};

HttpClient::HttpClient(std::string host, std::uint16_t port)
    : impl_(std::make_unique<Impl>(std::move(host), port)) {}

HttpClient::~HttpClient() {
  if (impl_ && impl_->connected) impl_->close();
}

HttpClient::HttpClient(HttpClient&&) noexcept = default;
HttpClient& HttpClient::operator=(HttpClient&&) noexcept = default;

void HttpClient::set_timeout(std::chrono::milliseconds timeout) { impl_->timeout = timeout; }

Result<ClientResponse> HttpClient::request(const std::string& method, const std::string& target,
                                           const std::string& body, const Params& headers) {
  Impl& c = *impl_;
  bhttp::request<bhttp::string_body> request;
  request.version(11);
  const bhttp::verb verb = bhttp::string_to_verb(method);
  if (verb == bhttp::verb::unknown) {
    request.method_string(method);
  } else {
    request.method(verb);
  }
  request.target(target);
  request.set(bhttp::field::host, c.host_header);
  for (const auto& [name, value] : headers) request.insert(name, value);
  request.body() = body;
  request.prepare_payload();
  request.keep_alive(true);

  for (int attempt = 1;; ++attempt) {
    const bool reused = c.connected;
    if (!c.connected) RETURN_IF_ERROR(c.connect());

    bhttp::response_parser<bhttp::string_body> parser;
    parser.body_limit(std::numeric_limits<std::uint64_t>::max());
    parser.header_limit(1024 * 1024);
    if (verb == bhttp::verb::head) parser.skip(true);  // a HEAD response has no body

    const beast::error_code ec = c.exchange(request, parser);
    if (ec) {
      c.close();
      if (reused && attempt == 1 && closed_by_peer(ec)) continue;
      return Status::Unavailable(method + " " + target + " to " + c.host_header +
                                 " failed: " + ec.message());
    }

    auto response = parser.release();
    ClientResponse out;
    out.status = static_cast<int>(response.result_int());
    out.body = std::move(response.body());
    for (const auto& field : response) {
      out.headers.emplace_back(ascii_lower(sv(field.name_string())), sv(field.value()));
    }
    if (!response.keep_alive()) c.close();
    return out;
  }
}

std::string basic_auth(const std::string& user, const std::string& password) {
  const std::string credentials = user + ":" + password;
  std::string encoded(4 * ((credentials.size() + 2) / 3) + 1, '\0');  // +1: the NUL it writes
  const int length = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(encoded.data()),
                                     reinterpret_cast<const unsigned char*>(credentials.data()),
                                     static_cast<int>(credentials.size()));
  encoded.resize(static_cast<std::size_t>(length));
  return "Basic " + encoded;
}

std::string url_encode(const std::string& value) { return percent_encode(value); }

}  // namespace cdrd::http
