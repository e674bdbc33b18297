#include "alpaca_json.hpp"

#include <Poco/Exception.h>
#include <Poco/JSON/Parser.h>
#include <Poco/JSON/Stringifier.h>

#include <charconv>
#include <limits>
#include <sstream>

namespace mercurio::brokers::alpaca {

using sdk::Decimal;
using sdk::Status;
using sdk::StatusCode;

namespace {

Status bad(std::string_view what, const std::string& problem) {
  return Status(StatusCode::Internal, "alpaca: unexpected " + std::string(what) + ": " + problem);
}

std::optional<Decimal> decimal_from_text(std::string_view text) {
  if (auto exact = Decimal::parse(text)) return exact;
  // More than 8 fractional digits: keep 8 and round half away from zero.
  const auto dot = text.find('.');
  if (dot == std::string_view::npos || text.size() - dot - 1 <= 8) return std::nullopt;
  auto truncated = Decimal::parse(text.substr(0, dot + 9));
  if (!truncated) return std::nullopt;
  const char next = text[dot + 9];
  if (next < '0' || next > '9') return std::nullopt;
  for (char c : text.substr(dot + 10))
    if (c < '0' || c > '9') return std::nullopt;
  if (next >= '5') {
    const Decimal step = Decimal::from_raw(1);
    return truncated->is_negative() || text.front() == '-' ? *truncated - step : *truncated + step;
  }
  return truncated;
}

std::optional<bool> bool_field(const JsonObject& o, const std::string& key) {
  if (!o->has(key) || o->isNull(key)) return std::nullopt;
  const auto v = o->get(key);
  if (!v.isBoolean()) return std::nullopt;
  return v.convert<bool>();
}

std::optional<sdk::Timestamp> time_field(const JsonObject& o, const std::string& key) {
  const auto text = string_field(o, key);
  if (!text) return std::nullopt;
  return parse_rfc3339(*text);
}

}  // namespace

sdk::Result<JsonObject> parse_object(std::string_view text, std::string_view what) {
  try {
    Poco::JSON::Parser parser;
    const auto v = parser.parse(std::string(text));
    if (v.type() != typeid(Poco::JSON::Object::Ptr)) return bad(what, "expected a JSON object");
    return v.extract<Poco::JSON::Object::Ptr>();
  } catch (const Poco::Exception& e) {
    return bad(what, "invalid JSON: " + e.displayText());
  }
}

sdk::Result<JsonArray> parse_array(std::string_view text, std::string_view what) {
  try {
    Poco::JSON::Parser parser;
    const auto v = parser.parse(std::string(text));
    if (v.type() != typeid(Poco::JSON::Array::Ptr)) return bad(what, "expected a JSON array");
    return v.extract<Poco::JSON::Array::Ptr>();
  } catch (const Poco::Exception& e) {
    return bad(what, "invalid JSON: " + e.displayText());
  }
}

std::optional<std::string> string_field(const JsonObject& o, const std::string& key) {
  if (!o || !o->has(key) || o->isNull(key)) return std::nullopt;
  const auto v = o->get(key);
  if (!v.isString()) return std::nullopt;
  return v.convert<std::string>();
}

std::optional<Decimal> decimal_field(const JsonObject& o, const std::string& key) {
  if (!o || !o->has(key) || o->isNull(key)) return std::nullopt;
  try {
    const auto v = o->get(key);
    if (v.isString()) return decimal_from_text(v.convert<std::string>());
    if (v.isInteger()) return Decimal::from_int(v.convert<std::int64_t>());
    if (v.isNumeric()) return Decimal::from_double(v.convert<double>());
  } catch (const std::exception&) {
  }
  return std::nullopt;
}

std::optional<sdk::Timestamp> parse_rfc3339(std::string_view text) {
  if (text.size() <= 10) return sdk::Timestamp::parse_iso8601(text);
  std::int64_t offset_ns = 0;
  std::string_view base = text;
  if (text.back() == 'Z' || text.back() == 'z') {
    base = text.substr(0, text.size() - 1);
  } else if (text.size() > 6 && (text[text.size() - 6] == '+' || text[text.size() - 6] == '-') &&
             text[text.size() - 3] == ':') {
    const auto tz = text.substr(text.size() - 6);
    int hh = 0, mm = 0;
    if (std::from_chars(tz.data() + 1, tz.data() + 3, hh).ec != std::errc{} ||
        std::from_chars(tz.data() + 4, tz.data() + 6, mm).ec != std::errc{})
      return std::nullopt;
    offset_ns = (static_cast<std::int64_t>(hh) * 3600 + mm * 60) * sdk::Timestamp::kNanosPerSecond;
    if (tz[0] == '-') offset_ns = -offset_ns;
    base = text.substr(0, text.size() - 6);
  } else {
    return std::nullopt;
  }
  auto t = sdk::Timestamp::parse_iso8601(std::string(base) + "Z");
  if (!t) return std::nullopt;
  t->ns -= offset_ns;  // local = UTC + offset
  return t;
}

std::string to_rfc3339(sdk::Timestamp ts) {
  // Whole seconds (rounded down): Alpaca's query parameters accept them everywhere. The earliest
  // timestamps (a kernel asking for "every fill ever" passes the smallest one) are clamped so the
  // rounding cannot overflow.
  constexpr std::int64_t kEarliest = std::numeric_limits<std::int64_t>::min() + sdk::Timestamp::kNanosPerSecond;
  if (ts.ns < kEarliest) ts.ns = kEarliest;
  sdk::Timestamp s{ts.ns - ((ts.ns % sdk::Timestamp::kNanosPerSecond) + sdk::Timestamp::kNanosPerSecond) %
                               sdk::Timestamp::kNanosPerSecond};
  return s.to_iso8601();
}

std::string order_request_body(const sdk::ApprovedOrder& order) {
  const auto& in = order.intent();
  Poco::JSON::Object body;
  body.set("symbol", in.symbol.str());
  body.set("qty", in.quantity.to_string());
  body.set("side", std::string(sdk::to_string(in.side)));
  body.set("type", std::string(sdk::to_string(in.type)));
  body.set("time_in_force", std::string(sdk::to_string(in.time_in_force)));
  if (in.limit_price && (in.type == sdk::OrderType::Limit || in.type == sdk::OrderType::StopLimit))
    body.set("limit_price", in.limit_price->to_string());
  if (in.stop_price && (in.type == sdk::OrderType::Stop || in.type == sdk::OrderType::StopLimit))
    body.set("stop_price", in.stop_price->to_string());
  body.set("client_order_id", order.client_order_id().str());
  std::ostringstream out;
  body.stringify(out);
  return out.str();
}

std::optional<StatusMapping> map_order_status(std::string_view s) {
  using T = sdk::OrderEventType;
  // Working states: the order can still fill.
  if (s == "new" || s == "accepted" || s == "pending_new" || s == "accepted_for_bidding" ||
      s == "pending_cancel" || s == "pending_replace" || s == "done_for_day" || s == "stopped" ||
      s == "calculated" || s == "held" || s == "suspended")
    return StatusMapping{true, T::Accepted};
  if (s == "partially_filled") return StatusMapping{true, T::PartiallyFilled};
  if (s == "filled") return StatusMapping{false, T::Filled};
  if (s == "canceled") return StatusMapping{false, T::Canceled};
  if (s == "expired") return StatusMapping{false, T::Expired};
  if (s == "rejected") return StatusMapping{false, T::Rejected};
  // "replaced" and anything new: this plugin never replaces orders, so it cannot interpret it.
  return std::nullopt;
}

sdk::Result<sdk::OrderStatusReport> parse_order(const JsonObject& o) {
  sdk::OrderStatusReport r;
  const auto id = string_field(o, "id");
  const auto coid = string_field(o, "client_order_id");
  const auto symbol = string_field(o, "symbol");
  const auto status = string_field(o, "status");
  if (!id || !coid || !symbol || !status) return bad("order", "missing id, client_order_id, symbol or status");
  if (!sdk::ClientOrderId::fits(*coid)) return bad("order", "client_order_id longer than 48 characters");
  if (!sdk::Symbol::fits(*symbol)) return bad("order", "symbol longer than 31 characters");
  r.client_order_id = *coid;
  r.venue_order_id = *id;
  r.intent.symbol = *symbol;
  const auto side = sdk::parse_side(string_field(o, "side").value_or(""));
  const auto type = sdk::parse_order_type(string_field(o, "type").value_or(string_field(o, "order_type").value_or("")));
  const auto tif = sdk::parse_time_in_force(string_field(o, "time_in_force").value_or(""));
  if (!side) return bad("order " + *coid, "side \"" + string_field(o, "side").value_or("") + "\"");
  r.intent.side = *side;
  // A type or time in force this plugin never sends (trailing_stop, opg, cls ...) is still
  // reported: the order exists at the venue and must be seen.
  r.intent.type = type.value_or(sdk::OrderType::Market);
  r.intent.time_in_force = tif.value_or(sdk::TimeInForce::Day);
  const auto qty = decimal_field(o, "qty");
  const auto filled = decimal_field(o, "filled_qty");
  if (!filled) return bad("order " + *coid, "filled_qty missing or not a decimal");
  // Never negative at Alpaca; refused here so that no arithmetic on them can overflow (throw).
  if (filled->is_negative() || (qty && qty->is_negative()))
    return bad("order " + *coid, "qty or filled_qty negative");
  r.intent.quantity = qty.value_or(Decimal());
  r.intent.limit_price = decimal_field(o, "limit_price");
  r.intent.stop_price = decimal_field(o, "stop_price");
  r.filled_quantity = *filled;
  const auto mapping = map_order_status(*status);
  if (!mapping)
    return Status(StatusCode::Unknown, "alpaca: order " + *coid + " has status \"" + *status +
                                           "\" which this plugin cannot interpret");
  r.open = mapping->open;
  r.status = mapping->type;
  if (r.open && r.filled_quantity.is_positive()) r.status = sdk::OrderEventType::PartiallyFilled;
  r.leaves_quantity = r.open && qty ? *qty - r.filled_quantity : Decimal();
  return r;
}

sdk::Result<VenueOrder> parse_venue_order(const JsonObject& o) {
  auto report = parse_order(o);
  if (!report) return report.status();
  VenueOrder v;
  v.report = std::move(*report);
  v.filled_avg_price = decimal_field(o, "filled_avg_price");
  v.updated_at = time_field(o, "updated_at").value_or(sdk::Timestamp{});
  v.created_at = time_field(o, "created_at");
  return v;
}

sdk::Result<sdk::AccountSnapshot> parse_account(const JsonObject& o) {
  sdk::AccountSnapshot a;
  const auto cash = decimal_field(o, "cash");
  const auto equity = decimal_field(o, "equity");
  const auto bp = decimal_field(o, "buying_power");
  if (!cash || !equity || !bp) return bad("account", "cash, equity or buying_power missing or not a decimal");
  a.cash = *cash;
  a.equity = *equity;
  a.buying_power = *bp;
  return a;
}

sdk::Result<sdk::Position> parse_position(const JsonObject& o) {
  sdk::Position p;
  const auto symbol = string_field(o, "symbol");
  const auto qty = decimal_field(o, "qty");
  const auto avg = decimal_field(o, "avg_entry_price");
  if (!symbol || !sdk::Symbol::fits(*symbol) || !qty || !avg)
    return bad("position", "symbol, qty or avg_entry_price missing or malformed");
  p.symbol = *symbol;
  // Alpaca reports short quantities as negative already; trust "side" when it disagrees.
  p.quantity = *qty;
  if (string_field(o, "side").value_or("long") == "short" && p.quantity.is_positive()) p.quantity = -p.quantity;
  p.average_price = *avg;
  // No current price: 0 (none known), not the entry price, which may be months old.
  p.market_price = decimal_field(o, "current_price").value_or(Decimal{});
  return p;
}

bool taken_before_approval(std::optional<sdk::Timestamp> created_at, sdk::Timestamp approved_at) {
  constexpr std::int64_t kClockDrift = 60LL * 1'000'000'000;
  return created_at && approved_at.ns > INT64_MIN + kClockDrift &&
         created_at->ns < approved_at.ns - kClockDrift;
}

sdk::TradeId fill_trade_id(std::string_view venue_order_id, Decimal cumulative) {
  std::string id = std::string(venue_order_id) + "@" + cumulative.to_string();
  if (!sdk::TradeId::fits(id)) id.resize(63);
  return sdk::TradeId(id);
}

sdk::Result<FillActivity> parse_fill_activity(const JsonObject& o) {
  FillActivity f;
  const auto id = string_field(o, "id");
  const auto order_id = string_field(o, "order_id");
  const auto symbol = string_field(o, "symbol");
  // An activity calls a sale that opens or adds to a short position "sell_short" (the order and
  // the stream say "sell"): for the account it is a sale all the same.
  const auto side_text = string_field(o, "side").value_or("");
  const auto side =
      side_text == "sell_short" ? std::optional(sdk::Side::Sell) : sdk::parse_side(side_text);
  const auto qty = decimal_field(o, "qty");
  const auto price = decimal_field(o, "price");
  const auto cum = decimal_field(o, "cum_qty");
  const auto leaves = decimal_field(o, "leaves_qty");
  const auto when = time_field(o, "transaction_time");
  if (!side && !side_text.empty())
    return bad("fill activity " + id.value_or("(no id)"),
               "side \"" + side_text + "\" (expected buy, sell or sell_short)");
  if (!id || !order_id || !symbol || !sdk::Symbol::fits(*symbol) || !side || !qty || !price || !cum || !when)
    return bad(
        "fill activity " + id.value_or("(no id)"),
        "id, order_id, symbol, side, qty, price, cum_qty or transaction_time missing or malformed");
  f.activity_id = *id;
  f.venue_order_id = *order_id;
  f.cumulative = *cum;
  auto& e = f.event;
  e.type = leaves && leaves->is_positive() ? sdk::OrderEventType::PartiallyFilled : sdk::OrderEventType::Filled;
  e.symbol = *symbol;
  e.side = *side;
  e.ts = *when;
  e.trade_id = fill_trade_id(*order_id, *cum);
  e.fill_quantity = *qty;
  e.fill_price = *price;
  e.leaves_quantity = leaves.value_or(Decimal());
  e.venue_order_id = *order_id;
  return f;
}

sdk::Result<TradeUpdate> parse_trade_update(const JsonObject& data) {
  TradeUpdate u;
  const auto event = string_field(data, "event");
  if (!event) return bad("trade update", "no event");
  u.event = *event;
  JsonObject order;
  try {
    order = data->getObject("order");
  } catch (const Poco::Exception&) {
  }
  if (!order) return bad("trade update", "no order object");
  u.venue_order_id = string_field(order, "id").value_or("");
  u.raw_status = string_field(order, "status").value_or("");
  u.status = map_order_status(u.raw_status);
  auto report = parse_order(order);
  if (!report) {
    if (report.status().code() != StatusCode::Unknown) return report.status();
    // Unknown status: still return what we know so the caller can name the symbol.
    u.order.client_order_id = sdk::ClientOrderId::fits(string_field(order, "client_order_id").value_or(""))
                                  ? sdk::ClientOrderId(string_field(order, "client_order_id").value_or(""))
                                  : sdk::ClientOrderId();
    const auto sym = string_field(order, "symbol").value_or("");
    u.order.intent.symbol = sdk::Symbol::fits(sym) ? sdk::Symbol(sym) : sdk::Symbol();
  } else {
    u.order = *report;
  }
  u.ts = time_field(data, "timestamp").value_or(time_field(order, "updated_at").value_or(sdk::Timestamp{}));
  u.price = decimal_field(data, "price");
  u.qty = decimal_field(data, "qty");
  u.filled_avg_price = decimal_field(order, "filled_avg_price");
  u.execution_id = string_field(data, "execution_id").value_or("");
  u.created_at = time_field(order, "created_at");
  return u;
}

sdk::Result<BarsPage> parse_bars_page(const JsonObject& o) {
  BarsPage page;
  page.next_page_token = string_field(o, "next_page_token").value_or("");
  if (!o->has("bars") || o->isNull("bars")) return page;
  JsonObject bars;
  try {
    bars = o->getObject("bars");
  } catch (const Poco::Exception&) {
  }
  if (!bars) return bad("bars", "\"bars\" is not an object");
  for (const auto& [symbol, value] : *bars) {
    if (!sdk::Symbol::fits(symbol)) return bad("bars", "symbol longer than 31 characters");
    if (value.type() != typeid(Poco::JSON::Array::Ptr)) return bad("bars of " + symbol, "not an array");
    const auto list = value.extract<Poco::JSON::Array::Ptr>();
    for (std::size_t i = 0; i < list->size(); ++i) {
      const auto b = list->getObject(static_cast<unsigned>(i));
      if (!b) return bad("bar of " + symbol, "not an object");
      const auto t = time_field(b, "t");
      const auto op = decimal_field(b, "o");
      const auto hi = decimal_field(b, "h");
      const auto lo = decimal_field(b, "l");
      const auto cl = decimal_field(b, "c");
      const auto vol = decimal_field(b, "v");
      if (!t || !op || !hi || !lo || !cl || !vol) return bad("bar of " + symbol, "t, o, h, l, c or v missing or malformed");
      page.bars.push_back(sdk::Bar{*t, symbol, *op, *hi, *lo, *cl, *vol});
    }
  }
  return page;
}

sdk::Result<Clock> parse_clock(const JsonObject& o) {
  Clock c;
  const auto open = bool_field(o, "is_open");
  const auto ts = time_field(o, "timestamp");
  const auto next_open = time_field(o, "next_open");
  const auto next_close = time_field(o, "next_close");
  if (!open || !ts || !next_open || !next_close) return bad("clock", "is_open, timestamp, next_open or next_close missing or malformed");
  c.is_open = *open;
  c.timestamp = *ts;
  c.next_open = *next_open;
  c.next_close = *next_close;
  return c;
}

sdk::Result<std::vector<CalendarDay>> parse_calendar(const JsonArray& a) {
  std::vector<CalendarDay> days;
  for (std::size_t i = 0; i < a->size(); ++i) {
    const auto d = a->getObject(static_cast<unsigned>(i));
    if (!d) return bad("calendar", "an entry is not an object");
    const auto date = string_field(d, "date");
    const auto open = string_field(d, "open");
    const auto close = string_field(d, "close");
    if (!date || !open || !close) return bad("calendar", "date, open or close missing");
    days.push_back({*date, *open, *close});
  }
  return days;
}

sdk::Result<Asset> parse_asset(const JsonObject& o) {
  Asset a;
  const auto symbol = string_field(o, "symbol");
  if (!symbol || !sdk::Symbol::fits(*symbol)) return bad("asset", "symbol missing or too long");
  a.symbol = *symbol;
  a.tradable = bool_field(o, "tradable").value_or(false);
  a.fractionable = bool_field(o, "fractionable").value_or(false);
  a.shortable = bool_field(o, "shortable").value_or(false);
  a.easy_to_borrow = bool_field(o, "easy_to_borrow").value_or(false);
  a.status = string_field(o, "status").value_or("");
  return a;
}

ApiError parse_api_error(std::string_view body) {
  ApiError e;
  auto o = parse_object(body, "error body");
  if (!o) return e;
  e.message = string_field(*o, "message").value_or("");
  if ((*o)->has("code") && !(*o)->isNull("code")) {
    try {
      e.code = (*o)->get("code").convert<std::string>();
    } catch (const std::exception&) {
    }
  }
  return e;
}

}  // namespace mercurio::brokers::alpaca
