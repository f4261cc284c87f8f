#include <spdlog/spdlog.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <future>
#include <iostream>

#include "api/app/app.h"
#include "api/retention_sweeper.h"
#include "cli/backends.h"
#include "cli/commands.h"
#include "cli/service_manager.h"
#include "http/server.h"
#include "rating/country.h"
#include "service/ingest/ingest.h"
#include "service/rating/rating_service.h"
#include "service/trunks/validators.h"
#include "store/clickhouse/clickhouse_call_store.h"
#include "store/segment/segment_call_store.h"
#include "store/sqlite/sqlite_db.h"

namespace cdrd::cli {

int error_exit(const Status& status) {
  std::cerr << "cdrd: " << status.message() << "\n";
  return 2;
}

std::unique_ptr<sqlite::Stores> open_store(const GlobalOptions& global, SqliteOptions options) {
  // The data directory holds every call record and the secret key: cdrd's own, 0700.
  if (Status s = sqlite::make_private_dir(global.data_dir, /*tighten_existing=*/true); !s.ok()) {
    std::cerr << "cdrd: data directory " << global.data_dir << ": " << s.message() << "\n";
    return nullptr;
  }
  auto store =
      sqlite::open_stores((std::filesystem::path(global.data_dir) / "cdrd.db").string(), options);
  if (!store.ok()) {
    std::cerr << "cdrd: cannot open the database: " << store.status().message() << "\n";
    return nullptr;
  }
  return std::move(store).value();
}

CallStore* choose_calls(const GlobalOptions& global, const std::string& calls, int query_budget_ms,
                        CallStore& local, std::unique_ptr<CallStore>& opened) {
  const std::string segments_dir = (std::filesystem::path(global.data_dir) / "calls").string();
  if (calls.empty()) {
    std::error_code ec;
    if (std::filesystem::exists(segments_dir + "/00000001.seg", ec)) {
      std::cerr << "cdrd: " << segments_dir
                << " holds the calls of --calls segments: give --calls segments\n";
      return nullptr;
    }
    return &local;
  }
  if (calls == "segments") {
    const Result<std::int64_t> in_table = local.last_call_id();
    if (!in_table.ok()) {
      std::cerr << "cdrd: --calls segments: " << in_table.status().message() << "\n";
      return nullptr;
    }
    if (*in_table > 0) {
      std::cerr << "cdrd: --calls segments: the database in " << global.data_dir
                << " keeps its calls in its calls table; a data directory keeps them in one "
                   "store or the other\n";
      return nullptr;
    }
    segment::StoreOptions options;
    options.query_budget_ms = query_budget_ms;
    Result<std::unique_ptr<segment::SegmentCallStore>> s =
        segment::SegmentCallStore::open(segments_dir, options);
    if (!s.ok()) {
      std::cerr << "cdrd: --calls segments: " << s.status().message() << "\n";
      return nullptr;
    }
    opened = std::move(s).value();
    return opened.get();
  }
  if (!calls.starts_with("clickhouse://")) {
    std::cerr << "cdrd: --calls must be segments or clickhouse://HOST:PORT/DATABASE, got '" << calls
              << "'\n";
    return nullptr;
  }
  clickhouse::StoreOptions options;
  options.client.query_budget_ms = query_budget_ms;
  Result<std::unique_ptr<clickhouse::ClickHouseCallStore>> ch =
      clickhouse::ClickHouseCallStore::open(calls, options);
  if (!ch.ok()) {
    std::cerr << "cdrd: --calls " << calls << ": " << ch.status().message() << "\n";
    return nullptr;
  }
  opened = std::move(ch).value();
  return opened.get();
}

namespace {

// Reads the first line of a key file, without surrounding white space.
bool read_key_file(const std::string& path, std::string& key) {
  std::ifstream in(path);
  if (!in || !std::getline(in, key)) return false;
  while (!key.empty() && (key.back() == '\r' || key.back() == ' ')) key.pop_back();
  return !key.empty();
}

}  // namespace

int run_serve(const GlobalOptions& global, const ServeOptions& options) {
  api::ApiSettings settings;
  settings.list_window_days = options.list_window_days;
  settings.retention_days = options.retention_days;
  settings.token_ttl_seconds = options.token_ttl_seconds;
  settings.auth_cache_ms = options.auth_cache_ms;
  settings.operator_key = options.operator_key;
  settings.sip_domain = options.sip_domain;
  settings.max_upload_bytes = options.max_body_bytes;
  if (!service::trunks::is_valid_sip_domain(settings.sip_domain)) {
    std::cerr << "cdrd: --sip-domain must be a DNS name such as sip.example.com, got '"
              << settings.sip_domain << "'\n";
    return 2;
  }
  if (!options.operator_key_file.empty() &&
      !read_key_file(options.operator_key_file, settings.operator_key)) {
    std::cerr << "cdrd: cannot read an operator key from " << options.operator_key_file << "\n";
    return 2;
  }
  if (settings.operator_key.empty()) {
    spdlog::warn("no operator key: POST /v1/ingest/calls is disabled (see --operator-key)");
  } else if (settings.operator_key.size() < 16) {
    std::cerr << "cdrd: the operator key must be at least 16 characters\n";
    return 2;
  }
  if (settings.retention_days < settings.list_window_days) {
    spdlog::warn(
        "--retention-days {} is shorter than --list-window-days {}: lists cover only the "
        "retention period",
        settings.retention_days, settings.list_window_days);
  }

  SqliteOptions store_options;
  store_options.query_budget_ms = options.query_budget_ms;
  // The calls in sqlite; the control plane there too, or in PostgreSQL (--control).
  const std::unique_ptr<Backends> backends = open_backends(global, store_options);
  if (!backends) return 2;
  sqlite::Stores* store = backends->sqlite.get();
  AccountStore& accounts = *backends->accounts;
  {
    // The list index of every account, before the first request (docs/architecture.md).
    const auto t0 = std::chrono::steady_clock::now();
    Result<SqliteCallStore::IndexStart> indexed = store->calls.load_or_build_indexes();
    if (!indexed.ok()) return error_exit(indexed.status());
    if (!indexed->from_snapshot)
      spdlog::info("list index: built from the calls table: {}", indexed->why);
    const sqlite::CallIndexes::Usage usage = store->db->call_indexes().usage();
    spdlog::info(
        "list index: {} calls of {} accounts {}, {:.1f} MiB ({:.1f} bytes per call) in {:.2f} s",
        indexed->calls, usage.accounts,
        indexed->from_snapshot ? "loaded from the index snapshot" : "built from the calls table",
        static_cast<double>(usage.bytes) / (1 << 20),
        usage.calls == 0 ? 0.0
                         : static_cast<double>(usage.bytes) / static_cast<double>(usage.calls),
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
    if (indexed->uuid_why.empty()) {
      spdlog::info("uuid maps: {} calls of {} accounts loaded from their snapshot",
                   indexed->uuid_calls, indexed->uuid_accounts);
    } else {
      spdlog::info("uuid maps: each built from the calls table on first use: {}",
                   indexed->uuid_why);
    }
  }
  // The calls in ClickHouse instead (docs/clickhouse.md); everything else stays in sqlite.
  std::unique_ptr<CallStore> opened_calls;
  const auto t_calls = std::chrono::steady_clock::now();
  CallStore* chosen =
      choose_calls(global, options.calls, options.query_budget_ms, *backends->calls, opened_calls);
  if (chosen == nullptr) return 2;
  CallStore& calls = *chosen;
  segment::SegmentCallStore* const segments =
      options.calls == "segments" ? static_cast<segment::SegmentCallStore*>(opened_calls.get())
                                  : nullptr;
  // The metrics (docs/metrics.md): told by the server, the ingest service and the store.
  const auto metrics = std::make_shared<api::Metrics>();
  sqlite::Database& db = *store->db;
  metrics->set_store_figures([&db, segments]() -> Result<api::StoreFigures> {
    api::StoreFigures f;
    if (segments != nullptr) {
      // The calls, their list index and uuid maps are the segment store's.
      const segment::SegmentCallStore::Usage u = segments->usage_figures();
      f.calls_held = static_cast<std::int64_t>(u.calls);
      f.list_index_bytes = static_cast<std::int64_t>(u.index_bytes);
      f.index_compaction_steps = u.compaction_steps;
      f.index_pending_calls = static_cast<std::int64_t>(u.pending);
      f.uuid_map_calls = static_cast<std::int64_t>(u.calls);
      f.uuid_map_bytes = static_cast<std::int64_t>(u.uuid_bytes);
      ASSIGN_OR_RETURN(f.database_bytes, db.size_bytes());
      f.database_bytes += static_cast<std::int64_t>(u.log.file_bytes);
      f.reads_over_budget = db.reads_over_budget();
      return f;
    }
    const sqlite::CallIndexes::Usage usage = db.call_indexes().usage();
    f.calls_held = static_cast<std::int64_t>(usage.calls);
    f.list_index_bytes = static_cast<std::int64_t>(usage.bytes);
    f.index_compaction_steps = db.call_indexes().compaction_steps();
    f.index_pending_calls = static_cast<std::int64_t>(usage.pending);
    const sqlite::CallIndexes::UuidUsage uuids = db.call_indexes().uuid_usage();
    f.uuid_map_calls = static_cast<std::int64_t>(uuids.calls);
    f.uuid_map_bytes = static_cast<std::int64_t>(uuids.bytes);
    f.uuid_map_builds = uuids.builds;
    ASSIGN_OR_RETURN(f.database_bytes, db.size_bytes());
    f.reads_over_budget = db.reads_over_budget();
    return f;
  });
  service::RatingService rating(accounts, *backends->rating);
  service::ingest::IngestSettings ingest_settings;
  ingest_settings.retention_days = settings.retention_days;
  ingest_settings.now = settings.now;
  ingest_settings.on_batch = [&metrics = *metrics](const service::ingest::BatchResult& batch) {
    metrics.observe_batch(batch);
  };
  const service::ingest::IngestService ingest(accounts, calls, *backends->trunks, rating,
                                              ingest_settings);
  // The country table and its digit automaton (rating/country.h) are made on first use (a tenth
  // of a second of a core): made now, beside the start, so that the first ingest does not wait.
  const std::future<void> countries_made =
      std::async(std::launch::async, [] { (void)rating::country_of("+1"); });
  api::AuthThrottle::Limits throttle;
  throttle.burst = options.auth_failure_burst;
  throttle.refill = std::chrono::seconds(options.auth_failure_refill_seconds);
  // /readyz: the database answers, its schema is current, the list index was built (above).
  api::Operations operations;
  operations.metrics = metrics;
  operations.readiness = {
      {"database", [&db] { return db.check_reachable(); }},
      {"migrations", [&db] { return db.check_schema(); }},
      {"list_index", [] { return Status::Ok(); }},
  };
  if (backends->control) {
    postgres::Database& control = *backends->control->db;
    operations.readiness.push_back(
        {"control_plane", [&control] { return control.check_reachable(); }});
  }
  if (segments != nullptr) {
    const segment::SegmentCallStore::Usage u = segments->usage_figures();
    spdlog::info(
        "calls: in segments ({} files, {:.1f} MiB): list index and uuid maps of {} calls of {} "
        "accounts {} in {:.2f} s, {:.1f} MiB; the list index ({:.1f} bytes per call)",
        u.log.segments, static_cast<double>(u.log.file_bytes) / (1 << 20), u.calls, u.accounts,
        segments->start().from_snapshot ? std::string("loaded from the snapshot")
                                        : "built from the calls (" + segments->start().why + ")",
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t_calls).count(),
        static_cast<double>(u.index_bytes + u.uuid_bytes + u.log.memory_bytes) / (1 << 20),
        u.calls == 0 ? 0.0 : static_cast<double>(u.index_bytes) / static_cast<double>(u.calls));
  } else if (opened_calls) {
    auto& ch = static_cast<clickhouse::ClickHouseCallStore&>(*opened_calls);
    spdlog::info("calls: {} (schema version {})", ch.endpoint().describe(),
                 clickhouse::kSchemaVersion);
    operations.readiness.push_back({"calls", [&ch] { return ch.check_reachable(); }});
  }
  api::App app(api::ApiContext{accounts, calls, settings},
               api::ApiServices{*backends->oauth, *backends->trunks, rating, ingest}, throttle,
               std::move(operations));
  // Deletes calls past retention, off-request.
  api::RetentionSweeper sweeper(calls, settings);
  sweeper.start();

  http::ServerOptions server_options;
  server_options.address = options.listen;
  server_options.port = static_cast<std::uint16_t>(options.port);
  server_options.threads = options.io_threads;
  server_options.workers = options.threads;
  server_options.max_running_per_tenant = options.max_requests_per_account;
  server_options.max_connections = options.max_connections;
  server_options.max_body_bytes = options.max_body_bytes;
  server_options.access_log = !options.no_access_log;
  // On a terminal each line is shown at once, in the logger's colours; else (a file, a pipe,
  // the journal) the lines go in batches.
  server_options.access_log_buffer_bytes =
      isatty(STDERR_FILENO) != 0 ? 0 : options.access_log_buffer_bytes;
  server_options.access_log_flush = std::chrono::milliseconds(options.access_log_flush_ms);
  server_options.redact_numbers = options.log_redact_numbers;
  server_options.observer = metrics;
  // A unit of Type=notify (docs/operations.md, "Debian package") learns when the shutdown began.
  server_options.on_shutdown = [] { notify_stopping(); };
  server_options.error_renderer = [&app](std::string_view path, int status,
                                         std::string_view message) {
    return app.render_error(path, status, message);
  };
  Result<std::unique_ptr<http::HttpServer>> server = http::HttpServer::create(
      server_options, [&app](const http::HttpRequest& head) { return app.admit(head); });
  if (!server.ok()) return error_exit(server.status());
  if (!options.port_file.empty()) {
    // Write then rename, so a reader never sees a half-written file.
    const std::string tmp = options.port_file + ".tmp";
    std::ofstream(tmp) << (*server)->port() << "\n";
    std::error_code ec;
    std::filesystem::rename(tmp, options.port_file, ec);
    if (ec) {
      std::cerr << "cdrd: cannot write the port file " << options.port_file << ": " << ec.message()
                << "\n";
      return 2;
    }
  }
  // The socket listens since create(): connections wait in its backlog until run() accepts them.
  notify_ready();
  // The uuid maps the start did not load, built in the background from now on, once the server
  // answers (every one of an account with calls, the largest first), so that no retrieve or
  // write waits for one and the next clean stop writes them all.
  store->calls.start_uuid_builds();
  if (const std::size_t pending = store->calls.uuid_builds_pending(); pending > 0) {
    spdlog::info("uuid maps: {} accounts' maps building in the background", pending);
  }
  if (Status run = (*server)->run(); !run.ok()) return error_exit(run);
  // A clean stop: after the last write, the index snapshot that spares the next start reading
  // every call (docs/operations.md, "Start and stop").
  sweeper.stop();
  store->calls.stop_uuid_builds();
  {
    const auto t0 = std::chrono::steady_clock::now();
    SqliteCallStore::UuidSnapshotSaved uuids;
    if (Status saved = store->calls.save_index_snapshot(&uuids); saved.ok()) {
      spdlog::info("list index: snapshot written to {} in {:.2f} s", store->db->snapshot_path(),
                   std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
      if (uuids.written) {
        spdlog::info("uuid maps: {} calls of {} accounts written to {}", uuids.calls,
                     uuids.accounts, store->db->uuid_snapshot_path());
      } else {
        spdlog::warn("uuid maps: not written ({})", uuids.why);
      }
    } else {
      spdlog::warn("list index: no snapshot written ({}); the next start reads the calls table",
                   saved.message());
    }
  }
  if (segments != nullptr) {
    // The segment store's own snapshot: the next start loads it instead of reading every call.
    const auto t0 = std::chrono::steady_clock::now();
    const Result<segment::SegmentCallStore::SnapshotSaved> saved = segments->save_snapshot();
    if (saved.ok()) {
      spdlog::info("calls: snapshot of {} calls of {} accounts written in {:.2f} s ({:.1f} MiB)",
                   saved->calls, saved->accounts,
                   std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(),
                   static_cast<double>(saved->bytes) / (1 << 20));
    } else {
      spdlog::warn("calls: no snapshot written ({}); the next start reads every call",
                   saved.status().message());
    }
  }
  spdlog::info("stopped");
  return 0;
}

}  // namespace cdrd::cli
