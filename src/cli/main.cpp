// cdrd: the call-detail-record service. `cdrd --help` lists the subcommands; docs/operations.md
// describes each with its options and exit codes.
#include <CLI/CLI.hpp>
#include <csignal>
#include <iostream>

#include "cli/build_info.h"
#include "cli/commands.h"

namespace {

// The config file named by --config (empty when none was given).
std::string config_file_of(CLI::App& app) {
  const CLI::Option* config = app.get_config_ptr();
  if (config == nullptr || config->results().empty()) return "";
  return config->results().back();
}

// "account.create" (a config section) -> "account create" (the command line).
std::string subcommand_words(std::string section) {
  for (char& c : section) {
    if (c == '.') c = ' ';
  }
  return section;
}

// CLI11's errors, in the project's words and with its exit codes (docs/operations.md, "Exit
// codes"): --help and --version print and give 0; every mistake in the command line or the
// config file prints "cdrd: <what is wrong>" and gives kExitUsage, never CLI11's own codes.
int parse_error_exit(CLI::App& app, const CLI::ParseError& e) {
  if (e.get_exit_code() == 0) return app.exit(e);  // --help, --help-all, --version
  std::string message = e.what();
  if (dynamic_cast<const CLI::ConfigError*>(&e) != nullptr) {
    // CLI11 says "INI was not able to parse serve.bogus" for a key no option has.
    static constexpr std::string_view kExtras = "INI was not able to parse ";
    const std::string file = config_file_of(app);
    if (message.starts_with(kExtras)) {
      const std::string key = message.substr(kExtras.size());
      const auto dot = key.rfind('.');
      message = "config file " + file + ": unknown key '" +
                (dot == std::string::npos ? key : key.substr(dot + 1)) + "'" +
                (dot == std::string::npos
                     ? " (outside a section only data-dir; a subcommand's options go in its "
                       "section, e.g. [serve] with port = 9090)"
                     : " in section [" + key.substr(0, dot) +
                           "] (the keys are the long option names of that subcommand: cdrd " +
                           subcommand_words(key.substr(0, dot)) + " --help)");
    } else {
      message = "config file " + file + ": " + message;
    }
  }
  std::cerr << "cdrd: " << message << "\nRun 'cdrd --help' for the usage.\n";
  return cdrd::cli::kExitUsage;
}

}  // namespace

