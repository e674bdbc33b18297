// The paper broker through its sdk::Broker interface: venue checks, fill rules, time in force,
// cancel, account arithmetic and history.
#include "paper_broker.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <memory>
#include <stdexcept>
#include <utility>

#include "mercurio/brokers/testing/test_approver.hpp"
#include "test_support.hpp"

namespace mercurio::brokers::paper {
namespace {

using sdk::Decimal;
using sdk::OrderEvent;
using sdk::OrderEventType;
using sdk::OrderIntent;
using sdk::OrderType;
using sdk::Side;
using sdk::StatusCode;
using sdk::TimeInForce;
using testing::bar;
using testing::dec;
using testing::FakeSink;
using ::testing::HasSubstr;
using testing::make_config;
using testing::ts;

OrderIntent intent(Side side, const char* qty, OrderType type, TimeInForce tif,
                   const char* symbol = "SPY") {
  OrderIntent in;
  in.symbol = symbol;
  in.side = side;
  in.type = type;
  in.time_in_force = tif;
  in.quantity = dec(qty);
  return in;
}
OrderIntent market(Side side, const char* qty, TimeInForce tif = TimeInForce::Gtc,
                   const char* symbol = "SPY") {
  return intent(side, qty, OrderType::Market, tif, symbol);
}
OrderIntent limit(Side side, const char* qty, const char* price,
                  TimeInForce tif = TimeInForce::Gtc) {
  OrderIntent in = intent(side, qty, OrderType::Limit, tif);
  in.limit_price = dec(price);
  return in;
}
OrderIntent stop(Side side, const char* qty, const char* price,
                 TimeInForce tif = TimeInForce::Gtc) {
  OrderIntent in = intent(side, qty, OrderType::Stop, tif);
  in.stop_price = dec(price);
  return in;
}
OrderIntent stop_limit(Side side, const char* qty, const char* stop_px, const char* limit_px,
                       TimeInForce tif = TimeInForce::Gtc) {
  OrderIntent in = intent(side, qty, OrderType::StopLimit, tif);
  in.stop_price = dec(stop_px);
  in.limit_price = dec(limit_px);
  return in;
}

// One line per event, so sequences compare readably.
std::string summary(const OrderEvent& e) {
  std::string s = std::string(to_string(e.type)) + " " + e.client_order_id.str() + " " +
                  e.symbol.str() + " " + std::string(to_string(e.side));
  if (e.is_fill())
    s += " " + e.fill_quantity.to_string() + "@" + e.fill_price.to_string() + " fee " +
         e.commission.to_string() + " " + e.trade_id.str();
  s +=
      " leaves " + e.leaves_quantity.to_string() + " " + e.venue_order_id + " " + e.ts.to_iso8601();
  return s;
}

class PaperBrokerTest : public ::testing::Test {
 protected:
  void start(std::map<std::string, sdk::ConfigValue> overrides = {}) {
    broker_ = std::make_unique<PaperBroker>(make_config(std::move(overrides)));
    const sdk::Status st = broker_->start(sink_);
    ASSERT_TRUE(st.is_ok()) << st.message();
  }
  void submit(const char* id, const OrderIntent& in) {
    const sdk::Status st = broker_->submit(kernel::RiskGate::approve(id, in));
    ASSERT_TRUE(st.is_ok()) << st.message();
  }
  void feed(const sdk::Bar& b) { broker_->on_market_bar(b); }
  // The reason of the event that submitting `in` produced; empty when it was accepted.
  std::string rejection(const char* id, const OrderIntent& in) {
    submit(id, in);
    const OrderEvent e = sink_.last_event();
    return e.type == OrderEventType::Rejected ? e.reason : std::string();
  }
  std::vector<OrderEvent> events_of(const char* id) const {
    std::vector<OrderEvent> out;
    for (const auto& e : sink_.events())
      if (e.client_order_id == sdk::ClientOrderId(id)) out.push_back(e);
    return out;
  }
  OrderEvent last_of(const char* id) const {
    auto all = events_of(id);
    return all.empty() ? OrderEvent{} : all.back();
  }
  // Daily SPY bar 2024-01-02 (close 104): gives SPY a reference price.
  void seed_spy() { feed(bar("SPY", "2024-01-02", "100", "105", "99", "104")); }

