# Embeds the OpenAPI document (openapi/cdrd.openapi.json) in the binary: writes a .cpp that
# defines cdrd::api::openapi_document() and openapi_etag() (api/app/openapi.h). Run as a script
# at build time:
#   cmake -DJSON=<cdrd.openapi.json> -DOUT=<the .cpp to write> [-DVERSION=<x.y.z>] -P embed_openapi.cmake
# The ETag is the document's SHA-256, so it changes exactly when the document does. A document
# that is not a JSON object, whose info.version is not the project's VERSION, or that holds the
# raw string's closing delimiter, fails the build.

if(NOT DEFINED JSON OR NOT DEFINED OUT)
  message(FATAL_ERROR "embed_openapi.cmake: pass -DJSON=<cdrd.openapi.json> -DOUT=<file.cpp>")
endif()

file(READ "${JSON}" text)
string(JSON version ERROR_VARIABLE json_error GET "${text}" openapi)
if(json_error)
  message(FATAL_ERROR "${JSON}: not an OpenAPI document: ${json_error}")
endif()
string(JSON doc_version ERROR_VARIABLE json_error GET "${text}" info version)
if(DEFINED VERSION AND NOT doc_version STREQUAL VERSION)
  message(FATAL_ERROR "${JSON}: info.version is '${doc_version}', the project's version is "
                      "'${VERSION}': bump the document with the project")
endif()
string(FIND "${text}" ")cdrd_openapi\"" at)
if(NOT at EQUAL -1)
  message(FATAL_ERROR "${JSON}: holds the text ')cdrd_openapi\"', which ends the embedded string")
endif()
file(SHA256 "${JSON}" sha)
string(SUBSTRING "${sha}" 0 32 etag)

set(content "// Generated from ${JSON} by embed_openapi.cmake: do not edit.
#include \"api/app/openapi.h\"

namespace cdrd::api {

std::string_view openapi_document() {
  static constexpr std::string_view kDocument = R\"cdrd_openapi(${text})cdrd_openapi\";
  return kDocument;
}

std::string_view openapi_etag() { return \"\\\"${etag}\\\"\"; }

}  // namespace cdrd::api
")
# Rewritten only when it changes, so an unchanged document recompiles nothing.
if(EXISTS "${OUT}")
  file(READ "${OUT}" old)
  if(old STREQUAL content)
    return()
  endif()
endif()
file(WRITE "${OUT}" "${content}")
