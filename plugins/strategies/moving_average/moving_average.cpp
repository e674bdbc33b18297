#include "moving_average.hpp"

#include <algorithm>
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

// The long window, once 1 <= short_window < long_window is checked.
std::size_t checked_pair(std::size_t short_window, std::size_t long_window) {
  if (short_window < 1 || long_window <= short_window)
    throw std::invalid_argument(
        "moving average pair: expected 1 <= short_window < long_window, was " +
        std::to_string(short_window) + " and " + std::to_string(long_window));
  return long_window;
}

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

SimpleAveragePair::SimpleAveragePair(std::size_t short_window, std::size_t long_window)
    : ring_(checked_pair(short_window, long_window), 0), short_window_(short_window) {}

double SimpleAveragePair::short_value() const noexcept {
  const std::size_t n = std::min(count_, short_window_);
  return n == 0 ? 0.0 : static_cast<double>(short_sum_) / kScale / static_cast<double>(n);
}

double SimpleAveragePair::long_value() const noexcept {
  return count_ == 0 ? 0.0 : static_cast<double>(long_sum_) / kScale / static_cast<double>(count_);
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
  checked_pair(short_window, long_window);  // first, for either kind: the pair's own message
  if (kind == AverageKind::Simple)
    return std::make_unique<SimpleAveragePair>(short_window, long_window);
  return std::make_unique<ExponentialPair>(short_window, long_window);
}

}  // namespace mercurio::strategies::moving_average
