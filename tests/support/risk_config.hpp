#pragma once
// A [risk] table with limits wide enough that tests about other things never hit them.

#include <string>

namespace mercurio::test {

inline constexpr const char* kGenerousRiskTable =
    "[risk]\n"
    "max_order_quantity = \"1000000\"\n"
    "max_order_notional = \"100000000\"\n"
    "price_collar_pct = \"50\"\n"
    "max_reference_age_seconds = 864000\n"
    "max_position_quantity = \"1000000\"\n"
    "max_position_notional = \"100000000\"\n"
    "max_gross_exposure_pct = \"1000\"\n"
    "max_positions = 100\n"
    "max_open_orders = 1000\n"
    "max_orders_per_minute = 100000\n"
    "order_burst = 1000\n"
    "duplicate_window_seconds = 0\n"
    "max_daily_loss_pct = \"100\"\n"
    "max_drawdown_pct = \"100\"\n"
    "drawdown_action = \"hold\"\n"
    "max_fills_per_window = 1000000\n"
    "calendar = \"XNYS\"\n"
    "allow_outside_market_hours = true\n"
    "fills_window_seconds = 1\n";

/// `table` (the generous one by default) with `key`'s value replaced by `value` (TOML text).
inline std::string risk_table_with(const std::string& key, const std::string& value,
                                   std::string table = kGenerousRiskTable) {
  const auto at = table.find(key + " = ");
  const auto end = table.find('\n', at);
  return table.replace(at, end - at, key + " = " + value);
}

/// The generous table with a drawdown breaker that flattens at `max_drawdown_pct`.
inline std::string flattening_risk_table(const std::string& max_drawdown_pct) {
  return risk_table_with("drawdown_action", "\"flatten\"",
                         risk_table_with("max_drawdown_pct", "\"" + max_drawdown_pct + "\""));
}

}  // namespace mercurio::test
