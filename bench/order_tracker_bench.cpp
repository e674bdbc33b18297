// The order tracker's own cost per order: a client id, the order added, then filled (the event that
// makes it final and, past the retention, forgets the oldest final order), as the kernel does for
// every order of a backtest. Orders rotate over `symbols` symbols.

#include <benchmark/benchmark.h>

#include <string>
#include <vector>

#include "exec/order_tracker.hpp"

using namespace mercurio::kernel;
using namespace mercurio::sdk;

namespace {

void BM_TrackerOrderCycle(benchmark::State& state) {
  const auto symbols = static_cast<std::size_t>(state.range(0));
  OrderTracker tracker;
  std::vector<Symbol> names;
  for (std::size_t i = 0; i < symbols; ++i) names.emplace_back("SYM" + std::to_string(i));
  const std::string strategy = "bench";
  std::uint64_t n = 0;
  TrackedOrder order;
  order.intent.side = Side::Buy;
  order.intent.quantity = Decimal::from_int(100);
  order.reserved_price = Decimal::from_int(50);
  OrderEvent fill;
  fill.type = OrderEventType::Filled;
  fill.side = Side::Buy;
  fill.fill_quantity = order.intent.quantity;
  fill.fill_price = order.reserved_price;
  for (auto _ : state) {
    const Symbol& symbol = names[n % symbols];
    order.id = tracker.next_id(0, strategy);
    order.intent.symbol = symbol;
    tracker.add(order);
    fill.client_order_id = order.id;
    fill.symbol = symbol;
    fill.trade_id = TradeId("t" + std::to_string(++n));
    benchmark::DoNotOptimize(tracker.apply(0, fill));
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_TrackerOrderCycle)->Arg(1)->Arg(20)->ArgName("symbols");

}  // namespace

BENCHMARK_MAIN();
