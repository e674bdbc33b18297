// Market-data routing (`market_data` on a broker's [[plugin]] entry): a paper broker without CSV
// data trades on the bars of another broker (here fixture_flaky_broker, which serves bar i at
// open = close = 100 + 2i, high +1, low -1, one minute apart from 2023-11-14T22:13:20Z, and logs
// how often account() and submit() were called). Backtest and paper mode; the config checks.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>

#include "support/csv.hpp"
#include "support/mercurio_cli.hpp"
#include "support/process.hpp"
#include "support/risk_config.hpp"
#include "support/test_paths.hpp"

using namespace mercurio::test;
using ::testing::HasSubstr;
using ::testing::Not;

namespace {

// The data broker "feed", one or two paper brokers routed to it, each with a strategy that buys 1
// on its first bar (fixture_good_strategy: market, DAY).
std::filesystem::path write_routed(const std::string& name, const std::string& mode, bool two_traders,
                                   const std::string& feed_extra = "", const std::string& extra_tables = "") {
  const auto dir = scratch_dir(name);
  std::ofstream cfg(dir / "mercurio.toml");
  cfg << "[kernel]\nmode = \"" << mode << "\"\noutput_dir = \"out\"\nstate_dir = \"state\"\nplugin_dirs = [\""
      << fixture_plugin_dir().string() << "\"]\n"
      << "[failsafe]\nheartbeat_interval_ms = 20\n"
      << "[[plugin]]\nid = \"feed\"\nlibrary = \"fixture_flaky_broker\"\n[plugin.config]\n"
      << "bars = 6\ninterval_ms = 30\nprice_step = 2\nserve_history = true\n" << feed_extra
      << "[[plugin]]\nid = \"sim\"\nlibrary = \"mercurio_broker_paper\"\nmarket_data = \"feed\"\n[plugin.config]\n"
      << "starting_cash = \"10000\"\nstate_file = \"sim-account.toml\"\n"
      << "[[plugin]]\nid = \"buyer\"\nlibrary = \"fixture_good_strategy\"\nbroker = \"sim\"\n";
  if (two_traders)
    cfg << "[[plugin]]\nid = \"sim2\"\nlibrary = \"mercurio_broker_paper\"\nmarket_data = \"feed\"\n[plugin.config]\n"
        << "starting_cash = \"5000\"\n"
        << "[[plugin]]\nid = \"buyer2\"\nlibrary = \"fixture_good_strategy\"\nbroker = \"sim2\"\n";
  cfg << "[[plugin]]\nid = \"log\"\nlibrary = \"mercurio_notifier_log\"\n" << kGenerousRiskTable << extra_tables;
  return dir;
}

ProcessResult run_in(const std::filesystem::path& dir) {
  return run_process({mercurio_exe().string(), "run", "--config", (dir / "mercurio.toml").string()}, dir);
}

// Both modes: each buyer's market order, submitted on bar 0, fills at bar 1's open (102) on its
// own paper broker; equity counts the paper accounts only (the data broker has none); the data
// broker gets no order and no account() call.
void expect_routed_fills(const std::filesystem::path& dir, const ProcessResult& r) {
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto trades = read_csv_rows(dir / "out" / "trades.csv");
  ASSERT_EQ(trades.size(), 2u) << read_file(dir / "out" / "trades.csv");
  for (const auto& t : trades) {
    ASSERT_EQ(t.size(), 10u);
    EXPECT_EQ(t[0], "2023-11-14T22:14:20Z");  // bar 1, not bar 0 (no look-ahead)
    EXPECT_EQ(t[1], "TEST");
    EXPECT_EQ(t[2], "buy");
    EXPECT_EQ(t[3], "1");
    EXPECT_EQ(t[4], "102");
  }
  EXPECT_EQ(trades[0][7], "buyer");
  EXPECT_EQ(trades[0][8], "sim");
  EXPECT_EQ(trades[1][7], "buyer2");
  EXPECT_EQ(trades[1][8], "sim2");
  EXPECT_EQ(summary_value(r.out, "starting equity"), "15000");
  // Each account: cash - 102, one share marked at the last close (bar 5: 110).
  EXPECT_EQ(summary_value(r.out, "final equity"), "15016");
  EXPECT_THAT(r.err, HasSubstr("broker feed started for market data only (bars for sim, sim2)"));
  EXPECT_THAT(r.err, HasSubstr("fixture calls: account 0, submit 0"));
  EXPECT_THAT(r.err, Not(HasSubstr("fixture submit #")));
}

}  // namespace

TEST(MarketDataRoutingTest, BacktestPaperBrokersFillOnTheDataBrokersBars) {
  const auto dir = write_routed("routing_backtest", "backtest", true);
  const auto r = run_in(dir);
  expect_routed_fills(dir, r);
  // History is asked of the data broker once per symbol, and each bar is processed for both traders.
  EXPECT_THAT(r.err, HasSubstr("loaded 6 bars of TEST from feed"));
  EXPECT_EQ(summary_value(r.out, "bars"), "12");
  const auto equity = read_csv_rows(dir / "out" / "equity.csv");
  ASSERT_EQ(equity.size(), 6u);
  EXPECT_EQ(equity[0][3], "15000");
  EXPECT_EQ(equity[1][3], "15000");  // bought at 102, marked at 102
  EXPECT_EQ(equity[5][3], "15016");
}

