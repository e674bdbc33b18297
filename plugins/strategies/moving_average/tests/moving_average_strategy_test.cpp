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
using mercurio::sdk::OrderEvent;
using mercurio::sdk::OrderEventType;
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
  // As feed(), but like the paper broker: every order sent so far fills whole at the next bar of
  // its symbol, before the strategy sees that bar, and the strategy hears of the fill first.
  void feed_filling(const char* symbol, std::initializer_list<const char*> closes) {
    for (const char* c : closes) {
      fill_sent_orders();
      feed(symbol, {c});
    }
  }
  void fill_sent_orders() {
    for (; filled_ < ctx_.submitted.size(); ++filled_) {
      const OrderIntent& o = ctx_.submitted[filled_];
      fill(o.symbol, o.side, o.quantity);
    }
  }
  // A fill of `quantity` booked into the position and reported to the strategy.
  void fill(const Symbol& symbol, Side side, Decimal quantity, const char* order_id = "",
            OrderEventType type = OrderEventType::Filled) {
    mercurio::sdk::Position& p = ctx_.portfolio_view.held[symbol];
    p.symbol = symbol;
    p.quantity = side == Side::Buy ? p.quantity + quantity : p.quantity - quantity;
    OrderEvent e;
    e.type = type;
    e.client_order_id = order_id;
    e.symbol = symbol;
    e.side = side;
    e.fill_quantity = quantity;
    strategy_->on_order_event(ctx_, e);
  }
  // The last order sent ends at the venue without a fill (rejected, canceled, expired).
  void venue_ends_last(OrderEventType type = OrderEventType::Rejected,
                       const char* reason = "insufficient shares") {
    ASSERT_FALSE(ctx_.submitted.empty());
    OrderEvent e;
    e.type = type;
    e.client_order_id = last_id();
    e.symbol = ctx_.submitted.back().symbol;
    e.side = ctx_.submitted.back().side;
    e.reason = reason;
    strategy_->on_order_event(ctx_, e);
  }
  // The id FakeContext gave the last order sent.
  std::string last_id() const { return "ma-test-" + std::to_string(ctx_.submitted.size()); }
  std::ptrdiff_t count_logs(LogLevel level, std::string_view fragment) const {
    return std::count_if(ctx_.log.lines.begin(), ctx_.log.lines.end(), [&](const auto& l) {
      return l.level == level && l.message.find(fragment) != std::string::npos;
    });
  }
  Decimal position(const char* symbol) const {
    return ctx_.portfolio_view.position(Symbol(symbol)).quantity;
  }
  const OrderIntent& only_order() {
    EXPECT_EQ(ctx_.submitted.size(), 1u);
    static const OrderIntent kNone;
    return ctx_.submitted.empty() ? kNone : ctx_.submitted.front();
  }

  FakeContext ctx_;
  std::unique_ptr<MovingAverageStrategy> strategy_;
  std::int64_t day_ = 19'000;
  std::size_t filled_ = 0;  // orders of ctx_.submitted already filled by fill_sent_orders()
};

// The orders sent, as "side quantity tag" lines, for comparisons of whole sequences.
std::vector<std::string> orders_of(const FakeContext& ctx) {
  std::vector<std::string> out;
  for (const OrderIntent& o : ctx.submitted)
    out.push_back(std::string(mercurio::sdk::to_string(o.side)) + " " + o.quantity.to_string() +
                  " " + o.tag);
  return out;
}

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
  // Long while below is closed on any bar without an open order (see the exit tests below): an
  // order still open until the cross keeps the position there.
  ctx_.portfolio_view.open_orders[Symbol("SPY")] = 1;
  feed("SPY", {"10", "9"});
  ctx_.portfolio_view.open_orders.clear();
  feed("SPY", {"11"});
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
  ctx_.portfolio_view.open_orders[Symbol("SPY")] = 1;  // keeps the short there while above
  feed("SPY", {"10", "11"});
  ctx_.portfolio_view.open_orders.clear();
  feed("SPY", {"9"});
  EXPECT_TRUE(ctx_.submitted.empty());
  EXPECT_TRUE(ctx_.log.has(LogLevel::Debug, "already short -100"));
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

