// End to end with a real switch (docs/switch-kamailio.md): Kamailio, with the configuration
// shipped in contrib/kamailio/, relays calls placed by SIPp (a caller and a callee, the
// scenarios of tests/sipp/) and posts each call's CDR to the real `cdrd` binary. The calls are
// answered calls of known lengths (one ended by the caller, one by the callee), a busy, a
// cancelled and an unanswered one, and one the proxy ends at its call limit; the test checks
// through the SIP-trunk and the cloud-PBX APIs that exactly those calls are stored, with their
// numbers, direction, durations, hangup codes and the amounts rated from the deck it loads.
// Kamailio and SIPp run as the test's own processes on free loopback ports, in a temporary
// directory, and are killed whatever happens. Skipped when Kamailio or SIPp is not installed
// (scripts/install-deps.sh installs them).
#include <fcntl.h>
#include <gmock/gmock.h>
#include <grp.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <pwd.h>
#include <rapidjson/document.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <map>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "core/crypto.h"
#include "harness.h"
#include "records.h"
#include "server_fixture.h"

extern char** environ;

namespace cdrd::test::kamailio_e2e {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

// The first executable `name` in $PATH or the sbin folders, or "".
std::string find_program(const std::string& name) {
  std::string dirs = std::getenv("PATH") ? std::getenv("PATH") : "";
  dirs += ":/usr/sbin:/usr/local/sbin:/sbin";
  std::size_t start = 0;
  while (start <= dirs.size()) {
    const std::size_t colon = dirs.find(':', start);
    const std::string dir = dirs.substr(start, colon == std::string::npos ? colon : colon - start);
    const std::string path = dir + "/" + name;
    if (!dir.empty() && access(path.c_str(), X_OK) == 0) return path;
    if (colon == std::string::npos) break;
    start = colon + 1;
  }
  return "";
}

// A free UDP port on 127.0.0.1 (bound and released).
std::uint16_t free_udp_port() {
  const int fd = socket(AF_INET, SOCK_DGRAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof a;
  if (fd < 0 || bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 ||
      getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) != 0) {
    if (fd >= 0) close(fd);
    throw std::runtime_error("no free UDP port");
  }
  close(fd);
  return ntohs(a.sin_port);
}

// True once something listens on UDP 127.0.0.1:`port`.
bool udp_port_taken(std::uint16_t port) {
  const int fd = socket(AF_INET, SOCK_DGRAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = htons(port);
  const bool taken =
      bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 && errno == EADDRINUSE;
  close(fd);
  return taken;
}

// A child process in its own process group, its output to a file; the whole group is killed
// when the object goes, unless it has been waited for.
class Child {
 public:
  Child(const std::vector<std::string>& argv, const std::string& dir, const std::string& log)
      : log_(log) {
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addchdir_np(&actions, dir.c_str());
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&actions, 1, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_adddup2(&actions, 1, 2);
    posix_spawnattr_t attr;
    posix_spawnattr_init(&attr);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP);
    posix_spawnattr_setpgroup(&attr, 0);
    std::vector<char*> args;
    for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    const int rc = posix_spawn(&pid_, argv[0].c_str(), &actions, &attr, args.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attr);
    if (rc != 0) throw std::runtime_error("cannot start " + argv[0]);
  }
  Child(const Child&) = delete;
  Child& operator=(const Child&) = delete;
  ~Child() { kill_all(); }

  // The exit code once the process ends within `limit`; nullopt (and the group killed) when it
  // does not.
  std::optional<int> wait(std::chrono::milliseconds limit) {
    const auto until = Clock::now() + limit;
    while (pid_ > 0) {
      int status = 0;
      const pid_t r = waitpid(pid_, &status, WNOHANG);
      if (r == pid_) {
        killpg(pid_, SIGKILL);  // whatever it left behind
        pid_ = -1;
        return exit_code_of(status);
      }
      if (Clock::now() > until) break;
      std::this_thread::sleep_for(20ms);
    }
    kill_all();
    return std::nullopt;
  }

  // Ends the process group: SIGTERM, then SIGKILL after a second.
  void kill_all() {
    if (pid_ <= 0) return;
    killpg(pid_, SIGTERM);
    const auto until = Clock::now() + 1s;
    int status = 0;
    while (waitpid(pid_, &status, WNOHANG) == 0 && Clock::now() < until) {
      std::this_thread::sleep_for(20ms);
    }
    killpg(pid_, SIGKILL);
    waitpid(pid_, &status, 0);
    pid_ = -1;
  }

  std::string output() const { return read_text(log_); }

 private:
  pid_t pid_ = -1;
  std::string log_;
};

// One call of the test: the callee's and the caller's scenarios and what cdrd must store.
struct TestCall {
  std::string name;  // also the first part of its SIP Call-ID
  std::string uas, uac;
  std::vector<std::string> uas_args, uac_args;
  std::string from, to;  // the SIP users
  std::int64_t duration;
  std::int64_t bill_duration;
  std::string amount;
  int hangup_code;
  std::string hangup_source;
  std::string pbx_result;          // the cloud-PBX view's result
  std::int64_t max_duration = -1;  // when the duration may vary: the longest one (else exact)
  // Kamailio 5.6.3 sometimes sends no BYE to the callee of a call it ends itself (its log:
  // "send_bye(): terminating non-confirmed dialogs not supported", when the caller's answer to
  // the first BYE is processed first); the CDR is right either way.
  bool callee_may_miss_bye = false;
};

// The proxy's call limit in the test, in seconds: longer than every call but the last.
constexpr std::int64_t kCallLimit = 7;

// The deck the calls are rated from: per-second billing to +1415, 6 s blocks to +1212.
constexpr const char* kDeck =
    "prefix,rate,initial_increment,subsequent_increment,effective_from,direction\n"
    "1415,0.06000,1,1,,outbound\n"
    "1212,0.03000,6,6,,outbound\n";

class KamailioEndToEnd : public ::testing::Test {
 protected:
  void SetUp() override {
    kamailio_ = find_program("kamailio");
    sipp_ = find_program("sipp");
    if (kamailio_.empty() || sipp_.empty()) {
      GTEST_SKIP() << "Kamailio or SIPp is not installed (Debian packages kamailio, "
                      "kamailio-extra-modules, kamailio-utils-modules, sip-tester: "
                      "scripts/install-deps.sh installs them)";
    }
    for (const char* module : {"acc_json.so", "http_client.so", "dialog.so", "rtimer.so"}) {
      const std::string path = std::string("/usr/lib/x86_64-linux-gnu/kamailio/modules/") + module;
      struct stat st {};
      if (stat(path.c_str(), &st) != 0 &&
          stat(("/usr/lib/kamailio/modules/" + std::string(module)).c_str(), &st) != 0) {
        GTEST_SKIP() << "the Kamailio module " << module
                     << " is not installed (kamailio-extra-modules, kamailio-utils-modules)";
      }
    }
  }

