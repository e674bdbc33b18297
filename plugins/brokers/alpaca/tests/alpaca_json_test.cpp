#include "alpaca_json.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <limits>

#include <fstream>
#include <sstream>

#include "test_support.hpp"

namespace mercurio::brokers::alpaca {
namespace {

using ::testing::HasSubstr;
using namespace mercurio::brokers::alpaca::testing;

std::string read_data(const std::string& name) {
  std::ifstream in(std::string(MERCURIO_SOURCE_DIR) + "/plugins/brokers/alpaca/test_data/" + name);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

TEST(AlpacaJsonTest, OrderBodyAlwaysCarriesTheKernelsClientOrderId) {
  const auto body = order_request_body(
      approve("mercurio-7", intent("AAPL", sdk::Side::Sell, "2.5", sdk::OrderType::StopLimit, sdk::TimeInForce::Ioc)));
  auto o = parse_object(body, "body");
  ASSERT_TRUE(o);
  EXPECT_EQ(*string_field(*o, "client_order_id"), "mercurio-7");
  EXPECT_EQ(*string_field(*o, "qty"), "2.5");
  EXPECT_EQ(*string_field(*o, "side"), "sell");
  EXPECT_EQ(*string_field(*o, "type"), "stop_limit");
  EXPECT_EQ(*string_field(*o, "time_in_force"), "ioc");
  EXPECT_EQ(*string_field(*o, "limit_price"), "150.25");
  EXPECT_EQ(*string_field(*o, "stop_price"), "149.5");
}

TEST(AlpacaJsonTest, MarketOrderBodyHasNoPrices) {
  auto o = parse_object(order_request_body(approve("m-1", intent("AAPL", sdk::Side::Buy, "1"))), "body");
  ASSERT_TRUE(o);
  EXPECT_FALSE((*o)->has("limit_price"));
  EXPECT_FALSE((*o)->has("stop_price"));
}

TEST(AlpacaJsonTest, TradeUpdateGivesCumulativeAndThisExecution) {
  auto msg = parse_object(read_data("trade_update_partial_fill.json"), "message");
  ASSERT_TRUE(msg);
  auto u = parse_trade_update((*msg)->getObject("data"));
  ASSERT_TRUE(u) << u.status().message();
  EXPECT_EQ(u->event, "partial_fill");
  EXPECT_EQ(u->order.client_order_id.str(), "mercurio-42");
  EXPECT_EQ(u->order.filled_quantity, dec("4"));  // cumulative
  EXPECT_EQ(*u->qty, dec("3"));                   // this execution
  EXPECT_EQ(*u->price, dec("185.13"));
  EXPECT_EQ(*u->filled_avg_price, dec("185.1225"));
  EXPECT_EQ(u->order.status, sdk::OrderEventType::PartiallyFilled);
  EXPECT_EQ(u->order.leaves_quantity, dec("6"));
  EXPECT_EQ(u->ts, ts("2024-01-02T14:30:01.5Z"));
}

TEST(AlpacaJsonTest, UnknownOrderStatusIsAnUnknownError) {
  auto o = parse_object(read_data("order_unknown_status.json"), "order");
  ASSERT_TRUE(o);
  auto r = parse_order(*o);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.status().code(), sdk::StatusCode::Unknown);
  EXPECT_THAT(r.status().message(), HasSubstr("frobnicated"));
}

TEST(AlpacaJsonTest, NegativeOrderQuantitiesAreAnErrorNotAnException) {
  // qty - filled_qty would overflow the decimal: refused before any arithmetic.
  auto o = parse_object(R"({"id":"v-1","client_order_id":"m-1","symbol":"AAPL","status":"new",
      "side":"buy","type":"market","time_in_force":"day","qty":"90000000000",
      "filled_qty":"-90000000000"})",
                        "order");
  ASSERT_TRUE(o);
  auto r = parse_order(*o);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.status().code(), sdk::StatusCode::Internal);
  EXPECT_THAT(r.status().message(), HasSubstr("order m-1"));
  EXPECT_THAT(r.status().message(), HasSubstr("negative"));
}

TEST(AlpacaJsonTest, EveryDocumentedStatusMaps) {
  for (const char* s : {"new", "accepted", "pending_new", "accepted_for_bidding", "pending_cancel", "pending_replace",
                        "done_for_day", "stopped", "calculated", "held", "suspended", "partially_filled"})
    EXPECT_TRUE(map_order_status(s) && map_order_status(s)->open) << s;
  EXPECT_EQ(map_order_status("filled")->type, sdk::OrderEventType::Filled);
  EXPECT_EQ(map_order_status("canceled")->type, sdk::OrderEventType::Canceled);
  EXPECT_EQ(map_order_status("expired")->type, sdk::OrderEventType::Expired);
  EXPECT_EQ(map_order_status("rejected")->type, sdk::OrderEventType::Rejected);
  EXPECT_FALSE(map_order_status("replaced"));  // never sent by this plugin: cannot interpret
  EXPECT_FALSE(map_order_status(""));
}

TEST(AlpacaJsonTest, FillActivityTradeIdMatchesTheStreamsForTheSameFill) {
  auto o = parse_object(read_data("fill_activity.json"), "activity");
  ASSERT_TRUE(o);
  auto f = parse_fill_activity(*o);
  ASSERT_TRUE(f) << f.status().message();
  EXPECT_EQ(f->event.fill_quantity, dec("3"));
  EXPECT_EQ(f->cumulative, dec("7"));
  EXPECT_EQ(f->event.type, sdk::OrderEventType::PartiallyFilled);
  EXPECT_EQ(f->event.trade_id.str(), "61e69015-8549-4bfd-b9c3-01e75843f47d@7");
  EXPECT_EQ(f->event.trade_id, fill_trade_id("61e69015-8549-4bfd-b9c3-01e75843f47d", dec("7")));
}

