#include "risk/risk_gate.hpp"

namespace mercurio::kernel {
namespace {
RiskDecision denied(const char* reason, std::string message) { return {std::nullopt, reason, std::move(message)}; }
}  // namespace

RiskDecision RiskGate::check(const RiskRequest& r) const {
  const sdk::OrderIntent& in = r.intent;
  if (!r.strategy_enabled) return denied(deny::kStrategyDisabled, "strategy " + r.strategy_id + " is disabled after a fault");
  if (!r.broker_available) return denied(deny::kBrokerUnavailable, "the strategy's broker is faulted or stopped");
  if (in.symbol.empty()) return denied(deny::kInvalidSymbol, "expected a symbol, was empty");
  if (!in.quantity.is_positive())
    return denied(deny::kInvalidQuantity, "expected quantity > 0, was " + in.quantity.to_string());
  const bool needs_limit = in.type == sdk::OrderType::Limit || in.type == sdk::OrderType::StopLimit;
  const bool needs_stop = in.type == sdk::OrderType::Stop || in.type == sdk::OrderType::StopLimit;
  const std::string type(sdk::to_string(in.type));
  if (needs_limit && !in.limit_price)
    return denied(deny::kMissingLimitPrice, "expected a limit price for a " + type + " order, was none");
  if (!needs_limit && in.limit_price)
    return denied(deny::kUnexpectedLimitPrice, "expected no limit price for a " + type + " order, was " + in.limit_price->to_string());
  if (needs_stop && !in.stop_price)
    return denied(deny::kMissingStopPrice, "expected a stop price for a " + type + " order, was none");
  if (!needs_stop && in.stop_price)
    return denied(deny::kUnexpectedStopPrice, "expected no stop price for a " + type + " order, was " + in.stop_price->to_string());
  if (in.limit_price && !in.limit_price->is_positive())
    return denied(deny::kInvalidPrice, "expected limit price > 0, was " + in.limit_price->to_string());
  if (in.stop_price && !in.stop_price->is_positive())
    return denied(deny::kInvalidPrice, "expected stop price > 0, was " + in.stop_price->to_string());
  return {sdk::ApprovedOrder(sdk::ApprovedOrder::Key{}, r.id, in, r.strategy_id, r.now), {}, {}};
}

}  // namespace mercurio::kernel
