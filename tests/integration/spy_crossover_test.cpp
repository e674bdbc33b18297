// The moving-average strategy on real SPY daily bars: every fill must match the crossovers
// computed here independently (exact integer SMA arithmetic, the strict crossover rule, next-open fills).

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "mercurio/sdk/decimal.hpp"
#include "support/csv.hpp"
#include "support/process.hpp"
#include "support/risk_config.hpp"
#include "support/test_paths.hpp"

using namespace mercurio::test;
using mercurio::sdk::Decimal;

namespace {

struct DailyBar {
  std::string ts;
  Decimal open, close;
};

std::vector<DailyBar> load(const std::filesystem::path& file) {
  std::vector<DailyBar> bars;
  for (const auto& f : read_csv_rows(file)) bars.push_back({f[0], Decimal::from_string(f[1]), Decimal::from_string(f[4])});
  return bars;
}

struct Fill {
  std::string ts, side, quantity, price;
  bool operator==(const Fill&) const = default;
};
std::ostream& operator<<(std::ostream& o, const Fill& f) { return o << f.ts << " " << f.side << " " << f.quantity << " @ " << f.price; }

// Long-only SMA(short)/SMA(long) crossover with a fixed quantity, market orders filled at the next open.
std::vector<Fill> expected_fills(const std::vector<DailyBar>& bars, int s, int l, const std::string& qty) {
  std::vector<Fill> fills;
  int last_sign = 0;  // sign of (short - long) at the last bar where they differed
  bool long_position = false;
  std::optional<std::string> pending;  // side to fill at the next open
  for (std::size_t t = 0; t < bars.size(); ++t) {
    if (pending) {
      fills.push_back({bars[t].ts, *pending, qty, bars[t].open.to_string()});
      long_position = *pending == "buy";
      pending.reset();
    }
    if (t + 1 < static_cast<std::size_t>(l)) continue;
    __int128 sum_s = 0, sum_l = 0;
    for (int k = 0; k < l; ++k) {
      const __int128 c = bars[t - k].close.raw();
      sum_l += c;
      if (k < s) sum_s += c;
    }
    const __int128 lhs = sum_s * l, rhs = sum_l * s;  // short > long  <=>  sum_s/s > sum_l/l
    const int sign = lhs > rhs ? 1 : lhs < rhs ? -1 : 0;
    if (sign == 0) continue;
    if (sign == 1 && last_sign == -1 && !long_position) pending = "buy";
    if (sign == -1 && last_sign == 1 && long_position) pending = "sell";
    last_sign = sign;
  }
  return fills;
}

}  // namespace

TEST(SpyCrossoverTest, FillsMatchIndependentlyComputedCrossovers) {
  MERCURIO_REQUIRE_SHARED_DATA("SPY_1d.csv");
  const auto data = shared_market_dir() / "SPY_1d.csv";
  const auto dir = scratch_dir("spy_crossover");
  std::ofstream(dir / "mercurio.toml") << "[kernel]\noutput_dir = \"out\"\n"
                                          "[[plugin]]\nid = \"paper\"\nlibrary = \"mercurio_broker_paper\"\n[plugin.config]\n"
                                          "starting_cash = \"1000000\"\ndata = { SPY = \""
                                       << data.string()
                                       << "\" }\n"
                                          "[[plugin]]\nid = \"ma\"\nlibrary = \"mercurio_strategy_moving_average\"\n[plugin.config]\n"
                                          "symbols = [\"SPY\"]\nshort_window = 10\nlong_window = 30\nsizing = \"fixed\"\nquantity = \"100\"\n"
                                       << kGenerousRiskTable;
  auto r = run_process({mercurio_exe().string(), "run", "--config", (dir / "mercurio.toml").string()}, dir);
  ASSERT_EQ(r.exit_code, 0) << r.err;

  std::vector<Fill> actual;
  for (const auto& f : read_csv_rows(dir / "out" / "trades.csv")) actual.push_back({f[0], f[2], f[3], f[4]});
  const auto expected = expected_fills(load(data), 10, 30, "100");
  ASSERT_GT(expected.size(), 100u) << "23 years of SPY cross many times";
  ASSERT_EQ(actual.size(), expected.size());
  for (std::size_t i = 0; i < expected.size(); ++i) ASSERT_EQ(actual[i], expected[i]) << "fill " << i;
}
