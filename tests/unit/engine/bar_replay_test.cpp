#include "engine/bar_replay.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <random>
#include <stdexcept>
#include <string>
#include <tuple>
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

// A series of `bars` through the kernel's check (they must be one symbol in increasing time).
BarSeries compacted(std::size_t route, const std::vector<sdk::Bar>& bars) {
  const sdk::Symbol symbol = bars.empty() ? sdk::Symbol("X") : bars.front().symbol;
  auto series = BarSeries::checked(route, symbol, std::vector<sdk::Bar>(bars));
  if (!series) throw std::runtime_error(series.status().message());
  return std::move(series).value();
}

bool same(const sdk::Bar& a, const sdk::Bar& b) {
  return a.ts == b.ts && a.symbol == b.symbol && a.open == b.open && a.high == b.high && a.low == b.low &&
         a.close == b.close && a.volume == b.volume;
}

TEST(BarReplayTest, ReplaysEveryFieldOfEveryBarInTimeThenSeriesOrder) {
  const std::vector<sdk::Bar> a = {bar("AAA", 10, 100), bar("AAA", 20, 200), bar("AAA", 40, 400)};
  const std::vector<sdk::Bar> b = {bar("BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB", 20, 210), bar("BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB", 30, 310)};
  std::vector<BarSeries> series;
  series.push_back(compacted(0, a));
  series.push_back(compacted(1, b));
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

TEST(BarSeriesTest, ChecksTheHistoryWhileCompactingIt) {
  const auto check = [](std::vector<sdk::Bar> bars) {
    return BarSeries::checked(0, sdk::Symbol("AAA"), std::move(bars));
  };
  auto good = check({bar("AAA", 10, 100), bar("AAA", 11, 101), bar("AAA", 30, 102)});
  ASSERT_TRUE(good) << good.status().message();
  EXPECT_EQ(good->size(), 3u);
  EXPECT_EQ(good->ts(2).ns, 30);
  sdk::Bar out;
  good->get(1, out);
  EXPECT_TRUE(same(out, bar("AAA", 11, 101)));
  EXPECT_TRUE(check({}));  // no bars: an empty series

  const auto refused = [&](std::vector<sdk::Bar> bars, const std::string& bar_index) {
    auto r = check(std::move(bars));
    ASSERT_FALSE(r);
    EXPECT_EQ(r.status().code(), sdk::StatusCode::InvalidArgument);
    EXPECT_EQ(r.status().message(),
              "the history is not one symbol in strictly increasing time (bar " + bar_index + ")");
  };
  refused({bar("AAA", 10, 100), bar("AAA", 11, 101), bar("AAB", 12, 102)}, "2");  // another symbol
  refused({bar("BBB", 10, 100)}, "0");                       // from the first bar
  refused({bar("AAA", 10, 100), bar("AAA", 10, 101)}, "1");  // the same time again
  refused({bar("AAA", 10, 100), bar("AAA", 20, 101), bar("AAA", 15, 102)}, "2");  // back in time
  // A price no true bar has, as a live bar's (engine/bar_check): named with the bar.
  std::vector<sdk::Bar> bad = {bar("AAA", 10, 100), bar("AAA", 20, 101)};
  bad[1].low = sdk::Decimal{};
  auto r = check(std::move(bad));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.status().code(), sdk::StatusCode::InvalidArgument);
  EXPECT_EQ(r.status().message(), "bar 1 of the history, at " + sdk::Timestamp{20}.to_iso8601() +
                                      ", has a low of 0 (prices are positive)");
}

TEST(BarReplayTest, AnEmptySeriesIsSkipped) {
  std::vector<BarSeries> series;
  series.push_back(compacted(0, {}));
  series.push_back(compacted(2, {bar("X", 5, 10)}));
  BarReplay replay(std::move(series));
  std::size_t route = 0;
  const sdk::Bar* got = replay.next(route);
  ASSERT_NE(got, nullptr);
  EXPECT_EQ(route, 2u);
  EXPECT_TRUE(same(*got, bar("X", 5, 10)));
  EXPECT_EQ(replay.next(route), nullptr);
}

