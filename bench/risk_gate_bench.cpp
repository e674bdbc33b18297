// The risk gate's own cost per order: every check of the README's table, with an account view
// that answers from memory (as the kernel's does) and the symbol's facts in the request (as the
// kernel hands them in), for an order that passes them all.

#include <benchmark/benchmark.h>

#include "config/config_loader.hpp"
#include "risk/risk_gate.hpp"

using namespace mercurio::kernel;
using namespace mercurio::sdk;

namespace {

class MemoryView final : public RiskView {
 public:
  AccountExposure exposure(std::size_t) const override { return account; }
  AccountExposure account{Decimal::from_int(1'000'000), Decimal::from_int(1'000'000), Decimal::from_int(1000), {}, {}, 0, 1};
};

RiskConfig bench_config(bool market_hours) {
  const std::string text = std::string(
                               "[risk]\nmax_order_quantity = \"1000\"\nmax_order_notional = \"1000000\"\nprice_collar_pct = \"10\"\n"
                               "max_reference_age_seconds = 60\nmax_position_quantity = \"10000\"\nmax_position_notional = \"1000000\"\n"
                               "max_gross_exposure_pct = \"100\"\nmax_positions = 10\nmax_open_orders = 100\n"
                               "max_orders_per_minute = 1000000000\norder_burst = 1000000000\nduplicate_window_seconds = 0\n"
                               "max_daily_loss_pct = \"5\"\nmax_drawdown_pct = \"20\"\ndrawdown_action = \"hold\"\n"
                               "max_fills_per_window = 100\nfills_window_seconds = 60\ncalendar = \"24/7\"\n") +
                           (market_hours ? "allow_outside_market_hours = false\n" : "allow_outside_market_hours = true\n") +
                           "[[plugin]]\nid = \"p\"\nlibrary = \"x\"\n";
  return parse_config(text, "bench.toml").risk;
}

void BM_RiskGateCheck(benchmark::State& state) {
  MemoryView view;
  const RiskConfig config = bench_config(state.range(0) != 0);
  RiskGate gate(config, {combine(config.limits, nullptr, nullptr)}, {0},
                {combine(config.limits, nullptr, nullptr)}, &view);
  OrderIntent intent;
  intent.symbol = "SPY";
  intent.quantity = Decimal::from_int(1);
  const ClientOrderId id("bench-1");
  const std::string strategy = "bench";
  std::int64_t now = 0;
  for (auto _ : state) {
    now += 1'000'000;  // 1 ms apart: the duplicate window is 0, the rate is unlimited
    const SymbolExposure symbol{Decimal::from_int(10), {}, ReferencePrice{Decimal::from_int(100), Timestamp{now}}};
    RiskDecision d = gate.check({intent, id, strategy, 0, 0, true, true, Timestamp{now}, symbol});
    benchmark::DoNotOptimize(d);
  }
}
BENCHMARK(BM_RiskGateCheck)->Arg(0)->Arg(1)->ArgName("market_hours");

}  // namespace

BENCHMARK_MAIN();
