#pragma once
/// @file synthetic_bars.hpp
/// Deterministic synthetic OHLCV bars for the default demo run and for benchmarks: a geometric
/// random walk driven by a self-contained PRNG, so a seed gives the same bars on every run.

#include <cstdint>
#include <iosfwd>
#include <optional>
#include <string>
#include <string_view>

#include "mercurio/sdk/types.hpp"

namespace mercurio::kernel {

/// Spacing of generated bars: daily, or N-minute bars in a fixed 13:30Z–20:00Z session.
struct BarInterval {
  /// Minutes per bar; 0 means one bar per weekday.
  int minutes = 0;

  /// The length of the intraday session in minutes (NYSE regular hours, 13:30Z–20:00Z).
  static constexpr int kSessionMinutes = 390;

  static constexpr BarInterval daily() noexcept { return {}; }
  static constexpr BarInterval of_minutes(int n) noexcept { return {n}; }
  constexpr bool is_daily() const noexcept { return minutes == 0; }
  /// Bars per weekday: 1 for daily, 390 / minutes otherwise.
  constexpr int bars_per_day() const noexcept {
    return minutes == 0 ? 1 : kSessionMinutes / minutes;
  }

  /// "1d", or "<N>m" / "<N>min" where N divides 390 (1, 2, 3, 5, 6, 10, 13, 15, 26, 30, 39, 65, 78,
  /// 130, 195, 390). nullopt for anything else.
  static std::optional<BarInterval> parse(std::string_view text) noexcept;
  /// "1d" or "<N>m".
  std::string to_string() const;

  friend constexpr bool operator==(BarInterval, BarInterval) noexcept = default;
};

/// What to generate.
struct SyntheticBarParams {
  sdk::Symbol symbol{"SYNTH"};
  /// Only its UTC date is used: the first bar is on the first weekday on or after it. The first
  /// and the last bar must fall between 1970-01-01 and 2261-12-31 (Timestamp, 64-bit nanoseconds,
  /// ends in April 2262): at most about 76,000 daily bars from 1970, or 29 million 1-minute bars.
  sdk::Timestamp start_date;
  std::uint64_t bar_count = 252;
  BarInterval interval = BarInterval::daily();
  /// Close before the first bar (the first bar's open gaps from it). In [0.01, 1,000,000].
  sdk::Decimal start_price = sdk::Decimal::from_int(100);
  /// Expected log-growth rate per year (mu of the geometric Brownian motion), in [-10, 10].
  double annual_drift = 0.05;
  /// Standard deviation of log returns per square-root year (sigma), in [0, 10].
  double annual_volatility = 0.20;
  std::uint64_t seed = 1;
};

/// Throws std::invalid_argument ("synthetic bars: 'K' expected X, was Y") for a bad parameter.
void validate(const SyntheticBarParams& params);

/// Generates bars one at a time. Model, per bar (dt = 1/252 year for daily bars,
/// minutes / (252 × 390) otherwise; z are independent standard normals):
///   close  = previous model close × exp((mu − sigma²/2) dt + sigma √dt z1)
///   open   = previous rounded close × exp(0.1 sigma √dt z2)               (a small gap)
///   high   = max(open, close) × exp(0.5 sigma √dt |z3|)
///   low    = min(open, close) × exp(−0.5 sigma √dt |z4|)
///   volume = round(base × exp(0.3 z5)), base 1,000,000 per day (spread over the session's bars)
/// Prices are rounded to cents (at least 0.01, the model is capped at 1e9), then high and low are
/// widened if rounding made them cross open or close, so high >= max(open, close) >= min(open,
/// close) >= low > 0 always holds. Normals come from xoshiro256** (seeded through splitmix64) and
/// the Box-Muller transform; the output depends only on the parameters and the platform's
/// std::exp/std::log/std::cos/std::sin (identical on every run and machine with the same libm).
/// Thread: one generator per thread.
class SyntheticBarGenerator {
 public:
  /// Validates `params` (see validate()).
  explicit SyntheticBarGenerator(const SyntheticBarParams& params);

  std::uint64_t remaining() const noexcept { return remaining_; }
  /// The next bar. Throws std::out_of_range when remaining() is 0.
  sdk::Bar next();

 private:
  double uniform_open_closed() noexcept;  // (0, 1]
  double uniform() noexcept;              // [0, 1)
  double normal() noexcept;
  void advance_time() noexcept;

  sdk::Symbol symbol_;
  BarInterval interval_;
  std::uint64_t remaining_;
  std::uint64_t rng_[4];
  bool has_spare_normal_ = false;
  double spare_normal_ = 0.0;
  double model_close_;  // the walk, unrounded
  std::int64_t last_close_cents_;
  double drift_per_bar_;
  double vol_per_bar_;
  double base_volume_;
  std::int64_t day_;  // days since the epoch of the current bar
  int bar_in_day_ = 0;
};

/// Writes the CSV header `timestamp,open,high,low,close,volume` and `params.bar_count` rows
/// (ISO-8601 UTC timestamps, prices with two decimals, integer volumes) to `out`. Rows are
/// formatted into a buffer and written in large blocks. Returns the number of rows written.
/// Throws std::invalid_argument for bad parameters and std::runtime_error when `out` fails.
std::uint64_t write_synthetic_csv(const SyntheticBarParams& params, std::ostream& out);

}  // namespace mercurio::kernel
