#include "fill_simulator.hpp"

#include <algorithm>

namespace mercurio::brokers::paper {

using sdk::Decimal;
using sdk::Side;

namespace {

const Decimal kTenThousand = Decimal::from_int(10'000);
const Decimal kHundred = Decimal::from_int(100);

// A limit never fills worse than its limit, even after slippage.
Decimal cap_at_limit(Decimal price, Side side, Decimal limit) {
  return side == Side::Buy ? std::min(price, limit) : std::max(price, limit);
}

// Plain limit rule: a buy fills when the bar trades at or below the limit, at the open when the
// bar already opens through it (a better price), otherwise at the limit. Sells mirror it.
std::optional<Decimal> match_limit(Side side, Decimal limit, const sdk::Bar& bar) {
  if (side == Side::Buy) {
    if (bar.low <= limit) return std::min(bar.open, limit);
  } else {
    if (bar.high >= limit) return std::max(bar.open, limit);
  }
  return std::nullopt;
}

// Stop trigger: a buy stop triggers when the bar trades at or above the stop; the trigger price
// is the stop, or the open when the bar gaps through it. Sells mirror it.
std::optional<Decimal> stop_trigger_price(Side side, Decimal stop, const sdk::Bar& bar) {
  if (side == Side::Buy) {
    if (bar.high >= stop) return std::max(bar.open, stop);
  } else {
    if (bar.low <= stop) return std::min(bar.open, stop);
  }
  return std::nullopt;
}

}  // namespace

Decimal apply_slippage(Decimal price, Side side, Decimal bps) {
  if (bps.is_zero()) return price;
  const Decimal fraction = bps / kTenThousand;
  const Decimal one = Decimal::from_int(1);
  return side == Side::Buy ? price * (one + fraction) : price * (one - fraction);
}

Decimal commission_for(const CommissionModel& model, Decimal quantity, Decimal price) {
  Decimal fee = model.per_share * quantity;
  if (!model.percent.is_zero()) fee += model.percent / kHundred * (quantity * price);
  return std::max(fee, model.minimum);
}

MatchOutcome match_order(const OrderTerms& order, const sdk::Bar& bar, Decimal slippage_bps) {
  MatchOutcome out;
  switch (order.type) {
    case sdk::OrderType::Market:
      out.fill_price = apply_slippage(bar.open, order.side, slippage_bps);
      break;
    case sdk::OrderType::Limit:
      out.fill_price = match_limit(order.side, *order.limit_price, bar);
      break;
    case sdk::OrderType::Stop:
      if (auto trigger = stop_trigger_price(order.side, *order.stop_price, bar))
        out.fill_price = apply_slippage(*trigger, order.side, slippage_bps);
      break;
    case sdk::OrderType::StopLimit: {
      const Decimal limit = *order.limit_price;
      if (order.stop_triggered) {
        out.fill_price = match_limit(order.side, limit, bar);
        break;
      }
      const auto trigger = stop_trigger_price(order.side, *order.stop_price, bar);
      if (!trigger) break;
      out.triggered_now = true;
      const bool marketable = order.side == Side::Buy ? *trigger <= limit : *trigger >= limit;
      if (marketable) {
        out.fill_price =
            cap_at_limit(apply_slippage(*trigger, order.side, slippage_bps), order.side, limit);
      } else {
        // Triggered beyond the limit: the order now rests at its limit and fills in this bar
        // only if the bar also trades back to the limit after the trigger.
        const bool reaches = order.side == Side::Buy ? bar.low <= limit : bar.high >= limit;
        if (reaches) out.fill_price = limit;
      }
      break;
    }
  }
  return out;
}

std::string order_terms_problem(const sdk::OrderIntent& in) {
  if (!in.quantity.is_positive()) return "quantity: expected > 0, was " + in.quantity.to_string();
  const bool needs_limit = in.type == sdk::OrderType::Limit || in.type == sdk::OrderType::StopLimit;
  const bool needs_stop = in.type == sdk::OrderType::Stop || in.type == sdk::OrderType::StopLimit;
  const auto type = [&] { return std::string(to_string(in.type)); };  // messages only
  if (needs_limit && !in.limit_price) return type() + " order needs a limit price, none given";
  if (needs_limit && !in.limit_price->is_positive())
    return "limit price: expected > 0, was " + in.limit_price->to_string();
  if (!needs_limit && in.limit_price)
    return type() + " order must not carry a limit price, was " + in.limit_price->to_string();
  if (needs_stop && !in.stop_price) return type() + " order needs a stop price, none given";
  if (needs_stop && !in.stop_price->is_positive())
    return "stop price: expected > 0, was " + in.stop_price->to_string();
  if (!needs_stop && in.stop_price)
    return type() + " order must not carry a stop price, was " + in.stop_price->to_string();
  return {};
}

}  // namespace mercurio::brokers::paper
