#include "exec/order_tracker.hpp"

#include <algorithm>
#include <stdexcept>
#include <string>
#include <vector>

#include <gtest/gtest.h>

using namespace mercurio::kernel;
using namespace mercurio::sdk;

namespace {
Decimal d(const char* s) { return Decimal::from_string(s); }

TrackedOrder make_order(OrderTracker& t, const std::string& strategy, std::size_t si, const char* qty) {
  TrackedOrder o;
  o.id = t.next_id(si, strategy);
  o.strategy_index = si;
  o.broker_index = 0;
  o.intent.symbol = "SPY";
  o.intent.side = Side::Buy;
  o.intent.quantity = d(qty);
  return t.add(o);
}
OrderEvent event(const TrackedOrder& o, OrderEventType type, const char* qty = "0", const char* trade = "") {
  OrderEvent e;
  e.type = type;
  e.client_order_id = o.id;
  e.symbol = o.intent.symbol;
  e.side = o.intent.side;
  e.fill_quantity = d(qty);
  e.fill_price = d("100");
  e.trade_id = trade;
  return e;
}
}  // namespace

TEST(OrderTrackerTest, IdsAreDeterministicPerStrategy) {
  OrderTracker t;
  EXPECT_EQ(t.next_id(0, "ma").str(), "ma-1");
  EXPECT_EQ(t.next_id(0, "ma").str(), "ma-2");
  EXPECT_EQ(t.next_id(1, "other").str(), "other-1");
  EXPECT_EQ(t.last_sequence("ma"), 2u);
  EXPECT_EQ(t.last_sequence("other"), 1u);
}

// The next id is the last one counted up in place: across every carry (9 -> 10, 199 -> 200,
// 9999 -> 10000) and after a sequence continued mid-way, it spells what formatting would.
TEST(OrderTrackerTest, IdsCountedUpInPlaceSpellTheirSequence) {
  OrderTracker t;
  for (std::uint64_t n = 1; n <= 12'000; ++n) {
    if (n == 5'000) t.continue_sequence("ma", 9'989);  // a jump: the text is spelled out again
    const std::uint64_t expected = n < 5'000 ? n : n + 4'990;
    ASSERT_EQ(t.next_id(0, "ma").str(), "ma-" + std::to_string(expected)) << "id number " << n;
    ASSERT_EQ(t.next_id(1, "b").str(), "b-" + std::to_string(n)) << "id number " << n;
  }
}

// An id longer than a ClientOrderId holds throws, every time, whether the strategy id is too long
// from the start or the number outgrows the room left (counted up to "-9", then "-10").
TEST(OrderTrackerTest, AnIdTooLongToHoldThrowsEveryTime) {
  OrderTracker t;
  const std::string too_long(ClientOrderId::kCapacity + 1, 'x');
  EXPECT_THROW(t.next_id(0, too_long), std::length_error);
  EXPECT_THROW(t.next_id(0, too_long), std::length_error);
  const std::string near_full(ClientOrderId::kCapacity - 2, 'y');  // room for "-" and one digit
  for (int n = 1; n <= 9; ++n) EXPECT_EQ(t.next_id(1, near_full).str(), near_full + "-" + std::to_string(n));
  EXPECT_THROW(t.next_id(1, near_full), std::length_error);
  EXPECT_THROW(t.next_id(1, near_full), std::length_error);
  EXPECT_EQ(t.next_id(2, "ok").str(), "ok-1");  // other strategies are unaffected
}

// Ids recovered from a journal are never handed out again, whether the sequence was continued
// before the strategy's first new id or after it (the tracker then finds the sequence by index).
TEST(OrderTrackerTest, AContinuedSequenceNeverRepeatsAnId) {
  OrderTracker t;
  t.continue_sequence("ma", 41);
  EXPECT_EQ(t.next_id(0, "ma").str(), "ma-42");
  t.continue_sequence("ma", 99);
  EXPECT_EQ(t.next_id(0, "ma").str(), "ma-100");
  t.continue_sequence("ma", 5);  // never backwards
  EXPECT_EQ(t.next_id(0, "ma").str(), "ma-101");
  EXPECT_EQ(t.next_id(3, "late").str(), "late-1");
  EXPECT_EQ(t.last_sequence("ma"), 101u);
}

