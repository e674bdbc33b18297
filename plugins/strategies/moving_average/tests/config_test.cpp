#include "config.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>
#include <stdexcept>
#include <string>

#include "moving_average_strategy.hpp"

using mercurio::sdk::ConfigValue;
using mercurio::sdk::ConfigView;
using mercurio::sdk::Decimal;
using namespace mercurio::strategies::moving_average;
using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::Not;

namespace {

// What the kernel hands the plugin: the schema's defaults, overridden by the user's keys.
ConfigView with_defaults(std::map<std::string, ConfigValue> user) {
  std::map<std::string, ConfigValue> values;
  for (const auto& field : moving_average_config_schema().fields)
    if (field.default_value) values[field.key] = *field.default_value;
  for (auto& [k, v] : user) values[k] = std::move(v);
  return ConfigView("ma", std::move(values));
}

ConfigValue symbols(std::vector<std::string> list) { return ConfigValue{std::move(list)}; }

std::string error_of(const ConfigView& config) {
  try {
    parse_settings(config);
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return "no error";
}

}  // namespace

TEST(MovingAverageConfigTest, SchemaDefaultsParseToTheDocumentedDefaults) {
  const Settings s = parse_settings(with_defaults({{"symbols", symbols({"SPY"})}}));
  const Settings expected;
  EXPECT_EQ(s.symbols, std::vector<std::string>{"SPY"});
  EXPECT_EQ(s.average, AverageKind::Simple);
  EXPECT_EQ(s.short_window, 10);
  EXPECT_EQ(s.long_window, 30);
  EXPECT_EQ(s.sizing, Sizing::Fixed);
  EXPECT_EQ(s.quantity, Decimal::from_int(100));
  EXPECT_EQ(s.percent, Decimal::from_int(10));
  EXPECT_EQ(s.lot_size, Decimal::from_int(1));
  EXPECT_TRUE(s.long_only);
  // The struct's own defaults are the same ones.
  EXPECT_EQ(expected.short_window, s.short_window);
  EXPECT_EQ(expected.long_window, s.long_window);
  EXPECT_EQ(expected.quantity, s.quantity);
}

TEST(MovingAverageConfigTest, SchemaDeclaresEveryKeyWithTheRightType) {
  const auto schema = moving_average_config_schema();
  ASSERT_NE(schema.find("symbols"), nullptr);
  EXPECT_TRUE(schema.find("symbols")->required);
  ASSERT_NE(schema.find("long_only"), nullptr);
  ASSERT_TRUE(schema.find("long_only")->default_value.has_value());
  EXPECT_TRUE(std::holds_alternative<bool>(*schema.find("long_only")->default_value));
  EXPECT_EQ(schema.find("sizing")->allowed,
            (std::vector<std::string>{"fixed", "percent_equity", "percent_buying_power"}));
  EXPECT_EQ(schema.fields.size(), 9u);
}

TEST(MovingAverageConfigTest, ParsesEveryKey) {
  const Settings s =
      parse_settings(with_defaults({{"symbols", symbols({"SPY", "QQQ"})},
                                    {"average", ConfigValue{std::string("ema")}},
                                    {"short_window", ConfigValue{std::int64_t{5}}},
                                    {"long_window", ConfigValue{std::int64_t{20}}},
                                    {"sizing", ConfigValue{std::string("percent_buying_power")}},
                                    {"percent", ConfigValue{Decimal::from_string("2.5")}},
                                    {"lot_size", ConfigValue{Decimal::from_string("0.001")}},
                                    {"long_only", ConfigValue{false}}}));
  EXPECT_EQ(s.symbols, (std::vector<std::string>{"SPY", "QQQ"}));
  EXPECT_EQ(s.average, AverageKind::Exponential);
  EXPECT_EQ(s.short_window, 5);
  EXPECT_EQ(s.long_window, 20);
  EXPECT_EQ(s.sizing, Sizing::PercentBuyingPower);
  EXPECT_EQ(s.percent, Decimal::from_string("2.5"));
  EXPECT_EQ(s.lot_size, Decimal::from_string("0.001"));
  EXPECT_FALSE(s.long_only);
}

TEST(MovingAverageConfigTest, ShortWindowNotBelowLongWindowIsRejected) {
  const std::string equal = error_of(with_defaults(
      {{"symbols", symbols({"SPY"})}, {"short_window", ConfigValue{std::int64_t{30}}}}));
  EXPECT_EQ(equal, "config key 'long_window': expected more than short_window (30), was 30");
  const std::string above =
      error_of(with_defaults({{"symbols", symbols({"SPY"})},
                              {"short_window", ConfigValue{std::int64_t{50}}},
                              {"long_window", ConfigValue{std::int64_t{20}}}}));
  EXPECT_THAT(above, HasSubstr("expected more than short_window (50), was 20"));
}

TEST(MovingAverageConfigTest, EmptyOrMissingSymbolsAreRejected) {
  EXPECT_EQ(error_of(with_defaults({{"symbols", symbols({})}})),
            "config key 'symbols': expected at least one symbol, was an empty list");
  EXPECT_EQ(error_of(with_defaults({})),
            "config key 'symbols': expected a list of symbols, was not set");
}

TEST(MovingAverageConfigTest, BadSymbolsAreNamedByIndex) {
  const std::string error =
      error_of(with_defaults({{"symbols", symbols({"SPY", "", "SPY", std::string(32, 'X')})}}));
  EXPECT_THAT(error, HasSubstr("config key 'symbols[1]': expected a non-empty symbol, was \"\""));
  EXPECT_THAT(error,
              HasSubstr("config key 'symbols[2]': expected each symbol once, was \"SPY\" again"));
  EXPECT_THAT(error, HasSubstr("config key 'symbols[3]': expected at most 31 characters, was 32"));
}

TEST(MovingAverageConfigTest, UnknownAverageAndSizingAreRejected) {
  EXPECT_EQ(
      error_of(with_defaults(
          {{"symbols", symbols({"SPY"})}, {"sizing", ConfigValue{std::string("martingale")}}})),
      "config key 'sizing': expected \"fixed\", \"percent_equity\" or \"percent_buying_power\", "
      "was \"martingale\"");
  EXPECT_EQ(error_of(with_defaults(
                {{"symbols", symbols({"SPY"})}, {"average", ConfigValue{std::string("wma")}}})),
            "config key 'average': expected \"sma\" or \"ema\", was \"wma\"");
}

TEST(MovingAverageConfigTest, PercentMustBeInZeroExclusiveToHundredInclusive) {
  auto with_percent = [](const char* p) {
    return with_defaults(
        {{"symbols", symbols({"SPY"})}, {"percent", ConfigValue{Decimal::from_string(p)}}});
  };
  EXPECT_EQ(parse_settings(with_percent("100")).percent, Decimal::from_int(100));
  EXPECT_EQ(parse_settings(with_percent("0.00000001")).percent, Decimal::from_raw(1));
  EXPECT_EQ(error_of(with_percent("0")),
            "config key 'percent': expected a decimal in (0, 100], was 0");
  EXPECT_EQ(error_of(with_percent("100.01")),
            "config key 'percent': expected a decimal in (0, 100], was 100.01");
}

TEST(MovingAverageConfigTest, ReportsEveryErrorAtOnce) {
  const std::string error =
      error_of(with_defaults({{"symbols", symbols({"SPY"})},
                              {"short_window", ConfigValue{std::int64_t{0}}},
                              {"quantity", ConfigValue{Decimal::from_int(-5)}},
                              {"lot_size", ConfigValue{Decimal{}}}}));
  EXPECT_THAT(
      error,
      AllOf(HasSubstr("config key 'short_window': expected an integer in [1, 1000000], was 0"),
            HasSubstr("config key 'quantity': expected a decimal > 0, was -5"),
            HasSubstr("config key 'lot_size': expected a decimal > 0, was 0"),
            Not(HasSubstr("long_window"))));
}

TEST(MovingAverageConfigTest, StrategyConstructorRejectsInvalidSettings) {
  Settings s;
  s.symbols = {"SPY"};
  s.short_window = 3;
  s.long_window = 3;
  EXPECT_THROW(MovingAverageStrategy{s}, std::invalid_argument);
  s.long_window = 4;
  EXPECT_NO_THROW(MovingAverageStrategy{s});
}
