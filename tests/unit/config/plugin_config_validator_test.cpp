#include "config/plugin_config_validator.hpp"

#include <fstream>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "config/config_loader.hpp"
#include "support/risk_config.hpp"

using namespace mercurio::kernel;
using mercurio::sdk::ConfigField;
using mercurio::sdk::ConfigSchema;
using mercurio::sdk::Decimal;
using ::testing::HasSubstr;
using ::testing::Not;

namespace {

ConfigSchema schema() {
  ConfigSchema s;
  s.add(ConfigField::integer("window", "bars").min(1).max(500).defaults(10));
  s.add(ConfigField::decimal("cash", "starting cash").min(Decimal::from_int(0)).defaults("100"));
  s.add(ConfigField::string("average", "sma or ema").one_of({"sma", "ema"}).defaults("sma"));
  s.add(ConfigField::boolean("long_only", "no shorts").defaults(mercurio::sdk::ConfigValue{true}));
  s.add(ConfigField::string_list("symbols", "what to trade").mandatory());
  s.add(ConfigField::string_map("data", "symbol to file"));
  s.add(ConfigField::secret("api_key", "the key"));
  return s;
}

struct Outcome {
  std::optional<mercurio::sdk::ConfigView> view;
  ConfigIssues issues;
};

Outcome validate(const std::string& plugin_config,
                 EnvLookup env = [](const std::string&) { return std::optional<std::string>(); }) {
  // [risk] last, so the line numbers in the expected messages count from the plugin entry.
  const std::string text = "[[plugin]]\nid = \"p\"\nlibrary = \"x\"\n[plugin.config]\n" + plugin_config + "\n" +
                           mercurio::test::kGenerousRiskTable;
  static Config config;  // the view keeps no reference to it; static keeps entry pointers simple
  config = parse_config(text, "/cfg/mercurio.toml");
  Outcome out;
  out.view = validate_plugin_config(config.plugins[0], schema(), config, env, out.issues);
  return out;
}

}  // namespace

TEST(PluginConfigValidatorTest, FillsDefaultsAndTypes) {
  auto out = validate("symbols = [\"SPY\"]\ncash = 0.1\n");
  ASSERT_TRUE(out.view) << out.issues.to_string();
  EXPECT_EQ(out.view->get_integer("window"), 10);
  EXPECT_EQ(out.view->get_decimal("cash"), Decimal::from_string("0.1"));  // float taken at its decimal spelling
  EXPECT_EQ(out.view->get_string("average"), "sma");
  EXPECT_TRUE(out.view->get_boolean("long_only"));
  EXPECT_EQ(out.view->get_string_list("symbols").at(0), "SPY");
  EXPECT_FALSE(out.view->has("data"));
  EXPECT_EQ(out.view->base_directory(), "/cfg");
}

TEST(PluginConfigValidatorTest, TheViewCarriesTheRunsMode) {
  for (const auto mode : {RunMode::Backtest, RunMode::Paper, RunMode::Live}) {
    Config config = parse_config("[[plugin]]\nid = \"p\"\nlibrary = \"x\"\n[plugin.config]\nsymbols = []\n" +
                                     std::string(mercurio::test::kGenerousRiskTable),
                                 "/cfg/mercurio.toml");
    config.kernel.mode = mode;  // as `mercurio run --mode` sets it before the plugins are configured
    ConfigIssues issues;
    auto view = validate_plugin_config(config.plugins[0], schema(), config, process_environment(), issues);
    ASSERT_TRUE(view) << issues.to_string();
    EXPECT_EQ(view->run_mode(), mode);
  }
}

TEST(PluginConfigValidatorTest, DecimalsAcceptStringsAndIntegers) {
  auto a = validate("symbols = []\ncash = \"12.345\"\n");
  auto b = validate("symbols = []\ncash = 12\n");
  ASSERT_TRUE(a.view && b.view);
  EXPECT_EQ(a.view->get_decimal("cash"), Decimal::from_string("12.345"));
  EXPECT_EQ(b.view->get_decimal("cash"), Decimal::from_int(12));
}

struct Bad {
  const char* text;
  const char* expected;
};
class InvalidPluginConfigTest : public ::testing::TestWithParam<Bad> {};

TEST_P(InvalidPluginConfigTest, IsRefusedWithPlaceAndReason) {
  auto out = validate(GetParam().text);
  EXPECT_FALSE(out.view);
  EXPECT_THAT(out.issues.to_string(), HasSubstr(GetParam().expected));
}