TEST(OrderTrackerTest, PartialFillsAccumulateToFilled) {
  OrderTracker t;
  const auto o = make_order(t, "ma", 0, "10");
  EXPECT_EQ(t.open_count(0, "SPY"), 1u);
  EXPECT_EQ(t.apply(0, event(o, OrderEventType::Accepted)), EventVerdict::Applied);
  EXPECT_EQ(t.apply(0, event(o, OrderEventType::PartiallyFilled, "4", "t1")), EventVerdict::Applied);
  EXPECT_EQ(t.find(o.id)->state, OrderState::PartiallyFilled);
  EXPECT_EQ(t.apply(0, event(o, OrderEventType::PartiallyFilled, "6", "t2")), EventVerdict::Applied);
  EXPECT_EQ(t.find(o.id)->state, OrderState::Filled);
  EXPECT_EQ(t.find(o.id)->filled_quantity, d("10"));
  EXPECT_EQ(t.open_count(0, "SPY"), 0u);
  EXPECT_TRUE(t.open_orders().empty());
}

TEST(OrderTrackerTest, DuplicateTradeIdsAreDropped) {
  OrderTracker t;
  const auto o = make_order(t, "ma", 0, "10");
  EXPECT_EQ(t.apply(0, event(o, OrderEventType::PartiallyFilled, "4", "t1")), EventVerdict::Applied);
  EXPECT_EQ(t.apply(0, event(o, OrderEventType::PartiallyFilled, "4", "t1")), EventVerdict::DuplicateFill);
  EXPECT_EQ(t.find(o.id)->filled_quantity, d("4"));
}

TEST(OrderTrackerTest, FlagsUnknownInconsistentLateAndOverfilledEvents) {
  OrderTracker t;
  const auto o = make_order(t, "ma", 0, "10");
  OrderEvent unknown = event(o, OrderEventType::Accepted);
  unknown.client_order_id = "nobody-1";
  EXPECT_EQ(t.apply(0, unknown), EventVerdict::UnknownOrder);
  OrderEvent wrong_side = event(o, OrderEventType::Accepted);
  wrong_side.side = Side::Sell;
  EXPECT_EQ(t.apply(0, wrong_side), EventVerdict::Inconsistent);
  EXPECT_EQ(t.apply(1, event(o, OrderEventType::Accepted)), EventVerdict::Inconsistent);  // other broker
  EXPECT_EQ(t.apply(0, event(o, OrderEventType::Filled, "12", "t1")), EventVerdict::Overfill);
  EXPECT_EQ(t.apply(0, event(o, OrderEventType::Canceled)), EventVerdict::AfterFinal);
  EXPECT_EQ(t.find(o.id)->state, OrderState::Filled);
}

TEST(OrderTrackerTest, TerminalEventsCloseTheOrder) {
  OrderTracker t;
  const auto a = make_order(t, "ma", 0, "1");
  const auto b = make_order(t, "ma", 0, "1");
  const auto c = make_order(t, "ma", 0, "1");
  t.apply(0, event(a, OrderEventType::Rejected));
  t.apply(0, event(b, OrderEventType::Expired));
  EXPECT_EQ(t.find(a.id)->state, OrderState::Rejected);
  EXPECT_EQ(t.find(b.id)->state, OrderState::Expired);
  ASSERT_EQ(t.open_orders().size(), 1u);
  EXPECT_EQ(t.open_orders()[0]->id, c.id);
  EXPECT_EQ(t.open_count(0, "SPY"), 1u);
}

TEST(OrderTrackerTest, InvalidFillsAreRefusedBeforeAnythingChanges) {
  OrderTracker t;
  const auto o = make_order(t, "ma", 0, "10");
  EXPECT_EQ(t.apply(0, event(o, OrderEventType::Filled, "0", "t1")), EventVerdict::InvalidFill);
  EXPECT_EQ(t.apply(0, event(o, OrderEventType::Filled, "-1", "t2")), EventVerdict::InvalidFill);
  EXPECT_EQ(t.apply(0, event(o, OrderEventType::Filled, "1", "")), EventVerdict::InvalidFill);
  auto bad_price = event(o, OrderEventType::Filled, "1", "t3");
  bad_price.fill_price = d("0");
  EXPECT_EQ(t.apply(0, bad_price), EventVerdict::InvalidFill);
  auto bad_commission = event(o, OrderEventType::Filled, "1", "t4");
  bad_commission.commission = d("-0.01");
  EXPECT_EQ(t.apply(0, bad_commission), EventVerdict::InvalidFill);
  EXPECT_EQ(t.find(o.id)->state, OrderState::Submitted);
  EXPECT_EQ(t.find(o.id)->filled_quantity, d("0"));
  // The refused trade ids were not consumed: a correct fill with one of them still applies.
  EXPECT_EQ(t.apply(0, event(o, OrderEventType::Filled, "10", "t1")), EventVerdict::Applied);
}

