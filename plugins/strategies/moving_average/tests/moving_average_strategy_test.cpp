#include "moving_average_strategy.hpp"

#include <gtest/gtest.h>

#include <cstring>
#include <initializer_list>
#include <string>

#include "fake_context.hpp"
#include "mercurio/sdk/plugin.hpp"

using mercurio::sdk::Bar;
using mercurio::sdk::Decimal;
using mercurio::sdk::LogLevel;
using mercurio::sdk::OrderIntent;
using mercurio::sdk::Side;
using mercurio::sdk::Status;
using mercurio::sdk::StatusCode;
using mercurio::sdk::Symbol;
using mercurio::sdk::Timestamp;
using namespace mercurio::strategies::moving_average;
using mercurio::strategies::moving_average::testing::FakeContext;

namespace {

Decimal d(const char* text) { return Decimal::from_string(text); }

// short = SMA(1), long = SMA(2): short > long exactly when a close is above the previous one,
// so the relation flips with the direction of the last move. The first defined bar is bar 2.
Settings fast_settings() {
  Settings s;
  s.symbols = {"SPY"};
  s.short_window = 1;
  s.long_window = 2;
  return s;
}

class StrategyTest : public ::testing::Test {
 protected:
  void start(Settings settings) {
    strategy_ = std::make_unique<MovingAverageStrategy>(std::move(settings));
    ASSERT_TRUE(strategy_->on_start(ctx_).is_ok());
  }
  void feed(const char* symbol, std::initializer_list<const char*> closes) {
    for (const char* c : closes) {
      Bar bar;
      bar.ts = Timestamp{day_++ * Timestamp::kNanosPerDay};
      bar.symbol = symbol;
      bar.open = bar.high = bar.low = bar.close = d(c);
      bar.volume = Decimal::from_int(1000);
      strategy_->on_bar(ctx_, bar);
    }
  }
  const OrderIntent& only_order() {
    EXPECT_EQ(ctx_.submitted.size(), 1u);
    static const OrderIntent kNone;
    return ctx_.submitted.empty() ? kNone : ctx_.submitted.front();
  }

  FakeContext ctx_;
  std::unique_ptr<MovingAverageStrategy> strategy_;
  std::int64_t day_ = 19'000;
};

constexpr auto kUp = {"10", "9", "11"};    // below, then above: golden cross on the 3rd bar
constexpr auto kDown = {"10", "11", "9"};  // above, then below: death cross on the 3rd bar

}  // namespace

TEST_F(StrategyTest, SubscribesEverySymbolOnStart) {
  Settings s = fast_settings();
  s.symbols = {"SPY", "QQQ", "BTCUSDT"};
  start(s);
  EXPECT_EQ(ctx_.subscribed, (std::vector<Symbol>{"BTCUSDT", "QQQ", "SPY"}));
}

TEST_F(StrategyTest, StartReturnsTheSubscriptionFailure) {
  Settings s = fast_settings();
  s.symbols = {"SPY", "QQQ"};
  MovingAverageStrategy strategy(s);
  ctx_.subscribe_failure = Status(StatusCode::NotFound, "no data for QQQ");
  ctx_.subscribe_failure_symbol = "QQQ";
  const Status status = strategy.on_start(ctx_);
  EXPECT_EQ(status.code(), StatusCode::NotFound);
  EXPECT_EQ(status.message(), "no data for QQQ");
  EXPECT_TRUE(ctx_.log.has(LogLevel::Error, "cannot subscribe to bars of QQQ"));
}

TEST_F(StrategyTest, FlatGoldenCrossBuysTheFixedQuantity) {
  start(fast_settings());
  feed("SPY", {"10", "9"});
  EXPECT_TRUE(ctx_.submitted.empty()) << "the first defined bar is not a cross";
  feed("SPY", {"11"});
  const OrderIntent& o = only_order();
  EXPECT_EQ(o.symbol, Symbol("SPY"));
  EXPECT_EQ(o.side, Side::Buy);
  EXPECT_EQ(o.quantity, d("100"));
  EXPECT_EQ(o.type, mercurio::sdk::OrderType::Market);
  EXPECT_EQ(o.time_in_force, mercurio::sdk::TimeInForce::Day);
  EXPECT_FALSE(o.limit_price.has_value());
  EXPECT_EQ(o.tag, "ma-golden-cross");
  EXPECT_TRUE(ctx_.log.has(LogLevel::Info, "submitted buy 100 SPY (ma-golden-cross) as ma-test-1"));
}

