#pragma once
/// @file fill_simulator.hpp
/// The paper broker's matching rules as pure functions of (order terms, bar): no I/O, no state.
/// Every price decision of the simulated venue lives here so it can be tested case by case.

#include <optional>
#include <string>

#include "mercurio/sdk/decimal.hpp"
#include "mercurio/sdk/types.hpp"

namespace mercurio::brokers::paper {

/// Commission charged per fill: max(minimum, per_share × qty + percent / 100 × notional).
struct CommissionModel {
  sdk::Decimal per_share;  ///< currency per unit filled
  sdk::Decimal percent;    ///< percent of notional: 0.1 means 0.1 %
  sdk::Decimal minimum;    ///< floor per fill
};

/// The parts of a resting order that decide whether and where it fills.
struct OrderTerms {
  sdk::Side side = sdk::Side::Buy;
  sdk::OrderType type = sdk::OrderType::Market;
  std::optional<sdk::Decimal> limit_price;
  std::optional<sdk::Decimal> stop_price;
  /// Stop-limit only: the stop was hit on an earlier bar, the order now rests as a plain limit.
  bool stop_triggered = false;
};

/// What one bar does to one order.
struct MatchOutcome {
  bool triggered_now = false;              ///< a stop-limit's stop was hit on this bar
  std::optional<sdk::Decimal> fill_price;  ///< set when the whole remaining quantity fills
};

/// `price` moved against the taker by `bps` basis points: buys pay more, sells receive less.
sdk::Decimal apply_slippage(sdk::Decimal price, sdk::Side side, sdk::Decimal bps);

/// The commission of one fill of `quantity` at `price`.
sdk::Decimal commission_for(const CommissionModel& model, sdk::Decimal quantity,
                            sdk::Decimal price);

/// Matches `order` against `bar` (rules in README.md, "Fill rules"). Market and stop fills
/// include slippage; limit fills never do, and a stop-limit's slipped fill is capped at its limit.
/// Precondition: the order's required prices are present (checked at submit).
/// Throws sdk::DecimalError only on decimal overflow.
MatchOutcome match_order(const OrderTerms& order, const sdk::Bar& bar, sdk::Decimal slippage_bps);

/// What keeps `intent` from being matched (empty: nothing): a quantity not positive, a price its
/// type needs missing or not positive, or one it must not carry. match_order relies on these.
std::string order_terms_problem(const sdk::OrderIntent& intent);

}  // namespace mercurio::brokers::paper
