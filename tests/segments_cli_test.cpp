// `--calls segments` from the command line: `cdrd import` and `cdrd export` on the segment store
// of a data directory, a data directory keeping its calls in one store or the other, and the
// store being one process's at a time (docs/architecture.md, "The segment store").
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "fault_harness.h"
#include "harness.h"
#include "records.h"

namespace cdrd::test {
namespace {

std::string auth_id_of(const CommandResult& created) {
  std::istringstream in(created.out);
  for (std::string line; std::getline(in, line);) {
    if (line.starts_with("auth_id: ")) return line.substr(9);
  }
  return "";
}

int lines_of(const std::string& text) {
  return static_cast<int>(std::count(text.begin(), text.end(), '\n'));
}

TEST(SegmentsCli, ImportAndExportWorkOnTheSegmentStoreAndADirectoryKeepsOneStore) {
  TempDir dir;
  const std::string data = dir.file("data");
  const std::string auth_id =
      auth_id_of(run_cdrd({"--data-dir", data, "account", "create", "--name", "seg"}));
  ASSERT_FALSE(auth_id.empty());
  const std::string file = dir.file("calls.ndjson");
  std::ofstream(file) << ndjson({with_own_billing(answered_call(auth_id, "seg-1")),
                                 with_own_billing(answered_call(auth_id, "seg-2")),
                                 with_own_billing(answered_call(auth_id, "SEG-1"))});

  const CommandResult imported =
      run_cdrd({"--data-dir", data, "import", file, "--quiet", "--calls", "segments"});
  ASSERT_EQ(imported.exit_code, 0) << imported.out;
  EXPECT_NE(imported.out.find("stored 2"), std::string::npos) << imported.out;
  const CommandResult again =
      run_cdrd({"--data-dir", data, "import", file, "--quiet", "--calls", "segments"});
  ASSERT_EQ(again.exit_code, 0) << again.out;
  EXPECT_NE(again.out.find("stored 0"), std::string::npos) << again.out;

  const std::string out = dir.file("out.ndjson");
  const CommandResult exported =
      run_cdrd({"--data-dir", data, "export", "--account", auth_id, "--calls", "segments", out});
  ASSERT_EQ(exported.exit_code, 0) << exported.out;
  std::ifstream in(out);
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(lines_of(text), 2) << text;

  // The sqlite store of this directory is refused: its calls are in the segments.
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{"--data-dir", data, "import", file, "--quiet"},
        std::vector<std::string>{"--data-dir", data, "demo", "--calls", "5"},
        std::vector<std::string>{"--data-dir", data, "serve", "--port", "0"}}) {
    const CommandResult r = run_cdrd(args);
    EXPECT_EQ(r.exit_code, 2) << r.out;
    EXPECT_NE(r.out.find("give --calls segments"), std::string::npos) << r.out;
  }
  // And the segment store of a directory whose calls are in its sqlite table.
  const std::string other = dir.file("other");
  ASSERT_EQ(run_cdrd({"--data-dir", other, "demo", "--calls", "5"}).exit_code, 0);
  const CommandResult mixed =
      run_cdrd({"--data-dir", other, "serve", "--port", "0", "--calls", "segments"});
  EXPECT_EQ(mixed.exit_code, 2) << mixed.out;
  EXPECT_NE(mixed.out.find("keeps its calls in its calls table"), std::string::npos) << mixed.out;
  const CommandResult bogus = run_cdrd({"--data-dir", other, "serve", "--calls", "segment"});
  EXPECT_EQ(bogus.exit_code, 2) << bogus.out;
  EXPECT_NE(bogus.out.find("--calls must be segments or clickhouse://"), std::string::npos)
      << bogus.out;
}

// A running server holds the segment store: an import beside it is refused, naming why, and
// writes nothing; the calls go to the server over HTTP instead.
TEST(SegmentsCli, AnImportBesideARunningServerIsRefused) {
  CdrdServer server({"--calls", "segments"});
  const Credentials who = server.create_account("seg");
  TempDir dir;
  const std::string file = dir.file("calls.ndjson");
  std::ofstream(file) << ndjson({with_own_billing(answered_call(who.auth_id, "beside-1"))});
  const CommandResult r =
      run_cdrd({"--data-dir", server.data_dir(), "import", file, "--quiet", "--calls", "segments"});
  EXPECT_EQ(r.exit_code, 2) << r.out;
  EXPECT_NE(r.out.find("in use by another process"), std::string::npos) << r.out;
  EXPECT_EQ(listed_call_count(server.port(), who), 0);
  ASSERT_EQ(
      server.ingest(ndjson({with_own_billing(answered_call(who.auth_id, "beside-1"))})).status,
      200);
  EXPECT_EQ(listed_call_count(server.port(), who), 1);
}

// A clean stop writes the segment store's snapshot and the next start loads it; after a kill -9
// (no snapshot of the calls since) the start reads every call. The lists are the same each time.
TEST(SegmentsRestart, ACleanStopsSnapshotIsLoadedAndAfterAKillNineTheCallsAreRead) {
  TempDir dir;
  const Credentials who = create_account_in(dir.path(), "seg");
  ServerProcess server(dir.path());
  const std::vector<std::string> args = {"--calls", "segments", "--no-access-log"};
  const auto start = [&] {
    const std::size_t before = server.log().size();
    server.start(args);
    return server.log().substr(before);
  };
  const auto ingest = [&](const std::string& prefix, int n) {
    std::vector<Record> calls;
    for (int i = 0; i < n; ++i) {
      calls.push_back(
          with_own_billing(answered_call(who.auth_id, prefix + std::to_string(i), i % 9, 60 + i)));
    }
    const http::ClientResponse r = server.ingest(ndjson(calls));
    ASSERT_EQ(r.status, 200) << r.body;
  };
  const auto page = [&](const std::string& q) {
    const http::ClientResponse r = server.get(who, "/v1/Account/" + who.auth_id + "/Call/?" + q);
    EXPECT_EQ(r.status, 200) << r.body;
    const std::size_t meta = r.body.find("\"meta\"");  // without the api_id of each answer
    return meta == std::string::npos ? r.body : r.body.substr(meta);
  };
  EXPECT_NE(start().find("built from the calls"), std::string::npos);
  ingest("a-", 300);
  const std::string first = page("limit=20&offset=40"), filtered = page("bill_duration__gte=5");
  ASSERT_EQ(server.stop(SIGTERM), 0);
  EXPECT_NE(server.log().find("calls: snapshot of 300 calls of 1 accounts written"),
            std::string::npos)
      << server.log();

  EXPECT_NE(start().find("loaded from the snapshot"), std::string::npos) << server.log();
  EXPECT_TRUE(page("limit=20&offset=40") == first);
  EXPECT_TRUE(page("bill_duration__gte=5") == filtered);
  ingest("b-", 100);
  ingest("a-", 300);  // duplicates, found in the uuid map the snapshot brought
  EXPECT_EQ(listed_call_count(server.port(), who), 400);
  server.stop(SIGKILL);

  const std::string log = start();
  EXPECT_NE(log.find("built from the calls (the snapshot is of another state"), std::string::npos)
      << log;
  EXPECT_EQ(listed_call_count(server.port(), who), 400);
  ingest("b-", 100);
  EXPECT_EQ(listed_call_count(server.port(), who), 400);
}

}  // namespace
}  // namespace cdrd::test
