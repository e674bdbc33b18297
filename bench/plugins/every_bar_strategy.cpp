// bench_every_bar_strategy: the strategy end of the order-path benchmark. It submits one market
// order on every bar of its symbol, alternately buying and selling `quantity`, so the position
// stays within [0, quantity] and every order passes the risk gate's limits.
// Bench fixture only: never installed, not a bundled plugin.
#include "mercurio/sdk/plugin.hpp"

namespace {

using namespace mercurio::sdk;

ConfigSchema every_bar_schema() {
  ConfigSchema s;
  s.add(ConfigField::string("symbol", "symbol traded").defaults("BENCH"));
  return s;
}

class EveryBarStrategy final : public Strategy {
 public:
  explicit EveryBarStrategy(const ConfigView& c) : symbol_(c.get_string("symbol")) {
    intent_.symbol = symbol_;
    intent_.type = OrderType::Market;
    intent_.time_in_force = TimeInForce::Day;
    intent_.quantity = Decimal::from_int(1);
  }
  Status on_start(StrategyContext& ctx) override { return ctx.subscribe_bars(symbol_); }
  void on_bar(StrategyContext& ctx, const Bar&) override {
    intent_.side = buy_ ? Side::Buy : Side::Sell;
    buy_ = !buy_;
    (void)ctx.submit(intent_);
  }

 private:
  Symbol symbol_;
  OrderIntent intent_;
  bool buy_ = true;
};

}  // namespace

MERCURIO_REGISTER_STRATEGY(EveryBarStrategy, "mercurio.bench.every_bar", "1.0.0",
                           "Benchmark fixture: one market order per bar", every_bar_schema)
