#pragma once
// Open order quantities in one symbol at one broker: kept by the order tracker, handed to the risk
// gate with every order's request (RiskRequest::symbol).

#include "mercurio/sdk/types.hpp"

namespace mercurio::kernel {

/// Remaining quantity of open orders in one symbol at one broker, per side.
struct OpenQuantities {
  sdk::Decimal buy, sell;
  sdk::Decimal on(sdk::Side side) const noexcept { return side == sdk::Side::Buy ? buy : sell; }
  /// True while some order in the symbol is open on either side.
  bool any() const noexcept { return buy.is_positive() || sell.is_positive(); }
};

}  // namespace mercurio::kernel