// ---- exits tried again on later bars (level-based exits; entries stay at the cross) ----

TEST_F(StrategyTest, RefusedDeathCrossSellIsSentAgainOnTheNextBar) {
  start(fast_settings());
  ctx_.portfolio_view.set_position("SPY", "10");
  ctx_.submit_failure =
      Status(StatusCode::Rejected, "MARKET_CLOSED: expected the XNYS market to be open");
  feed("SPY", kDown);  // the death cross's sell is refused
  ASSERT_EQ(ctx_.submitted.size(), 1u);
  EXPECT_EQ(ctx_.submitted[0].tag, "ma-death-cross");
  ctx_.submit_failure.reset();
  feed("SPY", {"8"});  // still below, no new cross: the sell goes again
  ASSERT_EQ(ctx_.submitted.size(), 2u);
  const OrderIntent& retry = ctx_.submitted[1];
  EXPECT_EQ(retry.side, Side::Sell);
  EXPECT_EQ(retry.quantity, d("10"));
  EXPECT_EQ(retry.type, mercurio::sdk::OrderType::Market);
  EXPECT_EQ(retry.tag, "ma-exit-retry");
  EXPECT_TRUE(ctx_.log.has(LogLevel::Info, "death cross on SPY at "));
  EXPECT_TRUE(ctx_.log.has(LogLevel::Info, "still holds while long 10: closing again"));
  EXPECT_TRUE(ctx_.log.has(LogLevel::Info, "submitted sell 10 SPY (ma-exit-retry)"));
  // Filled: flat, in line with "below"; no more orders on later bars.
  fill(Symbol("SPY"), Side::Sell, d("10"));
  feed("SPY", {"7", "6", "5"});
  EXPECT_EQ(ctx_.submitted.size(), 2u);
}

TEST_F(StrategyTest, ExitIsSentOnEveryBarWhileRefusedWarningOnce) {
  start(fast_settings());
  ctx_.portfolio_view.set_position("SPY", "10");
  feed("SPY", {"10", "11"});
  ctx_.submit_failure = Status(StatusCode::Rejected, "MARKET_CLOSED: closed");
  feed("SPY", {"9", "8", "7", "6"});  // the cross, then three bars of refused exits
  ASSERT_EQ(orders_of(ctx_), (std::vector<std::string>{"sell 10 ma-death-cross",
                                                       "sell 10 ma-exit-retry",
                                                       "sell 10 ma-exit-retry",
                                                       "sell 10 ma-exit-retry"}));
  const auto count = [&](LogLevel level, std::string_view fragment) {
    return std::count_if(ctx_.log.lines.begin(), ctx_.log.lines.end(), [&](const auto& l) {
      return l.level == level && l.message.find(fragment) != std::string::npos;
    });
  };
  EXPECT_EQ(count(LogLevel::Warning, "submit sell 10 SPY (ma-exit-retry) failed"), 1);
  EXPECT_EQ(count(LogLevel::Debug, "submit sell 10 SPY (ma-exit-retry) failed"), 2);
  EXPECT_EQ(count(LogLevel::Info, "closing again"), 1);
  EXPECT_TRUE(ctx_.log.has(LogLevel::Debug, "closing again (attempt 3)"));
  ctx_.submit_failure.reset();
  feed("SPY", {"5"});  // the market opens
  EXPECT_EQ(ctx_.submitted.size(), 5u);
  EXPECT_TRUE(ctx_.log.has(LogLevel::Info, "submitted sell 10 SPY (ma-exit-retry)"));
}

