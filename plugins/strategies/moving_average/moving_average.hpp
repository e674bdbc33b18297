#pragma once
/// @file moving_average.hpp
/// The two averages the crossover strategy compares: an exact simple moving average over
/// decimal mantissas and a double-precision exponential moving average, plus the pair that
/// tells where the short average stands relative to the long one.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string_view>
#include <vector>

#include "mercurio/sdk/decimal.hpp"

namespace mercurio::strategies::moving_average {

enum class AverageKind : std::uint8_t { Simple, Exponential };
std::string_view to_string(AverageKind kind) noexcept;

/// Where the short average stands relative to the long one.
enum class Relation : std::int8_t { Below = -1, Equal = 0, Above = 1 };
std::string_view to_string(Relation relation) noexcept;

/// Exact simple moving average of the last `window` values. Keeps a ring buffer of the values'
/// raw 10^-8 mantissas and their running sum in 128 bits, so no rounding ever happens: two
/// averages can be compared exactly with compare() (an equality is a real equality).
/// Thread: not thread-safe; one instance per symbol.
class SimpleMovingAverage {
 public:
  /// Throws std::invalid_argument when `window` is zero.
  explicit SimpleMovingAverage(std::size_t window);

  void add(sdk::Decimal value) noexcept;
  /// True once `window` values have been added.
  bool ready() const noexcept { return count_ >= ring_.size(); }
  std::size_t window() const noexcept { return ring_.size(); }
  /// Sum of the raw mantissas of the last `window` values (of all values before ready()).
  __int128 raw_sum() const noexcept { return sum_; }
  /// The average as a double, for log lines only (never for decisions).
  double value() const noexcept;

 private:
  std::vector<std::int64_t> ring_;
  std::size_t next_ = 0;
  std::size_t count_ = 0;
  __int128 sum_ = 0;
};

/// Exact sign of (a's average − b's average), by cross-multiplication:
/// sum_a × window_b against sum_b × window_a in 128 bits. Both must be ready().
Relation compare(const SimpleMovingAverage& a, const SimpleMovingAverage& b) noexcept;

/// Exponential moving average with alpha = 2 / (window + 1), seeded with the simple average of
/// the first `window` values (computed exactly, then converted to double). Indicator only:
/// doubles are fine here, prices and quantities stay decimal.
/// Thread: not thread-safe; one instance per symbol.
class ExponentialMovingAverage {
 public:
  /// Throws std::invalid_argument when `window` is zero.
  explicit ExponentialMovingAverage(std::size_t window);

  void add(sdk::Decimal value) noexcept;
  /// True once `window` values have been added (the seed is known).
  bool ready() const noexcept { return count_ >= window_; }
  std::size_t window() const noexcept { return window_; }
  double alpha() const noexcept { return alpha_; }
  /// The current average; meaningful only when ready().
  double value() const noexcept { return value_; }

 private:
  std::size_t window_;
  double alpha_;
  std::size_t count_ = 0;
  __int128 seed_sum_ = 0;
  double value_ = 0.0;
};

/// A short and a long average of the same closes. Both are defined only once `long_window`
/// closes have been seen; before that update() returns nullopt.
class AveragePair {
 public:
  virtual ~AveragePair() = default;
  /// Adds one close; returns the short average's relation to the long one once defined.
  virtual std::optional<Relation> update(sdk::Decimal close) noexcept = 0;
  /// Current values, for log lines only.
  virtual double short_value() const noexcept = 0;
  virtual double long_value() const noexcept = 0;
};

/// Throws std::invalid_argument unless 1 <= short_window < long_window.
std::unique_ptr<AveragePair> make_average_pair(AverageKind kind, std::size_t short_window,
                                               std::size_t long_window);

}  // namespace mercurio::strategies::moving_average