TEST(OrderTrackerTest, AFillAfterACancelIsStillCounted) {
  OrderTracker t;
  const auto o = make_order(t, "ma", 0, "10");
  EXPECT_EQ(t.apply(0, event(o, OrderEventType::Canceled)), EventVerdict::Applied);
  EXPECT_EQ(t.apply(0, event(o, OrderEventType::Filled, "10", "t1")), EventVerdict::FillAfterFinal);
  EXPECT_EQ(t.find(o.id)->filled_quantity, d("10"));
  EXPECT_EQ(t.apply(0, event(o, OrderEventType::Filled, "10", "t1")), EventVerdict::DuplicateFill);
}

TEST(OrderTrackerTest, FillsOfUnknownOrdersAreDeduplicatedToo) {
  OrderTracker t;
  const auto o = make_order(t, "ma", 0, "10");
  auto external = event(o, OrderEventType::Filled, "3", "x1");
  external.client_order_id = "manual-1";
  EXPECT_EQ(t.apply(0, external), EventVerdict::UnknownOrder);
  EXPECT_EQ(t.apply(0, external), EventVerdict::DuplicateFill);
}

TEST(OrderTrackerTest, ApplyHandsBackTheEventsOrderAndOpenQuantitiesFollowIt) {
  OrderTracker t;
  const auto buy = make_order(t, "ma", 0, "10");
  TrackedOrder sell_order;
  sell_order.id = t.next_id(0, "ma");
  sell_order.intent.symbol = "SPY";
  sell_order.intent.side = Side::Sell;
  sell_order.intent.quantity = d("3");
  const auto sell = t.add(sell_order);
  EXPECT_EQ(t.open_quantities(0, "SPY").buy, d("10"));
  EXPECT_EQ(t.open_quantities(0, "SPY").sell, d("3"));
  EXPECT_EQ(t.open_quantities(0, "QQQ").buy, d("0"));
  EXPECT_EQ(t.open_quantities(1, "SPY").buy, d("0")) << "another broker";
  const TrackedOrder* order = nullptr;
  EXPECT_EQ(t.apply(0, event(buy, OrderEventType::PartiallyFilled, "4", "t1"), &order), EventVerdict::Applied);
  ASSERT_NE(order, nullptr);
  EXPECT_EQ(order->id, buy.id);
  EXPECT_EQ(order->filled_quantity, d("4"));
  EXPECT_EQ(t.open_quantities(0, "SPY").buy, d("6"));
  EXPECT_EQ(t.apply(0, event(sell, OrderEventType::Canceled), &order), EventVerdict::Applied);
  ASSERT_NE(order, nullptr);
  EXPECT_EQ(order->id, sell.id);
  EXPECT_EQ(t.open_quantities(0, "SPY").sell, d("0"));
  auto external = event(buy, OrderEventType::Filled, "1", "x1");
  external.client_order_id = "manual-1";
  EXPECT_EQ(t.apply(0, external, &order), EventVerdict::UnknownOrder);
  EXPECT_EQ(order, nullptr);
}

TEST(OrderTrackerTest, UnclaimedFillsAreRememberedInABoundedWindow) {
  OrderTracker t(4096, 2);
  const auto o = make_order(t, "ma", 0, "10");
  auto external = [&](const char* trade) {
    auto e = event(o, OrderEventType::Filled, "1", trade);
    e.client_order_id = "manual-1";
    return e;
  };
  EXPECT_EQ(t.apply(0, external("x1")), EventVerdict::UnknownOrder);
  EXPECT_EQ(t.apply(0, external("x2")), EventVerdict::UnknownOrder);
  EXPECT_EQ(t.apply(0, external("x1")), EventVerdict::DuplicateFill);
  EXPECT_EQ(t.apply(1, external("x1")), EventVerdict::UnknownOrder) << "trade ids are per broker";
  EXPECT_EQ(t.apply(0, external("x3")), EventVerdict::UnknownOrder);  // x1, the oldest, leaves the window
  EXPECT_EQ(t.apply(0, external("x2")), EventVerdict::DuplicateFill);
  EXPECT_EQ(t.apply(0, external("x1")), EventVerdict::UnknownOrder);
  // A trade first reported without its order, then with it, is the same trade: not booked twice.
  EXPECT_EQ(t.apply(0, event(o, OrderEventType::PartiallyFilled, "1", "x3")), EventVerdict::DuplicateFill);
  EXPECT_EQ(t.find(o.id)->filled_quantity, d("0"));
}