TEST_F(StrategyTest, NoExitIsSentAgainWhileAnOrderIsOpen) {
  start(fast_settings());
  ctx_.portfolio_view.set_position("SPY", "10");
  feed("SPY", kDown);  // sell 10 sent, not filled yet
  ASSERT_EQ(ctx_.submitted.size(), 1u);
  ctx_.portfolio_view.open_orders[Symbol("SPY")] = 1;
  feed("SPY", {"8", "7", "6"});
  EXPECT_EQ(ctx_.submitted.size(), 1u) << "the open sell may still fill";
  // It fills 6 of the 10, then the day ends and the rest expires: 4 left, sold on the next bar.
  ctx_.portfolio_view.set_position("SPY", "4");
  ctx_.portfolio_view.open_orders.clear();
  feed("SPY", {"5"});
  ASSERT_EQ(ctx_.submitted.size(), 2u);
  EXPECT_EQ(ctx_.submitted[1].side, Side::Sell);
  EXPECT_EQ(ctx_.submitted[1].quantity, d("4"));
  EXPECT_EQ(ctx_.submitted[1].tag, "ma-exit-retry");
}

TEST_F(StrategyTest, DeathCrossSkippedForAnOpenBuyIsClosedOnceTheBuyFills) {
  start(fast_settings());
  feed("SPY", kUp);  // golden cross: buy 100, still open at the death cross
  ASSERT_EQ(ctx_.submitted.size(), 1u);
  ctx_.portfolio_view.open_orders[Symbol("SPY")] = 1;
  feed("SPY", {"9"});
  EXPECT_TRUE(ctx_.log.has(LogLevel::Debug, "skipping death cross on SPY"));
  EXPECT_EQ(ctx_.submitted.size(), 1u);
  ctx_.portfolio_view.open_orders.clear();
  fill(Symbol("SPY"), Side::Buy, d("100"));  // now long while below
  feed("SPY", {"8"});
  ASSERT_EQ(ctx_.submitted.size(), 2u);
  EXPECT_EQ(ctx_.submitted[1].side, Side::Sell);
  EXPECT_EQ(ctx_.submitted[1].quantity, d("100"));
}

TEST_F(StrategyTest, OrdersThatFillAtTheNextBarAreTheCrossesOnly) {
  start(fast_settings());
  // 10 11: first defined bar (above). 12 above; 11 death (flat, long only); 10; 12 golden;
  // 13; 13 equal; 12 death; 11; 11 equal; 12 golden; 9 death (the buy fills at this very bar);
  // 8; 9 golden; 10.
  feed_filling("SPY", {"10", "11", "12", "11", "10", "12", "13", "13", "12", "11", "11", "12", "9",
                       "8", "9", "10"});
  EXPECT_EQ(orders_of(ctx_),
            (std::vector<std::string>{"buy 100 ma-golden-cross", "sell 100 ma-death-cross",
                                      "buy 100 ma-golden-cross", "sell 100 ma-death-cross",
                                      "buy 100 ma-golden-cross"}));
  fill_sent_orders();
  EXPECT_EQ(position("SPY"), d("100"));
}

TEST_F(StrategyTest, ReversalsThatFillAtTheNextBarAreTheCrossesOnly) {
  Settings s = fast_settings();
  s.long_only = false;
  start(s);
  feed_filling("SPY", {"10", "11", "12", "11", "10", "12", "13", "13", "12", "11", "11", "12", "9",
                       "8", "9", "10"});
  EXPECT_EQ(orders_of(ctx_),
            (std::vector<std::string>{"sell 100 ma-death-cross", "buy 200 ma-golden-cross",
                                      "sell 200 ma-death-cross", "buy 200 ma-golden-cross",
                                      "sell 200 ma-death-cross", "buy 200 ma-golden-cross"}));
  fill_sent_orders();
  EXPECT_EQ(position("SPY"), d("100"));
}

TEST_F(StrategyTest, LooksAtThePortfolioOnlyUntilThePositionIsSeenInLine) {
  start(fast_settings());
  feed("SPY", {"10"});
  for (int i = 0; i < 1000; ++i) {  // rising: above on every bar, no cross
    const std::string close = std::to_string(11 + i);
    feed("SPY", {close.c_str()});
  }
  EXPECT_TRUE(ctx_.submitted.empty());
  // The first defined bar (flat, nothing open) settles it; the 999 bars after it look at nothing.
  EXPECT_EQ(ctx_.portfolio_view.open_order_calls, 1u);
  EXPECT_EQ(ctx_.portfolio_view.position_calls, 1u);
  // A cross that finds nothing to do settles it at once as well.
  feed("SPY", {"10", "9"});  // death cross (flat, long only), then still below
  EXPECT_EQ(ctx_.portfolio_view.position_calls, 2u);
}

