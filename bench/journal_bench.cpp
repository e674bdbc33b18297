// The journal's cost on the order path: one order intent with its risk approval, written and
// synced (synchronous=FULL) before the broker is called - per order, and sustained orders/s.
// Also a fill (durable) and an equity row (batched). The figures depend on the disk's fsync
// latency far more than on the CPU: the journal is placed where MERCURIO_BENCH_DIR points
// (default: the system temp directory), so run it on the disk a deployment would use.

#include <benchmark/benchmark.h>

#include <filesystem>
#include <map>

#include "bench_dir.hpp"
#include "journal/journal.hpp"

namespace {

using namespace mercurio;
namespace fs = std::filesystem;

void remove_journal(const fs::path& path) {
  for (const char* suffix : {"", "-wal", "-shm"}) fs::remove(path.string() + suffix);
}

fs::path bench_journal(const char* name) {
  fs::path path = bench::bench_dir() / (std::string("mercurio_journal_bench_") + name + ".sqlite");
  remove_journal(path);
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

std::unique_ptr<kernel::Journal> open(const fs::path& path, bool synced = true) {
  auto j = kernel::Journal::open(path, 0, synced);
  j->begin_run({"paper", "bench.toml", "0", "bench", {}, sdk::Timestamp{1}});
  return j;
}

// Order intent number `seq` of strategy "bench" with its approval, as the kernel journals it.
sdk::ClientOrderId record_intent(kernel::Journal& j, std::int64_t seq) {
  const sdk::ClientOrderId id("bench-" + std::to_string(seq));
  j.record_intent({sdk::Timestamp{seq}, "bench", "paper", id, intent(), true, "", "approved"},
                  {id, seq, "bench", "paper", intent(), false, sdk::Timestamp{seq}});
  return id;
}

// The whole fill of an intent(), trade "t<seq>".
sdk::OrderEvent fill_of(const sdk::ClientOrderId& id, std::int64_t seq) {
  sdk::OrderEvent f;
  f.type = sdk::OrderEventType::Filled;
  f.client_order_id = id;
  f.symbol = sdk::Symbol("SPY");
  f.side = sdk::Side::Buy;
  f.ts = sdk::Timestamp{seq};
  f.trade_id = sdk::TradeId("t" + std::to_string(seq));
  f.fill_quantity = sdk::Decimal::from_int(100);
  f.fill_price = *sdk::Decimal::parse("512.25");
  return f;
}

void BM_JournalOrderIntentDurable(benchmark::State& state) {
  const auto path = bench_journal("intent");
  auto j = open(path);
  std::int64_t seq = 0;
  for (auto _ : state) record_intent(*j, ++seq);
  state.counters["ops/s"] = benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
  j.reset();
  remove_journal(path);
}
BENCHMARK(BM_JournalOrderIntentDurable)->Unit(benchmark::kMicrosecond)->UseRealTime()->MinTime(1.0);

void BM_JournalFillDurable(benchmark::State& state) {
  const auto path = bench_journal("fill");
  auto j = open(path);
  std::int64_t seq = 0;
  const sdk::ClientOrderId id("bench-1");
  for (auto _ : state) {
    const sdk::OrderEvent f = fill_of(id, ++seq);
    benchmark::DoNotOptimize(j->record_fill("paper", f, false));
  }
  state.counters["ops/s"] = benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
  j.reset();
  remove_journal(path);
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
  remove_journal(path);
}
BENCHMARK(BM_JournalEquityRowBatched)->Unit(benchmark::kMicrosecond)->UseRealTime();

// A restart reads the whole journal back (Journal::recover): open it (with SQLite's quick_check),
// then every intent with its status and every fill. The cost grows with the journal, so it is
// measured for journals of 10,000 and 100,000 orders, each filled once; the kernel's own replay of
// what was read (ledgers, tracker) comes on top, in memory.
// Built once per size and kept for the repetitions (100,000 orders take seconds to write); main()
// removes them.
std::map<std::int64_t, fs::path> filled_journals;

fs::path filled_journal(std::int64_t orders) {
  if (auto it = filled_journals.find(orders); it != filled_journals.end()) return it->second;
  const auto path = bench_journal(("recover_" + std::to_string(orders)).c_str());
  filled_journals.emplace(orders, path);
  auto j = open(path, /*synced=*/false);  // written fast; read the same either way
  for (std::int64_t seq = 1; seq <= orders; ++seq) {
    const sdk::ClientOrderId id = record_intent(*j, seq);
    j->record_fill("paper", fill_of(id, seq), false);
    j->set_intent_status(id, kernel::IntentStatus::Filled, sdk::Timestamp{seq}, "", false);
  }
  j->end_run(sdk::Timestamp{orders + 1});
  return path;
}

void BM_JournalOpenAndRecover(benchmark::State& state) {
  const std::int64_t orders = state.range(0);
  const auto path = filled_journal(orders);
  std::size_t read = 0;
  for (auto _ : state) {
    auto j = kernel::Journal::open(path);
    const kernel::RecoveredJournal r = j->recover();
    read = r.orders.size() + r.fills.size();
    benchmark::DoNotOptimize(read);
  }
  if (read != static_cast<std::size_t>(2 * orders))
    state.SkipWithError("the journal did not read back whole");
  // Orders read back per second. The same one counter as every benchmark here: the CSV report the
  // harness reads needs every run to carry the same counters.
  state.counters["ops/s"] = benchmark::Counter(static_cast<double>(state.iterations() * orders),
                                               benchmark::Counter::kIsRate);
}
BENCHMARK(BM_JournalOpenAndRecover)
    ->Arg(10000)
    ->Arg(100000)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  for (const auto& [orders, path] : filled_journals) remove_journal(path);
  return 0;
}
