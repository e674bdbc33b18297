// The matching rules on their own: one case per rule and side.
#include "fill_simulator.hpp"

#include <gtest/gtest.h>

#include "test_support.hpp"

namespace mercurio::brokers::paper {
namespace {

using sdk::Decimal;
using sdk::OrderType;
using sdk::Side;
using testing::dec;

// open 100, high 110, low 90, close 105
const sdk::Bar kBar = testing::bar("SPY", "2024-01-03", "100", "110", "90", "105");
const Decimal kNoSlip;

OrderTerms terms(Side side, OrderType type, std::optional<Decimal> limit = {},
                 std::optional<Decimal> stop = {}) {
  return OrderTerms{side, type, limit, stop, false};
}

TEST(FillSimulatorTest, MarketFillsAtOpenOnBothSides) {
  EXPECT_EQ(match_order(terms(Side::Buy, OrderType::Market), kBar, kNoSlip).fill_price, dec("100"));
  EXPECT_EQ(match_order(terms(Side::Sell, OrderType::Market), kBar, kNoSlip).fill_price,
            dec("100"));
}

TEST(FillSimulatorTest, LimitBuyFillsAtLimitWhenBarTradesDownToIt) {
  EXPECT_EQ(match_order(terms(Side::Buy, OrderType::Limit, dec("95")), kBar, kNoSlip).fill_price,
            dec("95"));
  EXPECT_EQ(match_order(terms(Side::Buy, OrderType::Limit, dec("90")), kBar, kNoSlip).fill_price,
            dec("90"));
}

TEST(FillSimulatorTest, LimitBuyFillsAtOpenWhenOpenIsBelowLimit) {
  EXPECT_EQ(match_order(terms(Side::Buy, OrderType::Limit, dec("102")), kBar, kNoSlip).fill_price,
            dec("100"));
}

TEST(FillSimulatorTest, LimitBuyDoesNotFillAboveLow) {
  EXPECT_FALSE(
      match_order(terms(Side::Buy, OrderType::Limit, dec("89.99")), kBar, kNoSlip).fill_price);
}

TEST(FillSimulatorTest, LimitSellFillsAtLimitOrBetterOpen) {
  EXPECT_EQ(match_order(terms(Side::Sell, OrderType::Limit, dec("108")), kBar, kNoSlip).fill_price,
            dec("108"));
  EXPECT_EQ(match_order(terms(Side::Sell, OrderType::Limit, dec("98")), kBar, kNoSlip).fill_price,
            dec("100"));
  EXPECT_FALSE(
      match_order(terms(Side::Sell, OrderType::Limit, dec("110.01")), kBar, kNoSlip).fill_price);
}

TEST(FillSimulatorTest, StopBuyFillsAtStopWhenTouchedIntrabar) {
  EXPECT_EQ(
      match_order(terms(Side::Buy, OrderType::Stop, {}, dec("107")), kBar, kNoSlip).fill_price,
      dec("107"));
  EXPECT_FALSE(
      match_order(terms(Side::Buy, OrderType::Stop, {}, dec("110.5")), kBar, kNoSlip).fill_price);
}

TEST(FillSimulatorTest, StopBuyFillsAtOpenWhenBarGapsThroughStop) {
  EXPECT_EQ(match_order(terms(Side::Buy, OrderType::Stop, {}, dec("97")), kBar, kNoSlip).fill_price,
            dec("100"));
}

TEST(FillSimulatorTest, StopSellFillsAtStopOrGappedOpen) {
  EXPECT_EQ(
      match_order(terms(Side::Sell, OrderType::Stop, {}, dec("93")), kBar, kNoSlip).fill_price,
      dec("93"));
  EXPECT_EQ(
      match_order(terms(Side::Sell, OrderType::Stop, {}, dec("104")), kBar, kNoSlip).fill_price,
      dec("100"));
  EXPECT_FALSE(
      match_order(terms(Side::Sell, OrderType::Stop, {}, dec("89")), kBar, kNoSlip).fill_price);
}

TEST(FillSimulatorTest, StopLimitBuyFillsAtTriggerWhenWithinLimit) {
  const auto out =
      match_order(terms(Side::Buy, OrderType::StopLimit, dec("108"), dec("106")), kBar, kNoSlip);
  EXPECT_TRUE(out.triggered_now);
  EXPECT_EQ(out.fill_price, dec("106"));
}

TEST(FillSimulatorTest, StopLimitBuyTriggeredAboveLimitFillsAtLimitWhenBarComesBack) {
  // Gap open 100 above stop 95 and limit 97: rests at 97, the bar's low 90 reaches it.
  const auto out =
      match_order(terms(Side::Buy, OrderType::StopLimit, dec("97"), dec("95")), kBar, kNoSlip);
  EXPECT_TRUE(out.triggered_now);
  EXPECT_EQ(out.fill_price, dec("97"));
}

TEST(FillSimulatorTest, StopLimitBuyTriggeredAboveLimitWithoutPullbackDoesNotFill) {
  const sdk::Bar up = testing::bar("SPY", "2024-01-03", "100", "110", "99", "108");
  const auto out =
      match_order(terms(Side::Buy, OrderType::StopLimit, dec("98"), dec("95")), up, kNoSlip);
  EXPECT_TRUE(out.triggered_now);
  EXPECT_FALSE(out.fill_price);
}

TEST(FillSimulatorTest, StopLimitNotTriggeredDoesNothing) {
  const auto out =
      match_order(terms(Side::Buy, OrderType::StopLimit, dec("112"), dec("111")), kBar, kNoSlip);
  EXPECT_FALSE(out.triggered_now);
  EXPECT_FALSE(out.fill_price);
}

TEST(FillSimulatorTest, TriggeredStopLimitFollowsTheLimitRule) {
  OrderTerms t = terms(Side::Buy, OrderType::StopLimit, dec("102"), dec("200"));
  t.stop_triggered = true;  // stop far away: only the limit rule can fill it
  const auto out = match_order(t, kBar, kNoSlip);
  EXPECT_FALSE(out.triggered_now);
  EXPECT_EQ(out.fill_price, dec("100"));  // open below the limit
}

TEST(FillSimulatorTest, StopLimitSellMirrorsBuy) {
  const auto at_trigger =
      match_order(terms(Side::Sell, OrderType::StopLimit, dec("92"), dec("94")), kBar, kNoSlip);
  EXPECT_TRUE(at_trigger.triggered_now);
  EXPECT_EQ(at_trigger.fill_price, dec("94"));
  // Gap open 100 below stop 105 and limit 103: rests at 103, the high 110 reaches it.
  const auto at_limit =
      match_order(terms(Side::Sell, OrderType::StopLimit, dec("103"), dec("105")), kBar, kNoSlip);
  EXPECT_EQ(at_limit.fill_price, dec("103"));
  const sdk::Bar down = testing::bar("SPY", "2024-01-03", "100", "101", "90", "92");
  const auto none =
      match_order(terms(Side::Sell, OrderType::StopLimit, dec("103"), dec("105")), down, kNoSlip);
  EXPECT_TRUE(none.triggered_now);
  EXPECT_FALSE(none.fill_price);
}

TEST(FillSimulatorTest, SlippageMovesMarketAndStopFillsAgainstTheOrder) {
  const Decimal bps = dec("10");  // 0.1 %
  EXPECT_EQ(match_order(terms(Side::Buy, OrderType::Market), kBar, bps).fill_price, dec("100.1"));
  EXPECT_EQ(match_order(terms(Side::Sell, OrderType::Market), kBar, bps).fill_price, dec("99.9"));
  EXPECT_EQ(match_order(terms(Side::Buy, OrderType::Stop, {}, dec("107")), kBar, bps).fill_price,
            dec("107.107"));
  EXPECT_EQ(match_order(terms(Side::Sell, OrderType::Stop, {}, dec("93")), kBar, bps).fill_price,
            dec("92.907"));
}

TEST(FillSimulatorTest, SlippageNeverAppliesToLimitFills) {
  const Decimal bps = dec("50");
  EXPECT_EQ(match_order(terms(Side::Buy, OrderType::Limit, dec("95")), kBar, bps).fill_price,
            dec("95"));
  EXPECT_EQ(match_order(terms(Side::Buy, OrderType::Limit, dec("102")), kBar, bps).fill_price,
            dec("100"));
  EXPECT_EQ(match_order(terms(Side::Sell, OrderType::Limit, dec("108")), kBar, bps).fill_price,
            dec("108"));
}

TEST(FillSimulatorTest, SlippedStopLimitFillIsCappedAtTheLimit) {
  // Trigger 106, slipped 106 × 1.005 = 106.53 > limit 106.2: fills at the limit.
  const auto buy = match_order(terms(Side::Buy, OrderType::StopLimit, dec("106.2"), dec("106")),
                               kBar, dec("50"));
  EXPECT_EQ(buy.fill_price, dec("106.2"));
  // Within the limit the slipped price stands.
  const auto loose =
      match_order(terms(Side::Buy, OrderType::StopLimit, dec("107"), dec("106")), kBar, dec("50"));
  EXPECT_EQ(loose.fill_price, dec("106.53"));
  const auto sell =
      match_order(terms(Side::Sell, OrderType::StopLimit, dec("93.9"), dec("94")), kBar, dec("50"));
  EXPECT_EQ(sell.fill_price, dec("93.9"));
}

TEST(FillSimulatorTest, ApplySlippageIsIdentityAtZeroBps) {
  EXPECT_EQ(apply_slippage(dec("123.45"), Side::Buy, kNoSlip), dec("123.45"));
  EXPECT_EQ(apply_slippage(dec("123.45"), Side::Sell, kNoSlip), dec("123.45"));
}

TEST(FillSimulatorTest, CommissionIsZeroWithoutRates) {
  EXPECT_EQ(commission_for({}, dec("100"), dec("50")), Decimal{});
}

TEST(FillSimulatorTest, CommissionPerShare) {
  EXPECT_EQ(commission_for({dec("0.01"), {}, {}}, dec("100"), dec("50")), dec("1"));
}

TEST(FillSimulatorTest, CommissionPercentOfNotional) {
  // 0.1 % of 100 × 50 = 5
  EXPECT_EQ(commission_for({{}, dec("0.1"), {}}, dec("100"), dec("50")), dec("5"));
}

TEST(FillSimulatorTest, CommissionSumsBothRates) {
  EXPECT_EQ(commission_for({dec("0.01"), dec("0.1"), {}}, dec("100"), dec("50")), dec("6"));
}

TEST(FillSimulatorTest, CommissionMinimumAppliesPerFill) {
  EXPECT_EQ(commission_for({dec("0.005"), {}, dec("1")}, dec("10"), dec("50")), dec("1"));
  EXPECT_EQ(commission_for({dec("0.005"), {}, dec("1")}, dec("1000"), dec("50")), dec("5"));
  EXPECT_EQ(commission_for({{}, {}, dec("1")}, dec("10"), dec("50")), dec("1"));
}

}  // namespace
}  // namespace mercurio::brokers::paper
