// store_write: how fast the sqlite call store writes, and whether it stays as fast as the table
// grows, with nothing else in the way (no HTTP, no parsing on the timed path).
//
// Makes --templates records of the seeded sample data set (src/sample, the records `make bench`
// posts) through IngestService, as POST /v1/ingest/calls would store them, and keeps them in
// memory. Then writes --records calls into a fresh database in a temporary directory: record i is
// template i % templates with a call uuid of its own (random-looking hex from i, so the unique
// key is hit in random order as with real uuids), queued through insert_calls_async in batches of
// --batch with up to --in-flight batches waiting, as the ingest route's pieces are (the store's
// group commit takes whatever waits). Every batch is durable when its future is ready
// (synchronous=FULL, one fsync per group commit), as in the server.
// Prints one line:
//   RESULT records=N seconds=S records_per_s=R first_tenth_per_s=F last_tenth_per_s=L
//          cpu_us_per_record=C write_mb=W db_mb=D
// (cpu_us_per_record: the CPU time of the whole process, writer and the thread queueing the
// copies, per record; on a machine shared with other work it moves less than the rate; write_mb:
// what this process wrote to storage, from /proc/self/io; db_mb: the database and its log at the
// end).
//
// With --reopen 1 it then closes the database, opens it again and looks one call up by its
// uuid, which builds the account's uuid map from the table (docs/architecture.md, "Duplicates in
// memory"), and prints a second line:
//   UUID_MAP calls=N build_s=S bytes_per_call=B
//
// With --restarts R it then restarts the store as a server does after a clean stop, 2R times:
// the clean stop (save_index_snapshot, which writes the uuid maps' snapshot beside the index
// snapshot), the open and load_or_build_indexes, then the first write (a batch of one new call
// and one duplicate, each acknowledged durable). Every other restart removes the uuid maps'
// snapshot before the open, so its first write builds the account's map from the table as every
// start did before that file existed; the two kinds alternate, on the same data, in one process.
// One line per restart:
//   RESTART uuids=loaded|built stop_s=S start_s=S first_write_s=S uuid_builds=N
//
// With --segment 1 the same records go instead to a segment store's calls log
// (store/segment/call_log.h, the segment store's first steps in docs/architecture.md), one
// block appended and synced per batch on the main thread, and the RESULT line is the same
// (db_mb: the segments' size). Before each append it checks the batch's uuids against a uuid
// map of the sqlite store's kind (store/index/call_uuid_map.h, which the segment store is to reuse)
// and adds them after, as the store's duplicate check does. That is the log's cost with the
// duplicate check and the encoding, without the list index (the sqlite store's publisher
// thread). The ids given are 1, 2, ..., as a fresh database gives them.
//
// With --feed 1 it then reads every call of the account in storage order, 1,000 at a time, as
// the change feed does (the sqlite store's calls_stored_after; the log's scan of the account),
// and prints
//   FEED calls=N us_per_call=U cpu_us_per_call=C
//
// With --segment 1 --reopen 1 it then closes the log, opens it again (which reads every segment
// whole) and prints
//   LOG_OPEN segments=N calls=N open_s=S cpu_s=S bytes_per_call=B
// (bytes_per_call: the memory that finds a call by its id), and stops there.
//
// With --reads N it then reads N calls picked at random (the same ones in both modes, for one
// --seed) by their call uuid, as a retrieve does, with the page cache warm, and prints
//   READS reads=N us_per_read=U cpu_us_per_read=C
// The sqlite store answers find_call (its uuid map, then the row by id); the segment mode looks
// the id up in a uuid map of the same kind, built while writing (store/index/call_uuid_map.h, which
// the segment store is to reuse), then reads the call by id from the log and checks its uuid.
//
// Usage: store_write [--records N] [--batch N] [--in-flight N] [--templates N] [--seed N]
//                    [--cache-mib N] [--reopen 1] [--restarts R] [--segment 1] [--reads N]
//                    [--feed 1]
// --cache-mib sets SqliteOptions::writer_cache_kib (unset: the store's default), so that two
// page cache sizes can be run side by side.
#include <stdlib.h>
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <deque>
#include <filesystem>
#include <fstream>
#include <future>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "core/ascii.h"
#include "core/crypto.h"
#include "sample/sample_calls.h"
#include "service/ingest/ingest.h"
#include "service/rating/rating_service.h"
#include "store/index/call_uuid_map.h"
#include "store/segment/call_log.h"
#include "store/sqlite/stores.h"
#include "testing/keeping_call_store.h"
#include "testing/temp_dir.h"

