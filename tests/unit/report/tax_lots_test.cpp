// FIFO lot matching on small hand-computed cases (amounts worked out in the comments).
#include "report/tax_lots.hpp"

#include <gtest/gtest.h>

#include "report/report_error.hpp"

namespace mercurio::report {
namespace {

using sdk::Decimal;

Decimal d(const char* text) { return Decimal::from_string(text); }

sdk::Timestamp at(const char* date) { return *sdk::Timestamp::parse_iso8601(std::string(date) + "T15:00:00Z"); }

LotTransaction txn(const char* date, sdk::Side side, const char* qty, const char* price, const char* commission,
                   const char* symbol = "SPY") {
  LotTransaction t;
  t.broker = "paper";
  t.symbol = symbol;
  t.ts = at(date);
  t.side = side;
  t.quantity = d(qty);
  t.price = d(price);
  t.commission = d(commission);
  t.reference = std::string("trade on ") + date;
  return t;
}
LotTransaction buy(const char* date, const char* qty, const char* price, const char* commission = "0") {
  return txn(date, sdk::Side::Buy, qty, price, commission);
}
LotTransaction sell(const char* date, const char* qty, const char* price, const char* commission = "0") {
  return txn(date, sdk::Side::Sell, qty, price, commission);
}
CivilDate day(const char* text) { return *CivilDate::parse(text); }

TEST(TaxLotsTest, SellConsumesOldestLotsFirstAcrossPartialLotsWithFeesInBasisAndProceeds) {
  FifoLotMatcher m;
  m.apply(buy("2024-01-02", "10", "100", "1"));    // lot A: cost 1001
  m.apply(buy("2024-02-01", "10", "110", "2"));    // lot B: cost 1102
  m.apply(sell("2024-03-01", "15", "120", "3"));   // proceeds 1800 - 3 = 1797
  m.apply(sell("2024-04-01", "5", "90", "0.5"));   // proceeds 450 - 0.5 = 449.5
  const auto& ds = m.disposals();
  ASSERT_EQ(ds.size(), 3u);
  // 10 of A: all of A's cost; 10/15 of 1797 = 1198.
  EXPECT_EQ(ds[0].quantity, d("10"));
  EXPECT_EQ(ds[0].acquired, day("2024-01-02"));
  EXPECT_EQ(ds[0].sold, day("2024-03-01"));
  EXPECT_EQ(ds[0].cost_basis, d("1001"));
  EXPECT_EQ(ds[0].proceeds, d("1198"));
  EXPECT_EQ(ds[0].gain(), d("197"));
  // 5 of B: half of 1102 = 551; the rest of the sale's proceeds 1797 - 1198 = 599.
  EXPECT_EQ(ds[1].quantity, d("5"));
  EXPECT_EQ(ds[1].acquired, day("2024-02-01"));
  EXPECT_EQ(ds[1].cost_basis, d("551"));
  EXPECT_EQ(ds[1].proceeds, d("599"));
  // The other 5 of B: 551 left; loss 449.5 - 551 = -101.5.
  EXPECT_EQ(ds[2].quantity, d("5"));
  EXPECT_EQ(ds[2].acquired, day("2024-02-01"));
  EXPECT_EQ(ds[2].sold, day("2024-04-01"));
  EXPECT_EQ(ds[2].cost_basis, d("551"));
  EXPECT_EQ(ds[2].proceeds, d("449.5"));
  EXPECT_EQ(ds[2].gain(), d("-101.5"));
  for (const auto& x : ds) {
    EXPECT_EQ(x.side, LotSide::Long);
    EXPECT_EQ(x.term, Term::ShortTerm);
  }
  EXPECT_EQ(m.open_quantity("paper", "SPY"), d("0"));
}

TEST(TaxLotsTest, ProRataRemaindersKeepTheLotsCostExact) {
  FifoLotMatcher m;
  m.apply(buy("2024-01-02", "3", "10", "1"));  // cost 31: not divisible by 3 at 8 digits
  m.apply(sell("2024-01-03", "1", "10"));
  m.apply(sell("2024-01-04", "1", "10"));
  m.apply(sell("2024-01-05", "1", "10"));
  const auto& ds = m.disposals();
  ASSERT_EQ(ds.size(), 3u);
  EXPECT_EQ(ds[0].cost_basis, d("10.33333333"));  // 31 / 3
  EXPECT_EQ(ds[1].cost_basis, d("10.33333334"));  // 20.66666667 / 2 = 10.333333335, half to even
  EXPECT_EQ(ds[2].cost_basis, d("10.33333333"));  // what is left
  EXPECT_EQ(ds[0].cost_basis + ds[1].cost_basis + ds[2].cost_basis, d("31"));
}

TEST(TaxLotsTest, ProRataRoundsOnceHalfToEven) {
  EXPECT_EQ(pro_rata(d("1797"), d("10"), d("15")), d("1198"));
  EXPECT_EQ(pro_rata(d("0.00000001"), d("1"), d("2")), d("0"));           // 0.000000005 -> even 0
  EXPECT_EQ(pro_rata(d("0.00000003"), d("1"), d("2")), d("0.00000002"));  // 0.000000015 -> even 2
  EXPECT_EQ(pro_rata(d("-1"), d("1"), d("3")), d("-0.33333333"));
  EXPECT_THROW(pro_rata(d("1"), d("1"), d("0")), ReportError);
}

TEST(TaxLotsTest, ExactlyOneYearIsShortTermAndOneYearAndOneDayIsLongTerm) {
  EXPECT_FALSE(is_long_term(day("2023-03-15"), day("2024-03-15")));
  EXPECT_TRUE(is_long_term(day("2023-03-15"), day("2024-03-16")));
  EXPECT_FALSE(is_long_term(day("2023-03-15"), day("2023-12-31")));
  // 29 February: the anniversary is 28 February of the next year.
  EXPECT_FALSE(is_long_term(day("2024-02-29"), day("2025-02-28")));
  EXPECT_TRUE(is_long_term(day("2024-02-29"), day("2025-03-01")));

  FifoLotMatcher m;
  m.apply(buy("2023-03-15", "2", "50"));
  m.apply(sell("2024-03-15", "1", "60"));
  m.apply(sell("2024-03-16", "1", "60"));
  ASSERT_EQ(m.disposals().size(), 2u);
  EXPECT_EQ(m.disposals()[0].term, Term::ShortTerm);
  EXPECT_EQ(m.disposals()[1].term, Term::LongTerm);
}

TEST(TaxLotsTest, SellWithoutLongLotsOpensAShortLotThatLaterBuysClose) {
  FifoLotMatcher m;
  m.apply(sell("2024-05-01", "10", "50", "1"));   // short lot: proceeds 500 - 1 = 499
  EXPECT_EQ(m.open_quantity("paper", "SPY"), d("-10"));
  m.apply(buy("2024-06-03", "4", "40", "0.4"));   // cost 160.4 covers 4: proceeds 499 x 4/10 = 199.6
  m.apply(buy("2024-07-01", "10", "45", "1"));    // cost 451: 6 cover (270.6), 4 open a long lot (180.4)
  const auto& ds = m.disposals();
  ASSERT_EQ(ds.size(), 2u);
  EXPECT_EQ(ds[0].side, LotSide::Short);
  EXPECT_EQ(ds[0].quantity, d("4"));
  EXPECT_EQ(ds[0].acquired, day("2024-06-03"));  // buy-to-cover date
  EXPECT_EQ(ds[0].sold, day("2024-05-01"));      // short-sale date
  EXPECT_EQ(ds[0].closed, day("2024-06-03"));
  EXPECT_EQ(ds[0].proceeds, d("199.6"));
  EXPECT_EQ(ds[0].cost_basis, d("160.4"));
  EXPECT_EQ(ds[0].gain(), d("39.2"));
  EXPECT_EQ(ds[0].term, Term::ShortTerm);
  EXPECT_EQ(ds[1].quantity, d("6"));
  EXPECT_EQ(ds[1].proceeds, d("299.4"));
  EXPECT_EQ(ds[1].cost_basis, d("270.6"));
  EXPECT_EQ(m.open_quantity("paper", "SPY"), d("4"));
  m.apply(sell("2024-08-01", "4", "50"));
  ASSERT_EQ(ds.size(), 3u);
  EXPECT_EQ(ds[2].side, LotSide::Long);
  EXPECT_EQ(ds[2].cost_basis, d("180.4"));  // 451 - 270.6
  EXPECT_EQ(ds[2].proceeds, d("200"));
}

TEST(TaxLotsTest, ShortCoveredMoreThanAYearLaterIsStillShortTermAndBelongsToTheCoverYear) {
  FifoLotMatcher m;
  m.apply(sell("2022-06-01", "1", "100"));
  m.apply(buy("2024-01-10", "1", "80"));
  ASSERT_EQ(m.disposals().size(), 1u);
  EXPECT_EQ(m.disposals()[0].term, Term::ShortTerm);
  EXPECT_EQ(tax_year_report(m.disposals(), 2024).rows.size(), 1u);
  EXPECT_TRUE(tax_year_report(m.disposals(), 2022).rows.empty());
}

TEST(TaxLotsTest, SellLargerThanTheLongPositionClosesItAndOpensAShortWithTheRest) {
  FifoLotMatcher m;
  m.apply(buy("2024-01-02", "5", "10"));
  m.apply(sell("2024-01-03", "8", "12", "0.8"));  // proceeds 96 - 0.8 = 95.2: 5/8 -> 59.5 close, 35.7 short
  ASSERT_EQ(m.disposals().size(), 1u);
  EXPECT_EQ(m.disposals()[0].quantity, d("5"));
  EXPECT_EQ(m.disposals()[0].proceeds, d("59.5"));
  EXPECT_EQ(m.open_quantity("paper", "SPY"), d("-3"));
  m.apply(buy("2024-01-04", "3", "11"));
  ASSERT_EQ(m.disposals().size(), 2u);
  EXPECT_EQ(m.disposals()[1].proceeds, d("35.7"));
  EXPECT_EQ(m.disposals()[1].cost_basis, d("33"));
}

TEST(TaxLotsTest, LotsAreKeptPerBrokerAndSymbol) {
  FifoLotMatcher m;
  m.apply(buy("2024-01-02", "1", "10"));
  auto other_symbol = txn("2024-01-03", sdk::Side::Buy, "1", "20", "0", "QQQ");
  m.apply(other_symbol);
  auto other_broker = buy("2024-01-04", "1", "30");
  other_broker.broker = "alpaca";
  m.apply(other_broker);
  m.apply(sell("2024-01-05", "1", "15"));
  ASSERT_EQ(m.disposals().size(), 1u);
  EXPECT_EQ(m.disposals()[0].cost_basis, d("10"));
  EXPECT_EQ(m.open_quantity("paper", "QQQ"), d("1"));
  EXPECT_EQ(m.open_quantity("alpaca", "SPY"), d("1"));
}

TEST(TaxLotsTest, RefusesNonPositiveQuantityAndNegativePriceNamingTheTrade) {
  FifoLotMatcher m;
  try {
    m.apply(buy("2024-01-02", "0", "10"));
    FAIL() << "expected ReportError";
  } catch (const ReportError& e) {
    EXPECT_NE(std::string(e.what()).find("trade on 2024-01-02"), std::string::npos) << e.what();
  }
  EXPECT_THROW(m.apply(buy("2024-01-02", "1", "-10")), ReportError);
  EXPECT_THROW(m.apply(buy("2024-01-02", "1", "10", "-1")), ReportError);
}

TEST(TaxLotsTest, YearReportKeepsDisposalsClosedInTheYearWithEarlierLotsAsBasisAndTotalsTheRows) {
  FifoLotMatcher m;
  m.apply(buy("2022-11-01", "10", "10", "1"));   // cost 101
  m.apply(sell("2023-06-01", "2", "12"));        // 2023: cost 20.2, proceeds 24
  m.apply(sell("2024-01-02", "3", "15", "0.3")); // 2024, long-term: cost 30.3, proceeds 44.7
  m.apply(buy("2024-03-01", "1", "20"));
  m.apply(sell("2024-12-31", "6", "9"));         // 2024: 5 long-term (cost 50.5, proceeds 45), 1 short-term (20 vs 9)
  const TaxYearReport r = tax_year_report(m.disposals(), 2024);
  ASSERT_EQ(r.rows.size(), 3u);
  EXPECT_EQ(r.rows[0].acquired, day("2022-11-01"));
  EXPECT_EQ(r.rows[0].term, Term::LongTerm);
  EXPECT_EQ(r.rows[2].term, Term::ShortTerm);
  EXPECT_EQ(r.long_term.proceeds, d("89.7"));     // 44.7 + 45
  EXPECT_EQ(r.long_term.cost_basis, d("80.8"));   // 30.3 + 50.5
  EXPECT_EQ(r.long_term.gain, d("8.9"));
  EXPECT_EQ(r.short_term.proceeds, d("9"));
  EXPECT_EQ(r.short_term.cost_basis, d("20"));
  EXPECT_EQ(r.short_term.gain, d("-11"));
  EXPECT_EQ(r.total.proceeds, d("98.7"));
  EXPECT_EQ(r.total.cost_basis, d("100.8"));
  EXPECT_EQ(r.total.gain, d("-2.1"));
  Decimal sum;
  for (const auto& row : r.rows) sum += row.gain();
  EXPECT_EQ(sum, r.total.gain);
  EXPECT_EQ(tax_year_report(m.disposals(), 2023).total.gain, d("3.8"));  // 24 - 20.2
}

}  // namespace
}  // namespace mercurio::report
