// The "cannot bypass" proof at run time: the real `mercurio` binary runs fixture_rogue_strategy,
// which on every bar tries every run-time route the SDK gives a strategy around the RiskGate, under
// tight [risk] limits, with fixture_good_strategy ("good") beside it as the well-behaved control.
// The outputs must show that only orders within every limit reached the paper broker, that each
// route was denied with its reason code, and that a HALTED deployment lets nothing through.
// (The compile-time routes are the must-not-compile cases in tests/bypass/.)

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>

#include "mercurio/sdk/decimal.hpp"
#include "support/csv.hpp"
#include "support/mercurio_cli.hpp"
#include "support/process.hpp"
#include "support/test_paths.hpp"

using namespace mercurio::test;
using mercurio::sdk::Decimal;
using ::testing::HasSubstr;

namespace {

constexpr int kBars = 40;
constexpr int kAttemptsPerBar = 1007;  // rogue_strategy.cpp: 7 malformed or limit-breaking orders + 1,000 flood
constexpr int kForeignCancelsPerBar = 3;
constexpr int kOrderBurst = 5;
const Decimal kMaxOrderQuantity = Decimal::from_int(10);
const Decimal kSlippage = Decimal::from_string("0.0005");  // slippage_bps = 5

// kGenerousRiskTable (tests/support/risk_config.hpp) with the limits the rogue aims at made tight.
// Position, exposure, drawdown and fill-count limits stay wide: they are not what this test is about,
// and the rogue keeps its position near flat.
constexpr const char* kTightRiskTable =
    "[risk]\n"
    "max_order_quantity = \"10\"\n"
    "max_order_notional = \"5000\"\n"
    "price_collar_pct = \"5\"\n"
    "max_reference_age_seconds = 864000\n"
    "max_position_quantity = \"1000\"\n"
    "max_position_notional = \"1000000\"\n"
    "max_gross_exposure_pct = \"1000\"\n"
    "max_positions = 10\n"
    "max_open_orders = 10\n"
    "max_orders_per_minute = 5\n"
    "order_burst = 5\n"
    "duplicate_window_seconds = 60\n"
    "max_daily_loss_pct = \"100\"\n"
    "max_drawdown_pct = \"100\"\n"
    "drawdown_action = \"hold\"\n"
    "max_fills_per_window = 1000000\n"
    "calendar = \"XNYS\"\n"
    "allow_outside_market_hours = true\n"
    "fills_window_seconds = 1\n";

long long summary_number(const std::string& out, const std::string& label) {
  const std::string v = summary_value(out, label);
  return v.empty() ? -1 : std::stoll(v);
}

// stderr holds tens of thousands of denial lines: report a missing line by itself, not the whole log.
::testing::AssertionResult logged(const std::string& err, const std::string& needle) {
  if (err.find(needle) != std::string::npos) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "stderr has no \"" << needle << "\"";
}

std::vector<std::string> lines_with(const std::string& text, const std::string& needle) {
  std::vector<std::string> found;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);)
    if (line.find(needle) != std::string::npos) found.push_back(line);
  return found;
}

// The rogue's own account of its attempts, logged in on_stop.
struct RogueReport {
  long long approved = -1, attempted = -1, denied = -1, other = -1, refused_cancels = -1, cancels = -1;
};
RogueReport rogue_report(const std::string& err) {
  static const std::regex re(
      R"(rogue_strategy: (\d+) of (\d+) orders approved, (\d+) denied, (\d+) other failures, (\d+) of (\d+) foreign cancels refused)");
  std::smatch m;
  RogueReport r;
  if (std::regex_search(err, m, re)) {
    r.approved = std::stoll(m[1]);
    r.attempted = std::stoll(m[2]);
    r.denied = std::stoll(m[3]);
    r.other = std::stoll(m[4]);
    r.refused_cancels = std::stoll(m[5]);
    r.cancels = std::stoll(m[6]);
  }
  return r;
}

