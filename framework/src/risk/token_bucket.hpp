#pragma once
// Order-rate throttle: a token bucket refilled continuously on the kernel clock (simulated in
// backtests, so throttling is deterministic there too).

#include <cstdint>

#include "mercurio/sdk/time.hpp"

namespace mercurio::kernel {

class TokenBucket {
 public:
  TokenBucket() = default;
  /// `per_minute` tokens are added per minute, up to `burst` held at once; starts full. Exact for
  /// any positive int64 figures: the scaled count is 128-bit.
  TokenBucket(std::int64_t per_minute, std::int64_t burst)
      : capacity_(static_cast<__int128>(burst) * kScale),
        refill_per_ns_num_(per_minute),
        tokens_(capacity_) {}

  /// Takes one token if there is one at `now`.
  bool try_take(sdk::Timestamp now) {
    refill(now);
    if (tokens_ < kScale) return false;
    tokens_ -= kScale;
    return true;
  }

 private:
  static constexpr std::int64_t kScale = 60'000'000'000;  // one token = ns per minute, so refill is exact

  void refill(sdk::Timestamp now) {
    if (!started_) {
      started_ = true;
      last_ = now;
      return;
    }
    if (now <= last_) return;
    // elapsed x rate, capped at the room left. Compared first, the product is formed only when it
    // fits the room (under 2^99), so no figure a config or a clock can give overflows.
    const __int128 elapsed = static_cast<__int128>(now.ns) - last_.ns;
    const __int128 room = capacity_ - tokens_;
    if (refill_per_ns_num_ > 0)
      tokens_ =
          elapsed > room / refill_per_ns_num_ ? capacity_ : tokens_ + elapsed * refill_per_ns_num_;
    last_ = now;
  }

  __int128 capacity_ = 0;
  std::int64_t refill_per_ns_num_ = 0;  // tokens per minute == scaled units per ns
  __int128 tokens_ = 0;
  sdk::Timestamp last_;
  bool started_ = false;
};

}  // namespace mercurio::kernel