TEST(OrderTrackerTest, RememberedFillsOfAHeldOrderAreDuplicates) {
  OrderTracker t;
  const auto o = make_order(t, "ma", 0, "10");
  t.remember_fill(0, o.id, "t1");  // recovered from the journal with the order
  t.remember_fill(0, "gone-1", "t2");  // an order no longer held: unclaimed
  EXPECT_EQ(t.apply(0, event(o, OrderEventType::PartiallyFilled, "4", "t1")), EventVerdict::DuplicateFill);
  EXPECT_EQ(t.apply(0, event(o, OrderEventType::PartiallyFilled, "4", "t2")), EventVerdict::DuplicateFill);
  EXPECT_EQ(t.apply(0, event(o, OrderEventType::PartiallyFilled, "4", "t3")), EventVerdict::Applied);
  EXPECT_EQ(t.find(o.id)->filled_quantity, d("4"));
}

TEST(OrderTrackerTest, AReusedSlotForgetsTheTradeIdsOfItsFormerOrder) {
  OrderTracker t(1);
  const auto a = make_order(t, "ma", 0, "1");
  EXPECT_EQ(t.apply(0, event(a, OrderEventType::Filled, "1", "t1")), EventVerdict::Applied);
  const auto b = make_order(t, "ma", 0, "1");
  EXPECT_EQ(t.apply(0, event(b, OrderEventType::Canceled)), EventVerdict::Applied);  // a is forgotten
  const auto c = make_order(t, "ma", 0, "1");  // takes a's slot
  EXPECT_EQ(t.apply(0, event(c, OrderEventType::Filled, "1", "t1")), EventVerdict::Applied)
      << "t1 was a's, not c's: the slot's ids went with a";
}

// Bounded memory: open orders are always held, final ones only the most recent N; a forgotten
// order's slot is reused, and an event for it is an unknown order's.
TEST(OrderTrackerTest, OnlyTheMostRecentFinalOrdersAreRetained) {
  OrderTracker t(2);
  const auto a = make_order(t, "ma", 0, "1");
  const auto b = make_order(t, "ma", 0, "1");
  const auto c = make_order(t, "ma", 0, "1");
  const auto open = make_order(t, "ma", 0, "1");
  EXPECT_EQ(t.apply(0, event(a, OrderEventType::Filled, "1", "t1")), EventVerdict::Applied);
  EXPECT_EQ(t.apply(0, event(b, OrderEventType::Canceled)), EventVerdict::Applied);
  // A late fill for a retained final order is still attributed to it.
  EXPECT_EQ(t.apply(0, event(b, OrderEventType::Filled, "1", "t2")), EventVerdict::FillAfterFinal);
  EXPECT_EQ(t.held(), 4u);
  EXPECT_EQ(t.apply(0, event(c, OrderEventType::Filled, "1", "t3")), EventVerdict::Applied);  // a is forgotten
  EXPECT_EQ(t.find(a.id), nullptr);
  ASSERT_NE(t.find(b.id), nullptr);
  EXPECT_EQ(t.find(b.id)->filled_quantity, d("1"));
  ASSERT_NE(t.find(c.id), nullptr);
  EXPECT_EQ(t.find(c.id)->state, OrderState::Filled);
  EXPECT_EQ(t.total(), 4u);
  EXPECT_EQ(t.held(), 3u);
  // A late event for the forgotten order is an unknown order's; its trade id is still deduplicated.
  EXPECT_EQ(t.apply(0, event(a, OrderEventType::Filled, "1", "t9")), EventVerdict::UnknownOrder);
  EXPECT_EQ(t.apply(0, event(a, OrderEventType::Filled, "1", "t9")), EventVerdict::DuplicateFill);
  // Its own fills were forgotten with it: a repeat of one is the journal's to drop (it keeps every
  // trade id), here it is an unknown order's fill.
  EXPECT_EQ(t.apply(0, event(a, OrderEventType::Filled, "1", "t1")), EventVerdict::UnknownOrder);
  // The next order takes the forgotten order's slot; open orders stay in submission order.
  const auto d1 = make_order(t, "ma", 0, "1");
  EXPECT_EQ(t.find(d1.id)->id, d1.id);
  EXPECT_EQ(t.find(open.id)->id, open.id);
  const auto listed = t.open_orders();
  ASSERT_EQ(listed.size(), 2u);
  EXPECT_EQ(listed[0]->id, open.id);
  EXPECT_EQ(listed[1]->id, d1.id);
  EXPECT_EQ(t.open_count(0, "SPY"), 2u);
  EXPECT_EQ(t.total(), 5u);
  EXPECT_EQ(t.held(), 4u);
}

