#include "engine/bar_check.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace mercurio::kernel {
namespace {

using sdk::Decimal;
using ::testing::HasSubstr;

sdk::Bar bar(const char* open, const char* high, const char* low, const char* close,
             const char* volume = "100") {
  sdk::Bar b;
  b.symbol = sdk::Symbol("AAA");
  b.open = Decimal::from_string(open);
  b.high = Decimal::from_string(high);
  b.low = Decimal::from_string(low);
  b.close = Decimal::from_string(close);
  b.volume = Decimal::from_string(volume);
  return b;
}

TEST(BarCheckTest, ABarWhosePricesCanBeTrueHasNoProblem) {
  EXPECT_EQ(bar_price_problem(bar("10", "11", "9", "10.5")), "");
  EXPECT_EQ(bar_price_problem(bar("10", "10", "10", "10", "0")), "");  // one print, no volume
  EXPECT_EQ(bar_price_problem(bar("0.00000001", "0.00000001", "0.00000001", "0.00000001")), "");
}

TEST(BarCheckTest, EachImpossiblePriceIsNamed) {
  EXPECT_THAT(bar_price_problem(bar("10", "11", "0", "10")), HasSubstr("a low of 0"));
  EXPECT_THAT(bar_price_problem(bar("-1", "-1", "-2", "-1")), HasSubstr("a low of -2"));
  EXPECT_THAT(bar_price_problem(bar("10", "9", "11", "10")),
              HasSubstr("a high of 9 below its low 11"));
  EXPECT_THAT(bar_price_problem(bar("12", "11", "9", "10")),
              HasSubstr("an open of 12 outside its range 9 - 11"));
  EXPECT_THAT(bar_price_problem(bar("10", "11", "9", "8")),
              HasSubstr("a close of 8 outside its range 9 - 11"));
  EXPECT_THAT(bar_price_problem(bar("10", "11", "9", "10", "-5")), HasSubstr("a volume of -5"));
}

}  // namespace
}  // namespace mercurio::kernel