TEST_F(StrategyTest, PositionOnTheWrongSideAtStartIsClosed) {
  // Held long before a restart; its death cross fell inside the warm-up, where orders are refused.
  start(fast_settings());
  ctx_.portfolio_view.set_position("SPY", "10");
  ctx_.submit_failure = Status(StatusCode::Rejected, "not sent: warm-up on history");
  feed("SPY", {"12", "11", "10"});  // below from the first defined bar: no cross ever
  EXPECT_EQ(ctx_.submitted.size(), 2u) << "tried on both defined bars, refused";
  ctx_.submit_failure.reset();
  feed("SPY", {"9"});  // the first live bar
  ASSERT_EQ(ctx_.submitted.size(), 3u);
  EXPECT_EQ(ctx_.submitted[2].side, Side::Sell);
  EXPECT_EQ(ctx_.submitted[2].quantity, d("10"));
  EXPECT_EQ(ctx_.submitted[2].tag, "ma-exit-retry");
}

TEST_F(StrategyTest, ShortOnTheWrongSideAtStartIsBoughtBack) {
  start(fast_settings());  // long only: a short is unexpected, and above it is on the wrong side
  ctx_.portfolio_view.set_position("SPY", "-40");
  feed("SPY", {"10", "11"});
  const OrderIntent& o = only_order();
  EXPECT_EQ(o.side, Side::Buy);
  EXPECT_EQ(o.quantity, d("40"));  // bought back, no long entry
  EXPECT_EQ(o.tag, "ma-exit-retry");
  EXPECT_TRUE(ctx_.log.has(LogLevel::Info, "golden cross on SPY at "));
  EXPECT_TRUE(ctx_.log.has(LogLevel::Info, "still holds while short 40: closing again"));
}

TEST_F(StrategyTest, PositionOnTheRightSideAtStartIsKept) {
  start(fast_settings());
  ctx_.portfolio_view.set_position("SPY", "10");
  feed("SPY", {"10", "11", "12", "13"});
  EXPECT_TRUE(ctx_.submitted.empty());
}

TEST_F(StrategyTest, ExitOnATieUsesTheLastSideThatDiffered) {
  Settings s = fast_settings();
  s.long_window = 3;  // short = SMA(1), long = SMA(3)
  start(s);
  ctx_.portfolio_view.set_position("SPY", "10");
  ctx_.submit_failure = Status(StatusCode::Rejected, "HALTED: trading is halted");
  feed("SPY", {"0.3", "0.2", "0.1"});  // bar 3: 0.1 < 0.2 (below), long: refused
  ASSERT_EQ(ctx_.submitted.size(), 1u);
  ctx_.submit_failure.reset();
  feed("SPY", {"0.15"});  // 0.15 == (0.2 + 0.1 + 0.15) / 3: a tie, still "below"
  ASSERT_EQ(ctx_.submitted.size(), 2u);
  EXPECT_EQ(ctx_.submitted[1].side, Side::Sell);
  EXPECT_EQ(ctx_.submitted[1].quantity, d("10"));
}

TEST_F(StrategyTest, RefusedEntryIsNotSentAgain) {
  start(fast_settings());
  ctx_.submit_failure = Status(StatusCode::Rejected, "MARKET_CLOSED: closed");
  feed("SPY", kUp);  // golden cross while flat: buy refused
  ASSERT_EQ(ctx_.submitted.size(), 1u);
  ctx_.submit_failure.reset();
  feed("SPY", {"12", "13", "14"});
  EXPECT_EQ(ctx_.submitted.size(), 1u) << "an entry belongs to its cross";
}

