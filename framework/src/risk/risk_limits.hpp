#pragma once
// The limits the risk gate enforces: one global set from [risk], tightened per broker and per
// strategy by the kernel-owned [plugin.risk] tables (which plugins never see).

#include <cstdint>
#include <functional>
#include <optional>
#include <set>
#include <string>

#include <toml++/toml.h>

#include "config/config_issue.hpp"
#include "mercurio/sdk/decimal.hpp"
#include "mercurio/sdk/types.hpp"

namespace mercurio::kernel {

enum class DrawdownAction { Hold, CancelOpenOrders, Flatten };
std::string_view to_string(DrawdownAction action) noexcept;
/// The inverse of to_string: "hold", "cancel" or "flatten"; nullopt for anything else.
std::optional<DrawdownAction> parse_drawdown_action(std::string_view text) noexcept;

/// Symbol lists of the risk limits; transparent, so an order's symbol is looked up without a copy.
using SymbolSet = std::set<std::string, std::less<>>;

/// One set of limits. In the global set every numeric limit is present (a missing one is a
/// configuration error: there is no implicit "unlimited"); in an override only the keys written.
struct RiskLimits {
  std::optional<sdk::Decimal> max_order_quantity;
  std::optional<sdk::Decimal> max_order_notional;
  std::optional<sdk::Decimal> price_collar_pct;
  std::optional<std::int64_t> max_reference_age_seconds;
  std::optional<sdk::Decimal> max_position_quantity;
  std::optional<sdk::Decimal> max_position_notional;
  std::optional<sdk::Decimal> max_gross_exposure_pct;
  std::optional<std::int64_t> max_positions;
  std::optional<std::int64_t> max_open_orders;
  std::optional<std::int64_t> max_orders_per_minute;
  std::optional<std::int64_t> order_burst;
  std::optional<std::int64_t> duplicate_window_seconds;
  std::optional<SymbolSet> symbols_allow;  // absent: every symbol
  SymbolSet symbols_deny;
  std::optional<std::string> calendar;                 // market calendar code ("XNYS", "24/7")
  std::optional<bool> allow_outside_market_hours;      // an override may only set it to false
};

/// [risk]: the global limits plus the account-wide breakers.
struct RiskConfig {
  RiskLimits limits;
  sdk::Decimal max_daily_loss_pct;  // loss of the day's starting equity that moves to REDUCING
  sdk::Decimal max_drawdown_pct;    // fall from peak equity that moves to HALTED
  DrawdownAction drawdown_action = DrawdownAction::Hold;
  std::int64_t max_fills_per_window = 0;  // repeated-execution throttle: more fills of one strategy
  std::int64_t fills_window_seconds = 0;  // within this window disable it until an operator re-enables it
  // Rejection breaker: this many orders of one strategy in one symbol rejected by the venue in a
  // row (none accepted or filled between) disable the strategy until an operator re-enables it.
  std::int64_t max_consecutive_rejections = 5;
};

/// The limits that apply to one order: global, then the broker's and the strategy's overrides.
struct EffectiveLimits {
  sdk::Decimal max_order_quantity, max_order_notional, price_collar_pct;
  std::int64_t max_reference_age_seconds = 0;
  sdk::Decimal max_position_quantity, max_position_notional, max_gross_exposure_pct;
  std::int64_t max_positions = 0, max_open_orders = 0, max_orders_per_minute = 0, order_burst = 0,
               duplicate_window_seconds = 0;
  std::optional<SymbolSet> symbols_allow;
  SymbolSet symbols_deny;
  std::string calendar;
  bool allow_outside_market_hours = false;
};
EffectiveLimits combine(const RiskLimits& global, const RiskLimits* broker, const RiskLimits* strategy);

/// Parses [risk] (all keys required except the symbol lists). Problems go to `issues`.
RiskConfig parse_risk_table(const toml::table* table, const std::string& file, ConfigIssues& issues);
/// Parses a [plugin.risk] override: any subset of the limit keys, each no looser than `global`.
RiskLimits parse_risk_override(const toml::table& table, const RiskLimits& global, const std::string& key_path,
                               const std::string& file, ConfigIssues& issues);

}  // namespace mercurio::kernel
