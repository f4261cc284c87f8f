// Internal to src/http (server.cpp, client.cpp): the short names both give Boost.Asio and
// Boost.Beast, and the one conversion from Beast's string_view. Other modules never include it:
// Beast stays inside src/http behind message.h. Pure; thread-safe.
#pragma once

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <string_view>

namespace cdrd::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;

// Beast 1.74 speaks boost::string_view; the rest of cdrd speaks std::string_view.
inline std::string_view sv(beast::string_view s) { return {s.data(), s.size()}; }

}  // namespace cdrd::http
