// The paper broker's persistent account (state_file) on the order path of a paper session: what an
// order costs (accepted, then filled: two changes, each appended to the change log and synced
// before it is reported), and what a restart costs (read the snapshot, apply the log, write a new
// snapshot - which is also what a snapshot taken during a session costs). Both on accounts of
// 1,000 and 10,000 filled orders: an order's cost must not grow with the account's history. Like
// the journal's, the figures depend on the disk's fsync latency: the files are placed where
// MERCURIO_BENCH_DIR points (default: the system temp directory).

#include <benchmark/benchmark.h>

#include <filesystem>
#include <map>
#include <string>

#include "bench_dir.hpp"
#include "mercurio/brokers/testing/test_approver.hpp"
#include "paper_broker.hpp"
#include "test_support.hpp"

namespace {

using namespace mercurio;
namespace fs = std::filesystem;
using brokers::paper::PaperBroker;

using bench::bench_dir;
// The paper broker tests' sink: it records what the broker reports; a fault (the account could
// not be saved) fails the benchmark.
using brokers::paper::testing::FakeSink;

void remove_account(const fs::path& state_file) {
  fs::remove(state_file);
  fs::remove(state_file.string() + ".log");
}

std::unique_ptr<PaperBroker> open(const fs::path& state_file, FakeSink& sink) {
  brokers::paper::PaperSettings settings;
  settings.plugin_id = "paper";
  settings.state_file = state_file.string();
  auto broker = std::make_unique<PaperBroker>(std::move(settings));
  if (const sdk::Status st = broker->start(sink); !st) throw std::runtime_error(st.message());
  return broker;
}

// Order `n` of the account: one share, bought and sold in turn (the account stays flat), filled
// on the next bar, a minute after the one it was placed on.
void trade(PaperBroker& broker, std::int64_t n) {
  sdk::OrderIntent intent;
  intent.symbol = sdk::Symbol("SPY");
  intent.side = n % 2 ? sdk::Side::Buy : sdk::Side::Sell;
  intent.type = sdk::OrderType::Market;
  intent.time_in_force = sdk::TimeInForce::Gtc;
  intent.quantity = sdk::Decimal::from_int(1);
  const sdk::Decimal price = sdk::Decimal::from_int(100);
  const auto bar = [&](std::int64_t minute) {
    return sdk::Bar{sdk::Timestamp{minute * 60'000'000'000},
                    sdk::Symbol("SPY"),
                    price,
                    price,
                    price,
                    price,
                    sdk::Decimal::from_int(1000)};
  };
  broker.on_market_bar(bar(2 * n));
  (void)broker.submit(
      kernel::RiskGate::approve(sdk::ClientOrderId("bench-" + std::to_string(n)), intent));
  broker.on_market_bar(bar(2 * n + 1));
}

// Accounts of `orders` filled orders, built once per size (it takes seconds: every change is
// synced) and copied for each run; removed when the program ends.
struct BuiltAccounts {
  std::map<std::int64_t, fs::path> files;
  ~BuiltAccounts() {
    for (const auto& [orders, file] : files) remove_account(file);
  }
} built_accounts;

fs::path built_account(std::int64_t orders) {
  if (auto it = built_accounts.files.find(orders); it != built_accounts.files.end()) return it->second;
  const fs::path file =
      bench_dir() / ("mercurio_paper_account_bench_" + std::to_string(orders) + ".toml");
  remove_account(file);
  built_accounts.files.emplace(orders, file);
  FakeSink sink;
  auto broker = open(file, sink);
  for (std::int64_t n = 1; n <= orders; ++n) trade(*broker, n);
  if (!sink.faults().empty()) throw std::runtime_error(sink.faults().front());
  return file;
}

// A working copy of the built account, so that no run sees another's orders.
fs::path copy_of_account(std::int64_t orders) {
  const fs::path source = built_account(orders);
  const fs::path copy = bench_dir() / ("mercurio_paper_account_bench_copy.toml");
  remove_account(copy);
  fs::copy_file(source, copy);
  if (fs::exists(source.string() + ".log"))
    fs::copy_file(source.string() + ".log", copy.string() + ".log");
  return copy;
}

void BM_PaperAccountOrder(benchmark::State& state) {
  const std::int64_t orders = state.range(0);
  fs::path file;
  FakeSink sink;
  std::unique_ptr<PaperBroker> broker;
  try {
    file = copy_of_account(orders);
    broker = open(file, sink);
  } catch (const std::exception& e) {
    state.SkipWithError(e.what());
    return;
  }
  std::int64_t n = orders;
  for (auto _ : state) trade(*broker, ++n);
  if (const auto faults = sink.faults(); !faults.empty())
    state.SkipWithError(faults.front().c_str());
  if (sink.events().size() != 2 * static_cast<std::size_t>(n - orders))
    state.SkipWithError("an order was not accepted and filled");
  broker.reset();
  remove_account(file);
}
BENCHMARK(BM_PaperAccountOrder)
    ->Arg(1000)
    ->Arg(10000)
    ->Unit(benchmark::kMicrosecond)
    ->UseRealTime()
    ->MinTime(0.5);

void BM_PaperAccountRestart(benchmark::State& state) {
  const std::int64_t orders = state.range(0);
  std::size_t fills = 0;
  try {
    built_account(orders);
  } catch (const std::exception& e) {
    state.SkipWithError(e.what());
    return;
  }
  for (auto _ : state) {
    state.PauseTiming();
    const fs::path file = copy_of_account(orders);
    state.ResumeTiming();
    FakeSink sink;
    auto broker = open(file, sink);  // the account is good: built above, read back at every start
    fills = broker->fills(sdk::Timestamp{INT64_MIN})->size();
  }
  if (fills != static_cast<std::size_t>(orders))
    state.SkipWithError("the account did not read back whole");
  remove_account(bench_dir() / "mercurio_paper_account_bench_copy.toml");
}
BENCHMARK(BM_PaperAccountRestart)
    ->Arg(1000)
    ->Arg(10000)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