INSTANTIATE_TEST_SUITE_P(
    Table, InvalidPluginConfigTest,
    ::testing::Values(
        Bad{"symbols = [\"A\"]\nwindoww = 3\n", "/cfg/mercurio.toml:6:11: plugin[p].config.windoww: unknown key; this plugin accepts: window, cash"},
        Bad{"window = 3\n", "/cfg/mercurio.toml:1: plugin[p].config.symbols: missing required key (array of strings: what to trade)"},
        Bad{"symbols = [\"A\"]\nwindow = 0\n", "mercurio.toml:6:10: plugin[p].config.window: expected a value >= 1, was 0"},
        Bad{"symbols = [\"A\"]\nwindow = 501\n", "plugin[p].config.window: expected a value <= 500, was 501"},
        Bad{"symbols = [\"A\"]\nwindow = \"10\"\n", "plugin[p].config.window: expected an integer, was a string \"10\""},
        Bad{"symbols = [\"A\"]\ncash = \"1.2.3\"\n", "plugin[p].config.cash: expected a decimal number with at most 8 fractional digits, was \"1.2.3\""},
        Bad{"symbols = [\"A\"]\ncash = -5\n", "plugin[p].config.cash: expected a value >= 0, was -5"},
        Bad{"symbols = [\"A\"]\ncash = true\n", "plugin[p].config.cash: expected a decimal number"},
        Bad{"symbols = [\"A\"]\naverage = \"wma\"\n", "plugin[p].config.average: expected one of \"sma\", \"ema\", was \"wma\""},
        Bad{"symbols = [\"A\"]\nlong_only = \"yes\"\n", "plugin[p].config.long_only: expected true or false, was \"yes\""},
        Bad{"symbols = [\"A\", 3]\n", "plugin[p].config.symbols[1]: expected a string, was 3"},
        Bad{"symbols = [\"A\"]\ndata = { SPY = 1 }\n", "plugin[p].config.data.SPY: expected a string, was 1"},
        Bad{"symbols = [\"A\"]\napi_key = \"env:NOPE\"\n", "plugin[p].config.api_key: environment variable NOPE is not set or empty"},
        Bad{"symbols = [\"A\"]\napi_key = \"file:missing.key\"\n", "plugin[p].config.api_key: cannot read secret file /cfg/missing.key"},
        Bad{"symbols = [\"A\"]\napi_key = \"sk-live-123\"\n", "secrets must be references, \"env:NAME\" or \"file:PATH\"; a literal value was given (not shown)"}));

TEST(PluginConfigValidatorTest, LiteralSecretIsNeverEchoed) {
  auto out = validate("symbols = [\"A\"]\napi_key = \"sk-live-123\"\n");
  EXPECT_THAT(out.issues.to_string(), Not(HasSubstr("sk-live-123")));
}

TEST(PluginConfigValidatorTest, SecretsResolveFromEnvironmentAndFiles) {
  auto out = validate("symbols = [\"A\"]\napi_key = \"env:MY_KEY\"\n", [](const std::string& name) {
    return name == "MY_KEY" ? std::optional<std::string>("s3cret") : std::nullopt;
  });
  ASSERT_TRUE(out.view) << out.issues.to_string();
  EXPECT_EQ(out.view->get_secret("api_key").reveal(), "s3cret");
  EXPECT_EQ(out.view->get_secret("api_key").reference(), "env:MY_KEY");

  const auto dir = std::filesystem::temp_directory_path() / "mercurio_secret_test";
  std::filesystem::create_directories(dir);
  { std::ofstream(dir / "key.txt") << "from-file\n"; }
  auto from_file = validate("symbols = [\"A\"]\napi_key = \"file:" + (dir / "key.txt").string() + "\"\n");
  ASSERT_TRUE(from_file.view) << from_file.issues.to_string();
  EXPECT_EQ(from_file.view->get_secret("api_key").reveal(), "from-file");  // trailing newline dropped
  std::filesystem::remove_all(dir);
}

TEST(PluginConfigValidatorTest, ADefaultOfTheWrongTypeIsReportedAsAPluginBug) {
  const Config config = parse_config(std::string(mercurio::test::kGenerousRiskTable) + "[[plugin]]\nid = \"p\"\nlibrary = \"x\"\n", "/cfg/mercurio.toml");
  ConfigSchema bad;
  bad.add(ConfigField::decimal("cash", "cash").defaults(mercurio::sdk::ConfigValue{std::string("100")}));
  ConfigIssues issues;
  EXPECT_FALSE(validate_plugin_config(config.plugins[0], bad, config, process_environment(), issues));
  EXPECT_THAT(issues.to_string(), HasSubstr("plugin[p].config.cash: the plugin's schema declares a default of the wrong type"));
}

TEST(PluginConfigValidatorTest, FloatsFollowTheStringRules) {
  EXPECT_FALSE(validate("symbols = []\ncash = 0.123456789\n").view);
  EXPECT_FALSE(validate("symbols = []\ncash = 1e-70\n").view);
  EXPECT_FALSE(validate("symbols = []\ncash = inf\n").view);
  auto ok = validate("symbols = []\ncash = 2.5e3\n");
  ASSERT_TRUE(ok.view);
  EXPECT_EQ(ok.view->get_decimal("cash"), Decimal::from_int(2500));
}

TEST(PluginConfigValidatorTest, ReportsAllProblemsOfOneTable) {
  auto out = validate("window = 0\naverage = \"x\"\nbogus = 1\n");
  EXPECT_EQ(out.issues.size(), 4u) << out.issues.to_string();  // bogus, window, average, missing symbols
}
