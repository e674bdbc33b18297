#include "alpaca_rest.hpp"

#include <Poco/DateTime.h>
#include <Poco/DateTimeFormat.h>
#include <Poco/DateTimeParser.h>

#include <algorithm>
#include <charconv>
#include <ctime>
#include <set>

namespace mercurio::brokers::alpaca {

using common::HttpRequest;
using common::HttpResponse;
using common::Priority;
using sdk::Status;
using sdk::StatusCode;

namespace {
constexpr int kActivityPageSize = 100;
constexpr int kMaxPages = 1000;          // bound every pagination loop

std::optional<long> header_number(const HttpResponse& r, std::string_view name) {
  const auto v = r.header(name);
  if (!v) return std::nullopt;
  long n = 0;
  const auto [p, ec] = std::from_chars(v->data(), v->data() + v->size(), n);
  if (ec != std::errc{} || p != v->data() + v->size()) return std::nullopt;
  return n;
}

std::string join(const std::vector<sdk::Symbol>& symbols) {
  std::string out;
  for (const auto& s : symbols) {
    if (!out.empty()) out += ',';
    out += s.str();
  }
  return out;
}
}  // namespace

sdk::Result<std::unique_ptr<AlpacaRest>> AlpacaRest::create(const AlpacaSettings& settings) {
  common::HttpClient::Options options;
  options.connect_timeout = settings.request_timeout;
  options.io_timeout = settings.request_timeout;
  options.ca_file = settings.ca_file;
  if (settings.trading_url.secure() || settings.data_url.secure()) {
    auto tls = common::make_shared_client_tls(settings.ca_file);  // one CA store read for both clients
    if (!tls) return tls.status();
    options.tls_context = std::move(*tls);
  }
  auto trading = common::HttpClient::create(settings.trading_url, options);
  if (!trading) return trading.status();
  auto data = common::HttpClient::create(settings.data_url, options);
  if (!data) return data.status();
  return std::unique_ptr<AlpacaRest>(new AlpacaRest(settings, std::move(*trading), std::move(*data),
                                                    std::move(options.tls_context)));
}

AlpacaRest::AlpacaRest(const AlpacaSettings& settings, std::unique_ptr<common::HttpClient> trading,
                       std::unique_ptr<common::HttpClient> data, std::shared_ptr<void> tls_context)
    : settings_(settings),
      trading_(std::move(trading)),
      data_(std::move(data)),
      tls_context_(std::move(tls_context)),
      // Reserves scale with the budget (180/min: 10 kept for cancels, 45 kept from the calendar
      // and assets).
      trading_budget_(common::RateBudget::Options{settings.requests_per_minute,
                                                  std::max(1, settings.requests_per_minute / 18),
                                                  settings.requests_per_minute / 4}),
      // The Market Data API counts its requests apart from the Trading API's: its 429s and its
      // X-RateLimit-Remaining must not hold up an order, a cancel or a heartbeat. Only bars use
      // it, so it keeps no reserve.
      data_budget_(common::RateBudget::Options{settings.data_requests_per_minute, 0, 0}) {}

void AlpacaRest::set_extra_headers(Headers headers) {
  std::lock_guard lock(headers_mutex_);
  extra_headers_ = std::move(headers);
}

void AlpacaRest::set_observer(Observer observer) {
  std::lock_guard lock(headers_mutex_);
  observer_ = std::move(observer);
}

std::string AlpacaRest::redact(std::string text) const {
  for (const auto* secret : {&settings_.key_id.reveal(), &settings_.secret_key.reveal()}) {
    if (secret->size() < 4) continue;  // too short to search for without mangling text
    for (auto pos = text.find(*secret); pos != std::string::npos; pos = text.find(*secret, pos))
      text.replace(pos, secret->size(), "[redacted]");
  }
  return text;
}

sdk::Result<HttpResponse> AlpacaRest::call(common::HttpClient& client, common::RateBudget& budget,
                                           Priority priority, HttpRequest request) {
  const std::string what = request.method + " " + request.target.substr(0, request.target.find('?'));
  if (!budget.acquire(priority, settings_.request_timeout))
    return Status(StatusCode::Unavailable, "alpaca: " + what + ": client-side rate budget exhausted (not sent)", true);
  request.headers.push_back({"APCA-API-KEY-ID", settings_.key_id.reveal()});
  request.headers.push_back({"APCA-API-SECRET-KEY", settings_.secret_key.reveal()});
  {
    std::lock_guard lock(headers_mutex_);
    for (const auto& h : extra_headers_) request.headers.push_back(h);
  }
  auto response = client.send(request);
  if (!response) {
    const auto& s = response.status();
    // A request written without an answer is an unknown outcome only where it may have changed
    // something (an order's POST or DELETE). A read that got no answer changed nothing: the venue
    // is unavailable, not in an unknown state (which the order book raises as an anomaly, and the
    // kernel answers with REDUCING).
    if (request.method == "GET" && s.code() == StatusCode::Unknown)
      return Status(StatusCode::Unavailable, "alpaca: " + redact(s.message()), true);
    return Status(s.code(), "alpaca: " + redact(s.message()), s.retryable());
  }
  {
    std::lock_guard lock(headers_mutex_);
    if (observer_) observer_(request.method, request.target, *response);
  }
  if (const auto date = response->header("Date")) {
    Poco::DateTime at;
    int tzd = 0;
    if (Poco::DateTimeParser::tryParse(Poco::DateTimeFormat::HTTP_FORMAT, *date, at, tzd))
      clock_skew_s_ =
          static_cast<std::int64_t>(std::time(nullptr)) - (at.timestamp().epochTime() - tzd);
  }
  if (const auto remaining = header_number(*response, "X-RateLimit-Remaining"))
    budget.observe_remaining(static_cast<int>(*remaining));
  if (response->status == 429) {
    // Retry-After (seconds) wins; else X-RateLimit-Reset (epoch seconds); else a minute's pause.
    auto until = common::RateBudget::Clock::now() + std::chrono::seconds(60);
    if (const auto after = header_number(*response, "Retry-After")) {
      until = common::RateBudget::Clock::now() + std::chrono::seconds(std::clamp(*after, 0L, 300L));
    } else if (const auto reset = header_number(*response, "X-RateLimit-Reset")) {
      const long wait = std::clamp(*reset - static_cast<long>(std::time(nullptr)), 0L, 300L);
      until = common::RateBudget::Clock::now() + std::chrono::seconds(wait);
    }
    budget.pause_until(until);
  }
  return response;
}

Status AlpacaRest::error_status(const HttpResponse& r, const std::string& what) const {
  const ApiError e = parse_api_error(r.body);
  std::string text = "alpaca: " + what + ": HTTP " + std::to_string(r.status);
  if (!e.code.empty()) text += " (code " + e.code + ")";
  if (!e.message.empty()) text += ": " + e.message;
  text = redact(text);
  if (r.status == 429) return Status(StatusCode::Unavailable, text + " (rate limited)", true);
  if (r.status >= 500) return Status(StatusCode::Unavailable, text, true);
  if (r.status == 404) return Status(StatusCode::NotFound, text);
  return Status(StatusCode::Rejected, text);
}

sdk::Result<sdk::AccountSnapshot> AlpacaRest::account() {
  auto r = call(*trading_, trading_budget_, Priority::Normal, {"GET", "/v2/account", {}, {}});
  if (!r) return r.status();
  if (r->status != 200) return error_status(*r, "GET /v2/account");
  auto o = parse_object(r->body, "account");
  if (!o) return o.status();
  return parse_account(*o);
}

sdk::Result<std::vector<sdk::Position>> AlpacaRest::positions() {
  auto r = call(*trading_, trading_budget_, Priority::Normal, {"GET", "/v2/positions", {}, {}});
  if (!r) return r.status();
  if (r->status != 200) return error_status(*r, "GET /v2/positions");
  auto a = parse_array(r->body, "positions");
  if (!a) return a.status();
  std::vector<sdk::Position> out;
  for (std::size_t i = 0; i < (*a)->size(); ++i) {
    auto p = parse_position((*a)->getObject(static_cast<unsigned>(i)));
    if (!p) return p.status();
    out.push_back(*p);
  }
  return out;
}

sdk::Result<std::vector<sdk::OrderStatusReport>> AlpacaRest::open_orders() {
  std::vector<std::string> foreign;  // the reconciliation has nothing to do with them
  auto orders = open_venue_orders(Skip::Foreign, foreign);
  if (!orders) return orders.status();
  std::vector<sdk::OrderStatusReport> out;
  for (auto& o : *orders) out.push_back(std::move(o.report));
  return out;
}

sdk::Result<std::vector<VenueOrder>> AlpacaRest::open_venue_orders(
    Skip which, std::vector<std::string>& skipped) {
  // Oldest first, page by page: each page asks for the orders submitted after the last one of the
  // page before (after_order_id). A partial list is never returned: the reconciliation would take
  // the orders it lacks as gone.
  const std::string first_page =
      "/v2/orders?status=open&limit=" + std::to_string(settings_.open_orders_page_limit) +
      "&direction=asc";
  std::vector<VenueOrder> out;
  std::set<std::string> listed;  // Alpaca order ids: one on two pages (a race) counted once
  std::string after;             // the last order id of the page before
  for (int page = 1;; ++page) {
    if (page > kMaxPages)
      return Status(StatusCode::Internal, "alpaca: more than " + std::to_string(kMaxPages) +
                                              " pages of open orders, refusing a partial list");
    const std::string target =
        after.empty() ? first_page : first_page + "&after_order_id=" + common::url_encode(after);
    auto r = call(*trading_, trading_budget_, Priority::Normal, {"GET", target, {}, {}});
    if (!r) return r.status();
    if (r->status != 200) return error_status(*r, "GET /v2/orders");
    auto a = parse_array(r->body, "open orders");
    if (!a) return a.status();
    const std::size_t n = (*a)->size();
    for (std::size_t i = 0; i < n; ++i) {
      const auto entry = (*a)->getObject(static_cast<unsigned>(i));
      if (const auto venue_id = string_field(entry, "id");
          venue_id && !listed.insert(*venue_id).second)
        continue;
      auto o = parse_venue_order(entry);
      if (o) {
        out.push_back(*o);
        continue;
      }
      const auto id = string_field(entry, "client_order_id");
      const bool foreign = id && !sdk::ClientOrderId::fits(*id);
      if (which == Skip::Foreign && !foreign) return o.status();
      skipped.push_back(o.status().message());
    }
    if (n < static_cast<std::size_t>(settings_.open_orders_page_limit)) return out;
    const auto last = string_field((*a)->getObject(static_cast<unsigned>(n - 1)), "id");
    if (!last || last->empty() || *last == after)
      return Status(StatusCode::Internal,
                    "alpaca: cannot page through the open orders (the last order of page " +
                        std::to_string(page) + " has " +
                        (!last || last->empty() ? "no id" : "the id of the page before's") +
                        "), refusing a partial list");
    after = *last;
  }
}

sdk::Result<VenueOrder> AlpacaRest::order_by_client_id(const sdk::ClientOrderId& id) {
  auto r = call(*trading_, trading_budget_, Priority::Normal,
                {"GET",
                 "/v2/orders:by_client_order_id?client_order_id=" + common::url_encode(id.view()),
                 {},
                 {}});
  if (!r) return r.status();
  if (r->status == 404)
    return Status(StatusCode::NotFound, "alpaca: no order with client_order_id " + id.str());
  if (r->status != 200) return error_status(*r, "GET /v2/orders:by_client_order_id");
  auto o = parse_object(r->body, "order");
  if (!o) return o.status();
  return parse_venue_order(*o);
}

sdk::Result<sdk::ClientOrderId> AlpacaRest::client_order_id_of(const std::string& venue_order_id) {
  auto r = call(*trading_, trading_budget_, Priority::Normal,
                {"GET", "/v2/orders/" + common::url_encode(venue_order_id), {}, {}});
  if (!r) return r.status();
  if (r->status == 404) return Status(StatusCode::NotFound, "alpaca: no order with id " + venue_order_id);
  if (r->status != 200) return error_status(*r, "GET /v2/orders/{order_id}");
  auto o = parse_object(r->body, "order");
  if (!o) return o.status();
  const auto id = string_field(*o, "client_order_id");
  if (!id || id->empty() || !sdk::ClientOrderId::fits(*id))
    return Status(StatusCode::Internal,
                  "alpaca: unexpected order " + venue_order_id + " (GET /v2/orders/{order_id}): " +
                      (!id || id->empty() ? "no client_order_id"
                                          : "client_order_id longer than 48 characters"));
  return sdk::ClientOrderId(*id);
}

SubmitResult AlpacaRest::submit(const sdk::ApprovedOrder& order) {
  const std::string what = "POST /v2/orders " + order.client_order_id().str();
  // The failsafe's flattening orders (tagged by the kernel) share the cancels' priority.
  const auto priority = order.intent().tag == kFlattenTag ? Priority::Critical : Priority::Normal;
  auto r = call(*trading_, trading_budget_, priority,
                {"POST", "/v2/orders", {}, order_request_body(order)});
  if (!r) {
    // Unavailable: certainly not sent (safe to report as refused); Unknown: maybe sent.
    return {r.status(), std::nullopt};
  }
  if (r->status >= 200 && r->status < 300) {
    // Alpaca documents 200; any 2xx (201, 202, 204 from a change or a proxy) says the order was
    // taken: a body that is not an order leaves it Unknown (resolved by lookup), never refused.
    const std::string accepted =
        "alpaca: " + what + ": accepted (HTTP " + std::to_string(r->status) + ")";
    auto o = parse_object(r->body, "order");
    if (!o)
      return {Status(StatusCode::Unknown,
                     redact(accepted + " but the reply is unreadable: " + o.status().message())),
              std::nullopt};
    auto report = parse_venue_order(*o);
    if (!report)
      return {Status(StatusCode::Unknown, redact(accepted + " but " + report.status().message())),
              std::nullopt};
    return {Status{}, *report};
  }
  if (r->status >= 500)
    return {Status(StatusCode::Unknown, redact("alpaca: " + what + ": HTTP " + std::to_string(r->status) +
                                               ": the order may or may not exist")),
            std::nullopt};
  Status s = error_status(*r, what);
  const ApiError e = parse_api_error(r->body);
  if (r->status == 422 && e.message.find("client_order_id") != std::string::npos)
    return refused_as_duplicate(order, s);
  return {s, std::nullopt};
}

namespace {

// How the order Alpaca holds under `order`'s client id differs from it (empty: it is this one):
// other terms, or the same terms taken before this one was approved (a run's first "buy 10 SPY"
// under the same first id).
std::string other_order(const sdk::ApprovedOrder& order, const VenueOrder& held) {
  const sdk::OrderIntent& mine = order.intent();
  const sdk::OrderIntent& theirs = held.report.intent;
  const std::string terms = std::string(sdk::to_string(theirs.side)) + " " +
                            theirs.quantity.to_string() + " " + theirs.symbol.str() + " " +
                            std::string(sdk::to_string(theirs.type));
  if (theirs.symbol != mine.symbol || theirs.side != mine.side ||
      theirs.quantity != mine.quantity || theirs.type != mine.type ||
      theirs.limit_price != mine.limit_price || theirs.stop_price != mine.stop_price)
    return "an order to " + terms;
  if (taken_before_approval(held.created_at, order.approved_at()))
    return "an order to " + terms + " created " + held.created_at->to_iso8601() +
           ", before this one was approved at " + order.approved_at().to_iso8601();
  return {};
}

}  // namespace

// A duplicate client_order_id: either an earlier send of this very order reached Alpaca (its
// reply lost), which must be resolved by lookup and never recorded as rejected, or the id was
// used by another order before. The order Alpaca holds under it tells which: adopting another
// order would report its fills, and its cancel, as this one's.
SubmitResult AlpacaRest::refused_as_duplicate(const sdk::ApprovedOrder& order,
                                              const Status& refusal) {
  const std::string exists = refusal.message() + " (the order exists already: resolve by lookup)";
  auto held = order_by_client_id(order.client_order_id());
  if (!held)
    return {
        Status(StatusCode::Unknown, exists + "; looking it up failed: " + held.status().message()),
        std::nullopt};
  const std::string other = other_order(order, *held);
  if (other.empty()) return {Status(StatusCode::Unknown, exists), std::nullopt};
  return {Status(StatusCode::Rejected,
                 "alpaca: client_order_id " + order.client_order_id().str() +
                     " is already used at Alpaca by order " + held->report.venue_order_id + " (" +
                     other +
                     "): this order was not placed (the ids start again with a new "
                     "journal, or in a run without one)"),
          std::nullopt, true};
}

Status AlpacaRest::cancel(const std::string& venue_order_id) {
  auto r = call(*trading_, trading_budget_, Priority::Critical,
                {"DELETE", "/v2/orders/" + common::url_encode(venue_order_id), {}, {}});
  if (!r) return r.status();
  if (r->status == 200 || r->status == 204) return {};
  return error_status(*r, "DELETE /v2/orders/" + venue_order_id);
}

Status AlpacaRest::cancel_all() {
  auto r = call(*trading_, trading_budget_, Priority::Critical, {"DELETE", "/v2/orders", {}, {}});
  if (!r) return r.status();
  if (r->status == 200 || r->status == 207 || r->status == 204) return {};
  return error_status(*r, "DELETE /v2/orders");
}

sdk::Result<Clock> AlpacaRest::clock() {
  auto r = call(*trading_, trading_budget_, Priority::Low, {"GET", "/v2/clock", {}, {}});
  if (!r) return r.status();
  if (r->status != 200) return error_status(*r, "GET /v2/clock");
  auto o = parse_object(r->body, "clock");
  if (!o) return o.status();
  return parse_clock(*o);
}

sdk::Result<std::vector<CalendarDay>> AlpacaRest::calendar(sdk::Timestamp from, sdk::Timestamp to) {
  // The published spec declares start/end as date-time (see README: spec quirks).
  const std::string target = "/v2/calendar?start=" + common::url_encode(to_rfc3339(from)) +
                             "&end=" + common::url_encode(to_rfc3339(to));
  auto r = call(*trading_, trading_budget_, Priority::Low, {"GET", target, {}, {}});
  if (!r) return r.status();
  if (r->status != 200) return error_status(*r, "GET /v2/calendar");
  auto a = parse_array(r->body, "calendar");
  if (!a) return a.status();
  return parse_calendar(*a);
}

sdk::Result<Asset> AlpacaRest::asset(const sdk::Symbol& symbol) {
  auto r = call(*trading_, trading_budget_, Priority::Low,
                {"GET", "/v2/assets/" + common::url_encode(symbol.view()), {}, {}});
  if (!r) return r.status();
  if (r->status != 200) return error_status(*r, "GET /v2/assets/" + symbol.str());
  auto o = parse_object(r->body, "asset");
  if (!o) return o.status();
  return parse_asset(*o);
}

sdk::Result<FillActivities> AlpacaRest::fills_since(sdk::Timestamp after) {
  // Alpaca opened in 2015: "every fill ever" (the kernel's opening balance asks for it) starts there.
  constexpr sdk::Timestamp kAlpacaFirstDay{1'420'070'400LL * sdk::Timestamp::kNanosPerSecond};  // 2015-01-01
  if (after < kAlpacaFirstDay) after = kAlpacaFirstDay;
  FillActivities out;
  std::string token;
  std::set<std::string> seen_tokens;
  for (int page = 0; page < kMaxPages; ++page) {
    std::string target = "/v2/account/activities/FILL?after=" + common::url_encode(to_rfc3339(after)) +
                         "&direction=asc&page_size=" + std::to_string(kActivityPageSize);
    if (!token.empty()) target += "&page_token=" + common::url_encode(token);
    auto r = call(*trading_, trading_budget_, Priority::Normal, {"GET", target, {}, {}});
    if (!r) return r.status();
    if (r->status != 200) return error_status(*r, "GET /v2/account/activities/FILL");
    auto a = parse_array(r->body, "fill activities");
    if (!a) return a.status();
    std::optional<std::string> last_id;
    for (std::size_t i = 0; i < (*a)->size(); ++i) {
      const auto item = (*a)->getObject(static_cast<unsigned>(i));
      last_id = string_field(item, "id");
      auto f = parse_fill_activity(item);
      if (f)
        out.fills.push_back(*f);
      else
        out.unreadable.push_back(
            {last_id.value_or(""), string_field(item, "order_id").value_or(""), f.status()});
    }
    if ((*a)->size() < static_cast<std::size_t>(kActivityPageSize)) return out;
    if (!last_id || last_id->empty())
      return Status(StatusCode::Internal,
                    "alpaca: fill activities: the last of a full page has no id to page on");
    token = *last_id;  // Alpaca pages activities by the last id seen
    if (!seen_tokens.insert(token).second)
      return Status(StatusCode::Internal, "alpaca: fill activities: the same page came back twice");
  }
  return Status(StatusCode::Internal, "alpaca: fill activities: more than " + std::to_string(kMaxPages) + " pages");
}

sdk::Result<std::vector<sdk::Bar>> AlpacaRest::bars(const std::vector<sdk::Symbol>& symbols, sdk::Timestamp from,
                                                    sdk::Timestamp to) {
  std::vector<sdk::Bar> out;
  std::string token;
  std::set<std::string> seen_tokens;
  for (int page = 0; page < kMaxPages; ++page) {
    std::string target = "/v2/stocks/bars?symbols=" + common::url_encode(join(symbols)) +
                         "&timeframe=" + settings_.bar_timeframe + "&start=" + common::url_encode(to_rfc3339(from)) +
                         "&end=" + common::url_encode(to_rfc3339(to)) +
                         "&limit=" + std::to_string(settings_.history_page_limit) + "&adjustment=raw&feed=" +
                         settings_.data_feed + "&sort=asc";
    if (!token.empty()) target += "&page_token=" + common::url_encode(token);
    auto r = call(*data_, data_budget_, Priority::Low, {"GET", target, {}, {}});
    if (!r) return r.status();
    if (r->status != 200) return error_status(*r, "GET /v2/stocks/bars");
    auto o = parse_object(r->body, "bars");
    if (!o) return o.status();
    auto p = parse_bars_page(*o);
    if (!p) return p.status();
    out.insert(out.end(), p->bars.begin(), p->bars.end());
    if (p->next_page_token.empty()) {
      std::stable_sort(out.begin(), out.end(), [](const sdk::Bar& a, const sdk::Bar& b) { return a.ts < b.ts; });
      return out;
    }
    token = p->next_page_token;
    if (!seen_tokens.insert(token).second)
      return Status(StatusCode::Internal, "alpaca: bars: the same next_page_token came back twice");
  }
  return Status(StatusCode::Internal, "alpaca: bars: more than " + std::to_string(kMaxPages) + " pages");
}

}  // namespace mercurio::brokers::alpaca
