#include "engine/run_statistics.hpp"

#include <gtest/gtest.h>

namespace mercurio::kernel {
namespace {

using sdk::Decimal;

std::vector<Decimal> closes(std::initializer_list<const char*> texts) {
  std::vector<Decimal> out;
  for (const char* t : texts) out.push_back(Decimal::from_string(t));
  return out;
}

// Returns +10 %, -10 %, +10 %: mean 1/30, sample stdev sqrt(1/75) = 0.11547, so
// 0.033333 / 0.11547 x sqrt(252) = 4.5826 (worked by hand). The first day's return is the one
// from the starting equity: without it, -10 % and +10 % alone give a mean of 0.
TEST(RunStatisticsTest, SharpeCountsTheFirstDaysReturnFromTheStartingEquity) {
  const auto sharpe = annualized_sharpe(Decimal::from_int(100), closes({"110", "99", "108.9"}));
  ASSERT_TRUE(sharpe.has_value());
  EXPECT_NEAR(*sharpe, 4.5826, 1e-4);
}

TEST(RunStatisticsTest, SharpeNeedsTwoReturnsAVarianceAndPositiveEquity) {
  EXPECT_FALSE(annualized_sharpe(Decimal::from_int(100), closes({"110"})).has_value());
  EXPECT_FALSE(annualized_sharpe(Decimal::from_int(100), closes({"100", "100"})).has_value());
  EXPECT_FALSE(annualized_sharpe(Decimal{}, closes({"110", "99"})).has_value());
  EXPECT_FALSE(annualized_sharpe(Decimal::from_int(100), closes({"0", "10", "20"})).has_value());
}

}  // namespace
}  // namespace mercurio::kernel
