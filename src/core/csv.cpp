#include "core/csv.h"

namespace cdrd {

CsvReader::CsvReader(std::string_view text, std::int64_t first_line)
    : text_(text), line_(first_line) {}

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

// Skips lines holding nothing but spaces and tabs; false at the end of the input.
bool CsvReader::skip_blank_lines() {
  while (pos_ < text_.size()) {
    std::size_t p = pos_;
    while (p < text_.size() && (text_[p] == ' ' || text_[p] == '\t')) ++p;
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
  if (!skip_blank_lines()) return false;
  row.line = line_;
  std::string cell;
  auto fail = [&](std::string message) {
    row.cells.clear();
    row.error = std::move(message);
    skip_to_next_line();
    return true;
  };
  while (true) {
    cell.clear();
    const std::string column = std::to_string(row.cells.size() + 1);
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
        row.cells.clear();
        row.error = "CSV field " + column +
                    ": quoted field is never closed (a field that starts with '\"' must end "
                    "with '\"'; write \"\" for a quote inside it)";
        return true;
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
      return fail("CSV field " + column +
                  ": unexpected character after the closing quote (write \"\" for a quote "
                  "inside a quoted field)");
    }
    while (pos_ < text_.size() && text_[pos_] != ',' && !at_line_end()) {
      if (text_[pos_] == '"') {
        return fail("CSV field " + column +
                    ": a '\"' inside an unquoted field (put the whole field in double quotes "
                    "and write the quote as \"\")");
      }
      cell.push_back(text_[pos_++]);
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
