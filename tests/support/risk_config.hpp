#pragma once
// A [risk] table with limits wide enough that tests about other things never hit them.

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

}  // namespace mercurio::test
