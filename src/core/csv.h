// The one CSV reader (RFC 4180), for call records (ingest) and rate decks: comma-separated
// fields, CRLF or LF line ends, fields optionally in double quotes, where "" is a literal quote
// and commas and line breaks are content. A UTF-8 byte-order mark at the very start is ignored.
// Blank lines (empty or only spaces and tabs) are skipped but counted, so a row's `line` is
// where an editor shows it. A malformed row is reported with its line number, the problem and
// the field it is in, and the reader resumes at the next line (callers that stop at the first
// error simply stop). Pure, no I/O: reads a string_view it does not own. Not thread-safe (one
// reader per input).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace cdrd {

struct CsvOptions {
  // Drops spaces and tabs around a field, outside its quotes (`  a , " b " ` reads `a` and
  // ` b `), and a carriage return before the line end wherever it stands; a line of nothing but
  // those is blank. Without it (the ingest format) they are the field's content.
  bool trim_blanks = false;
};

enum class CsvProblem {
  kNone,
  kUnclosedQuote,         // a quoted field runs to the end of the input
  kTextAfterQuote,        // something other than a comma or the line end after a closing quote
  kQuoteInUnquotedField,  // a '"' inside a field that does not start with one
};

struct CsvRow {
  std::int64_t line = 0;           // line on which the row starts
  std::vector<std::string> cells;  // valid when error is empty
  // Why the row could not be read (empty when it could): "CSV field N: what is wrong (how to
  // write it)". `problem` and `column` (1-based) say the same for callers that word it their way.
  std::string error;
  CsvProblem problem = CsvProblem::kNone;
  std::size_t column = 0;
};

class CsvReader {
 public:
  // `first_line` is the number of the first line of `text`.
  explicit CsvReader(std::string_view text, std::int64_t first_line = 1, CsvOptions options = {});

  // The next row, or false at the end of the input.
  bool next(CsvRow& row);

 private:
  bool is_blank(char c) const;
  bool at_line_end() const;
  void skip_line_end();
  void skip_to_next_line();
  bool skip_blank_lines();

  std::string_view text_;
  std::size_t pos_ = 0;
  std::int64_t line_;
  CsvOptions options_;
};

}  // namespace cdrd
