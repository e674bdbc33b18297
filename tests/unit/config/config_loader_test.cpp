#include "config/config_loader.hpp"
#include "support/risk_config.hpp"

#include <algorithm>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

using namespace mercurio::kernel;
using ::testing::HasSubstr;

namespace {

const std::string kValid = R"(
[kernel]
mode = "backtest"
output_dir = "results"
log_level = "warning"
plugin_dirs = ["plugins"]

[backtest]
start = 2020-01-01
end = "2021-01-01T00:00:00Z"
)" + std::string(mercurio::test::kGenerousRiskTable) + R"(

[[plugin]]
id = "paper"
library = "mercurio_broker_paper"
[plugin.config]
starting_cash = "1000"

[[plugin]]
id = "ma"
library = "mercurio_strategy_moving_average"
broker = "paper"
)";

std::string valid_text() { return kValid; }

ConfigIssues issues_of(const std::string& text) {
  try {
    parse_config(text, "/etc/m/mercurio.toml");
  } catch (const ConfigError& e) {
    return e.issues();
  }
  return {};
}

}  // namespace

TEST(ConfigLoaderTest, ParsesKernelTablesAndPluginEntries) {
  const Config c = parse_config(valid_text(), "/etc/m/mercurio.toml");
  EXPECT_EQ(c.kernel.mode, RunMode::Backtest);
  EXPECT_EQ(c.kernel.output_dir, std::filesystem::path("/etc/m/results"));
  EXPECT_EQ(c.kernel.log_level, mercurio::sdk::LogLevel::Warning);
  ASSERT_EQ(c.kernel.plugin_dirs.size(), 1u);
  EXPECT_EQ(c.kernel.plugin_dirs[0], std::filesystem::path("/etc/m/plugins"));
  EXPECT_EQ(c.backtest.start.to_iso8601(), "2020-01-01T00:00:00Z");
  EXPECT_EQ(c.backtest.end.to_iso8601(), "2021-01-01T00:00:00Z");
  ASSERT_EQ(c.plugins.size(), 2u);
  EXPECT_EQ(c.plugins[0].id, "paper");
  EXPECT_EQ(c.plugins[0].library, "mercurio_broker_paper");
  EXPECT_EQ(c.plugins[0].config->get("starting_cash")->value_or(std::string()), "1000");
  const std::string risk = mercurio::test::kGenerousRiskTable;
  EXPECT_EQ(c.plugins[0].line, 13u + static_cast<std::uint32_t>(std::count(risk.begin(), risk.end(), '\n')));  // the entry follows [risk]
  EXPECT_EQ(*c.plugins[1].broker, "paper");
}

TEST(ConfigLoaderTest, ReadsMarketDataWithItsLine) {
  const Config c = parse_config(std::string(mercurio::test::kGenerousRiskTable) +
                                    "[[plugin]]\nid = \"feed\"\nlibrary = \"x\"\n[[plugin]]\nid = \"sim\"\nlibrary = \"y\"\n"
                                    "market_data = \"feed\"\n",
                                "/tmp/a/m.toml");
  ASSERT_EQ(c.plugins.size(), 2u);
  EXPECT_FALSE(c.plugins[0].market_data);
  ASSERT_TRUE(c.plugins[1].market_data);
  EXPECT_EQ(*c.plugins[1].market_data, "feed");
  const std::string risk = mercurio::test::kGenerousRiskTable;
  EXPECT_EQ(c.plugins[1].market_data_line, 7u + static_cast<std::uint32_t>(std::count(risk.begin(), risk.end(), '\n')));
}

TEST(ConfigLoaderTest, DefaultsApplyWhenKernelTableIsAbsent) {
  const Config c = parse_config(std::string(mercurio::test::kGenerousRiskTable) + "[[plugin]]\nid = \"p\"\nlibrary = \"x\"\n", "/tmp/a/m.toml");
  EXPECT_EQ(c.kernel.mode, RunMode::Backtest);
  EXPECT_EQ(c.kernel.output_dir, std::filesystem::path("/tmp/a/out"));
  EXPECT_EQ(c.backtest.start.ns, INT64_MIN);
}

