// Tx: one transaction of a postgres::Database (pg_database.h), as the postgres stores see it: a
// statement is one line, its parameters ($1, $2, ...) bound in order from Param values (text,
// 64-bit integers, booleans, NULL for an empty optional), never spliced into the SQL.
// Statements throw libpqxx's exceptions; Database::transact catches them all (retries,
// kUnavailable, kIOError), so none leaves the module. Private to src/store/postgres/.
#pragma once

#include <pqxx/pqxx>

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/money.h"

namespace cdrd::postgres {

struct Connection {
  explicit Connection(const std::string& url) : c(url) {}
  pqxx::connection c;
};

// A statement parameter in PostgreSQL's text form; nullopt is NULL.
class Param {
 public:
  Param(std::string_view s) : text_(std::string(s)) {}      // NOLINT: implicit on purpose
  Param(const std::string& s) : text_(s) {}                 // NOLINT
  Param(const char* s) : text_(std::string(s)) {}           // NOLINT
  Param(std::int64_t v) : text_(std::to_string(v)) {}       // NOLINT
  Param(int v) : text_(std::to_string(v)) {}                // NOLINT
  Param(bool v) : text_(v ? "true" : "false") {}            // NOLINT
  Param(Money m) : text_(std::to_string(m.units())) {}      // NOLINT
  Param(const std::optional<std::string>& s) : text_(s) {}  // NOLINT

  const std::optional<std::string>& text() const { return text_; }

 private:
  std::optional<std::string> text_;
};

class Tx {
 public:
  explicit Tx(pqxx::transaction_base& t) : t_(t) {}

  pqxx::result exec(const std::string& sql, const std::vector<Param>& params) {
    std::vector<const char*> values;
    values.reserve(params.size());
    for (const Param& p : params) values.push_back(p.text() ? p.text()->c_str() : nullptr);
    return t_.exec_params(sql, pqxx::prepare::make_dynamic_params(values));
  }
  pqxx::result exec(const std::string& sql, std::initializer_list<Param> params = {}) {
    return exec(sql, std::vector<Param>(params));
  }
  // The one integer the statement answers (COUNT(*) and the like).
  std::int64_t query_int(const std::string& sql, std::initializer_list<Param> params = {}) {
    return exec(sql, params).at(0).at(0).as<std::int64_t>();
  }
  bool exists(const std::string& sql, std::initializer_list<Param> params = {}) {
    return !exec(sql, params).empty();
  }

 private:
  pqxx::transaction_base& t_;
};

// Field readers: one place for NULL and the integer width.
inline std::int64_t int64_of(const pqxx::field& f) { return f.as<std::int64_t>(); }
inline std::string text_of(const pqxx::field& f) { return f.is_null() ? "" : f.as<std::string>(); }
inline std::optional<std::string> opt_text_of(const pqxx::field& f) {
  if (f.is_null()) return std::nullopt;
  return f.as<std::string>();
}
inline bool bool_of(const pqxx::field& f) { return f.as<bool>(); }

}  // namespace cdrd::postgres
