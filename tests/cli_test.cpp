// The `cdrd` command line itself, run as a user runs it: the exit codes of docs/operations.md
// ("Exit codes") for mistakes in the command line and the config file, `--version`, and config
// files whose unknown keys are refused with a message naming the key and the file.
#include <gtest/gtest.h>

#include <fstream>

#include "harness.h"

namespace cdrd::test {
namespace {

constexpr int kUsage = 2;  // docs/operations.md: a wrong command line or config file

std::string write_file(const TempDir& dir, const std::string& name, const std::string& text) {
  const std::string path = dir.path() + "/" + name;
  std::ofstream(path) << text;
  return path;
}

bool has(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

TEST(Cli, CommandLineMistakesExitWithTheUsageCodeNotCli11s) {
  TempDir dir;
  // Each was a CLI11 code before (106, 105, 105, 109, 106): the project's code now.
  const std::vector<std::vector<std::string>> mistakes = {
      {},                                                      // no subcommand
      {"--data-dir", dir.path(), "serve", "--port", "99999"},  // value out of range
      {"--data-dir", dir.path(), "import", dir.path() + "/no-such-file.ndjson"},
      {"--data-dir", dir.path(), "account", "list", "--no-such-option"},
      {"--data-dir", dir.path(), "no-such-subcommand"},
      {"--data-dir", dir.path(), "account", "create"},  // --name is required
      {"--data-dir", dir.path(), "import", "x.ndjson", "--format", "xml"},
  };
  for (const auto& args : mistakes) {
    const CommandResult r = run_cdrd(args);
    EXPECT_EQ(r.exit_code, kUsage) << r.out;
    EXPECT_TRUE(r.out.starts_with("cdrd: ")) << r.out;
    EXPECT_TRUE(has(r.out, "Run 'cdrd --help' for the usage.")) << r.out;
  }
  const CommandResult range = run_cdrd({"--data-dir", dir.path(), "serve", "--port", "99999"});
  EXPECT_TRUE(has(range.out, "cdrd: --port: Value 99999 not in range 0 to 65535")) << range.out;
}

TEST(Cli, HelpAndVersionExitZero) {
  const CommandResult help = run_cdrd({"--help"});
  EXPECT_EQ(help.exit_code, 0) << help.out;
  EXPECT_TRUE(has(help.out, "--version")) << help.out;

  const CommandResult version = run_cdrd({"--version"});
  EXPECT_EQ(version.exit_code, 0) << version.out;
  // "cdrd 0.1.0 (commit e43e11ba34be, Debug build)": the project version of CMakeLists.txt,
  // a commit (or "unknown" outside git) and the build type.
  EXPECT_TRUE(version.out.starts_with("cdrd ")) << version.out;
  EXPECT_TRUE(has(version.out, " (commit ")) << version.out;
  EXPECT_TRUE(has(version.out, " build)")) << version.out;
  const auto digit = version.out.find_first_of("0123456789");
  EXPECT_EQ(digit, 5u) << version.out;
}

TEST(Cli, ConfigFileKeysAreTheLongOptionNames) {
  TempDir dir;
  const std::string data = dir.path() + "/data";
  const std::string ini = write_file(
      dir, "cdrd.ini", "data-dir = " + data + "\n[account.create]\nname = from-config\n");
  const CommandResult r = run_cdrd({"--config", ini, "account", "create"});
  EXPECT_EQ(r.exit_code, 0) << r.out;
  const CommandResult list = run_cdrd({"--data-dir", data, "account", "list"});
  EXPECT_TRUE(has(list.out, "from-config")) << list.out;
}

TEST(Cli, UnknownConfigKeyIsAnErrorNamingTheKeyAndTheFile) {
  TempDir dir;
  const std::string in_section =
      write_file(dir, "serve.ini", "[serve]\nport = 9090\nretention-dayz = 120\n");
  const CommandResult r =
      run_cdrd({"--data-dir", dir.path(), "--config", in_section, "serve", "--port", "0"});
  EXPECT_EQ(r.exit_code, kUsage) << r.out;
  EXPECT_TRUE(has(r.out, "cdrd: config file " + in_section +
                             ": unknown key 'retention-dayz' in section [serve]"))
      << r.out;
  EXPECT_FALSE(has(r.out, "listening")) << r.out;  // refused before serving

  const std::string top = write_file(dir, "top.ini", "data-dir = x\nport = 9090\n");
  const CommandResult t = run_cdrd({"--config", top, "account", "list"});
  EXPECT_EQ(t.exit_code, kUsage) << t.out;
  EXPECT_TRUE(has(t.out, "cdrd: config file " + top + ": unknown key 'port'")) << t.out;

  const std::string nested =
      write_file(dir, "nested.ini", "[account.create]\nname = x\nlabel = y\n");
  const CommandResult n =
      run_cdrd({"--data-dir", dir.path(), "--config", nested, "account", "create"});
  EXPECT_EQ(n.exit_code, kUsage) << n.out;
  EXPECT_TRUE(has(n.out, "unknown key 'label' in section [account.create]")) << n.out;
  EXPECT_TRUE(has(n.out, "cdrd account create --help")) << n.out;

  const CommandResult missing =
      run_cdrd({"--config", dir.path() + "/no-such.ini", "account", "list"});
  EXPECT_EQ(missing.exit_code, kUsage) << missing.out;
  EXPECT_TRUE(has(missing.out, dir.path() + "/no-such.ini")) << missing.out;
}

}  // namespace
}  // namespace cdrd::test
