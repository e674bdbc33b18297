#include "mercurio/brokers/common/backoff.hpp"

#include <gtest/gtest.h>

#include <set>

namespace mercurio::brokers::common {
namespace {

using std::chrono::milliseconds;

TEST(BrokerBackoffTest, DelaysDoubleWithinJitterBoundsAndCapAtMax) {
  Backoff b(milliseconds(100), milliseconds(1'000), 42);
  const std::int64_t ceilings[] = {100, 200, 400, 800, 1'000, 1'000, 1'000};
  for (std::int64_t ceiling : ceilings) {
    const auto d = b.next().count();
    EXPECT_GE(d, ceiling / 2);
    EXPECT_LE(d, ceiling);
  }
  EXPECT_EQ(b.attempts(), 7);
}

TEST(BrokerBackoffTest, ResetStartsOverFromTheInitialDelay) {
  Backoff b(milliseconds(100), milliseconds(10'000), 7);
  for (int i = 0; i < 6; ++i) (void)b.next();
  b.reset();
  EXPECT_LE(b.next().count(), 100);
}

TEST(BrokerBackoffTest, JitterSpreadsClientsApart) {
  std::set<std::int64_t> delays;
  for (std::uint64_t seed = 1; seed <= 20; ++seed) {
    Backoff b(milliseconds(1'000), milliseconds(60'000), seed);
    (void)b.next();
    delays.insert(b.next().count());
  }
  EXPECT_GT(delays.size(), 10u);  // not in lockstep
}

}  // namespace
}  // namespace mercurio::brokers::common
