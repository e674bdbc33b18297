#include "moving_average.hpp"

#include <gtest/gtest.h>

#include <stdexcept>

using mercurio::sdk::Decimal;
using namespace mercurio::strategies::moving_average;

namespace {
Decimal d(const char* text) { return Decimal::from_string(text); }
}  // namespace

TEST(SimpleMovingAverageTest, KeepsOnlyTheLastWindowValues) {
  SimpleMovingAverage sma(3);
  sma.add(d("1"));
  sma.add(d("2"));
  EXPECT_FALSE(sma.ready());
  sma.add(d("3"));
  EXPECT_TRUE(sma.ready());
  EXPECT_EQ(sma.raw_sum(), static_cast<__int128>(d("6").raw()));
  sma.add(d("4"));  // drops the 1
  EXPECT_EQ(sma.raw_sum(), static_cast<__int128>(d("9").raw()));
  EXPECT_DOUBLE_EQ(sma.value(), 3.0);
}

TEST(SimpleMovingAverageTest, ZeroWindowIsRejected) {
  EXPECT_THROW(SimpleMovingAverage(0), std::invalid_argument);
  EXPECT_THROW(ExponentialMovingAverage(0), std::invalid_argument);
}

TEST(SimpleMovingAverageTest, CompareFindsAnExactTieThatDoubleArithmeticMisses) {
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

TEST(SimpleMovingAverageTest, CompareSeesAOneUnitDifferenceThatDoublesCollapse) {
  const Decimal high = d("900000000.00000001");  // mantissa 9e16 + 1: beyond 2^53
  const Decimal low = d("900000000");
  ASSERT_EQ(high.to_double(), low.to_double()) << "the case must be one doubles get wrong";

  SimpleMovingAverage short_sma(1);
  SimpleMovingAverage long_sma(2);
  for (Decimal v : {low, high}) {
    short_sma.add(v);
    long_sma.add(v);
  }
  // short = high; long = (low + high) / 2 = low + 0.000000005: short is above by half a unit.
  EXPECT_EQ(compare(short_sma, long_sma), Relation::Above);
  EXPECT_EQ(compare(long_sma, short_sma), Relation::Below);
  EXPECT_EQ(compare(short_sma, short_sma), Relation::Equal);
}

TEST(SimpleMovingAverageTest, CompareHandlesNegativePricesExactly) {
  SimpleMovingAverage short_sma(2);
  SimpleMovingAverage long_sma(4);
  for (const char* v : {"-37.63", "-1", "-2", "-36.63"}) {  // oil futures went negative once
    short_sma.add(d(v));
    long_sma.add(d(v));
  }
  // short = -38.63 / 2 = -19.315; long = -77.26 / 4 = -19.315
  EXPECT_EQ(compare(short_sma, long_sma), Relation::Equal);
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
