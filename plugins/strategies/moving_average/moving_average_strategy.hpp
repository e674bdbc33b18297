#pragma once
/// @file moving_average_strategy.hpp
/// Moving-average crossover: buy on a golden cross, sell on a death cross, per symbol; a position
/// left on the wrong side of the averages is closed again on later bars.

#include <cstdint>
#include <map>
#include <memory>
#include <string>

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
  /// A fill of one of its orders has the next bar of that symbol look at the position again; the
  /// end of a close sent by check_exit without a fill (rejected, canceled, expired) is counted.
  void on_order_event(sdk::StrategyContext& ctx, const sdk::OrderEvent& event) override;

  /// Closes sent by check_exit that ended unfilled in a row (the broker rejected, canceled or
  /// expired them) after which no more are sent for the symbol: another would most likely end
  /// the same way, each one a real order at the broker and an alert. As the kernel's flatten.
  static constexpr std::uint32_t kMaxExitRejections = 3;

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
    // Closing orders sent again (or refused) since the last cross, fill or position seen in line:
    // the first of a run logs at info / warning, as does a refusal for another reason than the
    // previous one (e.g. the warm-up's, then MARKET_CLOSED); the same refusal again logs at debug
    // (a closed market may refuse one on every bar for hours).
    std::uint32_t exit_retries = 0;
    // The previous attempt's refusal by submit() (its text up to the first ':', the risk gate's
    // code), empty when it was sent.
    std::string last_refusal{};
    // Closes sent by check_exit that ended without a fill, in a row (kMaxExitRejections stops
    // them), the broker's reason for the last one, and whether the stop was logged.
    std::uint32_t exit_rejections = 0;
    std::string last_rejection{};
    bool stop_logged = false;
    // The close check_exit sent last, until its fill or its end; empty when none.
    sdk::ClientOrderId exit_order{};
  };

  /// A new run of attempts: after a cross, a fill or the position seen in line.
  void reset_exit(SymbolState& state);
  void track_exit(SymbolState& state, const sdk::ClientOrderId& id);
  void untrack_exit(SymbolState& state);

  /// Trades the cross; returns true when no order was sent and none is open: the position is
  /// then in line with the new side (a cross closes every wrong-side position it sees).
  bool on_cross(sdk::StrategyContext& ctx, const sdk::Bar& bar, Cross cross,
                const AveragePair& averages);
  /// Outside a cross, while state.check_position: closes a position on the wrong side of the
  /// last side of the averages (no entry), or clears check_position when there is none.
  void check_exit(sdk::StrategyContext& ctx, const sdk::Bar& bar, SymbolState& state);
  /// The size of a new entry at this bar; zero when sizing yields nothing.
  sdk::Decimal entry_size(sdk::StrategyContext& ctx, const sdk::Bar& bar) const;
  /// Sends the order and logs the outcome (a failure at `failure_level`).
  static void submit(sdk::StrategyContext& ctx, const sdk::Symbol& symbol, sdk::Side side,
                     sdk::Decimal quantity, std::string_view tag,
                     sdk::LogLevel failure_level = sdk::LogLevel::Warning);
  /// Sends the order, logging nothing.
  static sdk::Result<sdk::ClientOrderId> send(sdk::StrategyContext& ctx, const sdk::Symbol& symbol,
                                              sdk::Side side, sdk::Decimal quantity,
                                              std::string_view tag);
  static void log_submit(sdk::StrategyContext& ctx, const sdk::Result<sdk::ClientOrderId>& result,
                         const sdk::Symbol& symbol, sdk::Side side, sdk::Decimal quantity,
                         std::string_view tag, sdk::LogLevel failure_level);

  Settings settings_;
  using States = std::map<sdk::Symbol, SymbolState>;
  States states_;  // filled by the constructor, never changed after
  // Bars of one timestamp come symbol after symbol in sorted order: the previous bar's entry (or
  // the one after it) is checked before searching.
  lookup_hint::LookupHint<States> hint_;
  // Fills come in their own order (a bar's fills just before that bar reaches the strategy): a
  // hint of their own, so neither undoes the other's.
  lookup_hint::LookupHint<States> fill_hint_;
  // Symbols whose exit_order is set: while zero, an order event other than a fill looks up nothing.
  std::size_t exits_working_ = 0;
};

}  // namespace mercurio::strategies::moving_average
