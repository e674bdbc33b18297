#pragma once
/// @file alpaca_json.hpp
/// Alpaca's JSON documents <-> SDK values. Pure functions: no I/O, no state, easy to test with
/// recorded payloads. Every parse error names the field and what it held.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>

#include "mercurio/sdk/approved_order.hpp"
#include "mercurio/sdk/status.hpp"
#include "mercurio/sdk/types.hpp"

namespace mercurio::brokers::alpaca {

using JsonObject = Poco::JSON::Object::Ptr;
using JsonArray = Poco::JSON::Array::Ptr;

sdk::Result<JsonObject> parse_object(std::string_view text, std::string_view what);
sdk::Result<JsonArray> parse_array(std::string_view text, std::string_view what);

/// "123.45", 123.45 or 123: a decimal; more than 8 fractional digits are rounded half away
/// from zero (Alpaca's account values carry up to 20). nullopt when absent, null or malformed.
std::optional<sdk::Decimal> decimal_field(const JsonObject& o, const std::string& key);
std::optional<std::string> string_field(const JsonObject& o, const std::string& key);
/// RFC 3339 with Z or a numeric offset, any fraction.
std::optional<sdk::Timestamp> parse_rfc3339(std::string_view text);
/// An RFC 3339 timestamp ("2024-01-02T03:04:05Z") for query strings.
std::string to_rfc3339(sdk::Timestamp ts);

/// The POST /v2/orders body for an approved order; client_order_id is always the kernel's id.
std::string order_request_body(const sdk::ApprovedOrder& order);

/// How Alpaca's order status maps to the SDK. nullopt: a status this plugin does not know.
struct StatusMapping {
  bool open;
  sdk::OrderEventType type;
};
std::optional<StatusMapping> map_order_status(std::string_view alpaca_status);

/// An order object (POST /v2/orders, GET by client order id, GET /v2/orders). An unknown status
/// is an error with StatusCode::Unknown (the caller raises the anomaly).
sdk::Result<sdk::OrderStatusReport> parse_order(const JsonObject& o);

/// An order with what the SDK report lacks but gap-filling needs.
struct VenueOrder {
  sdk::OrderStatusReport report;
  std::optional<sdk::Decimal> filled_avg_price;
  sdk::Timestamp updated_at;
  std::optional<sdk::Timestamp> created_at;  ///< when Alpaca took it (absent: not told)
};
sdk::Result<VenueOrder> parse_venue_order(const JsonObject& o);

/// Whether an order Alpaca took at `created_at` is older than one approved at `approved_at`, so
/// another order under the same client order id (the ids start again with a new journal).
/// Alpaca stamps an order when it takes it, after the kernel approved it: only one older than the
/// approval by more than a clock's drift (a minute) counts. Unknown times: false.
bool taken_before_approval(std::optional<sdk::Timestamp> created_at, sdk::Timestamp approved_at);

sdk::Result<sdk::AccountSnapshot> parse_account(const JsonObject& o);
sdk::Result<sdk::Position> parse_position(const JsonObject& o);

/// One FILL activity, as a fill event. The trade id is "<order id>@<cumulative qty>": the same
/// fill has the same id whether it arrives on the stream or from the activities endpoint.
struct FillActivity {
  std::string activity_id;
  std::string venue_order_id;
  sdk::OrderEvent event;      ///< client_order_id empty: activities do not carry it
  sdk::Decimal cumulative;    ///< cum_qty
};
/// Side "sell_short" (activities only) is a Sell. An error names the activity's id when it has one.
sdk::Result<FillActivity> parse_fill_activity(const JsonObject& o);
sdk::TradeId fill_trade_id(std::string_view venue_order_id, sdk::Decimal cumulative);

/// One trade_updates event: {"event": ..., "order": {...}, "timestamp", "price", "qty", ...}.
struct TradeUpdate {
  std::string event;
  std::string venue_order_id;
  sdk::OrderStatusReport order;       ///< the order as of this event (partial when status unknown)
  std::optional<StatusMapping> status;  ///< nullopt: unknown order status
  std::string raw_status;
  sdk::Timestamp ts;
  std::optional<sdk::Decimal> price;  ///< fills: this execution's price
  std::optional<sdk::Decimal> qty;    ///< fills: this execution's quantity
  std::optional<sdk::Decimal> filled_avg_price;
  std::string execution_id;
  std::optional<sdk::Timestamp> created_at;  ///< when Alpaca took the order (absent: not told)
};
sdk::Result<TradeUpdate> parse_trade_update(const JsonObject& data);

struct BarsPage {
  std::vector<sdk::Bar> bars;  ///< in the page's order
  std::string next_page_token;
};
/// GET /v2/stocks/bars: {"bars": {"AAPL": [{"t","o","h","l","c","v"}...]}, "next_page_token"}.
sdk::Result<BarsPage> parse_bars_page(const JsonObject& o);

struct Clock {
  bool is_open = false;
  sdk::Timestamp timestamp, next_open, next_close;
};
sdk::Result<Clock> parse_clock(const JsonObject& o);

struct CalendarDay {
  std::string date, open, close;
};
sdk::Result<std::vector<CalendarDay>> parse_calendar(const JsonArray& a);

struct Asset {
  sdk::Symbol symbol;
  bool tradable = false, fractionable = false, shortable = false, easy_to_borrow = false;
  std::string status;
};
sdk::Result<Asset> parse_asset(const JsonObject& o);

/// Alpaca's error body {"code": 40310000, "message": "..."}; empty fields when absent.
struct ApiError {
  std::string code;
  std::string message;
};
ApiError parse_api_error(std::string_view body);

}  // namespace mercurio::brokers::alpaca
