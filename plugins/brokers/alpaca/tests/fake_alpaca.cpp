#include "fake_alpaca.hpp"

#include <Poco/Buffer.h>
#include <Poco/DateTimeFormat.h>
#include <Poco/DateTimeFormatter.h>
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServer.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerRequestImpl.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/SecureServerSocket.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/Net/WebSocket.h>
#include <Poco/Timespan.h>
#include <Poco/Timestamp.h>
#include <Poco/URI.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <deque>
#include <map>
#include <sstream>
#include <utility>

#include "alpaca_json.hpp"
#include "mercurio/sdk/decimal.hpp"
#include "mercurio/sdk/time.hpp"

namespace mercurio::brokers::alpaca::testing {

using Poco::JSON::Array;
using Poco::JSON::Object;
using Poco::Net::HTTPResponse;
using Poco::Net::HTTPServerRequest;
using Poco::Net::HTTPServerResponse;
using Poco::Net::WebSocket;
using sdk::Decimal;

namespace {
std::string now_text() {
  const auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(
                      std::chrono::system_clock::now().time_since_epoch())
                      .count();
  return sdk::Timestamp{ns}.to_iso8601();
}
std::string json(const Object& o) {
  std::ostringstream s;
  o.stringify(s);
  return s.str();
}
std::string json(const Array& a) {
  std::ostringstream s;
  a.stringify(s);
  return s.str();
}
Object error_body(int code, const std::string& message) {
  Object o;
  o.set("code", code);
  o.set("message", message);
  return o;
}
std::string uuid(int n, int kind) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "%08x-0000-4000-8000-%012d", kind, n);
  return buf;
}
}  // namespace

struct FakeAlpaca::Impl {
  struct Order {
    std::string id, client_id, symbol, side, type, tif, status, created_at, updated_at;
    std::optional<std::string> limit_price, stop_price, filled_at, activity_side;
    std::map<std::string, std::optional<std::string>> overrides;  // override_order_fields
    Decimal qty, filled, notional;
    bool open() const { return status == "new" || status == "accepted" || status == "partially_filled"; }
  };
  struct Activity {
    std::string id, order_id, symbol, side, time, order_status;
    Decimal qty, price, cum, leaves;
  };
  struct Conn {
    std::deque<std::string> outbox;
    bool listening = false;
    bool silent = false;
    bool close = false;
  };

  FakeAlpaca& owner;
  std::string key, secret;
  mutable std::mutex m;
  std::vector<Order> orders;
  struct AssetState {
    bool known = true, tradable = true, fractionable = true;
  };
  std::map<std::string, AssetState> assets;  // default: every symbol active, tradable, fractionable
  std::vector<Activity> activities;
  std::vector<std::shared_ptr<Conn>> conns;
  bool events_on = true;
  bool grant_trade_updates = true;
  bool list_overlap = false;  // set_open_list_overlap
  std::atomic<long> date_skew_s{0};  // set_date_skew
  int stream_fragments = 1;  // frames each streamed message is split into (a ping after the first)
  int fail_n = 0, fail_status = 0;
  std::string fail_body;
  std::string fail_all_prefix;  // fail_requests
  int fail_all_status = 0;
  std::string fail_all_body;
  bool drop_next = false;
  int next_submit_status = 200;  // set_next_submit_status
  std::optional<std::string> fill_first_price;  // fill_next_submit_before_reply
  std::function<void()> before_reply;
  int limit_n = 0, retry_after = 1;
  int next_id = 1;
  std::atomic<bool> stopping{false};

  Impl(FakeAlpaca& o, std::string k, std::string s) : owner(o), key(std::move(k)), secret(std::move(s)) {}

  Order* by_client(const std::string& id) {
    for (auto& o : orders)
      if (o.client_id == id) return &o;
    return nullptr;
  }
  Order* by_id(const std::string& id) {
    for (auto& o : orders)
      if (o.id == id) return &o;
    return nullptr;
  }

