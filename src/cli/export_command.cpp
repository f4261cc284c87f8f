// The export subcommand of `cdrd` (docs/operations.md, "cdrd export"):
//   cdrd export --account AUTH_ID [--format ndjson|csv] [--since T] [--until T] FILE
// writes the account's calls that ended in [--since, --until) to FILE, in the order they were
// stored, as NDJSON or CSV records of the ingest format's SIP-trunk fields (docs/ingest.md), so
// that `cdrd import` takes the file back. It pages through the calls by storage id (the change
// feed's store method, CallStore::calls_stored_after), 10,000 at a time, so its memory does not
// grow with the number of calls; the file is written through one buffer and renamed into place
// only when complete. It reads the database directly (a running server may keep writing).
#include <CLI/CLI.hpp>

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

#include "cli/backends.h"
#include "cli/commands.h"
#include "core/json_writer.h"

namespace cdrd::cli {
namespace {

constexpr int kPageCalls = 10'000;

struct ExportOptions {
  std::string account;
  std::string format = "ndjson";
  std::string since, until;
  std::string file;
  std::string calls;  // --calls: the calls in ClickHouse
};

// The exported fields, in file order: ingest names (docs/ingest.md, "SIP-trunk fields").
constexpr const char* kFields[] = {"account",
                                   "call_uuid",
                                   "call_direction",
                                   "from_number",
                                   "to_number",
                                   "initiation_time",
                                   "answer_time",
                                   "end_time",
                                   "duration",
                                   "bill_duration",
                                   "hangup_cause_code",
                                   "hangup_cause_name",
                                   "hangup_source",
                                   "trunk_id",
                                   "trunk_domain",
                                   "region",
                                   "transport_protocol",
                                   "srtp",
                                   "secure_trunking",
                                   "rate",
                                   "secure_trunking_rate",
                                   "total_amount",
                                   "from_country",
                                   "to_country",
                                   "stir_verification",
                                   "attestation_indicator",
                                   "call_id",
                                   "cnam_lookup",
                                   "cnam_lookup_rate"};

// A time as ingest reads it back exactly: whole seconds, then the microseconds when not zero.
std::string exact_time(Micros t) {
  std::string s = format_timestamp(t);
  const Micros frac = ((t % kMicrosPerSecond) + kMicrosPerSecond) % kMicrosPerSecond;
  if (frac != 0) {
    char buf[8];
    std::snprintf(buf, sizeof buf, ".%06lld", static_cast<long long>(frac));
    s += buf;
  }
  return s;
}

// One call's values in kFields order; nullopt for an absent value (JSON null, empty CSV cell).
std::vector<std::optional<std::string>> values_of(const CallRecord& c, const std::string& auth_id) {
  const auto opt_int = [](const std::optional<int>& v) -> std::optional<std::string> {
    if (!v) return std::nullopt;
    return std::to_string(*v);
  };
  const auto flag = [](bool b) { return std::string(b ? "true" : "false"); };
  std::optional<std::string> attestation;
  if (c.attestation != Attestation::kNone) attestation = std::string(to_string(c.attestation));
  return {auth_id,
          c.call_uuid,
          std::string(to_string(c.direction)),
          c.from_number,
          c.to_number,
          exact_time(c.initiation_time),
          c.answer_time ? std::optional(exact_time(*c.answer_time)) : std::nullopt,
          exact_time(c.end_time),
          std::to_string(c.duration_s),
          std::to_string(c.bill_duration_s),
          opt_int(c.hangup_cause_code),
          c.hangup_cause_name,
          std::string(to_string(c.hangup_source)),
          c.trunk_id,
          c.trunk_domain,
          c.region,
          std::string(to_string(c.transport)),
          flag(c.srtp),
          flag(c.secure_trunking),
          c.rate.to_fixed5(),
          c.secure_trunking_rate.to_fixed5(),
          c.total_amount.to_fixed5(),
          c.from_country,
          c.to_country,
          std::string(to_string(c.stir_verification)),
          attestation,
          c.sip_call_id,
          flag(c.cnam_lookup),
          c.cnam_lookup_rate.to_fixed5()};
}

// RFC 4180: a cell with a comma, a quote or a line break is quoted, its quotes doubled.
void append_csv_cell(std::string& out, std::string_view v) {
  if (v.find_first_of(",\"\r\n") == std::string_view::npos) {
    out += v;
    return;
  }
  out += '"';
  for (char ch : v) {
    if (ch == '"') out += '"';
    out += ch;
  }
  out += '"';
}

// Fields whose ingest form is a number or a boolean: JSON numbers and booleans in NDJSON.
bool is_bare_json(std::size_t field) {
  const std::string_view name = kFields[field];
  return name == "duration" || name == "bill_duration" || name == "hangup_cause_code" ||
         name == "srtp" || name == "secure_trunking" || name == "cnam_lookup";
}

void append_line(std::string& out, const std::vector<std::optional<std::string>>& values, bool csv,
                 JsonWriter& w) {
  if (csv) {
    for (std::size_t i = 0; i < values.size(); ++i) {
      if (i > 0) out += ',';
      if (values[i]) append_csv_cell(out, *values[i]);
    }
    out += '\n';
    return;
  }
  w.clear();
  w.start_object();
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (!values[i]) continue;  // absent: left out, as ingest's default
    if (is_bare_json(i)) {
      const std::string& v = *values[i];
      if (v == "true" || v == "false") {
        w.bool_member(kFields[i], v == "true");
      } else {
        w.int_member(kFields[i], std::stoll(v));
      }
    } else {
      w.string_member(kFields[i], *values[i]);
    }
  }
  w.end_object();
  out += w.view();
  out += '\n';
}

int run_export(const GlobalOptions& global, const ExportOptions& o) {
  const bool csv = o.format == "csv";
  if (!csv && o.format != "ndjson") {
    std::cerr << "cdrd: --format: must be ndjson or csv, got '" << o.format << "'\n";
    return kExitError;
  }
  Micros since = std::numeric_limits<Micros>::min();
  std::optional<Micros> until;
  if (!o.since.empty()) {
    const std::optional<Micros> t = parse_cli_time(o.since);
    if (!t) {
      std::cerr << "cdrd: --since: '" << o.since
                << "' is not a UTC time YYYY-MM-DD or YYYY-MM-DD HH:MM[:SS]\n";
      return kExitError;
    }
    since = *t;
  }
  if (!o.until.empty()) {
    until = parse_cli_time(o.until);
    if (!until) {
      std::cerr << "cdrd: --until: '" << o.until
                << "' is not a UTC time YYYY-MM-DD or YYYY-MM-DD HH:MM[:SS]\n";
      return kExitError;
    }
    if (*until <= since) {
      std::cerr << "cdrd: --until must be later than --since\n";
      return kExitError;
    }
  }
  SqliteOptions options;
  options.query_budget_ms = 0;  // an operator's own question: no limit
  const std::unique_ptr<Backends> store = open_backends(global, options);
  if (!store) return kExitError;
  const Result<std::optional<Account>> account =
      store->accounts->find_account_by_auth_id(o.account);
  if (!account.ok()) return error_exit(account.status());
  if (!account->has_value()) {
    std::cerr << "cdrd: --account: no account with auth_id '" << o.account << "'\n";
    return kExitError;
  }
  std::unique_ptr<CallStore> clickhouse;
  CallStore* calls = choose_calls(o.calls, 0, *store->calls, clickhouse);
  if (calls == nullptr) return kExitError;
  const std::string partial = o.file + ".partial";
  std::ofstream out(partial, std::ios::binary | std::ios::trunc);
  if (!out) {
    std::cerr << "cdrd: cannot write " << partial << "\n";
    return kExitError;
  }
  const auto started = std::chrono::steady_clock::now();
  std::string buffer;
  JsonWriter w;
  if (csv) {
    for (std::size_t i = 0; i < std::size(kFields); ++i) {
      if (i > 0) buffer += ',';
      buffer += kFields[i];
    }
    buffer += '\n';
  }
  std::int64_t after = 0, written = 0;
  for (;;) {
    Result<std::vector<StoredCall>> page =
        calls->calls_stored_after((*account)->id, after, since, kPageCalls);
    if (!page.ok()) {
      std::filesystem::remove(partial);
      return error_exit(page.status());
    }
    for (const StoredCall& c : *page) {
      if (until && c.call.end_time >= *until) continue;
      append_line(buffer, values_of(c.call, (*account)->auth_id), csv, w);
      ++written;
    }
    out.write(buffer.data(), static_cast<std::streamsize>(buffer.size()));
    buffer.clear();
    if (page->size() < static_cast<std::size_t>(kPageCalls)) break;
    after = page->back().id;
  }
  out.close();
  if (!out) {
    std::filesystem::remove(partial);
    std::cerr << "cdrd: cannot write " << partial << "\n";
    return kExitError;
  }
  std::error_code ec;
  std::filesystem::rename(partial, o.file, ec);
  if (ec) {
    std::cerr << "cdrd: cannot rename " << partial << " to " << o.file << ": " << ec.message()
              << "\n";
    return kExitError;
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  char rate[64];
  std::snprintf(rate, sizeof rate, "%.2f s", seconds);
  std::cerr << "exported " << written << " calls to " << o.file << " in " << rate << "\n";
  return kExitOk;
}

}  // namespace

ExportCommands add_export_command(CLI::App& app, const GlobalOptions& global) {
  auto o = std::make_shared<ExportOptions>();
  auto* cmd = app.add_subcommand(
      "export", "write an account's calls to a file as NDJSON or CSV (the ingest format)");
  cmd->add_option("--account", o->account, "the account's auth_id")->required();
  cmd->add_option("--format", o->format, "ndjson or csv (default ndjson)");
  cmd->add_option("--since", o->since, "calls that ended at or after (UTC, YYYY-MM-DD[ HH:MM:SS])");
  cmd->add_option("--until", o->until, "calls that ended before (UTC; default: no limit)");
  cmd->add_option("file", o->file, "the file to write (replaced when complete)")->required();
  cmd->add_option("--calls", o->calls,
                  "the calls in ClickHouse, as serve --calls (clickhouse://HOST:PORT/DATABASE)");
  ExportCommands out;
  out.run = [=, &global]() -> std::optional<int> {
    if (cmd->parsed()) return run_export(global, *o);
    return std::nullopt;
  };
  return out;
}

}  // namespace cdrd::cli
