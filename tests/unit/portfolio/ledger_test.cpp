#include "portfolio/ledger.hpp"

#include <gtest/gtest.h>

#include <random>
#include <string>

using namespace mercurio::kernel;
using mercurio::sdk::Decimal;
using mercurio::sdk::Side;
using mercurio::sdk::Timestamp;

namespace {
Decimal d(const char* s) { return Decimal::from_string(s); }
Timestamp t(int day) { return Timestamp{day * Timestamp::kNanosPerDay}; }
}  // namespace

TEST(LedgerTest, BuyMovesCashAndOpensPositionAtFillPrice) {
  Ledger l(d("10000"));
  l.apply_fill("SPY", Side::Buy, d("10"), d("100.5"), d("1"), t(1));
  EXPECT_EQ(l.cash(), d("8994"));  // 10000 - 1005 - 1
  const auto p = l.position("SPY");
  EXPECT_EQ(p.quantity, d("10"));
  EXPECT_EQ(p.average_price, d("100.5"));
  EXPECT_EQ(l.commissions(), d("1"));
  EXPECT_EQ(l.equity(), d("9999"));  // marked at the fill price until a bar marks it
  l.mark("SPY", d("110"));
  EXPECT_EQ(l.equity(), d("10094"));
  EXPECT_EQ(l.unrealized_pnl(), d("95"));
}

// A mark whose value leaves the decimal range throws and changes nothing: the book keeps its
// mark and the ledger's sums their values (they used to be half updated).
TEST(LedgerTest, AMarkBeyondTheDecimalRangeChangesNothing) {
  Ledger l(d("10000"));
  l.apply_fill("SPY", Side::Buy, d("1000"), d("5"), d("0"), t(1));
  l.mark("SPY", d("6"));
  EXPECT_THROW(l.mark("SPY", d("100000000")), mercurio::sdk::DecimalError);  // 1e11
  EXPECT_EQ(l.position("SPY").market_price, d("6"));
  EXPECT_EQ(l.positions_value(), d("6000"));
  EXPECT_EQ(l.gross_positions_value(), d("6000"));
  EXPECT_EQ(l.equity(), d("11000"));
  l.mark("SPY", d("7"));
  EXPECT_EQ(l.equity(), d("12000"));
}

TEST(LedgerTest, AddingAveragesTheEntryPrice) {
  Ledger l(d("100000"));
  l.apply_fill("A", Side::Buy, d("10"), d("100"), d("0"), t(1));
  l.apply_fill("A", Side::Buy, d("30"), d("120"), d("0"), t(2));
  EXPECT_EQ(l.position("A").average_price, d("115"));  // (1000 + 3600) / 40
  EXPECT_EQ(l.position("A").quantity, d("40"));
}

TEST(LedgerTest, ReducingRealizesAgainstAveragePrice) {
  Ledger l(d("100000"));
  l.apply_fill("A", Side::Buy, d("10"), d("100"), d("0"), t(1));
  l.apply_fill("A", Side::Sell, d("4"), d("110"), d("0.5"), t(2));
  EXPECT_EQ(l.realized_pnl(), d("40"));
  EXPECT_EQ(l.position("A").quantity, d("6"));
  EXPECT_EQ(l.quantity("A"), d("6"));
  EXPECT_EQ(l.quantity("B"), d("0")) << "never traded";
  EXPECT_EQ(l.position("A").average_price, d("100"));
  EXPECT_EQ(l.round_trips().count, 0u);
  EXPECT_FALSE(l.last_round_trip());
  l.apply_fill("A", Side::Sell, d("6"), d("90"), d("0.5"), t(3));
  EXPECT_EQ(l.realized_pnl(), d("-20"));  // 40 - 60
  EXPECT_EQ(l.round_trips().count, 1u);
  EXPECT_EQ(l.round_trips().winners, 0u);
  ASSERT_TRUE(l.last_round_trip());
  EXPECT_EQ(l.last_round_trip()->net_pnl, d("-21"));  // realized minus both commissions
  EXPECT_EQ(l.last_round_trip()->opened, t(1));
  EXPECT_EQ(l.last_round_trip()->closed, t(3));
  EXPECT_EQ(l.last_round_trip()->symbol, mercurio::sdk::Symbol("A"));
  EXPECT_TRUE(l.position("A").is_flat());
  EXPECT_EQ(l.cash(), d("99979"));  // 100000 - 1000 + 440 + 540 - 1
}