int main(int argc, char** argv) {
  // Past a file-size limit (ulimit -f) a write fails with EFBIG, which the store reports,
  // instead of SIGXFSZ ending the process.
  std::signal(SIGXFSZ, SIG_IGN);
  using namespace cdrd::cli;
  CLI::App app{"cdrd: takes in call-detail records, rates them, keeps them, serves them"};
  app.set_config("--config", "",
                 "read options from an INI/TOML file (keys: the long option names)");
  // A key no option has is an error, not ignored (set before the subcommands, which inherit it).
  app.allow_config_extras(CLI::config_extras_mode::error);
  app.set_version_flag("--version", version_text(), "print the version and build, then exit");
  app.require_subcommand(1);
  GlobalOptions global;
  app.add_option("--data-dir", global.data_dir, "directory of the database (default: var)")
      ->envname("CDRD_DATA_DIR");
  app.add_option("--control", global.control,
                 "keep accounts, rate decks, OAuth apps and trunks in this shared PostgreSQL "
                 "database (postgresql://user@host:port/dbname; docs/scale-out.md)")
      ->envname("CDRD_CONTROL");
  app.add_option("--control-key-file", global.control_key_file,
                 "the key that seals secrets in the control database, the same file on every "
                 "node (default: DATA_DIR/control.key)")
      ->envname("CDRD_CONTROL_KEY_FILE");
  app.add_option("--control-pool-size", global.control_pool_size,
                 "connections to the control database per process (default 8)")
      ->check(CLI::Range(1, 1000));
  app.add_option("--control-timeout-ms", global.control_timeout_ms,
                 "time limit of each control-database statement and lock wait (default 5000)")
      ->check(CLI::Range(100, 600'000));

  // One add_option per flag: CLI11's own form of an options table, so the lines look alike.
  ServeOptions serve;
  auto* serve_cmd = app.add_subcommand("serve", "start the HTTP API");
  serve_cmd->add_option("--listen", serve.listen, "address to listen on (default 127.0.0.1)");
  serve_cmd->add_option("--port", serve.port, "port (default 8080; 0 = any free port)")
      ->check(CLI::Range(0, 65535));
  serve_cmd->add_option("--port-file", serve.port_file, "write the bound port to this file");
  serve_cmd
      ->add_option("--threads", serve.threads,
                   "worker threads that run requests (default 0: twice the cores, at least 4)")
      ->check(CLI::Range(0, 256));
  serve_cmd
      ->add_option("--io-threads", serve.io_threads,
                   "threads that read and write connections (default 2)")
      ->check(CLI::Range(1, 64));
  serve_cmd
      ->add_option("--max-connections", serve.max_connections,
                   "open connections at most (default 10000; 0: no cap)")
      ->check(CLI::Range(0, 1'000'000));
  serve_cmd
      ->add_option(
          "--max-requests-per-account", serve.max_requests_per_account,
          "requests of one account running at once (default 0: half the cores, at least 1)")
      ->check(CLI::Range(0, 256));
  serve_cmd
      ->add_option("--auth-failure-burst", serve.auth_failure_burst,
                   "failed authentications one address may make in a row before 429 "
                   "(default 20; 0: no throttling)")
      ->check(CLI::Range(0, 1'000'000));
  serve_cmd
      ->add_option("--auth-failure-refill-seconds", serve.auth_failure_refill_seconds,
                   "one more failed authentication allowed per this many seconds (default 3)")
      ->check(CLI::Range(1, 86'400));
  serve_cmd->add_flag("--log-redact-numbers", serve.log_redact_numbers,
                      "mask the digits of phone numbers and usernames in logged query strings");
  serve_cmd
      ->add_option("--operator-key", serve.operator_key,
                   "key for POST /v1/ingest/calls (Authorization: Bearer KEY)")
      ->envname("CDRD_OPERATOR_KEY");
  serve_cmd->add_option("--operator-key-file", serve.operator_key_file,
                        "read the operator key from this file");
  serve_cmd
      ->add_option("--list-window-days", serve.list_window_days,
                   "days a call list covers without an end_time filter (default 30)")
      ->check(CLI::Range(1, 3660));
  serve_cmd
      ->add_option("--retention-days", serve.retention_days,
                   "calls that ended longer ago are not served (default 90)")
      ->check(CLI::Range(1, 36600));
  serve_cmd
      ->add_option("--token-ttl-seconds", serve.token_ttl_seconds,
                   "lifetime of the cloud-PBX API's OAuth access tokens (default 3600)")
      ->check(CLI::Range(1, 31'536'000));
  serve_cmd
      ->add_option("--auth-cache-ms", serve.auth_cache_ms,
                   "how long a signed-in account is trusted before it is read again: the bound "
                   "on a token reset reaching this node (default 5000; 0 = every request)")
      ->check(CLI::Range(0, 3'600'000));
  serve_cmd
      ->add_option("--max-body-bytes", serve.max_body_bytes,
                   "largest request body accepted (default 33554432)")
      ->check(CLI::Range(1024, 1 << 30));
  serve_cmd
      ->add_option("--query-budget-ms", serve.query_budget_ms,
                   "time one store read may take before it answers 503 (default 2000; 0 = none)")
      ->check(CLI::Range(0, 3'600'000));
  serve_cmd->add_flag("--no-access-log", serve.no_access_log, "do not log each request");
  serve_cmd
      ->add_option("--access-log-buffer", serve.access_log_buffer_bytes,
                   "access lines gathered in memory up to this many bytes before a write "
                   "(default 65536; 0: each line written at once, as on a terminal)")
      ->check(CLI::Range(std::size_t{0}, std::size_t{64} << 20));
  serve_cmd
      ->add_option("--access-log-flush-ms", serve.access_log_flush_ms,
                   "gathered access lines are written at most this long after the oldest "
                   "(default 100)")
      ->check(CLI::Range(1, 60'000));
  serve_cmd->add_option("--calls", serve.calls,
                        "keep the calls in segment files beside the database: segments "
                        "(DATA_DIR/calls; docs/architecture.md), or in ClickHouse: "
                        "clickhouse://HOST:PORT/DATABASE, or sharded: "
                        "clickhouse://HOST:PORT,HOST:PORT/DATABASE?cluster=NAME "
                        "(default: in the sqlite database; docs/clickhouse.md)");
  serve_cmd->add_option("--sip-domain", serve.sip_domain,
                        "trunks get the SIP domain {trunk_id}.zt.DOMAIN (default cdrd.example)");

  auto* account_cmd = app.add_subcommand("account", "manage customer accounts");
  account_cmd->require_subcommand(1);
  std::string account_name;
  auto* account_create =
      account_cmd->add_subcommand("create", "create an account, print its credentials");
  account_create->add_option("--name", account_name, "the account's name")->required();
  auto* account_list = account_cmd->add_subcommand("list", "list accounts");
  std::string reset_auth_id;
  auto* account_reset = account_cmd->add_subcommand(
      "reset-token", "give an account a new auth token, print it (the old one stops working)");
  account_reset->add_option("auth_id", reset_auth_id, "the account's auth_id")->required();

  std::string import_file, import_format = "auto";
  bool import_quiet = false;
  auto* import_cmd = app.add_subcommand("import", "load call records from an NDJSON or CSV file");
  import_cmd->add_option("file", import_file, "the file")->required()->check(CLI::ExistingFile);
  import_cmd
      ->add_option("--format", import_format,
                   "ndjson, csv, auto (by extension), asterisk-csv (Master.csv of cdr_csv) or "
                   "asterisk-custom (contrib/asterisk/cdr_custom.conf)")
      ->check(CLI::IsMember({"auto", "ndjson", "csv", "asterisk-csv", "asterisk-custom"}));
  SwitchImportOptions import_switch;
  import_cmd->add_option("--time-zone", import_switch.time_zone,
                         "asterisk-csv: the IANA time zone of the switch's local times, e.g. "
                         "Europe/Berlin (default UTC)");
  import_cmd->add_option("--account", import_switch.account,
                         "asterisk-*: the auth_id for rows whose accountcode is empty");
  import_cmd
      ->add_option("--direction", import_switch.direction,
                   "asterisk-*: inbound or outbound (asterisk-csv needs it; asterisk-custom "
                   "rows may carry their own)")
      ->check(CLI::IsMember({"inbound", "outbound"}));
  import_cmd->add_option("--trunk-id", import_switch.trunk_id,
                         "asterisk-*: the trunk of the calls (one of the account's trunk_ids)");
  import_cmd->add_flag("--quiet", import_quiet, "no progress display");
  std::string import_calls;
  import_cmd
      ->add_option("--calls", import_calls,
                   "segments: into the segment store of DATA_DIR/calls, as serve --calls "
                   "segments (default: the sqlite database)")
      ->check(CLI::IsMember({"segments"}));
  std::int64_t import_retention_days = 90;
  import_cmd
      ->add_option("--retention-days", import_retention_days,
                   "refuse calls that ended longer ago, as serve does (default 90)")
      ->check(CLI::Range(1, 36600));

  std::int64_t demo_calls = 3000;
  auto* demo_cmd = app.add_subcommand(
      "demo", "create the demo account and demo calls (idempotent), print its credentials");
  demo_cmd->add_option("--calls", demo_calls, "how many demo calls (default 3000)")
      ->check(CLI::Range(0, 10'000'000));
  std::string demo_sip_domain = serve.sip_domain;
  demo_cmd->add_option(
      "--sip-domain", demo_sip_domain,
      "the SIP domain of the demo trunks, as given to serve (default cdrd.example)");

  const RatingCommands rating = add_rating_commands(app, global);
  const AppCommands apps = add_app_commands(app, global);
  const KeyCommands keys = add_key_commands(app, global);
  const UsageCommands usage = add_usage_command(app, global);
  const ExportCommands exports = add_export_command(app, global);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return parse_error_exit(app, e);
  }

  if (serve_cmd->parsed()) return run_serve(global, serve);
  if (account_create->parsed()) return run_account_create(global, account_name);
  if (account_list->parsed()) return run_account_list(global);
  if (account_reset->parsed()) return run_account_reset_token(global, reset_auth_id);
  if (import_cmd->parsed()) {
    return run_import(global, import_file, import_format, import_quiet, import_retention_days,
                      import_switch, import_calls);
  }
  if (demo_cmd->parsed()) return run_demo(global, demo_calls, demo_sip_domain);
  if (const std::optional<int> code = rating.run()) return *code;
  if (const std::optional<int> code = apps.run()) return *code;
  if (const std::optional<int> code = keys.run()) return *code;
  if (const std::optional<int> code = usage.run()) return *code;
  if (const std::optional<int> code = exports.run()) return *code;
  return kExitError;
}