  static Object::Ptr order_json(const Order& o) {
    Object::Ptr j(new Object);
    const Poco::Dynamic::Var null;
    j->set("id", o.id);
    j->set("client_order_id", o.client_id);
    j->set("created_at", o.created_at);
    j->set("updated_at", o.updated_at);
    j->set("submitted_at", o.created_at);
    j->set("filled_at", o.filled_at ? Poco::Dynamic::Var(*o.filled_at) : null);
    j->set("expired_at", o.status == "expired" ? Poco::Dynamic::Var(o.updated_at) : null);
    j->set("canceled_at", o.status == "canceled" ? Poco::Dynamic::Var(o.updated_at) : null);
    j->set("failed_at", null);
    j->set("replaced_at", null);
    j->set("replaced_by", null);
    j->set("replaces", null);
    j->set("asset_id", uuid(static_cast<int>(o.symbol.size()), 0xa55e7));
    j->set("symbol", o.symbol);
    j->set("asset_class", "us_equity");
    j->set("notional", null);
    j->set("qty", o.qty.to_string());
    j->set("filled_qty", o.filled.to_string());
    j->set("filled_avg_price", o.filled.is_zero() ? null : Poco::Dynamic::Var((o.notional / o.filled).to_string()));
    j->set("order_class", "");
    j->set("order_type", o.type);
    j->set("type", o.type);
    j->set("side", o.side);
    j->set("time_in_force", o.tif);
    j->set("limit_price", o.limit_price ? Poco::Dynamic::Var(*o.limit_price) : null);
    j->set("stop_price", o.stop_price ? Poco::Dynamic::Var(*o.stop_price) : null);
    j->set("status", o.status);
    j->set("extended_hours", false);
    j->set("legs", null);
    j->set("trail_percent", null);
    j->set("trail_price", null);
    j->set("hwm", null);
    for (const auto& [key, value] : o.overrides)
      j->set(key, value ? Poco::Dynamic::Var(*value) : null);
    return j;
  }

  // Locked by the caller: one execution, recorded as a FILL activity and streamed.
  void fill_order(Order& o, const Decimal& q, const Decimal& p) {
    o.filled += q;
    o.notional += q * p;
    o.updated_at = now_text();
    const bool done = o.filled >= o.qty;
    o.status = done ? "filled" : "partially_filled";
    if (done) o.filled_at = o.updated_at;
    Activity a;
    a.id = "20240102143000000::" + uuid(next_id++, 0xf111);
    a.order_id = o.id;
    a.symbol = o.symbol;
    a.side = o.activity_side.value_or(o.side);
    a.time = o.updated_at;
    a.order_status = o.status;
    a.qty = q;
    a.price = p;
    a.cum = o.filled;
    a.leaves = o.qty - o.filled;
    activities.push_back(a);
    push(done ? "fill" : "partial_fill", o, std::make_pair(q, p));
  }

  // Locked by the caller.
  void push(const std::string& event, const Order& o, std::optional<std::pair<Decimal, Decimal>> fill) {
    if (!events_on) return;
    Object data;
    data.set("event", event);
    data.set("order", order_json(o));
    data.set("timestamp", o.updated_at);
    if (fill) {
      data.set("execution_id", uuid(next_id++, 0xe0e0));
      data.set("qty", fill->first.to_string());
      data.set("price", fill->second.to_string());
    }
    Object msg;
    msg.set("stream", "trade_updates");
    msg.set("data", data);
    const std::string text = json(msg);
    for (auto& c : conns)
      if (c->listening && !c->silent) c->outbox.push_back(text);
  }

  void send(HTTPServerResponse& r, int status, const std::string& body, const std::string& type = "application/json") {
    r.setStatus(static_cast<HTTPResponse::HTTPStatus>(status));
    if (date_skew_s != 0)
      r.set("Date",
            Poco::DateTimeFormatter::format(Poco::Timestamp() + Poco::Timespan(date_skew_s, 0),
                                            Poco::DateTimeFormat::HTTP_FORMAT));
    if (!body.empty()) {
      r.setContentType(type);
      r.setContentLength(static_cast<std::streamsize>(body.size()));
      r.send() << body;
    } else {
      r.setContentLength(0);
      r.send();
    }
  }

