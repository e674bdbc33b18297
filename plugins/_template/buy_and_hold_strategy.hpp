#pragma once
// Buys once, on the first bar, and holds: the smallest useful strategy.

#include "config.hpp"
#include "mercurio/sdk/strategy.hpp"

namespace example::buy_and_hold {

class BuyAndHoldStrategy final : public mercurio::sdk::Strategy {
 public:
  explicit BuyAndHoldStrategy(const mercurio::sdk::ConfigView& config) : settings_(Settings::from(config)) {}

  mercurio::sdk::Status on_start(mercurio::sdk::StrategyContext& ctx) override;
  void on_bar(mercurio::sdk::StrategyContext& ctx, const mercurio::sdk::Bar& bar) override;

 private:
  Settings settings_;
  bool ordered_ = false;
};

}  // namespace example::buy_and_hold
