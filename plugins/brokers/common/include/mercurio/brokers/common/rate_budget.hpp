#pragma once
/// @file rate_budget.hpp
/// A client-side request budget (token bucket) shared by every request a plugin sends, with
/// priorities: cancels and the failsafe's flattening may use the whole bucket, order entry and
/// account queries keep a reserve free for them, market-data requests keep a larger one.

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <optional>

namespace mercurio::brokers::common {

enum class Priority : unsigned char {
  Critical = 0,  ///< cancels, cancel-all, flattening: never starved by the others
  Normal = 1,    ///< order entry, account, positions, order queries
  Low = 2,       ///< market data, calendars, assets
};

class RateBudget {
 public:
  using Clock = std::chrono::steady_clock;
  struct Options {
    int requests_per_minute = 180;  ///< bucket size and refill per minute
    int normal_reserve = 10;        ///< tokens Normal requests leave for Critical ones
    int low_reserve = 40;           ///< tokens Low requests leave for Normal and Critical ones
  };

  /// `now` is injectable for tests; it must be monotonic.
  explicit RateBudget(Options options, std::function<Clock::time_point()> now = &Clock::now);

  /// Takes one token for a request of `priority` if one is free now (never blocks).
  bool try_acquire(Priority priority);
  /// Waits up to `max_wait` for a token. While a higher priority request is waiting, lower ones
  /// do not take tokens. Returns false on timeout (the caller reports "rate limited").
  bool acquire(Priority priority, std::chrono::milliseconds max_wait);

  /// The server said 429: nothing is sent before `until` (Retry-After / X-RateLimit-Reset).
  void pause_until(Clock::time_point until);
  /// X-RateLimit-Remaining from a response: the server's count wins when it is lower than ours.
  void observe_remaining(int remaining);

  double tokens() const;
  std::optional<Clock::time_point> paused_until() const;

 private:
  void refill_locked(Clock::time_point now);
  bool can_take_locked(Priority priority, Clock::time_point now) const;

  Options options_;
  std::function<Clock::time_point()> now_;
  mutable std::mutex mutex_;
  std::condition_variable changed_;
  double tokens_;
  Clock::time_point last_refill_;
  Clock::time_point paused_until_{};
  int waiting_[3] = {0, 0, 0};
};

}  // namespace mercurio::brokers::common
