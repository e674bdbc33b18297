// The order-rate throttle's token bucket on its own: exact refill, and every figure a config or a
// clock can give (a burst of any positive int64, a gap across the whole timestamp range) without
// overflow. The risk gate's own tests cover it as a limit (risk_limits_test.cpp).

#include "risk/token_bucket.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>

namespace mercurio::kernel {
namespace {

constexpr std::int64_t kSecond = 1'000'000'000;
constexpr std::int64_t kMax = std::numeric_limits<std::int64_t>::max();
constexpr std::int64_t kMin = std::numeric_limits<std::int64_t>::min();

int takes(TokenBucket& bucket, sdk::Timestamp at, int tries) {
  int taken = 0;
  for (int i = 0; i < tries; ++i) taken += bucket.try_take(at) ? 1 : 0;
  return taken;
}

TEST(TokenBucketTest, StartsFullAndRefillsExactlyOneTokenPerPeriod) {
  TokenBucket bucket(60, 2);  // one token a second, two at most
  const sdk::Timestamp t0{1'000 * kSecond};
  EXPECT_EQ(takes(bucket, t0, 3), 2);
  EXPECT_FALSE(bucket.try_take(sdk::Timestamp{t0.ns + kSecond - 1}));  // a nanosecond short
  EXPECT_TRUE(bucket.try_take(sdk::Timestamp{t0.ns + kSecond}));
  EXPECT_FALSE(bucket.try_take(sdk::Timestamp{t0.ns + kSecond}));
  // A long pause refills to the burst, not beyond it.
  EXPECT_EQ(takes(bucket, sdk::Timestamp{t0.ns + 3'600 * kSecond}, 5), 2);
}

// The refill is compared with the room left before it is added: one nanosecond short of a whole
// token is still short, where the token's worth of time is not a whole number of nanoseconds.
TEST(TokenBucketTest, ATokenComesBackExactlyWhenItsTimeIsUp) {
  TokenBucket bucket(7, 1);  // a token every 60/7 s: 8,571,428,571.43 ns
  const sdk::Timestamp t0{kSecond};
  ASSERT_TRUE(bucket.try_take(t0));
  EXPECT_FALSE(bucket.try_take(sdk::Timestamp{t0.ns + 8'571'428'571}));
  EXPECT_TRUE(bucket.try_take(sdk::Timestamp{t0.ns + 8'571'428'572}));
}

TEST(TokenBucketTest, AClockThatGoesBackAddsNothing) {
  TokenBucket bucket(60, 1);
  const sdk::Timestamp t0{10 * kSecond};
  EXPECT_TRUE(bucket.try_take(t0));
  EXPECT_FALSE(bucket.try_take(sdk::Timestamp{t0.ns - 5 * kSecond}));
  EXPECT_FALSE(bucket.try_take(sdk::Timestamp{t0.ns + kSecond - 1}));  // still timed from t0
  EXPECT_TRUE(bucket.try_take(sdk::Timestamp{t0.ns + kSecond}));
}

// "No limit" in a config is a huge figure (the benchmarks use 1,000,000,000): a burst above about
// 150 million tokens overflowed the 64-bit scaled count, and the largest made it negative.
TEST(TokenBucketTest, AnyPositiveBurstAndRateIsExact) {
  for (const std::int64_t huge : {std::int64_t{1'000'000'000}, kMax}) {
    TokenBucket bucket(huge, huge);
    EXPECT_EQ(takes(bucket, sdk::Timestamp{0}, 1'000), 1'000) << huge;
  }
  TokenBucket small_burst(kMax, 3);  // the fastest refill, capped at three
  EXPECT_EQ(takes(small_burst, sdk::Timestamp{0}, 5), 3);
  EXPECT_EQ(takes(small_burst, sdk::Timestamp{1}, 5), 3);
}

// From the first timestamp after the earliest (the earliest is the simulated clock's "no time yet")
// to the last.
TEST(TokenBucketTest, AGapAcrossTheWholeClockRefillsToTheBurstOnly) {
  for (const std::int64_t rate : {std::int64_t{1}, kMax}) {
    TokenBucket bucket(rate, 3);
    EXPECT_EQ(takes(bucket, sdk::Timestamp{kMin + 1}, 5), 3) << rate;
    EXPECT_EQ(takes(bucket, sdk::Timestamp{kMax}, 5), 3) << rate;
  }
  TokenBucket unlimited(kMax, kMax);
  EXPECT_EQ(takes(unlimited, sdk::Timestamp{kMin + 1}, 10), 10);
  EXPECT_EQ(takes(unlimited, sdk::Timestamp{kMax}, 10), 10);
}

}  // namespace
}  // namespace mercurio::kernel
