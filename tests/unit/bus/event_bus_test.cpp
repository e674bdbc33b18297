#include "bus/event_bus.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

using namespace mercurio::kernel;

namespace {
struct Ping {
  static constexpr std::string_view kTypeName = "test.Ping";
  int n;
};
struct Pong {
  static constexpr std::string_view kTypeName = "test.Pong";
  int n;
};
}  // namespace

TEST(EventBusTest, SubscribersRunByPriorityThenSubscriptionOrder) {
  EventBus bus;
  std::vector<std::string> seen;
  bus.subscribe<Ping>(100, [&](const Ping&) { seen.push_back("strategy-a"); });
  bus.subscribe<Ping>(0, [&](const Ping&) { seen.push_back("tracker"); });
  bus.subscribe<Ping>(100, [&](const Ping&) { seen.push_back("strategy-b"); });
  bus.subscribe<Ping>(10, [&](const Ping&) { seen.push_back("portfolio"); });
  bus.publish(Ping{1});
  EXPECT_EQ(seen, (std::vector<std::string>{"tracker", "portfolio", "strategy-a", "strategy-b"}));
}

TEST(EventBusTest, EventTypesAreSeparate) {
  EventBus bus;
  int pings = 0, pongs = 0;
  bus.subscribe<Ping>(0, [&](const Ping& p) { pings += p.n; });
  bus.subscribe<Pong>(0, [&](const Pong& p) { pongs += p.n; });
  bus.publish(Ping{2});
  bus.publish(Pong{5});
  EXPECT_EQ(pings, 2);
  EXPECT_EQ(pongs, 5);
  EXPECT_EQ(bus.subscriber_count<Ping>(), 1u);
}

TEST(EventBusTest, PublishInsideAHandlerIsQueuedUntilTheOuterDispatchCompletes) {
  EventBus bus;
  std::vector<std::string> seen;
  bus.subscribe<Ping>(0, [&](const Ping& p) {
    seen.push_back("ping-first " + std::to_string(p.n));
    if (p.n == 1) bus.publish(Pong{1});  // raised inside a handler
  });
  bus.subscribe<Ping>(1, [&](const Ping& p) { seen.push_back("ping-second " + std::to_string(p.n)); });
  bus.subscribe<Pong>(0, [&](const Pong& p) {
    seen.push_back("pong " + std::to_string(p.n));
    if (p.n == 1) bus.publish(Ping{2});
  });
  bus.publish(Ping{1});
  // Every subscriber of Ping{1} runs before Pong{1}; Pong{1}'s nested Ping{2} runs after it.
  EXPECT_EQ(seen, (std::vector<std::string>{"ping-first 1", "ping-second 1", "pong 1", "ping-first 2", "ping-second 2"}));
}

TEST(EventBusTest, QueuedEventsAreCopiesSoTheirSourceMayChange) {
  EventBus bus;
  std::vector<int> seen;
  bus.subscribe<Ping>(0, [&](const Ping& p) {
    if (p.n == 0) {
      Pong local{7};
      bus.publish(local);
      local.n = 99;  // must not affect the queued event
    }
  });
  bus.subscribe<Pong>(0, [&](const Pong& p) { seen.push_back(p.n); });
  bus.publish(Ping{0});
  EXPECT_EQ(seen, std::vector<int>{7});
}

TEST(EventBusTest, PublishWithoutSubscribersIsHarmless) {
  EventBus bus;
  bus.publish(Pong{1});
  EXPECT_EQ(bus.subscriber_count<Pong>(), 0u);
}