  // Runs one call: the callee's SIPp, then the caller's through Kamailio; both must succeed.
  void place(const TestCall& c) {
    const std::string scenarios = std::string(CDRD_SOURCE_DIR) + "/tests/sipp/";
    std::vector<std::string> uas = {sipp_,       "-sf",     scenarios + c.uas,         "-i",
                                    "127.0.0.1", "-p",      std::to_string(uas_port_), "-m",
                                    "1",         "-nostdin"};
    uas.insert(uas.end(), c.uas_args.begin(), c.uas_args.end());
    Child callee(uas, dir_.path(), dir_.path() + "/uas-" + c.name + ".log");
    for (auto until = Clock::now() + 5s; !udp_port_taken(uas_port_) && Clock::now() < until;) {
      std::this_thread::sleep_for(10ms);
    }
    std::vector<std::string> uac = {sipp_,      "127.0.0.1:" + std::to_string(kamailio_port_),
                                    "-sf",      scenarios + c.uac,
                                    "-i",       "127.0.0.1",
                                    "-p",       std::to_string(uac_port_),
                                    "-m",       "1",
                                    "-nostdin", "-s",
                                    c.to,       "-key",
                                    "caller",   c.from,
                                    "-cid_str", c.name + "-%u.%p@sipp.example.com"};
    uac.insert(uac.end(), c.uac_args.begin(), c.uac_args.end());
    Child caller(uac, dir_.path(), dir_.path() + "/uac-" + c.name + ".log");
    const auto caller_exit = caller.wait(20s);
    const auto callee_exit = callee.wait(c.callee_may_miss_bye ? 2s : 5s);
    EXPECT_EQ(caller_exit, 0) << c.name << ": the caller's SIPp\n" << caller.output();
    if (!c.callee_may_miss_bye || callee_exit) {
      EXPECT_EQ(callee_exit, 0) << c.name << ": the callee's SIPp\n" << callee.output();
    }
  }