  void handle(HTTPServerRequest& req, HTTPServerResponse& res) {
    Poco::URI uri(req.getURI());
    const std::string path = uri.getPath();
    std::map<std::string, std::string> q;
    for (const auto& [k, v] : uri.getQueryParameters()) q[k] = v;
    // Everything but market data is the Trading API (or its stream): counted for data-only tests.
    if (path.rfind("/v2/stocks/", 0) != 0) ++owner.trading_requests_;
    else ++owner.data_requests_;
    if (path == "/stream") return stream(req, res);
    if (req.get("APCA-API-KEY-ID", "") != key || req.get("APCA-API-SECRET-KEY", "") != secret) {
      ++owner.bad_auth_;
      return send(res, 401, json(error_body(40110000, "request is not authorized")));
    }
    std::string body;
    if (req.getContentLength() > 0 || req.getChunkedTransferEncoding()) {
      std::ostringstream s;
      s << req.stream().rdbuf();
      body = s.str();
    }
    std::unique_lock lock(m);
    const std::string method = req.getMethod();
    if (fail_all_status != 0 && path.rfind(fail_all_prefix, 0) == 0)
      return send(res, fail_all_status, fail_all_body);
    if (limit_n > 0 && method == "POST" && path == "/v2/orders") {
      --limit_n;
      res.set("Retry-After", std::to_string(retry_after));
      return send(res, 429, json(error_body(42910000, "rate limit exceeded")));
    }
    if (method == "GET" && path == "/v2/account") return account(res);
    if (method == "GET" && path == "/v2/positions") return positions(res);
    if (method == "GET" && path == "/v2/orders") return list_orders(res, q);
    if (method == "POST" && path == "/v2/orders") return submit(req, res, body, lock);
    if (method == "DELETE" && path == "/v2/orders") {
      Array a;
      for (auto& o : orders) {
        if (!o.open()) continue;
        o.status = "canceled";
        o.updated_at = now_text();
        push("canceled", o, std::nullopt);
        Object::Ptr r(new Object);
        r->set("id", o.id);
        r->set("status", 200);
        a.add(r);
      }
      return send(res, 207, json(a));
    }
    if (method == "GET" && path == "/v2/orders:by_client_order_id") {
      const Order* o = by_client(q["client_order_id"]);
      if (o == nullptr) return send(res, 404, json(error_body(40410000, "order not found")));
      return send(res, 200, json(*order_json(*o)));
    }
    if (path.rfind("/v2/orders/", 0) == 0) {
      Order* o = by_id(path.substr(11));
      if (o == nullptr) return send(res, 404, json(error_body(40410000, "order not found")));
      if (method == "GET") return send(res, 200, json(*order_json(*o)));
      if (method == "DELETE") {
        if (!o->open()) return send(res, 422, json(error_body(42210000, "order is not cancelable")));
        o->status = "canceled";
        o->updated_at = now_text();
        push("canceled", *o, std::nullopt);
        return send(res, 204, "");
      }
    }
    if (method == "GET" && path.rfind("/v2/assets/", 0) == 0) return asset(res, path.substr(11));
    if (method == "GET" && path == "/v2/account/activities/FILL") return fills(res, q);
    if (method == "GET" && path == "/v2/stocks/bars") return bars(res, q);
    send(res, 404, json(error_body(40410000, "endpoint not found")));
  }

  void asset(HTTPServerResponse& res, const std::string& symbol) {
    const auto it = assets.find(symbol);
    const AssetState a = it == assets.end() ? AssetState{} : it->second;
    if (!a.known) return send(res, 404, json(error_body(40410000, "asset not found for " + symbol)));
    Object o;
    o.set("id", uuid(static_cast<int>(symbol.size()), 0xa55e7));
    o.set("class", "us_equity");
    o.set("exchange", "NASDAQ");
    o.set("symbol", symbol);
    o.set("name", symbol + " Inc. (fake)");
    o.set("status", a.tradable ? "active" : "inactive");
    o.set("tradable", a.tradable);
    o.set("marginable", true);
    o.set("shortable", true);
    o.set("easy_to_borrow", true);
    o.set("fractionable", a.fractionable);
    send(res, 200, json(o));
  }

