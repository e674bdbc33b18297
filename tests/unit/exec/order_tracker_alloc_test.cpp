// The kernel files an order in the tracker once it has been sent, so nothing may fail in between:
// after reserve_add(), that add() must not allocate, and what could throw throws in reserve_add().
// Allocations are counted with a replaced global operator new, in a test binary of its own so that
// no other test runs with the replacement.
#include <gtest/gtest.h>

#include <cstdlib>
#include <new>
#include <string>
#include <vector>

#include "exec/order_tracker.hpp"

namespace {
// Test-only counter behind the replaced operator new (single-threaded test).
long allocations = 0;
}  // namespace

// Not inlined: GCC would otherwise see free() paired with `new` at the call sites and warn
// (-Wmismatched-new-delete), though the replaced pair is consistent.
[[gnu::noinline]] void* operator new(std::size_t size) {
  ++allocations;
  if (void* p = std::malloc(size == 0 ? 1 : size)) return p;
  throw std::bad_alloc();
}
[[gnu::noinline]] void operator delete(void* p) noexcept { std::free(p); }
[[gnu::noinline]] void operator delete(void* p, std::size_t) noexcept { std::free(p); }

using namespace mercurio::kernel;
using namespace mercurio::sdk;

namespace {

TrackedOrder order_for(OrderTracker& t, std::size_t strategy, std::size_t broker,
                       const std::string& symbol) {
  TrackedOrder o;
  o.id = t.next_id(strategy, "strategy" + std::to_string(strategy));
  o.strategy_index = strategy;
  o.broker_index = broker;
  o.intent.symbol = symbol;
  o.intent.side = Side::Buy;
  o.intent.quantity = Decimal::from_int(3);
  o.intent.tag = "a tag much longer than a short string's inline buffer";
  o.reserved_price = Decimal::from_int(100);
  return o;
}

// Adds `order` the way the kernel does after a send; returns the allocations add() made.
long allocations_of_add_after_reserve(OrderTracker& t, TrackedOrder order) {
  const OrderTracker::OpenEntries entries =
      t.open_entries(order.strategy_index, order.broker_index, order.intent.symbol);
  t.reserve_add(order, entries);
  const long before = allocations;
  const ClientOrderId id = order.id;
  t.add(std::move(order), entries);
  const long made = allocations - before;
  EXPECT_NE(t.find(id), nullptr);
  return made;
}

OrderEvent fill_of(const TrackedOrder& o, int n) {
  OrderEvent e;
  e.type = OrderEventType::Filled;
  e.client_order_id = o.id;
  e.symbol = o.intent.symbol;
  e.side = o.intent.side;
  e.fill_quantity = o.intent.quantity;
  e.fill_price = Decimal::from_int(100);
  e.trade_id = "t" + std::to_string(n);
  return e;
}

}  // namespace

TEST(OrderTrackerAllocationTest, TheFirstAddAfterReserveAllocatesNothing) {
  OrderTracker t;
  EXPECT_EQ(allocations_of_add_after_reserve(t, order_for(t, 0, 0, "SPY")), 0);
}

TEST(OrderTrackerAllocationTest, AddsThatGrowEveryTableAllocateNothingAfterReserve) {
  // 2,000 orders left open across 2 brokers, 3 strategies and 40 symbols: the slots, the index (its
  // nodes and rehashes), the per-broker totals and symbol lists all grow, always in reserve_add.
  OrderTracker t;
  long made = 0;
  for (int i = 0; i < 2000; ++i)
    made += allocations_of_add_after_reserve(
        t, order_for(t, i % 3, i % 2, "S" + std::to_string(i % 40)));
  EXPECT_EQ(made, 0);
  EXPECT_EQ(t.open_orders().size(), 2000u);
  EXPECT_EQ(t.open_totals(0).count + t.open_totals(1).count, 2000u);
  EXPECT_EQ(t.open_count(0, "S0"), 17u);  // i = 0, 120, ..., 1920 (i % 3 == 0 and i % 40 == 0)
}

TEST(OrderTrackerAllocationTest, AddsBetweenFillsAndForgottenOrdersAllocateNothingAfterReserve) {
  // Orders filled as they come, beyond a retention of 4 final orders: slots and index nodes are
  // recycled, and a forgotten order's slot is taken again.
  OrderTracker t(4);
  long made = 0;
  for (int i = 0; i < 500; ++i) {
    TrackedOrder o = order_for(t, 0, 0, i % 2 ? "SPY" : "QQQ");
    const ClientOrderId id = o.id;
    made += allocations_of_add_after_reserve(t, std::move(o));
    if (i % 3 != 2) {  // every third stays open
      EXPECT_EQ(t.apply(0, fill_of(*t.find(id), i)), EventVerdict::Applied);
    }
  }
  EXPECT_EQ(made, 0);
  EXPECT_EQ(t.open_orders().size(), 166u);
  EXPECT_EQ(t.held(), 166u + 4u);
}