  TempDir dir_;
  std::string kamailio_, sipp_;
  std::uint16_t kamailio_port_ = 0, uas_port_ = 0, uac_port_ = 0;
};

TEST_F(KamailioEndToEnd, CallsThroughKamailioAreStoredRatedAndServed) {
  const auto started = Clock::now();
  CdrdServer server;
  const Credentials acme = server.create_account("acme");
  auto deck =
      server.client().request("PUT", "/v1/ratedecks/" + acme.auth_id + "/outbound", kDeck,
                              {{"Authorization", std::string("Bearer ") + CdrdServer::kOperatorKey},
                               {"Content-Type", "text/csv"}});
  ASSERT_EQ(deck.status, 200) << deck.body;

  kamailio_port_ = free_udp_port();
  uas_port_ = free_udp_port();
  uac_port_ = free_udp_port();
  const std::string url =
      "http://127.0.0.1:" + std::to_string(server.port()) + "/v1/ingest/kamailio";
  std::vector<std::string> kamailio_args = {
      kamailio_,
      "-f",
      std::string(CDRD_SOURCE_DIR) + "/contrib/kamailio/kamailio-cdrd.cfg",
      "-DD",
      "-E",
      "-n",
      "2",
      "-m",
      "32",
      "-M",
      "8",
      "-Y",
      dir_.path(),
      "-l",
      "udp:127.0.0.1:" + std::to_string(kamailio_port_),
      "-A",
      "CDRD_URL=\"" + url + "\"",
      "-A",
      "CDRD_OPERATOR_KEY=\"" + std::string(CdrdServer::kOperatorKey) + "\"",
      "-A",
      "CDRD_ACCOUNT=\"" + acme.auth_id + "\"",
      "-A",
      "GATEWAY=\"sip:127.0.0.1:" + std::to_string(uas_port_) + "\"",
      "-A",
      "CALL_LIMIT=" + std::to_string(kCallLimit)};
  if (geteuid() == 0 && getpwnam("nobody") != nullptr) {
    // Root (a CI container): Kamailio drops to nobody once its port is bound.
    kamailio_args.insert(kamailio_args.end(), {"-u", "nobody"});
    if (getgrnam("nogroup") != nullptr)
      kamailio_args.insert(kamailio_args.end(), {"-g", "nogroup"});
  }
  Child kamailio(kamailio_args, dir_.path(), dir_.path() + "/kamailio.log");
  for (auto until = Clock::now() + 10s; !udp_port_taken(kamailio_port_);) {
    ASSERT_LT(Clock::now(), until) << "Kamailio did not start\n" << kamailio.output();
    std::this_thread::sleep_for(20ms);
  }

  // Talk times end half-way through a second, so the rounded-up durations are exact.
  const std::vector<TestCall> calls = {
      {"caller-bye",
       "uas_wait_bye.xml",
       "uac_call.xml",
       {},
       {"-d", "4500"},
       "442071838750",
       "14155550123",
       5,
       5,
       "0.00500",
       3000,
       "customer",
       "answered"},
      {"callee-bye",
       "uas_send_bye.xml",
       "uac_callee_bye.xml",
       {"-d", "1500"},
       {},
       "442071838751",
       "12125550199",
       2,
       6,
       "0.00300",
       3000,
       "carrier",
       "answered"},
      {"busy",
       "uas_busy.xml",
       "uac_busy.xml",
       {},
       {},
       "442071838752",
       "14155550124",
       0,
       0,
       "0.00000",
       4410,
       "carrier",
       "busy"},
      {"cancelled",
       "uas_ring.xml",
       "uac_cancel.xml",
       {},
       {"-d", "1000"},
       "442071838753",
       "14155550125",
       0,
       0,
       "0.00000",
       4440,
       "customer",
       "not answered"},
      {"unanswered",
       "uas_unavailable.xml",
       "uac_unavailable.xml",
       {},
       {},
       "442071838754",
       "14155550126",
       0,
       0,
       "0.00000",
       4330,
       "carrier",
       "not answered"},
      // Nobody hangs up: the proxy ends the call at its limit (kCallLimit), with a BYE to both.
      {"call-limit",
       "uas_wait_bye.xml",
       "uac_callee_bye.xml",
       {},
       {},
       "442071838755",
       "12125550198",
       kCallLimit,
       12,
       "0.00600",
       6030,
       "zentrunk",
       "answered",
       kCallLimit + 2,
       true},
  };
  for (const TestCall& c : calls) place(c);

  // Kamailio posts its queue every second.
  std::int64_t stored = 0;
  for (auto until = Clock::now() + 15s; Clock::now() < until; std::this_thread::sleep_for(200ms)) {
    stored = listed_call_count(server.port(), acme);
    if (stored >= static_cast<std::int64_t>(calls.size())) break;
  }
  ASSERT_EQ(stored, static_cast<std::int64_t>(calls.size())) << kamailio.output();

  // The SIP-trunk API: exactly these calls, each under the UUIDv5 of its Call-ID.
  auto list = server.get(acme, "/v1/Account/" + acme.auth_id + "/Zentrunk/Call/?limit=20");
  ASSERT_EQ(list.status, 200) << list.body;
  auto listed = parse_json(list.body);
  std::map<std::string, std::string> uuid_of;  // by call name
  for (const auto& o : listed["objects"].GetArray()) {
    const std::string from = o["from_number"].GetString();
    for (const TestCall& c : calls) {
      if (from == "+" + c.from) uuid_of[c.name] = o["call_uuid"].GetString();
    }
  }
  ASSERT_EQ(uuid_of.size(), calls.size()) << list.body;
  for (const TestCall& c : calls) {
    SCOPED_TRACE(c.name);
    auto r =
        server.get(acme, "/v1/Account/" + acme.auth_id + "/Zentrunk/Call/" + uuid_of[c.name] + "/");
    ASSERT_EQ(r.status, 200) << r.body;
    rapidjson::Document d;
    d.Parse<rapidjson::kParseNumbersAsStringsFlag>(r.body.c_str());
    const std::string call_id = d["call_id"].GetString();
    EXPECT_TRUE(call_id.starts_with(c.name + "-")) << r.body;
    EXPECT_EQ(uuid_of[c.name], uuid_v5(call_id)) << r.body;
    EXPECT_STREQ(d["call_direction"].GetString(), "outbound") << r.body;
    EXPECT_EQ(std::string(d["to_number"].GetString()), "+" + c.to) << r.body;
    const std::int64_t duration = std::stoll(d["call_duration"].GetString());
    EXPECT_GE(duration, c.duration) << r.body;
    EXPECT_LE(duration, c.max_duration < 0 ? c.duration : c.max_duration) << r.body;
    EXPECT_EQ(std::string(d["bill_duration"].GetString()), std::to_string(c.bill_duration))
        << r.body;
    EXPECT_EQ(std::string(d["total_amount"].GetString()), c.amount) << r.body;
    EXPECT_EQ(std::string(d["hangup_cause_code"].GetString()), std::to_string(c.hangup_code))
        << r.body;
    EXPECT_EQ(std::string(d["hangup_source"].GetString()), c.hangup_source) << r.body;
    EXPECT_EQ(d["answer_time"].IsNull(), c.duration == 0) << r.body;
    std::printf("%-11s %s %s -> %s  %ss bill %ss  %s  %s %s %s\n", c.name.c_str(),
                uuid_of[c.name].c_str(), d["from_number"].GetString(), d["to_number"].GetString(),
                d["call_duration"].GetString(), d["bill_duration"].GetString(),
                d["total_amount"].GetString(), d["hangup_cause_code"].GetString(),
                d["hangup_cause_name"].GetString(), d["hangup_source"].GetString());
  }

  // The cloud-PBX API: the same five calls, with their users and durations.
  const OAuthApp app = create_app_in(server.data_dir(), acme.auth_id);
  auto token = request_token(server.port(), app.client_id, app.client_secret);
  ASSERT_EQ(token.status, 200) << token.body;
  const std::string bearer = parse_json(token.body)["access_token"].GetString();
  auto pbx = server.client().request("GET", "/api/ver1.0/client/@me/calls/?per_page=50", "",
                                     {{"Authorization", "Bearer " + bearer}});
  ASSERT_EQ(pbx.status, 200) << pbx.body;
  auto pd = parse_json(pbx.body);
  ASSERT_EQ(pd["calls"].Size(), calls.size()) << pbx.body;
  for (const auto& o : pd["calls"].GetArray()) {
    const std::string uuid = o["call_uuid"].GetString();
    const TestCall* c = nullptr;
    for (const TestCall& t : calls) {
      if (uuid_of[t.name] == uuid) c = &t;
    }
    ASSERT_NE(c, nullptr) << uuid;
    SCOPED_TRACE(c->name);
    EXPECT_STREQ(o["flow"].GetString(), "out");
    EXPECT_EQ(std::string(o["from_username"].GetString()), "+" + c->from);
    EXPECT_EQ(std::string(o["to_username"].GetString()), "+" + c->to);
    EXPECT_GE(o["duration"].GetInt64(), c->duration);
    EXPECT_LE(o["duration"].GetInt64(), c->max_duration < 0 ? c->duration : c->max_duration);
    EXPECT_EQ(std::string(o["result"].GetString()), c->pbx_result);
  }

  kamailio.kill_all();
  const auto seconds =
      std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - started).count() / 1e3;
  std::printf("kamailio end to end: %zu calls placed, stored and checked in %.1f s\n", calls.size(),
              seconds);
}

}  // namespace
}  // namespace cdrd::test::kamailio_e2e

