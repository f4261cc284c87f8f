#include "core/csv.h"

namespace cdrd {

CsvReader::CsvReader(std::string_view text, std::int64_t first_line, CsvOptions options)
    : text_(text), line_(first_line), options_(options) {
  if (text_.substr(0, 3) == "\xEF\xBB\xBF") pos_ = 3;
}

// Spaces and tabs; with trim_blanks also a carriage return (one before the line end, or a
// stray one at a field's end, is then not content).
bool CsvReader::is_blank(char c) const {
  return c == ' ' || c == '\t' || (options_.trim_blanks && c == '\r');
}

bool CsvReader::at_line_end() const {
  if (pos_ >= text_.size()) return true;
  const char c = text_[pos_];
  if (c == '\n') return true;
  return c == '\r' && (pos_ + 1 == text_.size() || text_[pos_ + 1] == '\n');
}

void CsvReader::skip_line_end() {
  if (pos_ < text_.size() && text_[pos_] == '\r') ++pos_;
  if (pos_ < text_.size() && text_[pos_] == '\n') {
    ++pos_;
    ++line_;
  }
}

void CsvReader::skip_to_next_line() {
  while (pos_ < text_.size() && text_[pos_] != '\n') ++pos_;
  if (pos_ < text_.size()) {
    ++pos_;
    ++line_;
  }
}

// Skips lines holding nothing but blanks; false at the end of the input.
bool CsvReader::skip_blank_lines() {
  while (pos_ < text_.size()) {
    std::size_t p = pos_;
    while (p < text_.size() && is_blank(text_[p])) ++p;
    const std::size_t line_start = pos_;
    pos_ = p;
    if (!at_line_end()) {
      pos_ = line_start;
      return true;
    }
    skip_line_end();
  }
  return false;
}

bool CsvReader::next(CsvRow& row) {
  row.cells.clear();
  row.error.clear();
  row.problem = CsvProblem::kNone;
  row.column = 0;
  if (!skip_blank_lines()) return false;
  row.line = line_;
  std::string cell;
  // Reports the problem of the field being read; the reader goes on at the next line (an
  // unclosed quote has already run to the end of the input).
  auto fail = [&](CsvProblem problem, std::string_view what) {
    row.problem = problem;
    row.column = row.cells.size() + 1;
    row.cells.clear();
    row.error = "CSV field " + std::to_string(row.column) + ": " + std::string(what);
    if (problem != CsvProblem::kUnclosedQuote) skip_to_next_line();
    return true;
  };
  while (true) {
    cell.clear();
    if (options_.trim_blanks) {
      while (pos_ < text_.size() && (text_[pos_] == ' ' || text_[pos_] == '\t')) ++pos_;
    }
    if (pos_ < text_.size() && text_[pos_] == '"') {
      ++pos_;
      bool closed = false;
      while (pos_ < text_.size()) {
        const char c = text_[pos_];
        if (c == '"') {
          if (pos_ + 1 < text_.size() && text_[pos_ + 1] == '"') {
            cell.push_back('"');
            pos_ += 2;
            continue;
          }
          ++pos_;
          closed = true;
          break;
        }
        if (c == '\n') ++line_;
        cell.push_back(c);
        ++pos_;
      }
      if (!closed) {
        return fail(CsvProblem::kUnclosedQuote,
                    "quoted field is never closed (a field that starts with '\"' must end with "
                    "'\"'; write \"\" for a quote inside it)");
      }
      if (options_.trim_blanks) {
        while (pos_ < text_.size() && is_blank(text_[pos_])) ++pos_;
      }
      if (pos_ < text_.size() && text_[pos_] == ',') {
        row.cells.push_back(cell);
        ++pos_;
        continue;
      }
      if (at_line_end()) {
        row.cells.push_back(cell);
        skip_line_end();
        return true;
      }
      return fail(CsvProblem::kTextAfterQuote,
                  "unexpected character after the closing quote (write \"\" for a quote inside "
                  "a quoted field)");
    }
    while (pos_ < text_.size() && text_[pos_] != ',' && !at_line_end()) {
      if (text_[pos_] == '"') {
        return fail(CsvProblem::kQuoteInUnquotedField,
                    "a '\"' inside an unquoted field (put the whole field in double quotes and "
                    "write the quote as \"\")");
      }
      cell.push_back(text_[pos_++]);
    }
    if (options_.trim_blanks) {
      while (!cell.empty() && is_blank(cell.back())) cell.pop_back();
    }
    row.cells.push_back(cell);
    if (pos_ < text_.size() && text_[pos_] == ',') {
      ++pos_;
      continue;
    }
    skip_line_end();
    return true;
  }
}

}  // namespace cdrd
