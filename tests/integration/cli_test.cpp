// The mercurio executable's commands, help, exit codes and error reporting.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>

#include "support/mercurio_cli.hpp"
#include "support/process.hpp"
#include "support/test_paths.hpp"

using namespace mercurio::test;
using ::testing::HasSubstr;
using ::testing::Not;

namespace {

void write(const std::filesystem::path& p, const std::string& text) { std::ofstream(p, std::ios::binary) << text; }

}  // namespace

TEST(CliTest, VersionAndHelp) {
  const auto dir = scratch_dir("cli_help");
  auto v = mercurio_cmd({"--version"}, dir);
  EXPECT_EQ(v.exit_code, 0);
  EXPECT_THAT(v.out, HasSubstr("mercurio " MERCURIO_VERSION));
  EXPECT_THAT(v.out, HasSubstr("plugin ABI 2.1"));
  auto h = mercurio_cmd({"--help"}, dir);
  EXPECT_EQ(h.exit_code, 0);
  for (const char* cmd : {"run", "check", "plugins", "generate-bars"}) {
    EXPECT_THAT(h.out, HasSubstr(cmd));
    auto sub = mercurio_cmd({cmd, "--help"}, dir);
    EXPECT_EQ(sub.exit_code, 0) << cmd;
    EXPECT_THAT(sub.out, HasSubstr(std::string("Usage: mercurio ") + cmd)) << cmd;
  }
}

TEST(CliTest, UsageErrorsExitWithTwo) {
  const auto dir = scratch_dir("cli_usage");
  EXPECT_EQ(mercurio_cmd({}, dir).exit_code, 2);
  auto unknown = mercurio_cmd({"trade-now"}, dir);
  EXPECT_EQ(unknown.exit_code, 2);
  EXPECT_THAT(unknown.err, HasSubstr("unknown command \"trade-now\""));
  auto bad_option = mercurio_cmd({"run", "--bogus"}, dir);
  EXPECT_EQ(bad_option.exit_code, 2);
  EXPECT_THAT(bad_option.err, HasSubstr("bogus"));
  auto live = mercurio_cmd({"run", "--mode", "live", "--config", "x.toml"}, dir);
  EXPECT_EQ(live.exit_code, 2);
  EXPECT_THAT(live.err, HasSubstr("--mode expected \"backtest\" or \"paper\", was \"live\""));
  auto missing = mercurio_cmd({"check", "--config", (dir / "absent.toml").string()}, dir);
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_THAT(missing.err, HasSubstr("absent.toml: cannot read the configuration file"));
}

TEST(CliTest, CheckListsEveryProblemOfAConfigAtOnce) {
  const auto dir = scratch_dir("cli_check_bad");
  write(dir / "bad.toml",
        "[kernel]\n"
        "mode = \"yolo\"\n"
        "[[plugin]]\n"
        "id = \"paper\"\n"
        "library = \"mercurio_broker_paper\"\n"
        "[plugin.config]\n"
        "starting_cash = \"lots\"\n"
        "data = { X = \"x.csv\" }\n"
        "[[plugin]]\n"
        "id = \"ma\"\n"
        "library = \"mercurio_strategy_moving_average\"\n"
        "[plugin.config]\n"
        "symbols = [\"X\"]\n"
        "short_windw = 5\n"
        "[[plugin]]\n"
        "id = \"ghost\"\n"
        "library = \"mercurio_strategy_ghost\"\n");
  auto r = mercurio_cmd({"check", "--config", (dir / "bad.toml").string()}, dir);
  EXPECT_EQ(r.exit_code, 2);
  const std::string file = (dir / "bad.toml").string();
  EXPECT_THAT(r.err, HasSubstr("(5 problems)"));
  EXPECT_THAT(r.err, HasSubstr(file + ": risk: missing [risk] table: Mercurio does not trade without limits (fail closed)"));
  EXPECT_THAT(r.err, HasSubstr(file + ":2:8: kernel.mode: expected \"backtest\", \"paper\" or \"live\", was \"yolo\""));
  EXPECT_THAT(r.err, HasSubstr(file + ":7:17: plugin[paper].config.starting_cash: expected a decimal number"));
  EXPECT_THAT(r.err, HasSubstr(file + ":14:15: plugin[ma].config.short_windw: unknown key"));
  EXPECT_THAT(r.err, HasSubstr(file + ":15: plugin[ghost].library: plugin library \"mercurio_strategy_ghost\" not found"));
}