// One generated symbol, the paper broker, "good" (buys 1 on its first bar) then "rogue".
struct RogueWorkspace {
  std::filesystem::path dir;
  std::filesystem::path config;
  explicit RogueWorkspace(const std::string& name) {
    dir = scratch_dir(name);
    config = dir / "mercurio.toml";
    auto r = mercurio_cmd({"generate-bars", "--symbol", "AAA", "--seed", "11", "--bars", std::to_string(kBars), "--out",
                           (dir / "data" / "AAA.csv").string()},
                          dir);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    std::ofstream(config) << "[kernel]\noutput_dir = \"out\"\nplugin_dirs = [\"" << fixture_plugin_dir().string()
                          << "\"]\n"
                             "[[plugin]]\nid = \"paper\"\nlibrary = \"mercurio_broker_paper\"\n[plugin.config]\n"
                             "starting_cash = \"50000\"\ncommission_per_share = \"0.01\"\ncommission_minimum = \"1\"\n"
                             "slippage_bps = \"5\"\nallow_short = true\n"
                             "data = { AAA = \"data/AAA.csv\" }\n"
                             "[[plugin]]\nid = \"good\"\nlibrary = \"fixture_good_strategy\"\n[plugin.config]\n"
                             "symbol = \"AAA\"\n"
                             "[[plugin]]\nid = \"rogue\"\nlibrary = \"fixture_rogue_strategy\"\n[plugin.config]\n"
                             "symbol = \"AAA\"\n"
                             "[[plugin]]\nid = \"log\"\nlibrary = \"mercurio_notifier_log\"\n"
                          << kTightRiskTable;
  }
  ProcessResult run(const std::vector<std::string>& extra = {}) const {
    std::vector<std::string> args{"run", "--config", config.string()};
    args.insert(args.end(), extra.begin(), extra.end());
    return mercurio_cmd(args, dir);
  }
};

}  // namespace

TEST(BypassTest, EveryRuntimeRouteAroundTheRiskGateIsDeniedAndOnlyOrdersWithinTheLimitsFill) {
  RogueWorkspace ws("bypass_rogue");
  auto r = ws.run();
  ASSERT_EQ(r.exit_code, 0) << r.err.substr(0, 4000);

  // The rogue ran on every bar, never faulted, and counted what it got.
  EXPECT_EQ(summary_value(r.out, "plugin faults"), "");  // the line is shown only when there were some
  EXPECT_FALSE(logged(r.err, "faulted in"));
  const RogueReport rogue = rogue_report(r.err);
  ASSERT_EQ(rogue.attempted, static_cast<long long>(kBars) * kAttemptsPerBar) << "rogue_strategy's on_stop line is missing";
  EXPECT_EQ(rogue.other, 0) << "every refusal must be a risk denial (StatusCode::Rejected)";
  EXPECT_EQ(rogue.approved + rogue.denied, rogue.attempted);
  EXPECT_EQ(rogue.cancels, static_cast<long long>(kBars) * kForeignCancelsPerBar);
  EXPECT_EQ(rogue.refused_cancels, rogue.cancels) << "a strategy must not cancel orders it does not own";
  // Some orders were within every limit (or the test would prove nothing), at most a burst per bar.
  EXPECT_GT(rogue.approved, 0);
  EXPECT_LE(rogue.approved, static_cast<long long>(kBars) * kOrderBurst);

  // The kernel agrees: "good"'s one order plus the rogue's approvals were sent; the rest denied.
  EXPECT_EQ(summary_number(r.out, "orders submitted"), rogue.approved + 1);
  EXPECT_EQ(summary_number(r.out, "orders denied"), rogue.denied);
  EXPECT_GE(rogue.denied, static_cast<long long>(kBars) * (kAttemptsPerBar - kOrderBurst));
  EXPECT_EQ(lines_with(r.err, "order denied for ").size(), static_cast<std::size_t>(rogue.denied))
      << "every denial is logged";

  // Each route was denied for its own reason.
  EXPECT_TRUE(logged(r.err, "order denied for rogue buy 1000000000 AAA: ORDER_QUANTITY_LIMIT: expected quantity <= 10, was 1000000000"));
  EXPECT_TRUE(logged(r.err, "order denied for rogue buy 1 AAA: PRICE_COLLAR: expected a price within 5 % of the reference"));
  EXPECT_TRUE(logged(r.err, "order denied for rogue buy 1 AAA: UNEXPECTED_LIMIT_PRICE: expected no limit price for a market order"));
  EXPECT_TRUE(logged(r.err, "order denied for rogue buy -1 AAA: INVALID_QUANTITY: expected quantity > 0, was -1"));
  EXPECT_TRUE(logged(r.err, "order denied for rogue buy 0 AAA: INVALID_QUANTITY: expected quantity > 0, was 0"));
  EXPECT_TRUE(logged(r.err, "order denied for rogue buy 2 AAA: DUPLICATE_ORDER: an identical buy 2 AAA order was approved 0 s ago"));
  EXPECT_TRUE(logged(r.err, ": STRATEGY_ORDER_RATE: expected at most 5 orders per minute (burst 5) from strategy rogue"));
  // On the first bar "good" took one of the broker's five tokens: the rogue's fifth order hits the
  // broker-wide bucket.
  EXPECT_TRUE(logged(r.err, ": BROKER_ORDER_RATE: expected at most 5 orders per minute to this broker"));
  EXPECT_FALSE(logged(r.err, ": HALTED: "));

  // Every fill is an order within every limit: a positive quantity of at most 10, at most a burst
  // per timestamp, each order filled once, and at the bar's open within the slippage, i.e. a market
  // order (none of the rogue's off-market limit prices got through).
  std::map<std::string, Decimal> open_at;
  for (const auto& bar : read_csv_rows(ws.dir / "data" / "AAA.csv")) open_at[bar[0]] = Decimal::from_string(bar[1]);
  const auto trades = read_csv_rows(ws.dir / "out" / "trades.csv");
  std::map<std::string, int> rogue_fills_at;
  std::set<std::string> filled_orders;
  long long rogue_fills = 0;
  bool good_filled = false;
  for (const auto& t : trades) {
    ASSERT_EQ(t.size(), 10u);
    const Decimal quantity = Decimal::from_string(t[3]);
    const Decimal price = Decimal::from_string(t[4]);
    EXPECT_TRUE(quantity.is_positive()) << t[6];
    EXPECT_LE(quantity, kMaxOrderQuantity) << t[6];
    EXPECT_TRUE(filled_orders.insert(t[6]).second) << t[6] << " filled twice";
    ASSERT_TRUE(open_at.count(t[0])) << "fill at " << t[0] << " is not at a bar of the data";
    const Decimal open = open_at[t[0]];
    EXPECT_LE((price - open).abs(), open * kSlippage) << t[6] << " filled at " << t[4] << ", bar open " << open.to_string();
    EXPECT_EQ(t[8], "paper");
    if (t[7] == "rogue") {
      ++rogue_fills;
      ++rogue_fills_at[t[0]];
    } else {
      EXPECT_EQ(t[7], "good");
      EXPECT_EQ(t[6], "good-1");
      good_filled = true;
    }
  }
  for (const auto& [ts, n] : rogue_fills_at) EXPECT_LE(n, kOrderBurst) << "fills at " << ts;
  // Market orders fill at the next bar: all of the rogue's approvals but the last bar's.
  EXPECT_LE(rogue_fills, rogue.approved);
  EXPECT_GE(rogue_fills, rogue.approved - kOrderBurst);
  EXPECT_TRUE(good_filled) << "the rogue's cancel of good-1 must not have taken effect";
  EXPECT_EQ(summary_number(r.out, "fills"), static_cast<long long>(trades.size()));
}

