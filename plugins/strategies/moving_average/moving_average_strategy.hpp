#pragma once
/// @file moving_average_strategy.hpp
/// Moving-average crossover: buy on a golden cross, sell on a death cross, per symbol; a position
/// left on the wrong side of the averages is closed again on later bars.

#include <cstdint>
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
  /// A fill of one of its orders has the next bar of that symbol look at the position again.
  void on_order_event(sdk::StrategyContext& ctx, const sdk::OrderEvent& event) override;

  const Settings& settings() const noexcept { return settings_; }

 private:
  struct SymbolState {
    std::unique_ptr<AveragePair> averages;
    CrossoverDetector detector;
    // True while the position may be on the wrong side of detector.last_side() (long while
    // below, short while above): from the start (a position held before a restart), after a
    // cross, an order sent and a fill. Each bar then looks at the portfolio (check_exit); false
    // once the strategy saw its position in line with no order of its own open, which only a
    // cross, an order or a fill can change. While false, a bar costs one test of this flag.
    bool check_position = true;
    // Closing orders sent again (or refused) since the position was last seen in line: the
    // first of a run logs at info / warning, the others at debug (a closed market may refuse
    // one on every bar for hours).
    std::uint32_t exit_retries = 0;
  };

  /// Trades the cross; returns true when no order was sent and none is open: the position is
  /// then in line with the new side (a cross closes every wrong-side position it sees).
  bool on_cross(sdk::StrategyContext& ctx, const sdk::Bar& bar, Cross cross,
                const AveragePair& averages);
  /// Outside a cross, while state.check_position: closes a position on the wrong side of the
  /// last side of the averages (no entry), or clears check_position when there is none.
  void check_exit(sdk::StrategyContext& ctx, const sdk::Bar& bar, SymbolState& state);
  /// The size of a new entry at this bar; zero when sizing yields nothing.
  sdk::Decimal entry_size(sdk::StrategyContext& ctx, const sdk::Bar& bar) const;
  /// Sends the order; a failure is logged at `failure_level`.
  void submit(sdk::StrategyContext& ctx, const sdk::Symbol& symbol, sdk::Side side,
              sdk::Decimal quantity, std::string_view tag,
              sdk::LogLevel failure_level = sdk::LogLevel::Warning);

  Settings settings_;
  using States = std::map<sdk::Symbol, SymbolState>;
  States states_;  // filled by the constructor, never changed after
  // Bars of one timestamp come symbol after symbol in sorted order: the previous bar's entry (or
  // the one after it) is checked before searching.
  lookup_hint::LookupHint<States> hint_;
};

}  // namespace mercurio::strategies::moving_average
