// Splits CSV text (RFC 4180) into records for the rate-deck parser: comma-separated fields,
// LF or CRLF line ends, fields optionally in double quotes where "" is a literal quote and commas
// and line breaks are content. Spaces and tabs around a field (outside its quotes) are dropped.
// Blank lines are skipped but counted, so a record's `line` is where an editor shows it.
// A UTF-8 byte-order mark at the very start is ignored. Reads a string_view it does not own.
// Not thread-safe (one reader per input); pure, no I/O.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace cdrd::rating {

struct CsvRecord {
  int line = 0;                     // 1-based line on which the record starts
  std::vector<std::string> fields;  // valid when error is empty
  std::string error;                // why the record could not be read (e.g. unclosed quote)
};

class CsvReader {
 public:
  explicit CsvReader(std::string_view text);

  // Reads the next non-blank record into `out`; false at the end of the input. After a record
  // with an error the reader is at the end of the input (callers stop at the first error).
  bool next(CsvRecord& out);

 private:
  std::string_view text_;
  std::size_t pos_ = 0;
  int line_ = 1;
};

}  // namespace cdrd::rating
