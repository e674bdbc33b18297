// The schema and the settings the broker derives from a validated ConfigView.
#include "config.hpp"

#include <algorithm>
#include <thread>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "paper_broker.hpp"
#include "test_support.hpp"

namespace mercurio::brokers::paper {
namespace {

using testing::dec;
using ::testing::HasSubstr;
using testing::make_config;

TEST(PaperConfigTest, SchemaDeclaresEveryKeyWithItsDefault) {
  const sdk::ConfigSchema schema = paper_config_schema();
  const std::vector<std::string> keys = {"starting_cash",        "data",
                                         "commission_per_share", "commission_percent",
                                         "commission_minimum",   "slippage_bps",
                                         "allow_short",          "allow_margin",
                                         "on_bad_row",           "state_file",
                                         "replay_interval_ms",   "load_threads"};
  ASSERT_EQ(schema.fields.size(), keys.size());
  for (std::size_t i = 0; i < keys.size(); ++i) EXPECT_EQ(schema.fields[i].key, keys[i]);

  EXPECT_FALSE(schema.find("data")->required);  // empty: bars routed from another broker (market_data)
  EXPECT_TRUE(std::get<sdk::StringMap>(*schema.find("data")->default_value).empty());
  EXPECT_EQ(schema.find("data")->type, sdk::ConfigType::StringMap);
  EXPECT_EQ(std::get<sdk::Decimal>(*schema.find("starting_cash")->default_value), dec("100000"));
  EXPECT_EQ(*schema.find("starting_cash")->minimum, sdk::Decimal{});
  EXPECT_EQ(std::get<std::string>(*schema.find("on_bad_row")->default_value), "error");
  EXPECT_EQ(schema.find("on_bad_row")->allowed, (std::vector<std::string>{"error", "skip"}));
  EXPECT_EQ(std::get<std::int64_t>(*schema.find("replay_interval_ms")->default_value), 0);
  EXPECT_EQ(*schema.find("replay_interval_ms")->minimum, sdk::Decimal{});
  EXPECT_EQ(*schema.find("replay_interval_ms")->maximum,
            sdk::Decimal::from_int(kMaxReplayIntervalMs));
  // 0: one thread per online CPU.
  EXPECT_EQ(std::get<std::int64_t>(*schema.find("load_threads")->default_value), 0);
  EXPECT_EQ(*schema.find("load_threads")->minimum, sdk::Decimal{});
  EXPECT_EQ(*schema.find("load_threads")->maximum, sdk::Decimal::from_int(kMaxLoadThreads));
  EXPECT_FALSE(std::get<bool>(*schema.find("allow_short")->default_value));
  EXPECT_FALSE(std::get<bool>(*schema.find("allow_margin")->default_value));
  EXPECT_EQ(std::get<std::string>(*schema.find("state_file")->default_value), "");  // in memory unless asked
}

TEST(PaperConfigTest, DefaultsGiveAConservativeAccount) {
  auto s = parse_settings(make_config());
  ASSERT_TRUE(s) << s.status().message();
  EXPECT_EQ(s->starting_cash, dec("100000"));
  EXPECT_EQ(s->commission.per_share, sdk::Decimal{});
  EXPECT_EQ(s->commission.percent, sdk::Decimal{});
  EXPECT_EQ(s->commission.minimum, sdk::Decimal{});
  EXPECT_EQ(s->slippage_bps, sdk::Decimal{});
  EXPECT_FALSE(s->allow_short);
  EXPECT_FALSE(s->allow_margin);
  EXPECT_EQ(s->on_bad_row, BadRowPolicy::Error);
  EXPECT_EQ(s->replay_interval.count(), 0);
  // 0 (the default) asks for one thread per online CPU, at least 1 and at most the maximum.
  EXPECT_EQ(s->load_threads, std::clamp(std::thread::hardware_concurrency(), 1U,
                                        static_cast<unsigned>(kMaxLoadThreads)));
}

TEST(PaperConfigTest, LoadThreadsAreTakenAsGiven) {
  auto one = parse_settings(make_config({{"load_threads", std::int64_t{1}}}));
  ASSERT_TRUE(one) << one.status().message();
  EXPECT_EQ(one->load_threads, 1U);
  auto eight = parse_settings(make_config({{"load_threads", std::int64_t{8}}}));
  ASSERT_TRUE(eight) << eight.status().message();
  EXPECT_EQ(eight->load_threads, 8U);
}

TEST(PaperConfigTest, RelativeDataPathsResolveAgainstTheConfigDirectory) {
  auto s = parse_settings(make_config(
      {{"data", sdk::StringMap{{"SPY", "data/../data/SPY.csv"}, {"ABS", "/srv/bars/abs.csv"}}}},
      "/etc/mercurio"));
  ASSERT_TRUE(s) << s.status().message();
  EXPECT_EQ(s->data.at("SPY"), "/etc/mercurio/data/SPY.csv");
  EXPECT_EQ(s->data.at("ABS"), "/srv/bars/abs.csv");
}

TEST(PaperConfigTest, AReplayIntervalLongerThanADayIsRefused) {
  auto s = parse_settings(make_config({{"replay_interval_ms", std::int64_t{86'400'001}}}));
  ASSERT_FALSE(s);
  EXPECT_THAT(
      s.status().message(),
      HasSubstr("config key 'replay_interval_ms': expected 0 to 86400000 (a day), was 86400001"));
}

TEST(PaperConfigTest, ReportsAllProblemsAtOnce) {
  auto s = parse_settings(
      make_config({{"starting_cash", dec("-1")},
                   {"commission_percent", dec("-0.1")},
                   {"slippage_bps", dec("10000")},
                   {"on_bad_row", std::string("ignore")},
                   {"replay_interval_ms", std::int64_t{-5}},
                   {"load_threads", std::int64_t{65}},
                   {"data", sdk::StringMap{{std::string(32, 'X'), "x.csv"}, {"SPY", ""}}}}));
  ASSERT_FALSE(s);
  const std::string m = s.status().message();
  EXPECT_THAT(m, HasSubstr("plugin 'paper' (mercurio.brokers.paper): 8 config errors"));
  EXPECT_THAT(m, HasSubstr("config key 'starting_cash': expected >= 0, was -1"));
  EXPECT_THAT(m, HasSubstr("config key 'commission_percent': expected >= 0, was -0.1"));
  EXPECT_THAT(m, HasSubstr("config key 'slippage_bps': expected below 10000"));
  EXPECT_THAT(m,
              HasSubstr("config key 'on_bad_row': expected \"error\" or \"skip\", was \"ignore\""));
  EXPECT_THAT(m,
              HasSubstr("config key 'replay_interval_ms': expected 0 to 86400000 (a day), was -5"));
  EXPECT_THAT(m, HasSubstr("config key 'load_threads': expected 0 to 64, was 65"));
  EXPECT_THAT(m, HasSubstr("expected a symbol of 1 to 31 characters, was 32 characters"));
  EXPECT_THAT(m, HasSubstr("config key 'data.SPY': expected a CSV file path, was empty"));
}

// percent / 100 and bps / 10000 are computed in 8-digit decimals: a finer figure would be rounded
// away (0.0000005 % charged as nothing), so it is refused; the finest that survives is taken.
TEST(PaperConfigTest, FeesFinerThanTheFillRulesKeepAreRefused) {
  auto s = parse_settings(
      make_config({{"commission_percent", dec("0.0000005")}, {"slippage_bps", dec("2.00005")}}));
  ASSERT_FALSE(s);
  const std::string m = s.status().message();
  EXPECT_THAT(m, HasSubstr("config key 'commission_percent': expected at most 6 decimal places (it "
                           "is divided by 100 "
                           "in 8-digit decimals), was 0.0000005"));
  EXPECT_THAT(
      m,
      HasSubstr(
          "config key 'slippage_bps': expected at most 4 decimal places (it is divided by 10000 in "
          "8-digit decimals), was 2.00005"));
  auto fine = parse_settings(
      make_config({{"commission_percent", dec("0.000001")}, {"slippage_bps", dec("2.0001")}}));
  ASSERT_TRUE(fine) << fine.status().message();
  EXPECT_EQ(fine->commission.percent, dec("0.000001"));
  EXPECT_EQ(fine->slippage_bps, dec("2.0001"));
}

TEST(PaperConfigTest, EmptyDataTableMeansBarsComeFromElsewhere) {
  auto s = parse_settings(make_config({{"data", sdk::StringMap{}}}));
  ASSERT_TRUE(s) << s.status().message();
  EXPECT_TRUE(s->data.empty());
}

TEST(PaperConfigTest, MissingKeyIsReportedNotThrown) {
  sdk::ConfigView view("paper", {{"starting_cash", dec("5")}});
  auto s = parse_settings(view);
  ASSERT_FALSE(s);
  EXPECT_THAT(s.status().message(), HasSubstr("read config key 'data' which is not set"));
}

TEST(PaperConfigTest, BrokerConstructorThrowsWithTheConfigErrors) {
  try {
    PaperBroker broker(make_config({{"starting_cash", dec("-1")}}));
    FAIL() << "expected std::invalid_argument";
  } catch (const std::invalid_argument& e) {
    EXPECT_THAT(e.what(), HasSubstr("config key 'starting_cash': expected >= 0, was -1"));
  }
}

}  // namespace
}  // namespace mercurio::brokers::paper
