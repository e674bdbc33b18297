#include <gtest/gtest.h>

#include <stdexcept>

#include "config.hpp"

using namespace example::buy_and_hold;

TEST(BuyAndHoldConfigTest, ReadsSymbolAndQuantity) {
  mercurio::sdk::ConfigView view("bh", {{"symbol", std::string("SPY")}, {"quantity", mercurio::sdk::Decimal::from_int(5)}});
  const Settings s = Settings::from(view);
  EXPECT_EQ(s.symbol.str(), "SPY");
  EXPECT_EQ(s.quantity, mercurio::sdk::Decimal::from_int(5));
}

TEST(BuyAndHoldConfigTest, RefusesAnEmptySymbol) {
  mercurio::sdk::ConfigView view("bh", {{"symbol", std::string("")}, {"quantity", mercurio::sdk::Decimal::from_int(5)}});
  EXPECT_THROW(Settings::from(view), std::invalid_argument);
}