namespace cdrd::test::kamailio_endpoint {
namespace {

// POST /v1/ingest/kamailio without a switch: CDRs as Kamailio's acc_json writes them.
class KamailioIngest : public ServerTest {
 protected:
  // A CDR of an answered call the callee hung up, ended `ago_s` seconds ago after 30.5 s of talk.
  static std::string cdr(const std::string& call_id, std::int64_t ago_s = 60,
                         const std::string& account_attr = "") {
    const std::int64_t end = wall_now() / 1'000'000 - ago_s;
    const std::string e = std::to_string(end) + ".250";
    const std::string a = std::to_string(end - 31) + ".750";
    const std::string i = std::to_string(end - 36) + ".100000";
    return R"({"start_time": ")" + a + R"(", "end_time": ")" + e + R"(", "duration": "30.500", )" +
           account_attr + R"("call_direction": "outbound", "call_id": ")" + call_id +
           R"(", "invite_time": ")" + i +
           R"(", "caller": "442071838750", "callee": "14155550123", "caller_tag": "a1", )"
           R"("method": "BYE", "from_tag": "b2", "sip_code": "", "cdr_time": ")" +
           e + R"(", "transport": "udp"})";
  }
  http::ClientResponse post(const std::string& body, const std::string& query = "",
                            const std::string& key = CdrdServer::kOperatorKey,
                            const std::string& type = "application/json") const {
    return server_.client().request("POST", "/v1/ingest/kamailio" + query, body,
                                    {{"Authorization", "Bearer " + key}, {"Content-Type", type}});
  }
};