TEST(AlpacaJsonTest, ShortSaleFillActivityIsASell) {
  auto o = parse_object(read_data("fill_activity.json"), "activity");
  ASSERT_TRUE(o);
  (*o)->set("side", "sell_short");  // activities only: orders and the stream say "sell"
  auto f = parse_fill_activity(*o);
  ASSERT_TRUE(f) << f.status().message();
  EXPECT_EQ(f->event.side, sdk::Side::Sell);
  (*o)->set("side", "sell");
  EXPECT_EQ(parse_fill_activity(*o)->event.side, sdk::Side::Sell);
  // Not an Alpaca side: refused, naming the activity and the side.
  (*o)->set("side", "buy_to_cover");
  auto bad = parse_fill_activity(*o);
  ASSERT_FALSE(bad);
  EXPECT_THAT(bad.status().message(), HasSubstr("20240102143001500::8e2c0a6e"));
  EXPECT_THAT(bad.status().message(), HasSubstr("side \"buy_to_cover\""));
  EXPECT_FALSE(sdk::parse_side("sell_short"));  // order sides are unchanged
}

// The kernel values a position at its market price after a restart: the venue's current price,
// or none (0) when Alpaca does not give one, never the entry price (perhaps months old).
TEST(AlpacaJsonTest, APositionsMarketPriceIsItsCurrentPriceOrNone) {
  auto o = parse_object(
      R"({"symbol":"AAPL","qty":"-5","side":"short","avg_entry_price":"150.25","current_price":"171.5"})",
      "position");
  ASSERT_TRUE(o);
  auto p = parse_position(*o);
  ASSERT_TRUE(p) << p.status().message();
  EXPECT_EQ(p->quantity.to_string(), "-5");
  EXPECT_EQ(p->average_price.to_string(), "150.25");
  EXPECT_EQ(p->market_price.to_string(), "171.5");
  (*o)->remove("current_price");
  p = parse_position(*o);
  ASSERT_TRUE(p) << p.status().message();
  EXPECT_TRUE(p->market_price.is_zero());
}

TEST(AlpacaJsonTest, DecimalsBeyondEightDigitsAreRoundedNotRefused) {
  auto o = parse_object(R"({"a":"122011.09751111286868","b":"1.000000005","c":"-1.000000005","d":12.5,"e":7,"f":"x","g":null})", "t");
  ASSERT_TRUE(o);
  EXPECT_EQ(*decimal_field(*o, "a"), dec("122011.09751111"));
  EXPECT_EQ(*decimal_field(*o, "b"), dec("1.00000001"));
  EXPECT_EQ(*decimal_field(*o, "c"), dec("-1.00000001"));
  EXPECT_EQ(*decimal_field(*o, "d"), dec("12.5"));
  EXPECT_EQ(*decimal_field(*o, "e"), dec("7"));
  EXPECT_FALSE(decimal_field(*o, "f"));
  EXPECT_FALSE(decimal_field(*o, "g"));
  EXPECT_FALSE(decimal_field(*o, "missing"));
}

TEST(AlpacaJsonTest, Rfc3339OffsetsAreConvertedToUtc) {
  EXPECT_EQ(*parse_rfc3339("2025-06-24T14:15:22-04:00"), ts("2025-06-24T18:15:22Z"));
  EXPECT_EQ(*parse_rfc3339("2025-06-24T14:15:22+02:00"), ts("2025-06-24T12:15:22Z"));
  EXPECT_EQ(*parse_rfc3339("2024-01-02T14:30:00.123456789Z"), ts("2024-01-02T14:30:00.123456789Z"));
  EXPECT_EQ(*parse_rfc3339("2024-01-02"), ts("2024-01-02"));
  EXPECT_FALSE(parse_rfc3339("2024-01-02T14:30:00"));
  EXPECT_FALSE(parse_rfc3339("yesterday"));
  EXPECT_EQ(to_rfc3339(ts("2024-01-02T14:30:00.9Z")), "2024-01-02T14:30:00Z");
  EXPECT_EQ(to_rfc3339(ts("1969-12-31T23:59:59.5Z")), "1969-12-31T23:59:59Z");  // rounded down, not toward zero
  // "Every fill ever" (the kernel's opening balance) must not overflow the rounding.
  EXPECT_EQ(to_rfc3339(sdk::Timestamp{std::numeric_limits<std::int64_t>::min()}).substr(0, 4), "1677");
}

TEST(AlpacaJsonTest, BarsPageIsReadWithItsToken) {
  auto o = parse_object(
      R"({"bars":{"AAPL":[{"t":"2022-01-03T09:00:00Z","o":178.26,"h":178.26,"l":178.21,"c":178.21,"v":1118,"n":65,"vw":178.235733}]},"next_page_token":"QUFQTA=="})",
      "bars");
  ASSERT_TRUE(o);
  auto p = parse_bars_page(*o);
  ASSERT_TRUE(p) << p.status().message();
  ASSERT_EQ(p->bars.size(), 1u);
  EXPECT_EQ(p->bars[0].close, dec("178.21"));
  EXPECT_EQ(p->bars[0].volume, dec("1118"));
  EXPECT_EQ(p->next_page_token, "QUFQTA==");
}

TEST(AlpacaJsonTest, ApiErrorCodeAndMessage) {
  const auto e = parse_api_error(R"({"code":40310000,"message":"insufficient buying power"})");
  EXPECT_EQ(e.code, "40310000");
  EXPECT_EQ(e.message, "insufficient buying power");
  EXPECT_TRUE(parse_api_error("<html>").message.empty());
}

}  // namespace
}  // namespace mercurio::brokers::alpaca