TEST(CliTest, CheckAcceptsTheDefaultConfigurationWithoutTrading) {
  const auto dir = scratch_dir("cli_check_default");
  auto r = mercurio_cmd({"check", "--config", (source_dir() / "etc" / "mercurio.toml").string()}, dir);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("is valid (mode backtest)"));
  EXPECT_THAT(r.out, HasSubstr("paper: mercurio.brokers.paper"));
  EXPECT_THAT(r.out, HasSubstr("ma_demo: mercurio.strategies.moving_average"));
  EXPECT_THAT(r.out, HasSubstr("log: mercurio.notifiers.log"));
  EXPECT_FALSE(std::filesystem::exists(dir / "trades.csv"));
}

TEST(CliTest, EveryExampleConfigurationInEtcIsValid) {
  // The examples users copy must keep up with the config keys. Credentials are placeholders:
  // `check` resolves the env: references and creates each plugin once, but starts nothing.
  const auto dir = scratch_dir("cli_check_examples");
  const std::string env = "APCA_API_KEY_ID=PKTESTCHECK APCA_API_SECRET_KEY=check-secret-not-real ";
  int checked = 0;
  for (const auto& entry : std::filesystem::directory_iterator(source_dir() / "etc")) {
    if (entry.path().extension() != ".toml") continue;
    auto r = run_process({mercurio_exe().string(), "check", "--config", entry.path().string()}, dir, env);
    EXPECT_EQ(r.exit_code, 0) << entry.path() << ":\n" << r.err;
    EXPECT_THAT(r.err + r.out, Not(HasSubstr("check-secret-not-real")));
    ++checked;
  }
  EXPECT_GE(checked, 3);
  auto r = run_process({mercurio_exe().string(), "check", "--config", (source_dir() / "etc" / "alpaca-data-paper.toml").string()},
                       dir, env);
  EXPECT_THAT(r.out, HasSubstr("is valid (mode paper)"));
  EXPECT_THAT(r.out, HasSubstr("sim: mercurio.brokers.paper"));
  EXPECT_THAT(r.out, HasSubstr("alpaca_data: mercurio.brokers.alpaca"));
}

TEST(CliTest, PluginsListsKindVersionAndSchema) {
  const auto dir = scratch_dir("cli_plugins");
  auto r = mercurio_cmd({"plugins", "--dir", plugin_dir().string()}, dir);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("mercurio.brokers.paper 1.0.0 (broker)"));
  EXPECT_THAT(r.out, HasSubstr("mercurio.strategies.moving_average 1.0.0 (strategy)"));
  EXPECT_THAT(r.out, HasSubstr("mercurio.notifiers.log 1.0.0 (notifier)"));
  EXPECT_THAT(r.out, HasSubstr("short_window (integer"));
  EXPECT_THAT(r.out, HasSubstr("starting_cash (decimal"));
  auto by_config = mercurio_cmd({"plugins", "--config", (source_dir() / "etc" / "mercurio.toml").string()}, dir);
  EXPECT_EQ(by_config.exit_code, 0) << by_config.err;
  EXPECT_THAT(by_config.out, HasSubstr("ma_demo: mercurio.strategies.moving_average"));
  // A directory with broken libraries: each one is reported, the command fails.
  auto fixtures = mercurio_cmd({"plugins", "--dir", fixture_plugin_dir().string()}, dir);
  EXPECT_EQ(fixtures.exit_code, 2);
  EXPECT_THAT(fixtures.err, HasSubstr("libfixture_wrong_abi_major.so"));
  EXPECT_THAT(fixtures.out, HasSubstr("mercurio.test.good_strategy"));
}

TEST(CliTest, GenerateBarsIsDeterministicAndValidatesItsOptions) {
  const auto dir = scratch_dir("cli_generate");
  auto a = mercurio_cmd({"generate-bars", "--bars", "300", "--seed", "9", "--out", (dir / "a.csv").string()}, dir);
  auto b = mercurio_cmd({"generate-bars", "--bars", "300", "--seed", "9", "--out", (dir / "b.csv").string()}, dir);
  ASSERT_EQ(a.exit_code, 0) << a.err;
  ASSERT_EQ(b.exit_code, 0) << b.err;
  const std::string text = read_file(dir / "a.csv");
  EXPECT_EQ(text, read_file(dir / "b.csv"));
  EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 301);
  auto bad = mercurio_cmd({"generate-bars", "--interval", "7m", "--out", (dir / "c.csv").string()}, dir);
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_THAT(bad.err, HasSubstr("--interval expected"));
  EXPECT_FALSE(std::filesystem::exists(dir / "c.csv"));
}
