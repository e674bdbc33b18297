#pragma once
/// @file config.hpp
/// The paper broker's config schema and its parsed, checked settings.

#include <chrono>
#include <cstdint>
#include <map>
#include <string>

#include "bar_csv_reader.hpp"
#include "fill_simulator.hpp"
#include "mercurio/sdk/config.hpp"
#include "mercurio/sdk/status.hpp"

namespace mercurio::brokers::paper {

/// Every key `[plugin.config]` of mercurio.brokers.paper accepts (documented in README.md).
sdk::ConfigSchema paper_config_schema();

/// The most threads config key load_threads may ask for.
inline constexpr std::int64_t kMaxLoadThreads = 64;
/// The longest pause between replayed bars (a day): a longer one overflowed the wait in
/// nanoseconds.
inline constexpr std::int64_t kMaxReplayIntervalMs = std::int64_t{24} * 3600 * 1000;

/// The settings the broker runs with, read from a validated ConfigView.
struct PaperSettings {
  std::string plugin_id;
  sdk::Decimal starting_cash = sdk::Decimal::from_int(100'000);
  /// symbol -> data file path, relative paths already resolved against the config's directory.
  std::map<sdk::Symbol, std::string> data;
  CommissionModel commission;
  sdk::Decimal slippage_bps;
  bool allow_short = false;
  bool allow_margin = false;
  BadRowPolicy on_bad_row = BadRowPolicy::Error;
  std::chrono::milliseconds replay_interval{0};
  /// Threads one data file's rows are parsed on (config 0: one per online CPU, at most kMaxLoadThreads).
  unsigned load_threads = 1;
  std::string state_file;  ///< absolute; empty: the account lives in memory only
  /// The configured state_file of a backtest, which does not use it: a simulation neither starts
  /// from a paper session's account nor writes its own orders into it.
  std::string state_file_not_used;
};

/// Reads and checks every key; InvalidArgument lists all problems at once, each naming the key.
/// The kernel has already checked types and bounds against the schema; this re-checks what the
/// broker relies on (fail closed) and resolves the data paths.
sdk::Result<PaperSettings> parse_settings(const sdk::ConfigView& config);

}  // namespace mercurio::brokers::paper