  void account(HTTPServerResponse& res) {
    ++owner.account_requests_;
    Object a;
    Decimal cash = Decimal::from_int(100'000);
    for (const auto& act : activities) cash += (act.side == "buy" ? -act.qty : act.qty) * act.price;
    a.set("id", uuid(1, 0xacc));
    a.set("account_number", "PA0000FAKE");
    a.set("status", "ACTIVE");
    a.set("currency", "USD");
    a.set("cash", cash.to_string());
    a.set("equity", "100000");
    a.set("buying_power", (cash + cash).to_string());
    a.set("portfolio_value", "100000");
    a.set("pattern_day_trader", false);
    a.set("trading_blocked", false);
    a.set("transfers_blocked", false);
    a.set("account_blocked", false);
    a.set("created_at", "2024-01-02T14:30:00Z");
    a.set("shorting_enabled", false);
    a.set("multiplier", "2");
    a.set("crypto_status", "ACTIVE");
    send(res, 200, json(a));
  }

  void positions(HTTPServerResponse& res) {
    std::map<std::string, std::pair<Decimal, Decimal>> pos;  // symbol -> qty, cost
    for (const auto& act : activities) {
      auto& [qty, cost] = pos[act.symbol];
      const Decimal signed_qty = act.side == "buy" ? act.qty : -act.qty;
      qty += signed_qty;
      cost += signed_qty * act.price;
    }
    Array a;
    for (const auto& [symbol, qc] : pos) {
      if (qc.first.is_zero()) continue;
      Object::Ptr p(new Object);
      const Decimal avg = qc.second / qc.first;
      p->set("asset_id", uuid(static_cast<int>(symbol.size()), 0xa55e7));
      p->set("symbol", symbol);
      p->set("exchange", "NASDAQ");
      p->set("asset_class", "us_equity");
      p->set("asset_marginable", true);
      p->set("qty", qc.first.to_string());
      p->set("qty_available", qc.first.to_string());
      p->set("avg_entry_price", avg.to_string());
      p->set("side", qc.first.is_negative() ? "short" : "long");
      p->set("market_value", qc.second.to_string());
      p->set("cost_basis", qc.second.to_string());
      p->set("unrealized_pl", "0");
      p->set("unrealized_plpc", "0");
      p->set("unrealized_intraday_pl", "0");
      p->set("unrealized_intraday_plpc", "0");
      p->set("current_price", avg.to_string());
      p->set("lastday_price", avg.to_string());
      p->set("change_today", "0");
      a.add(p);
    }
    send(res, 200, json(a));
  }

  void submit(HTTPServerRequest& req, HTTPServerResponse& res, const std::string& body, std::unique_lock<std::mutex>& lock) {
    ++owner.order_posts_;
    if (fail_n > 0) {
      --fail_n;
      return send(res, fail_status, fail_body);
    }
    Object::Ptr in;
    try {
      in = Poco::JSON::Parser().parse(body).extract<Object::Ptr>();
    } catch (const std::exception&) {
      return send(res, 422, json(error_body(40010000, "invalid JSON")));
    }
    const std::string client_id = in->optValue<std::string>("client_order_id", "");
    const auto drop_reply = [&] {
      drop_next = false;
      lock.unlock();
      auto& impl = static_cast<Poco::Net::HTTPServerRequestImpl&>(req);
      impl.socket().shutdown();
      impl.socket().close();
      throw std::runtime_error("fake: reply dropped on purpose");
    };
    if (!client_id.empty() && by_client(client_id) != nullptr) {
      if (drop_next) drop_reply();  // refused, but the client cannot know
      return send(res, 422, json(error_body(40010001, "client_order_id must be unique")));
    }
    const std::string symbol = in->optValue<std::string>("symbol", "");
    if (symbol == "REJECTME") return send(res, 403, json(error_body(40310000, "insufficient buying power")));
    Order o;
    o.id = uuid(next_id++, 0x0de7);
    o.client_id = client_id.empty() ? uuid(next_id++, 0xc1) : client_id;
    o.symbol = symbol;
    o.side = in->optValue<std::string>("side", "");
    o.type = in->optValue<std::string>("type", "");
    o.tif = in->optValue<std::string>("time_in_force", "");
    o.qty = Decimal::from_string(in->optValue<std::string>("qty", "0"));
    if (in->has("limit_price")) o.limit_price = in->getValue<std::string>("limit_price");
    if (in->has("stop_price")) o.stop_price = in->getValue<std::string>("stop_price");
    o.status = "new";
    o.created_at = o.updated_at = now_text();
    orders.push_back(o);
    push("new", o, std::nullopt);
    if (fill_first_price) {
      // Filled, and streamed, before the reply: the reply still shows the order as accepted.
      const std::string reply = json(*order_json(o));
      fill_order(orders.back(), o.qty, Decimal::from_string(*fill_first_price));
      fill_first_price.reset();
      auto hook = std::move(before_reply);
      before_reply = nullptr;
      lock.unlock();
      if (hook) hook();
      return send(res, 200, reply);
    }
    if (drop_next) drop_reply();  // accepted at the venue, but the client cannot know
    const int status = std::exchange(next_submit_status, 200);
    send(res, status, status == 204 ? "" : json(*order_json(o)));
  }

  void fills(HTTPServerResponse& res, std::map<std::string, std::string>& q) {
    const auto after = q.count("after") ? parse_rfc3339(q["after"]) : std::nullopt;
    const std::size_t page_size = q.count("page_size") ? std::stoul(q["page_size"]) : 100;
    bool started = q["page_token"].empty();
    Array a;
    for (const auto& act : activities) {
      if (!started) {
        started = act.id == q["page_token"];
        continue;
      }
      if (after && *parse_rfc3339(act.time) < *after) continue;
      if (a.size() >= page_size) break;
      Object::Ptr j(new Object);
      j->set("activity_type", "FILL");
      j->set("id", act.id);
      j->set("cum_qty", act.cum.to_string());
      j->set("leaves_qty", act.leaves.to_string());
      j->set("price", act.price.to_string());
      j->set("qty", act.qty.to_string());
      j->set("side", act.side);
      j->set("symbol", act.symbol);
      j->set("transaction_time", act.time);
      j->set("order_id", act.order_id);
      j->set("type", act.leaves.is_zero() ? "fill" : "partial_fill");
      j->set("order_status", act.order_status);
      a.add(j);
    }
    send(res, 200, json(a));
  }

  // GET /v2/orders as Alpaca pages it: `status` (open, closed or all; default open), `limit`
  // (default 50, at most 500), `direction` (asc or desc by submission; default desc) and
  // `after_order_id` / `before_order_id` (exclusive). `orders` is in submission order.
  void list_orders(HTTPServerResponse& res, std::map<std::string, std::string>& q) {
    const std::string status = q.count("status") ? q["status"] : "open";
    const long limit = q.count("limit") ? std::stol(q["limit"]) : 50;
    if (limit < 1 || limit > 500)
      return send(res, 422, json(error_body(42210000, "invalid limit")));
    std::size_t from = 0, to = orders.size();  // [from, to) of `orders`
    const auto position = [&](const std::string& id) {
      for (std::size_t i = 0; i < orders.size(); ++i)
        if (orders[i].id == id) return std::optional<std::size_t>(i);
      return std::optional<std::size_t>();
    };
    if (!q["after_order_id"].empty()) {
      const auto at = position(q["after_order_id"]);
      if (!at) return send(res, 422, json(error_body(42210000, "unknown after_order_id")));
      from = list_overlap ? *at : *at + 1;
    }
    if (!q["before_order_id"].empty()) {
      const auto at = position(q["before_order_id"]);
      if (!at) return send(res, 422, json(error_body(42210000, "unknown before_order_id")));
      to = *at;
    }
    std::vector<const Order*> listed;
    for (std::size_t i = from; i < to; ++i)
      if (status == "all" || (status == "open") == orders[i].open()) listed.push_back(&orders[i]);
    if (q["direction"] != "asc") std::reverse(listed.begin(), listed.end());
    Array a;
    for (std::size_t i = 0; i < listed.size() && i < static_cast<std::size_t>(limit); ++i)
      a.add(order_json(*listed[i]));
    return send(res, 200, json(a));
  }

  // Deterministic one-minute bars for any symbol; pages of `limit` bars with a token.
  void bars(HTTPServerResponse& res, std::map<std::string, std::string>& q) {
    const auto start = parse_rfc3339(q["start"]);
    const auto end = parse_rfc3339(q["end"]);
    if (!start || !end) return send(res, 400, json(error_body(40010000, "bad start or end")));
    const std::int64_t minute = 60 * sdk::Timestamp::kNanosPerSecond;
    std::int64_t t = (start->ns + minute - 1) / minute * minute;
    if (!q["page_token"].empty()) t = std::stoll(q["page_token"]);
    const long limit = q.count("limit") ? std::stol(q["limit"]) : 1000;
    std::vector<std::string> symbols;
    std::stringstream ss(q["symbols"]);
    for (std::string s; std::getline(ss, s, ',');) symbols.push_back(s);
    Object::Ptr by_symbol(new Object);
    std::map<std::string, Array::Ptr> lists;
    for (const auto& s : symbols) lists[s] = new Array;
    long n = 0;
    for (; t <= end->ns && n < limit; t += minute) {
      for (const auto& s : symbols) {
        Object::Ptr b(new Object);
        const double close = 100.0 + static_cast<double>((t / minute) % 10);
        b->set("t", sdk::Timestamp{t}.to_iso8601());
        b->set("o", close - 0.5);
        b->set("h", close + 1);
        b->set("l", close - 1);
        b->set("c", close);
        b->set("v", 1000);
        b->set("n", 10);
        b->set("vw", close);
        lists[s]->add(b);
      }
      ++n;
    }
    for (auto& [s, l] : lists) by_symbol->set(s, l);
    Object out;
    out.set("bars", by_symbol);
    if (t <= end->ns) out.set("next_page_token", std::to_string(t));
    else out.set("next_page_token", Poco::Dynamic::Var());
    send(res, 200, json(out));
  }

  void stream(HTTPServerRequest& req, HTTPServerResponse& res) {
    WebSocket ws(req, res);
    auto conn = std::make_shared<Conn>();
    {
      std::lock_guard lock(m);
      conns.push_back(conn);
    }
    Poco::Buffer<char> buf(0);
    const auto reply = [&](const std::string& text) {
      int pieces = 1;
      {
        std::lock_guard lock(m);
        pieces = std::clamp(stream_fragments, 1, std::max(1, static_cast<int>(text.size())));
      }
      const std::size_t step =
          (text.size() + static_cast<std::size_t>(pieces) - 1) / static_cast<std::size_t>(pieces);
      if (text.empty()) {
        ws.sendFrame("", 0, WebSocket::FRAME_BINARY);
        return;
      }
      for (std::size_t at = 0; at < text.size(); at += step) {
        const bool last = at + step >= text.size();
        const int opcode = at == 0 ? static_cast<int>(WebSocket::FRAME_OP_BINARY)
                                   : static_cast<int>(WebSocket::FRAME_OP_CONT);
        const int fin = last ? static_cast<int>(WebSocket::FRAME_FLAG_FIN) : 0;
        ws.sendFrame(text.data() + at, static_cast<int>(std::min(step, text.size() - at)),
                     opcode | fin);
        if (at == 0 && !last)  // a control frame in the middle of a message, as RFC 6455 allows
          ws.sendFrame("", 0,
                       static_cast<int>(WebSocket::FRAME_FLAG_FIN) |
                           static_cast<int>(WebSocket::FRAME_OP_PING));
      }
    };
    try {
      while (!stopping) {
        std::vector<std::string> out;
        bool silent = false;
        {
          std::lock_guard lock(m);
          if (conn->close) break;
          silent = conn->silent;
          out.assign(conn->outbox.begin(), conn->outbox.end());
          conn->outbox.clear();
        }
        for (const auto& text : out) reply(text);
        if (!ws.poll(Poco::Timespan(20'000), Poco::Net::Socket::SELECT_READ)) continue;
        int flags = 0;
        buf.resize(0);
        const int n = ws.receiveFrame(buf, flags);
        const int op = flags & WebSocket::FRAME_OP_BITMASK;
        if ((n == 0 && flags == 0) || op == WebSocket::FRAME_OP_CLOSE) break;
        if (op == WebSocket::FRAME_OP_PING) {
          if (!silent)
            ws.sendFrame(buf.begin(), n,
                         static_cast<int>(WebSocket::FRAME_FLAG_FIN) | static_cast<int>(WebSocket::FRAME_OP_PONG));
          continue;
        }
        if (silent || op == WebSocket::FRAME_OP_PONG) continue;
        Object::Ptr msg = Poco::JSON::Parser().parse(std::string(buf.begin(), static_cast<std::size_t>(n))).extract<Object::Ptr>();
        const std::string action = msg->optValue<std::string>("action", "");
        if (action == "auth") {
          ++owner.stream_auth_messages_;
          const bool ok = msg->optValue<std::string>("key", "") == key && msg->optValue<std::string>("secret", "") == secret;
          reply(std::string(R"({"stream":"authorization","data":{"action":"authenticate","status":")") +
                (ok ? "authorized" : "unauthorized") + "\"}}");
          if (!ok) {
            ++owner.bad_auth_;
            break;
          }
          ++owner.stream_logins_;
        } else if (action == "listen") {
          bool granted = false;
          {
            std::lock_guard lock(m);
            granted = grant_trade_updates;
            conn->listening = granted;
          }
          reply(granted ? R"({"stream":"listening","data":{"streams":["trade_updates"]}})"
                        : R"({"stream":"listening","data":{"streams":[]}})");
        }
      }
    } catch (const std::exception&) {
      // the client went away
    }
    std::lock_guard lock(m);
    std::erase(conns, conn);
  }
};

namespace {
class Handler final : public Poco::Net::HTTPRequestHandler {
 public:
  explicit Handler(FakeAlpaca::Impl& impl) : impl_(impl) {}
  void handleRequest(HTTPServerRequest& req, HTTPServerResponse& res) override {
    try {
      impl_.handle(req, res);
    } catch (const std::exception&) {
      // a dropped reply, or the client went away
    }
  }

 private:
  FakeAlpaca::Impl& impl_;
};
class Factory final : public Poco::Net::HTTPRequestHandlerFactory {
 public:
  explicit Factory(FakeAlpaca::Impl& impl) : impl_(impl) {}
  Poco::Net::HTTPRequestHandler* createRequestHandler(const HTTPServerRequest&) override { return new Handler(impl_); }

 private:
  FakeAlpaca::Impl& impl_;
};
}  // namespace

FakeAlpaca::FakeAlpaca(std::string key_id, std::string secret, Poco::Net::Context::Ptr tls)
    : impl_(std::make_unique<Impl>(*this, std::move(key_id), std::move(secret))), tls_(!tls.isNull()) {
  Poco::Net::ServerSocket socket = tls_ ? Poco::Net::SecureServerSocket(Poco::Net::SocketAddress("127.0.0.1", 0), 64, tls)
                                        : Poco::Net::ServerSocket(Poco::Net::SocketAddress("127.0.0.1", 0));
  port_ = socket.address().port();
  auto* params = new Poco::Net::HTTPServerParams;
  params->setMaxThreads(32);
  params->setMaxQueued(64);
  params->setKeepAlive(true);
  server_ = std::make_unique<Poco::Net::HTTPServer>(new Factory(*impl_), socket, params);
  server_->start();
}

FakeAlpaca::~FakeAlpaca() {
  impl_->stopping = true;
  server_->stopAll(true);
}

void FakeAlpaca::fill(const std::string& client_id, const std::string& qty, const std::string& price) {
  std::lock_guard lock(impl_->m);
  auto* o = impl_->by_client(client_id);
  if (o == nullptr) throw std::invalid_argument("fake: no order " + client_id);
  impl_->fill_order(*o, Decimal::from_string(qty), Decimal::from_string(price));
}

void FakeAlpaca::set_activity_side(const std::string& client_id, const std::string& side) {
  std::lock_guard lock(impl_->m);
  auto* o = impl_->by_client(client_id);
  if (o == nullptr) throw std::invalid_argument("fake: no order " + client_id);
  o->activity_side = side;
}

void FakeAlpaca::place_external_order(const std::string& client_id, const std::string& symbol,
                                      const std::string& side, const std::string& qty) {
  std::lock_guard lock(impl_->m);
  Impl::Order o;
  o.id = uuid(impl_->next_id++, 0x0de7);
  o.client_id = client_id;
  o.symbol = symbol;
  o.side = side;
  o.type = "market";
  o.tif = "day";
  o.qty = Decimal::from_string(qty);
  o.status = "new";
  o.created_at = o.updated_at = now_text();
  impl_->orders.push_back(o);
  impl_->push("new", o, std::nullopt);
}

void FakeAlpaca::expire(const std::string& client_id) {
  std::lock_guard lock(impl_->m);
  auto* o = impl_->by_client(client_id);
  if (o == nullptr) throw std::invalid_argument("fake: no order " + client_id);
  o->status = "expired";
  o->updated_at = now_text();
  impl_->push("expired", *o, std::nullopt);
}

void FakeAlpaca::set_strange_status(const std::string& client_id, const std::string& status) {
  std::lock_guard lock(impl_->m);
  auto* o = impl_->by_client(client_id);
  if (o == nullptr) throw std::invalid_argument("fake: no order " + client_id);
  o->status = status;
  o->updated_at = now_text();
  impl_->push(status, *o, std::nullopt);
}

void FakeAlpaca::fail_submits(int n, int status, const std::string& body) {
  std::lock_guard lock(impl_->m);
  impl_->fail_n = n;
  impl_->fail_status = status;
  impl_->fail_body = body;
}

void FakeAlpaca::fail_requests(const std::string& path_prefix, int status,
                               const std::string& body) {
  std::lock_guard lock(impl_->m);
  impl_->fail_all_prefix = path_prefix;
  impl_->fail_all_status = status;
  impl_->fail_all_body = body;
}

void FakeAlpaca::override_order_fields(const std::string& client_id,
                                       std::map<std::string, std::optional<std::string>> fields,
                                       const std::string& stream_event) {
  std::lock_guard lock(impl_->m);
  auto* o = impl_->by_client(client_id);
  if (o == nullptr) throw std::invalid_argument("fake: no order " + client_id);
  o->overrides = std::move(fields);
  if (!stream_event.empty()) impl_->push(stream_event, *o, std::nullopt);
}

void FakeAlpaca::set_next_submit_status(int status) {
  std::lock_guard lock(impl_->m);
  impl_->next_submit_status = status;
}

void FakeAlpaca::set_date_skew(std::chrono::seconds skew) {
  impl_->date_skew_s = static_cast<long>(skew.count());
}

void FakeAlpaca::set_open_list_overlap(bool on) {
  std::lock_guard lock(impl_->m);
  impl_->list_overlap = on;
}

void FakeAlpaca::drop_next_submit_reply() {
  std::lock_guard lock(impl_->m);
  impl_->drop_next = true;
}

void FakeAlpaca::fill_next_submit_before_reply(const std::string& price,
                                               std::function<void()> before_reply) {
  std::lock_guard lock(impl_->m);
  impl_->fill_first_price = price;
  impl_->before_reply = std::move(before_reply);
}

void FakeAlpaca::rate_limit_submits(int n, int retry_after_s) {
  std::lock_guard lock(impl_->m);
  impl_->limit_n = n;
  impl_->retry_after = retry_after_s;
}

void FakeAlpaca::set_stream_mode(StreamMode mode) {
  std::lock_guard lock(impl_->m);
  for (auto& c : impl_->conns) c->silent = mode == StreamMode::Silent;
}

void FakeAlpaca::drop_streams() {
  std::lock_guard lock(impl_->m);
  for (auto& c : impl_->conns) c->close = true;
}

void FakeAlpaca::set_asset(const std::string& symbol, bool known, bool tradable, bool fractionable) {
  std::lock_guard lock(impl_->m);
  impl_->assets[symbol] = {known, tradable, fractionable};
}

void FakeAlpaca::set_stream_events(bool on) {
  std::lock_guard lock(impl_->m);
  impl_->events_on = on;
}

void FakeAlpaca::set_stream_fragments(int pieces) {
  std::lock_guard lock(impl_->m);
  impl_->stream_fragments = pieces;
}

void FakeAlpaca::grant_trade_updates(bool on) {
  std::lock_guard lock(impl_->m);
  impl_->grant_trade_updates = on;
}

std::string FakeAlpaca::status_of(const std::string& client_id) const {
  std::lock_guard lock(impl_->m);
  for (const auto& o : impl_->orders)
    if (o.client_id == client_id) return o.status;
  return "";
}

std::size_t FakeAlpaca::order_count() const {
  std::lock_guard lock(impl_->m);
  return impl_->orders.size();
}

}  // namespace mercurio::brokers::alpaca::testing
