// A GoogleTest fixture for black-box suites that need one fresh server a test: a CdrdServer,
// its account "acme", a scratch directory for the files a test hands to `cdrd`, and `cdrd`
// commands on the server's data directory. Header-only test support; not thread-safe.
#pragma once

#include <gtest/gtest.h>

#include <fstream>
#include <string>
#include <vector>

#include "harness.h"

namespace cdrd::test {

class ServerTest : public ::testing::Test {
 protected:
  void SetUp() override { acme_ = server_.create_account("acme"); }

  // `cdrd --data-dir D ARGS...` on the server's data directory, to completion.
  CommandResult cdrd(std::vector<std::string> args) const {
    args.insert(args.begin(), {"--data-dir", server_.data_dir()});
    return run_cdrd(args);
  }
  // Writes `text` to the file `name` of the scratch directory; its path.
  std::string write(const std::string& name, const std::string& text) const {
    const std::string path = files_.path() + "/" + name;
    std::ofstream(path) << text;
    return path;
  }

  CdrdServer server_;
  TempDir files_;
  Credentials acme_;
};

}  // namespace cdrd::test