TEST_F(StrategyTest, WithoutLongOnlyARefusedReversalIsRetriedAsACloseOnly) {
  Settings s = fast_settings();
  s.long_only = false;
  start(s);
  ctx_.portfolio_view.set_position("SPY", "250");
  ctx_.submit_failure = Status(StatusCode::Rejected, "REDUCING_ONLY: trading is REDUCING");
  feed("SPY", kDown);  // sell 350 (close 250, open 100 short) refused
  ctx_.submit_failure.reset();
  feed("SPY", {"8"});
  ASSERT_EQ(orders_of(ctx_),
            (std::vector<std::string>{"sell 350 ma-death-cross", "sell 250 ma-exit-retry"}));
  filled_ = 1;  // the refused sell 350 never fills; the retry does: flat
  fill_sent_orders();
  feed("SPY", {"7", "6"});
  EXPECT_EQ(ctx_.submitted.size(), 2u) << "no short entry after the cross";
}

TEST_F(StrategyTest, WithoutLongOnlyARefusedCoverIsRetriedAsABuyBackOnly) {
  Settings s = fast_settings();
  s.long_only = false;
  start(s);
  ctx_.portfolio_view.set_position("SPY", "-40");
  ctx_.submit_failure = Status(StatusCode::Rejected, "BROKER_ORDER_RATE: too many");
  feed("SPY", kUp);  // buy 140 (cover 40, open 100 long) refused
  ctx_.submit_failure.reset();
  feed("SPY", {"12"});
  EXPECT_EQ(orders_of(ctx_),
            (std::vector<std::string>{"buy 140 ma-golden-cross", "buy 40 ma-exit-retry"}));
}

TEST_F(StrategyTest, WithoutLongOnlyARefusedShortEntryIsNotSentAgain) {
  Settings s = fast_settings();
  s.long_only = false;
  start(s);
  ctx_.submit_failure = Status(StatusCode::Rejected, "MARKET_CLOSED: closed");
  feed("SPY", kDown);  // flat: sell 100 short refused
  ctx_.submit_failure.reset();
  feed("SPY", {"8", "7"});
  EXPECT_EQ(ctx_.submitted.size(), 1u);
}

TEST_F(StrategyTest, AFillAfterThePositionWasSeenInLineIsLookedAtAgain) {
  start(fast_settings());
  feed("SPY", {"10", "9"});  // below, flat: in line, the portfolio is no longer looked at
  // A buy fills now (e.g. one reported late): long while below.
  fill(Symbol("SPY"), Side::Buy, d("10"));
  feed("SPY", {"8"});
  const OrderIntent& o = only_order();
  EXPECT_EQ(o.side, Side::Sell);
  EXPECT_EQ(o.quantity, d("10"));
}

// ---- closes the venue ends unfilled: at most kMaxExitRejections in a row ----

namespace {
std::vector<std::string> repeat(std::vector<std::string> head, const std::string& line,
                                std::size_t times) {
  head.insert(head.end(), times, line);
  return head;
}
}  // namespace

TEST_F(StrategyTest, ExitEndedUnfilledByTheVenueIsSentAgainThenStopsAfterThree) {
  start(fast_settings());
  ctx_.portfolio_view.set_position("SPY", "10");
  feed("SPY", kDown);  // the death cross's sell is sent, and rejected: not a close of check_exit
  venue_ends_last();
  feed("SPY", {"8"});  // sent again on the next bar: 1
  ASSERT_EQ(ctx_.submitted.size(), 2u);
  venue_ends_last(OrderEventType::Expired, "day order expired");
  feed("SPY", {"7"});  // 2
  ASSERT_EQ(ctx_.submitted.size(), 3u);
  venue_ends_last(OrderEventType::Canceled, "canceled by the venue");
  feed("SPY", {"6"});  // 3
  ASSERT_EQ(ctx_.submitted.size(), 4u);
  EXPECT_EQ(count_logs(LogLevel::Error, ""), 0);
  venue_ends_last(OrderEventType::Rejected, "insufficient shares");
  feed("SPY", {"5", "4", "3", "2", "1", "0.5"});
  EXPECT_EQ(orders_of(ctx_),
            repeat({"sell 10 ma-death-cross"}, "sell 10 ma-exit-retry", 3));
  ASSERT_EQ(count_logs(LogLevel::Error, ""), 1);
  EXPECT_TRUE(ctx_.log.has(LogLevel::Error, "death cross on SPY at "));
  EXPECT_TRUE(ctx_.log.has(LogLevel::Error, "still holds while long 10"));
  EXPECT_TRUE(ctx_.log.has(LogLevel::Error, "last rejected: insufficient shares"));
  EXPECT_TRUE(ctx_.log.has(LogLevel::Error, "an operator must close it"));
  EXPECT_TRUE(ctx_.log.has(LogLevel::Error, "'mercurio flatten --strategy"));
}