TEST_F(StrategyTest, LongDeathCrossSellsTheWholePosition) {
  start(fast_settings());
  ctx_.portfolio_view.set_position("SPY", "250.5");
  feed("SPY", kDown);
  const OrderIntent& o = only_order();
  EXPECT_EQ(o.side, Side::Sell);
  EXPECT_EQ(o.quantity, d("250.5"));
  EXPECT_EQ(o.tag, "ma-death-cross");
}

TEST_F(StrategyTest, LongGoldenCrossAddsNothing) {
  start(fast_settings());
  ctx_.portfolio_view.set_position("SPY", "100");
  feed("SPY", kUp);
  EXPECT_TRUE(ctx_.submitted.empty());
  EXPECT_TRUE(ctx_.log.has(LogLevel::Debug, "already long 100"));
}

TEST_F(StrategyTest, LongOnlySuppressesShortsWhenFlat) {
  start(fast_settings());
  feed("SPY", kDown);
  EXPECT_TRUE(ctx_.submitted.empty());
  EXPECT_TRUE(ctx_.log.has(LogLevel::Debug, "flat and long_only"));
}

TEST_F(StrategyTest, WithoutLongOnlyFlatDeathCrossSellsShort) {
  Settings s = fast_settings();
  s.long_only = false;
  start(s);
  feed("SPY", kDown);
  const OrderIntent& o = only_order();
  EXPECT_EQ(o.side, Side::Sell);
  EXPECT_EQ(o.quantity, d("100"));
  EXPECT_EQ(o.tag, "ma-death-cross");
}

TEST_F(StrategyTest, WithoutLongOnlyDeathCrossReversesALong) {
  Settings s = fast_settings();
  s.long_only = false;
  start(s);
  ctx_.portfolio_view.set_position("SPY", "250");
  feed("SPY", kDown);
  const OrderIntent& o = only_order();
  EXPECT_EQ(o.side, Side::Sell);
  EXPECT_EQ(o.quantity, d("350"));  // 250 to close + 100 to open short
}

TEST_F(StrategyTest, WithoutLongOnlyGoldenCrossReversesAShort) {
  Settings s = fast_settings();
  s.long_only = false;
  start(s);
  ctx_.portfolio_view.set_position("SPY", "-40");
  feed("SPY", kUp);
  const OrderIntent& o = only_order();
  EXPECT_EQ(o.side, Side::Buy);
  EXPECT_EQ(o.quantity, d("140"));  // 40 to cover + 100 to open long
}

TEST_F(StrategyTest, ShortDeathCrossAddsNothing) {
  Settings s = fast_settings();
  s.long_only = false;
  start(s);
  ctx_.portfolio_view.set_position("SPY", "-100");
  feed("SPY", kDown);
  EXPECT_TRUE(ctx_.submitted.empty());
}

TEST_F(StrategyTest, PercentOfEquityIsRoundedDownToTheLot) {
  Settings s = fast_settings();
  s.sizing = Sizing::PercentEquity;
  start(s);
  ctx_.portfolio_view.account_snapshot.equity = d("100000");
  ctx_.portfolio_view.account_snapshot.buying_power = d("400000");
  feed("SPY", {"100", "90", "97.31"});
  // 10 % of 100,000 = 10,000 at 97.31 = 102.76... -> 102
  EXPECT_EQ(only_order().quantity, d("102"));
}

TEST_F(StrategyTest, PercentOfBuyingPowerUsesBuyingPowerAndLotSize) {
  Settings s = fast_settings();
  s.sizing = Sizing::PercentBuyingPower;
  s.percent = d("5");
  s.lot_size = d("25");
  start(s);
  ctx_.portfolio_view.account_snapshot.equity = d("1000000");
  ctx_.portfolio_view.account_snapshot.buying_power = d("100000");
  feed("SPY", {"100", "90", "97.31"});
  // 5 % of 100,000 = 5,000 at 97.31 = 51.38 -> 50 (two lots of 25)
  EXPECT_EQ(only_order().quantity, d("50"));
}

