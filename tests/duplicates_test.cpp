// Black-box tests of duplicates found in memory (the calls table has no unique uuid key since
// migration 10): a call ingested by the server and imported by `cdrd import` while the server
// runs is stored once, whichever comes first, and found by its uuid in any letter case.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "harness.h"
#include "records.h"
#include "server_fixture.h"

namespace cdrd::test {
namespace {

using ::testing::HasSubstr;

using Duplicates = ServerTest;

TEST_F(Duplicates, AServerAndAnImportWhileItRunsStoreEachCallOnce) {
  auto ingest = [&](const std::string& body) {
    const auto r = server_.ingest(body);
    EXPECT_EQ(r.status, 200) << r.body;
    return parse_json(r.body);
  };
  // The server's map of the account is built by its first write.
  auto d = ingest(answered_call(acme_.auth_id, "served-1").line() + "\n");
  EXPECT_EQ(d["stored"].GetInt(), 1);

  const std::string file =
      write("calls.ndjson", answered_call(acme_.auth_id, "SERVED-1").line() + "\n" +
                                answered_call(acme_.auth_id, "imported-1").line() + "\n" +
                                answered_call(acme_.auth_id, "imported-2").line() + "\n");
  const auto imported = cdrd({"import", "--quiet", file});
  EXPECT_EQ(imported.exit_code, 0) << imported.out;
  EXPECT_THAT(imported.out, HasSubstr("stored 2, duplicates 1, failed 0"));

  // The server learns of the import's calls before its next write, and on a lookup.
  d = ingest(answered_call(acme_.auth_id, "Imported-1").line() + "\n" +
             answered_call(acme_.auth_id, "served-2").line() + "\n");
  EXPECT_EQ(d["stored"].GetInt(), 1);
  EXPECT_EQ(d["duplicates"].GetInt(), 1);
  const auto one =
      server_.get(acme_, "/v1/Account/" + acme_.auth_id + "/Zentrunk/Call/IMPORTED-2/");
  EXPECT_EQ(one.status, 200) << one.body;

  // And the import the server's.
  const auto again =
      cdrd({"import", "--quiet",
            write("again.ndjson", answered_call(acme_.auth_id, "served-2").line() + "\n")});
  EXPECT_EQ(again.exit_code, 0) << again.out;
  EXPECT_THAT(again.out, HasSubstr("stored 0, duplicates 1, failed 0"));
}

}  // namespace
}  // namespace cdrd::test
