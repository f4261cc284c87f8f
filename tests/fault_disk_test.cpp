// Black-box test of a full disk: the server runs under a file-size limit (RLIMIT_FSIZE, as
// `ulimit -f` sets), so once its database files reach the limit every write fails as on a full
// disk. Ingest must then be refused with an error response (not a crash, not a hang), reads
// must go on, nothing unacknowledged may appear and nothing acknowledged may be lost, and
// once the limit is lifted (a restart without it) the service works normally again.
// Where the test may mount a small tmpfs (as root), a second test fills a real file system
// (ENOSPC) and frees space under the running server, which must recover without a restart.
#include <gtest/gtest.h>

#include <sys/mount.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <set>

#include "fault_harness.h"
#include "records.h"

namespace cdrd::test {
namespace {

using namespace std::chrono_literals;

// Restarts `server` (SIGTERM, then again without a file-size limit) and expects exactly the
// records `acked` of `who` stored, each once: nothing acknowledged lost, nothing refused kept.
void expect_exactly_acked_after_restart(ServerProcess& server, const Credentials& who,
                                        const std::set<std::string>& acked) {
  EXPECT_EQ(server.stop(SIGTERM), 0) << server.log();
  server.start({"--no-access-log"});
  const std::map<std::string, int> stored = stored_call_uuids(server.db_path(), who.auth_id);
  std::size_t lost = 0;
  for (const auto& uuid : acked) lost += stored.count(uuid) == 0 ? 1 : 0;
  EXPECT_EQ(lost, 0u);
  EXPECT_EQ(stored.size(), acked.size()) << "records of a refused batch were stored";
  for (const auto& [uuid, count] : stored) EXPECT_EQ(count, 1) << uuid;
}

TEST(FaultDisk, FullDiskRefusesIngestWithAnErrorKeepsWhatItAckedAndRecovers) {
  TempDir dir;
  const Credentials alice = create_account_in(dir.path(), "disk-a");
  ServerProcess server(dir.path());
  // The database as the account left it, plus about 1.5 MiB of room.
  const auto db_size = std::filesystem::file_size(server.db_path());
  const rlim_t limit = db_size + 1536 * 1024;
  server.start({"--no-access-log"}, limit);

  std::set<std::string> acked;
  int batch = 0;
  http::ClientResponse refused;
  for (; batch < 2000; ++batch) {
    std::string body;
    std::vector<std::string> uuids;
    for (int i = 0; i < 50; ++i) {
      uuids.push_back("d" + std::to_string(batch) + "-" + std::to_string(i));
      body += fault_call(alice.auth_id, uuids.back(), 200).line() + "\n";
    }
    auto client = server.client();
    client.set_timeout(20s);
    http::ClientResponse r;
    try {
      r = client.request("POST", "/v1/ingest/calls", body,
                         {{"Authorization", std::string("Bearer ") + CdrdServer::kOperatorKey},
                          {"Content-Type", "application/x-ndjson"}});
    } catch (const std::exception& e) {
      const bool alive = server.alive();
      FAIL() << "batch " << batch << " got no answer (" << e.what() << "): the server "
             << (alive ? "hangs" : "died, status " + std::to_string(server.wait_exit())) << "\n"
             << server.log();
    }
    if (r.status == 200) {
      ASSERT_EQ(parse_json(r.body)["stored"].GetInt(), 50) << r.body;
      acked.insert(uuids.begin(), uuids.end());
      continue;
    }
    refused = r;
    break;
  }
  ASSERT_LT(batch, 2000) << "the file-size limit never stopped ingest";
  ASSERT_GT(acked.size(), 0u) << "the first ingest already failed: " << refused.status << " "
                              << refused.body << "\n"
                              << server.log();
  // The refusal is an error response with the API's error body, and the server lives on.
  EXPECT_GE(refused.status, 500) << refused.body;
  EXPECT_LE(refused.status, 507) << refused.body;
  EXPECT_TRUE(parse_json(refused.body).HasMember("error")) << refused.body;
  ASSERT_TRUE(server.alive()) << server.log();
  std::printf("[ full disk ] %zu records acknowledged before ingest was refused with %d\n",
              acked.size(), refused.status);

  // Still full: more ingest is refused again (small batches too, each answered), reads work and
  // show exactly what was acknowledged.
  for (int i = 0; i < 3; ++i) {
    const std::string uuid = "after-full-" + std::to_string(i);
    const auto r = server.ingest(fault_call(alice.auth_id, uuid, 256).line() + "\n");
    if (r.status == 200) {
      acked.insert(uuid);  // it fitted after all: then it must be kept
    } else {
      EXPECT_GE(r.status, 500) << r.body;
      EXPECT_TRUE(parse_json(r.body).HasMember("error")) << r.body;
    }
  }
  EXPECT_EQ(server.client().get("/healthz").status, 200);
  EXPECT_EQ(listed_call_count(server.port(), alice), static_cast<std::int64_t>(acked.size()));
  const auto one = server.get(alice, "/v1/Account/" + alice.auth_id + "/Zentrunk/Call/d0-0/");
  EXPECT_EQ(one.status, 200) << one.body;
  ASSERT_TRUE(server.alive()) << server.log();

  // Space returns: restart without the limit. Exactly the acknowledged records are there.
  expect_exactly_acked_after_restart(server, alice, acked);

  // Normal service: ingest and reads.
  const auto again = server.ingest(fault_call(alice.auth_id, "after-space", 256).line() + "\n" +
                                   fault_call(alice.auth_id, "d0-0").line() + "\n");
  ASSERT_EQ(again.status, 200) << again.body;
  EXPECT_EQ(parse_json(again.body)["stored"].GetInt(), 1) << again.body;
  EXPECT_EQ(parse_json(again.body)["duplicates"].GetInt(), 1) << again.body;
  EXPECT_EQ(listed_call_count(server.port(), alice), static_cast<std::int64_t>(acked.size()) + 1);
  EXPECT_EQ(server.get(alice, "/v1/Account/" + alice.auth_id + "/Call/after-space/").status, 200);
}

// A tmpfs of `size` mounted on a fresh directory, unmounted (and removed) on destruction.
class SmallFilesystem {
 public:
  explicit SmallFilesystem(const std::string& size) {
    path_ = scratch_.path() + "/fs";
    std::filesystem::create_directory(path_);
    mounted_ =
        mount("tmpfs", path_.c_str(), "tmpfs", MS_NOSUID | MS_NODEV, ("size=" + size).c_str()) == 0;
  }
  ~SmallFilesystem() {
    if (mounted_) umount2(path_.c_str(), MNT_DETACH);
  }
  bool mounted() const { return mounted_; }
  const std::string& path() const { return path_; }

