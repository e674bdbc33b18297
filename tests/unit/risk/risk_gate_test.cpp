#include "risk/risk_gate.hpp"

#include <gtest/gtest.h>

using namespace mercurio::kernel;
using namespace mercurio::sdk;

namespace {
Decimal d(const char* s) { return Decimal::from_string(s); }
struct Fixture {
  ClientOrderId id{"ma-1"};
  std::string strategy{"ma"};
  RiskDecision check(const OrderIntent& in, bool enabled = true, bool broker = true) {
    RiskGate gate;
    return gate.check({in, id, strategy, 0, 0, enabled, broker, Timestamp{42}, SymbolExposure{}});
  }
};
OrderIntent intent(OrderType type, const char* qty = "10") {
  OrderIntent in;
  in.symbol = "SPY";
  in.type = type;
  in.quantity = d(qty);
  return in;
}
}  // namespace

TEST(RiskGateTest, ApprovesWellFormedOrdersWithTheKernelsId) {
  Fixture f;
  auto r = f.check(intent(OrderType::Market));
  ASSERT_TRUE(r.approved);
  EXPECT_EQ(r.approved->client_order_id().str(), "ma-1");
  EXPECT_EQ(r.approved->strategy_id(), "ma");
  EXPECT_EQ(r.approved->approved_at(), Timestamp{42});
  EXPECT_EQ(r.approved->intent().quantity, d("10"));
}

TEST(RiskGateTest, DeniesMalformedIntentsWithStableCodes) {
  Fixture f;
  auto limit = intent(OrderType::Limit);
  EXPECT_EQ(f.check(limit).reason, deny::kMissingLimitPrice);
  limit.limit_price = d("0");
  EXPECT_EQ(f.check(limit).reason, deny::kInvalidPrice);
  auto market = intent(OrderType::Market);
  market.limit_price = d("1");
  EXPECT_EQ(f.check(market).reason, deny::kUnexpectedLimitPrice);
  auto stop = intent(OrderType::Stop);
  EXPECT_EQ(f.check(stop).reason, deny::kMissingStopPrice);
  auto stop_limit = intent(OrderType::StopLimit);
  stop_limit.limit_price = d("10");
  EXPECT_EQ(f.check(stop_limit).reason, deny::kMissingStopPrice);
  stop_limit.stop_price = d("9");
  EXPECT_TRUE(f.check(stop_limit).approved);
  auto with_stop = intent(OrderType::Limit);
  with_stop.limit_price = d("10");
  with_stop.stop_price = d("9");
  EXPECT_EQ(f.check(with_stop).reason, deny::kUnexpectedStopPrice);
  EXPECT_EQ(f.check(intent(OrderType::Market, "0")).reason, deny::kInvalidQuantity);
  EXPECT_EQ(f.check(intent(OrderType::Market, "-1")).message, "expected quantity > 0, was -1");
  auto no_symbol = intent(OrderType::Market);
  no_symbol.symbol = "";
  EXPECT_EQ(f.check(no_symbol).reason, deny::kInvalidSymbol);
}

// Text that would not read back as it was written (the journal, reports, the paper broker's
// state file) or that a log line would show raw is refused before any limit is looked at.
TEST(RiskGateTest, DeniesTextThatIsNotUtf8AndSymbolsWithControlCharacters) {
  Fixture f;
  const auto with_tag = [](std::string tag) {
    auto in = intent(OrderType::Market);
    in.tag = std::move(tag);
    return in;
  };
  for (const std::string good :
       {"", "golden-cross", "caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x93\x88", "line\nbreak"})
    EXPECT_TRUE(f.check(with_tag(good)).approved) << good;
  struct Bad {
    std::string tag;
    std::size_t at;
  };
  for (const Bad& bad : {Bad{"ab\xFF", 2}, Bad{"\x80", 0}, Bad{"x\xC3", 1}, Bad{"\xC0\xAF", 0},
                         Bad{"\xE0\x80\xAF", 0}, Bad{"ok\xED\xA0\x80", 2},
                         Bad{"\xF4\x90\x80\x80", 0}, Bad{"\xC3\xA9\xE2\x82", 2}}) {
    const RiskDecision d = f.check(with_tag(bad.tag));
    EXPECT_FALSE(d.approved);
    EXPECT_EQ(d.reason, deny::kInvalidTag);
    EXPECT_EQ(d.message, "expected a tag in UTF-8, byte " + std::to_string(bad.at) + " of " +
                             std::to_string(bad.tag.size()) + " is not");
  }
  auto control = intent(OrderType::Market);
  control.symbol = "SP\nY";
  EXPECT_EQ(f.check(control).reason, deny::kInvalidSymbol);
  EXPECT_EQ(f.check(control).message,
            "expected a symbol without control characters, byte 2 is one");
  control.symbol = "SPY\x7F";
  EXPECT_EQ(f.check(control).reason, deny::kInvalidSymbol);
  control.symbol = "AB\xC2\x85";  // NEL, a C1 control
  EXPECT_EQ(f.check(control).message,
            "expected a symbol without control characters, byte 2 is one");
  control.symbol = "\xC2\xA0";  // a no-break space is not a control character
  EXPECT_TRUE(f.check(control).approved);
  // The kernel's flatten of a position the broker reported under such a name is not refused.
  control.symbol = "SP\nY";
  RiskGate gate;
  EXPECT_TRUE(gate.check({control, f.id, f.strategy, 0, 0, true, true, Timestamp{42},
                          SymbolExposure{}, true})
                  .approved);
  // Nor is one whose text the kernel checked when a strategy subscribed to it.
  RiskRequest vouched{control, f.id, f.strategy, 0, 0, true, true, Timestamp{42}, SymbolExposure{}};
  vouched.symbol_text_checked = true;
  EXPECT_TRUE(gate.check(vouched).approved);
  auto latin1 = intent(OrderType::Market);
  latin1.symbol = "CAF\xC9";
  EXPECT_EQ(f.check(latin1).reason, deny::kInvalidSymbol);
  EXPECT_EQ(f.check(latin1).message, "expected a symbol in UTF-8, byte 3 is not");
  latin1.symbol = "AB\xC2Z";  // C2 before an ASCII byte: bad UTF-8, not a C1 control
  EXPECT_EQ(f.check(latin1).message, "expected a symbol in UTF-8, byte 2 is not");
}

TEST(RiskGateTest, DeniesDisabledStrategiesAndUnavailableBrokers) {
  Fixture f;
  EXPECT_EQ(f.check(intent(OrderType::Market), false, true).reason, deny::kStrategyDisabled);
  EXPECT_EQ(f.check(intent(OrderType::Market), true, false).reason, deny::kBrokerUnavailable);
}

TEST(RiskGateTest, OnlyTheGateCanMakeAnApprovedOrder) {
  static_assert(!std::is_default_constructible_v<ApprovedOrder>);
  static_assert(!std::is_default_constructible_v<ApprovedOrder::Key>);
  static_assert(!std::is_constructible_v<ApprovedOrder, ClientOrderId, OrderIntent, std::string, Timestamp>);
  SUCCEED();
}