namespace {

using namespace cdrd;
using Steady = std::chrono::steady_clock;

long parse_flag(int argc, char** argv, const char* name, long fallback) {
  for (int i = 1; i + 1 < argc; ++i) {
    if (std::strcmp(argv[i], name) == 0) return std::strtol(argv[i + 1], nullptr, 10);
  }
  return fallback;
}

int fail(const std::string& what) {
  std::fprintf(stderr, "store_write: %s\n", what.c_str());
  return 2;
}

// A uuid-shaped key unique to i that looks random (splitmix64 of i, twice).
std::string uuid_of(std::uint64_t i) {
  const auto mix = [](std::uint64_t z) {
    z += 0x9E3779B97F4A7C15ULL;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
  };
  const std::uint64_t hi = mix(i), lo = i;  // lo keeps it unique
  char out[37];
  std::snprintf(out, sizeof out, "%08x-%04x-%04x-%04x-%012llx", static_cast<unsigned>(hi >> 32),
                static_cast<unsigned>((hi >> 16) & 0xffff), static_cast<unsigned>(hi & 0xffff),
                static_cast<unsigned>((lo >> 48) & 0xffff),
                static_cast<unsigned long long>(lo & 0xffffffffffffULL));
  return out;
}

// CPU seconds (user + system) this process used so far.
double cpu_seconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) * 1e-6;
}

