#pragma once
/// @file sizing.hpp
/// Position sizing helpers for strategies. The kernel's risk gate still caps what they ask for.

#include "mercurio/sdk/decimal.hpp"

namespace mercurio::sdk {

/// Quantity worth `percent` % of `capital` (equity or buying power) at `price`, rounded down to
/// `lot_size`. Zero when any input is not positive.
inline Decimal position_size_pct(Decimal capital, Decimal percent, Decimal price, Decimal lot_size) {
  if (!capital.is_positive() || !percent.is_positive() || !price.is_positive() || !lot_size.is_positive())
    return Decimal{};
  const Decimal budget = capital * percent / Decimal::from_int(100);
  return (budget / price).round_down_to(lot_size);
}

/// Quantity such that a move from `price` to `stop` loses `equity × max_position_risk`
/// (a fraction, e.g. 0.01 for 1 %), rounded down to `lot_size`. Zero when price equals stop.
inline Decimal position_size_risk(Decimal equity, Decimal max_position_risk, Decimal price, Decimal stop,
                                  Decimal lot_size) {
  const Decimal distance = (price - stop).abs();
  if (!equity.is_positive() || !max_position_risk.is_positive() || distance.is_zero() || !lot_size.is_positive())
    return Decimal{};
  return (equity * max_position_risk / distance).round_down_to(lot_size);
}

}  // namespace mercurio::sdk
