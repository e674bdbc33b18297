#include "notify/alert_throttle.hpp"

#include <gtest/gtest.h>

using namespace mercurio::kernel;
using namespace std::chrono_literals;

TEST(AlertThrottleTest, AllowsAtMostNPerWindowAndCountsTheRest) {
  AlertThrottle t(3, 60s);
  const auto t0 = std::chrono::steady_clock::time_point{} + 1000s;
  EXPECT_TRUE(t.allow(t0));
  EXPECT_TRUE(t.allow(t0 + 1s));
  EXPECT_TRUE(t.allow(t0 + 2s));
  EXPECT_FALSE(t.allow(t0 + 3s));
  EXPECT_FALSE(t.allow(t0 + 59s));
  EXPECT_EQ(t.take_suppressed(), 2u);
  EXPECT_EQ(t.take_suppressed(), 0u);
  EXPECT_TRUE(t.allow(t0 + 60s));  // the first one left the window
  EXPECT_FALSE(t.allow(t0 + 60s));
}