TEST(OrderTrackerTest, TheOrderAnEventJustClosedIsAlwaysFound) {
  OrderTracker t(0);  // clamped to 1
  const auto a = make_order(t, "ma", 0, "1");
  const auto b = make_order(t, "ma", 0, "1");
  EXPECT_EQ(t.apply(0, event(a, OrderEventType::Filled, "1", "t1")), EventVerdict::Applied);
  ASSERT_NE(t.find(a.id), nullptr);
  EXPECT_EQ(t.apply(0, event(b, OrderEventType::Rejected)), EventVerdict::Applied);
  EXPECT_EQ(t.find(a.id), nullptr);
  ASSERT_NE(t.find(b.id), nullptr);
  EXPECT_EQ(t.find(b.id)->state, OrderState::Rejected);
}

// The symbols with open orders, the open quantities and the per-strategy counts the risk gate reads
// on every order, checked against a plain recount over the orders after every step of a random
// walk: orders added half with the kernel's bound entries and half by lookup, over several symbols,
// brokers and strategies, then partially filled, filled, canceled or rejected at random.
TEST(OrderTrackerTest, OpenSymbolsQuantitiesAndCountsFollowEveryOrder) {
  OrderTracker t(64);  // small retention: slots are reused during the walk
  const std::vector<Symbol> symbols{"AAA", "BBB", "CCC", "DDD", "EEE"};
  struct Model {
    TrackedOrder order;
    Decimal filled;
    bool open = true;
  };
  std::vector<Model> model;
  std::uint64_t rng = 12345;
  const auto next = [&](std::uint64_t n) {
    rng = rng * 6364136223846793005ull + 1442695040888963407ull;
    return (rng >> 33) % n;
  };
  std::uint64_t trade = 0;
  for (int step = 0; step < 4000; ++step) {
    std::vector<std::size_t> open;
    for (std::size_t i = 0; i < model.size(); ++i)
      if (model[i].open) open.push_back(i);
    if (open.empty() || next(3) == 0) {
      TrackedOrder o;
      o.strategy_index = next(3);
      o.broker_index = o.strategy_index == 2 ? 1 : 0;  // strategies 0 and 1 share broker 0
      o.id = t.next_id(o.strategy_index, "s" + std::to_string(o.strategy_index));
      o.intent.symbol = symbols[next(symbols.size())];
      o.intent.side = next(2) == 0 ? Side::Buy : Side::Sell;
      o.intent.quantity = Decimal::from_int(static_cast<std::int64_t>(1 + next(10)));
      o.reserved_price = d("100");
      if (next(2) == 0) t.add(TrackedOrder(o), t.open_entries(o.strategy_index, o.broker_index, o.intent.symbol));
      else t.add(o);
      model.push_back({o, {}, true});
    } else {
      Model& m = model[open[next(open.size())]];
      OrderEvent e = event(m.order, OrderEventType::Canceled);
      switch (next(4)) {
        case 0: {  // a partial fill of at most what is left
          const Decimal left = m.order.intent.quantity - m.filled;
          const Decimal q = left > Decimal::from_int(1) ? Decimal::from_int(1) : left;
          e = event(m.order, left > q ? OrderEventType::PartiallyFilled : OrderEventType::Filled);
          e.fill_quantity = q;
          break;
        }
        case 1:
          e = event(m.order, OrderEventType::Filled);
          e.fill_quantity = m.order.intent.quantity - m.filled;
          break;
        case 2: e = event(m.order, OrderEventType::Rejected); break;
        default: break;
      }
      if (e.is_fill()) e.trade_id = "t" + std::to_string(++trade);
      e.client_order_id = m.order.id;
      ASSERT_EQ(t.apply(m.order.broker_index, e), EventVerdict::Applied) << "step " << step;
      m.filled += e.is_fill() ? e.fill_quantity : Decimal{};
      m.open = !e.is_final();
    }
    // The plain recount.
    for (std::size_t broker = 0; broker < 2; ++broker) {
      std::vector<Symbol> expected_open;
      for (const Symbol& s : symbols) {
        Decimal buy, sell;
        for (const Model& m : model)
          if (m.open && m.order.broker_index == broker && m.order.intent.symbol == s)
            (m.order.intent.side == Side::Buy ? buy : sell) += m.order.intent.quantity - m.filled;
        const OpenQuantities q = t.open_quantities(broker, s);
        ASSERT_EQ(q.buy, buy) << "step " << step << " " << s.str();
        ASSERT_EQ(q.sell, sell) << "step " << step << " " << s.str();
        if (buy.is_positive() || sell.is_positive()) expected_open.push_back(s);
      }
      std::vector<Symbol> walked;
      t.for_each_symbol_with_open_orders(broker, [&](const Symbol& s) { walked.push_back(s); });
      std::sort(walked.begin(), walked.end());
      ASSERT_EQ(walked, expected_open) << "step " << step << " broker " << broker;
    }
    for (std::size_t si = 0; si < 3; ++si)
      for (const Symbol& s : symbols) {
        std::size_t count = 0;
        for (const Model& m : model) count += m.open && m.order.strategy_index == si && m.order.intent.symbol == s;
        ASSERT_EQ(t.open_count(si, s), count) << "step " << step;
      }
  }
}

