// The export subcommand of `cdrd` (docs/export.md, docs/operations.md "cdrd export"):
//   cdrd export [--account AUTH_ID] [--format ndjson|csv] [--since T] [--until T]
//               [--filter NAME=VALUE]... FILE
// writes the calls that match to FILE ("-": standard output), in the order they were stored, as
// NDJSON or CSV records of the ingest format's SIP-trunk fields (docs/ingest.md), so that
// `cdrd import` takes the file back. Without --account, every account's calls. --filter takes
// every filter of the SIP-trunk Call list, parsed by the list's own parser
// (api/zentrunk/calls.h); --since and --until bound end_time as before. The calls come from the
// store piece by piece (service/export/call_exporter.h, by --threads readers side by side), so
// memory does not grow with their number; a file is written through large writes and renamed into
// place only when complete. It reads the database directly (a running server may keep writing).
#include <CLI/CLI.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "api/zentrunk/calls.h"
#include "cli/backends.h"
#include "cli/commands.h"
#include "core/call_export.h"
#include "core/clock.h"
#include "service/export/call_exporter.h"

namespace cdrd::cli {
namespace {

// The list's window and retention play no part in an operator's export: every stored call
// counts unless a filter says otherwise (days that keep `now - days` far inside int64).
constexpr std::int64_t kNoWindowDays = 1'000'000;

struct ExportOptions {
  std::string account;
  std::string format = "ndjson";
  std::string since, until;
  std::vector<std::string> filters;
  int threads = 2;
  std::string file;
  std::string calls;  // --calls: segments, or the calls in ClickHouse
};

// The --filter values as the list's query parameters, or an error naming the bad one.
Result<http::Params> filter_params(const std::vector<std::string>& filters) {
  http::Params params;
  for (const std::string& f : filters) {
    const std::size_t eq = f.find('=');
    if (eq == std::string::npos || eq == 0) {
      return Status::Invalid(
          "--filter: expected NAME=VALUE (a filter of the Call list, e.g. "
          "call_direction=inbound), got '" +
          f + "'");
    }
    params.emplace_back(f.substr(0, eq), f.substr(eq + 1));
  }
  return params;
}

// Parses the options into the export's question; prints the refusal and returns nullopt.
std::optional<ExportQuery> export_query(const ExportOptions& o) {
  const Result<http::Params> params = filter_params(o.filters);
  if (!params.ok()) {
    std::cerr << "cdrd: " << params.status().message() << "\n";
    return std::nullopt;
  }
  api::ApiSettings settings;
  settings.list_window_days = kNoWindowDays;
  settings.retention_days = kNoWindowDays;
  const Micros now = system_now();
  Result<CallQuery> filter = api::zentrunk::parse_call_filter_query(*params, 0, now, settings, "");
  if (!filter.ok()) {
    std::cerr << "cdrd: --filter " << filter.status().message() << "\n";
    return std::nullopt;
  }
  ExportQuery q;
  q.filter = std::move(*filter);
  for (const auto& [flag, text] :
       {std::pair{"--since", &o.since}, std::pair{"--until", &o.until}}) {
    if (text->empty()) continue;
    const std::optional<Micros> t = parse_cli_time(*text);
    if (!t) {
      std::cerr << "cdrd: " << flag << ": '" << *text
                << "' is not a UTC time YYYY-MM-DD or YYYY-MM-DD HH:MM[:SS]\n";
      return std::nullopt;
    }
    TimeRange& r = q.filter.end_time;
    if (std::string_view(flag) == "--since") {
      r.from = std::max(r.from.value_or(*t), *t);
    } else {
      r.until = std::min(r.until.value_or(*t), *t);
    }
  }
  if (!o.since.empty() && !o.until.empty() &&
      *parse_cli_time(o.until) <= *parse_cli_time(o.since)) {
    std::cerr << "cdrd: --until must be later than --since\n";
    return std::nullopt;
  }
  return q;
}

int run_export(const GlobalOptions& global, const ExportOptions& o) {
  const std::optional<ExportFormat> format = parse_export_format(o.format);
  if (!format) {
    std::cerr << "cdrd: --format: must be ndjson or csv, got '" << o.format << "'\n";
    return kExitError;
  }
  std::optional<ExportQuery> query = export_query(o);
  if (!query) return kExitError;
  SqliteOptions options;
  options.query_budget_ms = 0;  // an operator's own question: no limit
  const std::unique_ptr<Backends> store = open_backends(global, options);
  if (!store) return kExitError;
  std::unique_ptr<CallStore> clickhouse;
  CallStore* calls = choose_calls(global, o.calls, 0, *store->calls, clickhouse);
  if (calls == nullptr) return kExitError;
  if (o.account.empty()) {
    query->all_accounts = true;
  } else {
    const Result<std::optional<Account>> account =
        store->accounts->find_account_by_auth_id(o.account);
    if (!account.ok()) return error_exit(account.status());
    if (!account->has_value()) {
      std::cerr << "cdrd: --account: no account with auth_id '" << o.account << "'\n";
      return kExitError;
    }
    query->filter.account_id = (*account)->id;
  }

  const bool to_stdout = o.file == "-";
  const std::string partial = o.file + ".partial";
  std::ofstream file;
  if (!to_stdout) {
    file.open(partial, std::ios::binary | std::ios::trunc);
    if (!file) {
      std::cerr << "cdrd: cannot write " << partial << "\n";
      return kExitError;
    }
  }
  std::ostream& out = to_stdout ? std::cout : file;
  const auto fail = [&](const Status& s) {
    if (!to_stdout) std::filesystem::remove(partial);
    return error_exit(s);
  };

  const auto started = std::chrono::steady_clock::now();
  const Result<std::int64_t> written = service::export_to(
      *calls, *store->accounts, *query, *format, o.threads, [&](std::string_view piece) {
        out.write(piece.data(), static_cast<std::streamsize>(piece.size()));
        if (!out) return Status::IOError("cannot write " + (to_stdout ? "stdout" : partial));
        return Status::Ok();
      });
  if (!written.ok()) return fail(written.status());
  out.flush();
  if (!to_stdout) {
    file.close();
    if (!file) return fail(Status::IOError("cannot write " + partial));
    std::error_code ec;
    std::filesystem::rename(partial, o.file, ec);
    if (ec) {
      std::cerr << "cdrd: cannot rename " << partial << " to " << o.file << ": " << ec.message()
                << "\n";
      return kExitError;
    }
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  char rate[64];
  std::snprintf(rate, sizeof rate, "%.2f s", seconds);
  std::cerr << "exported " << *written << " calls to " << (to_stdout ? "stdout" : o.file) << " in "
            << rate << "\n";
  return kExitOk;
}

}  // namespace

ExportCommands add_export_command(CLI::App& app, const GlobalOptions& global) {
  auto o = std::make_shared<ExportOptions>();
  auto* cmd = app.add_subcommand(
      "export",
      "write calls to a file as NDJSON or CSV (the ingest format), with the filters of "
      "the Call list");
  cmd->add_option("--account", o->account, "the account's auth_id (default: every account)");
  cmd->add_option("--format", o->format, "ndjson or csv (default ndjson)");
  cmd->add_option("--since", o->since, "calls that ended at or after (UTC, YYYY-MM-DD[ HH:MM:SS])");
  cmd->add_option("--until", o->until, "calls that ended before (UTC; default: no limit)");
  cmd->add_option("--filter", o->filters,
                  "NAME=VALUE, a filter of the Call list (repeatable), e.g. "
                  "call_direction=inbound, to_number=+4420, bill_duration__gt=60");
  cmd->add_option("--threads", o->threads,
                  "threads that read and format side by side (default 2; the file is the same)")
      ->check(CLI::Range(1, 16));
  cmd->add_option("file", o->file, "the file to write (replaced when complete), or - for stdout")
      ->required();
  cmd->add_option("--calls", o->calls,
                  "where the calls are, as serve --calls: segments (DATA_DIR/calls) or "
                  "clickhouse://HOST:PORT/DATABASE (default: the sqlite database)");
  ExportCommands out;
  out.run = [=, &global]() -> std::optional<int> {
    if (cmd->parsed()) return run_export(global, *o);
    return std::nullopt;
  };
  return out;
}

}  // namespace cdrd::cli
