// bench_noop_broker: the venue end of the order-path benchmark. It serves `bars` in-memory bars of
// one symbol as history (no file, no parsing), fills every order at once at the last close, and
// records, for every order, the time from the bar reaching this broker (on_market_bar, step 2 of
// the kernel's per-bar order) to the approved order reaching submit(), and the time between two
// consecutive submits (one order per bar: the whole per-bar cycle, fills and outputs included).
// On stop() it writes the mean and the percentiles as key=value lines to `report`.
// Bench fixture only: never installed, not a bundled plugin.
#include <algorithm>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <vector>

#if defined(__x86_64__) || defined(__i386__)
#include <x86intrin.h>
#endif

#include "mercurio/sdk/plugin.hpp"

namespace {

using namespace mercurio::sdk;

std::uint64_t ticks() noexcept {
#if defined(__x86_64__) || defined(__i386__)
  return __rdtsc();
#else
  return static_cast<std::uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count());
#endif
}

ConfigSchema noop_schema() {
  ConfigSchema s;
  s.add(ConfigField::string("symbol", "symbol served").defaults("BENCH"));
  s.add(ConfigField::integer("bars", "bars served as history").min(1).defaults(1'000'000));
  s.add(ConfigField::string("report", "file the latency percentiles are written to").defaults(""));
  return s;
}

class NoopBroker final : public Broker {
 public:
  explicit NoopBroker(const ConfigView& c)
      : symbol_(c.get_string("symbol")), bars_(c.get_integer("bars")), report_(c.get_string("report")) {
    latency_.reserve(static_cast<std::size_t>(bars_));
    cycle_.reserve(static_cast<std::size_t>(bars_));
  }

  Status start(BrokerSink& sink) override {
    sink_ = &sink;
    wall0_ = std::chrono::steady_clock::now();
    tick0_ = ticks();
    return {};
  }
  void stop() override {
    if (sink_ == nullptr) return;
    const double ns = static_cast<double>(std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - wall0_).count());
    const double ns_per_tick = ns / static_cast<double>(ticks() - tick0_);
    sink_ = nullptr;
    if (report_.empty()) return;
    std::FILE* f = std::fopen(report_.c_str(), "w");
    if (!f) return;
    std::fprintf(f, "orders=%zu\nns_per_tick=%.6f\n", latency_.size(), ns_per_tick);
    for (auto* v : {&latency_, &cycle_}) {
      const char* name = v == &latency_ ? "latency" : "cycle";
      if (v->empty()) continue;
      double sum = 0;
      for (const std::uint64_t t : *v) sum += static_cast<double>(t);
      std::fprintf(f, "%s_mean_ns=%.1f\n", name,
                   sum / static_cast<double>(v->size()) * ns_per_tick);
      std::sort(v->begin(), v->end());
      for (double q : {0.5, 0.99, 0.999}) {
        const std::size_t i = std::min(v->size() - 1, static_cast<std::size_t>(q * static_cast<double>(v->size())));
        std::fprintf(f, "%s_p%g_ns=%.1f\n", name, q * 100, static_cast<double>((*v)[i]) * ns_per_tick);
      }
      std::fprintf(f, "%s_max_ns=%.1f\n", name, static_cast<double>(v->back()) * ns_per_tick);
    }
    std::fclose(f);
  }

  void on_market_bar(const Bar& bar) override {
    bar_ticks_ = ticks();
    last_close_ = bar.close;
    last_ts_ = bar.ts;
  }

  Status submit(const ApprovedOrder& order) override {
    const std::uint64_t now = ticks();
    latency_.push_back(now - bar_ticks_);
    if (last_submit_ != 0) cycle_.push_back(now - last_submit_);
    last_submit_ = now;
    // An instant venue: the whole order fills at the last close.
    OrderEvent e;
    e.type = OrderEventType::Filled;
    e.client_order_id = order.client_order_id();
    e.symbol = order.intent().symbol;
    e.side = order.intent().side;
    e.ts = last_ts_;
    char id[24];
    const auto res = std::to_chars(id, id + sizeof id, ++trades_);
    e.trade_id = TradeId(std::string_view(id, static_cast<std::size_t>(res.ptr - id)));
    e.fill_quantity = order.intent().quantity;
    e.fill_price = last_close_;
    sink_->on_order_event(e);
    return {};
  }
  Status cancel(const ClientOrderId&) override { return {StatusCode::NotFound, "every order is already filled"}; }
  Result<AccountSnapshot> account() override {
    const Decimal cash = Decimal::from_int(10'000'000);
    return AccountSnapshot{cash, cash, cash, sink_ ? sink_->now() : Timestamp{}};
  }
  Result<std::vector<Position>> positions() override { return std::vector<Position>{}; }
  Result<std::vector<OrderStatusReport>> open_orders() override { return std::vector<OrderStatusReport>{}; }
  Result<OrderStatusReport> order(const ClientOrderId&) override { return Status(StatusCode::NotFound, "not kept"); }
  Result<std::vector<OrderEvent>> fills(Timestamp) override { return std::vector<OrderEvent>{}; }
  Result<std::vector<Bar>> history(const Symbol& symbol, Timestamp, Timestamp) override {
    std::vector<Bar> out(static_cast<std::size_t>(bars_));
    const std::int64_t start = 1'577'836'800LL * Timestamp::kNanosPerSecond;  // 2020-01-01T00:00:00Z
    for (std::size_t i = 0; i < out.size(); ++i) {
      Bar& b = out[i];
      b.ts = Timestamp{start + static_cast<std::int64_t>(i) * 60 * Timestamp::kNanosPerSecond};
      b.symbol = symbol;
      const Decimal px = Decimal::from_raw((100 * 100 + static_cast<std::int64_t>(i % 50)) * 1'000'000);  // 100.00 .. 100.49
      b.open = b.high = b.low = b.close = px;
      b.volume = Decimal::from_int(1000);
    }
    return out;
  }
  Status subscribe_bars(const std::vector<Symbol>&) override { return {StatusCode::Unavailable, "history only"}; }

 private:
  std::string symbol_;
  std::int64_t bars_;
  std::string report_;
  BrokerSink* sink_ = nullptr;
  std::vector<std::uint64_t> latency_, cycle_;
  std::uint64_t bar_ticks_ = 0, last_submit_ = 0, tick0_ = 0;
  std::chrono::steady_clock::time_point wall0_;
  Decimal last_close_;
  Timestamp last_ts_;
  std::uint64_t trades_ = 0;
};

}  // namespace

MERCURIO_REGISTER_BROKER(NoopBroker, "mercurio.bench.noop_broker", "1.0.0",
                         "Benchmark fixture: in-memory bars, instant fills, order-path latency report", noop_schema)