TEST(OrderTrackerAllocationTest, AddsAlternatingRecycledAndNewIndexNodesAllocateNothing) {
  // Two orders in, one filled, 1,500 times: the index grows by one a round, past several of its
  // rehash points, and every other add takes the node the last fill left (reserve_add() then has
  // only the index's room to see to).
  OrderTracker t(4);
  long made = 0;
  for (int i = 0; i < 1500; ++i) {
    TrackedOrder kept = order_for(t, 0, 0, "SPY");
    TrackedOrder filled = order_for(t, 0, 0, "SPY");
    const ClientOrderId id = filled.id;
    made += allocations_of_add_after_reserve(t, std::move(kept));
    made += allocations_of_add_after_reserve(t, std::move(filled));
    EXPECT_EQ(t.apply(0, fill_of(*t.find(id), i)), EventVerdict::Applied);
  }
  EXPECT_EQ(made, 0);
  EXPECT_EQ(t.open_orders().size(), 1500u);
}

TEST(OrderTrackerAllocationTest, FilingSeveralOrdersOpenAtOnceAllocatesNothingOnceWarm) {
  // Rounds of 20 orders open at once (one per symbol, as a bar time of a 20-symbol backtest can
  // bring), then all filled. Once the first rounds have grown the slots and the index, filing an
  // order (reserve_add and add together) allocates nothing: each order's index entry is one an
  // earlier order left behind, however many are open at once.
  OrderTracker t(4);
  long made_when_warm = 0;
  int fill = 0;
  for (int round = 0; round < 6; ++round) {
    std::vector<ClientOrderId> ids;
    for (int s = 0; s < 20; ++s) {
      TrackedOrder o = order_for(t, 0, 0, "S" + std::to_string(s));
      const OrderTracker::OpenEntries entries = t.open_entries(0, 0, o.intent.symbol);
      ids.push_back(o.id);
      const long outside = allocations;  // the test's own strings and the entries' first lookups
      t.reserve_add(o, entries);
      t.add(std::move(o), entries);
      if (round >= 2) made_when_warm += allocations - outside;
    }
    EXPECT_EQ(t.open_orders().size(), 20u);
    for (const ClientOrderId& id : ids)
      EXPECT_EQ(t.apply(0, fill_of(*t.find(id), ++fill)), EventVerdict::Applied);
  }
  EXPECT_EQ(made_when_warm, 0);
  EXPECT_TRUE(t.open_orders().empty());
}

TEST(OrderTrackerAllocationTest, AnOpenValueOutOfRangeThrowsInReserveAndNothingIsAdded) {
  // Decimals hold about +-9.2e10. An open order worth 9e10 is there; one more worth 1e10 would
  // take the broker's open notional out of range: reserve_add() throws (before the send, in the
  // kernel), so the add() after the send never meets the overflow.
  OrderTracker t;
  TrackedOrder big = order_for(t, 0, 0, "SPY");
  big.intent.quantity = Decimal::from_int(90'000'000);
  big.reserved_price = Decimal::from_int(1'000);
  EXPECT_EQ(allocations_of_add_after_reserve(t, std::move(big)), 0);
  TrackedOrder more = order_for(t, 0, 0, "QQQ");
  more.intent.quantity = Decimal::from_int(10'000'000);
  more.reserved_price = Decimal::from_int(1'000);
  const OrderTracker::OpenEntries entries = t.open_entries(0, 0, "QQQ");
  EXPECT_THROW(t.reserve_add(more, entries), DecimalError);
  EXPECT_EQ(t.open_orders().size(), 1u);
  EXPECT_EQ(t.open_totals(0).notional, Decimal::from_int(90'000'000'000));
  EXPECT_TRUE(t.open_quantities(0, "QQQ").buy.is_zero());
  // A sell adds to the open notional too (only buys to the buy notional).
  more.intent.side = Side::Sell;
  EXPECT_THROW(t.reserve_add(more, entries), DecimalError);
}

TEST(OrderTrackerAllocationTest, AnOrderWithoutAnIdIsRefused) {
  // The empty id is the one reserve_add() uses to make an index node: no order may have it.
  OrderTracker t;
  TrackedOrder o = order_for(t, 0, 0, "SPY");
  o.id = ClientOrderId{};
  EXPECT_THROW(t.add(std::move(o)), std::invalid_argument);
  EXPECT_TRUE(t.open_orders().empty());
}
