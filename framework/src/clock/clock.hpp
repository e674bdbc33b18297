#pragma once
// One clock interface for every mode: simulated time in backtests, wall time otherwise.

#include <atomic>
#include <chrono>

#include "mercurio/sdk/time.hpp"

namespace mercurio::kernel {

class Clock {
 public:
  virtual ~Clock() = default;
  /// Thread: safe from any thread.
  virtual sdk::Timestamp now() const = 0;
};

/// Backtest time: the timestamp of the bar being processed; moves only forward.
class SimulatedClock final : public Clock {
 public:
  sdk::Timestamp now() const override { return sdk::Timestamp{now_.load(std::memory_order_relaxed)}; }
  void advance_to(sdk::Timestamp ts) {
    if (ts.ns > now_.load(std::memory_order_relaxed)) now_.store(ts.ns, std::memory_order_relaxed);
  }

 private:
  std::atomic<std::int64_t> now_{INT64_MIN};
};

class WallClock final : public Clock {
 public:
  sdk::Timestamp now() const override {
    return sdk::Timestamp{std::chrono::duration_cast<std::chrono::nanoseconds>(
                              std::chrono::system_clock::now().time_since_epoch())
                              .count()};
  }
};

}  // namespace mercurio::kernel
