// Internal to src/http (server.cpp): the head of a response as the bytes Beast's serializer
// writes for it (status line, the fields in their order, the empty line), so that the server
// can hand a small response to the socket in one non-blocking write of head and body without
// Beast's serializer. Pure; thread-safe.
#pragma once

#include <string>

#include "http/beast_names.h"

namespace cdrd::http {

// Appends to `out` (cleared first) "HTTP/1.x CODE REASON\r\n", each field "Name: value\r\n"
// and "\r\n": the reason is the one the head holds, or the standard one for its code.
void serialize_response_head(const bhttp::response_header<>& head, std::string& out);

}  // namespace cdrd::http
