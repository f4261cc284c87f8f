#include "store/sqlite/call_filter.h"

#include "store/sqlite/enum_codes.h"

namespace cdrd::sqlite {
namespace {

class Builder {
 public:
  // Appends "<fragment>" joined by AND; `fragment` is always a literal of this file.
  void add(std::string_view fragment) {
    if (!f_.where.empty()) f_.where += " AND ";
    f_.where += fragment;
  }
  void value(std::int64_t v) { f_.values.emplace_back(v); }
  void value(std::string v) { f_.values.emplace_back(std::move(v)); }

  void equals(std::string_view fragment, std::int64_t v) {
    add(fragment);
    value(v);
  }

  // [min, max] on an integer column.
  void int_range(const IntRange& r, std::string_view ge, std::string_view le) {
    if (r.empty()) matches_nothing();
    if (r.min) equals(ge, *r.min);
    if (r.max) equals(le, *r.max);
  }
  // [from, until) on a time column.
  void time_range(const TimeRange& r, std::string_view ge, std::string_view lt) {
    if (r.empty()) matches_nothing();
    if (r.from) equals(ge, *r.from);
    if (r.until) equals(lt, *r.until);
  }

  // column IN (?, ?, ...), one parameter per value. `column` is a literal of this file.
  template <class T>
  void in_list(std::string_view column, const std::vector<T>& values) {
    if (values.empty()) return;
    std::string frag(column);
    frag += " IN (?";
    for (std::size_t i = 1; i < values.size(); ++i) frag += ", ?";
    frag += ")";
    add(frag);
    for (const T& v : values) value(v);
  }

  // Stored numbers that begin with "+digits" or with "digits", as two index ranges.
  void number_prefix(std::string_view column, const NumberPrefix& p) {
    std::string_view digits = p.digits;
    if (!digits.empty() && digits.front() == '+') digits.remove_prefix(1);  // be lenient
    std::string plus = "+" + std::string(digits);
    std::optional<std::string> plus_end = prefix_successor(plus);  // always exists
    if (digits.empty()) {
      // "+" alone: every number written with a plus (the contract says never empty, though).
      add(range_fragment(column, plus_end.has_value()));
      value(std::move(plus));
      if (plus_end) value(std::move(*plus_end));
      return;
    }
    // A range over the number without its '+', so "91" finds "+91..." and "91..." alike.
    std::string bare(digits);
    std::optional<std::string> bare_end = prefix_successor(bare);
    add(range_fragment(column == "to_number" ? "ltrim(to_number, '+')" : "ltrim(from_number, '+')",
                       bare_end.has_value()));
    value(std::move(bare));
    if (bare_end) value(std::move(*bare_end));
  }

  void matches_nothing() { f_.matches_nothing = true; }
  CallFilter take() { return std::move(f_); }

 private:
  static std::string range_fragment(std::string_view column, bool bounded) {
    std::string s = "(";
    s += column;
    s += " >= ?";
    if (bounded) {
      s += " AND ";
      s += column;
      s += " < ?";
    }
    s += ")";
    return s;
  }
  CallFilter f_;
};

}  // namespace

std::optional<std::string> prefix_successor(std::string_view prefix) {
  std::string s(prefix);
  // Drop trailing 0xFF bytes (no byte follows them), then bump the last remaining byte.
  while (!s.empty() && static_cast<unsigned char>(s.back()) == 0xFF) s.pop_back();
  if (s.empty()) return std::nullopt;
  s.back() = static_cast<char>(static_cast<unsigned char>(s.back()) + 1);
  return s;
}

std::optional<std::int64_t> flow_direction_code(std::string_view flow) {
  if (flow == "in") return enum_code(Direction::kInbound);
  if (flow == "out") return enum_code(Direction::kOutbound);
  return std::nullopt;
}

CallFilter build_call_filter(const CallQuery& q, bool all_accounts) {
  Builder b;
  if (!all_accounts) b.equals("account_id = ?", q.account_id);
  if (q.direction) b.equals("direction = ?", enum_code(*q.direction));
  if (q.from_number) b.number_prefix("from_number", *q.from_number);
  if (q.to_number) b.number_prefix("to_number", *q.to_number);
  if (q.trunk_id) {
    b.add("trunk_id = ?");
    b.value(*q.trunk_id);
  }
  if (q.hangup_cause_code) b.equals("hangup_cause_code = ?", *q.hangup_cause_code);
  if (q.hangup_source) {
    b.equals("hangup_source = ?", enum_code(*q.hangup_source));
  }
  if (q.stir_verification) {
    b.equals("stir_verification = ?", enum_code(*q.stir_verification));
  }
  b.int_range(q.bill_duration, "bill_duration_s >= ?", "bill_duration_s <= ?");
  b.int_range(q.duration, "duration_s >= ?", "duration_s <= ?");
  b.time_range(q.end_time, "end_time >= ?", "end_time < ?");
  b.time_range(q.initiation_time, "initiation_time >= ?", "initiation_time < ?");

  b.in_list("from_username", q.from_usernames);
  b.in_list("to_username", q.to_usernames);
  b.in_list("bridged_username", q.bridged_usernames);
  b.in_list("did_number", q.did_numbers);
  if (!q.flows.empty()) {
    // A call's flow is its direction (in = inbound, out = outbound). Any other value (e.g.
    // "transfer", which a call record cannot carry) matches no call.
    std::vector<std::int64_t> codes;
    for (const std::string& f : q.flows) {
      if (std::optional<std::int64_t> c = flow_direction_code(f)) codes.push_back(*c);
    }
    if (codes.empty()) {
      b.add("0");  // keep the clause honest even if a caller runs it anyway
      b.matches_nothing();
    } else {
      b.in_list("direction", codes);
    }
  }
  b.in_list("extension_id", q.extension_ids);
  b.int_range(q.bridged_duration, "bridged_duration_s >= ?", "bridged_duration_s <= ?");
  return b.take();
}

}  // namespace cdrd::sqlite