TEST_F(KamailioIngest, StoresACdrOnceUnderTheUuidOfItsCallId) {
  const std::string call_id = "a84b4c76e66710@pc33.atlanta.example.com";
  const std::string body = cdr(call_id, 60, R"("account": ")" + acme_.auth_id + R"(", )");
  auto first = post(body);
  ASSERT_EQ(first.status, 200) << first.body;
  EXPECT_EQ(parse_json(first.body)["stored"].GetInt(), 1) << first.body;
  auto again = post(body);  // Kamailio's retry after a lost answer
  ASSERT_EQ(again.status, 200) << again.body;
  EXPECT_EQ(parse_json(again.body)["duplicates"].GetInt(), 1) << again.body;

  auto r = server_.get(acme_,
                       "/v1/Account/" + acme_.auth_id + "/Zentrunk/Call/" + uuid_v5(call_id) + "/");
  ASSERT_EQ(r.status, 200) << r.body;
  auto d = parse_json(r.body);
  EXPECT_STREQ(d["call_id"].GetString(), call_id.c_str());
  EXPECT_STREQ(d["from_number"].GetString(), "+442071838750");
  EXPECT_STREQ(d["to_number"].GetString(), "+14155550123");
  EXPECT_EQ(d["call_duration"].GetInt64(), 31);  // 30.5 s, rounded up
  EXPECT_EQ(d["hangup_cause_code"].GetInt(), 3000);
  EXPECT_STREQ(d["hangup_source"].GetString(), "carrier");  // the callee's BYE
  EXPECT_EQ(listed_call_count(server_.port(), acme_), 1);
}