// A market order recovered at start-up has no value: it is counted apart from the sums until a
// bar of its symbol prices it; then it counts like any order, and ends like one.
TEST(OrderTrackerTest, AnUnpricedOrderCountsApartUntilItsSymbolIsPriced) {
  OrderTracker t;
  TrackedOrder priced;
  priced.id = t.next_id(0, "ma");
  priced.intent.symbol = "SPY";
  priced.intent.side = Side::Buy;
  priced.intent.quantity = d("10");
  priced.reserved_price = d("50");
  t.add(priced);
  TrackedOrder recovered = priced;
  recovered.id = t.next_id(0, "ma");
  recovered.intent.symbol = "QQQ";
  recovered.intent.quantity = d("4");
  recovered.reserved_price = Decimal{};
  recovered.unpriced = true;
  const TrackedOrder& held = t.add(recovered);
  TrackedOrder other_broker = recovered;
  other_broker.id = t.next_id(0, "ma");
  other_broker.broker_index = 1;
  t.add(other_broker);

  EXPECT_EQ(t.open_totals(0).unpriced, 1u);
  EXPECT_EQ(t.open_totals(0).notional, d("500"));
  EXPECT_EQ(t.price_unpriced(0, "SPY", d("99")), 0u);  // another symbol's bar prices nothing
  EXPECT_EQ(t.price_unpriced(0, "QQQ", d("30")), 1u);
  EXPECT_FALSE(held.unpriced);
  EXPECT_EQ(held.reserved_price, d("30"));
  EXPECT_EQ(t.open_totals(0).unpriced, 0u);
  EXPECT_EQ(t.open_totals(0).notional, d("620"));
  EXPECT_EQ(t.open_totals(0).buy_notional, d("620"));
  EXPECT_EQ(t.open_totals(1).unpriced, 1u);  // the same symbol at another broker is its own
  EXPECT_EQ(t.price_unpriced(0, "QQQ", d("31")), 0u);  // priced once

  // An unpriced order that ends (here: canceled before any bar) leaves no count behind.
  t.apply(1, event(*t.find(other_broker.id), OrderEventType::Canceled));
  EXPECT_EQ(t.open_totals(1).unpriced, 0u);
  EXPECT_EQ(t.open_totals(1).count, 0u);
}

#ifndef NDEBUG
// Entries bound to another strategy's or symbol's counts would corrupt what the risk gate reads:
// a debug build stops at once (the sanitizer build the suite runs in has assertions on).
TEST(OrderTrackerDeathTest, AddingWithAnotherOrdersEntriesIsCaught) {
  OrderTracker t;
  TrackedOrder o;
  o.id = t.next_id(0, "ma");
  o.intent.symbol = "SPY";
  o.intent.quantity = d("1");
  const auto other_symbol = t.open_entries(0, 0, "QQQ");
  const auto other_strategy = t.open_entries(1, 0, "SPY");
  const auto other_broker = t.open_entries(0, 1, "SPY");
  EXPECT_DEATH(t.add(TrackedOrder(o), other_symbol), "entries_of");
  EXPECT_DEATH(t.add(TrackedOrder(o), other_strategy), "entries_of");
  EXPECT_DEATH(t.add(TrackedOrder(o), other_broker), "entries_of");
  t.add(TrackedOrder(o), t.open_entries(0, 0, "SPY"));  // its own: accepted
  EXPECT_EQ(t.open_count(0, "SPY"), 1u);
}
#endif