TEST_F(StrategyTest, AFillResetsTheExitRejectionsButItsOrdersCancelIsNotOne) {
  start(fast_settings());
  ctx_.portfolio_view.set_position("SPY", "10");
  ctx_.submit_failure = Status(StatusCode::Rejected, "MARKET_CLOSED: closed");
  feed("SPY", kDown);  // the cross's sell refused by the gate
  ctx_.submit_failure.reset();
  for (const char* close : {"8", "7", "6"}) {
    feed("SPY", {close});
    venue_ends_last();
  }
  feed("SPY", {"5", "4"});
  ASSERT_EQ(ctx_.submitted.size(), 4u) << "stopped after three rejections";
  fill(Symbol("SPY"), Side::Sell, d("4"), "kernel-flatten-1");  // e.g. an operator's order
  feed("SPY", {"3"});  // long 6, still below: closes go again
  ASSERT_EQ(ctx_.submitted.size(), 5u);
  EXPECT_EQ(ctx_.submitted[4].quantity, d("6"));
  // It fills 2, then is canceled: the position changed, so not a rejection.
  fill(Symbol("SPY"), Side::Sell, d("2"), last_id().c_str(), OrderEventType::PartiallyFilled);
  venue_ends_last(OrderEventType::Canceled, "canceled by the venue");
  for (const char* close : {"2", "1", "0.5"}) {  // three more rejections...
    feed("SPY", {close});
    venue_ends_last();
  }
  feed("SPY", {"0.4", "0.3"});  // ...then no more
  EXPECT_EQ(orders_of(ctx_), repeat({"sell 10 ma-death-cross", "sell 10 ma-exit-retry",
                                     "sell 10 ma-exit-retry", "sell 10 ma-exit-retry",
                                     "sell 6 ma-exit-retry"},
                                    "sell 4 ma-exit-retry", 3));
  EXPECT_EQ(count_logs(LogLevel::Error, "no more are sent"), 2);
}

TEST_F(StrategyTest, ANewCrossResetsTheExitRejections) {
  start(fast_settings());
  ctx_.portfolio_view.set_position("SPY", "10");
  feed("SPY", kDown);
  venue_ends_last();
  for (const char* close : {"8", "7", "6"}) {
    feed("SPY", {close});
    venue_ends_last();
  }
  feed("SPY", {"5", "4"});
  ASSERT_EQ(ctx_.submitted.size(), 4u);
  feed("SPY", {"5"});  // golden cross: long is in line
  feed("SPY", {"4"});  // death cross: its sell goes, rejected
  ASSERT_EQ(ctx_.submitted.size(), 5u);
  EXPECT_EQ(ctx_.submitted[4].tag, "ma-death-cross");
  venue_ends_last();
  for (const char* close : {"3", "2", "1"}) {  // closes go again, three times
    feed("SPY", {close});
    venue_ends_last();
  }
  feed("SPY", {"0.5", "0.4"});
  const std::vector<std::string> run =
      repeat({"sell 10 ma-death-cross"}, "sell 10 ma-exit-retry", 3);
  std::vector<std::string> twice = run;
  twice.insert(twice.end(), run.begin(), run.end());
  EXPECT_EQ(orders_of(ctx_), twice);
  EXPECT_EQ(count_logs(LogLevel::Error, "no more are sent"), 2);
}

