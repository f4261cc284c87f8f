// A small RFC 4180 CSV reader: comma-separated fields, CRLF or LF line ends, fields optionally
// in double quotes, where "" is a literal quote and commas and line breaks are content.
// Blank lines (empty or only spaces and tabs) are skipped. A malformed row is reported with its
// line number and the reader resumes at the next line. Reads a string_view it does not own.
// Not thread-safe (one reader per input).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace cdrd {

struct CsvRow {
  std::int64_t line = 0;           // line on which the row starts
  std::vector<std::string> cells;  // valid when error is empty
  std::string error;               // why the row could not be read
};

class CsvReader {
 public:
  // `first_line` is the number of the first line of `text`.
  explicit CsvReader(std::string_view text, std::int64_t first_line = 1);

  // The next row, or false at the end of the input.
  bool next(CsvRow& row);

 private:
  bool at_line_end() const;
  void skip_line_end();
  void skip_to_next_line();
  bool skip_blank_lines();

  std::string_view text_;
  std::size_t pos_ = 0;
  std::int64_t line_;
};

}  // namespace cdrd
