#include "rating/rate_deck.h"

#include <algorithm>
#include <array>
#include <optional>
#include <tuple>
#include <unordered_map>
#include <utility>

#include "core/ascii.h"
#include "core/csv.h"

namespace cdrd::rating {
namespace {

// Digits packed 4 bits each (digit + 1) from the top nibble down; 16 digits fill 64 bits.
constexpr std::size_t kPackedDigits = 16;

constexpr std::uint64_t mask_of(std::uint32_t length) {
  return length == 0 ? 0 : ~std::uint64_t{0} << (64 - 4 * length);
}

// Packs the first 16 characters of `digits`, which must all be '0'..'9'.
std::uint64_t pack(std::string_view digits) {
  std::uint64_t key = 0;
  const std::size_t n = std::min(digits.size(), kPackedDigits);
  for (std::size_t i = 0; i < n; ++i) {
    key |= static_cast<std::uint64_t>(digits[i] - '0' + 1) << (60 - 4 * i);
  }
  return key;
}

bool all_digits(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

std::string describe_time(Micros t) {
  return t == kSinceBeginning ? std::string("since the beginning") : format_timestamp(t);
}

std::string rate_limit_message(std::string_view got) {
  return "rate: at most " + kMaxDeckRate.to_fixed5() + " per minute, got '" + std::string(got) +
         "'";
}

// Why `row` cannot be in a deck, or "" when it can.
std::string check_row(const RateRow& row) {
  if (row.prefix.empty()) return "prefix: empty (1 to 15 digits expected)";
  if (!all_digits(row.prefix)) {
    return "prefix: '" + row.prefix + "' is not digits only (no '+', spaces or dashes)";
  }
  if (row.prefix.size() > kMaxPrefixDigits) {
    return "prefix: '" + row.prefix + "' is longer than 15 digits";
  }
  if (row.rate.is_negative()) return "rate: " + row.rate.to_trimmed() + " is negative";
  if (row.rate > kMaxDeckRate) return rate_limit_message(row.rate.to_fixed5());
  for (auto [name, value] : {std::pair{"initial_increment", row.initial_increment},
                             std::pair{"subsequent_increment", row.subsequent_increment}}) {
    if (value < 1) {
      return std::string(name) + ": " + std::to_string(value) +
             " is not a positive number of seconds";
    }
    if (value > kMaxIncrementSeconds) {
      return std::string(name) + ": " + std::to_string(value) + " is more than 86400 seconds";
    }
  }
  return "";
}

// ---- CSV cells ----

enum Column { kPrefix, kRate, kInitial, kSubsequent, kEffectiveFrom, kDirection, kColumnCount };
constexpr std::array<std::string_view, kColumnCount> kColumnNames = {
    "prefix", "rate", "initial_increment", "subsequent_increment", "effective_from", "direction"};
constexpr std::array<bool, kColumnCount> kRequired = {true, true, true, true, false, false};

std::string quoted(std::string_view s) { return "'" + std::string(s) + "'"; }

// A rate: digits, optionally '.' and 1 to 5 digits. Sets `error` and returns nullopt otherwise.
std::optional<Money> parse_rate(std::string_view text, std::string& error) {
  if (!text.empty() && text[0] == '-') {
    error = "rate: " + quoted(text) + " is negative";
    return std::nullopt;
  }
  const std::size_t dot = text.find('.');
  const std::string_view whole = text.substr(0, dot);
  const std::string_view frac = dot == std::string_view::npos ? "" : text.substr(dot + 1);
  const bool shape = !whole.empty() && all_digits(whole) && all_digits(frac) &&
                     (dot == std::string_view::npos || !frac.empty());
  if (shape && frac.size() > 5) {
    error = "rate: " + quoted(text) + " has more than 5 decimals";
    return std::nullopt;
  }
  if (shape) {
    // Too many integer digits for Money::parse is too large a rate, not a malformed one.
    const std::size_t zeros = std::min(whole.find_first_not_of('0'), whole.size() - 1);
    const std::optional<Money> m = whole.size() - zeros > 5 ? std::nullopt : Money::parse(text);
    if (!m || *m > kMaxDeckRate) {
      error = rate_limit_message(text);
      return std::nullopt;
    }
    return m;
  }
  error = "rate: " + quoted(text) + " is not a decimal number like 0.01250";
  return std::nullopt;
}

// An increment: a whole number of seconds in 1..86400.
std::optional<int> parse_increment(std::string_view name, std::string_view text,
                                   std::string& error) {
  const bool negative = !text.empty() && text[0] == '-';
  const std::string_view digits = negative ? text.substr(1) : text;
  if (digits.empty() || !all_digits(digits)) {
    error = std::string(name) + ": " + quoted(text) + " is not a whole number of seconds";
    return std::nullopt;
  }
  std::string_view significant =
      digits.substr(std::min(digits.find_first_not_of('0'), digits.size()));
  if (negative || significant.empty()) {
    error = std::string(name) + ": " + quoted(text) + " is not a positive number of seconds";
    return std::nullopt;
  }
  int value = 0;
  if (significant.size() > 6) {
    value = kMaxIncrementSeconds + 1;
  } else {
    for (char c : significant) value = value * 10 + (c - '0');
  }
  if (value > kMaxIncrementSeconds) {
    error = std::string(name) + ": " + quoted(text) + " is more than 86400 seconds";
    return std::nullopt;
  }
  return value;
}

// "YYYY-MM-DD HH:MM:SS" UTC (what core/time.h parses, so also minutes, fractions, 'T', 'Z'),
// a bare date "YYYY-MM-DD" (midnight), and an optional trailing " UTC". Empty: since ever.
std::optional<Micros> parse_effective_from(std::string_view text, std::string& error) {
  if (text.empty()) return kSinceBeginning;
  std::string_view t = text;
  if (t.size() > 4 && ascii_lower(t.substr(t.size() - 4)) == " utc") t.remove_suffix(4);
  std::optional<TimeInterval> parsed;
  if (t.size() == 10) {
    parsed = parse_timestamp(std::string(t) + " 00:00:00");
  } else {
    parsed = parse_timestamp(t);
  }
  if (!parsed) {
    error = "effective_from: " + quoted(text) + " is not a UTC time YYYY-MM-DD HH:MM:SS";
    return std::nullopt;
  }
  return parsed->start;
}

std::optional<Direction> parse_direction_cell(std::string_view text, std::optional<Direction> only,
                                              std::string& error) {
  if (text.empty()) return only.value_or(Direction::kOutbound);
  const std::optional<Direction> d = parse_direction(ascii_lower(text));
  if (!d) {
    error = "direction: " + quoted(text) + " is not inbound or outbound";
    return std::nullopt;
  }
  if (only && *d != *only) {
    error = "direction: " + quoted(text) + " in a deck loaded for " +
            std::string(to_string(*only)) + " calls (leave the cell empty or write " +
            std::string(to_string(*only)) + ")";
    return std::nullopt;
  }
  return d;
}

// A row the CSV reader could not read, in the words of the deck format (docs/rating.md). A
// switch like the other enum-to-text ones: the compiler checks every problem is named.
std::string csv_problem(const CsvRow& row) {
  switch (row.problem) {
    case CsvProblem::kUnclosedQuote:
      return "a quoted field is not closed";
    case CsvProblem::kTextAfterQuote:
      return "unexpected text after a closing quote";
    case CsvProblem::kQuoteInUnquotedField:
      return "a double quote inside an unquoted field (quote the whole field)";
    case CsvProblem::kNone:
      break;
  }
  return row.error;
}

Status row_error(std::int64_t line, const std::string& reason) {
  return Status::Invalid("rate deck row " + std::to_string(line) + ": " + reason);
}

}  // namespace

Result<RateDeck> RateDeck::from_rows(std::vector<RateRow> rows) {
  if (rows.size() >= kNone) return Status::Invalid("rate deck: too many rows");
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const std::string why = check_row(rows[i]);
    if (!why.empty()) return Status::Invalid("rate deck rows[" + std::to_string(i) + "]: " + why);
  }
  // Duplicates: sort indices by (direction, prefix, effective_from) and compare neighbours.
  std::vector<std::uint32_t> order(rows.size());
  for (std::uint32_t i = 0; i < order.size(); ++i) order[i] = i;
  auto key = [&](std::uint32_t i) {
    return std::tie(rows[i].direction, rows[i].prefix, rows[i].effective_from);
  };
  std::stable_sort(order.begin(), order.end(),
                   [&](std::uint32_t a, std::uint32_t b) { return key(a) < key(b); });
  for (std::size_t i = 1; i < order.size(); ++i) {
    if (key(order[i - 1]) == key(order[i])) {
      const RateRow& r = rows[order[i]];
      return Status::Invalid("rate deck rows[" + std::to_string(order[i]) + "]: duplicates rows[" +
                             std::to_string(order[i - 1]) + "] (" +
                             std::string(to_string(r.direction)) + ", prefix " + r.prefix +
                             ", effective_from " + describe_time(r.effective_from) + ")");
    }
  }
  std::vector<RateRow> inbound, outbound;
  for (RateRow& r : rows) {
    (r.direction == Direction::kInbound ? inbound : outbound).push_back(std::move(r));
  }
  RateDeck deck;
  build_index(std::move(inbound), deck.inbound_);
  build_index(std::move(outbound), deck.outbound_);
  return deck;
}

void RateDeck::build_index(std::vector<RateRow> rows, Index& index) {
  std::vector<std::pair<std::uint64_t, std::uint32_t>> order(rows.size());
  for (std::uint32_t i = 0; i < rows.size(); ++i) order[i] = {pack(rows[i].prefix), i};
  std::sort(order.begin(), order.end(), [&](const auto& a, const auto& b) {
    if (a.first != b.first) return a.first < b.first;
    return rows[a.second].effective_from < rows[b.second].effective_from;
  });

  index.keys.clear();
  index.nodes.clear();
  index.rows.clear();
  index.rows.reserve(rows.size());
  std::vector<std::uint32_t> chain;  // the current node and its ancestors, longest last
  for (const auto& [key, i] : order) {
    const auto row_index = static_cast<std::uint32_t>(index.rows.size());
    index.rows.push_back(std::move(rows[i]));
    if (!index.keys.empty() && index.keys.back() == key) {
      ++index.nodes.back().row_count;
      continue;
    }
    const auto length = static_cast<std::uint32_t>(index.rows.back().prefix.size());
    // Keys come in text order, so every prefix of this key in the deck is on the chain.
    while (!chain.empty()) {
      const Node& top = index.nodes[chain.back()];
      if (top.length < length && (key & mask_of(top.length)) == index.keys[chain.back()]) break;
      chain.pop_back();
    }
    index.nodes.push_back(Node{chain.empty() ? kNone : chain.back(), row_index, 1, length});
    index.keys.push_back(key);
    chain.push_back(static_cast<std::uint32_t>(index.keys.size() - 1));
  }
}

const RateRow* RateDeck::match(Direction direction, std::string_view number_digits,
                               Micros at) const {
  const Index& ix = index(direction);
  if (ix.keys.empty() || number_digits.empty()) return nullptr;
  for (char c : number_digits) {
    if (c < '0' || c > '9') return nullptr;
  }
  const std::uint64_t number = pack(number_digits);
  // The greatest prefix <= the number in text order: the longest prefix of the number in the
  // deck is either it or one of its ancestors (everything between a prefix of the number and the
  // number itself starts with that prefix).
  const auto it = std::upper_bound(ix.keys.begin(), ix.keys.end(), number);
  if (it == ix.keys.begin()) return nullptr;
  auto n = static_cast<std::uint32_t>(it - ix.keys.begin() - 1);
  while (n != kNone && (number & mask_of(ix.nodes[n].length)) != ix.keys[n]) {
    n = ix.nodes[n].parent;
  }
  // From the longest matching prefix to shorter ones: the first with a row in force wins.
  for (; n != kNone; n = ix.nodes[n].parent) {
    const Node& node = ix.nodes[n];
    for (std::uint32_t r = node.first_row + node.row_count; r-- > node.first_row;) {
      if (ix.rows[r].effective_from <= at) return &ix.rows[r];
    }
  }
  return nullptr;
}

std::span<const RateRow> RateDeck::rows(Direction direction) const { return index(direction).rows; }

Result<RateDeck> parse_rate_deck_csv(std::string_view text, std::optional<Direction> only) {
  CsvReader reader(text, 1, CsvOptions{.trim_blanks = true});
  CsvRow record;
  if (!reader.next(record)) return row_error(1, "no header row");
  if (!record.error.empty()) return row_error(record.line, csv_problem(record));

  // Header: which column of the file holds which field.
  std::array<int, kColumnCount> position;
  position.fill(-1);
  for (std::size_t i = 0; i < record.cells.size(); ++i) {
    const std::string name = ascii_lower(record.cells[i]);
    const auto known = std::find(kColumnNames.begin(), kColumnNames.end(), name);
    if (known == kColumnNames.end()) {
      return row_error(record.line, "unknown column " + quoted(record.cells[i]) +
                                        " (known: prefix, rate, initial_increment, "
                                        "subsequent_increment, effective_from, direction)");
    }
    const auto column = static_cast<std::size_t>(known - kColumnNames.begin());
    if (position[column] >= 0) return row_error(record.line, "column " + quoted(name) + " twice");
    position[column] = static_cast<int>(i);
  }
  for (std::size_t c = 0; c < kColumnCount; ++c) {
    if (kRequired[c] && position[c] < 0) {
      return row_error(record.line, "missing column " + quoted(kColumnNames[c]));
    }
  }
  const std::size_t width = record.cells.size();

  std::vector<RateRow> rows;
  // (direction, prefix, effective_from) -> line
  std::unordered_map<std::string, std::int64_t> seen;
  while (reader.next(record)) {
    const std::int64_t line = record.line;
    if (!record.error.empty()) return row_error(line, csv_problem(record));
    if (record.cells.size() != width) {
      return row_error(line, "has " + std::to_string(record.cells.size()) +
                                 " fields, the header has " + std::to_string(width));
    }
    auto cell = [&](Column c) -> std::string_view {
      return position[c] < 0 ? std::string_view() : record.cells[position[c]];
    };
    std::string error;
    RateRow row;
    row.prefix = std::string(cell(kPrefix));
    // Only the prefix is set yet (the other fields hold valid defaults), so this checks it.
    if (std::string why = check_row(row); !why.empty()) return row_error(line, why);
    const auto rate = parse_rate(cell(kRate), error);
    if (!rate) return row_error(line, error);
    row.rate = *rate;
    const auto initial = parse_increment("initial_increment", cell(kInitial), error);
    if (!initial) return row_error(line, error);
    row.initial_increment = *initial;
    const auto subsequent = parse_increment("subsequent_increment", cell(kSubsequent), error);
    if (!subsequent) return row_error(line, error);
    row.subsequent_increment = *subsequent;
    const auto from = parse_effective_from(cell(kEffectiveFrom), error);
    if (!from) return row_error(line, error);
    row.effective_from = *from;
    const auto direction = parse_direction_cell(cell(kDirection), only, error);
    if (!direction) return row_error(line, error);
    row.direction = *direction;

    std::string key = std::string(to_string(row.direction)) + ' ' + row.prefix + ' ' +
                      std::to_string(row.effective_from);
    const auto [it, fresh] = seen.emplace(std::move(key), line);
    if (!fresh) {
      return row_error(line, "duplicate of row " + std::to_string(it->second) + " (" +
                                 std::string(to_string(row.direction)) + ", prefix " + row.prefix +
                                 ", effective_from " + describe_time(row.effective_from) + ")");
    }
    rows.push_back(std::move(row));
  }
  return RateDeck::from_rows(std::move(rows));
}

std::string format_rate_deck_csv(std::span<const RateRow> rows) {
  std::string out = "prefix,rate,initial_increment,subsequent_increment,effective_from,direction\n";
  for (const RateRow& r : rows) {
    out += r.prefix;
    out += ',';
    out += r.rate.to_fixed5();
    out += ',';
    out += std::to_string(r.initial_increment);
    out += ',';
    out += std::to_string(r.subsequent_increment);
    out += ',';
    if (r.effective_from != kSinceBeginning) {
      out += format_timestamp(r.effective_from);
      const Micros fraction =
          r.effective_from - floor_div(r.effective_from, kMicrosPerSecond) * kMicrosPerSecond;
      if (fraction != 0) {
        std::string digits = std::to_string(fraction);
        out += '.' + std::string(6 - digits.size(), '0') + digits;
      }
    }
    out += ',';
    out += to_string(r.direction);
    out += '\n';
  }
  return out;
}

}  // namespace cdrd::rating