TEST_F(StrategyTest, ZeroSizeSendsNoOrderAndSaysWhy) {
  Settings s = fast_settings();
  s.sizing = Sizing::PercentEquity;
  start(s);
  ctx_.portfolio_view.account_snapshot.equity = d("500");  // 10 % = 50, less than one share
  feed("SPY", {"100", "90", "97.31"});
  EXPECT_TRUE(ctx_.submitted.empty());
  EXPECT_TRUE(ctx_.log.has(LogLevel::Warning, "position size is zero"));
}

TEST_F(StrategyTest, ZeroSizeReversalStillClosesThePosition) {
  Settings s = fast_settings();
  s.sizing = Sizing::PercentEquity;
  s.long_only = false;
  start(s);
  ctx_.portfolio_view.set_position("SPY", "30");
  feed("SPY", kDown);  // equity 0: the short entry is zero, the long is still closed
  EXPECT_EQ(only_order().quantity, d("30"));
  EXPECT_TRUE(ctx_.log.has(LogLevel::Warning, "closing the position only"));
}

TEST_F(StrategyTest, OpenOrdersSuppressTheSignal) {
  start(fast_settings());
  ctx_.portfolio_view.open_orders[Symbol("SPY")] = 1;
  feed("SPY", kUp);
  EXPECT_TRUE(ctx_.submitted.empty());
  EXPECT_TRUE(ctx_.log.has(LogLevel::Debug, "skipping golden cross on SPY"));
  // The cross is consumed: a later bar on the same side does not revive it.
  ctx_.portfolio_view.open_orders.clear();
  feed("SPY", {"12"});
  EXPECT_TRUE(ctx_.submitted.empty());
  // The next real cross trades.
  ctx_.portfolio_view.set_position("SPY", "100");
  feed("SPY", {"8"});
  EXPECT_EQ(only_order().side, Side::Sell);
}

TEST_F(StrategyTest, OpenOrdersInAnotherSymbolDoNotSuppress) {
  Settings s = fast_settings();
  s.symbols = {"SPY", "QQQ"};
  start(s);
  ctx_.portfolio_view.open_orders[Symbol("QQQ")] = 2;
  feed("SPY", kUp);
  EXPECT_EQ(only_order().symbol, Symbol("SPY"));
}

TEST_F(StrategyTest, SubmitFailureIsLoggedNotThrown) {
  start(fast_settings());
  ctx_.submit_failure = Status(StatusCode::Rejected, "max position exceeded");
  EXPECT_NO_THROW(feed("SPY", kUp));
  EXPECT_EQ(ctx_.submitted.size(), 1u);
  EXPECT_TRUE(ctx_.log.has(LogLevel::Warning,
                           "submit buy 100 SPY (ma-golden-cross) failed: max position exceeded"));
}

TEST_F(StrategyTest, SymbolsHaveIndependentAverages) {
  Settings s = fast_settings();
  s.symbols = {"SPY", "QQQ"};
  start(s);
  // Interleaved: SPY goes 10, 9, 11 (golden cross); QQQ goes 5, 6, 7 (no cross).
  feed("SPY", {"10"});
  feed("QQQ", {"5"});
  feed("SPY", {"9"});
  feed("QQQ", {"6"});
  feed("SPY", {"11"});
  feed("QQQ", {"7"});
  EXPECT_EQ(only_order().symbol, Symbol("SPY"));
}

TEST_F(StrategyTest, BarsOfOtherSymbolsAreIgnored) {
  start(fast_settings());
  feed("AAPL", kUp);
  EXPECT_TRUE(ctx_.submitted.empty());
  EXPECT_TRUE(ctx_.log.has(LogLevel::Debug, "ignoring a bar of AAPL"));
}