// Bytes this process caused to be written to storage.
long long write_bytes() {
  std::ifstream io("/proc/self/io");
  std::string key;
  long long value = 0;
  while (io >> key >> value) {
    if (key == "write_bytes:") return value;
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  const long records = std::max(1L, parse_flag(argc, argv, "--records", 1'000'000));
  const long batch = std::max(1L, parse_flag(argc, argv, "--batch", 1'500));
  const long in_flight = std::max(1L, parse_flag(argc, argv, "--in-flight", 8));
  const long templates = std::max(1L, parse_flag(argc, argv, "--templates", 50'000));
  const auto seed = static_cast<std::uint64_t>(parse_flag(argc, argv, "--seed", 42));
  const long cache_mib = parse_flag(argc, argv, "--cache-mib", -1);

  SqliteOptions opts;
  if (cache_mib >= 0) opts.writer_cache_kib = static_cast<int>(cache_mib * 1024);

  const testing::TempDir dir("store_write.");
  auto opened = sqlite::open_stores(dir.file("cdrd.db"), opts);
  if (!opened.ok()) return fail(opened.status().message());
  sqlite::Stores& stores = **opened;

  // ---- one account with an outbound and an inbound trunk, a small deck ----
  sample::SampleOptions options;
  options.seed = seed;
  const Micros now = std::chrono::duration_cast<std::chrono::microseconds>(
                         std::chrono::system_clock::now().time_since_epoch())
                         .count();
  options.end_until = now - now % kMicrosPerSecond;
  options.end_from = options.end_until - 30 * kMicrosPerDay;
  service::RatingService rating(stores.accounts, stores.rating);
  const std::string auth_id = "MABENCH100000000000";
  auto account = stores.accounts.create_account("bench", auth_id, sha256_hex("token"));
  if (!account.ok()) return fail(account.status().message());
  options.auth_ids.push_back(auth_id);
  sample::AccountTrunks trunks;
  for (Direction d : {Direction::kOutbound, Direction::kInbound}) {
    Trunk t;
    t.account_id = account->id;
    t.trunk_id = std::to_string(31000000000000 + (d == Direction::kInbound));
    t.trunk_domain = t.trunk_id + ".zt.cdrd.example";
    t.name = "bench";
    t.direction = d;
    t.created_at = now;
    if (Status s = stores.trunks.create_trunk(t, 100); !s.ok()) return fail(s.message());
    (d == Direction::kOutbound ? trunks.outbound : trunks.inbound).push_back({t.trunk_id, false});
  }
  options.trunks[auth_id] = trunks;
  if (auto loaded = rating.load_deck(account->id, std::nullopt,
                                     "prefix,rate,initial_increment,subsequent_increment,"
                                     "effective_from,direction\n1,0.01000,60,60,,outbound\n");
      !loaded.ok()) {
    return fail(loaded.status().message());
  }

  // ---- the template records, validated and rated as ingest stores them ----
  testing::KeepingCallStore keeping(true);
  {
    service::ingest::IngestService ingest(stores.accounts, keeping, stores.trunks, rating, {});
    std::string body;
    if (Status s = sample::append_sample_calls(options, 0, templates, body); !s.ok()) {
      return fail(s.message());
    }
    auto result = ingest.ingest_text(body, service::ingest::Format::kNdjson);
    if (!result.ok()) return fail(result.status().message());
    if (keeping.kept.empty()) return fail("no valid template record");
  }
  const std::vector<CallRecord>& kept = keeping.kept;

  // ---- the timed writes ----
  const long long written_before = write_bytes();
  const double cpu_before = cpu_seconds();
  const auto start = Steady::now();
  double t10 = 0, t90 = 0;
  long done = 0;
  const long n10 = records / 10, n90 = records - records / 10;
  std::deque<std::pair<long, std::future<Result<std::vector<InsertOutcome>>>>> waiting;
  const auto count_done = [&](long n) {
    const double t = std::chrono::duration<double>(Steady::now() - start).count();
    if (done < n10 && done + n >= n10) t10 = t;
    if (done < n90 && done + n >= n90) t90 = t;
    done += n;
  };
  const auto settle_one = [&]() -> Status {
    auto [n, answer] = std::move(waiting.front());
    waiting.pop_front();
    Result<std::vector<InsertOutcome>> outcome = answer.get();
    if (!outcome.ok()) return outcome.status();
    count_done(n);
    return Status::Ok();
  };
  const bool to_segment = parse_flag(argc, argv, "--segment", 0) != 0;
  std::unique_ptr<segment::CallLog> call_log;
  index::CallUuidMap segment_uuids;  // the segment mode's uuid map
  std::vector<std::uint64_t> hashes;
  std::vector<std::int64_t> candidates;
  CallRecord stored;
  if (to_segment) {
    auto log = segment::CallLog::open(dir.file("calls"));
    if (!log.ok()) return fail(log.status().message());
    call_log = std::move(log).value();
  }
  for (long first = 0; first < records; first += batch) {
    const long n = std::min(batch, records - first);
    std::vector<CallRecord> part;
    part.reserve(static_cast<std::size_t>(n));
    for (long i = first; i < first + n; ++i) {
      part.push_back(kept[static_cast<std::size_t>(i) % kept.size()]);
      part.back().call_uuid = uuid_of(static_cast<std::uint64_t>(i));
    }
    if (to_segment) {
      // The duplicate check the store's writer makes: each uuid looked up in the map, and a
      // call read back for each id of the same hash (none here: every uuid is new).
      hashes.clear();
      for (const CallRecord& r : part) {
        hashes.push_back(index::call_uuid_hash(ascii_lower(r.call_uuid)));
        candidates.clear();
        segment_uuids.find(hashes.back(), candidates);
        for (const std::int64_t id : candidates) {
          Result<bool> read = call_log->read(id, stored);
          if (!read.ok()) return fail(read.status().message());
          if (*read && iequals(stored.call_uuid, r.call_uuid)) return fail("a duplicate uuid");
        }
      }
      if (Status s = call_log->append(first + 1, part); !s.ok()) return fail(s.message());
      for (long i = 0; i < n; ++i)
        segment_uuids.add(hashes[static_cast<std::size_t>(i)], first + 1 + i);
      count_done(n);
      continue;
    }
    if (static_cast<long>(waiting.size()) >= in_flight) {
      if (Status s = settle_one(); !s.ok()) return fail(s.message());
    }
    waiting.emplace_back(n, stores.calls.insert_calls_async(std::move(part)));
  }
  while (!waiting.empty()) {
    if (Status s = settle_one(); !s.ok()) return fail(s.message());
  }
  const double seconds = std::chrono::duration<double>(Steady::now() - start).count();
  const long long written = write_bytes() - written_before;
  const double cpu = cpu_seconds() - cpu_before;
  Result<std::int64_t> size =
      to_segment ? Result<std::int64_t>(static_cast<std::int64_t>(call_log->usage().file_bytes))
                 : stores.db->size_bytes();
  std::printf(
      "RESULT records=%ld seconds=%.2f records_per_s=%.0f first_tenth_per_s=%.0f "
      "last_tenth_per_s=%.0f cpu_us_per_record=%.1f write_mb=%.0f db_mb=%.0f\n",
      records, seconds, records / seconds, t10 > 0 ? n10 / t10 : 0,
      seconds > t90 ? (records - n90) / (seconds - t90) : 0, cpu * 1e6 / records, written / 1e6,
      size.ok() ? *size / 1e6 : 0.0);
  if (const long reads = parse_flag(argc, argv, "--reads", 0); reads > 0) {
    std::fflush(stdout);
    std::vector<std::uint64_t> picks(static_cast<std::size_t>(reads));
    std::uint64_t z = seed;
    for (std::uint64_t& p : picks) {
      z = z * 6364136223846793005ULL + 1442695040888963407ULL;
      p = (z >> 17) % static_cast<std::uint64_t>(records);
    }
    // The sqlite store builds the account's uuid map at its first retrieve: not timed.
    if (!to_segment) {
      auto warm = stores.calls.find_call(account->id, uuid_of(0), 0);
      if (!warm.ok() || !warm->has_value()) return fail("the first call is not found");
    }
    std::vector<std::int64_t> ids;
    CallRecord got;
    const double read_cpu_before = cpu_seconds();
    const auto read_start = Steady::now();
    for (const std::uint64_t p : picks) {
      const std::string uuid = uuid_of(p);
      bool found = false;
      if (to_segment) {
        ids.clear();
        segment_uuids.find(index::call_uuid_hash(ascii_lower(uuid)), ids);
        for (const std::int64_t id : ids) {
          Result<bool> read = call_log->read(id, got);
          if (!read.ok()) return fail(read.status().message());
          if (*read && iequals(got.call_uuid, uuid)) {
            found = true;
            break;
          }
        }
      } else {
        auto call = stores.calls.find_call(account->id, uuid, 0);
        if (!call.ok()) return fail(call.status().message());
        found = call->has_value() && (*call)->call_uuid == uuid;
      }
      if (!found) return fail("call " + uuid + " was not read back");
    }
    const double read_s = std::chrono::duration<double>(Steady::now() - read_start).count();
    std::printf("READS reads=%ld us_per_read=%.2f cpu_us_per_read=%.2f\n", reads,
                read_s * 1e6 / static_cast<double>(reads),
                (cpu_seconds() - read_cpu_before) * 1e6 / static_cast<double>(reads));
  }
  if (parse_flag(argc, argv, "--feed", 0) != 0) {
    // Every call of the account in storage order, a page of 1,000 at a time, as the change
    // feed reads them: calls_stored_after, or the log's scan of the account.
    std::fflush(stdout);
    long fed = 0;
    std::int64_t after = 0;
    const double feed_cpu_before = cpu_seconds();
    const auto feed_start = Steady::now();
    for (;;) {
      long page = 0;
      if (to_segment) {
        const Status s = call_log->scan(account->id, after, call_log->next_id() - 1,
                                        [&](std::int64_t id, const CallRecord&) {
                                          after = id;
                                          return ++page < 1000;
                                        });
        if (!s.ok()) return fail(s.message());
      } else {
        auto calls = stores.calls.calls_stored_after(account->id, after,
                                                     std::numeric_limits<Micros>::min(), 1000);
        if (!calls.ok()) return fail(calls.status().message());
        page = static_cast<long>(calls->size());
        if (page > 0) after = calls->back().id;
      }
      if (page == 0) break;
      fed += page;
    }
    const double feed_s = std::chrono::duration<double>(Steady::now() - feed_start).count();
    if (fed != records) return fail("the feed gave " + std::to_string(fed) + " calls");
    std::printf("FEED calls=%ld us_per_call=%.2f cpu_us_per_call=%.2f\n", fed,
                feed_s * 1e6 / static_cast<double>(fed),
                (cpu_seconds() - feed_cpu_before) * 1e6 / static_cast<double>(fed));
  }
  if (to_segment && parse_flag(argc, argv, "--reopen", 0) != 0) {
    // The log's open reads every segment whole (their checksums, each call's offset).
    call_log.reset();
    const double open_cpu_before = cpu_seconds();
    const auto t0 = Steady::now();
    auto again = segment::CallLog::open(dir.file("calls"));
    const double open_s = std::chrono::duration<double>(Steady::now() - t0).count();
    if (!again.ok()) return fail(again.status().message());
    const segment::CallLog::Usage u = (*again)->usage();
    if (u.calls != static_cast<std::uint64_t>(records)) return fail("the reopened log lost calls");
    std::printf("LOG_OPEN segments=%zu calls=%llu open_s=%.2f cpu_s=%.2f bytes_per_call=%.1f\n",
                u.segments, static_cast<unsigned long long>(u.calls), open_s,
                cpu_seconds() - open_cpu_before,
                static_cast<double>(u.memory_bytes) / static_cast<double>(u.calls));
    return 0;
  }
  if (parse_flag(argc, argv, "--reopen", 0) != 0) {
    std::fflush(stdout);
    opened->reset();  // writes what is queued and closes the database
    auto again = sqlite::open_stores(dir.file("cdrd.db"), opts);
    if (!again.ok()) return fail(again.status().message());
    const auto t0 = Steady::now();
    auto found = (*again)->calls.find_call(account->id, uuid_of(0), 0);
    const double build_s = std::chrono::duration<double>(Steady::now() - t0).count();
    if (!found.ok()) return fail(found.status().message());
    if (!found->has_value()) return fail("the first call is not found after the reopen");
    const sqlite::CallIndexes::UuidUsage u = (*again)->db->call_indexes().uuid_usage();
    std::printf("UUID_MAP calls=%zu build_s=%.2f bytes_per_call=%.1f\n", u.calls, build_s,
                u.calls > 0 ? static_cast<double>(u.bytes) / static_cast<double>(u.calls) : 0.0);
    *opened = std::move(again).value();
  }
  const long restarts = parse_flag(argc, argv, "--restarts", 0);
  if (restarts > 0) {
    std::fflush(stdout);
    // The first start loads nothing yet: it makes the list index and the uuid map exist.
    if (auto built = (*opened)->calls.load_or_build_indexes(); !built.ok()) {
      return fail(built.status().message());
    }
    if (auto found = (*opened)->calls.find_call(account->id, uuid_of(0), 0); !found.ok()) {
      return fail(found.status().message());
    }
    long next = records;
    for (long r = 0; r < 2 * restarts; ++r) {
      const bool keep_uuids = r % 2 == 0;
      const auto t_stop = Steady::now();
      if (Status saved = (*opened)->calls.save_index_snapshot(); !saved.ok()) {
        return fail(saved.message());
      }
      opened->reset();
      const double stop_s = std::chrono::duration<double>(Steady::now() - t_stop).count();
      if (!keep_uuids) std::filesystem::remove(dir.file("cdrd.db.uuids"));
      const auto t_start = Steady::now();
      auto again = sqlite::open_stores(dir.file("cdrd.db"), opts);
      if (!again.ok()) return fail(again.status().message());
      *opened = std::move(again).value();
      auto indexed = (*opened)->calls.load_or_build_indexes();
      if (!indexed.ok()) return fail(indexed.status().message());
      if (!indexed->from_snapshot) return fail("not started from the snapshot: " + indexed->why);
      const double start_s = std::chrono::duration<double>(Steady::now() - t_start).count();
      std::vector<CallRecord> first = {kept[0], kept[1]};
      first[0].call_uuid = uuid_of(static_cast<std::uint64_t>(next++));
      first[1].call_uuid = uuid_of(1);  // stored in the timed writes: a duplicate
      const auto t_write = Steady::now();
      auto written = (*opened)->calls.insert_calls(first);
      const double write_s = std::chrono::duration<double>(Steady::now() - t_write).count();
      if (!written.ok()) return fail(written.status().message());
      if ((*written)[0] != InsertOutcome::kStored || (*written)[1] != InsertOutcome::kDuplicate) {
        return fail("the first write after a restart did not store one call and refuse one");
      }
      std::printf(
          "RESTART uuids=%s stop_s=%.3f start_s=%.3f first_write_s=%.3f uuid_builds=%llu\n",
          indexed->uuid_accounts > 0 ? "loaded" : "built", stop_s, start_s, write_s,
          static_cast<unsigned long long>((*opened)->db->call_indexes().uuid_usage().builds));
      std::fflush(stdout);
    }
  }
  return 0;
}
