#include "order_book.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "test_support.hpp"

namespace mercurio::brokers::alpaca {
namespace {

using namespace mercurio::brokers::alpaca::testing;
using sdk::OrderEventType;

// When the kernel approved the expected orders (before every order these tests report).
const sdk::Timestamp kApproved = ts("2024-01-02T14:00:00Z");
const std::string kVenue = "61e69015-8549-4bfd-b9c3-01e75843f47d";

VenueOrder order(const char* status, const char* filled, std::optional<const char*> avg = std::nullopt,
                 const char* qty = "10") {
  VenueOrder v;
  v.report.client_order_id = "m-1";
  v.report.venue_order_id = kVenue;
  v.report.intent = intent("AAPL", sdk::Side::Buy, qty);
  v.report.filled_quantity = dec(filled);
  const auto m = map_order_status(status);
  v.report.open = m ? m->open : true;
  v.report.status = m ? m->type : OrderEventType::Accepted;
  if (avg) v.filled_avg_price = dec(*avg);
  v.updated_at = ts("2024-01-02T14:30:00Z");
  return v;
}

TradeUpdate update(const char* event, const char* status, const char* cum, std::optional<const char*> qty,
                   std::optional<const char*> price, std::optional<const char*> avg = std::nullopt) {
  TradeUpdate u;
  u.event = event;
  u.raw_status = status;
  u.status = map_order_status(status);
  const auto v = order(status, cum, avg);
  u.order = v.report;
  u.venue_order_id = kVenue;
  u.ts = ts("2024-01-02T14:31:00Z");
  if (qty) u.qty = dec(*qty);
  if (price) u.price = dec(*price);
  u.filled_avg_price = v.filled_avg_price;
  return u;
}

FillActivity activity(const char* qty, const char* price, const char* cum) {
  FillActivity f;
  f.venue_order_id = kVenue;
  f.cumulative = dec(cum);
  f.event.fill_quantity = dec(qty);
  f.event.fill_price = dec(price);
  f.event.ts = ts("2024-01-02T14:32:00Z");
  return f;
}

// News under an expected id (its outcome unknown) that names another order, the id used before by
// another one: a long-filled sell of 7 where buy 10 was sent. It is not applied (its fill would be
// reported as this order's) and raised once as an anomaly; news that fits still applies.
TEST(AlpacaOrderBookTest, NewsOfAnotherOrderUnderAnExpectedIdIsNotApplied) {
  OrderBook book;
  ASSERT_TRUE(
      book.expect(sdk::ClientOrderId("m-1"), intent("AAPL", sdk::Side::Buy, "10"), kApproved));
  VenueOrder other = order("filled", "7", "90", "7");
  other.report.intent.side = sdk::Side::Sell;
  auto out = book.on_snapshot(other, ts("2024-01-02T14:30:00Z"));
  EXPECT_TRUE(out.events.empty());
  ASSERT_EQ(out.anomalies.size(), 1u);
  EXPECT_THAT(out.anomalies[0].second.message(),
              ::testing::HasSubstr("is another one (sell 7 AAPL, sent as buy 10 AAPL)"));
  TradeUpdate streamed = update("fill", "filled", "7", "7", "90");
  streamed.order.intent = other.report.intent;
  out = book.on_trade_update(streamed);
  EXPECT_TRUE(out.events.empty());
  EXPECT_TRUE(out.anomalies.empty());  // raised once
  EXPECT_FALSE(book.confirmed(sdk::ClientOrderId("m-1")));
  out = book.on_snapshot(order("new", "0"), ts("2024-01-02T14:31:00Z"));
  ASSERT_EQ(out.events.size(), 1u);
  EXPECT_EQ(out.events[0].type, OrderEventType::Accepted);
  EXPECT_TRUE(book.confirmed(sdk::ClientOrderId("m-1")));
}

// The same terms, but an order Alpaca took an hour before this one was approved: the id used
// before (a new journal starts the ids again). Its fill is not this order's. A snapshot of it (a
// gap-fill's lookup racing the submit) used to be applied, and its fill reported as this order's.
TEST(AlpacaOrderBookTest, NewsOfAnOrderTakenBeforeTheApprovalIsNotApplied) {
  OrderBook book;
  ASSERT_TRUE(
      book.expect(sdk::ClientOrderId("m-1"), intent("AAPL", sdk::Side::Buy, "10"), kApproved));
  VenueOrder old = order("filled", "10", "90");
  old.created_at = ts("2024-01-02T13:00:00Z");
  auto out = book.on_snapshot(old, ts("2024-01-02T14:30:00Z"));
  EXPECT_TRUE(out.events.empty());
  ASSERT_EQ(out.anomalies.size(), 1u);
  EXPECT_THAT(out.anomalies[0].second.message(),
              ::testing::HasSubstr("taken 2024-01-02T13:00:00Z, before it was approved at "
                                   "2024-01-02T14:00:00Z): not taken as this order"));
  TradeUpdate streamed = update("fill", "filled", "10", "10", "90");
  streamed.created_at = old.created_at;
  EXPECT_TRUE(book.on_trade_update(streamed).events.empty());
  EXPECT_FALSE(book.confirmed(sdk::ClientOrderId("m-1")));
  EXPECT_TRUE(book.forget(sdk::ClientOrderId("m-1")));  // its refusal can drop it
  // Taken within a minute of the approval (the clocks differ): this order.
  ASSERT_TRUE(
      book.expect(sdk::ClientOrderId("m-1"), intent("AAPL", sdk::Side::Buy, "10"), kApproved));
  VenueOrder mine = order("new", "0");
  mine.created_at = ts("2024-01-02T13:59:30Z");
  out = book.on_snapshot(mine, ts("2024-01-02T14:30:00Z"));
  ASSERT_EQ(out.events.size(), 1u);
  EXPECT_EQ(out.events[0].type, OrderEventType::Accepted);
}

// A gap-fill reads the snapshot of an expected order while its submit is refused and the order
// forgotten; applied after that, the snapshot (another order's: the lookup found the id's old
// order) used to make the order anew and report its acceptance and fill under the refused id.
TEST(AlpacaOrderBookTest, ASnapshotOfAnOrderForgottenMeanwhileIsIgnored) {
  OrderBook book;
  ASSERT_TRUE(
      book.expect(sdk::ClientOrderId("m-1"), intent("AAPL", sdk::Side::Buy, "10"), kApproved));
  ASSERT_TRUE(book.forget(sdk::ClientOrderId("m-1")));
  const auto out = book.on_snapshot(order("filled", "10", "90"), ts("2024-01-02T14:30:00Z"));
  EXPECT_TRUE(out.events.empty());
  EXPECT_TRUE(out.anomalies.empty());
  EXPECT_FALSE(book.knows(sdk::ClientOrderId("m-1")));
}

TEST(AlpacaOrderBookTest, AcceptThenPartialThenFullReportsDeltas) {
  OrderBook book;
  auto out = book.track(order("new", "0"), ts("2024-01-02T14:30:00Z"));
  ASSERT_EQ(out.events.size(), 1u);
  EXPECT_EQ(out.events[0].type, OrderEventType::Accepted);
  out = book.on_trade_update(update("new", "new", "0", {}, {}));
  EXPECT_TRUE(out.events.empty());  // accepted once only
  out = book.on_trade_update(update("partial_fill", "partially_filled", "4", "4", "10.0"));
  ASSERT_EQ(out.events.size(), 1u);
  EXPECT_EQ(out.events[0].type, OrderEventType::PartiallyFilled);
  EXPECT_EQ(out.events[0].fill_quantity, dec("4"));
  EXPECT_EQ(out.events[0].leaves_quantity, dec("6"));
  EXPECT_EQ(out.events[0].trade_id, fill_trade_id(kVenue, dec("4")));
  out = book.on_trade_update(update("fill", "filled", "10", "6", "11.0"));
  ASSERT_EQ(out.events.size(), 1u);
  EXPECT_EQ(out.events[0].type, OrderEventType::Filled);
  EXPECT_EQ(out.events[0].fill_quantity, dec("6"));
  EXPECT_EQ(out.events[0].fill_price, dec("11.0"));
  EXPECT_TRUE(book.open_ids().empty());
}

TEST(AlpacaOrderBookTest, ReplayedStreamEventsAndActivitiesAreDroppedByCumulativeQuantity) {
  OrderBook book;
  (void)book.track(order("new", "0"), {});
  ASSERT_EQ(book.on_trade_update(update("partial_fill", "partially_filled", "4", "4", "10.0")).events.size(), 1u);
  EXPECT_TRUE(book.on_trade_update(update("partial_fill", "partially_filled", "4", "4", "10.0")).events.empty());
  EXPECT_TRUE(book.on_fill_activity(activity("4", "10.0", "4")).events.empty());
  EXPECT_TRUE(book.on_snapshot(order("partially_filled", "4", "10.0"), {}).events.empty());
}

TEST(AlpacaOrderBookTest, MissedStreamEventsArePricedFromTheAveragePrice) {
  OrderBook book;
  (void)book.track(order("new", "0"), {});
  ASSERT_EQ(book.on_trade_update(update("partial_fill", "partially_filled", "2", "2", "10")).events.size(), 1u);
  // Fills at 4 @ 11 and 4 @ 12 were missed; this event is the last one (2 @ 13): cum 10, avg 11.8
  auto out = book.on_trade_update(update("fill", "filled", "10", "2", "13", "11.8"));
  ASSERT_EQ(out.events.size(), 1u);
  EXPECT_EQ(out.events[0].fill_quantity, dec("8"));
  EXPECT_EQ(out.events[0].fill_price, dec("12.25"));  // (11.8*10 - 2*10) / 8
  EXPECT_EQ(out.events[0].type, OrderEventType::Filled);
}

TEST(AlpacaOrderBookTest, CancelAfterAMissedFillReportsTheFillFirst) {
  OrderBook book;
  (void)book.track(order("new", "0"), {});
  auto out = book.on_trade_update(update("canceled", "canceled", "3", {}, {}, "20"));
  ASSERT_EQ(out.events.size(), 2u);
  EXPECT_EQ(out.events[0].type, OrderEventType::PartiallyFilled);
  EXPECT_EQ(out.events[0].fill_quantity, dec("3"));
  // What the kernel's reconciliation reads the part of the order a fill covers from: 0 to 3 of 10.
  EXPECT_EQ(out.events[0].leaves_quantity, dec("7"));
  EXPECT_EQ(out.events[1].type, OrderEventType::Canceled);
  EXPECT_TRUE(book.on_trade_update(update("canceled", "canceled", "3", {}, {}, "20")).events.empty());
}

TEST(AlpacaOrderBookTest, SnapshotWithoutPriceWaitsForTheActivityInsteadOfGuessing) {
  OrderBook book;
  (void)book.track(order("new", "0"), {});
  auto out = book.on_snapshot(order("canceled", "3"), {});  // filled 3, no average price
  EXPECT_TRUE(out.events.empty());
  ASSERT_EQ(out.anomalies.size(), 1u);
  out = book.on_fill_activity(activity("3", "7.5", "3"));
  ASSERT_EQ(out.events.size(), 1u);
  EXPECT_EQ(out.events[0].fill_price, dec("7.5"));
  out = book.on_snapshot(order("canceled", "3"), {});
  ASSERT_EQ(out.events.size(), 1u);
  EXPECT_EQ(out.events[0].type, OrderEventType::Canceled);
}

TEST(AlpacaOrderBookTest, UpdatesOfOrdersPlacedOutsideMercurioAreIgnored) {
  OrderBook book;
  book.expect("m-2", intent("AAPL", sdk::Side::Buy, "10"),
              kApproved);  // ours, on its way: not "m-1"
  EXPECT_TRUE(book.on_trade_update(update("fill", "filled", "10", "10", "1")).events.empty());
  EXPECT_TRUE(book.on_fill_activity(activity("10", "1", "10")).events.empty());
  EXPECT_FALSE(book.knows("m-1"));
}

TEST(AlpacaOrderBookTest, FillStreamedBeforeThePostReplyIsReportedOnceAndNeverTakenBack) {
  OrderBook book;
  ASSERT_TRUE(
      book.expect("m-1", intent("AAPL", sdk::Side::Buy, "10"), kApproved));  // before the POST
  auto out = book.on_trade_update(update("fill", "filled", "10", "10", "5"));
  ASSERT_EQ(out.events.size(), 2u);
  EXPECT_EQ(out.events[0].type, OrderEventType::Accepted);
  EXPECT_EQ(out.events[1].type, OrderEventType::Filled);
  EXPECT_EQ(out.events[1].fill_quantity, dec("10"));
  EXPECT_EQ(out.events[1].fill_price, dec("5"));
  // The reply, older than the fill (accepted, nothing filled), then a snapshot of the fill.
  EXPECT_TRUE(book.track(order("new", "0"), {}).events.empty());
  EXPECT_TRUE(book.on_snapshot(order("filled", "10", "5"), {}).events.empty());
  EXPECT_TRUE(book.on_fill_activity(activity("10", "5", "10")).events.empty());
  EXPECT_TRUE(book.open_ids().empty());
}

TEST(AlpacaOrderBookTest, PartialFillStreamedBeforeThePostReplyIsNotReportedAgain) {
  OrderBook book;
  book.expect("m-1", intent("AAPL", sdk::Side::Buy, "10"), kApproved);
  ASSERT_EQ(book.on_trade_update(update("partial_fill", "partially_filled", "4", "4", "10"))
                .events.size(),
            2u);
  EXPECT_TRUE(book.track(order("new", "0"), {}).events.empty());
  EXPECT_EQ(book.open_ids().size(), 1u);
  auto out = book.on_trade_update(update("fill", "filled", "10", "6", "11"));
  ASSERT_EQ(out.events.size(), 1u);
  EXPECT_EQ(out.events[0].fill_quantity, dec("6"));
}

TEST(AlpacaOrderBookTest, ForgetDropsOnlyAnOrderAlpacaHasNotReported) {
  OrderBook book;
  ASSERT_TRUE(book.expect("m-1", intent("AAPL", sdk::Side::Buy, "10"), kApproved));
  EXPECT_FALSE(
      book.expect("m-1", intent("AAPL", sdk::Side::Buy, "10"), kApproved));  // already there
  EXPECT_TRUE(book.forget("m-1"));  // refused before reaching Alpaca
  EXPECT_FALSE(book.knows("m-1"));
  EXPECT_TRUE(book.open_ids().empty());
  // Once Alpaca has reported it, a refusal cannot make it vanish.
  book.expect("m-1", intent("AAPL", sdk::Side::Buy, "10"), kApproved);
  (void)book.on_trade_update(update("new", "new", "0", {}, {}));
  EXPECT_FALSE(book.forget("m-1"));
  EXPECT_TRUE(book.knows("m-1"));
  EXPECT_EQ(book.client_id_of(kVenue), sdk::ClientOrderId("m-1"));
  EXPECT_FALSE(book.forget("m-9"));
}

TEST(AlpacaOrderBookTest, ExpectedOrderOfUnknownOutcomeIsTrackedWhenNewsArrives) {
  OrderBook book;
  book.expect("m-1", intent("AAPL", sdk::Side::Buy, "10"), kApproved);
  auto out = book.on_trade_update(update("fill", "filled", "10", "10", "5"));
  ASSERT_EQ(out.events.size(), 2u);
  EXPECT_EQ(out.events[0].type, OrderEventType::Accepted);
  EXPECT_EQ(out.events[1].type, OrderEventType::Filled);
  EXPECT_EQ(out.events[1].venue_order_id, kVenue);
}

TEST(AlpacaOrderBookTest, AdoptedOrderReportsOnlyFillsAfterStartUp) {
  OrderBook book;
  book.adopt(order("partially_filled", "4", "10"));
  auto out = book.on_trade_update(update("fill", "filled", "10", "6", "12"));
  ASSERT_EQ(out.events.size(), 1u);
  EXPECT_EQ(out.events[0].fill_quantity, dec("6"));
}

TEST(AlpacaOrderBookTest, UnknownStatusIsOneAnomalyNamingTheSymbol) {
  OrderBook book;
  (void)book.track(order("new", "0"), {});
  auto u = update("replaced", "replaced", "0", {}, {});
  auto out = book.on_trade_update(u);
  ASSERT_EQ(out.anomalies.size(), 1u);
  EXPECT_EQ(out.anomalies[0].first.str(), "AAPL");
  EXPECT_EQ(out.anomalies[0].second.code(), sdk::StatusCode::Unknown);
  EXPECT_TRUE(book.on_trade_update(u).anomalies.empty());
}

TEST(AlpacaOrderBookTest, FillThatCannotBeComputedThrowsAndLeavesTheOrderAsItWas) {
  OrderBook book;
  ASSERT_EQ(book.track(order("new", "0"), {}).events.size(), 1u);  // Accepted
  // 2 x 90,000,000,000 overflows the decimal: the fill's price cannot be worked out.
  EXPECT_THROW((void)book.on_snapshot(order("partially_filled", "2", "90000000000"), {}),
               sdk::DecimalError);
  // Nothing was taken as reported: the next readable news reports the whole fill.
  auto out = book.on_snapshot(order("partially_filled", "2", "10"), {});
  ASSERT_EQ(out.events.size(), 1u);
  EXPECT_EQ(out.events[0].type, OrderEventType::PartiallyFilled);
  EXPECT_EQ(out.events[0].fill_quantity, dec("2"));
  EXPECT_EQ(out.events[0].fill_price, dec("10"));
}

TEST(AlpacaOrderBookTest, RejectedOrderIsFinalWithoutAcceptance) {
  OrderBook book;
  book.expect("m-1", intent("AAPL", sdk::Side::Buy, "10"), kApproved);
  auto out = book.on_trade_update(update("rejected", "rejected", "0", {}, {}));
  ASSERT_EQ(out.events.size(), 1u);
  EXPECT_EQ(out.events[0].type, OrderEventType::Rejected);
  EXPECT_EQ(out.events[0].reason, "alpaca event rejected");
}

}  // namespace
}  // namespace mercurio::brokers::alpaca
