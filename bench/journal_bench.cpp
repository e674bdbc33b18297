// The journal's cost on the order path: one order intent with its risk approval, written and
// synced (synchronous=FULL) before the broker is called - per order, and sustained orders/s.
// Also a fill (durable) and an equity row (batched). The figures depend on the disk's fsync
// latency far more than on the CPU: the journal is placed where MERCURIO_BENCH_DIR points
// (default: the system temp directory), so run it on the disk a deployment would use.

#include <benchmark/benchmark.h>

#include <cstdlib>
#include <filesystem>

#include "journal/journal.hpp"

namespace {

using namespace mercurio;
namespace fs = std::filesystem;

fs::path bench_journal(const char* name) {
  const char* dir = std::getenv("MERCURIO_BENCH_DIR");
  fs::path base = dir && *dir ? fs::path(dir) : fs::temp_directory_path();
  fs::path path = base / (std::string("mercurio_journal_bench_") + name + ".sqlite");
  for (const char* suffix : {"", "-wal", "-shm"}) fs::remove(path.string() + suffix);
  return path;
}

sdk::OrderIntent intent() {
  sdk::OrderIntent i;
  i.symbol = sdk::Symbol("SPY");
  i.side = sdk::Side::Buy;
  i.type = sdk::OrderType::Limit;
  i.time_in_force = sdk::TimeInForce::Day;
  i.quantity = sdk::Decimal::from_int(100);
  i.limit_price = sdk::Decimal::parse("512.25");
  return i;
}

std::unique_ptr<kernel::Journal> open(const fs::path& path) {
  auto j = kernel::Journal::open(path);
  j->begin_run({"paper", "bench.toml", "0", "bench", {}, sdk::Timestamp{1}});
  return j;
}

void BM_JournalOrderIntentDurable(benchmark::State& state) {
  const auto path = bench_journal("intent");
  auto j = open(path);
  std::int64_t seq = 0;
  for (auto _ : state) {
    ++seq;
    const sdk::ClientOrderId id("bench-" + std::to_string(seq));
    j->record_intent({sdk::Timestamp{seq}, "bench", "paper", id, intent(), true, "", "approved"},
                     {id, seq, "bench", "paper", intent(), false, sdk::Timestamp{seq}});
  }
  state.counters["ops/s"] = benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
  j.reset();
  for (const char* suffix : {"", "-wal", "-shm"}) fs::remove(path.string() + suffix);
}
BENCHMARK(BM_JournalOrderIntentDurable)->Unit(benchmark::kMicrosecond)->UseRealTime()->MinTime(1.0);

void BM_JournalFillDurable(benchmark::State& state) {
  const auto path = bench_journal("fill");
  auto j = open(path);
  std::int64_t seq = 0;
  for (auto _ : state) {
    ++seq;
    sdk::OrderEvent f;
    f.type = sdk::OrderEventType::Filled;
    f.client_order_id = sdk::ClientOrderId("bench-1");
    f.symbol = sdk::Symbol("SPY");
    f.ts = sdk::Timestamp{seq};
    f.trade_id = sdk::TradeId("t" + std::to_string(seq));
    f.fill_quantity = sdk::Decimal::from_int(100);
    f.fill_price = *sdk::Decimal::parse("512.25");
    benchmark::DoNotOptimize(j->record_fill("paper", f, false));
  }
  state.counters["ops/s"] = benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
  j.reset();
  for (const char* suffix : {"", "-wal", "-shm"}) fs::remove(path.string() + suffix);
}
BENCHMARK(BM_JournalFillDurable)->Unit(benchmark::kMicrosecond)->UseRealTime()->MinTime(1.0);

void BM_JournalEquityRowBatched(benchmark::State& state) {
  const auto path = bench_journal("equity");
  auto j = open(path);
  std::int64_t seq = 0;
  for (auto _ : state) {
    ++seq;
    j->record_equity(sdk::Timestamp{seq}, sdk::Decimal::from_int(100000), sdk::Decimal::from_int(5000), sdk::Decimal::from_int(105000));
  }
  j->flush();
  state.counters["ops/s"] = benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
  j.reset();
  for (const char* suffix : {"", "-wal", "-shm"}) fs::remove(path.string() + suffix);
}
BENCHMARK(BM_JournalEquityRowBatched)->Unit(benchmark::kMicrosecond)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
