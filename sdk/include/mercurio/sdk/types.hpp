#pragma once
/// @file types.hpp
/// Value types shared by the kernel and every plugin: instruments, bars, orders, order events,
/// account snapshots and positions. All are plain values; none owns a resource.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "mercurio/sdk/decimal.hpp"
#include "mercurio/sdk/inline_string.hpp"
#include "mercurio/sdk/time.hpp"

namespace mercurio::sdk {

/// Ticker or pair as the venue spells it ("SPY", "BTCUSDT"), at most 31 characters.
using Symbol = InlineString<31>;
/// Client order id assigned by the kernel, at most 48 characters (Alpaca's documented bound).
using ClientOrderId = InlineString<48>;
/// Venue trade (execution) id, the key fills are deduplicated by.
using TradeId = InlineString<63>;

enum class Side : std::uint8_t { Buy, Sell };
enum class OrderType : std::uint8_t { Market, Limit, Stop, StopLimit };
enum class TimeInForce : std::uint8_t { Day, Gtc, Ioc, Fok };

std::string_view to_string(Side side) noexcept;
std::string_view to_string(OrderType type) noexcept;
std::string_view to_string(TimeInForce tif) noexcept;
std::optional<Side> parse_side(std::string_view text) noexcept;
std::optional<OrderType> parse_order_type(std::string_view text) noexcept;
std::optional<TimeInForce> parse_time_in_force(std::string_view text) noexcept;

/// +1 for buy, -1 for sell: the sign a fill of this side gives a position change.
constexpr int sign_of(Side side) noexcept { return side == Side::Buy ? 1 : -1; }
constexpr Side opposite(Side side) noexcept { return side == Side::Buy ? Side::Sell : Side::Buy; }

/// What a symbol trades as. `lot_size` is the smallest quantity step (1 for whole shares).
struct Instrument {
  Symbol symbol;
  Decimal lot_size = Decimal::from_int(1);
  Decimal tick_size = Decimal::from_raw(1'000'000);  // 0.01
};

/// One OHLCV bar. `ts` is the bar's start time (daily bars: the trading date at 00:00Z).
struct Bar {
  Timestamp ts;
  Symbol symbol;
  Decimal open;
  Decimal high;
  Decimal low;
  Decimal close;
  Decimal volume;
};

/// What a strategy proposes. The kernel assigns the client order id; the risk gate decides.
struct OrderIntent {
  Symbol symbol;
  Side side = Side::Buy;
  OrderType type = OrderType::Market;
  TimeInForce time_in_force = TimeInForce::Day;
  Decimal quantity;                 ///< positive, in instrument units
  std::optional<Decimal> limit_price;  ///< required for Limit and StopLimit
  std::optional<Decimal> stop_price;   ///< required for Stop and StopLimit
  std::string tag;                  ///< free text kept with the order (journal, reports)
};

enum class OrderEventType : std::uint8_t { Accepted, Rejected, PartiallyFilled, Filled, Canceled, Expired };
std::string_view to_string(OrderEventType type) noexcept;

/// A broker's report about one order. Fill events carry the per-fill quantity and price
/// (never cumulative) plus the trade id the kernel deduplicates by.
struct OrderEvent {
  OrderEventType type = OrderEventType::Accepted;
  ClientOrderId client_order_id;
  Symbol symbol;
  Side side = Side::Buy;
  Timestamp ts;                 ///< venue time of the event
  TradeId trade_id;             ///< fills only
  Decimal fill_quantity;        ///< fills only: this fill's quantity
  Decimal fill_price;           ///< fills only
  Decimal commission;           ///< fills only: commission charged for this fill
  /// Quantity still open after this event. On a fill, the order's quantity less everything filled
  /// up to and including this fill, in the venue's execution order: the kernel's reconciliation
  /// reads the part of the order a fill covers from it (a plugin must set it on every fill).
  Decimal leaves_quantity;
  std::string reason;           ///< Rejected/Canceled/Expired: the venue's reason
  std::string venue_order_id;   ///< the broker's own id when it has one

  bool is_fill() const noexcept {
    return type == OrderEventType::Filled || type == OrderEventType::PartiallyFilled;
  }
  bool is_final() const noexcept {
    return type == OrderEventType::Filled || type == OrderEventType::Rejected ||
           type == OrderEventType::Canceled || type == OrderEventType::Expired;
  }
};

/// An account as the broker (or the kernel's ledger) sees it.
struct AccountSnapshot {
  Decimal cash;
  Decimal equity;
  Decimal buying_power;
  Timestamp ts;
};

/// A net position. `quantity` is signed (negative = short); `average_price` is the average
/// entry price of the open quantity, rounded half to even to 8 digits.
struct Position {
  Symbol symbol;
  Decimal quantity;
  Decimal average_price;
  Decimal market_price;     ///< last mark (bar close) the kernel saw; from a broker, the venue's
  Decimal realized_pnl;     ///< gross of commissions
  Decimal commissions;
  Decimal unrealized_pnl() const { return (market_price - average_price) * quantity; }
  bool is_flat() const noexcept { return quantity.is_zero(); }
};

/// An order as a broker reports it when asked (open-order and by-id queries).
struct OrderStatusReport {
  ClientOrderId client_order_id;
  OrderIntent intent;
  Decimal filled_quantity;
  Decimal leaves_quantity;
  bool open = true;
  /// The order's latest state: Accepted or PartiallyFilled while open, else how it ended.
  OrderEventType status = OrderEventType::Accepted;
  std::string venue_order_id;
};

// ---- inline definitions ----
inline std::string_view to_string(Side side) noexcept { return side == Side::Buy ? "buy" : "sell"; }
inline std::string_view to_string(OrderType type) noexcept {
  switch (type) {
    case OrderType::Market: return "market";
    case OrderType::Limit: return "limit";
    case OrderType::Stop: return "stop";
    case OrderType::StopLimit: return "stop_limit";
  }
  return "?";
}
inline std::string_view to_string(TimeInForce tif) noexcept {
  switch (tif) {
    case TimeInForce::Day: return "day";
    case TimeInForce::Gtc: return "gtc";
    case TimeInForce::Ioc: return "ioc";
    case TimeInForce::Fok: return "fok";
  }
  return "?";
}
inline std::string_view to_string(OrderEventType type) noexcept {
  switch (type) {
    case OrderEventType::Accepted: return "accepted";
    case OrderEventType::Rejected: return "rejected";
    case OrderEventType::PartiallyFilled: return "partially_filled";
    case OrderEventType::Filled: return "filled";
    case OrderEventType::Canceled: return "canceled";
    case OrderEventType::Expired: return "expired";
  }
  return "?";
}
inline std::optional<Side> parse_side(std::string_view t) noexcept {
  if (t == "buy") return Side::Buy;
  if (t == "sell") return Side::Sell;
  return std::nullopt;
}
inline std::optional<OrderType> parse_order_type(std::string_view t) noexcept {
  if (t == "market") return OrderType::Market;
  if (t == "limit") return OrderType::Limit;
  if (t == "stop") return OrderType::Stop;
  if (t == "stop_limit") return OrderType::StopLimit;
  return std::nullopt;
}
inline std::optional<TimeInForce> parse_time_in_force(std::string_view t) noexcept {
  if (t == "day") return TimeInForce::Day;
  if (t == "gtc") return TimeInForce::Gtc;
  if (t == "ioc") return TimeInForce::Ioc;
  if (t == "fok") return TimeInForce::Fok;
  return std::nullopt;
}

}  // namespace mercurio::sdk