TEST(LedgerTest, FlipThroughZeroClosesAndReopensAtFillPrice) {
  Ledger l(d("100000"));
  l.apply_fill("A", Side::Buy, d("10"), d("50"), d("0"), t(1));
  l.apply_fill("A", Side::Sell, d("25"), d("60"), d("0"), t(2));
  EXPECT_EQ(l.realized_pnl(), d("100"));
  EXPECT_EQ(l.position("A").quantity, d("-15"));
  EXPECT_EQ(l.position("A").average_price, d("60"));
  EXPECT_EQ(l.round_trips().count, 1u);
  EXPECT_EQ(l.round_trips().winners, 1u);  // +100 on the long
  l.mark("A", d("55"));
  EXPECT_EQ(l.position("A").unrealized_pnl(), d("75"));  // short 15 from 60 to 55
  l.apply_fill("A", Side::Buy, d("15"), d("55"), d("0"), t(3));
  EXPECT_EQ(l.realized_pnl(), d("175"));
  EXPECT_EQ(l.round_trips().count, 2u);
  EXPECT_EQ(l.round_trips().winners, 2u);
  ASSERT_TRUE(l.last_round_trip());
  EXPECT_EQ(l.last_round_trip()->net_pnl, d("75"));
  EXPECT_EQ(l.last_round_trip()->opened, t(2));
  EXPECT_EQ(l.last_round_trip()->closed, t(3));
}

TEST(LedgerTest, ShortPositionsReduceEquityWhenPriceRises) {
  Ledger l(d("1000"));
  l.apply_fill("A", Side::Sell, d("10"), d("10"), d("0"), t(1));
  EXPECT_EQ(l.cash(), d("1100"));
  l.mark("A", d("12"));
  EXPECT_EQ(l.positions_value(), d("-120"));
  EXPECT_EQ(l.equity(), d("980"));
}

TEST(LedgerTest, EquityIsCashPlusMarkedPositionsExactly) {
  Ledger l(d("100000"));
  for (int i = 0; i < 100; ++i) l.apply_fill("A", i % 3 == 0 ? Side::Sell : Side::Buy, d("1.1"), d("99.99"), d("0.01"), t(i));
  l.mark("A", d("101.01"));
  EXPECT_EQ(l.equity(), l.cash() + l.position("A").quantity * d("101.01"));
  EXPECT_EQ(l.open_positions().size(), 1u);
}

TEST(DrawdownTrackerTest, TracksPeakAndMaximumDrawdown) {
  DrawdownTracker dd;
  for (const char* e : {"100", "120", "90", "110", "130", "117"}) dd.observe(d(e));
  EXPECT_EQ(dd.peak(), d("130"));
  EXPECT_EQ(dd.max_drawdown(), d("0.25"));        // 120 -> 90
  EXPECT_EQ(dd.current_drawdown(), d("0.1"));     // 130 -> 117
}

TEST(LedgerTest, MarksInAnyOrderReachTheRightSymbolAlsoInACopy) {
  // In order, repeated, out of order and in a copy of the ledger, each mark must land on its own
  // symbol, and a symbol never traded ("ZZZ") gets no position from a mark.
  Ledger l(d("100000"));
  for (const char* s : {"AAA", "BBB", "CCC"}) l.apply_fill(s, Side::Buy, d("1"), d("10"), d("0"), t(1));
  const char* order[] = {"AAA", "BBB", "CCC", "AAA", "AAA", "CCC", "BBB", "ZZZ", "BBB", "CCC"};
  int price = 11;
  for (const char* s : order) {
    l.mark(s, Decimal::from_int(price));
    if (std::string_view(s) != "ZZZ") {
      EXPECT_EQ(l.position(s).market_price, Decimal::from_int(price)) << s;
    }
    ++price;
  }
  EXPECT_EQ(l.position("AAA").market_price, d("15"));
  Ledger copy = l;
  copy.mark("AAA", d("100"));
  copy.mark("BBB", d("200"));
  EXPECT_EQ(copy.position("AAA").market_price, d("100"));
  EXPECT_EQ(copy.position("BBB").market_price, d("200"));
  EXPECT_EQ(l.position("AAA").market_price, d("15"));  // the original is untouched
  EXPECT_EQ(l.position("BBB").market_price, d("19"));
}

