#include "mercurio/brokers/common/backoff.hpp"

#include <algorithm>

namespace mercurio::brokers::common {

Backoff::Backoff(std::chrono::milliseconds initial, std::chrono::milliseconds max, std::uint64_t seed)
    : initial_(std::max(initial, std::chrono::milliseconds(1))), max_(std::max(max, initial_)), rng_(seed) {}

std::chrono::milliseconds Backoff::next() {
  std::int64_t ceiling = initial_.count();
  for (int i = 0; i < attempt_ && ceiling < max_.count(); ++i) ceiling *= 2;
  ceiling = std::min<std::int64_t>(ceiling, max_.count());
  ++attempt_;
  std::uniform_int_distribution<std::int64_t> pick(ceiling / 2, ceiling);
  return std::chrono::milliseconds(pick(rng_));
}

}  // namespace mercurio::brokers::common
