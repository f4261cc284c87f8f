# Generates the C++ table of the web console's files (console/ at the top of the source tree)
# at build time, so the binary serves them without reading a file (docs/console.md):
#   cmake -DSOURCE_DIR=<console/> -DFILES=index.html,app.js,app.css -DOUT=<the .cpp> -P this
# Each file becomes a byte array with its Content-Type (from its extension) and a strong ETag
# (the first 32 hex digits of its SHA-256). The output defines cdrd::api::console::assets()
# (api/console/console.h). A file of an unknown type fails the build.

if(NOT DEFINED SOURCE_DIR OR NOT DEFINED FILES OR NOT DEFINED OUT)
  message(FATAL_ERROR "embed_console.cmake: pass -DSOURCE_DIR, -DFILES and -DOUT")
endif()

string(REPLACE "," ";" FILES "${FILES}")
set(arrays "")
set(rows "")
set(index 0)
foreach(name IN LISTS FILES)
  set(path "${SOURCE_DIR}/${name}")
  if(NOT EXISTS "${path}")
    message(FATAL_ERROR "embed_console.cmake: ${path} does not exist")
  endif()
  if(NOT name MATCHES "^[a-z0-9_-]+\\.([a-z]+)$")
    message(FATAL_ERROR "embed_console.cmake: '${name}': a console file is one lower-case name")
  endif()
  set(ext "${CMAKE_MATCH_1}")
  if(ext STREQUAL "html")
    set(type "text/html; charset=utf-8")
  elseif(ext STREQUAL "js")
    set(type "text/javascript; charset=utf-8")
  elseif(ext STREQUAL "css")
    set(type "text/css; charset=utf-8")
  elseif(ext STREQUAL "svg")
    set(type "image/svg+xml")
  elseif(ext STREQUAL "png")
    set(type "image/png")
  else()
    message(FATAL_ERROR "embed_console.cmake: '${name}': no Content-Type known for .${ext}")
  endif()
  file(SHA256 "${path}" hash)
  string(SUBSTRING "${hash}" 0 32 etag)
  file(READ "${path}" hex HEX)
  string(LENGTH "${hex}" hex_length)
  math(EXPR size "${hex_length} / 2")
  string(REGEX REPLACE "([0-9a-f][0-9a-f])" "'\\\\x\\1'," bytes "${hex}")
  string(APPEND arrays "constexpr char kFile${index}[] = {\n    ${bytes}'\\0'};\n")
  string(APPEND rows
         "    {\"${name}\", \"${type}\", \"\\\"${etag}\\\"\", std::string_view(kFile${index}, ${size})},\n")
  math(EXPR index "${index} + 1")
endforeach()

file(WRITE "${OUT}.tmp" "\
// Generated from console/ by src/api/console/embed_console.cmake. Do not edit: edit the files
// of console/ and rebuild.
#include <span>
#include <string_view>

#include \"api/console/console.h\"

namespace cdrd::api::console {
namespace {

${arrays}
constexpr Asset kAssets[] = {
${rows}};

}  // namespace

std::span<const Asset> assets() { return kAssets; }

}  // namespace cdrd::api::console
")
# Rewritten only when it changed, so an unchanged console recompiles nothing.
file(COPY_FILE "${OUT}.tmp" "${OUT}" ONLY_IF_DIFFERENT)
file(REMOVE "${OUT}.tmp")
