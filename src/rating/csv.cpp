#include "rating/csv.h"

namespace cdrd::rating {
namespace {

bool is_space(char c) { return c == ' ' || c == '\t'; }

}  // namespace

CsvReader::CsvReader(std::string_view text) : text_(text) {
  if (text_.substr(0, 3) == "\xEF\xBB\xBF") pos_ = 3;
}

bool CsvReader::next(CsvRecord& out) {
  out.fields.clear();
  out.error.clear();
  const std::size_t n = text_.size();

  // Skip blank lines (nothing but spaces, tabs and a CR), counting them.
  for (;;) {
    std::size_t p = pos_;
    while (p < n && (is_space(text_[p]) || text_[p] == '\r')) ++p;
    if (p == n) {
      pos_ = n;
      return false;
    }
    if (text_[p] != '\n') break;
    pos_ = p + 1;
    ++line_;
  }
  out.line = line_;

  auto fail = [&](std::string why) {
    out.error = std::move(why);
    pos_ = n;
    return true;
  };

  std::size_t p = pos_;
  for (;;) {
    while (p < n && is_space(text_[p])) ++p;
    std::string field;
    if (p < n && text_[p] == '"') {
      ++p;
      for (;;) {
        if (p >= n) return fail("a quoted field is not closed");
        const char c = text_[p++];
        if (c == '"') {
          if (p < n && text_[p] == '"') {
            field.push_back('"');
            ++p;
          } else {
            break;
          }
        } else {
          if (c == '\n') ++line_;
          field.push_back(c);
        }
      }
      while (p < n && (is_space(text_[p]) || text_[p] == '\r')) ++p;
      if (p < n && text_[p] != ',' && text_[p] != '\n') {
        return fail("unexpected text after a closing quote");
      }
    } else {
      const std::size_t start = p;
      while (p < n && text_[p] != ',' && text_[p] != '\n') ++p;
      std::size_t end = p;
      while (end > start && (is_space(text_[end - 1]) || text_[end - 1] == '\r')) --end;
      field.assign(text_.substr(start, end - start));
      if (field.find('"') != std::string::npos) {
        return fail("a double quote inside an unquoted field (quote the whole field)");
      }
    }
    out.fields.push_back(std::move(field));
    if (p < n && text_[p] == ',') {
      ++p;
      continue;
    }
    if (p < n && text_[p] == '\n') {
      ++p;
      ++line_;
    }
    break;
  }
  pos_ = p;
  return true;
}

}  // namespace cdrd::rating