TEST_F(StrategyTest, ExactTieBetweenBarsOnTheSameSideIsNoCross) {
  Settings s = fast_settings();
  s.long_window = 3;  // short = SMA(1), long = SMA(3)
  start(s);
  // Bar 3: 0.09 < (0.5 + 0.01 + 0.09) / 3 = 0.2 (below). Bar 4: 0.05 == (0.01 + 0.09 + 0.05) / 3
  // exactly, which doubles evaluate as 0.05 > 0.049999999999999996 (a false "above").
  // Bar 5: 0.03 < (0.09 + 0.05 + 0.03) / 3 = 0.0567 (below). Exact arithmetic sees no cross;
  // doubles would see a golden cross at bar 4 and buy.
  feed("SPY", {"0.5", "0.01", "0.09", "0.05", "0.03"});
  EXPECT_TRUE(ctx_.submitted.empty());
  EXPECT_FALSE(ctx_.log.has(LogLevel::Info, " cross on SPY"));
}

TEST_F(StrategyTest, CrossThroughAnExactTieTradesOnceOnTheFarSide) {
  Settings s = fast_settings();
  s.long_window = 3;
  start(s);
  // Bar 3: 0.1 < 0.2 (below). Bar 4: 0.15 == (0.2 + 0.1 + 0.15) / 3 (tie, skipped).
  // Bar 5: 0.25 > (0.1 + 0.15 + 0.25) / 3 = 0.1667 (above): the golden cross is here.
  feed("SPY", {"0.3", "0.2", "0.1", "0.15"});
  EXPECT_TRUE(ctx_.submitted.empty());
  feed("SPY", {"0.25"});
  EXPECT_EQ(only_order().side, Side::Buy);
}

TEST_F(StrategyTest, EmaStrategyTradesItsCross) {
  Settings s = fast_settings();
  s.average = AverageKind::Exponential;
  s.short_window = 2;
  s.long_window = 4;
  start(s);
  // After 4, 3, 2, 1: short 1.5 < long 2.5 (below). Then 5: short 2/3*5 + 1/3*1.5 = 3.83 >
  // long 0.4*5 + 0.6*2.5 = 3.5: golden cross.
  feed("SPY", {"4", "3", "2", "1"});
  EXPECT_TRUE(ctx_.submitted.empty());
  feed("SPY", {"5"});
  EXPECT_EQ(only_order().side, Side::Buy);
}

TEST(MovingAveragePluginTest, ManifestDescribesTheStrategy) {
  const MercurioPluginManifest* m = mercurio_plugin_v2();
  ASSERT_NE(m, nullptr);
  EXPECT_EQ(m->struct_size, sizeof(MercurioPluginManifest));
  EXPECT_EQ(m->abi_major, MERCURIO_SDK_ABI_MAJOR);
  EXPECT_EQ(m->kind, MERCURIO_PLUGIN_STRATEGY);
  EXPECT_STREQ(m->name, "mercurio.strategies.moving_average");
  EXPECT_STREQ(m->version, "1.0.0");
}

TEST(MovingAveragePluginTest, FactoryReportsConfigErrorsAndCreatesValidStrategies) {
  const auto* factory = static_cast<const mercurio::sdk::PluginFactory<mercurio::sdk::Strategy>*>(
      mercurio_plugin_v2()->factory);
  EXPECT_NE(factory->config_schema().find("long_window"), nullptr);

  std::string error;
  std::map<std::string, mercurio::sdk::ConfigValue> values{{"symbols", std::vector<std::string>{}}};
  EXPECT_EQ(factory->create(mercurio::sdk::ConfigView("ma", values), error), nullptr);
  EXPECT_EQ(error, "config key 'symbols': expected at least one symbol, was an empty list");

  values["symbols"] = std::vector<std::string>{"SPY"};
  error.clear();
  mercurio::sdk::Strategy* strategy =
      factory->create(mercurio::sdk::ConfigView("ma", values), error);
  ASSERT_NE(strategy, nullptr) << error;
  FakeContext ctx;
  EXPECT_TRUE(strategy->on_start(ctx).is_ok());
  EXPECT_EQ(ctx.subscribed, std::vector<Symbol>{"SPY"});
  factory->destroy(strategy);
}
