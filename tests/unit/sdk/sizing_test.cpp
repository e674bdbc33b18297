#include "mercurio/sdk/sizing.hpp"

#include <gtest/gtest.h>

using namespace mercurio::sdk;

namespace {
Decimal d(const char* s) { return Decimal::from_string(s); }
}  // namespace

TEST(SizingTest, PercentOfCapitalRoundsDownToLot) {
  // 10 % of 100,000 = 10,000 at 97.31 -> 102.76... -> 102 whole shares
  EXPECT_EQ(position_size_pct(d("100000"), d("10"), d("97.31"), d("1")), d("102"));
  EXPECT_EQ(position_size_pct(d("1000"), d("50"), d("30000"), d("0.001")), d("0.016"));
  EXPECT_EQ(position_size_pct(d("0"), d("10"), d("97.31"), d("1")), d("0"));
  EXPECT_EQ(position_size_pct(d("1000"), d("10"), d("0"), d("1")), d("0"));
}

TEST(SizingTest, RiskPerTradeUsesStopDistance) {
  // 100,000 * 0.01 / |50 - 48| = 500
  EXPECT_EQ(position_size_risk(d("100000"), d("0.01"), d("50"), d("48"), d("1")), d("500"));
  EXPECT_EQ(position_size_risk(d("100000"), d("0.01"), d("50"), d("53"), d("1")), d("333"));
  EXPECT_EQ(position_size_risk(d("100000"), d("0.01"), d("50"), d("50"), d("1")), d("0"));
}

// The quotient can round up onto a lot: 998.99999999 / 3 = 332.999999996... reads 333.00000000,
// and 333 shares at 3 cost 999, more than the budget. One lot less.
TEST(SizingTest, PercentOfCapitalNeverBuysMoreThanTheBudget) {
  EXPECT_EQ(position_size_pct(d("998.99999999"), d("100"), d("3"), d("1")), d("332"));
  EXPECT_EQ(position_size_pct(d("999"), d("100"), d("3"), d("1")), d("333"));
  // 5,000,000,000 x 100 leaves the decimal range: divided by 100 first.
  EXPECT_EQ(position_size_pct(d("5000000000"), d("100"), d("1000"), d("1")), d("5000000"));
  // 1,000,000 at 0.00001 is 100,000,000,000 units: beyond the decimal range, no trade.
  EXPECT_EQ(position_size_pct(d("1000000"), d("100"), d("0.00001"), d("1")), d("0"));
}

TEST(SizingTest, RiskPerTradeRefusesWhatItCannotSize) {
  EXPECT_EQ(position_size_risk(d("100000"), d("0.01"), d("0"), d("48"), d("1")), d("0"));
  EXPECT_EQ(position_size_risk(d("100000"), d("0.01"), d("50"), d("-1"), d("1")), d("0"));
  EXPECT_EQ(position_size_risk(d("100000"), d("0.01"), d("50"), d("0"), d("1")), d("20"));
  // 1,000 at risk over 0.00000001 a share is 100,000,000,000 shares: beyond the decimal range.
  EXPECT_EQ(position_size_risk(d("100000"), d("0.01"), d("50"), d("49.99999999"), d("1")), d("0"));
}
