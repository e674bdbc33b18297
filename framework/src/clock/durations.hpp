#pragma once
// Time arithmetic with configured durations. A limit in seconds may be any integer the config
// accepts (a huge one meaning "no limit"), and timestamps span 1678-2262, so 64-bit nanosecond
// products and differences can overflow: these form them in 128 bits and clamp.

#include <cstdint>
#include <limits>

#include "mercurio/sdk/time.hpp"

namespace mercurio::kernel {

/// `end` minus `seconds` (>= 0), clamped to the earliest timestamp there is: the start of a
/// window of `seconds` that ends at `end`.
inline sdk::Timestamp seconds_before(sdk::Timestamp end, std::int64_t seconds) noexcept {
  const __int128 start = static_cast<__int128>(end.ns) -
                         static_cast<__int128>(seconds) * sdk::Timestamp::kNanosPerSecond;
  constexpr std::int64_t kEarliest = std::numeric_limits<std::int64_t>::min();
  return sdk::Timestamp{start < kEarliest ? kEarliest : static_cast<std::int64_t>(start)};
}

/// Whole seconds from `from` to `to`, negative when `to` is earlier (any two timestamps: the
/// result is under 2^35 in size).
inline std::int64_t whole_seconds_between(sdk::Timestamp from, sdk::Timestamp to) noexcept {
  return static_cast<std::int64_t>((static_cast<__int128>(to.ns) - from.ns) /
                                   sdk::Timestamp::kNanosPerSecond);
}

}  // namespace mercurio::kernel
