// The kernel's event bus on its own thread: publish() of a bar event to one and to several
// subscribers (immediate dispatch, the per-bar path), the queued path (an event published from
// inside a handler), and the inbox (post + take of a broker event, same thread).

#include <benchmark/benchmark.h>

#include "bus/event_bus.hpp"
#include "bus/events.hpp"
#include "bus/inbox.hpp"

using namespace mercurio::kernel;
using namespace mercurio::sdk;

namespace {

void BM_BusPublish(benchmark::State& state) {
  EventBus bus;
  std::int64_t seen = 0;
  for (std::int64_t i = 0; i < state.range(0); ++i)
    bus.subscribe<BarProcessed>(priority::kStrategies, [&seen](const BarProcessed& e) { seen += e.bar->close.raw(); });
  Bar bar;
  bar.close = Decimal::from_int(1);
  for (auto _ : state) {
    bus.publish(BarProcessed{&bar});
    benchmark::ClobberMemory();
  }
  benchmark::DoNotOptimize(seen);
  state.SetItemsProcessed(state.iterations());
  state.counters["ns_per_delivery"] =
      benchmark::Counter(static_cast<double>(state.iterations() * state.range(0)), benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}
BENCHMARK(BM_BusPublish)->Arg(1)->Arg(4)->Arg(16)->ArgName("subscribers");

// A handler publishes a second event type: it is queued and dispatched after the outer dispatch.
void BM_BusPublishFromHandler(benchmark::State& state) {
  EventBus bus;
  std::int64_t seen = 0;
  bus.subscribe<BarProcessed>(priority::kStrategies, [&](const BarProcessed& e) {
    bus.publish(PluginFaulted{"", "", "", e.bar->ts});
  });
  bus.subscribe<PluginFaulted>(priority::kStrategies, [&seen](const PluginFaulted& e) { seen += e.ts.ns; });
  Bar bar;
  for (auto _ : state) bus.publish(BarProcessed{&bar});
  benchmark::DoNotOptimize(seen);
  state.SetItemsProcessed(state.iterations() * 2);
}
BENCHMARK(BM_BusPublishFromHandler);

void BM_InboxPushTake(benchmark::State& state) {
  Inbox inbox;
  std::vector<InboxItem> batch;
  OrderEvent event;
  event.type = OrderEventType::Accepted;
  event.client_order_id = "bench-1";
  event.symbol = "SPY";
  for (auto _ : state) {
    inbox.push<InboxOrderEvent>(std::size_t{0}, event);
    inbox.take_all(batch);
    benchmark::DoNotOptimize(batch.data());
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_InboxPushTake);

}  // namespace

BENCHMARK_MAIN();
