// Window starts and ages from configured durations: exact for ordinary figures, clamped (never
// wrapped) for any duration a config accepts across the whole timestamp range.

#include "clock/durations.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>

namespace mercurio::kernel {
namespace {

constexpr std::int64_t kSecond = sdk::Timestamp::kNanosPerSecond;
constexpr std::int64_t kMax = std::numeric_limits<std::int64_t>::max();
constexpr std::int64_t kMin = std::numeric_limits<std::int64_t>::min();

TEST(DurationsTest, SecondsBeforeIsExactForOrdinaryFigures) {
  EXPECT_EQ(seconds_before(sdk::Timestamp{100 * kSecond + 7}, 60).ns, 40 * kSecond + 7);
  EXPECT_EQ(seconds_before(sdk::Timestamp{5}, 0).ns, 5);
  EXPECT_EQ(seconds_before(sdk::Timestamp{0}, 10).ns, -10 * kSecond);  // before 1970 is a time too
}

TEST(DurationsTest, SecondsBeforeClampsAtTheEarliestTimestampInsteadOfWrapping) {
  // A window longer than the clock reaches back to its start: everything is inside it.
  EXPECT_EQ(seconds_before(sdk::Timestamp{0}, kMax).ns, kMin);
  EXPECT_EQ(seconds_before(sdk::Timestamp{kMax}, kMax).ns, kMin);
  EXPECT_EQ(seconds_before(sdk::Timestamp{kMin + 1}, 1).ns, kMin);
  // 10 billion seconds (317 years) overflowed 64-bit nanoseconds; from 2262 it ends in 1945.
  EXPECT_EQ(seconds_before(sdk::Timestamp{kMax}, 10'000'000'000).ns, -776'627'963'145'224'193);
}

TEST(DurationsTest, WholeSecondsBetweenAnyTwoTimestamps) {
  EXPECT_EQ(whole_seconds_between(sdk::Timestamp{0}, sdk::Timestamp{90 * kSecond + 999'999'999}),
            90);
  EXPECT_EQ(whole_seconds_between(sdk::Timestamp{90 * kSecond}, sdk::Timestamp{0}), -90);
  // The whole range: 2^64 ns, about 18.4 billion seconds, where the 64-bit difference wrapped.
  EXPECT_EQ(whole_seconds_between(sdk::Timestamp{kMin}, sdk::Timestamp{kMax}), 18'446'744'073);
  EXPECT_EQ(whole_seconds_between(sdk::Timestamp{kMax}, sdk::Timestamp{kMin}), -18'446'744'073);
}

}  // namespace
}  // namespace mercurio::kernel
