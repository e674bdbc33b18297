#pragma once
// Figures of a finished run: what the summary prints.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "mercurio/sdk/types.hpp"
#include "portfolio/ledger.hpp"

namespace mercurio::kernel {

/// Annualized Sharpe ratio (risk-free rate 0) of daily returns: the equity at the last snapshot
/// of each UTC day, simple returns between consecutive days (the first day's from the run's
/// starting equity), mean / sample stdev x sqrt(252). nullopt with fewer than two returns or
/// zero variance.
std::optional<double> annualized_sharpe(sdk::Decimal starting_equity,
                                        const std::vector<sdk::Decimal>& daily_equity);

struct RunStatistics {
  std::string mode;
  sdk::Timestamp first_bar{INT64_MIN};
  sdk::Timestamp last_bar{INT64_MIN};
  std::uint64_t bars = 0;
  std::uint64_t orders_submitted = 0;
  std::uint64_t orders_denied = 0;
  std::uint64_t warmup_bars = 0;            // paper/live: history bars strategies saw before the live ones
  std::uint64_t warmup_orders_refused = 0;  // orders strategies proposed on those bars (never sent)
  std::uint64_t orders_rejected = 0;  // by a broker
  std::uint64_t fills = 0;
  std::uint64_t plugin_faults = 0;
  std::uint64_t open_orders_at_end = 0;
  sdk::Decimal starting_equity;
  sdk::Decimal final_equity;
  sdk::Decimal commissions;
  sdk::Decimal max_drawdown;  // fraction
  std::optional<double> sharpe;
  RoundTripTally round_trips;  // of the strategies' books
  double wall_seconds = 0;
  std::optional<double> load_seconds;    // backtest: reading the history from the brokers (CSV parsing)
  std::optional<double> replay_seconds;  // backtest: the bar loop alone, data already in memory

  double total_return() const;  // fraction
  double win_rate() const;      // fraction of round trips with net P&L > 0
  /// The human-readable summary printed at the end of `mercurio run`.
  std::string format() const;
};

}  // namespace mercurio::kernel