TEST(MarketDataRoutingTest, PaperModeFillsOnRoutedBarsAndNeverHeartbeatsTheDataBroker) {
  const auto dir = write_routed("routing_paper", "paper", true);
  const auto r = run_in(dir);
  expect_routed_fills(dir, r);
  // The trading brokers are probed (heartbeat every 20 ms over ~200 ms of feed) and reconciled
  // as usual; the data broker's account() was never called (above).
  EXPECT_THAT(r.err, HasSubstr("market data from feed ended"));
  // The paper account lives on in its state file like a venue's.
  EXPECT_THAT(read_file(dir / "sim-account.toml"), HasSubstr("submits = 1"));
}

TEST(MarketDataRoutingTest, WithAJournalOnlyTheTradingBrokerIsReconciledAcrossARestart) {
  const auto dir = write_routed("routing_journal", "paper", false, "", "[journal]\npath = \"state/journal.sqlite\"\n");
  const auto first = run_in(dir);
  ASSERT_EQ(first.exit_code, 0) << first.err;
  EXPECT_THAT(first.err, HasSubstr("broker feed serves market data only: nothing to reconcile"));
  EXPECT_THAT(first.err, HasSubstr("reconciliation with broker sim clean"));
  EXPECT_THAT(first.err, HasSubstr("fixture calls: account 0, submit 0"));
  // The restart replays the journal (one fill on sim) and reconciles sim's state file against it.
  const auto second = run_in(dir);
  ASSERT_EQ(second.exit_code, 0) << second.err;
  EXPECT_THAT(second.err, HasSubstr("journal replayed: 1 order intents (0 in flight), 1 fills"));
  EXPECT_THAT(second.err, HasSubstr("reconciliation with broker sim clean: positions 1"));
  EXPECT_THAT(second.err, Not(HasSubstr("reconciliation with broker feed")));
  EXPECT_THAT(second.err, HasSubstr("fixture calls: account 0, submit 0"));
}

TEST(MarketDataRoutingTest, AFaultOfTheDataBrokerHaltsAndNamesTheTradingBrokersLostData) {
  const auto dir = write_routed("routing_fault", "paper", false, "fault_after_bar = 3\n");
  const auto r = run_in(dir);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.err, HasSubstr("trading state ACTIVE -> HALTED: broker feed faulted in on_fault: fixture: feed broken on "
                               "purpose (market data of sim lost)"));
  EXPECT_THAT(r.err, HasSubstr("[CRITICAL] Plugin fault: feed"));
  EXPECT_THAT(r.err, HasSubstr("fixture calls: account 0, submit 0"));
}

TEST(MarketDataRoutingTest, ABrokerWithoutDataAndWithoutMarketDataNamesTheKeyInTheBacktest) {
  const auto dir = scratch_dir("routing_no_source");
  std::ofstream(dir / "mercurio.toml") << "[kernel]\noutput_dir = \"out\"\nplugin_dirs = [\"" << fixture_plugin_dir().string()
                                       << "\"]\n[[plugin]]\nid = \"sim\"\nlibrary = \"mercurio_broker_paper\"\n"
                                          "[[plugin]]\nid = \"buyer\"\nlibrary = \"fixture_good_strategy\"\n"
                                       << kGenerousRiskTable;
  const auto r = run_in(dir);
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_THAT(r.err, HasSubstr("broker sim has no history for TEST: paper broker 'sim' has no config key data"));
  EXPECT_THAT(r.err, HasSubstr("market_data"));
}

// ---- configuration checks (mercurio check): each names file:line and the key ----

namespace {

ProcessResult check_with(const std::string& name, const std::string& plugins) {
  const auto dir = scratch_dir(name);
  std::ofstream(dir / "mercurio.toml") << "[kernel]\nplugin_dirs = [\"" << fixture_plugin_dir().string() << "\"]\n"
                                       << plugins << kGenerousRiskTable;
  return run_process({mercurio_exe().string(), "check", "--config", (dir / "mercurio.toml").string()}, dir);
}

const char* const kFeed = "[[plugin]]\nid = \"feed\"\nlibrary = \"fixture_flaky_broker\"\n";
const char* const kBuyer = "[[plugin]]\nid = \"buyer\"\nlibrary = \"fixture_good_strategy\"\nbroker = \"sim\"\n";

// The paper broker "sim", routed to `source` (its market_data is line 9 of the checked file).
std::string sim_routed_to(const std::string& source) {
  return "[[plugin]]\nid = \"sim\"\nlibrary = \"mercurio_broker_paper\"\nmarket_data = \"" + source + "\"\n";
}

}  // namespace

