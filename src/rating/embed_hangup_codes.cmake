# Generates the C++ hangup-cause table from src/rating/hangup_codes.csv (code,cause,category).
# Run as a script at build time:
#   cmake -DCSV=<hangup_codes.csv> -DOUT=<the .cpp to write> -P embed_hangup_codes.cmake
# The output defines cdrd::rating::hangup_causes() (rating/hangup.h) over a constexpr array sorted
# by code. Any malformed line, a duplicate code or a wrong header fails the build with its line.

if(NOT DEFINED CSV OR NOT DEFINED OUT)
  message(FATAL_ERROR "embed_hangup_codes.cmake: pass -DCSV=<hangup_codes.csv> -DOUT=<file.cpp>")
endif()

file(READ "${CSV}" text)
# CMake list syntax would mangle these characters; the table never needs them.
foreach(bad ";" "[" "]" "\\" "\"")
  string(FIND "${text}" "${bad}" at)
  if(NOT at EQUAL -1)
    message(FATAL_ERROR "${CSV}: unexpected character '${bad}' in the hangup table")
  endif()
endforeach()
string(REPLACE "\r" "" text "${text}")
string(REPLACE "\n" ";" lines "${text}")

set(line_no 0)
set(rows "")
set(header_seen FALSE)
foreach(line IN LISTS lines)
  math(EXPR line_no "${line_no} + 1")
  string(STRIP "${line}" line)
  if(line STREQUAL "")
    continue()
  endif()
  if(NOT header_seen)
    if(NOT line STREQUAL "code,cause,category")
      message(FATAL_ERROR "${CSV}:${line_no}: the header must be 'code,cause,category'")
    endif()
    set(header_seen TRUE)
    continue()
  endif()
  if(NOT line MATCHES "^([1-9][0-9]?[0-9]?[0-9]?[0-9]?[0-9]?),([a-z0-9_]+),([a-z0-9_]+)$")
    message(FATAL_ERROR "${CSV}:${line_no}: expected <code 1-999999>,<cause>,<category> in "
                        "lower-case letters, digits and '_', got '${line}'")
  endif()
  list(APPEND rows "${CMAKE_MATCH_1},${CMAKE_MATCH_2},${CMAKE_MATCH_3}")
  if(DEFINED seen_${CMAKE_MATCH_1})
    message(FATAL_ERROR "${CSV}:${line_no}: code ${CMAKE_MATCH_1} is already on line "
                        "${seen_${CMAKE_MATCH_1}}")
  endif()
  set(seen_${CMAKE_MATCH_1} ${line_no})
endforeach()
if(NOT header_seen)
  message(FATAL_ERROR "${CSV}: empty file (a header 'code,cause,category' is expected)")
endif()

# NATURAL compares the leading digit runs as numbers, so rows come out ascending by code.
list(SORT rows COMPARE NATURAL)
list(LENGTH rows count)

set(body "")
foreach(row IN LISTS rows)
  string(REPLACE "," ";" fields "${row}")
  list(GET fields 0 code)
  list(GET fields 1 cause)
  list(GET fields 2 category)
  string(APPEND body "    {${code}, \"${cause}\", \"${category}\"},\n")
endforeach()

file(WRITE "${OUT}" "\
// Generated from src/rating/hangup_codes.csv by src/rating/embed_hangup_codes.cmake.
// Do not edit: edit the CSV and rebuild. ${count} codes, ascending.
#include <cstddef>
#include <iterator>
#include <span>

#include \"rating/hangup.h\"

namespace cdrd::rating {
namespace {

constexpr HangupCause kHangupCauses[] = {
${body}};

constexpr bool codes_strictly_ascending() {
  for (std::size_t i = 1; i < std::size(kHangupCauses); ++i) {
    if (kHangupCauses[i - 1].code >= kHangupCauses[i].code) return false;
  }
  return true;
}
static_assert(codes_strictly_ascending(), \"hangup codes must be unique and sorted\");

}  // namespace

std::span<const HangupCause> hangup_causes() { return kHangupCauses; }

}  // namespace cdrd::rating
")
