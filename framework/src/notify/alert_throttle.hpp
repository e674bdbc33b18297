#pragma once
// Limits how many alerts of one kind reach the notifiers, so a storm (e.g. a strategy whose every
// order is denied) cannot flood them. Suppressed alerts are counted and reported with the next one.

#include <chrono>
#include <cstdint>
#include <deque>
#include <string>

namespace mercurio::kernel {

class AlertThrottle {
 public:
  AlertThrottle(std::size_t max_per_window, std::chrono::steady_clock::duration window)
      : max_(max_per_window), window_(window) {}

  /// True when an alert may go out at `now`; otherwise counts it as suppressed.
  bool allow(std::chrono::steady_clock::time_point now) {
    while (!sent_.empty() && now - sent_.front() >= window_) sent_.pop_front();
    if (sent_.size() >= max_) {
      ++suppressed_;
      return false;
    }
    sent_.push_back(now);
    return true;
  }
  /// Alerts suppressed since the last call; resets the count.
  std::uint64_t take_suppressed() {
    const auto n = suppressed_;
    suppressed_ = 0;
    return n;
  }
  /// For the alert that goes out: " (N more <what> not alerted)" when some were suppressed since
  /// the last one, else empty; resets the count.
  std::string take_suppressed_note(const std::string& what) {
    const auto n = take_suppressed();
    return n ? " (" + std::to_string(n) + " more " + what + " not alerted)" : std::string();
  }

 private:
  std::size_t max_;
  std::chrono::steady_clock::duration window_;
  std::deque<std::chrono::steady_clock::time_point> sent_;
  std::uint64_t suppressed_ = 0;
};

}  // namespace mercurio::kernel