TEST(BypassTest, AHaltedDeploymentLetsNoOrderThrough) {
  RogueWorkspace ws("bypass_halted");
  auto halt = mercurio_cmd({"halt", "--config", ws.config.string(), "--by", "test", "--reason", "bypass test"}, ws.dir);
  ASSERT_EQ(halt.exit_code, 0) << halt.err;

  auto r = ws.run({"--mode", "paper"});
  ASSERT_EQ(r.exit_code, 0) << r.err.substr(0, 4000);
  EXPECT_THAT(r.out, HasSubstr("Mercurio run summary (paper)"));
  EXPECT_TRUE(logged(r.err, "trading state ACTIVE -> HALTED: operator test: bypass test"));
  EXPECT_EQ(summary_value(r.out, "fills"), "0");
  EXPECT_EQ(summary_value(r.out, "orders submitted"), "0");
  EXPECT_TRUE(read_csv_rows(ws.dir / "out" / "trades.csv").empty());

  const RogueReport rogue = rogue_report(r.err);
  ASSERT_EQ(rogue.attempted, static_cast<long long>(kBars) * kAttemptsPerBar) << "rogue_strategy's on_stop line is missing";
  EXPECT_EQ(rogue.approved, 0);
  EXPECT_EQ(rogue.denied, rogue.attempted);
  EXPECT_EQ(rogue.refused_cancels, rogue.cancels);
  EXPECT_EQ(summary_number(r.out, "orders denied"), rogue.denied + 1);  // and "good"'s one order

  // HALTED is the first check: every denial, whatever else was wrong with the order, says HALTED.
  const auto denials = lines_with(r.err, "order denied for ");
  EXPECT_EQ(denials.size(), static_cast<std::size_t>(rogue.denied + 1));
  std::size_t halted = 0;
  for (const auto& line : denials) {
    if (line.find(": HALTED: trading is HALTED") != std::string::npos) ++halted;
    else ADD_FAILURE() << "a denial that is not HALTED: " << line;
  }
  EXPECT_EQ(halted, denials.size());
}
