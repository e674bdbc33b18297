// The venue ledger: cash, average price and realized P&L through add, reduce, close and flip.
#include "paper_account.hpp"

#include <gtest/gtest.h>

#include "test_support.hpp"

namespace mercurio::brokers::paper {
namespace {

using sdk::Decimal;
using sdk::Side;
using testing::dec;

TEST(PaperAccountTest, BuyMovesCashIntoAPositionAndChargesCommission) {
  PaperAccount acct(dec("10000"));
  acct.mark("SPY", dec("100"));
  acct.apply_fill("SPY", Side::Buy, dec("10"), dec("100"), dec("1.5"));
  EXPECT_EQ(acct.cash(), dec("8998.5"));
  const auto pos = acct.position("SPY");
  ASSERT_TRUE(pos);
  EXPECT_EQ(pos->quantity, dec("10"));
  EXPECT_EQ(pos->average_price, dec("100"));
  EXPECT_EQ(pos->commissions, dec("1.5"));
  EXPECT_EQ(acct.equity(), dec("9998.5"));
}

// Short positions are known without a walk (every buy check without margin asks): through an
// open, a flip to long and back, a close, and a restore from saved records.
TEST(PaperAccountTest, ShortPositionsAreCountedThroughFlipsClosesAndRestores) {
  PaperAccount acct(dec("10000"));
  EXPECT_FALSE(acct.holds_shorts());
  acct.apply_fill("SPY", Side::Sell, dec("10"), dec("100"), {});
  acct.mark("SPY", dec("101"));
  acct.apply_fill("QQQ", Side::Sell, dec("2"), dec("50"), {});  // no mark: its average price
  ASSERT_TRUE(acct.holds_shorts());
  ASSERT_EQ(acct.shorts().size(), 2u);
  EXPECT_EQ(acct.short_position_value(), dec("1110"));           // 10 x 101 + 2 x 50
  acct.apply_fill("SPY", Side::Buy, dec("15"), dec("100"), {});  // flip: long 5
  EXPECT_EQ(acct.shorts().size(), 1u);
  acct.apply_fill("QQQ", Side::Buy, dec("2"), dec("50"), {});  // closed
  EXPECT_FALSE(acct.holds_shorts());
  EXPECT_EQ(acct.short_position_value(), Decimal{});
  acct.apply_fill("SPY", Side::Sell, dec("8"), dec("100"), {});  // flip: short 3
  EXPECT_TRUE(acct.holds_shorts());
  const PaperAccount restored =
      PaperAccount::restored(acct.cash(), acct.position_records(), acct.marks());
  EXPECT_TRUE(restored.holds_shorts());
  EXPECT_EQ(restored.short_position_value(), dec("303"));  // 3 x 101
}

TEST(PaperAccountTest, AddingAveragesTheEntryPrice) {
  PaperAccount acct(dec("10000"));
  acct.apply_fill("SPY", Side::Buy, dec("10"), dec("100"), {});
  acct.apply_fill("SPY", Side::Buy, dec("30"), dec("104"), {});
  EXPECT_EQ(acct.position("SPY")->average_price, dec("103"));
  EXPECT_EQ(acct.position_quantity("SPY"), dec("40"));
}

TEST(PaperAccountTest, ReducingRealizesPnlAndKeepsAveragePrice) {
  PaperAccount acct(dec("10000"));
  acct.apply_fill("SPY", Side::Buy, dec("10"), dec("100"), {});
  acct.apply_fill("SPY", Side::Sell, dec("4"), dec("110"), {});
  const auto pos = acct.position("SPY");
  EXPECT_EQ(pos->quantity, dec("6"));
  EXPECT_EQ(pos->average_price, dec("100"));
  EXPECT_EQ(pos->realized_pnl, dec("40"));
  EXPECT_EQ(acct.cash(), dec("9440"));
}

TEST(PaperAccountTest, ClosingLeavesAFlatRecordWithItsRealizedPnl) {
  PaperAccount acct(dec("10000"));
  acct.apply_fill("SPY", Side::Buy, dec("10"), dec("100"), {});
  acct.apply_fill("SPY", Side::Sell, dec("10"), dec("95"), {});
  EXPECT_TRUE(acct.open_positions().empty());
  EXPECT_EQ(acct.position("SPY")->realized_pnl, dec("-50"));
  EXPECT_EQ(acct.position("SPY")->average_price, Decimal{});
  EXPECT_EQ(acct.cash(), dec("9950"));
}

TEST(PaperAccountTest, FlipFromLongToShortRealizesTheLongAndOpensAtFillPrice) {
  PaperAccount acct(dec("10000"));
  acct.apply_fill("SPY", Side::Buy, dec("10"), dec("100"), {});
  acct.apply_fill("SPY", Side::Sell, dec("15"), dec("110"), {});
  auto pos = acct.position("SPY");
  EXPECT_EQ(pos->quantity, dec("-5"));
  EXPECT_EQ(pos->average_price, dec("110"));
  EXPECT_EQ(pos->realized_pnl, dec("100"));
  EXPECT_EQ(acct.cash(), dec("10650"));  // 10000 - 1000 + 1650
  // Covering the short at 105 realizes (110 - 105) × 5.
  acct.apply_fill("SPY", Side::Buy, dec("5"), dec("105"), {});
  pos = acct.position("SPY");
  EXPECT_TRUE(pos->is_flat());
  EXPECT_EQ(pos->realized_pnl, dec("125"));
}

TEST(PaperAccountTest, FlipFromShortToLong) {
  PaperAccount acct(dec("10000"));
  acct.apply_fill("SPY", Side::Sell, dec("5"), dec("50"), {});
  acct.apply_fill("SPY", Side::Buy, dec("8"), dec("40"), {});
  const auto pos = acct.position("SPY");
  EXPECT_EQ(pos->quantity, dec("3"));
  EXPECT_EQ(pos->average_price, dec("40"));
  EXPECT_EQ(pos->realized_pnl, dec("50"));
}

TEST(PaperAccountTest, EquityMarksShortPositionsAtLastPrice) {
  PaperAccount acct(dec("1000"));
  acct.apply_fill("SPY", Side::Sell, dec("10"), dec("50"), {});
  acct.mark("SPY", dec("60"));
  EXPECT_EQ(acct.cash(), dec("1500"));
  EXPECT_EQ(acct.equity(), dec("900"));
  EXPECT_EQ(acct.gross_position_value(), dec("600"));
  EXPECT_EQ(acct.open_positions().at(0).market_price, dec("60"));
}

TEST(PaperAccountTest, OpenPositionsAreSortedBySymbol) {
  PaperAccount acct(dec("100000"));
  acct.apply_fill("SPY", Side::Buy, dec("1"), dec("100"), {});
  acct.apply_fill("AAPL", Side::Buy, dec("1"), dec("100"), {});
  acct.apply_fill("QQQ", Side::Buy, dec("1"), dec("100"), {});
  const auto positions = acct.open_positions();
  ASSERT_EQ(positions.size(), 3u);
  EXPECT_EQ(positions[0].symbol, sdk::Symbol("AAPL"));
  EXPECT_EQ(positions[1].symbol, sdk::Symbol("QQQ"));
  EXPECT_EQ(positions[2].symbol, sdk::Symbol("SPY"));
}

TEST(PaperAccountTest, OverflowLeavesTheLedgerUnchanged) {
  PaperAccount acct(dec("1000"));
  EXPECT_THROW(acct.apply_fill("SPY", Side::Buy, dec("90000000000"), dec("90000000000"), {}),
               sdk::DecimalError);
  EXPECT_EQ(acct.cash(), dec("1000"));
  EXPECT_FALSE(acct.position("SPY"));
}

}  // namespace
}  // namespace mercurio::brokers::paper
