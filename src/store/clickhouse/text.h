// The text forms cdrd and ClickHouse exchange over ClickHouse's HTTP interface: string literals
// inside a statement, and the TabSeparated format of inserted and selected rows. Every value a
// statement carries is written by sql_string or sql_int, so no input can change a statement's
// shape (18.16, the ClickHouse of Debian 12, has no bound query parameters over HTTP).
// Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace cdrd::clickhouse {

// 'text' as a ClickHouse string literal: quote and backslash escaped, every byte outside
// printable ASCII as \xHH, so any bytes (not only UTF-8) round-trip.
std::string sql_string(std::string_view text);
std::string sql_int(std::int64_t v);

// Appends `text` as one TabSeparated field (\\, \t, \n, \r, \0, \b, \f escaped).
void append_tsv(std::string& out, std::string_view text);
// Appends an integer field, or \N for an absent value.
void append_tsv(std::string& out, std::optional<std::int64_t> v);
void append_tsv_int(std::string& out, std::int64_t v);
// A Float64 field that reads back as the same double (17 significant digits), or \N.
void append_tsv(std::string& out, std::optional<double> v);

// One row of a TabSeparated answer: its fields still escaped, views into the answer.
using TsvRow = std::vector<std::string_view>;

// Splits a TabSeparated answer into rows of fields (an empty answer has no rows).
std::vector<TsvRow> split_tsv(std::string_view body);

// A field's value: unescaped text; integers; \N as nullopt. kIOError for a field that is not
// what the column holds (a corrupt answer).
Result<std::string> tsv_text(std::string_view field);
Result<std::int64_t> tsv_int(std::string_view field);
Result<std::optional<std::int64_t>> tsv_opt_int(std::string_view field);
Result<std::optional<std::string>> tsv_opt_text(std::string_view field);
Result<std::optional<double>> tsv_opt_real(std::string_view field);

}  // namespace cdrd::clickhouse
