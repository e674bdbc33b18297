#pragma once
/// @file sizing.hpp
/// Position sizing helpers for strategies. The kernel's risk gate still caps what they ask for.

#include "mercurio/sdk/decimal.hpp"

namespace mercurio::sdk {

/// Quantity worth at most `percent` % of `capital` (equity or buying power) at `price`, rounded
/// down to `lot_size`: its value never exceeds the budget, even where the quotient rounds up to a
/// lot. Zero when any input is not positive, and when the budget or the quantity would leave the
/// decimal range (no trade rather than an exception that stops the strategy). Capital x percent
/// beyond the range is divided by 100 first.
inline Decimal position_size_pct(Decimal capital, Decimal percent, Decimal price, Decimal lot_size) {
  if (!capital.is_positive() || !percent.is_positive() || !price.is_positive() || !lot_size.is_positive())
    return Decimal{};
  const Decimal hundred = Decimal::from_int(100);
  try {
    Decimal budget;
    try {
      budget = capital * percent / hundred;
    } catch (const DecimalError&) {
      budget = capital / hundred * percent;  // 1e-8 of precision lost on sums beyond 9e10
    }
    Decimal quantity = (budget / price).round_down_to(lot_size);
    if (quantity.is_positive() && quantity * price > budget) quantity -= lot_size;
    return quantity;
  } catch (const DecimalError&) {
    return Decimal{};
  }
}

/// Quantity such that a move from `price` to `stop` loses `equity × max_position_risk`
/// (a fraction, e.g. 0.01 for 1 %), rounded down to `lot_size`. Zero when an input is not
/// positive (a stop may be 0: the whole price at risk), when price equals stop, and when the
/// quantity would leave the decimal range (a stop a few hundred-millionths away): no trade rather
/// than an exception that stops the strategy.
inline Decimal position_size_risk(Decimal equity, Decimal max_position_risk, Decimal price, Decimal stop,
                                  Decimal lot_size) {
  if (!equity.is_positive() || !max_position_risk.is_positive() || !price.is_positive() ||
      stop.is_negative() || !lot_size.is_positive())
    return Decimal{};
  const Decimal distance = (price - stop).abs();
  if (distance.is_zero()) return Decimal{};
  try {
    return (equity * max_position_risk / distance).round_down_to(lot_size);
  } catch (const DecimalError&) {
    return Decimal{};
  }
}

}  // namespace mercurio::sdk