 private:
  TempDir scratch_;
  std::string path_;
  bool mounted_ = false;
};

TEST(FaultDisk, FullFilesystemRefusesIngestAndRecoversWhenSpaceIsFreedWithoutRestart) {
  SmallFilesystem fs("3m");
  if (!fs.mounted()) GTEST_SKIP() << "cannot mount a tmpfs here (needs root)";
  const std::string data = fs.path() + "/data";
  std::filesystem::create_directory(data);
  const Credentials alice = create_account_in(data, "disk-b");
  {  // Ballast that is deleted later to give the space back.
    std::ofstream ballast(fs.path() + "/ballast", std::ios::binary);
    const std::string mib(1024 * 1024, 'b');
    ballast << mib;
  }
  ASSERT_EQ(std::filesystem::file_size(fs.path() + "/ballast"), 1024u * 1024u);
  ServerProcess server(data);
  server.start({"--no-access-log"});

  std::set<std::string> acked;
  auto ingest_batch = [&](const std::string& prefix, int n) {
    std::string body;
    std::vector<std::string> uuids;
    for (int i = 0; i < n; ++i) {
      uuids.push_back(prefix + "-" + std::to_string(i));
      body += fault_call(alice.auth_id, uuids.back(), 200).line() + "\n";
    }
    auto client = server.client();
    client.set_timeout(20s);
    http::ClientResponse r =
        client.request("POST", "/v1/ingest/calls", body,
                       {{"Authorization", std::string("Bearer ") + CdrdServer::kOperatorKey},
                        {"Content-Type", "application/x-ndjson"}});
    if (r.status == 200) {
      EXPECT_EQ(parse_json(r.body)["stored"].GetInt(), n) << r.body;
      acked.insert(uuids.begin(), uuids.end());
    }
    return r;
  };

  http::ClientResponse refused;
  int batch = 0;
  for (; batch < 1000; ++batch) {
    refused = ingest_batch("f" + std::to_string(batch), 50);
    if (refused.status != 200) break;
  }
  ASSERT_LT(batch, 1000) << "the file system never filled";
  ASSERT_GT(acked.size(), 0u) << refused.status << " " << refused.body;
  EXPECT_GE(refused.status, 500) << refused.body;
  EXPECT_LE(refused.status, 507) << refused.body;
  EXPECT_TRUE(parse_json(refused.body).HasMember("error")) << refused.body;
  ASSERT_TRUE(server.alive());
  EXPECT_EQ(listed_call_count(server.port(), alice), static_cast<std::int64_t>(acked.size()));
  std::printf("[ full fs ] %zu records acknowledged before ingest was refused with %d\n",
              acked.size(), refused.status);

  // Space returns while the server runs: ingest and reads work again at once.
  std::filesystem::remove(fs.path() + "/ballast");
  const auto again = ingest_batch("after-free", 50);
  EXPECT_EQ(again.status, 200) << again.body;
  EXPECT_EQ(listed_call_count(server.port(), alice), static_cast<std::int64_t>(acked.size()));
  EXPECT_EQ(server.get(alice, "/v1/Account/" + alice.auth_id + "/Call/after-free-0/").status, 200);

  // And after a restart, exactly what was acknowledged.
  expect_exactly_acked_after_restart(server, alice, acked);
  EXPECT_EQ(server.stop(SIGTERM), 0);
}

}  // namespace
}  // namespace cdrd::test