TEST_F(KamailioIngest, TheQueryNamesTheAccountOfCdrsWithoutOne) {
  auto r = post(cdr("q1@example.com"), "?account=" + acme_.auth_id);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(listed_call_count(server_.port(), acme_), 1);
  auto none = post(cdr("q2@example.com"));
  EXPECT_EQ(none.status, 400) << none.body;
  EXPECT_THAT(none.body, ::testing::HasSubstr("account: is required")) << none.body;
}

TEST_F(KamailioIngest, RefusesWhatIsNotAKamailioPost) {
  EXPECT_EQ(post(cdr("k@x"), "?account=" + acme_.auth_id, "wrong-key").status, 401);
  EXPECT_EQ(
      post(cdr("k@x"), "?account=" + acme_.auth_id, CdrdServer::kOperatorKey, "text/csv").status,
      415);
  auto unknown = post(cdr("k@x"), "?acount=" + acme_.auth_id);
  EXPECT_EQ(unknown.status, 400);
  EXPECT_THAT(unknown.body, ::testing::HasSubstr("acount: unknown query parameter"));
  auto old = post(cdr("k@x", 200LL * 86400), "?account=" + acme_.auth_id);
  EXPECT_EQ(old.status, 400);
  EXPECT_THAT(old.body, ::testing::HasSubstr("retention"));  // the canonical rules apply
  auto empty = post("\n\n", "?account=" + acme_.auth_id);
  EXPECT_EQ(empty.status, 400) << empty.body;
  EXPECT_EQ(listed_call_count(server_.port(), acme_), 0);
}

}  // namespace
}  // namespace cdrd::test::kamailio_endpoint
