#include "store/clickhouse/text.h"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>

namespace cdrd::clickhouse {

std::string sql_string(std::string_view text) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(text.size() + 2);
  out += '\'';
  for (const char ch : text) {
    const auto b = static_cast<unsigned char>(ch);
    if (ch == '\'' || ch == '\\') {
      out += '\\';
      out += ch;
    } else if (b < 0x20 || b >= 0x7f) {
      out += "\\x";
      out += kHex[b >> 4];
      out += kHex[b & 0xf];
    } else {
      out += ch;
    }
  }
  out += '\'';
  return out;
}

std::string sql_int(std::int64_t v) { return std::to_string(v); }

void append_tsv(std::string& out, std::string_view text) {
  for (const char ch : text) {
    switch (ch) {
      case '\\':
        out += "\\\\";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\0':
        out += "\\0";
        break;
      case '\b':
        out += "\\b";
        break;
      case '\f':
        out += "\\f";
        break;
      default:
        out += ch;
    }
  }
}

void append_tsv_int(std::string& out, std::int64_t v) {
  char buf[24];
  const auto r = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, r.ptr);
}

void append_tsv(std::string& out, std::optional<std::int64_t> v) {
  if (!v) {
    out += "\\N";
  } else {
    append_tsv_int(out, *v);
  }
}

void append_tsv(std::string& out, std::optional<double> v) {
  if (!v) {
    out += "\\N";
    return;
  }
  if (std::isnan(*v)) {
    out += "nan";
    return;
  }
  if (std::isinf(*v)) {
    out += *v > 0 ? "inf" : "-inf";
    return;
  }
  char buf[40];
  const int n = std::snprintf(buf, sizeof buf, "%.17g", *v);
  out.append(buf, static_cast<std::size_t>(n));
}

std::vector<TsvRow> split_tsv(std::string_view body) {
  std::vector<TsvRow> rows;
  std::size_t pos = 0;
  while (pos < body.size()) {
    std::size_t end = body.find('\n', pos);
    if (end == std::string_view::npos) end = body.size();
    const std::string_view line = body.substr(pos, end - pos);
    TsvRow row;
    std::size_t f = 0;
    for (;;) {
      const std::size_t tab = line.find('\t', f);
      if (tab == std::string_view::npos) {
        row.push_back(line.substr(f));
        break;
      }
      row.push_back(line.substr(f, tab - f));
      f = tab + 1;
    }
    rows.push_back(std::move(row));
    pos = end + 1;
  }
  return rows;
}

Result<std::string> tsv_text(std::string_view field) {
  std::string out;
  out.reserve(field.size());
  for (std::size_t i = 0; i < field.size(); ++i) {
    const char ch = field[i];
    if (ch != '\\') {
      out += ch;
      continue;
    }
    if (++i == field.size()) return Status::IOError("clickhouse: a field ends in a backslash");
    switch (field[i]) {
      case 'n':
        out += '\n';
        break;
      case 't':
        out += '\t';
        break;
      case 'r':
        out += '\r';
        break;
      case '0':
        out += '\0';
        break;
      case 'b':
        out += '\b';
        break;
      case 'f':
        out += '\f';
        break;
      case 'a':
        out += '\a';
        break;
      case 'v':
        out += '\v';
        break;
      case 'e':
        out += '\x1b';
        break;
      case 'x': {
        if (field.size() - i < 3) {
          return Status::IOError("clickhouse: a short \\x escape");
        }
        unsigned v = 0;
        const auto r = std::from_chars(field.data() + i + 1, field.data() + i + 3, v, 16);
        if (r.ptr != field.data() + i + 3) return Status::IOError("clickhouse: a bad \\x escape");
        out += static_cast<char>(v);
        i += 2;
        break;
      }
      default:
        out += field[i];  // \\, \', \" and anything else: the character itself
    }
  }
  return out;
}

Result<std::int64_t> tsv_int(std::string_view field) {
  std::int64_t v = 0;
  const auto r = std::from_chars(field.data(), field.data() + field.size(), v);
  if (r.ec != std::errc() || r.ptr != field.data() + field.size()) {
    return Status::IOError("clickhouse: not an integer: '" + std::string(field.substr(0, 40)) +
                           "'");
  }
  return v;
}

Result<std::optional<std::int64_t>> tsv_opt_int(std::string_view field) {
  if (field == "\\N") return std::optional<std::int64_t>();
  ASSIGN_OR_RETURN(const std::int64_t v, tsv_int(field));
  return std::optional<std::int64_t>(v);
}

Result<std::optional<std::string>> tsv_opt_text(std::string_view field) {
  if (field == "\\N") return std::optional<std::string>();
  ASSIGN_OR_RETURN(std::string v, tsv_text(field));
  return std::optional<std::string>(std::move(v));
}

Result<std::optional<double>> tsv_opt_real(std::string_view field) {
  if (field == "\\N") return std::optional<double>();
  const std::string s(field);
  char* end = nullptr;
  const double v = std::strtod(s.c_str(), &end);
  if (s.empty() || end != s.c_str() + s.size()) {
    return Status::IOError("clickhouse: not a number: '" + s.substr(0, 40) + "'");
  }
  return std::optional<double>(v);
}

}  // namespace cdrd::clickhouse
