#include "mercurio/brokers/common/rate_budget.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

namespace mercurio::brokers::common {
namespace {

using namespace std::chrono_literals;

// A manual clock: time moves only when the test says so.
struct ManualClock {
  RateBudget::Clock::time_point now = RateBudget::Clock::time_point(1h);
  std::function<RateBudget::Clock::time_point()> fn() {
    return [this] { return now; };
  }
};

TEST(BrokerRateBudgetTest, LowPriorityLeavesItsReserveForOrdersAndCancels) {
  ManualClock clock;
  RateBudget b({60, 5, 20}, clock.fn());
  int low = 0;
  while (b.try_acquire(Priority::Low)) ++low;
  EXPECT_EQ(low, 40);  // 60 - 20 reserved
  int normal = 0;
  while (b.try_acquire(Priority::Normal)) ++normal;
  EXPECT_EQ(normal, 15);  // 20 - 5 reserved
  int critical = 0;
  while (b.try_acquire(Priority::Critical)) ++critical;
  EXPECT_EQ(critical, 5);
}

TEST(BrokerRateBudgetTest, TokensRefillAtTheConfiguredRate) {
  ManualClock clock;
  RateBudget b({60, 0, 0}, clock.fn());
  while (b.try_acquire(Priority::Normal)) {
  }
  EXPECT_FALSE(b.try_acquire(Priority::Critical));
  clock.now += 1s;  // 60 per minute: one per second
  EXPECT_TRUE(b.try_acquire(Priority::Critical));
  EXPECT_FALSE(b.try_acquire(Priority::Critical));
  clock.now += 10min;  // never above the bucket size
  int n = 0;
  while (b.try_acquire(Priority::Critical)) ++n;
  EXPECT_EQ(n, 60);
}

TEST(BrokerRateBudgetTest, A429PauseStopsEveryPriorityUntilItEnds) {
  ManualClock clock;
  RateBudget b({100, 10, 40}, clock.fn());
  b.pause_until(clock.now + 5s);
  EXPECT_FALSE(b.try_acquire(Priority::Critical));
  EXPECT_FALSE(b.try_acquire(Priority::Low));
  clock.now += 5s;
  EXPECT_TRUE(b.try_acquire(Priority::Low));
}

TEST(BrokerRateBudgetTest, ServerRemainingCountLowersOurs) {
  ManualClock clock;
  RateBudget b({100, 0, 0}, clock.fn());
  b.observe_remaining(3);
  EXPECT_TRUE(b.try_acquire(Priority::Normal));
  EXPECT_TRUE(b.try_acquire(Priority::Normal));
  EXPECT_TRUE(b.try_acquire(Priority::Normal));
  EXPECT_FALSE(b.try_acquire(Priority::Normal));
}

TEST(BrokerRateBudgetTest, AcquireTimesOutWhenNothingRefills) {
  ManualClock clock;  // frozen: no refill
  RateBudget b({10, 0, 0}, clock.fn());
  while (b.try_acquire(Priority::Critical)) {
  }
  EXPECT_FALSE(b.acquire(Priority::Critical, 100ms));
}

TEST(BrokerRateBudgetTest, WaitingCancelGoesBeforeWaitingDataRequest) {
  ManualClock clock;
  std::mutex m;
  auto now = clock.now;
  RateBudget b({60, 0, 0}, [&] {
    std::lock_guard lock(m);
    return now;
  });
  while (b.try_acquire(Priority::Critical)) {
  }
  std::atomic<int> order{0}, low_pos{0}, critical_pos{0};
  std::thread low([&] {
    if (b.acquire(Priority::Low, 30s)) low_pos = ++order;
  });
  std::thread critical([&] {
    if (b.acquire(Priority::Critical, 30s)) critical_pos = ++order;
  });
  // Let both start waiting (the low one may already wait: fine either way), then add one token.
  std::this_thread::sleep_for(200ms);
  {
    std::lock_guard lock(m);
    now += 1s;
  }
  // Only one token: the critical request must get it; then another for the low one.
  while (critical_pos == 0 && low_pos == 0) std::this_thread::sleep_for(5ms);
  EXPECT_EQ(critical_pos.load(), 1);
  EXPECT_EQ(low_pos.load(), 0);
  {
    std::lock_guard lock(m);
    now += 1s;
  }
  critical.join();
  low.join();
  EXPECT_EQ(low_pos.load(), 2);
}

}  // namespace
}  // namespace mercurio::brokers::common
