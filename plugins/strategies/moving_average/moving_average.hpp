#pragma once
/// @file moving_average.hpp
/// The pairs of averages the crossover strategy compares, each telling where its short average
/// stands relative to its long one: exact simple moving averages over decimal mantissas, or
/// double-precision exponential moving averages.

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

/// Exact simple moving averages of the last `short_window` and `long_window` values
/// (1 <= short_window < long_window), compared exactly. One ring buffer of the last `long_window`
/// raw 10^-8 mantissas serves both: the value leaving the short window is in it too, so each close
/// is stored once and both sums move with one write. The sums are kept in 128 bits and compared
/// by cross-multiplication, so no rounding ever happens: an equality is a real equality.
/// Thread: not thread-safe; one instance per symbol.
class SimpleAveragePair final : public AveragePair {
 public:
  /// Throws std::invalid_argument unless 1 <= short_window < long_window.
  SimpleAveragePair(std::size_t short_window, std::size_t long_window);

  /// Adds one close; returns the short average's relation to the long one once `long_window`
  /// closes have been seen.
  std::optional<Relation> update(sdk::Decimal close) noexcept override {
    const std::int64_t value = close.raw();
    // ring_[next_] holds the value added long_window closes ago, the one added short_window ago
    // is long_window - short_window places after it (both zero until written: the sums are then
    // of all values).
    std::size_t leaving_short = next_ + (ring_.size() - short_window_);
    if (leaving_short >= ring_.size()) leaving_short -= ring_.size();
    long_sum_ += value;
    long_sum_ -= ring_[next_];
    short_sum_ += value;
    short_sum_ -= ring_[leaving_short];
    ring_[next_] = value;
    if (++next_ == ring_.size()) next_ = 0;
    if (count_ < ring_.size() && ++count_ < ring_.size()) return std::nullopt;
    // |sum| <= window * 2^63 and windows are bounded by the config (<= 10^6 < 2^20), so each
    // product stays below 2^103: far inside __int128.
    const __int128 lhs = short_sum_ * static_cast<__int128>(ring_.size());
    const __int128 rhs = long_sum_ * static_cast<__int128>(short_window_);
    return lhs > rhs ? Relation::Above : lhs < rhs ? Relation::Below : Relation::Equal;
  }
  /// Sums of the raw mantissas of the last short_window / long_window values (of all values
  /// while fewer have been added).
  __int128 short_raw_sum() const noexcept { return short_sum_; }
  __int128 long_raw_sum() const noexcept { return long_sum_; }
  /// The averages as doubles, for log lines only (never for decisions).
  double short_value() const noexcept override;
  double long_value() const noexcept override;

 private:
  std::vector<std::int64_t> ring_;  // long_window values
  std::size_t short_window_;
  std::size_t next_ = 0;
  std::size_t count_ = 0;  // values added, up to long_window
  __int128 short_sum_ = 0;
  __int128 long_sum_ = 0;
};

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

/// Throws std::invalid_argument unless 1 <= short_window < long_window.
std::unique_ptr<AveragePair> make_average_pair(AverageKind kind, std::size_t short_window,
                                               std::size_t long_window);

}  // namespace mercurio::strategies::moving_average
