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

  /// Tokens added per minute (for messages).
  std::int64_t per_minute() const noexcept { return refill_per_ns_num_; }

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
    // elapsed (< 2^64) x rate (< 2^63) fits 128 bits; it is compared with the room left before it
    // is added, as tokens + it could pass 2^127. No division on the order path.
    const __int128 added = (static_cast<__int128>(now.ns) - last_.ns) * refill_per_ns_num_;
    tokens_ = added >= capacity_ - tokens_ ? capacity_ : tokens_ + added;
    last_ = now;
  }

  __int128 capacity_ = 0;
  std::int64_t refill_per_ns_num_ = 0;  // tokens per minute == scaled units per ns
  __int128 tokens_ = 0;
  sdk::Timestamp last_;
  bool started_ = false;
};

}  // namespace mercurio::kernel
