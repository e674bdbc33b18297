#pragma once
/// @file moving_average_strategy.hpp
/// Moving-average crossover: buy on a golden cross, sell on a death cross, per symbol.

#include <map>
#include <memory>

#include "config.hpp"
#include "crossover_detector.hpp"
#include "mercurio/lookup_hint/lookup_hint.hpp"
#include "mercurio/sdk/strategy.hpp"
#include "moving_average.hpp"

namespace mercurio::strategies::moving_average {

/// See README.md for the trading rules. Never throws out of a callback: an unexpected error
/// (e.g. decimal overflow while sizing) is logged and the signal is dropped.
/// Thread: kernel thread only (as every Strategy).
class MovingAverageStrategy final : public sdk::Strategy {
 public:
  /// Parses and validates `config`; throws std::invalid_argument naming every bad key.
  explicit MovingAverageStrategy(const sdk::ConfigView& config);
  /// Validates `settings`; throws std::invalid_argument naming every bad key.
  explicit MovingAverageStrategy(Settings settings);

  sdk::Status on_start(sdk::StrategyContext& ctx) override;
  void on_bar(sdk::StrategyContext& ctx, const sdk::Bar& bar) override;

  const Settings& settings() const noexcept { return settings_; }

 private:
  struct SymbolState {
    std::unique_ptr<AveragePair> averages;
    CrossoverDetector detector;
  };

  void on_cross(sdk::StrategyContext& ctx, const sdk::Bar& bar, Cross cross,
                const AveragePair& averages);
  /// The size of a new entry at this bar; zero when sizing yields nothing.
  sdk::Decimal entry_size(sdk::StrategyContext& ctx, const sdk::Bar& bar) const;
  void submit(sdk::StrategyContext& ctx, const sdk::Symbol& symbol, sdk::Side side,
              sdk::Decimal quantity, Cross cross);

  Settings settings_;
  using States = std::map<sdk::Symbol, SymbolState>;
  States states_;  // filled by the constructor, never changed after
  // Bars of one timestamp come symbol after symbol in sorted order: the previous bar's entry (or
  // the one after it) is checked before searching.
  lookup_hint::LookupHint<States> hint_;
};

}  // namespace mercurio::strategies::moving_average
