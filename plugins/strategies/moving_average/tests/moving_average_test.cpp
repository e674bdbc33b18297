#include "moving_average.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <stdexcept>
#include <utility>
#include <vector>

using mercurio::sdk::Decimal;
using namespace mercurio::strategies::moving_average;

namespace {
Decimal d(const char* text) { return Decimal::from_string(text); }
}  // namespace

TEST(SimpleAveragePairTest, KeepsOnlyTheLastWindowValuesOfEachAverage) {
  SimpleAveragePair pair(2, 3);
  EXPECT_EQ(pair.update(d("1")), std::nullopt);
  EXPECT_EQ(pair.update(d("2")), std::nullopt);
  EXPECT_EQ(pair.short_raw_sum(), static_cast<__int128>(d("3").raw()));
  EXPECT_EQ(pair.update(d("3")), Relation::Above);  // 2.5 > 2
  EXPECT_EQ(pair.short_raw_sum(), static_cast<__int128>(d("5").raw()));
  EXPECT_EQ(pair.long_raw_sum(), static_cast<__int128>(d("6").raw()));
  EXPECT_EQ(pair.update(d("4")), Relation::Above);  // drops the 2 and the 1
  EXPECT_EQ(pair.short_raw_sum(), static_cast<__int128>(d("7").raw()));
  EXPECT_EQ(pair.long_raw_sum(), static_cast<__int128>(d("9").raw()));
  EXPECT_DOUBLE_EQ(pair.short_value(), 3.5);
  EXPECT_DOUBLE_EQ(pair.long_value(), 3.0);
}

TEST(SimpleAveragePairTest, ZeroOrOutOfOrderWindowsAreRejected) {
  EXPECT_THROW(SimpleAveragePair(0, 2), std::invalid_argument);
  EXPECT_THROW(SimpleAveragePair(3, 3), std::invalid_argument);
  EXPECT_THROW(SimpleAveragePair(4, 3), std::invalid_argument);
  EXPECT_THROW(ExponentialMovingAverage(0), std::invalid_argument);
}

// The shared ring against the obvious computation: both averages summed from scratch over the
// closes seen, for window pairs where the short window is 1, half, or one less than the long one,
// over several laps of the ring.
TEST(SimpleAveragePairTest, MatchesAveragesSummedFromScratch) {
  std::vector<Decimal> closes;
  std::uint64_t x = 88172645463325252ULL;  // xorshift: a fixed, varied series
  for (int i = 0; i < 500; ++i) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    closes.push_back(
        Decimal::from_raw(static_cast<std::int64_t>(x % 20'000'000'000ULL) - 5'000'000'000LL));
  }
  const auto sum = [&](std::size_t end, std::size_t window) {
    __int128 s = 0;
    for (std::size_t k = end - window; k < end; ++k) s += closes[k].raw();
    return s;
  };
  for (const auto& [short_window, long_window] :
       {std::pair<std::size_t, std::size_t>{1, 2}, {1, 7}, {5, 10}, {9, 10}, {10, 30}, {3, 64}}) {
    SimpleAveragePair pair(short_window, long_window);
    for (std::size_t n = 1; n <= closes.size(); ++n) {
      const std::optional<Relation> got = pair.update(closes[n - 1]);
      // While the ring fills, each sum is of the values seen, up to its window.
      ASSERT_EQ(pair.short_raw_sum(), sum(n, std::min(n, short_window)))
          << short_window << "/" << long_window << " at " << n;
      ASSERT_EQ(pair.long_raw_sum(), sum(n, std::min(n, long_window)))
          << short_window << "/" << long_window << " at " << n;
      if (n < long_window) {
        ASSERT_EQ(got, std::nullopt) << short_window << "/" << long_window << " at " << n;
        continue;
      }
      const __int128 lhs = sum(n, short_window) * static_cast<__int128>(long_window);
      const __int128 rhs = sum(n, long_window) * static_cast<__int128>(short_window);
      const Relation expected = lhs > rhs   ? Relation::Above
                                : lhs < rhs ? Relation::Below
                                            : Relation::Equal;
      ASSERT_EQ(got, expected) << short_window << "/" << long_window << " at " << n;
    }
  }
}

TEST(SimpleAveragePairTest, FindsAnExactTieThatDoubleArithmeticMisses) {
  // short = SMA(1) = 0.05, long = SMA(3) of 0.01, 0.09, 0.05 = 0.15 / 3 = 0.05 exactly.
  // Summing doubles, or even dividing an exact sum in double, gives 0.049999999999999996.
  const double naive_long = (0.01 + 0.09 + 0.05) / 3.0;
  const double exact_sum_double_divide = 15'000'000.0 / 1e8 / 3.0;
  ASSERT_NE(naive_long, 0.05) << "the case must be one doubles get wrong";
  ASSERT_NE(exact_sum_double_divide, 0.05) << "the case must be one doubles get wrong";

  auto pair = make_average_pair(AverageKind::Simple, 1, 3);
  EXPECT_EQ(pair->update(d("0.01")), std::nullopt);
  EXPECT_EQ(pair->update(d("0.09")), std::nullopt);
  EXPECT_EQ(pair->update(d("0.05")), Relation::Equal);
}