// The kernel binds a BookRef per fed symbol before the symbol is ever traded. Such a book must
// behave exactly as no book at all: marks do not touch it, the first fill's price is its first
// mark, it adds nothing to the sums, and positions still come out sorted by symbol.
TEST(LedgerTest, ABookBoundBeforeItsFirstFillBehavesAsNoBook) {
  Ledger bound(d("100000"));
  Ledger plain(d("100000"));
  const Ledger::BookRef spy = bound.book_ref("SPY");
  const Ledger::BookRef aaa = bound.book_ref("AAA");
  EXPECT_EQ(bound.book_ref("SPY"), spy) << "one book per symbol";
  bound.mark(spy, d("500"));  // never traded: ignored
  EXPECT_EQ(bound.position("SPY").market_price, d("0"));
  EXPECT_EQ(bound.position("SPY").symbol, mercurio::sdk::Symbol("SPY"));
  EXPECT_EQ(bound.positions_value(), d("0"));
  EXPECT_TRUE(bound.open_positions().empty());

  for (Ledger* l : {&bound, &plain}) {
    l->apply_fill("SPY", Side::Buy, d("10"), d("400"), d("1"), t(1));
    l->apply_fill("AAA", Side::Sell, d("5"), d("20"), d("1"), t(1));
  }
  EXPECT_EQ(bound.position("SPY").market_price, d("400")) << "the fill's price, not the earlier mark";
  EXPECT_EQ(bound.equity(), plain.equity());
  bound.mark(spy, d("410"));
  bound.mark(aaa, d("19"));
  plain.mark("SPY", d("410"));
  plain.mark("AAA", d("19"));
  EXPECT_EQ(bound.quantity(spy), d("10"));
  EXPECT_EQ(bound.quantity(aaa), d("-5"));
  EXPECT_EQ(bound.positions_value(), plain.positions_value());
  EXPECT_EQ(bound.unrealized_pnl(), plain.unrealized_pnl());
  const auto open = bound.open_positions();
  ASSERT_EQ(open.size(), 2u);
  EXPECT_EQ(open[0].symbol, mercurio::sdk::Symbol("AAA")) << "sorted by symbol, not by when the book was made";
  EXPECT_EQ(open[1].symbol, mercurio::sdk::Symbol("SPY"));
  const Ledger copy = bound;
  EXPECT_EQ(copy.quantity(spy), d("10")) << "a BookRef is valid in a copy";
}

// The ledger keeps its positions' value, gross value and count as fills and marks come; after
// every step they must equal the obvious computation over its positions (each product rounded to
// 8 digits, as Decimal's product is). Fills open, add to, reduce, close and flip positions, long
// and short; marks come for held, flat and never-traded symbols, by symbol and by BookRef.
TEST(LedgerTest, RunningSumsEqualTheSumOverPositionsAfterEveryFillAndMark) {
  std::mt19937_64 rng(20261126);
  Ledger l(d("1000000"));
  const char* symbols[] = {"AAA", "BBB", "CCC", "DDD", "EEE"};
  const Ledger::BookRef eee = l.book_ref("EEE");
  for (int step = 0; step < 5000; ++step) {
    const char* s = symbols[rng() % 5];
    const Decimal price = Decimal::from_raw(static_cast<std::int64_t>(1'000'000 + rng() % 50'000'000'000));  // 0.01 .. 500
    switch (rng() % 5) {
      case 0:
      case 1: {
        const Decimal qty = Decimal::from_raw(static_cast<std::int64_t>(1 + rng() % 20'000'000'000));  // up to 200, fractional
        l.apply_fill(s, rng() % 2 ? Side::Buy : Side::Sell, qty, price, d("0.5"), t(step));
        break;
      }
      case 2: {  // closes the position exactly (flat again: out of the count and the sums)
        const Decimal held = l.position(s).quantity;
        if (!held.is_zero()) l.apply_fill(s, held.is_positive() ? Side::Sell : Side::Buy, held.abs(), price, d("0.5"), t(step));
        break;
      }
      case 3: l.mark(s, price); break;
      default: l.mark(eee, price); break;
    }
    Decimal value, gross;
    for (const auto& p : l.open_positions()) {
      value += p.quantity * p.market_price;
      gross += (p.quantity * p.market_price).abs();
    }
    ASSERT_EQ(l.positions_value(), value) << "step " << step;
    ASSERT_EQ(l.gross_positions_value(), gross) << "step " << step;
    ASSERT_EQ(l.open_position_count(), l.open_positions().size()) << "step " << step;
    ASSERT_EQ(l.equity(), l.cash() + value) << "step " << step;
  }
  EXPECT_GT(l.round_trips().count, 500u) << "the walk should close and flip positions many times";
}
