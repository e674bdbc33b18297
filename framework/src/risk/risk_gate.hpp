#pragma once
// The single gate every order passes before any broker sees it, and the only code that can
// make an sdk::ApprovedOrder.
//
// This version checks that an intent is well formed and that its strategy and broker may trade.
// Pre-trade limits, trading states (ACTIVE/REDUCING/HALTED) and the kill switch are added here
// (issue #3) without changing any caller: this is the seam ARCHITECTURE.md puts between the
// StrategyHost and the ExecutionRouter.

#include <optional>
#include <string>

#include "mercurio/sdk/approved_order.hpp"

namespace mercurio::kernel {

/// Stable denial codes (journal, alerts and tests rely on them).
namespace deny {
inline constexpr const char* kInvalidQuantity = "INVALID_QUANTITY";
inline constexpr const char* kInvalidSymbol = "INVALID_SYMBOL";
inline constexpr const char* kMissingLimitPrice = "MISSING_LIMIT_PRICE";
inline constexpr const char* kUnexpectedLimitPrice = "UNEXPECTED_LIMIT_PRICE";
inline constexpr const char* kMissingStopPrice = "MISSING_STOP_PRICE";
inline constexpr const char* kUnexpectedStopPrice = "UNEXPECTED_STOP_PRICE";
inline constexpr const char* kInvalidPrice = "INVALID_PRICE";
inline constexpr const char* kStrategyDisabled = "STRATEGY_DISABLED";
inline constexpr const char* kBrokerUnavailable = "BROKER_UNAVAILABLE";
}  // namespace deny

struct RiskDecision {
  std::optional<sdk::ApprovedOrder> approved;
  std::string reason;   // a deny:: code when denied
  std::string message;  // "expected X, was Y"
};

struct RiskRequest {
  const sdk::OrderIntent& intent;
  const sdk::ClientOrderId& id;
  const std::string& strategy_id;
  bool strategy_enabled;
  bool broker_available;
  sdk::Timestamp now;
};

class RiskGate {
 public:
  /// Checks run in this order; the first failure is the denial.
  RiskDecision check(const RiskRequest& request) const;
};

}  // namespace mercurio::kernel
