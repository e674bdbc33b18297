// From journal rows to lot transactions: fill order, opening balances as lots, warnings.
#include "report/tax_report.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace mercurio::report {
namespace {

using sdk::Decimal;
using ::testing::HasSubstr;

Decimal d(const char* text) { return Decimal::from_string(text); }
sdk::Timestamp at(const char* iso) { return *sdk::Timestamp::parse_iso8601(iso); }

FillRow fill(std::int64_t event_id, const char* iso, sdk::Side side, const char* qty, const char* price, const char* commission = "0",
             const char* symbol = "SPY") {
  FillRow f;
  f.event_id = event_id;
  f.broker = "paper";
  f.strategy = "ma";
  f.client_order_id = "ma-" + std::to_string(event_id);
  f.ts = at(iso);
  f.symbol = symbol;
  f.side = side;
  f.quantity = d(qty);
  f.price = d(price);
  f.commission = d(commission);
  f.trade_id = "t" + std::to_string(event_id);
  return f;
}

BalanceRow opening(const char* iso, std::int64_t after_event_id, std::vector<BalancePosition> positions) {
  BalanceRow b;
  b.balance_id = 1;
  b.broker = "paper";
  b.kind = "opening";
  b.ts = at(iso);
  b.after_event_id = after_event_id;
  b.positions = std::move(positions);
  return b;
}

TEST(TaxReportTest, OpeningBalancePositionsAreLotsAtTheBalanceDateWithAveragePriceCost) {
  const std::vector<BalanceRow> balances{opening("2023-01-03T14:00:00Z", 0, {{"SPY", d("10"), d("400")}, {"QQQ", d("-2"), d("300")}})};
  const std::vector<FillRow> fills{fill(1, "2024-02-01T15:00:00Z", sdk::Side::Sell, "4", "450", "1"),
                                   fill(2, "2024-02-02T15:00:00Z", sdk::Side::Buy, "2", "310", "0", "QQQ")};
  const TaxReport r = build_tax_report(fills, balances, 2024);
  ASSERT_EQ(r.year.rows.size(), 2u);
  const LotDisposal& spy = r.year.rows[0];
  EXPECT_EQ(spy.symbol, "SPY");
  EXPECT_TRUE(spy.opening_balance);
  EXPECT_EQ(spy.acquired, *CivilDate::parse("2023-01-03"));
  EXPECT_EQ(spy.cost_basis, d("1600"));  // 4 x 400
  EXPECT_EQ(spy.proceeds, d("1799"));    // 4 x 450 - 1
  EXPECT_EQ(spy.term, Term::LongTerm);
  const LotDisposal& qqq = r.year.rows[1];  // an opening short: proceeds 2 x 300, covered at 620
  EXPECT_EQ(qqq.side, LotSide::Short);
  EXPECT_EQ(qqq.proceeds, d("600"));
  EXPECT_EQ(qqq.cost_basis, d("620"));
  EXPECT_TRUE(r.warnings.empty());
}

TEST(TaxReportTest, FillsAreAppliedInVenueTimeOrderNotJournalOrder) {
  // Journaled late (event 2) but executed first: it is the older lot.
  const std::vector<FillRow> fills{fill(1, "2024-03-02T15:00:00Z", sdk::Side::Buy, "1", "20"),
                                   fill(2, "2024-03-01T15:00:00Z", sdk::Side::Buy, "1", "10"),
                                   fill(3, "2024-03-05T15:00:00Z", sdk::Side::Sell, "1", "30")};
  std::vector<std::string> warnings;
  const auto txns = lot_transactions(fills, {}, warnings);
  ASSERT_EQ(txns.size(), 3u);
  EXPECT_EQ(txns[0].reference, "trade t2");
  const TaxReport r = build_tax_report(fills, {}, 2024);
  ASSERT_EQ(r.year.rows.size(), 1u);
  EXPECT_EQ(r.year.rows[0].cost_basis, d("10"));
}

// A fill journaled after the opening balance is not in it, even when its venue time is earlier
// (executed while the balance was being taken, or the venue's clock is behind): it is a later lot,
// and the opening lot is the one a sale takes first.
TEST(TaxReportTest, AFillJournaledAfterTheOpeningBalanceFollowsItWhateverItsVenueTime) {
  const std::vector<BalanceRow> balances{
      opening("2024-03-01T15:00:00Z", 0, {{"SPY", d("100"), d("100")}})};
  const std::vector<FillRow> fills{fill(1, "2024-03-01T14:59:10Z", sdk::Side::Buy, "50", "120"),
                                   fill(2, "2024-03-04T15:00:00Z", sdk::Side::Sell, "100", "130")};
  const TaxReport r = build_tax_report(fills, balances, 2024);
  ASSERT_EQ(r.year.rows.size(), 1u);
  EXPECT_TRUE(r.year.rows[0].opening_balance);
  EXPECT_EQ(r.year.rows[0].side, LotSide::Long);
  EXPECT_EQ(r.year.rows[0].cost_basis, d("10000"));  // 100 x 100, not 50 x 120 + 50 x 100
  EXPECT_EQ(r.year.rows[0].proceeds, d("13000"));
  EXPECT_TRUE(r.warnings.empty());
}

TEST(TaxReportTest, BalanceAdjustmentsAndFillsBeforeTheOpeningBalanceAreWarnedAbout) {
  BalanceRow adjustment = opening("2024-05-01T00:00:00Z", 1, {{"SPY", d("3"), d("10")}});
  adjustment.kind = "adjustment";
  adjustment.balance_id = 3;
  const std::vector<BalanceRow> balances{opening("2024-01-01T00:00:00Z", 1, {}), adjustment};
  const std::vector<FillRow> fills{fill(1, "2023-12-01T15:00:00Z", sdk::Side::Buy, "1", "10")};
  const TaxReport r = build_tax_report(fills, balances, 2024);
  ASSERT_EQ(r.warnings.size(), 2u);
  EXPECT_THAT(r.warnings[0], HasSubstr("1 balance adjustment(s)"));
  EXPECT_THAT(r.warnings[1], HasSubstr("journaled before its opening balance"));
}

}  // namespace
}  // namespace mercurio::report
