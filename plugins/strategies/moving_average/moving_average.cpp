#include "moving_average.hpp"

#include <stdexcept>
#include <string>

namespace mercurio::strategies::moving_average {

namespace {

constexpr double kScale = static_cast<double>(sdk::Decimal::kScale);

std::size_t checked_window(std::size_t window, const char* what) {
  if (window == 0)
    throw std::invalid_argument(std::string(what) + ": expected a window >= 1, was 0");
  return window;
}

class SimplePair final : public AveragePair {
 public:
  SimplePair(std::size_t short_window, std::size_t long_window)
      : short_(short_window), long_(long_window) {}

  std::optional<Relation> update(sdk::Decimal close) noexcept override {
    short_.add(close);
    long_.add(close);
    // The long window is the larger one, so the short average is ready whenever the long one is.
    if (!long_.ready()) return std::nullopt;
    return compare(short_, long_);
  }
  double short_value() const noexcept override { return short_.value(); }
  double long_value() const noexcept override { return long_.value(); }

 private:
  SimpleMovingAverage short_;
  SimpleMovingAverage long_;
};

class ExponentialPair final : public AveragePair {
 public:
  ExponentialPair(std::size_t short_window, std::size_t long_window)
      : short_(short_window), long_(long_window) {}

  std::optional<Relation> update(sdk::Decimal close) noexcept override {
    short_.add(close);
    long_.add(close);
    if (!long_.ready()) return std::nullopt;
    const double s = short_.value();
    const double l = long_.value();
    return s > l ? Relation::Above : s < l ? Relation::Below : Relation::Equal;
  }
  double short_value() const noexcept override { return short_.value(); }
  double long_value() const noexcept override { return long_.value(); }

 private:
  ExponentialMovingAverage short_;
  ExponentialMovingAverage long_;
};

}  // namespace

std::string_view to_string(AverageKind kind) noexcept {
  return kind == AverageKind::Simple ? "sma" : "ema";
}

std::string_view to_string(Relation relation) noexcept {
  switch (relation) {
    case Relation::Below: return "below";
    case Relation::Equal: return "equal";
    case Relation::Above: return "above";
  }
  return "?";
}

SimpleMovingAverage::SimpleMovingAverage(std::size_t window)
    : ring_(checked_window(window, "simple moving average"), 0) {}

void SimpleMovingAverage::add(sdk::Decimal value) noexcept {
  sum_ += value.raw();
  sum_ -= ring_[next_];  // zero until the ring is full
  ring_[next_] = value.raw();
  next_ = next_ + 1 == ring_.size() ? 0 : next_ + 1;
  if (count_ < ring_.size()) ++count_;
}

double SimpleMovingAverage::value() const noexcept {
  if (count_ == 0) return 0.0;
  return static_cast<double>(sum_) / kScale / static_cast<double>(count_);
}

Relation compare(const SimpleMovingAverage& a, const SimpleMovingAverage& b) noexcept {
  // |sum| <= window * 2^63 and windows are bounded by the config (<= 10^6 < 2^20), so each
  // product stays below 2^103: far inside __int128.
  const __int128 lhs = a.raw_sum() * static_cast<__int128>(b.window());
  const __int128 rhs = b.raw_sum() * static_cast<__int128>(a.window());
  return lhs > rhs ? Relation::Above : lhs < rhs ? Relation::Below : Relation::Equal;
}

ExponentialMovingAverage::ExponentialMovingAverage(std::size_t window)
    : window_(checked_window(window, "exponential moving average")),
      alpha_(2.0 / (static_cast<double>(window) + 1.0)) {}

void ExponentialMovingAverage::add(sdk::Decimal value) noexcept {
  if (count_ < window_) {
    seed_sum_ += value.raw();
    ++count_;
    if (count_ == window_)
      value_ = static_cast<double>(seed_sum_) / kScale / static_cast<double>(window_);
    return;
  }
  value_ = alpha_ * value.to_double() + (1.0 - alpha_) * value_;
}

std::unique_ptr<AveragePair> make_average_pair(AverageKind kind, std::size_t short_window,
                                               std::size_t long_window) {
  if (short_window < 1 || long_window <= short_window)
    throw std::invalid_argument(
        "moving average pair: expected 1 <= short_window < long_window, was " +
        std::to_string(short_window) + " and " + std::to_string(long_window));
  if (kind == AverageKind::Simple) return std::make_unique<SimplePair>(short_window, long_window);
  return std::make_unique<ExponentialPair>(short_window, long_window);
}

}  // namespace mercurio::strategies::moving_average