// A table of invalid configurations, each with the message (and place) it must produce.
struct InvalidCase {
  const char* name;
  const char* text;
  const char* expected;  // substring of the full report
};

class InvalidConfigTest : public ::testing::TestWithParam<InvalidCase> {};

TEST_P(InvalidConfigTest, ReportsFileLineKeyAndReason) {
  const auto& c = GetParam();
  const ConfigIssues issues = issues_of(c.text);
  ASSERT_FALSE(issues.empty()) << c.name << " was accepted";
  EXPECT_THAT(issues.to_string(), HasSubstr(c.expected)) << c.name;
  EXPECT_THAT(issues.to_string(), HasSubstr("/etc/m/mercurio.toml")) << c.name;
}

INSTANTIATE_TEST_SUITE_P(
    Table, InvalidConfigTest,
    ::testing::Values(
        InvalidCase{"syntax", "[kernel\nmode=1", "/etc/m/mercurio.toml:1:"},
        InvalidCase{"syntax_message", "[kernel]\nmode = \n", "TOML syntax error"},
        InvalidCase{"unknown_top", "[riskk]\n[[plugin]]\nid=\"a\"\nlibrary=\"b\"\n", "mercurio.toml:1:1: riskk: unknown top-level key"},
        InvalidCase{"unknown_kernel_key", "[kernel]\nmodee = \"paper\"\n[[plugin]]\nid=\"a\"\nlibrary=\"b\"\n",
                    "mercurio.toml:2:9: kernel.modee: unknown key; expected one of: log_level, mode, output_dir, plugin_dirs, state_dir"},
        InvalidCase{"bad_mode", "[kernel]\nmode = \"yolo\"\n[[plugin]]\nid=\"a\"\nlibrary=\"b\"\n",
                    "mercurio.toml:2:8: kernel.mode: expected \"backtest\", \"paper\" or \"live\", was \"yolo\""},
        InvalidCase{"mode_type", "[kernel]\nmode = 3\n[[plugin]]\nid=\"a\"\nlibrary=\"b\"\n",
                    "kernel.mode: expected a string, was an integer 3"},
        InvalidCase{"bad_level", "[kernel]\nlog_level = \"loud\"\n[[plugin]]\nid=\"a\"\nlibrary=\"b\"\n",
                    "kernel.log_level: expected \"debug\", \"info\", \"warning\" or \"error\", was \"loud\""},
        InvalidCase{"plugin_dirs_type", "[kernel]\nplugin_dirs = \"x\"\n[[plugin]]\nid=\"a\"\nlibrary=\"b\"\n",
                    "kernel.plugin_dirs: expected an array of directory paths"},
        InvalidCase{"kernel_not_table", "kernel = 1\n[[plugin]]\nid=\"a\"\nlibrary=\"b\"\n", "kernel: expected a table, was an integer"},
        InvalidCase{"bad_start", "[backtest]\nstart = \"yesterday\"\n[[plugin]]\nid=\"a\"\nlibrary=\"b\"\n",
                    "mercurio.toml:2:9: backtest.start: expected an ISO-8601 UTC date"},
        InvalidCase{"end_before_start", "[backtest]\nstart = 2021-01-01\nend = 2020-01-01\n[[plugin]]\nid=\"a\"\nlibrary=\"b\"\n",
                    "backtest.end: expected a time after backtest.start"},
        InvalidCase{"no_plugins", "[kernel]\nmode = \"backtest\"\n", "plugin: no [[plugin]] entries"},
        InvalidCase{"plugin_not_array", "plugin = 3\n", "plugin: expected [[plugin]] entries"},
        InvalidCase{"missing_id", "[[plugin]]\nlibrary = \"x\"\n", "mercurio.toml:1:1: plugin[0]: missing key \"id\""},
        InvalidCase{"bad_id", "[[plugin]]\nid = \"has space\"\nlibrary = \"x\"\n", "plugin[0].id: expected letters, digits"},
        InvalidCase{"duplicate_id", "[[plugin]]\nid = \"a\"\nlibrary = \"x\"\n[[plugin]]\nid = \"a\"\nlibrary = \"y\"\n",
                    "mercurio.toml:5:6: plugin[a].id: duplicate plugin id \"a\""},
        InvalidCase{"missing_library", "[[plugin]]\nid = \"a\"\n", "plugin[a]: missing key \"library\""},
        InvalidCase{"unknown_plugin_key", "[[plugin]]\nid = \"a\"\nlibrary = \"x\"\nrisk_off = true\n",
                    "mercurio.toml:4:12: plugin[a].risk_off: unknown key"},
        InvalidCase{"config_not_table", "[[plugin]]\nid = \"a\"\nlibrary = \"x\"\nconfig = 5\n", "plugin[a].config: expected a table"},
        InvalidCase{"bad_severity", "[[plugin]]\nid = \"a\"\nlibrary = \"x\"\nmin_severity = \"panic\"\n",
                    "plugin[a].min_severity: expected \"info\", \"warning\", \"error\" or \"critical\", was \"panic\""},
        InvalidCase{"market_data_type", "[[plugin]]\nid = \"a\"\nlibrary = \"x\"\nmarket_data = 5\n",
                    "mercurio.toml:4:15: plugin[a].market_data: expected a string, was an integer 5"},
        // Upper bounds: a larger figure overflowed once turned into nanoseconds, bytes or a decimal.
        InvalidCase{"heartbeat_too_long", "[failsafe]\nheartbeat_interval_ms = 86400001\n[[plugin]]\nid=\"a\"\nlibrary=\"b\"\n",
                    "failsafe.heartbeat_interval_ms: expected an integer from 10 to 86400000, was 86400001"},
        InvalidCase{"data_gap_too_long", "[failsafe]\nmax_data_gap_ms = 9223372036854775807\n[[plugin]]\nid=\"a\"\nlibrary=\"b\"\n",
                    "failsafe.max_data_gap_ms: expected an integer from 10 to 31622400000"},
        InvalidCase{"recheck_too_long", "[journal]\npath = \"j.sqlite\"\nin_doubt_recheck_ms = 86400001\n[[plugin]]\nid=\"a\"\nlibrary=\"b\"\n",
                    "journal.in_doubt_recheck_ms: expected an integer from 0 to 86400000, was 86400001"},
        InvalidCase{"journal_too_large", "[journal]\npath = \"j.sqlite\"\nmax_size_mb = 1000000001\n[[plugin]]\nid=\"a\"\nlibrary=\"b\"\n",
                    "journal.max_size_mb: expected an integer from 0 (no cap) to 1000000000, was 1000000001"},
        InvalidCase{"risk_integer_too_large", "[risk]\norder_burst = 92233720369\n[[plugin]]\nid=\"a\"\nlibrary=\"b\"\n",
                    "risk.order_burst: expected an integer from 1 to 92233720368, was 92233720369"},
        // The rejection breaker cannot be switched off (there is no implicit "unlimited").
        InvalidCase{"rejection_breaker_off", "[risk]\nmax_consecutive_rejections = 0\n[[plugin]]\nid=\"a\"\nlibrary=\"b\"\n",
                    "mercurio.toml:2:30: risk.max_consecutive_rejections: expected an integer from 1"}));

TEST(ConfigLoaderTest, ReportsEveryProblemAtOnce) {
  const ConfigIssues issues = issues_of(
      "[kernel]\nmode = \"yolo\"\nlog_level = \"loud\"\nextra = 1\n[[plugin]]\nid = \"a\"\n[[plugin]]\nid = \"a\"\nlibrary = \"x\"\n");
  // bad mode, bad level, unknown key, missing [risk], missing library, duplicate id
  EXPECT_EQ(issues.size(), 6u) << issues.to_string();
}

TEST(ConfigLoaderTest, MissingFileIsAClearError) {
  try {
    load_config("/nonexistent/mercurio.toml");
    FAIL() << "expected ConfigError";
  } catch (const ConfigError& e) {
    EXPECT_THAT(e.what(), HasSubstr("/nonexistent/mercurio.toml: cannot read the configuration file"));
  }
}