TEST_F(StrategyTest, GateRefusalsAreSentOnEveryBarAndAreNotVenueRejections) {
  start(fast_settings());
  ctx_.portfolio_view.set_position("SPY", "10");
  feed("SPY", kDown);
  venue_ends_last();
  for (const char* close : {"8", "7"}) {  // two closes rejected by the venue
    feed("SPY", {close});
    venue_ends_last();
  }
  ctx_.submit_failure = Status(StatusCode::Rejected, "MARKET_CLOSED: closed");
  feed("SPY", {"6", "5", "4", "3", "2"});  // refused before the venue: tried on every bar
  ASSERT_EQ(ctx_.submitted.size(), 8u);
  ctx_.submit_failure.reset();
  feed("SPY", {"1"});  // sent: the third rejection
  ASSERT_EQ(ctx_.submitted.size(), 9u);
  venue_ends_last();
  feed("SPY", {"0.5", "0.4", "0.3"});
  EXPECT_EQ(orders_of(ctx_), repeat({"sell 10 ma-death-cross"}, "sell 10 ma-exit-retry", 8));
  EXPECT_EQ(count_logs(LogLevel::Error, "no more are sent"), 1);
}

TEST_F(StrategyTest, FirstLiveRefusalAfterWarmUpRefusalsLogsAtWarning) {
  // The SDK does not say "warm-up": a refusal for another reason than the previous one is loud.
  start(fast_settings());
  ctx_.portfolio_view.set_position("SPY", "10");
  ctx_.submit_failure = Status(StatusCode::Rejected,
                               "not sent: warm-up on history (orders are accepted from the first "
                               "live bar)");
  feed("SPY", {"12", "11", "10"});  // two refused attempts on history
  ctx_.submit_failure =
      Status(StatusCode::Rejected, "MARKET_CLOSED: it is closed at 2026-01-05T02:00:00Z");
  feed("SPY", {"9"});  // the first live bar
  EXPECT_TRUE(ctx_.log.has(LogLevel::Info, "still holds while long 10: closing again (attempt 3)"));
  EXPECT_TRUE(ctx_.log.has(LogLevel::Warning, "(ma-exit-retry) failed: MARKET_CLOSED"));
  ctx_.submit_failure =
      Status(StatusCode::Rejected, "MARKET_CLOSED: it is closed at 2026-01-05T02:01:00Z");
  feed("SPY", {"8"});  // the same refusal (another time in its text): quiet again
  EXPECT_TRUE(ctx_.log.has(LogLevel::Debug, "closing again (attempt 4)"));
  EXPECT_EQ(count_logs(LogLevel::Warning, "failed: MARKET_CLOSED"), 1);
  ctx_.submit_failure.reset();
  feed("SPY", {"7"});  // sent: a real order logs at info
  EXPECT_TRUE(ctx_.log.has(LogLevel::Info, "closing again (attempt 5)"));
}

TEST_F(StrategyTest, OnlyTheEndOfItsOwnClosesCountsAsARejection) {
  Settings s = fast_settings();
  s.symbols = {"QQQ", "SPY"};
  start(s);
  ctx_.portfolio_view.set_position("QQQ", "10");
  ctx_.portfolio_view.set_position("SPY", "10");
  feed("QQQ", kDown);
  venue_ends_last();
  feed("QQQ", {"8"});  // a close of QQQ is working from here on
  ASSERT_EQ(ctx_.submitted.back().tag, "ma-exit-retry");
  feed("SPY", kDown);
  venue_ends_last();  // the cross's own sell: not one of the closes
  for (const char* close : {"8", "7", "6"}) {
    feed("SPY", {close});
    venue_ends_last();
  }
  feed("SPY", {"5", "4"});
  EXPECT_EQ(ctx_.submitted.size(), 6u) << "three closes of SPY, then none";
}
