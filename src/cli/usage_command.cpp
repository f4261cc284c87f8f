// The usage subcommand of `cdrd` (docs/api-usage.md, "From the command line"):
//   cdrd usage --account AUTH_ID --since T [--until T] [--period hour|day|month]
//              [--group-by direction|to_country|trunk_id|hangup_source]
// prints the same totals as GET /v1/Account/{auth_id}/Zentrunk/Usage/ for calls that ended in
// [--since, --until), as an aligned table with a total line. It reads the database directly
// (a running server's writes are visible: SQLite in WAL mode).
#include <CLI/CLI.hpp>

#include <iostream>
#include <memory>
#include <vector>

#include "cli/backends.h"
#include "cli/commands.h"
#include "core/usage.h"

namespace cdrd::cli {
namespace {

// As the API: at most this many rows, more is refused with a hint.
constexpr int kMaxRows = 10'000;

struct UsageOptions {
  std::string account;
  std::string period = "day";
  std::string group_by;
  std::string since, until;
  int query_budget_ms = 0;  // an operator's own question: no limit unless asked
  std::string calls;        // --calls: segments, or the calls in ClickHouse
};

// The figures of one line, as the API shows them ("-" where the API shows null).
void add_figures(std::vector<std::string>& line, const UsageTotals& t) {
  line.push_back(std::to_string(t.calls));
  line.push_back(std::to_string(t.answered_calls));
  line.push_back(usage_asr(t).value_or("-"));
  line.push_back(usage_acd(t).value_or("-"));
  line.push_back(std::to_string(t.bill_duration_s));
  line.push_back(usage_billed_minutes(t));
  line.push_back(t.total_amount.to_fixed5());
}

// Columns separated by two spaces; text columns (the first `text_columns`) left-aligned,
// figures right-aligned.
void print_table(const std::vector<std::vector<std::string>>& lines, std::size_t text_columns) {
  std::vector<std::size_t> width;
  for (const auto& line : lines) {
    width.resize(std::max(width.size(), line.size()), 0);
    for (std::size_t i = 0; i < line.size(); ++i) width[i] = std::max(width[i], line[i].size());
  }
  for (const auto& line : lines) {
    std::string out;
    for (std::size_t i = 0; i < line.size(); ++i) {
      const std::string pad(width[i] - line[i].size(), ' ');
      if (i > 0) out += "  ";
      out += i < text_columns ? line[i] + (i + 1 == line.size() ? "" : pad) : pad + line[i];
    }
    std::cout << out << "\n";
  }
}

int run_usage(const GlobalOptions& global, const UsageOptions& o) {
  UsageQuery q;
  q.max_rows = kMaxRows;
  const std::optional<UsagePeriod> period = parse_usage_period(o.period);
  if (!period) {
    std::cerr << "cdrd: --period: must be hour, day or month, got '" << o.period << "'\n";
    return kExitError;
  }
  q.period = *period;
  if (!o.group_by.empty()) {
    q.group_by = parse_usage_group(o.group_by);
    if (!q.group_by) {
      std::cerr << "cdrd: --group-by: must be direction, to_country, trunk_id or hangup_source, "
                   "got '"
                << o.group_by << "'\n";
      return kExitError;
    }
  }
  for (const auto& [flag, text, bound] :
       {std::tuple{"--since", &o.since, &q.filter.end_time.from},
        std::tuple{"--until", &o.until, &q.filter.end_time.until}}) {
    if (text->empty()) continue;
    *bound = parse_cli_time(*text);
    if (!*bound) {
      std::cerr << "cdrd: " << flag << ": '" << *text
                << "' is not a UTC time YYYY-MM-DD or YYYY-MM-DD HH:MM[:SS]\n";
      return kExitError;
    }
  }
  if (q.filter.end_time.empty()) {
    std::cerr << "cdrd: --until must be later than --since\n";
    return kExitError;
  }
  SqliteOptions options;
  options.query_budget_ms = o.query_budget_ms;
  const std::unique_ptr<Backends> store = open_backends(global, options);
  if (!store) return kExitError;
  const Result<std::optional<Account>> account =
      store->accounts->find_account_by_auth_id(o.account);
  if (!account.ok()) return error_exit(account.status());
  if (!account->has_value()) {
    std::cerr << "cdrd: --account: no account with auth_id '" << o.account << "'\n";
    return kExitError;
  }
  q.filter.account_id = (*account)->id;
  std::unique_ptr<CallStore> clickhouse;
  CallStore* calls = choose_calls(global, o.calls, o.query_budget_ms, *store->calls, clickhouse);
  if (calls == nullptr) return kExitError;
  const Result<UsageAnswer> answer = calls->usage(q);
  if (!answer.ok()) return error_exit(answer.status());
  if (answer->more) {
    std::cerr << "cdrd: more than " << kMaxRows
              << " rows (one per period and group); give a narrower --since/--until window, a "
                 "longer --period or no --group-by\n";
    return kExitError;
  }

  std::vector<std::vector<std::string>> lines;
  std::vector<std::string> head = {"period_start"};
  if (q.group_by) head.emplace_back(to_string(*q.group_by));
  for (const char* name : {"calls", "answered_calls", "asr", "acd", "bill_duration",
                           "billed_minutes", "total_amount"}) {
    head.emplace_back(name);
  }
  lines.push_back(head);
  UsageTotals total;
  for (const UsageRow& row : answer->rows) {
    std::vector<std::string> line = {format_timestamp(row.period_start)};
    if (q.group_by) line.push_back(row.group.empty() ? "\"\"" : row.group);
    add_figures(line, row.totals);
    lines.push_back(std::move(line));
    if (!total.add(row.totals)) {
      std::cerr << "cdrd: the totals leave the exact integer range; give a narrower window\n";
      return kExitError;
    }
  }
  std::vector<std::string> last = {"total"};
  if (q.group_by) last.emplace_back("");
  add_figures(last, total);
  lines.push_back(std::move(last));
  print_table(lines, q.group_by ? 2 : 1);
  return kExitOk;
}

}  // namespace

UsageCommands add_usage_command(CLI::App& app, const GlobalOptions& global) {
  auto o = std::make_shared<UsageOptions>();
  auto* cmd = app.add_subcommand(
      "usage", "print an account's usage totals per UTC period (as the Usage API)");
  cmd->add_option("--account", o->account, "the account's auth_id")->required();
  cmd->add_option("--period", o->period, "hour, day or month (default day)");
  cmd->add_option("--group-by", o->group_by,
                  "direction, to_country, trunk_id or hangup_source (default: none)");
  cmd->add_option("--since", o->since, "calls that ended at or after (UTC, YYYY-MM-DD[ HH:MM:SS])")
      ->required();
  cmd->add_option("--until", o->until, "calls that ended before (UTC; default: no limit)");
  cmd->add_option("--query-budget-ms", o->query_budget_ms,
                  "stop the query after this many ms (default 0: no limit)")
      ->check(CLI::NonNegativeNumber);
  cmd->add_option("--calls", o->calls,
                  "where the calls are, as serve --calls: segments (DATA_DIR/calls) or "
                  "clickhouse://HOST:PORT/DATABASE (default: the sqlite database)");
  UsageCommands out;
  out.run = [=, &global]() -> std::optional<int> {
    if (cmd->parsed()) return run_usage(global, *o);
    return std::nullopt;
  };
  return out;
}

}  // namespace cdrd::cli
