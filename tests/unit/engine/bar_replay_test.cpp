#include "engine/bar_replay.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace mercurio::kernel {
namespace {

sdk::Bar bar(const char* symbol, std::int64_t ts, std::int64_t close_raw) {
  sdk::Bar b;
  b.symbol = sdk::Symbol(symbol);
  b.ts = sdk::Timestamp{ts};
  b.open = sdk::Decimal::from_raw(close_raw - 3);
  b.high = sdk::Decimal::from_raw(close_raw + 5);
  b.low = sdk::Decimal::from_raw(close_raw - 7);
  b.close = sdk::Decimal::from_raw(close_raw);
  b.volume = sdk::Decimal::from_raw(close_raw * 11);
  return b;
}

bool same(const sdk::Bar& a, const sdk::Bar& b) {
  return a.ts == b.ts && a.symbol == b.symbol && a.open == b.open && a.high == b.high && a.low == b.low &&
         a.close == b.close && a.volume == b.volume;
}

TEST(BarReplayTest, ReplaysEveryFieldOfEveryBarInTimeThenSeriesOrder) {
  const std::vector<sdk::Bar> a = {bar("AAA", 10, 100), bar("AAA", 20, 200), bar("AAA", 40, 400)};
  const std::vector<sdk::Bar> b = {bar("BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB", 20, 210), bar("BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB", 30, 310)};
  std::vector<BarSeries> series;
  series.emplace_back(0, std::vector<sdk::Bar>(a));
  series.emplace_back(1, std::vector<sdk::Bar>(b));
  BarReplay replay(std::move(series));
  EXPECT_EQ(replay.total_bars(), 5u);

  const std::vector<std::pair<std::size_t, sdk::Bar>> expected = {{0, a[0]}, {0, a[1]}, {1, b[0]}, {1, b[1]}, {0, a[2]}};
  for (const auto& [route_wanted, want] : expected) {
    std::size_t route = 99;
    const sdk::Bar* got = replay.next(route);
    ASSERT_NE(got, nullptr);
    EXPECT_EQ(route, route_wanted);
    EXPECT_TRUE(same(*got, want)) << got->symbol.str() << " at " << got->ts.ns;
  }
  std::size_t route = 0;
  EXPECT_EQ(replay.next(route), nullptr);
}

TEST(BarReplayTest, AnEmptySeriesIsSkipped) {
  std::vector<BarSeries> series;
  series.emplace_back(0, std::vector<sdk::Bar>{});
  series.emplace_back(2, std::vector<sdk::Bar>{bar("X", 5, 1)});
  BarReplay replay(std::move(series));
  std::size_t route = 0;
  const sdk::Bar* got = replay.next(route);
  ASSERT_NE(got, nullptr);
  EXPECT_EQ(route, 2u);
  EXPECT_TRUE(same(*got, bar("X", 5, 1)));
  EXPECT_EQ(replay.next(route), nullptr);
}

}  // namespace
}  // namespace mercurio::kernel