  FakeSink sink_;
  std::unique_ptr<PaperBroker> broker_;
};

// ---- acceptance and fills ----

TEST_F(PaperBrokerTest, AcceptedOrderGetsVenueIdAndLeavesQuantity) {
  start();
  seed_spy();
  submit("o1", market(Side::Buy, "10"));
  const OrderEvent e = sink_.last_event();
  EXPECT_EQ(e.type, OrderEventType::Accepted);
  EXPECT_EQ(e.client_order_id, sdk::ClientOrderId("o1"));
  EXPECT_EQ(e.venue_order_id, "paper-1");
  EXPECT_EQ(e.leaves_quantity, dec("10"));
  EXPECT_EQ(e.ts, sink_.now());
}

TEST_F(PaperBrokerTest, MarketOrderFillsAtTheNextBarsOpen) {
  start();
  seed_spy();
  submit("o1", market(Side::Buy, "10"));
  feed(bar("SPY", "2024-01-03", "104.5", "106", "101", "102"));
  ASSERT_EQ(events_of("o1").size(), 2u);
  EXPECT_EQ(summary(last_of("o1")),
            "filled o1 SPY buy 10@104.5 fee 0 paper-t1 leaves 0 paper-1 2024-01-03T00:00:00Z");
}

TEST_F(PaperBrokerTest, OrderPlacedWhileABarIsProcessedWaitsForALaterBar) {
  start();
  seed_spy();
  feed(bar("QQQ", "2024-01-03", "400", "405", "398", "402"));
  submit("o1", market(Side::Buy, "1"));
  // SPY's bar of the same instant was already visible to the strategy via QQQ's: not eligible.
  feed(bar("SPY", "2024-01-03", "104.5", "106", "101", "102"));
  EXPECT_EQ(last_of("o1").type, OrderEventType::Accepted);
  feed(bar("SPY", "2024-01-04", "103", "104", "101", "102"));
  EXPECT_EQ(last_of("o1").type, OrderEventType::Filled);
  EXPECT_EQ(last_of("o1").fill_price, dec("103"));
}

TEST_F(PaperBrokerTest, OrderAcceptedBeforeAnyBarTradesOnTheFirstBar) {
  start();
  submit("o1", limit(Side::Buy, "1", "101"));
  feed(bar("SPY", "2024-01-02", "100", "105", "99", "104"));
  EXPECT_EQ(last_of("o1").type, OrderEventType::Filled);
  EXPECT_EQ(last_of("o1").fill_price, dec("100"));
}

TEST_F(PaperBrokerTest, BarsOfOtherSymbolsDoNotTouchTheOrder) {
  start();
  seed_spy();
  submit("o1", market(Side::Buy, "1"));
  feed(bar("QQQ", "2024-01-03", "400", "405", "398", "402"));
  EXPECT_EQ(events_of("o1").size(), 1u);
}

TEST_F(PaperBrokerTest, LimitBuyFillsAtItsLimit) {
  start();
  seed_spy();
  submit("o1", limit(Side::Buy, "10", "101"));
  feed(bar("SPY", "2024-01-03", "104", "106", "100", "102"));
  EXPECT_EQ(summary(last_of("o1")),
            "filled o1 SPY buy 10@101 fee 0 paper-t1 leaves 0 paper-1 2024-01-03T00:00:00Z");
}

TEST_F(PaperBrokerTest, LimitBuyFillsAtTheOpenWhenTheBarOpensBelowTheLimit) {
  start();
  seed_spy();
  submit("o1", limit(Side::Buy, "10", "105"));
  feed(bar("SPY", "2024-01-03", "103", "106", "100", "102"));
  EXPECT_EQ(last_of("o1").fill_price, dec("103"));
}

TEST_F(PaperBrokerTest, LimitSellFillsAtItsLimitOrTheBetterOpen) {
  start({{"allow_short", true}});
  seed_spy();
  submit("at_limit", limit(Side::Sell, "1", "106"));
  submit("at_open", limit(Side::Sell, "1", "103"));
  feed(bar("SPY", "2024-01-03", "104", "107", "101", "102"));
  EXPECT_EQ(last_of("at_limit").fill_price, dec("106"));
  EXPECT_EQ(last_of("at_open").fill_price, dec("104"));
}

TEST_F(PaperBrokerTest, LimitThatIsNotReachedStaysOpen) {
  start();
  seed_spy();
  submit("o1", limit(Side::Buy, "10", "95"));
  feed(bar("SPY", "2024-01-03", "104", "106", "99", "102"));
  EXPECT_EQ(events_of("o1").size(), 1u);
  auto open = broker_->open_orders();
  ASSERT_TRUE(open);
  ASSERT_EQ(open->size(), 1u);
  EXPECT_EQ(open->at(0).leaves_quantity, dec("10"));
  EXPECT_TRUE(open->at(0).open);
}

TEST_F(PaperBrokerTest, StopBuyFillsAtTheOpenWhenTheBarGapsThroughTheStop) {
  start();
  seed_spy();
  submit("o1", stop(Side::Buy, "10", "105"));
  feed(bar("SPY", "2024-01-03", "107", "108", "106", "107.5"));
  EXPECT_EQ(last_of("o1").fill_price, dec("107"));
}

TEST_F(PaperBrokerTest, StopSellFillsAtTheStopWhenTouched) {
  start({{"allow_short", true}});
  seed_spy();
  submit("o1", stop(Side::Sell, "10", "100"));
  feed(bar("SPY", "2024-01-03", "102", "103", "98", "99"));
  EXPECT_EQ(last_of("o1").fill_price, dec("100"));
}

TEST_F(PaperBrokerTest, StopLimitTriggersAndFillsAtTheTriggerPrice) {
  start();
  seed_spy();
  submit("o1", stop_limit(Side::Buy, "10", "105", "106"));
  feed(bar("SPY", "2024-01-03", "103", "107", "102", "106"));
  EXPECT_EQ(last_of("o1").fill_price, dec("105"));
}

TEST_F(PaperBrokerTest, StopLimitTriggeredBeyondItsLimitRestsAndFillsOnALaterBar) {
  start();
  seed_spy();
  submit("o1", stop_limit(Side::Buy, "10", "105", "104"));
  // Triggers (high 107 >= 105) at 105 > limit 104; low 104.5 never comes back to 104.
  feed(bar("SPY", "2024-01-03", "103", "107", "104.5", "106"));
  EXPECT_EQ(events_of("o1").size(), 1u);
  // High 104.8 is below the stop: only an already triggered order can fill here.
  feed(bar("SPY", "2024-01-04", "104.5", "104.8", "103.5", "104"));
  EXPECT_EQ(last_of("o1").type, OrderEventType::Filled);
  EXPECT_EQ(last_of("o1").fill_price, dec("104"));
}

TEST_F(PaperBrokerTest, StopLimitThatIsNotTriggeredDoesNotFill) {
  start();
  seed_spy();
  submit("o1", stop_limit(Side::Buy, "10", "110", "111"));
  feed(bar("SPY", "2024-01-03", "103", "107", "100", "106"));
  feed(bar("SPY", "2024-01-04", "104.5", "104.8", "103.5", "104"));
  EXPECT_EQ(events_of("o1").size(), 1u);
}

TEST_F(PaperBrokerTest, SlippageAppliesToMarketFillsButNotToLimitFills) {
  start({{"slippage_bps", dec("20")}});
  seed_spy();
  submit("mkt", market(Side::Buy, "1"));
  submit("lmt", limit(Side::Buy, "1", "99"));
  feed(bar("SPY", "2024-01-03", "100", "101", "98", "99"));
  EXPECT_EQ(last_of("mkt").fill_price, dec("100.2"));
  EXPECT_EQ(last_of("lmt").fill_price, dec("99"));
}

TEST_F(PaperBrokerTest, CommissionUsesBothRatesAndTheMinimumAndIsTakenFromCash) {
  start({{"commission_per_share", dec("0.01")},
         {"commission_percent", dec("0.1")},
         {"commission_minimum", dec("2")}});
  seed_spy();
  submit("small", market(Side::Buy, "10"));   // 0.1 + 1 = 1.1, below the minimum 2
  submit("large", market(Side::Buy, "100"));  // 1 + 10 = 11
  feed(bar("SPY", "2024-01-03", "100", "101", "98", "99"));
  EXPECT_EQ(last_of("small").commission, dec("2"));
  EXPECT_EQ(last_of("large").commission, dec("11"));
  EXPECT_EQ(broker_->account()->cash, dec("100000") - dec("11000") - dec("13"));
  EXPECT_EQ(broker_->positions()->at(0).commissions, dec("13"));
}

TEST_F(PaperBrokerTest, FillsGetConsecutiveTradeIdsInSubmissionOrder) {
  start();
  seed_spy();
  submit("a", market(Side::Buy, "1"));
  submit("b", market(Side::Buy, "1"));
  feed(bar("SPY", "2024-01-03", "100", "101", "98", "99"));
  EXPECT_EQ(last_of("a").trade_id, sdk::TradeId("paper-t1"));
  EXPECT_EQ(last_of("b").trade_id, sdk::TradeId("paper-t2"));
  EXPECT_EQ(last_of("b").venue_order_id, "paper-2");
}

// ---- time in force ----

TEST_F(PaperBrokerTest, DayOrderExpiresWhenABarOfALaterDateArrives) {
  start();
  feed(bar("SPY", "2024-01-02T14:30:00Z", "100", "101", "99", "100"));
  submit("o1", limit(Side::Buy, "1", "90", TimeInForce::Day));
  feed(bar("SPY", "2024-01-02T14:31:00Z", "100", "101", "99", "100"));
  feed(bar("SPY", "2024-01-02T20:59:00Z", "100", "101", "99", "100"));
  EXPECT_EQ(events_of("o1").size(), 1u);
  // Next day: expired before matching, although this bar would have filled it.
  feed(bar("SPY", "2024-01-03T14:30:00Z", "91", "92", "89", "90"));
  const OrderEvent e = last_of("o1");
  EXPECT_EQ(e.type, OrderEventType::Expired);
  EXPECT_EQ(e.ts, ts("2024-01-03T14:30:00Z"));
  EXPECT_THAT(e.reason, HasSubstr("session 2024-01-02 (UTC) ended"));
  EXPECT_EQ(events_of("o1").size(), 2u);
  EXPECT_FALSE(broker_->order("o1")->open);
}

TEST_F(PaperBrokerTest, DaySessionIsTheDateOfTheFirstEligibleBar) {
  start();
  seed_spy();  // daily bars: an order placed after 2024-01-02's bar lives on 2024-01-03
  submit("o1", limit(Side::Buy, "1", "90", TimeInForce::Day));
  feed(bar("SPY", "2024-01-03", "100", "101", "99", "100"));
  EXPECT_EQ(last_of("o1").type, OrderEventType::Accepted);
  feed(bar("SPY", "2024-01-04", "100", "101", "99", "100"));
  EXPECT_EQ(last_of("o1").type, OrderEventType::Expired);
  EXPECT_THAT(last_of("o1").reason, HasSubstr("session 2024-01-03"));
}

TEST_F(PaperBrokerTest, DayOrderFillsWithinItsSession) {
  start();
  seed_spy();
  submit("o1", limit(Side::Buy, "1", "99.5", TimeInForce::Day));
  feed(bar("SPY", "2024-01-03", "100", "101", "99", "100"));
  EXPECT_EQ(last_of("o1").type, OrderEventType::Filled);
}

TEST_F(PaperBrokerTest, IocOrderNotFilledOnItsFirstBarIsCanceled) {
  start();
  seed_spy();
  submit("o1", limit(Side::Buy, "1", "90", TimeInForce::Ioc));
  feed(bar("SPY", "2024-01-03", "100", "101", "99", "100"));
  const OrderEvent e = last_of("o1");
  EXPECT_EQ(e.type, OrderEventType::Canceled);
  EXPECT_EQ(e.reason, "ioc order did not fill on its first eligible bar (2024-01-03T00:00:00Z)");
  EXPECT_EQ(e.ts, ts("2024-01-03"));
  feed(bar("SPY", "2024-01-04", "89", "90", "85", "86"));
  EXPECT_EQ(events_of("o1").size(), 2u);
}

TEST_F(PaperBrokerTest, FokOrderNotFilledOnItsFirstBarIsCanceled) {
  start();
  seed_spy();
  submit("o1", stop(Side::Buy, "1", "120", TimeInForce::Fok));
  feed(bar("SPY", "2024-01-03", "100", "101", "99", "100"));
  EXPECT_EQ(last_of("o1").type, OrderEventType::Canceled);
  EXPECT_THAT(last_of("o1").reason, HasSubstr("fok order did not fill"));
}

TEST_F(PaperBrokerTest, MarketableIocOrderFills) {
  start();
  seed_spy();
  submit("o1", market(Side::Buy, "1", TimeInForce::Ioc));
  feed(bar("SPY", "2024-01-03", "100", "101", "99", "100"));
  EXPECT_EQ(last_of("o1").type, OrderEventType::Filled);
}

TEST_F(PaperBrokerTest, GtcOrderRestsAcrossDaysUntilFilled) {
  start();
  seed_spy();
  submit("o1", limit(Side::Buy, "1", "95"));
  feed(bar("SPY", "2024-01-03", "100", "101", "99", "100"));
  feed(bar("SPY", "2024-01-04", "100", "101", "96", "100"));
  feed(bar("SPY", "2024-01-08", "100", "101", "99", "100"));
  EXPECT_EQ(events_of("o1").size(), 1u);
  feed(bar("SPY", "2024-01-09", "97", "98", "94", "95"));
  EXPECT_EQ(last_of("o1").type, OrderEventType::Filled);
  EXPECT_EQ(last_of("o1").fill_price, dec("95"));
  EXPECT_EQ(last_of("o1").ts, ts("2024-01-09"));
}

// ---- venue checks ----

TEST_F(PaperBrokerTest, DuplicateClientOrderIdIsRejectedEvenAfterTheOrderIsFinished) {
  start();
  seed_spy();
  submit("o1", limit(Side::Buy, "1", "50"));
  EXPECT_THAT(rejection("o1", limit(Side::Buy, "2", "60")),
              HasSubstr("duplicate client order id 'o1'"));
  // The original order is untouched.
  EXPECT_TRUE(broker_->order("o1")->open);
  EXPECT_EQ(broker_->order("o1")->intent.quantity, dec("1"));
  ASSERT_TRUE(broker_->cancel("o1"));
  EXPECT_THAT(rejection("o1", limit(Side::Buy, "1", "50")),
              HasSubstr("duplicate client order id 'o1'"));
  EXPECT_EQ(broker_->order("o1")->intent.quantity, dec("1"));
}

TEST_F(PaperBrokerTest, IdOfARejectedOrderCannotBeReused) {
  start();
  seed_spy();
  EXPECT_FALSE(rejection("o1", market(Side::Buy, "0")).empty());
  EXPECT_THAT(rejection("o1", market(Side::Buy, "1")), HasSubstr("duplicate client order id"));
}

TEST_F(PaperBrokerTest, SymbolWithoutDataIsRejected) {
  start();
  EXPECT_EQ(rejection("o1", market(Side::Buy, "1", TimeInForce::Gtc, "AAPL")),
            "no market data for symbol 'AAPL' (config key data has: QQQ, SPY)");
}

TEST_F(PaperBrokerTest, NonPositiveQuantityIsRejected) {
  start();
  seed_spy();
  EXPECT_EQ(rejection("zero", market(Side::Buy, "0")), "quantity: expected > 0, was 0");
  EXPECT_EQ(rejection("neg", market(Side::Buy, "-5")), "quantity: expected > 0, was -5");
}

TEST_F(PaperBrokerTest, MissingOrInvalidPricesForTheOrderTypeAreRejected) {
  start();
  seed_spy();
  OrderIntent no_limit = intent(Side::Buy, "1", OrderType::Limit, TimeInForce::Gtc);
  EXPECT_EQ(rejection("a", no_limit), "limit order needs a limit price, none given");
  EXPECT_EQ(rejection("b", limit(Side::Buy, "1", "0")), "limit price: expected > 0, was 0");
  OrderIntent no_stop = intent(Side::Buy, "1", OrderType::Stop, TimeInForce::Gtc);
  EXPECT_EQ(rejection("c", no_stop), "stop order needs a stop price, none given");
  EXPECT_EQ(rejection("d", stop(Side::Buy, "1", "-1")), "stop price: expected > 0, was -1");
  OrderIntent sl_no_limit = intent(Side::Buy, "1", OrderType::StopLimit, TimeInForce::Gtc);
  sl_no_limit.stop_price = dec("100");
  EXPECT_EQ(rejection("e", sl_no_limit), "stop_limit order needs a limit price, none given");
  OrderIntent sl_no_stop = intent(Side::Buy, "1", OrderType::StopLimit, TimeInForce::Gtc);
  sl_no_stop.limit_price = dec("100");
  EXPECT_EQ(rejection("f", sl_no_stop), "stop_limit order needs a stop price, none given");
  OrderIntent market_with_limit = market(Side::Buy, "1");
  market_with_limit.limit_price = dec("100");
  EXPECT_EQ(rejection("g", market_with_limit),
            "market order must not carry a limit price, was 100");
  OrderIntent limit_with_stop = limit(Side::Buy, "1", "100");
  limit_with_stop.stop_price = dec("99");
  EXPECT_EQ(rejection("h", limit_with_stop), "limit order must not carry a stop price, was 99");
  EXPECT_TRUE(broker_->open_orders()->empty());
}

TEST_F(PaperBrokerTest, RejectedOrderIsReportedAsFinal) {
  start();
  seed_spy();
  submit("o1", market(Side::Buy, "0"));
  const OrderEvent e = sink_.last_event();
  EXPECT_EQ(e.type, OrderEventType::Rejected);
  EXPECT_EQ(e.venue_order_id, "");
  EXPECT_EQ(e.leaves_quantity, Decimal{});
  auto report = broker_->order("o1");
  ASSERT_TRUE(report);
  EXPECT_FALSE(report->open);
  EXPECT_EQ(report->leaves_quantity, Decimal{});
  // Rejections do not use up venue order numbers.
  submit("o2", market(Side::Buy, "1"));
  EXPECT_EQ(sink_.last_event().venue_order_id, "paper-1");
}

TEST_F(PaperBrokerTest, BuyBeyondCashIsRejectedWithTheAmounts) {
  start({{"starting_cash", dec("1000")}});
  seed_spy();  // last close 104
  EXPECT_EQ(
      rejection("o1", market(Side::Buy, "10")),
      "insufficient cash: order needs 1040, available 1000 (cash 1000 minus open buy orders 0)");
  EXPECT_EQ(rejection("o2", market(Side::Buy, "9")), "");
}

TEST_F(PaperBrokerTest, OpenBuyOrdersReserveCash) {
  start({{"starting_cash", dec("1000")}});
  seed_spy();
  EXPECT_EQ(rejection("a", limit(Side::Buy, "5", "100")), "");             // reserves 500
  EXPECT_EQ(rejection("b", stop(Side::Buy, "2", "150")), "");              // 300 (stop price)
  EXPECT_EQ(rejection("c", stop_limit(Side::Buy, "3", "120", "66")), "");  // 198 (limit price)
  EXPECT_EQ(rejection("d", limit(Side::Buy, "1", "-0.5")), "limit price: expected > 0, was -0.5");
  EXPECT_EQ(rejection("e", limit(Side::Buy, "0.2", "10")), "");  // 2: exactly what is left
  EXPECT_EQ(
      rejection("f", limit(Side::Buy, "1", "0.01")),
      "insufficient cash: order needs 0.01, available 0 (cash 1000 minus open buy orders 1000)");
  ASSERT_TRUE(broker_->cancel("a"));
  EXPECT_EQ(rejection("g", limit(Side::Buy, "5", "100")), "");
}

TEST_F(PaperBrokerTest, MarketBuyWithoutAReferencePriceIsRejected) {
  start();
  EXPECT_THAT(rejection("o1", market(Side::Buy, "1")), HasSubstr("no reference price for SPY yet"));
}

TEST_F(PaperBrokerTest, OrderWhoseValueOverflowsIsRejected) {
  start();
  seed_spy();
  EXPECT_THAT(rejection("o1", limit(Side::Buy, "90000000000", "90000000000")),
              HasSubstr("order value out of range: decimal overflow"));
  EXPECT_TRUE(broker_->open_orders()->empty());
}

TEST_F(PaperBrokerTest, MarginAllowsBuysBeyondCash) {
  start({{"starting_cash", dec("1000")}, {"allow_margin", true}});
  seed_spy();
  EXPECT_EQ(rejection("o1", market(Side::Buy, "100")), "");
}

TEST_F(PaperBrokerTest, SellWithoutPositionIsRejectedWhenShortingIsNotAllowed) {
  start();
  seed_spy();
  EXPECT_EQ(rejection("o1", market(Side::Sell, "1")),
            "insufficient position (allow_short = false): order sells 1 SPY, available 0 (position "
            "0 minus open "
            "sell orders 0)");
}

TEST_F(PaperBrokerTest, OpenSellOrdersReduceWhatCanBeSold) {
  start();
  seed_spy();
  submit("buy", market(Side::Buy, "10"));
  feed(bar("SPY", "2024-01-03", "100", "101", "99", "100"));
  submit("tp", limit(Side::Sell, "6", "200"));
  EXPECT_EQ(rejection("s1", market(Side::Sell, "5")),
            "insufficient position (allow_short = false): order sells 5 SPY, available 4 (position "
            "10 minus open "
            "sell orders 6)");
  EXPECT_EQ(rejection("s2", market(Side::Sell, "4")), "");
}

TEST_F(PaperBrokerTest, ShortingAllowedAcceptsSellsWithoutPosition) {
  start({{"allow_short", true}});
  seed_spy();
  EXPECT_EQ(rejection("o1", market(Side::Sell, "5")), "");
}

// Without margin, a short sale's proceeds sit in cash but are not the account's to spend: they
// are what buying the shares back costs. (They used to fund buys of other symbols: leverage in
// an account configured without it.)
TEST_F(PaperBrokerTest, ShortSaleProceedsDoNotFundBuysWithoutMargin) {
  start({{"starting_cash", dec("1000")}, {"allow_short", true}});
  seed_spy();  // last close 104
  submit("short", market(Side::Sell, "10"));
  feed(bar("SPY", "2024-01-03", "100", "101", "99", "100"));  // sold 10 at 100: cash 2000
  ASSERT_EQ(broker_->account()->cash, dec("2000"));
  EXPECT_EQ(broker_->account()->buying_power, dec("1000"));  // 2000 less 10 x 100 to buy back
  // 10 buy the short back (its proceeds); the 11 beyond are a new long, paid from what is free.
  EXPECT_EQ(rejection("b1", limit(Side::Buy, "21", "100")),
            "insufficient cash: order needs 1100, available 1000 (cash 2000 minus short positions "
            "1000 minus open buy orders 0)");
  EXPECT_EQ(rejection("b2", limit(Side::Buy, "20", "100")), "");
}

// Buying a short back spends its own proceeds: it needs free cash only for a price above the last
// close, and for what it buys beyond the short (a flip to long).
TEST_F(PaperBrokerTest, BuyingAShortBackNeedsNoFreeCashAtTheLastClose) {
  start({{"starting_cash", dec("1000")}, {"allow_short", true}});
  seed_spy();
  submit("short", market(Side::Sell, "10"));
  feed(bar("SPY", "2024-01-03", "100", "101", "99", "101"));  // sold 10 at 100; marked at 101
  ASSERT_EQ(broker_->account()->cash, dec("2000"));
  ASSERT_EQ(broker_->account()->buying_power, dec("990"));     // 2000 less 10 x 101
  EXPECT_EQ(rejection("cover", market(Side::Buy, "10")), "");  // 1010 of the 2000: its proceeds
  ASSERT_TRUE(broker_->cancel("cover"));
  EXPECT_EQ(rejection("up", limit(Side::Buy, "10", "102")), "");  // 10 x 1 above the close
  ASSERT_TRUE(broker_->cancel("up"));
  // A flip: 10 cover the short, 10 more are a new long of 1010, over the 990 free.
  EXPECT_EQ(rejection("flip", market(Side::Buy, "20")),
            "insufficient cash: order needs 1010, available 990 (cash 2000 minus short positions "
            "1010 minus open buy orders 0)");
  EXPECT_EQ(rejection("flip9", market(Side::Buy, "19")), "");  // 9 x 101 = 909
  // An open buy already covers the short (its reservation replaces the short's value): the next
  // one is all new long, out of what is left free.
  EXPECT_EQ(rejection("more", market(Side::Buy, "1")),
            "insufficient cash: order needs 101, available 81 (cash 2000 minus open buy orders "
            "1919)");
  ASSERT_TRUE(broker_->cancel("flip9"));
  // A cover working at the venue leaves the free cash as it was for other symbols' buys.
  EXPECT_EQ(rejection("cover2", market(Side::Buy, "10")), "");
  const auto qqq = [](const char* qty, const char* price) {
    OrderIntent in = limit(Side::Buy, qty, price);
    in.symbol = "QQQ";
    return in;
  };
  EXPECT_EQ(rejection("qqq", qqq("9", "110")), "");  // 990 free
  EXPECT_THAT(rejection("qqq2", qqq("1", "1")), HasSubstr("insufficient cash"));
}

// ---- cancel ----

TEST_F(PaperBrokerTest, CancelOfAnOpenOrderPostsCanceledAndStopsMatching) {
  start();
  seed_spy();
  submit("o1", limit(Side::Buy, "1", "95"));
  sink_.set_now(ts("2024-01-02T21:00:00Z"));
  ASSERT_TRUE(broker_->cancel("o1"));
  const OrderEvent e = last_of("o1");
  EXPECT_EQ(e.type, OrderEventType::Canceled);
  EXPECT_EQ(e.ts, ts("2024-01-02T21:00:00Z"));
  EXPECT_EQ(e.reason, "canceled on request");
  EXPECT_EQ(e.venue_order_id, "paper-1");
  EXPECT_TRUE(broker_->open_orders()->empty());
  feed(bar("SPY", "2024-01-03", "90", "91", "89", "90"));
  EXPECT_EQ(events_of("o1").size(), 2u);
}

TEST_F(PaperBrokerTest, CancelOfAnUnknownOrderIsNotFound) {
  start();
  const sdk::Status st = broker_->cancel("nope");
  EXPECT_EQ(st.code(), StatusCode::NotFound);
  EXPECT_THAT(st.message(), HasSubstr("'nope'"));
  EXPECT_EQ(sink_.event_count(), 0u);
}

TEST_F(PaperBrokerTest, CancelOfAFilledOrderIsRejected) {
  start();
  seed_spy();
  submit("o1", market(Side::Buy, "1"));
  feed(bar("SPY", "2024-01-03", "100", "101", "99", "100"));
  const sdk::Status st = broker_->cancel("o1");
  EXPECT_EQ(st.code(), StatusCode::Rejected);
  EXPECT_THAT(st.message(), HasSubstr("order 'o1' is already filled"));
  EXPECT_EQ(events_of("o1").size(), 2u);
}

// ---- account and positions ----

TEST_F(PaperBrokerTest, AccountTracksCashEquityAndPositions) {
  start();
  seed_spy();
  submit("o1", market(Side::Buy, "10"));
  feed(bar("SPY", "2024-01-03", "104.5", "106", "101", "102"));
  sink_.set_now(ts("2024-01-03T21:00:00Z"));
  auto acct = broker_->account();
  ASSERT_TRUE(acct);
  EXPECT_EQ(acct->cash, dec("98955"));
  EXPECT_EQ(acct->equity, dec("99975"));  // marked at the close 102
  EXPECT_EQ(acct->buying_power, dec("98955"));
  EXPECT_EQ(acct->ts, ts("2024-01-03T21:00:00Z"));
  auto positions = broker_->positions();
  ASSERT_TRUE(positions);
  ASSERT_EQ(positions->size(), 1u);
  EXPECT_EQ(positions->at(0).quantity, dec("10"));
  EXPECT_EQ(positions->at(0).average_price, dec("104.5"));
  EXPECT_EQ(positions->at(0).market_price, dec("102"));
  EXPECT_EQ(positions->at(0).unrealized_pnl(), dec("-25"));
}

TEST_F(PaperBrokerTest, PositionsAreNonFlatAndSortedBySymbol) {
  start();
  seed_spy();
  feed(bar("QQQ", "2024-01-02", "400", "405", "398", "402"));
  submit("spy", market(Side::Buy, "1"));
  submit("qqq", market(Side::Buy, "1", TimeInForce::Gtc, "QQQ"));
  feed(bar("QQQ", "2024-01-03", "400", "405", "398", "402"));
  feed(bar("SPY", "2024-01-03", "100", "101", "99", "100"));
  auto positions = broker_->positions();
  ASSERT_EQ(positions->size(), 2u);
  EXPECT_EQ(positions->at(0).symbol, sdk::Symbol("QQQ"));
  EXPECT_EQ(positions->at(1).symbol, sdk::Symbol("SPY"));
  submit("close", market(Side::Sell, "1"));
  feed(bar("SPY", "2024-01-04", "110", "111", "109", "110"));
  positions = broker_->positions();
  ASSERT_EQ(positions->size(), 1u);
  EXPECT_EQ(positions->at(0).symbol, sdk::Symbol("QQQ"));
}

TEST_F(PaperBrokerTest, SellingMoreThanTheLongFlipsToShortWhenAllowed) {
  start({{"allow_short", true}});
  seed_spy();
  submit("buy", market(Side::Buy, "10"));
  feed(bar("SPY", "2024-01-03", "100", "101", "99", "100"));
  submit("flip", market(Side::Sell, "15"));
  feed(bar("SPY", "2024-01-04", "110", "111", "108", "109"));
  auto pos = broker_->positions()->at(0);
  EXPECT_EQ(pos.quantity, dec("-5"));
  EXPECT_EQ(pos.average_price, dec("110"));
  EXPECT_EQ(pos.realized_pnl, dec("100"));
  EXPECT_EQ(pos.market_price, dec("109"));
  auto acct = broker_->account();
  EXPECT_EQ(acct->cash, dec("100650"));    // 100000 - 1000 + 1650
  EXPECT_EQ(acct->equity, dec("100105"));  // 100650 - 5 × 109
}

TEST_F(PaperBrokerTest, MarketBuyThatCostsMoreAtTheOpenStillFills) {
  start({{"starting_cash", dec("1000")}});
  feed(bar("SPY", "2024-01-02", "100", "101", "99", "100"));
  submit("o1", market(Side::Buy, "10"));  // 10 × last close 100 = 1000: passes
  feed(bar("SPY", "2024-01-03", "110", "111", "109", "110"));
  EXPECT_EQ(last_of("o1").type, OrderEventType::Filled);
  EXPECT_EQ(broker_->account()->cash, dec("-100"));
}

TEST_F(PaperBrokerTest, MarginBuyingPowerIsTwiceEquityLessPositionValue) {
  start({{"starting_cash", dec("10000")}, {"allow_margin", true}});
  seed_spy();
  submit("o1", market(Side::Buy, "150"));
  feed(bar("SPY", "2024-01-03", "100", "101", "99", "100"));
  auto acct = broker_->account();
  EXPECT_EQ(acct->cash, dec("-5000"));
  EXPECT_EQ(acct->equity, dec("10000"));
  EXPECT_EQ(acct->buying_power, dec("5000"));  // 2 × 10000 - 15000
}

// ---- queries and lifecycle ----

TEST_F(PaperBrokerTest, OpenOrdersAreListedInSubmissionOrder) {
  start();
  seed_spy();
  submit("b", limit(Side::Buy, "1", "90"));
  submit("a", limit(Side::Buy, "2", "91"));
  submit("c", limit(Side::Buy, "3", "92"));
  ASSERT_TRUE(broker_->cancel("a"));
  auto open = broker_->open_orders();
  ASSERT_EQ(open->size(), 2u);
  EXPECT_EQ(open->at(0).client_order_id, sdk::ClientOrderId("b"));
  EXPECT_EQ(open->at(1).client_order_id, sdk::ClientOrderId("c"));
  EXPECT_EQ(open->at(1).venue_order_id, "paper-3");
}

// A sink that calls back into the broker from inside a bar's matching: on "o1"'s fill it submits
// "o2" and hands the broker a QQQ bar. broker.hpp forbids it and the kernel's sink only queues;
// still, a sink that breaks the rule must not make a bar skip or repeat an order: each of the
// outer bar's orders fills once, the nested bar matches its own.
TEST_F(PaperBrokerTest, ASinkCallingBackDuringABarNeitherSkipsNorRepeatsAnOrder) {
  start();
  seed_spy();
  feed(bar("QQQ", "2024-01-02", "400", "405", "398", "402"));
  for (const char* id : {"o1", "q1", "q2", "o3"})
    submit(id,
           id[0] == 'q' ? market(Side::Buy, "1", TimeInForce::Gtc, "QQQ") : market(Side::Buy, "1"));
  sink_.before_order_event = [this](const OrderEvent& e) {
    if (!e.is_fill() || e.client_order_id != sdk::ClientOrderId("o1")) return;
    submit("o2", market(Side::Buy, "1"));
    feed(bar("QQQ", "2024-01-03", "401", "405", "398", "402"));
  };
  feed(bar("SPY", "2024-01-03", "104.5", "106", "101", "102"));

  std::map<std::string, std::vector<std::string>> seen;  // id -> event types, in order
  for (const auto& e : sink_.events())
    seen[e.client_order_id.str()].push_back(std::string(to_string(e.type)));
  using V = std::vector<std::string>;
  EXPECT_EQ(seen["o1"], (V{"accepted", "filled"}));
  EXPECT_EQ(seen["o3"], (V{"accepted", "filled"}));
  EXPECT_EQ(seen["q1"], (V{"accepted", "filled"}));  // on the nested QQQ bar
  EXPECT_EQ(seen["q2"], (V{"accepted", "filled"}));
  EXPECT_EQ(seen["o2"], (V{"accepted"}));  // placed during the SPY bar: waits for the next
  const auto open = broker_->open_orders();
  ASSERT_TRUE(open);
  ASSERT_EQ(open->size(), 1u);
  EXPECT_EQ(open->front().client_order_id, sdk::ClientOrderId("o2"));
  feed(bar("SPY", "2024-01-04", "103", "104", "101", "102"));
  EXPECT_EQ(seen.size(), 5u);
  EXPECT_EQ(sink_.last_event().client_order_id, sdk::ClientOrderId("o2"));
  EXPECT_EQ(sink_.last_event().type, OrderEventType::Filled);
  EXPECT_TRUE(sink_.faults().empty());
}

TEST_F(PaperBrokerTest, AnOrderRecordedButNotReportedIsAnUnknownOutcomeNotARefusal) {
  // The kernel books a refused submit (any error but Unknown) as a final rejection. An order the
  // broker has recorded trades on the next bar, so its submit must say Unknown: the kernel then
  // keeps it in doubt and asks order(), which must find it open.
  start();
  seed_spy();
  bool fail_next = true;  // a sink that cannot take the event (e.g. out of memory in the inbox)
  sink_.before_order_event = [&fail_next](const OrderEvent&) {
    if (std::exchange(fail_next, false)) throw std::runtime_error("inbox full");
  };
  const sdk::Status st = broker_->submit(kernel::RiskGate::approve("o1", market(Side::Buy, "1")));
  EXPECT_EQ(st.code(), StatusCode::Unknown) << st.message();
  EXPECT_THAT(st.message(), HasSubstr("o1"));
  EXPECT_EQ(sink_.event_count(), 0u);
  const auto report = broker_->order("o1");
  ASSERT_TRUE(report) << report.status().message();
  EXPECT_TRUE(report->open);
  EXPECT_EQ(report->venue_order_id, "paper-1");
  // Sent again by mistake, it is a duplicate, not a second order.
  submit("o1", market(Side::Buy, "1"));
  ASSERT_EQ(sink_.event_count(), 1u);
  EXPECT_EQ(sink_.last_event().type, OrderEventType::Rejected);
  feed(bar("SPY", "2024-01-03", "104.5", "106", "101", "102"));
  ASSERT_EQ(sink_.event_count(), 2u);
  EXPECT_EQ(sink_.last_event().type, OrderEventType::Filled);
  EXPECT_EQ(sink_.last_event().client_order_id, sdk::ClientOrderId("o1"));
  EXPECT_TRUE(sink_.faults().empty());
}

// The same with a sink that cannot take the fault either: the fault says what happened (filled,
// not reported), never "could not match", and the sink's throw is passed on after the bar.
TEST_F(PaperBrokerTest, AFillNotReportedToASinkThatAlsoThrowsOnItsFaultIsNotCalledUnmatched) {
  start();
  seed_spy();
  submit("o1", market(Side::Buy, "2"));
  bool fail_next = true;
  sink_.before_order_event = [&fail_next](const OrderEvent&) {
    if (std::exchange(fail_next, false)) throw std::runtime_error("inbox full");
  };
  std::vector<std::string> told;
  sink_.before_fault = [&told](const sdk::Status& st) {
    told.push_back(st.message());
    throw std::runtime_error("still full");
  };
  EXPECT_THROW(feed(bar("SPY", "2024-01-03", "104.5", "106", "101", "102")), std::runtime_error);
  ASSERT_EQ(told.size(), 1u);
  EXPECT_THAT(told[0], HasSubstr("filled order 'o1'"));
  EXPECT_THAT(told[0], ::testing::Not(HasSubstr("could not match")));
  EXPECT_EQ(broker_->fills(sdk::Timestamp{INT64_MIN})->size(), 1u);
  // Told once: the next bar has nothing left to tell.
  EXPECT_NO_THROW(feed(bar("SPY", "2024-01-04", "104.5", "106", "101", "102")));
  EXPECT_EQ(told.size(), 1u);
}

// An expiry (as a cancel of an IOC order) is booked and saved before it is reported: a sink that
// cannot take its event gets a fault saying so, never "could not match", and the order stays
// expired.
TEST_F(PaperBrokerTest, AnExpiryNotReportedIsAFaultAndTheOrderStaysExpired) {
  start();
  seed_spy();
  submit("d1", limit(Side::Buy, "1", "90", TimeInForce::Day));
  feed(bar("SPY", "2024-01-03", "100", "101", "99", "100"));  // its session
  bool fail_next = true;
  sink_.before_order_event = [&fail_next](const OrderEvent&) {
    if (std::exchange(fail_next, false)) throw 42;  // not even a std::exception
  };
  feed(bar("SPY", "2024-01-04", "100", "101", "99", "100"));
  const auto faults = sink_.faults();
  ASSERT_EQ(faults.size(), 1u);
  EXPECT_THAT(faults[0], HasSubstr("closed order 'd1' (expired) on the 2024-01-04T00:00:00Z bar "
                                   "but could not report it: an exception that is not a "
                                   "std::exception"));
  EXPECT_EQ(broker_->order("d1")->status, OrderEventType::Expired);
  EXPECT_FALSE(broker_->order("d1")->open);
}

TEST_F(PaperBrokerTest, AFillBookedButNotReportedIsAFaultNamingTheTradeAndFillsHasIt) {
  // Not "could not match": the fill is booked and in the trade log, where the kernel's
  // reconciliation (fills()) finds it.
  start();
  seed_spy();
  submit("o1", market(Side::Buy, "2"));
  bool fail_next = true;  // a sink that cannot take the fill's event
  sink_.before_order_event = [&fail_next](const OrderEvent&) {
    if (std::exchange(fail_next, false)) throw std::runtime_error("inbox full");
  };
  feed(bar("SPY", "2024-01-03", "104.5", "106", "101", "102"));
  const auto faults = sink_.faults();
  ASSERT_EQ(faults.size(), 1u);
  EXPECT_THAT(faults[0], HasSubstr("filled order 'o1' on the 2024-01-03T00:00:00Z bar"));
  EXPECT_THAT(faults[0], HasSubstr("(trade paper-t1) but could not report the fill: inbox full"));
  const auto fills = broker_->fills(sdk::Timestamp{INT64_MIN});
  ASSERT_TRUE(fills);
  ASSERT_EQ(fills->size(), 1u);
  EXPECT_EQ(fills->front().trade_id, sdk::TradeId("paper-t1"));
  EXPECT_EQ(fills->front().fill_quantity, dec("2"));
  const auto report = broker_->order("o1");
  ASSERT_TRUE(report);
  EXPECT_FALSE(report->open);
  const auto positions = broker_->positions();
  ASSERT_TRUE(positions);
  ASSERT_EQ(positions->size(), 1u);
  EXPECT_EQ(positions->front().quantity, dec("2"));
  // The next fill takes the next trade number: the failed report used none twice.
  submit("o2", market(Side::Buy, "1"));
  feed(bar("SPY", "2024-01-04", "103", "104", "101", "102"));
  EXPECT_EQ(sink_.last_event().trade_id, sdk::TradeId("paper-t2"));
}

TEST_F(PaperBrokerTest, OrderQueryReportsFilledQuantity) {
  start();
  seed_spy();
  submit("o1", market(Side::Buy, "7"));
  feed(bar("SPY", "2024-01-03", "100", "101", "99", "100"));
  auto r = broker_->order("o1");
  ASSERT_TRUE(r);
  EXPECT_FALSE(r->open);
  EXPECT_EQ(r->filled_quantity, dec("7"));
  EXPECT_EQ(r->leaves_quantity, Decimal{});
  EXPECT_EQ(broker_->order("nope").status().code(), StatusCode::NotFound);
}

TEST_F(PaperBrokerTest, CallsBeforeStartAreUnavailable) {
  broker_ = std::make_unique<PaperBroker>(make_config());
  EXPECT_EQ(broker_->submit(kernel::RiskGate::approve("o1", market(Side::Buy, "1"))).code(),
            StatusCode::Unavailable);
  EXPECT_EQ(broker_->account().status().code(), StatusCode::Unavailable);
  EXPECT_EQ(broker_->history("SPY", {}, {}).status().code(), StatusCode::Unavailable);
  EXPECT_EQ(broker_->subscribe_bars({"SPY"}).code(), StatusCode::Unavailable);
}

TEST_F(PaperBrokerTest, StartReportsEveryMissingDataFile) {
  broker_ = std::make_unique<PaperBroker>(make_config(
      {{"data",
        sdk::StringMap{{"SPY", "test_data/SPY.csv"}, {"AAA", "nope/a.csv"}, {"BBB", "b.csv"}}}}));
  const sdk::Status st = broker_->start(sink_);
  EXPECT_EQ(st.code(), StatusCode::NotFound);
  EXPECT_THAT(st.message(),
              HasSubstr("AAA: data file '" + testing::kPluginDir + "/nope/a.csv' does not exist"));
  EXPECT_THAT(st.message(), HasSubstr("BBB: data file '" + testing::kPluginDir + "/b.csv'"));
}

TEST_F(PaperBrokerTest, SameInputsGiveTheSameEvents) {
  const auto run = [] {
    FakeSink sink;
    PaperBroker broker(
        make_config({{"slippage_bps", dec("3")}, {"commission_percent", dec("0.05")}}));
    EXPECT_TRUE(broker.start(sink));
    broker.on_market_bar(bar("SPY", "2024-01-02", "100", "105", "99", "104"));
    EXPECT_TRUE(broker.submit(kernel::RiskGate::approve("m", market(Side::Buy, "3"))));
    EXPECT_TRUE(broker.submit(kernel::RiskGate::approve("l", limit(Side::Buy, "2", "101.37"))));
    EXPECT_TRUE(broker.submit(kernel::RiskGate::approve("s", stop(Side::Buy, "1", "103.11"))));
    broker.on_market_bar(bar("SPY", "2024-01-03", "100.01", "103.5", "101", "102"));
    broker.on_market_bar(bar("SPY", "2024-01-04", "101.5", "102", "100", "101"));
    std::vector<std::string> out;
    for (const auto& e : sink.events()) out.push_back(summary(e));
    return out;
  };
  const auto first = run();
  EXPECT_EQ(first.size(), 6u);
  EXPECT_EQ(first, run());
}

// ---- history ----

TEST_F(PaperBrokerTest, HistoryWithOpenEndsReturnsTheWholeFile) {
  start();
  auto bars = broker_->history("SPY", sdk::Timestamp{std::numeric_limits<std::int64_t>::min()},
                               sdk::Timestamp{std::numeric_limits<std::int64_t>::max()});
  ASSERT_TRUE(bars) << bars.status().message();
  ASSERT_EQ(bars->size(), 5u);
  EXPECT_EQ(bars->front().ts, ts("2024-01-02"));
  EXPECT_EQ(bars->back().ts, ts("2024-01-08"));
}

TEST_F(PaperBrokerTest, HistoryIncludesFromAndExcludesTo) {
  start();
  auto bars = broker_->history("SPY", ts("2024-01-03"), ts("2024-01-05"));
  ASSERT_TRUE(bars);
  ASSERT_EQ(bars->size(), 2u);
  EXPECT_EQ(bars->at(0).ts, ts("2024-01-03"));
  EXPECT_EQ(bars->at(1).ts, ts("2024-01-04"));
  EXPECT_TRUE(broker_->history("SPY", ts("2024-01-03T00:00:01Z"), ts("2024-01-04"))->empty());
  EXPECT_TRUE(broker_->history("SPY", ts("2024-01-05"), ts("2024-01-05"))->empty());
  EXPECT_EQ(broker_->history("SPY", ts("2023-01-01"), ts("2024-01-03T00:00:01Z"))->size(), 2u);
}

TEST_F(PaperBrokerTest, HistoryOfASymbolWithoutDataIsNotFound) {
  start();
  auto bars = broker_->history("AAPL", ts("2024-01-01"), ts("2025-01-01"));
  ASSERT_FALSE(bars);
  EXPECT_EQ(bars.status().code(), StatusCode::NotFound);
  EXPECT_THAT(bars.status().message(), HasSubstr("no data for symbol 'AAPL'"));
}

TEST_F(PaperBrokerTest, HistoryReturnsBadRowsAsAStatusNamingFileAndLine) {
  start({{"data", sdk::StringMap{{"SPY", "test_data/bad_rows.csv"}}}});
  auto bars = broker_->history("SPY", ts("2024-01-01"), ts("2025-01-01"));
  ASSERT_FALSE(bars);
  EXPECT_EQ(bars.status().code(), StatusCode::InvalidArgument);
  EXPECT_THAT(bars.status().message(),
              HasSubstr("test_data/bad_rows.csv:8: high 10.5 is below close 11"));
}

TEST_F(PaperBrokerTest, HistoryInSkipModeLogsEachSkippedRowOnce) {
  start({{"data", sdk::StringMap{{"SPY", "test_data/bad_rows.csv"}}},
         {"on_bad_row", std::string("skip")}});
  auto bars = broker_->history("SPY", ts("2024-01-01"), ts("2025-01-01"));
  ASSERT_TRUE(bars) << bars.status().message();
  EXPECT_EQ(bars->size(), 4u);
  const auto warnings = sink_.log().lines(sdk::LogLevel::Warning);
  ASSERT_EQ(warnings.size(), 11u);
  EXPECT_THAT(warnings[0], HasSubstr("bad_rows.csv:3: expected 6 fields"));
  EXPECT_THAT(warnings[10], HasSubstr("SPY: skipped 10 bad row(s)"));
  ASSERT_TRUE(broker_->history("SPY", ts("2024-01-01"), ts("2025-01-01")));
  EXPECT_EQ(sink_.log().lines(sdk::LogLevel::Warning).size(), 11u);
}

// ---- without data: bars routed from another broker (the kernel's market_data key) ----

TEST_F(PaperBrokerTest, WithoutDataHistoryAndSubscribeAreNotFoundNamingMarketData) {
  start({{"data", sdk::StringMap{}}});
  auto h = broker_->history(sdk::Symbol("SPY"), sdk::Timestamp{INT64_MIN}, sdk::Timestamp{INT64_MAX});
  ASSERT_FALSE(h);
  EXPECT_EQ(h.status().code(), StatusCode::NotFound);
  EXPECT_THAT(h.status().message(), HasSubstr("has no config key data"));
  EXPECT_THAT(h.status().message(), HasSubstr("market_data"));
  const sdk::Status sub = broker_->subscribe_bars({sdk::Symbol("SPY")});
  EXPECT_EQ(sub.code(), StatusCode::NotFound);
  EXPECT_TRUE(sink_.bars().empty());
}

TEST_F(PaperBrokerTest, WithoutDataAnySymbolTradesOnTheBarsItIsGiven) {
  start({{"data", sdk::StringMap{}}});
  // AAPL is in no CSV: its bars arrive through on_market_bar only.
  feed(bar("AAPL", "2024-01-02", "180", "182", "179", "181"));
  submit("o1", market(Side::Buy, "3", TimeInForce::Gtc, "AAPL"));
  ASSERT_EQ(last_of("o1").type, OrderEventType::Accepted);
  feed(bar("AAPL", "2024-01-03", "183", "185", "182", "184"));
  EXPECT_EQ(summary(last_of("o1")),
            "filled o1 AAPL buy 3@183 fee 0 paper-t1 leaves 0 paper-1 2024-01-03T00:00:00Z");
  EXPECT_EQ(broker_->account()->cash, dec("99451"));  // 100000 - 3 x 183
  EXPECT_EQ(broker_->positions()->at(0).market_price, dec("184"));
}

// Bars from another broker only move forward per symbol: a later bar of one symbol can fill before
// an earlier bar of another. fills(since) must still give every fill at or after `since` (a search
// that took the trade log for time-ordered skipped AAA's here, and a restart would miss it).
TEST_F(PaperBrokerTest, WithoutDataFillsSinceFindsFillsLoggedOutOfTimeOrder) {
  start({{"data", sdk::StringMap{}}});
  for (const char* symbol : {"AAA", "BBB", "CCC"})
    feed(bar(symbol, "2024-01-02", "10", "11", "9", "10"));
  submit("a", market(Side::Buy, "1", TimeInForce::Gtc, "AAA"));
  submit("b", market(Side::Buy, "1", TimeInForce::Gtc, "BBB"));
  submit("c", market(Side::Buy, "1", TimeInForce::Gtc, "CCC"));
  feed(bar("AAA", "2024-01-05", "10", "11", "9", "10"));  // trade log: AAA 5th, BBB 3rd, CCC 6th
  feed(bar("BBB", "2024-01-03", "10", "11", "9", "10"));
  feed(bar("CCC", "2024-01-06", "10", "11", "9", "10"));
  const auto fills = broker_->fills(*sdk::Timestamp::parse_iso8601("2024-01-04T00:00:00Z"));
  ASSERT_TRUE(fills) << fills.status().message();
  std::vector<std::string> ids;
  for (const auto& f : *fills) ids.push_back(f.client_order_id.str());
  EXPECT_EQ(ids, (std::vector<std::string>{"a", "c"}));
  EXPECT_EQ(broker_->fills(sdk::Timestamp{INT64_MIN})->size(), 3u);
}

TEST_F(PaperBrokerTest, WithoutDataAMarketBuyBeforeAnyBarHasNoReferencePrice) {
  start({{"data", sdk::StringMap{}}});
  EXPECT_THAT(rejection("o1", market(Side::Buy, "1", TimeInForce::Gtc, "AAPL")), HasSubstr("no reference price"));
}

}  // namespace
}  // namespace mercurio::brokers::paper