TEST(MarketDataConfigTest, AValidRoutingPassesTheCheck) {
  auto r = check_with("routing_check_ok", kFeed + sim_routed_to("feed") + kBuyer);
  EXPECT_EQ(r.exit_code, 0) << r.err << r.out;
}

TEST(MarketDataConfigTest, AnUnknownIdIsAnErrorAtItsLine) {
  auto r = check_with("routing_check_unknown", kFeed + sim_routed_to("nope") + kBuyer);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("mercurio.toml:9:"));
  EXPECT_THAT(r.err, HasSubstr("plugin[sim].market_data: expected the id of a broker plugin, was \"nope\" (no plugin has that id)"));
}

TEST(MarketDataConfigTest, AStrategyIsNotADataBroker) {
  auto r = check_with("routing_check_strategy", kFeed + sim_routed_to("buyer") + kBuyer);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("plugin[sim].market_data: expected the id of a broker plugin, was \"buyer\" (a plugin that is not a broker)"));
}

TEST(MarketDataConfigTest, ItsOwnIdIsAnError) {
  auto r = check_with("routing_check_self", kFeed + sim_routed_to("sim") + kBuyer);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("mercurio.toml:9:"));
  EXPECT_THAT(r.err, HasSubstr("plugin[sim].market_data: expected the id of another broker plugin, was this broker's own id \"sim\""));
}

TEST(MarketDataConfigTest, AChainIsAnError) {
  auto r = check_with("routing_check_chain", std::string(kFeed) +
                                                 "[[plugin]]\nid = \"mid\"\nlibrary = \"mercurio_broker_paper\"\n"
                                                 "market_data = \"feed\"\n"
                                                 "[[plugin]]\nid = \"sim\"\nlibrary = \"mercurio_broker_paper\"\n"
                                                 "market_data = \"mid\"\n" + kBuyer);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("mercurio.toml:13:"));
  EXPECT_THAT(r.err, HasSubstr("plugin[sim].market_data: broker \"mid\" takes its own bars from \"feed\": name the broker "
                               "that serves the data (no chains)"));
}

TEST(MarketDataConfigTest, OnlyBrokersTakeMarketData) {
  auto r = check_with("routing_check_kind", std::string(kFeed) +
                                                "[[plugin]]\nid = \"buyer\"\nlibrary = \"fixture_good_strategy\"\n"
                                                "market_data = \"feed\"\n");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("plugin[buyer].market_data: only brokers take their bars from another broker; this plugin is a strategy"));
}

TEST(MarketDataConfigTest, APaperBrokerWithDataAndMarketDataIsAnError) {
  auto r = check_with("routing_check_paper_data", std::string(kFeed) +
                                                      "[[plugin]]\nid = \"sim\"\nlibrary = \"mercurio_broker_paper\"\n"
                                                      "market_data = \"feed\"\n[plugin.config]\n"
                                                      "data = { TEST = \"test.csv\" }\n" + kBuyer);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("mercurio.toml:11:"));
  EXPECT_THAT(r.err, HasSubstr("plugin[sim].config.data: expected no data table on a paper broker with market_data = \"feed\""));
}

TEST(MarketDataConfigTest, AStrategyMayTradeOnTheDataBrokerItself) {
  // Documented choice: the data broker is then an ordinary trading broker that also serves bars.
  auto r = check_with("routing_check_trade_on_feed",
                      std::string(kFeed) +
                          "[[plugin]]\nid = \"sim\"\nlibrary = \"mercurio_broker_paper\"\nmarket_data = \"feed\"\n" + kBuyer +
                          "[[plugin]]\nid = \"direct\"\nlibrary = \"fixture_good_strategy\"\nbroker = \"feed\"\n");
  EXPECT_EQ(r.exit_code, 0) << r.err << r.out;
}

TEST(MarketDataRoutingTest, TheWarmUpComesFromTheDataBrokerAndTouchesNoAccount) {
  // Paper mode with warmup_minutes: the feed's 12 history bars reach both routed strategies before
  // the live bars. Each buyer proposes its one buy on its first bar, a history bar: refused, so
  // nothing is sent and neither paper broker fills on the past.
  const auto dir = write_routed("routing_warmup", "paper", true, "history_bars = 12\n");
  std::string text = read_file(dir / "mercurio.toml");
  text.replace(text.find("[kernel]\n"), 9, "[kernel]\nwarmup_minutes = 60\n");
  std::ofstream(dir / "mercurio.toml", std::ios::trunc) << text;
  const auto r = run_in(dir);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(summary_value(r.out, "warm-up bars"), "12 (2 orders refused on them)");
  EXPECT_EQ(summary_value(r.out, "orders submitted"), "0");
  EXPECT_TRUE(read_csv_rows(dir / "out" / "trades.csv").empty());
  EXPECT_EQ(summary_value(r.out, "final equity"), "15000");
  EXPECT_THAT(r.err, HasSubstr("fixture calls: account 0, submit 0"));
}
