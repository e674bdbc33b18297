#pragma once
/// @file backoff.hpp
/// Exponential backoff with jitter for reconnects, so many clients (or one client's many
/// failures) do not retry in lockstep.

#include <chrono>
#include <cstdint>
#include <random>

namespace mercurio::brokers::common {

class Backoff {
 public:
  /// Delays grow initial, 2x, 4x ... up to `max`; each is drawn uniformly from [d/2, d].
  Backoff(std::chrono::milliseconds initial, std::chrono::milliseconds max, std::uint64_t seed);
  /// The delay before the next attempt; advances the attempt counter.
  std::chrono::milliseconds next();
  /// After a success: the next failure starts from `initial` again.
  void reset() noexcept { attempt_ = 0; }
  int attempts() const noexcept { return attempt_; }

 private:
  std::chrono::milliseconds initial_;
  std::chrono::milliseconds max_;
  int attempt_ = 0;
  std::mt19937_64 rng_;
};

}  // namespace mercurio::brokers::common
