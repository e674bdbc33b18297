#pragma once
// A small stateful fake of the Alpaca endpoints the plugin uses, on 127.0.0.1 only: orders with
// real lifecycles (accept, partial fill, fill, cancel, expire), fill activities, positions, the
// trade_updates WebSocket, and fault injection (rejections, duplicate client_order_id, 429
// bursts, 5xx, any error on any path, 2xx other than 200 on submit, a reply dropped after the
// order was accepted, absurd order fields, a silent or dropped stream).
// Its replies follow trading-api.json; the lifecycle suite checks that through Prism's proxy.

#include <Poco/Net/Context.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace Poco::Net {
class HTTPServer;
}

namespace mercurio::brokers::alpaca::testing {

class FakeAlpaca {
 public:
  enum class StreamMode { Normal, Silent };

  /// Plain HTTP/WS on 127.0.0.1, or HTTPS/WSS when `tls` (a server context) is given.
  FakeAlpaca(std::string key_id, std::string secret, Poco::Net::Context::Ptr tls = nullptr);
  ~FakeAlpaca();
  FakeAlpaca(const FakeAlpaca&) = delete;
  FakeAlpaca& operator=(const FakeAlpaca&) = delete;

  int port() const { return port_; }
  std::string url() const { return (tls_ ? "https://127.0.0.1:" : "http://127.0.0.1:") + std::to_string(port_); }
  std::string stream_url() const {
    return (tls_ ? "wss://127.0.0.1:" : "ws://127.0.0.1:") + std::to_string(port_) + "/stream";
  }

  // ---- the market acting on orders (also pushed to the stream unless suppressed) ----
  void fill(const std::string& client_id, const std::string& qty, const std::string& price);
  void expire(const std::string& client_id);
  /// An order status Alpaca might add one day: the plugin cannot interpret it.
  void set_strange_status(const std::string& client_id, const std::string& status);
  /// The side the order's FILL activities carry from now on (Alpaca's activities say
  /// "sell_short" for a short sale; anything else tests an activity the plugin cannot read).
  void set_activity_side(const std::string& client_id, const std::string& side);
  /// An order placed outside Mercurio (another program on the same account), streamed as "new".
  void place_external_order(const std::string& client_id, const std::string& symbol,
                            const std::string& side, const std::string& qty);

  /// Fields of the order's JSON replaced from now on, in REST replies and stream events alike
  /// (nullopt: null), e.g. an absurd filled_avg_price; an empty map restores the real ones.
  /// `stream_event` non-empty: the order, as it now reads, is also streamed under that event.
  void override_order_fields(const std::string& client_id,
                             std::map<std::string, std::optional<std::string>> fields,
                             const std::string& stream_event = "");

  /// GET /v2/assets/{symbol}: every symbol is an active, tradable, fractionable US equity unless
  /// set here (`known` false: 404).
  void set_asset(const std::string& symbol, bool known, bool tradable, bool fractionable);

  // ---- fault injection ----
  /// The next `n` POST /v2/orders get `status` with `body`, and no order is created.
  void fail_submits(int n, int status, const std::string& body);
  /// From now on every REST request whose path starts with `path_prefix` ("/v2/": all of them)
  /// gets `status` with `body` and changes nothing; `status` 0 ends it.
  void fail_requests(const std::string& path_prefix, int status, const std::string& body);
  /// The next POST /v2/orders creates the order and replies with `status` (a 2xx) instead of
  /// 200: with the order as its body, or with none for 204.
  void set_next_submit_status(int status);
  /// true: a page of GET /v2/orders after `after_order_id` begins with that order again (a list
  /// that moved between two pages), so a client sees it twice.
  void set_open_list_overlap(bool on);
  /// Non-zero: every reply's Date header reads this far from the real time (a clock off).
  void set_date_skew(std::chrono::seconds skew);
  /// The next POST /v2/orders creates the order, then the connection closes without a reply
  /// (also a duplicate's 422: refused, and the client cannot know).
  void drop_next_submit_reply();
  /// The next POST /v2/orders creates the order and fills all of it at `price` (a marketable
  /// order filled in one execution), streamed at once; its reply, the order as accepted and
  /// unfilled, is sent only after `before_reply()` returns (called without the fake's lock).
  void fill_next_submit_before_reply(const std::string& price, std::function<void()> before_reply);
  /// The next `n` POST /v2/orders get 429 with Retry-After: `retry_after_s`, and no order is
  /// created. Only those: a request the broker makes in the background (its poller, the gap fill
  /// when its stream subscribes) must not take the 429 a test meant for a submit.
  void rate_limit_submits(int n, int retry_after_s);
  /// Silent: the stream stays connected but sends nothing and answers no ping.
  void set_stream_mode(StreamMode mode);
  /// Closes every open stream connection now (clients must reconnect).
  void drop_streams();
  /// false: trade updates are not sent on the stream (they happen while the client is away).
  void set_stream_events(bool on);
  /// From now on every streamed message (replies included) is sent in `pieces` frames: a binary
  /// frame without FIN, continuation frames, the last with FIN, and a ping after the first (RFC
  /// 6455 lets a server fragment a message and put control frames between its fragments).
  void set_stream_fragments(int pieces);
  /// false: a "listen" is answered with a `listening` message whose `streams` list is empty (the
  /// way Alpaca says a stream is not available) and nothing is streamed on that connection.
  void grant_trade_updates(bool on);

  // ---- observations ----
  int order_posts() const { return order_posts_.load(); }
  int account_requests() const { return account_requests_.load(); }
  /// Requests of any kind outside the Market Data API (`/v2/stocks/...`), stream connections included.
  int trading_requests() const { return trading_requests_.load(); }
  /// Requests to the Market Data API (`/v2/stocks/...`).
  int data_requests() const { return data_requests_.load(); }
  int stream_logins() const { return stream_logins_.load(); }
  /// Auth messages received on the stream (accepted or not): credentials that reached the server.
  int stream_auth_messages() const { return stream_auth_messages_.load(); }
  int requests_with_bad_credentials() const { return bad_auth_.load(); }
  std::string status_of(const std::string& client_id) const;
  std::size_t order_count() const;

  struct Impl;  // the server's state and handlers (fake_alpaca.cpp)

 private:
  friend struct Impl;
  std::unique_ptr<Impl> impl_;
  std::unique_ptr<Poco::Net::HTTPServer> server_;
  int port_ = 0;
  bool tls_ = false;
  std::atomic<int> stream_auth_messages_{0};
  std::atomic<int> order_posts_{0};
  std::atomic<int> account_requests_{0};
  std::atomic<int> trading_requests_{0};
  std::atomic<int> data_requests_{0};
  std::atomic<int> stream_logins_{0};
  std::atomic<int> bad_auth_{0};
};

}  // namespace mercurio::brokers::alpaca::testing