TEST(SimpleAveragePairTest, SeesAOneUnitDifferenceThatDoublesCollapse) {
  const Decimal high = d("900000000.00000001");  // mantissa 9e16 + 1: beyond 2^53
  const Decimal low = d("900000000");
  ASSERT_EQ(high.to_double(), low.to_double()) << "the case must be one doubles get wrong";

  // short = high; long = (low + high) / 2 = low + 0.000000005: short is above by half a unit.
  SimpleAveragePair up(1, 2);
  EXPECT_EQ(up.update(low), std::nullopt);
  EXPECT_EQ(up.update(high), Relation::Above);
  // short = low; long = low + 0.000000005: below by half a unit.
  SimpleAveragePair down(1, 2);
  EXPECT_EQ(down.update(high), std::nullopt);
  EXPECT_EQ(down.update(low), Relation::Below);
}

TEST(SimpleAveragePairTest, HandlesNegativePricesExactly) {
  SimpleAveragePair pair(2, 4);
  std::optional<Relation> last;
  for (const char* v : {"-37.63", "-1", "-2", "-36.63"})
    last = pair.update(d(v));  // oil futures went negative once
  // short = -38.63 / 2 = -19.315; long = -77.26 / 4 = -19.315
  EXPECT_EQ(last, Relation::Equal);
}

TEST(ExponentialMovingAverageTest, SeedsWithTheSimpleAverageThenSmooths) {
  ExponentialMovingAverage ema(3);  // alpha = 2 / 4 = 0.5
  EXPECT_DOUBLE_EQ(ema.alpha(), 0.5);
  ema.add(d("1"));
  ema.add(d("2"));
  EXPECT_FALSE(ema.ready());
  ema.add(d("3"));
  ASSERT_TRUE(ema.ready());
  EXPECT_DOUBLE_EQ(ema.value(), 2.0);  // (1 + 2 + 3) / 3
  ema.add(d("4"));
  EXPECT_DOUBLE_EQ(ema.value(), 3.0);  // 0.5 * 4 + 0.5 * 2
  ema.add(d("10"));
  EXPECT_DOUBLE_EQ(ema.value(), 6.5);  // 0.5 * 10 + 0.5 * 3
}

TEST(ExponentialMovingAverageTest, MatchesHandComputedValuesForWindowFour) {
  ExponentialMovingAverage ema(4);  // alpha = 2 / 5 = 0.4
  for (const char* v : {"1", "2", "3", "4"}) ema.add(d(v));
  EXPECT_NEAR(ema.value(), 2.5, 1e-12);  // seed
  ema.add(d("5"));
  EXPECT_NEAR(ema.value(), 3.5, 1e-12);  // 0.4 * 5 + 0.6 * 2.5
  ema.add(d("0"));
  EXPECT_NEAR(ema.value(), 2.1, 1e-12);  // 0.4 * 0 + 0.6 * 3.5
  ema.add(d("10.25"));
  EXPECT_NEAR(ema.value(), 5.36, 1e-12);  // 0.4 * 10.25 + 0.6 * 2.1
}

TEST(AveragePairTest, EmaPairIsUndefinedUntilTheLongWindowIsFull) {
  // short EMA(2), alpha 2/3: seed 1.5 after 1, 2; then 2.5 after 3; then 3.5 after 4.
  // long EMA(4): seed 2.5 after 1..4.
  auto pair = make_average_pair(AverageKind::Exponential, 2, 4);
  EXPECT_EQ(pair->update(d("1")), std::nullopt);
  EXPECT_EQ(pair->update(d("2")), std::nullopt);
  EXPECT_EQ(pair->update(d("3")), std::nullopt);
  EXPECT_EQ(pair->update(d("4")), Relation::Above);
  EXPECT_NEAR(pair->short_value(), 3.5, 1e-12);
  EXPECT_NEAR(pair->long_value(), 2.5, 1e-12);
  // 0: short = 2/3 * 0 + 1/3 * 3.5 = 1.1667; long = 0.4 * 0 + 0.6 * 2.5 = 1.5
  EXPECT_EQ(pair->update(d("0")), Relation::Below);
  EXPECT_NEAR(pair->short_value(), 3.5 / 3.0, 1e-12);
  EXPECT_NEAR(pair->long_value(), 1.5, 1e-12);
}

TEST(AveragePairTest, SmaPairIsUndefinedUntilTheLongWindowIsFull) {
  auto pair = make_average_pair(AverageKind::Simple, 2, 3);
  EXPECT_EQ(pair->update(d("10")), std::nullopt);
  EXPECT_EQ(pair->update(d("11")), std::nullopt);     // the short average alone is not enough
  EXPECT_EQ(pair->update(d("12")), Relation::Above);  // 11.5 > 11
  EXPECT_EQ(pair->update(d("9")), Relation::Below);   // 10.5 < 10.666...
}

TEST(AveragePairTest, RejectsWindowsThatAreNotShortBelowLong) {
  EXPECT_THROW(make_average_pair(AverageKind::Simple, 3, 3), std::invalid_argument);
  EXPECT_THROW(make_average_pair(AverageKind::Exponential, 5, 2), std::invalid_argument);
  EXPECT_THROW(make_average_pair(AverageKind::Simple, 0, 2), std::invalid_argument);
}
