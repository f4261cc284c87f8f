// The subcommands of the `cdrd` command. Each returns the process exit code (the table of
// docs/operations.md, "Exit codes"): kExitOk, kExitRefused, kExitError; a command line or
// config file that cannot be parsed gives kExitUsage before any subcommand runs.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "core/time.h"
#include "service/trunks/validators.h"
#include "store/sqlite/stores.h"

namespace CLI {
class App;
}

namespace cdrd::cli {

inline constexpr int kExitOk = 0;       // done
inline constexpr int kExitRefused = 1;  // done, but some input was refused (import)
inline constexpr int kExitError = 2;    // an error stopped the work
inline constexpr int kExitUsage = 2;    // the command line or config file is wrong (as an error)

struct GlobalOptions {
  std::string data_dir = "var";
  // The shared PostgreSQL control plane (docs/scale-out.md); "" keeps it in the sqlite store.
  std::string control;
  std::string control_key_file;   // "" = <data_dir>/control.key
  int control_pool_size = 8;      // connections to it per process
  int control_timeout_ms = 5000;  // per statement and lock wait
};

struct ServeOptions {
  std::string listen = "127.0.0.1";
  int port = 8080;
  std::string port_file;  // written with the bound port once listening (useful with --port 0)
  int threads = 0;        // workers that run requests (0: twice the cores, at least 4)
  int io_threads = 2;     // threads that read and write connections
  std::size_t max_connections = 10'000;
  int max_requests_per_account = 0;  // running at once (0: half the cores)
  bool log_redact_numbers = false;
  int auth_failure_burst = 20;          // failed authentications an address may make in a row
  int auth_failure_refill_seconds = 3;  // ...and one more each this many seconds
  std::string operator_key;
  std::string operator_key_file;
  std::int64_t list_window_days = 30;
  std::int64_t retention_days = 90;
  std::int64_t token_ttl_seconds = 3600;
  std::int64_t auth_cache_ms = 5000;  // how long a signed-in account is trusted without a read
  std::size_t max_body_bytes = std::size_t{32} * 1024 * 1024;
  bool no_access_log = false;
  // Access lines gathered up to this many bytes, written at most access_log_flush_ms after the
  // oldest (0: each at once; so too when standard error is a terminal).
  std::size_t access_log_buffer_bytes = std::size_t{64} * 1024;
  int access_log_flush_ms = 100;
  std::string sip_domain{service::trunks::kDefaultSipDomain};  // trunks: {trunk_id}.zt.{sip_domain}
  int query_budget_ms = SqliteOptions().query_budget_ms;       // per store read; 0 = no limit
  // "": the calls in the sqlite store; "segments": in the segment store beside it
  // (DATA_DIR/calls); clickhouse://...: in ClickHouse
  std::string calls;
};

// Prints "cdrd: <message>" on stderr and returns 2, the exit code of an error that stopped the
// work: `if (!s.ok()) return error_exit(s);`.
int error_exit(const Status& status);

// Opens (creating if needed) the database under the data directory (made or kept 0700);
// prints the error and returns null on failure.
std::unique_ptr<sqlite::Stores> open_store(const GlobalOptions& global, SqliteOptions options = {});

// The calls store a command works on: with `calls` (`--calls`) "segments", the segment store in
// DATA_DIR/calls (docs/architecture.md, "The segment store"); with a clickhouse:// URL, the
// ClickHouse one it names (docs/clickhouse.md); else `local` (the command's own calls store in
// the sqlite database). A store it opens goes into `opened`. A database keeps its calls in one
// store or the other: "segments" is refused when the sqlite calls table holds calls, and the
// sqlite store when DATA_DIR/calls holds segments. Prints the error and returns null on failure.
CallStore* choose_calls(const GlobalOptions& global, const std::string& calls, int query_budget_ms,
                        CallStore& local, std::unique_ptr<CallStore>& opened);

int run_serve(const GlobalOptions& global, const ServeOptions& options);
int run_account_create(const GlobalOptions& global, const std::string& name);
int run_account_list(const GlobalOptions& global);
int run_account_reset_token(const GlobalOptions& global, const std::string& auth_id);
// What `cdrd import --format asterisk-csv|asterisk-custom` adds (docs/switch-asterisk.md).
struct SwitchImportOptions {
  std::string time_zone;  // IANA name ("Europe/Berlin") of Master.csv's local times; "" = UTC
  std::string account;    // when a row's accountcode is empty
  std::string direction;  // inbound or outbound
  std::string trunk_id;
};
// Records that ended more than `retention_days` ago are refused (failed lines), as serve does.
// `calls`: as serve's --calls, "" or "segments" (choose_calls).
int run_import(const GlobalOptions& global, const std::string& file, const std::string& format,
               bool quiet, std::int64_t retention_days, const SwitchImportOptions& switch_options,
               const std::string& calls = "");
int run_demo(const GlobalOptions& global, std::int64_t calls, const std::string& sip_domain);

// The rating subcommands (rating_commands.cpp: ratedeck load|show, account set, rerate,
// rating report), registered on `app` before it parses (after the "account" subcommand).
// run() runs the one that was parsed and returns its exit code; nullopt when none was.
struct RatingCommands {
  std::function<std::optional<int>()> run;
};
RatingCommands add_rating_commands(CLI::App& app, const GlobalOptions& global);

// The OAuth app subcommands (app_commands.cpp: app create|list|revoke), as RatingCommands.
struct AppCommands {
  std::function<std::optional<int>()> run;
};
AppCommands add_app_commands(CLI::App& app, const GlobalOptions& global);

// The secret-key subcommands (key_commands.cpp: key rotate), as RatingCommands.
struct KeyCommands {
  std::function<std::optional<int>()> run;
};
KeyCommands add_key_commands(CLI::App& app, const GlobalOptions& global);

// The usage totals subcommand (usage_command.cpp: usage), as RatingCommands.
struct UsageCommands {
  std::function<std::optional<int>()> run;
};
UsageCommands add_usage_command(CLI::App& app, const GlobalOptions& global);

// The export subcommand (export_command.cpp: export), as RatingCommands.
struct ExportCommands {
  std::function<std::optional<int>()> run;
};
ExportCommands add_export_command(CLI::App& app, const GlobalOptions& global);

// A time option of the CLI: "YYYY-MM-DD" (midnight) or "YYYY-MM-DD HH:MM[:SS]", UTC.
std::optional<Micros> parse_cli_time(const std::string& text);

}  // namespace cdrd::cli
