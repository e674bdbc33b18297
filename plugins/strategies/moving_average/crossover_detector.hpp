#pragma once
/// @file crossover_detector.hpp
/// The strict crossover rule, separate from the averages so it can be tested on its own.

#include <cstdint>
#include <optional>
#include <string_view>

#include "moving_average.hpp"

namespace mercurio::strategies::moving_average {

enum class Cross : std::uint8_t {
  None,
  Up,    ///< golden cross: the short average rose above the long one
  Down,  ///< death cross: the short average fell below the long one
};
std::string_view to_string(Cross cross) noexcept;

/// Turns the per-bar relation of the short to the long average into crossings.
///
/// A cross up happens at bar t when short > long at t and short < long at the last earlier bar
/// where the two differed (a cross down mirrors it). Bars where short == long are skipped: they
/// neither make nor break a cross, so "below, equal, above" is one cross up and
/// "above, equal, above" none. The first defined bar is never a cross: there is no earlier side.
/// Thread: not thread-safe; one instance per symbol.
class CrossoverDetector {
 public:
  /// Feeds the relation at the next bar; returns the cross completed at this bar, if any.
  Cross update(Relation relation) noexcept;
  /// The relation at the last bar where the averages differed, if any.
  std::optional<Relation> last_side() const noexcept { return last_side_; }

 private:
  std::optional<Relation> last_side_;
};

}  // namespace mercurio::strategies::moving_average
