// Every pre-trade limit just under, at and just over its bound; trading states and breakers.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <limits>
#include <map>

#include "config/config_loader.hpp"
#include "risk/risk_gate.hpp"
#include "support/risk_config.hpp"

using namespace mercurio::kernel;
using namespace mercurio::sdk;
using ::testing::HasSubstr;

namespace {

Decimal d(const char* s) { return Decimal::from_string(s); }
constexpr std::int64_t kSecond = Timestamp::kNanosPerSecond;

// The account as the gate sees it, set directly by each test.
class FakeView final : public RiskView {
 public:
  std::map<std::string, Decimal> positions;
  std::map<std::string, Decimal> open_buys, open_sells;
  std::map<std::string, ReferencePrice> refs;
  AccountExposure account{d("100000"), d("100000"), {}, {}, {}, 0, 0};

  // The order's symbol, as the kernel hands it to the gate with the request.
  SymbolExposure symbol_exposure(const Symbol& s) const {
    auto it = refs.find(s.str());
    return {get(positions, s), {get(open_buys, s), get(open_sells, s)},
            it == refs.end() ? std::nullopt : std::optional<ReferencePrice>(it->second)};
  }
  AccountExposure exposure(std::size_t) const override { return account; }

 private:
  static Decimal get(const std::map<std::string, Decimal>& m, const Symbol& s) {
    auto it = m.find(s.str());
    return it == m.end() ? Decimal{} : it->second;
  }
};

// [risk] with every limit at a round, easily crossed value.
RiskConfig config_with(const std::string& overrides = "") {
  std::string text =
      std::string(
          "[risk]\n"
          "max_order_quantity = \"100\"\nmax_order_notional = \"10000\"\nprice_collar_pct = \"5\"\n"
          "max_reference_age_seconds = 60\nmax_position_quantity = \"150\"\nmax_position_notional "
          "= \"15000\"\n"
          "max_gross_exposure_pct = \"50\"\nmax_positions = 2\nmax_open_orders = "
          "3\nmax_orders_per_minute = 60\n"
          "order_burst = 5\nduplicate_window_seconds = 10\nmax_daily_loss_pct = "
          "\"2\"\nmax_drawdown_pct = \"10\"\n"
          "drawdown_action = \"flatten\"\nmax_fills_per_window = 10\nfills_window_seconds = 60\n") +
      (overrides.find("calendar =") == std::string::npos ? "calendar = \"XNYS\"\n" : "") +
      (overrides.find("allow_outside_market_hours") == std::string::npos
           ? "allow_outside_market_hours = true\n"
           : "") +
      overrides + "[[plugin]]\nid = \"p\"\nlibrary = \"x\"\n";
  return parse_config(text, "/t/m.toml").risk;
}

struct Harness {
  FakeView view;
  RiskGate gate;
  std::int64_t next_id = 1;
  Timestamp now{1'000 * kSecond};
  Timestamp ref_age{0};
  explicit Harness(const std::string& overrides = "") {
    RiskConfig c = config_with(overrides);
    gate = RiskGate(c, {combine(c.limits, nullptr, nullptr)}, {0},
                    {combine(c.limits, nullptr, nullptr)}, &view);
    view.refs["SPY"] = {d("100"), now};
  }
  RiskDecision order(Side side, const char* qty, std::optional<Decimal> limit = std::nullopt, std::int64_t advance_s = 30,
                     bool liquidation = false) {
    OrderIntent in;
    in.symbol = "SPY";
    in.side = side;
    in.quantity = d(qty);
    if (limit) {
      in.type = OrderType::Limit;
      in.limit_price = limit;
    }
    const ClientOrderId id("s-" + std::to_string(next_id++));
    const std::string strategy = "s";
    now.ns += advance_s * kSecond;  // by default spaced beyond the duplicate window
    if (view.refs.count("SPY")) view.refs["SPY"].ts = Timestamp{now.ns - ref_age.ns};
    RiskRequest r{in, id, strategy, 0, 0, true, true, now, view.symbol_exposure(in.symbol)};
    r.liquidation = liquidation;
    return gate.check(r);
  }
};

}  // namespace

TEST(RiskLimitsTest, OrderQuantityCap) {
  Harness h;
  EXPECT_TRUE(h.order(Side::Buy, "99").approved);
  EXPECT_TRUE(h.order(Side::Buy, "100").approved);
  auto over = h.order(Side::Buy, "100.00000001");
  EXPECT_EQ(over.reason, deny::kOrderQuantity);
  EXPECT_EQ(over.message, "expected quantity <= 100, was 100.00000001");
}

TEST(RiskLimitsTest, OrderNotionalCapUsesTheLimitPriceOrTheReference) {
  Harness h;
  EXPECT_TRUE(h.order(Side::Buy, "100").approved);                      // 100 x 100 = 10000
  EXPECT_TRUE(h.order(Side::Buy, "99", d("101.01")).approved);          // 9999.99
  auto over = h.order(Side::Buy, "100", d("100.01"));                   // 10001
  EXPECT_EQ(over.reason, deny::kOrderNotional);
  EXPECT_EQ(over.message, "expected notional <= 10000, was 10001");
}

TEST(RiskLimitsTest, MissingZeroOrStaleReferencePriceDenies) {
  Harness h;
  h.ref_age = Timestamp{60 * kSecond};
  EXPECT_TRUE(h.order(Side::Buy, "1").approved);
  h.ref_age = Timestamp{61 * kSecond};
  auto stale = h.order(Side::Buy, "2");
  EXPECT_EQ(stale.reason, deny::kStaleReferencePrice);
  EXPECT_EQ(stale.message, "expected a reference price at most 60 s old for SPY, was 61 s old");
  h.ref_age = Timestamp{60 * kSecond + 500'000'000};  // half a second too old
  EXPECT_EQ(h.order(Side::Buy, "5").message,
            "expected a reference price at most 60 s old for SPY, was 60.5 s old");
  h.ref_age = Timestamp{0};
  h.view.refs["SPY"].price = d("0");
  EXPECT_EQ(h.order(Side::Buy, "3").reason, deny::kNoReferencePrice);
  h.view.refs.clear();
  EXPECT_EQ(h.order(Side::Buy, "4").message, "expected a positive reference price for SPY, was none");
}

TEST(RiskLimitsTest, PriceCollarAroundTheReference) {
  Harness h;
  EXPECT_TRUE(h.order(Side::Buy, "1", d("105")).approved);
  EXPECT_TRUE(h.order(Side::Sell, "1", d("95")).approved);
  EXPECT_EQ(h.order(Side::Buy, "1", d("105.01")).reason, deny::kPriceCollar);
  auto low = h.order(Side::Sell, "1", d("94.99"));
  EXPECT_EQ(low.reason, deny::kPriceCollar);
  EXPECT_THAT(low.message, HasSubstr("within 5 % of the reference 100, was 94.99 (5.01 %)"));
}

TEST(RiskLimitsTest, PositionQuantityCountsOpenOrders) {
  Harness h;
  h.view.positions["SPY"] = d("100");
  h.view.open_buys["SPY"] = d("20");
  EXPECT_TRUE(h.order(Side::Buy, "30").approved);  // 100 + 20 + 30 = 150
  auto over = h.order(Side::Buy, "31");
  EXPECT_EQ(over.reason, deny::kPositionQuantity);
  EXPECT_EQ(over.message, "expected a SPY position of at most 150 (open orders included), was 151");
}

TEST(RiskLimitsTest, PositionNotionalAtTheReferencePrice) {
  Harness h;
  h.view.refs["SPY"].price = d("101");
  h.view.positions["SPY"] = d("148");
  auto over = h.order(Side::Buy, "1");  // 149 x 101 = 15049
  EXPECT_EQ(over.reason, deny::kPositionNotional);
  h.view.positions["SPY"] = d("147");
  EXPECT_TRUE(h.order(Side::Buy, "1").approved);  // 148 x 101 = 14948
}

TEST(RiskLimitsTest, ReducingOrdersPassPositionLimitsEvenWhenAlreadyOver) {
  Harness h;
  h.view.positions["SPY"] = d("200");
  EXPECT_TRUE(h.order(Side::Sell, "50").approved);
  EXPECT_EQ(h.order(Side::Buy, "1").reason, deny::kPositionQuantity);
}

TEST(RiskLimitsTest, GrossExposureAsShareOfEquity) {
  Harness h;
  h.view.account.gross_position_notional = d("40000");
  h.view.account.open_order_notional = d("5000");
  EXPECT_TRUE(h.order(Side::Buy, "50").approved);  // 40000 + 5000 + 5000 = 50 % of 100000
  h.view.account.gross_position_notional = d("40000.01");
  auto over = h.order(Side::Buy, "50");
  EXPECT_EQ(over.reason, deny::kGrossExposure);
  EXPECT_EQ(over.message, "expected gross exposure <= 50 % of equity (50000), was 50000.01");
}

TEST(RiskLimitsTest, MaximumSimultaneousPositions) {
  Harness h;
  h.view.account.positions = 2;
  auto over = h.order(Side::Buy, "1");
  EXPECT_EQ(over.reason, deny::kMaxPositions);
  EXPECT_EQ(over.message, "expected at most 2 positions, this would be 3");
  h.view.positions["SPY"] = d("10");  // adding to a held symbol is not a new position
  EXPECT_TRUE(h.order(Side::Buy, "1").approved);
  h.view.account.positions = 1;
  h.view.positions.clear();
  EXPECT_TRUE(h.order(Side::Buy, "2").approved);
}

TEST(RiskLimitsTest, MaximumOpenOrders) {
  Harness h;
  h.view.account.open_orders = 2;
  EXPECT_TRUE(h.order(Side::Buy, "1").approved);
  h.view.account.open_orders = 3;
  EXPECT_EQ(h.order(Side::Buy, "2").reason, deny::kMaxOpenOrders);
}

TEST(RiskLimitsTest, BuyingPowerCountsOpenBuys) {
  Harness h;
  h.view.account.open_buy_notional = d("95000");
  EXPECT_TRUE(h.order(Side::Buy, "50").approved);  // 95000 + 5000 = cash
  auto over = h.order(Side::Buy, "50", d("100.0002"));
  EXPECT_EQ(over.reason, deny::kBuyingPower);
  EXPECT_EQ(over.message, "expected order value <= available cash 5000 (cash minus open buys), was 5000.01");
  h.view.positions["SPY"] = d("60");
  EXPECT_TRUE(h.order(Side::Sell, "50").approved);  // sells need no cash
  // Nor do buys that cover a short (here 50 of 60 short, with no cash left).
  h.view.positions["SPY"] = d("-60");
  h.view.account.open_buy_notional = d("100000");
  EXPECT_TRUE(h.order(Side::Buy, "50").approved);
  EXPECT_EQ(h.order(Side::Buy, "61").reason, deny::kBuyingPower);  // past flat: a long of 1
}

// An open order of unknown value (a market order recovered at start-up, before its symbol's
// first bar) would count as zero in the sums below: orders adding exposure wait; orders that
// reduce a position, and the kernel's liquidations, do not.
TEST(RiskLimitsTest, AnOpenOrderOfUnknownValueBlocksOnlyNewExposure) {
  Harness h;
  h.view.account.unpriced_open_orders = 1;
  const auto buy = h.order(Side::Buy, "1");
  EXPECT_EQ(buy.reason, deny::kOpenOrderValueUnknown);
  EXPECT_THAT(buy.message, HasSubstr("1 market order(s) recovered at start-up have none"));
  h.view.positions["SPY"] = d("60");
  EXPECT_EQ(h.order(Side::Buy, "2").reason, deny::kOpenOrderValueUnknown);  // adds to the long
  EXPECT_TRUE(h.order(Side::Sell, "50").approved);                          // reduces it
  EXPECT_TRUE(h.order(Side::Sell, "60", std::nullopt, 30, true).approved);  // a liquidation
  h.view.account.unpriced_open_orders = 0;
  EXPECT_TRUE(h.order(Side::Buy, "3").approved);
}

TEST(RiskLimitsTest, OrderRateTokenBucketRefillsOnTheKernelClock) {
  Harness h;
  const char* qty[] = {"1", "2", "3", "4", "5", "6"};
  for (int i = 0; i < 5; ++i) EXPECT_TRUE(h.order(Side::Buy, qty[i], std::nullopt, 0).approved) << i;
  auto sixth = h.order(Side::Buy, qty[5], std::nullopt, 0);
  EXPECT_EQ(sixth.reason, deny::kStrategyRate);
  EXPECT_TRUE(h.order(Side::Buy, "7", std::nullopt, 1).approved);  // 60 per minute: one more after a second
  EXPECT_EQ(h.order(Side::Buy, "8", std::nullopt, 0).reason, deny::kStrategyRate);
}

TEST(RiskLimitsTest, DuplicateOrdersWithinTheWindowAreDenied) {
  Harness h;
  EXPECT_TRUE(h.order(Side::Buy, "5", d("100")).approved);
  auto dup = h.order(Side::Buy, "5", d("100"), 10);
  EXPECT_EQ(dup.reason, deny::kDuplicateOrder);
  EXPECT_THAT(dup.message, HasSubstr("was approved 10 s ago (window 10 s)"));
  EXPECT_TRUE(h.order(Side::Buy, "5", d("100.01"), 0).approved);  // another price is another order
  EXPECT_TRUE(h.order(Side::Buy, "5", d("100"), 11).approved);    // outside the window
}

// "No limit" is a huge figure: a duplicate window of any length keeps every approved order in it
// (its start in nanoseconds overflowed 64 bits and wrapped). The config accepts up to
// 92,233,720,368 s, which overflowed too; the gate itself is exact up to the largest int64.
TEST(RiskLimitsTest, ADuplicateWindowOfAnyLengthKeepsTheOrdersInIt) {
  Harness h;
  RiskConfig c = config_with();
  c.limits.duplicate_window_seconds = std::numeric_limits<std::int64_t>::max();
  h.gate = RiskGate(c, {combine(c.limits, nullptr, nullptr)}, {0},
                    {combine(c.limits, nullptr, nullptr)}, &h.view);
  EXPECT_TRUE(h.order(Side::Buy, "5", d("100")).approved);
  const std::int64_t century = 100LL * 365 * 24 * 3600;
  auto dup = h.order(Side::Buy, "5", d("100"), century);
  EXPECT_EQ(dup.reason, deny::kDuplicateOrder);
  EXPECT_THAT(dup.message, HasSubstr("was approved " + std::to_string(century) + " s ago"));
}

TEST(RiskLimitsTest, DuplicateGuardMatchesTheRuleOverALongRandomRun) {
  // 3,000 orders a few seconds apart, from a few quantities and prices: the window (10 s) holds up
  // to some 20 of them, expiring at its front while new ones come (the store compacts and grows).
  // Each decision is compared with the rule itself, kept here as a plain list of what was approved.
  Harness h;
  struct Approved {
    std::int64_t ns;
    Side side;
    std::string qty;
    std::optional<Decimal> limit;
  };
  std::vector<Approved> approved;
  const char* qty[] = {"1", "2", "3"};
  const std::optional<Decimal> limit[] = {std::nullopt, d("100"), d("101")};
  std::uint64_t seed = 12345;
  const auto next = [&](std::uint64_t n) {
    seed = seed * 6364136223846793005ull + 1442695040888963407ull;
    return (seed >> 33) % n;
  };
  int duplicates = 0, passed = 0;
  for (int i = 0; i < 3000; ++i) {
    const Side side = next(2) ? Side::Buy : Side::Sell;
    const char* q = qty[next(3)];
    const std::optional<Decimal> lim = limit[next(3)];
    // 0-2 s (the rate limit, 1/s with a burst of 5, mostly holds); now and then a pause past the
    // window, after which every remembered order has expired.
    const auto advance = static_cast<std::int64_t>(next(50) == 0 ? 12 : next(3));
    h.view.positions["SPY"] = side == Side::Sell ? d("100") : Decimal{};  // a sell only reduces
    const std::int64_t at = h.now.ns + advance * kSecond;
    const RiskDecision r = h.order(side, q, lim, advance);
    if (r.reason == deny::kStrategyRate || r.reason == deny::kBrokerRate)
      continue;  // checked before duplicates
    const bool expected_duplicate =
        std::any_of(approved.begin(), approved.end(), [&](const Approved& a) {
          return a.ns >= at - 10 * kSecond && a.side == side && a.qty == q && a.limit == lim;
        });
    ASSERT_EQ(r.reason == deny::kDuplicateOrder, expected_duplicate)
        << "order " << i << ": " << r.reason << " " << r.message;
    if (expected_duplicate) {
      ++duplicates;
      continue;
    }
    ASSERT_TRUE(r.approved) << "order " << i << ": " << r.reason << " " << r.message;
    ++passed;
    approved.push_back({at, side, q, lim});
  }
  EXPECT_GT(duplicates, 300);
  EXPECT_GT(passed, 1000);
}

TEST(RiskLimitsTest, SymbolAllowAndDenyLists) {
  Harness allow("symbols_allow = [\"QQQ\"]\n");
  EXPECT_EQ(allow.order(Side::Buy, "1").reason, deny::kSymbolNotAllowed);
  Harness denied("symbols_deny = [\"SPY\"]\n");
  EXPECT_EQ(denied.order(Side::Buy, "1").reason, deny::kSymbolDenied);
}

TEST(RiskStatesTest, HaltedDeniesEverythingButTheKernelsOwnLiquidation) {
  Harness h;
  h.gate.set_state(TradingState::Halted, "operator");
  EXPECT_EQ(h.order(Side::Buy, "1").reason, deny::kHalted);
  h.view.positions["SPY"] = d("10");
  EXPECT_TRUE(h.order(Side::Sell, "10", std::nullopt, 30, true).approved);
}

TEST(RiskStatesTest, ReducingAllowsOnlyOrdersTowardsFlat) {
  Harness h;
  h.gate.set_state(TradingState::Reducing, "test");
  h.view.positions["SPY"] = d("100");
  EXPECT_TRUE(h.order(Side::Sell, "50").approved);
  EXPECT_EQ(h.order(Side::Buy, "1").reason, deny::kReducingOnly);
  EXPECT_EQ(h.order(Side::Sell, "101").reason, deny::kReducingOnly);  // a flip opens a new short
  h.view.open_sells["SPY"] = d("60");
  EXPECT_EQ(h.order(Side::Sell, "50").reason, deny::kReducingOnly);  // with open sells it would pass flat
  h.view.positions.clear();
  EXPECT_EQ(h.order(Side::Sell, "1").reason, deny::kReducingOnly);  // nothing to reduce
}

TEST(RiskStatesTest, DailyLossMovesToReducingUntilTheNextDay) {
  Harness h;
  const std::int64_t day = Timestamp::kNanosPerDay;
  EXPECT_FALSE(h.gate.observe_equity(d("100000"), Timestamp{10 * day}));
  EXPECT_FALSE(h.gate.observe_equity(d("98000"), Timestamp{11 * day}));  // exactly 2 %: not beyond
  EXPECT_FALSE(h.gate.observe_equity(d("98000"), Timestamp{12 * day}));
  auto trip = h.gate.observe_equity(d("96039.99"), Timestamp{12 * day + 1});  // 2.00000010 % of 98000
  ASSERT_TRUE(trip);
  EXPECT_EQ(trip->to, TradingState::Reducing);
  EXPECT_THAT(trip->reason, HasSubstr("exceeds max_daily_loss_pct 2"));
  EXPECT_EQ(h.gate.state(), TradingState::Reducing);
  auto next_day = h.gate.observe_equity(d("96039.99"), Timestamp{13 * day});
  ASSERT_TRUE(next_day);
  EXPECT_EQ(next_day->to, TradingState::Active);
}

TEST(RiskStatesTest, DrawdownHaltsWithTheConfiguredActionAndStaysHalted) {
  Harness h;
  const std::int64_t day = Timestamp::kNanosPerDay;
  h.gate.observe_equity(d("100000"), Timestamp{day});
  h.gate.observe_equity(d("110000"), Timestamp{2 * day});
  h.gate.observe_equity(d("108000"), Timestamp{3 * day});
  h.gate.observe_equity(d("106000"), Timestamp{4 * day});
  h.gate.observe_equity(d("104000"), Timestamp{5 * day});
  h.gate.observe_equity(d("102000"), Timestamp{6 * day});
  h.gate.observe_equity(d("100000"), Timestamp{7 * day});
  EXPECT_EQ(h.gate.state(), TradingState::Active);  // 9.09 % below the peak: within 10 %
  auto trip = h.gate.observe_equity(d("98999.99"), Timestamp{8 * day});
  ASSERT_TRUE(trip);
  EXPECT_EQ(trip->to, TradingState::Halted);
  ASSERT_TRUE(trip->action);
  EXPECT_EQ(*trip->action, DrawdownAction::Flatten);
  EXPECT_FALSE(h.gate.observe_equity(d("120000"), Timestamp{9 * day}));  // recovery does not resume
  EXPECT_EQ(h.gate.state(), TradingState::Halted);
  EXPECT_TRUE(h.gate.set_state(TradingState::Active, "operator"));
}

// Between two symbols' bars of one time the equity mixes new closes with old ones: it is checked
// against the limits, but it sets no peak. (One symbol up first, another down after: the peak of
// that mix, 110000, was no equity the account had: measured from it, 98900 would be 10.09 % down,
// beyond max_drawdown_pct 10.)
TEST(RiskStatesTest, AnEquityOfPartMarksIsCheckedButSetsNoPeak) {
  Harness h;
  const std::int64_t day = Timestamp::kNanosPerDay;
  h.gate.observe_equity(d("100000"), Timestamp{day});
  EXPECT_FALSE(h.gate.observe_equity(d("110000"), Timestamp{2 * day}, false));
  EXPECT_FALSE(h.gate.observe_equity(d("98900"), Timestamp{2 * day}, false));  // 1.1 % down
  EXPECT_EQ(h.gate.state(), TradingState::Active);
  EXPECT_EQ(h.gate.snapshot().peak_equity, d("100000"));
  auto trip = h.gate.observe_equity(d("89000"), Timestamp{2 * day}, false);  // 11 %: checked
  ASSERT_TRUE(trip);
  EXPECT_EQ(trip->to, TradingState::Halted);
  EXPECT_THAT(trip->reason, HasSubstr("from peak equity 100000 exceeds"));
}

// Each symbol's bars move forward, but two feeds may deliver one symbol's bar of yesterday after
// another's of today: the day never goes back (going back and forth started the day again, from
// an equity after the loss, and lifted the daily-loss REDUCING).
TEST(RiskStatesTest, AnEquityOfAnEarlierDayDoesNotStartTheDayAgain) {
  Harness h;
  const std::int64_t day = Timestamp::kNanosPerDay;
  h.gate.observe_equity(d("100000"), Timestamp{10 * day});
  ASSERT_TRUE(h.gate.observe_equity(d("97000"), Timestamp{11 * day}));  // 3 %: REDUCING
  EXPECT_FALSE(h.gate.observe_equity(d("97000"), Timestamp{10 * day + 1}, false));
  EXPECT_FALSE(h.gate.observe_equity(d("97000"), Timestamp{11 * day + 1}, false));
  EXPECT_EQ(h.gate.state(), TradingState::Reducing);
  EXPECT_EQ(h.gate.snapshot().day_start_equity, d("100000"));
}

// A day starts from the last whole time's equity, and that is what the state file keeps: not an
// equity of part of a time's marks that came after it.
TEST(RiskStatesTest, ADayStartsFromTheLastWholeEquity) {
  Harness h;
  const std::int64_t day = Timestamp::kNanosPerDay;
  h.gate.observe_equity(d("100000"), Timestamp{day});
  h.gate.observe_equity(d("99000"), Timestamp{day + 1}, false);
  EXPECT_EQ(h.gate.snapshot().last_equity, d("100000"));
  h.gate.observe_equity(d("99500"), Timestamp{2 * day}, false);
  EXPECT_EQ(h.gate.snapshot().day_start_equity, d("100000"));
}

// A tripped drawdown breaker restored from the state file does not trip (and flatten) again; a
// file that says tripped while ACTIVE cannot switch the breaker off.
TEST(RiskStatesTest, ARestoredDrawdownTripHoldsOnlyWhileHalted) {
  Harness h;
  const std::int64_t day = Timestamp::kNanosPerDay;
  PersistedRiskState saved;
  saved.state = "HALTED";
  saved.reason = "drawdown 11 %";
  saved.peak_equity = d("100000");
  saved.drawdown_tripped = true;
  h.gate.restore(saved);
  EXPECT_FALSE(h.gate.observe_equity(d("80000"), Timestamp{day}));
  Harness active;
  saved.state = "ACTIVE";
  active.gate.restore(saved);
  EXPECT_TRUE(active.gate.observe_equity(d("80000"), Timestamp{day}));
}

// The per-bar look's inline shortcut changes nothing: two gates, one fed through
// observe_partial_equity, the other through observe_equity, see the same random walk of equities
// over days (whole looks between, a resume after each trip) and must agree at every step.
TEST(RiskStatesTest, ThePartialLooksShortcutAgreesWithTheFullLook) {
  // 24/7: the shortcut holds for a UTC day; XNYS: for one time only.
  for (const char* calendar : {"calendar = \"24/7\"\n", "calendar = \"XNYS\"\n"}) {
    SCOPED_TRACE(calendar);
    Harness fast(calendar), full(calendar);
    std::uint64_t seed = 12345;
    const auto next = [&seed] {  // a fixed sequence: the test is the same at every run
      seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
      return seed >> 33;
    };
    std::int64_t raw = Decimal::from_int(100000).raw();
    std::int64_t ns = 10 * Timestamp::kNanosPerDay;
    int trips = 0;
    for (int step = 0; step < 50000; ++step) {
      // Up to two hours on, and a third of the looks at the same time (several bars of one time).
      if (next() % 3 != 0) ns += static_cast<std::int64_t>(next() % 7200) * kSecond;
      raw += (static_cast<std::int64_t>(next() % 6001) - 3000) * 100'000'000;  // -3000 .. +3000
      raw = std::max(raw, Decimal::from_int(50000).raw());
      const Decimal equity = Decimal::from_raw(raw);
      const bool whole = next() % 40 == 0;  // rare: most steps are the shortcut's
      const auto a = whole ? fast.gate.observe_equity(equity, Timestamp{ns})
                           : fast.gate.observe_partial_equity(equity, Timestamp{ns});
      const auto b = full.gate.observe_equity(equity, Timestamp{ns}, whole);
      ASSERT_EQ(a.has_value(), b.has_value()) << "step " << step;
      if (a) {
        ASSERT_EQ(a->to, b->to) << "step " << step;
        ASSERT_EQ(a->reason, b->reason) << "step " << step;
        ++trips;
      }
      ASSERT_EQ(fast.gate.state(), full.gate.state()) << "step " << step;
      const auto x = fast.gate.snapshot(), y = full.gate.snapshot();
      ASSERT_EQ(x.peak_equity, y.peak_equity) << "step " << step;
      ASSERT_EQ(x.day_start_equity, y.day_start_equity) << "step " << step;
      ASSERT_EQ(x.day, y.day) << "step " << step;
      ASSERT_EQ(x.drawdown_tripped, y.drawdown_tripped) << "step " << step;
      ASSERT_EQ(fast.gate.take_changed(), full.gate.take_changed()) << "step " << step;
      // The other ways the state changes, on both gates alike: an operator's resume, the
      // failsafe's halt, stale data (REDUCING, then ACTIVE again), an anomaly's hold.
      switch (next() % 200) {
        case 0:
          fast.gate.resume("operator");
          full.gate.resume("operator");
          break;
        case 1:
          fast.gate.set_state(TradingState::Halted, "heartbeats missed");
          full.gate.set_state(TradingState::Halted, "heartbeats missed");
          break;
        case 2:
          fast.gate.set_state(TradingState::Reducing, "stale market data");
          full.gate.set_state(TradingState::Reducing, "stale market data");
          break;
        case 3:
          if (fast.gate.state() == TradingState::Reducing) {
            fast.gate.set_state(TradingState::Active, "market data is fresh again");
            full.gate.set_state(TradingState::Active, "market data is fresh again");
          }
          break;
        case 4:
          fast.gate.hold_reducing("anomaly");
          full.gate.hold_reducing("anomaly");
          break;
        default:
          break;
      }
    }
    EXPECT_GT(trips, 5);  // the walk did trip the breakers, more than once
  }
}

// Percentages of a loss whose hundredfold leaves the decimal range (beyond about 922 million)
// are worked out all the same: the breaker trips and the day's P&L reads, nothing throws.
TEST(RiskStatesTest, ALossBeyondTheDecimalsHundredfoldIsMeasured) {
  Harness h;
  const std::int64_t day = Timestamp::kNanosPerDay;
  h.gate.observe_equity(d("5000000000"), Timestamp{day});
  h.gate.observe_equity(d("5000000000"), Timestamp{2 * day});
  auto trip = h.gate.observe_equity(d("4000000000"), Timestamp{2 * day + 1});  // -1e9: 20 %
  ASSERT_TRUE(trip);
  EXPECT_THAT(trip->reason, HasSubstr("drawdown 20 % from peak equity 5000000000"));
  EXPECT_EQ(h.gate.daily_pnl_pct(), d("-20"));
}

// A broker anomaly during a daily-loss REDUCING: the next day no longer lifts it.
TEST(RiskStatesTest, AnAnomalyHoldsADailyLossReducingForAnOperator) {
  Harness h;
  const std::int64_t day = Timestamp::kNanosPerDay;
  EXPECT_FALSE(h.gate.hold_reducing("anomaly"));  // ACTIVE: nothing to hold
  h.gate.observe_equity(d("100000"), Timestamp{10 * day});
  ASSERT_TRUE(h.gate.observe_equity(d("97000"), Timestamp{11 * day}));  // REDUCING
  EXPECT_TRUE(h.gate.hold_reducing("broker x reported what it cannot interpret"));
  EXPECT_FALSE(h.gate.observe_equity(d("97000"), Timestamp{12 * day}));
  EXPECT_EQ(h.gate.state(), TradingState::Reducing);
  EXPECT_EQ(h.gate.state_reason(), "broker x reported what it cannot interpret");
  EXPECT_FALSE(h.gate.snapshot().reducing_for_daily_loss);
  EXPECT_TRUE(h.gate.resume("operator"));
}

// HALTED for another cause (a full journal, say), positions stay open: a drawdown beyond the
// limit still runs its action, once, until an operator resumes.
TEST(RiskStatesTest, TheDrawdownBreakerTripsWhileHaltedForAnotherCause) {
  Harness h;
  const std::int64_t day = Timestamp::kNanosPerDay;
  h.gate.observe_equity(d("100000"), Timestamp{day});
  ASSERT_TRUE(h.gate.set_state(TradingState::Halted, "journal full"));
  auto trip = h.gate.observe_equity(d("89000"), Timestamp{2 * day});
  ASSERT_TRUE(trip);
  EXPECT_EQ(trip->from, TradingState::Halted);
  EXPECT_EQ(trip->to, TradingState::Halted);
  ASSERT_TRUE(trip->action);
  EXPECT_EQ(*trip->action, DrawdownAction::Flatten);
  EXPECT_THAT(trip->reason, HasSubstr("exceeds max_drawdown_pct 10 (HALTED before: journal full)"));
  EXPECT_TRUE(h.gate.snapshot().drawdown_tripped);
  EXPECT_FALSE(h.gate.observe_equity(d("80000"), Timestamp{3 * day}));  // once
  ASSERT_TRUE(h.gate.resume("operator"));
  EXPECT_FALSE(h.gate.snapshot().drawdown_tripped);
}

// The per-bar shortcut: an equity at or above the floor has lost no more than the limit, worked
// out the way the breakers do; where the product cannot be formed, the floor is the reference.
TEST(RiskStatesTest, AnEquityAtTheLossFloorIsWithinTheLimit) {
  for (const char* reference :
       {"100000", "98000", "12345.67891234", "1", "0.00000003", "900000000"})
    for (const char* max : {"0", "0.0001", "2", "10", "33.33333333", "99.99999999", "100"}) {
      LossFloor f;
      const Decimal ref = d(reference), floor = f.of(ref, d(max));
      EXPECT_LE(floor, ref + Decimal::from_raw(2)) << reference << " " << max;
      if (floor < ref) {
        EXPECT_LE((ref - floor) * Decimal::from_int(100) / ref, d(max)) << reference << " " << max;
        // Tight: a few units of the last place above the bound (the exact path below it).
        EXPECT_LE(floor, ref - ref * d(max) / Decimal::from_int(100) + Decimal::from_raw(3))
            << reference << " " << max;
      }
    }
  LossFloor f;
  EXPECT_EQ(f.of(d("50000000000"), d("100")), d("50000000000"));  // 5e12 does not fit
}

TEST(RiskConfigTest, EveryLimitIsRequiredAndOverridesOnlyTighten) {
  try {
    parse_config("[risk]\nmax_order_quantity = \"10\"\n[[plugin]]\nid = \"p\"\nlibrary = \"x\"\n", "/t/m.toml");
    FAIL() << "accepted a [risk] table with missing limits";
  } catch (const ConfigError& e) {
    EXPECT_THAT(e.what(), HasSubstr("risk.max_order_notional: missing limit (there is no implicit \"unlimited\")"));
    EXPECT_THAT(e.what(), HasSubstr("risk.drawdown_action: missing"));
  }
  try {
    parse_config("[[plugin]]\nid = \"p\"\nlibrary = \"x\"\n", "/t/m.toml");
    FAIL() << "accepted a config without [risk]";
  } catch (const ConfigError& e) {
    EXPECT_THAT(e.what(), HasSubstr("missing [risk] table: Mercurio does not trade without limits (fail closed)"));
  }
  const std::string base = mercurio::test::kGenerousRiskTable;
  try {
    parse_config(base + "[[plugin]]\nid = \"p\"\nlibrary = \"x\"\n[plugin.risk]\nmax_order_quantity = \"2000000\"\n", "/t/m.toml");
    FAIL() << "accepted a looser override";
  } catch (const ConfigError& e) {
    EXPECT_THAT(e.what(), HasSubstr("plugin[p].risk.max_order_quantity: an override can only tighten [risk]: expected at most 1000000, was 2000000"));
  }
  const Config c = parse_config(base + "[[plugin]]\nid = \"p\"\nlibrary = \"x\"\n[plugin.risk]\nmax_order_quantity = \"5\"\nsymbols_deny = [\"GME\"]\n", "/t/m.toml");
  ASSERT_TRUE(c.plugins[0].risk);
  const EffectiveLimits e = combine(c.risk.limits, nullptr, &*c.plugins[0].risk);
  EXPECT_EQ(e.max_order_quantity, d("5"));
  EXPECT_EQ(e.max_order_notional, d("100000000"));
  EXPECT_EQ(e.symbols_deny.count("GME"), 1u);
}

// Two strategies on one broker, each with the effective limits its overrides give.
struct TwoStrategies {
  FakeView view;
  RiskGate gate;
  Timestamp now{1'000 * kSecond};
  std::int64_t next_id = 1;
  TwoStrategies(const RiskConfig& c, const RiskLimits* broker, const RiskLimits* first,
                const RiskLimits* second) {
    gate = RiskGate(c, {combine(c.limits, broker, first), combine(c.limits, broker, second)},
                    {0, 0}, {combine(c.limits, broker, nullptr)}, &view);
    view.refs["SPY"] = {d("100"), now};
  }
  RiskDecision order(std::size_t strategy, const char* qty, std::int64_t advance_s) {
    OrderIntent in;
    in.symbol = "SPY";
    in.side = Side::Buy;
    in.quantity = d(qty);
    now.ns += advance_s * kSecond;
    view.refs["SPY"].ts = now;
    const std::string id = "s" + std::to_string(strategy);
    RiskRequest r{in,
                  ClientOrderId(id + "-" + std::to_string(next_id++)),
                  id,
                  strategy,
                  0,
                  true,
                  true,
                  now,
                  view.symbol_exposure(in.symbol)};
    return gate.check(r);
  }
};

// A broker's [plugin.risk] order rate is its own budget, shared by every strategy trading on it
// (was: the broker's bucket ran at [risk]'s rate, so three strategies sent three times its limit).
TEST(RiskLimitsTest, ABrokersOwnOrderRateLimitsAllItsStrategiesTogether) {
  const RiskConfig c =
      config_with();  // [risk]: 60 a minute, burst 5 (distinct orders: no duplicates)
  RiskLimits venue;
  venue.max_orders_per_minute = 2;
  venue.order_burst = 2;
  TwoStrategies h(c, &venue, nullptr, nullptr);
  EXPECT_TRUE(h.order(0, "1", 0).approved);
  EXPECT_TRUE(h.order(1, "2", 0).approved);
  const RiskDecision third = h.order(1, "3", 0);
  EXPECT_EQ(third.reason, deny::kBrokerRate);
  EXPECT_EQ(third.message, "expected at most 2 orders per minute to this broker");
  EXPECT_EQ(h.order(0, "4", 0).reason, deny::kBrokerRate);
  EXPECT_TRUE(h.order(0, "5", 30).approved);  // one token back after half a minute
}

// The duplicate guard remembers a broker's orders as long as its longest window: a strategy with
// a shorter one (here [risk]'s) does not forget what another's longer window still checks.
TEST(RiskLimitsTest, AShortDuplicateWindowDoesNotForgetAnotherStrategysOrders) {
  const RiskConfig c = config_with();  // [risk] duplicate_window_seconds = 10
  RiskLimits longer;
  longer.duplicate_window_seconds = 60;
  TwoStrategies h(c, nullptr, &longer, nullptr);
  EXPECT_TRUE(h.order(0, "5", 0).approved);
  EXPECT_TRUE(
      h.order(1, "6", 20).approved);  // strategy 1's own window (10 s) expires nothing it needs
  const RiskDecision dup = h.order(0, "5", 10);
  EXPECT_EQ(dup.reason, deny::kDuplicateOrder);
  EXPECT_THAT(dup.message, HasSubstr("was approved 30 s ago (window 60 s)"));
  EXPECT_TRUE(h.order(1, "5", 0).approved);  // 30 s ago is outside strategy 1's 10 s window
}

// For the duplicate window a longer window is the tighter limit: an override may lengthen it, never
// shorten it (0 would switch the guard off for that plugin).
TEST(RiskConfigTest, ADuplicateWindowOverrideCanOnlyLengthenIt) {
  const std::string base = mercurio::test::kGenerousRiskTable;
  const std::string risk = std::string(base).replace(
      base.find("duplicate_window_seconds = 0"), std::string("duplicate_window_seconds = 0").size(),
      "duplicate_window_seconds = 30");
  try {
    parse_config(risk +
                     "[[plugin]]\nid = \"p\"\nlibrary = "
                     "\"x\"\n[plugin.risk]\nduplicate_window_seconds = 0\n",
                 "/t/m.toml");
    FAIL() << "accepted a shorter duplicate window";
  } catch (const ConfigError& e) {
    EXPECT_THAT(
        e.what(),
        HasSubstr("plugin[p].risk.duplicate_window_seconds: an override can only tighten [risk]: "
                  "expected at least 30, was 0"));
  }
  const Config c = parse_config(
      risk +
          "[[plugin]]\nid = \"p\"\nlibrary = \"x\"\n[plugin.risk]\nduplicate_window_seconds = 90\n",
      "/t/m.toml");
  ASSERT_TRUE(c.plugins[0].risk);
  EXPECT_EQ(combine(c.risk.limits, nullptr, &*c.plugins[0].risk).duplicate_window_seconds, 90);
  EXPECT_EQ(combine(c.risk.limits, &*c.plugins[0].risk, nullptr).duplicate_window_seconds, 90);
}

// Only a broker's override names the venue's calendar; combine() never takes a strategy's.
TEST(RiskConfigTest, OnlyTheBrokersOverrideSetsTheCalendar) {
  const RiskConfig c = config_with();  // [risk] calendar = "XNYS"
  RiskLimits crypto;
  crypto.calendar = "24/7";
  EXPECT_EQ(combine(c.limits, &crypto, nullptr).calendar, "24/7");
  EXPECT_EQ(combine(c.limits, nullptr, &crypto).calendar, "XNYS");
}

TEST(RiskStatesTest, AResumeRearmsTheBreakersFromTheNextEquity) {
  Harness h;
  const std::int64_t day = Timestamp::kNanosPerDay;
  h.gate.observe_equity(d("100000"), Timestamp{day});
  ASSERT_TRUE(h.gate.observe_equity(d("89000"), Timestamp{2 * day}));  // 11 %: HALTED
  ASSERT_TRUE(h.gate.resume("operator"));
  // An equity of part of a time's marks (here one with a stale mark) is no reference, and is not
  // measured from the old one either (the loss that tripped the breaker would trip it again).
  EXPECT_FALSE(h.gate.observe_equity(d("100000"), Timestamp{2 * day + 1}, false));
  EXPECT_FALSE(h.gate.observe_equity(d("87000"), Timestamp{2 * day + 1}, false));
  EXPECT_EQ(h.gate.state(), TradingState::Active);
  EXPECT_FALSE(h.gate.observe_equity(d("88000"), Timestamp{2 * day + 1}));  // the new reference
  EXPECT_EQ(h.gate.state(), TradingState::Active);
  ASSERT_TRUE(h.gate.observe_equity(d("79000"), Timestamp{2 * day + 2}));  // 10.2 % below 88000
  EXPECT_EQ(h.gate.state(), TradingState::Halted);
}

TEST(RiskLimitsTest, MarketHoursFollowTheVenueCalendar) {
  Harness h("allow_outside_market_hours = false\n");
  // 2025-12-24 is an early close: open 14:30Z, close 18:00Z.
  h.now = *Timestamp::parse_iso8601("2025-12-24T14:29:00Z");
  auto before = h.order(Side::Buy, "1", std::nullopt, 0);
  EXPECT_EQ(before.reason, deny::kMarketClosed);
  EXPECT_THAT(before.message, HasSubstr("expected the XNYS market to be open, it is closed at 2025-12-24T14:29:00Z (next open 2025-12-24T14:30:00Z)"));
  h.now = *Timestamp::parse_iso8601("2025-12-24T14:30:00Z");
  EXPECT_TRUE(h.order(Side::Buy, "2", std::nullopt, 0).approved);
  h.now = *Timestamp::parse_iso8601("2025-12-24T18:00:00Z");
  EXPECT_EQ(h.order(Side::Buy, "3", std::nullopt, 0).reason, deny::kMarketClosed);
  h.now = *Timestamp::parse_iso8601("1990-01-02T15:00:00Z");  // outside the calendar's range: fail closed
  EXPECT_THAT(h.order(Side::Buy, "4", std::nullopt, 0).message, HasSubstr("cannot tell whether the market is open"));

  Harness crypto("allow_outside_market_hours = false\n");
  RiskConfig c = config_with("allow_outside_market_hours = false\n");
  RiskLimits venue;
  venue.calendar = "24/7";
  crypto.gate = RiskGate(c, {combine(c.limits, &venue, nullptr)}, {0},
                         {combine(c.limits, &venue, nullptr)}, &crypto.view);
  crypto.now = *Timestamp::parse_iso8601("2025-12-25T03:00:00Z");
  EXPECT_TRUE(crypto.order(Side::Buy, "1", std::nullopt, 0).approved);
}

TEST(RiskStatesTest, TheTradingDayIsTheCalendarsSessionDate) {
  Harness h;  // [risk] calendar = "XNYS"
  auto at = [](const char* iso) { return *Timestamp::parse_iso8601(iso); };
  h.gate.observe_equity(d("100000"), at("2025-12-24T15:00:00Z"));  // session 2025-12-24
  h.gate.observe_equity(d("99000"), at("2025-12-24T17:59:00Z"));
  EXPECT_EQ(h.gate.daily_pnl_pct(), d("-1"));
  // After the (early) close the instant belongs to the next session, 2025-12-26: a new day whose
  // reference is the last equity of the previous one.
  h.gate.observe_equity(d("99000"), at("2025-12-24T23:00:00Z"));
  h.gate.observe_equity(d("97020"), at("2025-12-26T15:00:00Z"));
  EXPECT_EQ(h.gate.daily_pnl_pct(), d("-2"));
  EXPECT_EQ(h.gate.state(), TradingState::Active);  // exactly 2 %: not beyond max_daily_loss_pct
}

TEST(RiskLimitsTest, AnOrderWhoseValueOverflowsIsDeniedNotThrown) {
  Harness h;
  RiskConfig c = config_with();
  c.limits.max_order_quantity = d("20000000000");  // a limit too wide to stop the order earlier
  h.gate = RiskGate(c, {combine(c.limits, nullptr, nullptr)}, {0},
                    {combine(c.limits, nullptr, nullptr)}, &h.view);
  h.view.refs["SPY"].price = d("90000");
  RiskDecision r;
  EXPECT_NO_THROW(r = h.order(Side::Buy, "10000000000"));
  EXPECT_EQ(r.reason, deny::kOrderNotional);
  EXPECT_THAT(r.message, HasSubstr("out of range"));
}

// The rejection breaker's limit is optional in [risk]: without it, 5 rejections in a row.
TEST(RiskLimitsTest, TheRejectionBreakerDefaultsToFiveInARow) {
  EXPECT_EQ(config_with().max_consecutive_rejections, 5);
  EXPECT_EQ(config_with("max_consecutive_rejections = 2\n").max_consecutive_rejections, 2);
}