// Series of 2 MiB and more live in their own huge-page-advised mapping (smaller ones on the heap):
// every bar of such a series, both ends of it included, comes back intact, interleaved with a
// small series, and after the series were moved around.
TEST(BarReplayTest, ALargeSeriesInItsOwnMappingReplaysEveryBar) {
  constexpr std::int64_t kBars = 100'000;  // 4.8 MB of compact bars
  std::vector<sdk::Bar> big;
  big.reserve(kBars);
  for (std::int64_t i = 0; i < kBars; ++i) big.push_back(bar("BIG", 2 * i, 1000 + i));
  std::vector<BarSeries> series;
  series.push_back(compacted(7, big));
  series.push_back(compacted(3, {bar("SMALL", 1, 15), bar("SMALL", 2 * kBars, 16)}));
  std::vector<BarSeries> moved = std::move(series);
  BarReplay replay(std::move(moved));
  ASSERT_EQ(replay.total_bars(), static_cast<std::size_t>(kBars + 2));
  std::int64_t big_seen = 0;
  std::vector<std::int64_t> small_at;
  std::size_t route = 0;
  std::int64_t previous = INT64_MIN;
  while (const sdk::Bar* got = replay.next(route)) {
    ASSERT_GE(got->ts.ns, previous);
    previous = got->ts.ns;
    if (route == 7) {
      ASSERT_TRUE(same(*got, big[static_cast<std::size_t>(big_seen)])) << "bar " << big_seen;
      ++big_seen;
    } else {
      ASSERT_EQ(route, 3u);
      small_at.push_back(got->ts.ns);
    }
  }
  EXPECT_EQ(big_seen, kBars);
  EXPECT_EQ(small_at, (std::vector<std::int64_t>{1, 2 * kBars}));
}

// The merge against the obvious computation: every bar of every series, sorted by (time, series).
// `max_step(si)` is series si's largest gap between bars: equal gaps line series up on the same
// times, different ones put dense series among sparse ones, so a series' next bar goes in at the
// back of the merge's order, at its front and anywhere between.
static void expect_merge_like_a_sort(std::uint64_t seed, std::size_t series_count,
                                     const std::function<std::int64_t(std::size_t)>& max_step) {
  SCOPED_TRACE("seed " + std::to_string(seed) + ", " + std::to_string(series_count) + " series");
  std::mt19937_64 rng(seed);
  std::vector<std::vector<sdk::Bar>> all(series_count);
  std::vector<std::tuple<std::int64_t, std::size_t, std::int64_t>> expected;  // ts, series, close
  for (std::size_t si = 0; si < all.size(); ++si) {
    std::int64_t ts = static_cast<std::int64_t>(rng() % 5);
    const std::size_t n = rng() % 300;  // some series empty
    for (std::size_t i = 0; i < n; ++i) {
      ts += 1 + static_cast<std::int64_t>(rng() % static_cast<std::uint64_t>(max_step(si)));  // strictly increasing
      const std::int64_t close = static_cast<std::int64_t>(si * 100000 + i + 8);  // low > 0
      all[si].push_back(bar(("S" + std::to_string(si)).c_str(), ts, close));
      expected.emplace_back(ts, si, close);
    }
  }
  std::sort(expected.begin(), expected.end());
  std::vector<BarSeries> series;
  for (std::size_t si = 0; si < all.size(); ++si) series.push_back(compacted(si, all[si]));
  BarReplay replay(std::move(series));
  std::size_t route = 0;
  for (const auto& [ts, si, close] : expected) {
    const sdk::Bar* got = replay.next(route);
    ASSERT_NE(got, nullptr);
    ASSERT_EQ(got->ts.ns, ts);
    ASSERT_EQ(route, si);
    ASSERT_EQ(got->close.raw(), close);
  }
  EXPECT_EQ(replay.next(route), nullptr);
}

TEST(BarReplayTest, MergesLikeASortByTimeThenSeries) {
  // Many equal timestamps across series (gaps of 1 to 3).
  expect_merge_like_a_sort(20261126, 9, [](std::size_t) { return 3; });
  // Series on the same times (every gap 1), and a single series.
  expect_merge_like_a_sort(7, 12, [](std::size_t) { return 1; });
  expect_merge_like_a_sort(8, 1, [](std::size_t) { return 4; });
  // Dense series among sparse ones, and gaps of every size between.
  for (std::uint64_t seed = 1; seed <= 20; ++seed) {
    expect_merge_like_a_sort(seed, 2 + seed % 17, [](std::size_t si) { return si % 3 == 0 ? 1 : static_cast<std::int64_t>(1 + 37 * si); });
    expect_merge_like_a_sort(seed + 100, 2 + seed % 17, [](std::size_t si) { return static_cast<std::int64_t>(1 + si * si); });
  }
}

TEST(HugePageArrayTest, StartsZeroedAndKeepsWhatIsWrittenAcrossMoves) {
  for (std::size_t n : {std::size_t{0}, std::size_t{10}, std::size_t{(3u << 20) / 8 + 123}}) {
    HugePageArray<std::int64_t> a(n);
    ASSERT_EQ(a.size(), n);
    for (std::size_t i = 0; i < n; ++i) ASSERT_EQ(a[i], 0) << i;
    for (std::size_t i = 0; i < n; ++i) a[i] = static_cast<std::int64_t>(i * 3);
    HugePageArray<std::int64_t> b(std::move(a));
    EXPECT_EQ(a.size(), 0u);
    HugePageArray<std::int64_t> c;
    c = std::move(b);
    ASSERT_EQ(c.size(), n);
    for (std::size_t i = 0; i < n; ++i) ASSERT_EQ(c[i], static_cast<std::int64_t>(i * 3)) << i;
  }
}

}  // namespace
}  // namespace mercurio::kernel
