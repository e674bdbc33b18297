#include "buy_and_hold_strategy.hpp"

namespace example::buy_and_hold {

using namespace mercurio::sdk;

Status BuyAndHoldStrategy::on_start(StrategyContext& ctx) { return ctx.subscribe_bars(settings_.symbol); }

void BuyAndHoldStrategy::on_bar(StrategyContext& ctx, const Bar& bar) {
  if (ordered_ || bar.symbol != settings_.symbol) return;
  OrderIntent intent;
  intent.symbol = settings_.symbol;
  intent.side = Side::Buy;
  intent.type = OrderType::Market;
  intent.time_in_force = TimeInForce::Day;
  intent.quantity = settings_.quantity;
  intent.tag = "buy-and-hold";
  const auto id = ctx.submit(intent);  // goes through the kernel's risk gate; never throws
  if (id)
    ctx.logger().info("bought " + settings_.quantity.to_string() + " " + settings_.symbol.str() + " as " + id->str());
  else
    ctx.logger().warn("order refused: " + id.status().message());
  ordered_ = true;
}

}  // namespace example::buy_and_hold
