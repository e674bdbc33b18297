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
