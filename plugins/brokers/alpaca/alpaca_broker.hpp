#pragma once
/// @file alpaca_broker.hpp
/// Alpaca as an SDK broker: REST for orders and queries, the trade_updates stream for order
/// news (REST polling while it is down, REST gap-fill after every resubscription), REST polling
/// for new bars.

#include <atomic>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

#include "alpaca_rest.hpp"
#include "config.hpp"
#include "mercurio/sdk/broker.hpp"
#include "order_book.hpp"
#include "trade_stream.hpp"

namespace mercurio::brokers::alpaca {

/// Thread: Broker methods are called from the kernel thread. The plugin runs two threads of its
/// own (the stream, and a poller for bars and for orders while the stream is down); both only
/// call REST and the sink. Ownership: keeps a pointer to the sink from start() until stop().
class AlpacaBroker final : public sdk::Broker {
 public:
  /// Throws std::invalid_argument listing every config error.
  explicit AlpacaBroker(const sdk::ConfigView& config);
  explicit AlpacaBroker(AlpacaSettings settings);
  ~AlpacaBroker() override;
  AlpacaBroker(const AlpacaBroker&) = delete;
  AlpacaBroker& operator=(const AlpacaBroker&) = delete;

  sdk::Status start(sdk::BrokerSink& sink) override;
  void stop() override;
  sdk::Status submit(const sdk::ApprovedOrder& order) override;
  sdk::Status cancel(const sdk::ClientOrderId& id) override;
  sdk::Result<sdk::AccountSnapshot> account() override;
  sdk::Result<std::vector<sdk::Position>> positions() override;
  sdk::Result<std::vector<sdk::OrderStatusReport>> open_orders() override;
  sdk::Result<sdk::OrderStatusReport> order(const sdk::ClientOrderId& id) override;
  sdk::Result<std::vector<sdk::OrderEvent>> fills(sdk::Timestamp since) override;
  sdk::Result<std::vector<sdk::Bar>> history(const sdk::Symbol& symbol, sdk::Timestamp from,
                                             sdk::Timestamp to) override;
  sdk::Status subscribe_bars(const std::vector<sdk::Symbol>& symbols) override;

  /// Cancels every open order at Alpaca (critical priority). Not in the SDK yet.
  sdk::Status cancel_all();
  const AlpacaSettings& settings() const noexcept { return settings_; }
  /// Tests: the REST client (request counts, extra headers) and the stream state.
  AlpacaRest& rest() { return *rest_; }
  bool stream_subscribed() const { return stream_ && stream_->subscribed(); }
  int stream_subscriptions() const { return stream_ ? stream_->subscriptions() : 0; }
  /// Gap-fills completed (after resubscriptions and polls).
  int gap_fills() const noexcept { return gap_fills_.load(); }

 private:
  sdk::Status require_started(std::string_view call) const;
  /// InvalidArgument naming `call` when the plugin is configured with `trading = false`.
  sdk::Status require_trading(std::string_view call) const;
  /// Rejected when this machine's clock is more than 30 s from Alpaca's (the last reply's Date).
  sdk::Status clock_check() const;
  /// NotFound for an order refused because Alpaca holds another order under its id (`what`: what
  /// was not done, e.g. "not cancelled").
  static sdk::Status held_by_another(const sdk::ClientOrderId& id, std::string_view what);
  void deliver(const OrderBook::Output& out);
  /// Applies one order's news (`what`: where it came from) to the book and delivers what it made
  /// (book_mutex_ held). News the book cannot apply (numbers out of the decimal's range) leaves
  /// the order's fills as they were and is an anomaly for its symbol, once per order.
  void apply(const sdk::ClientOrderId& id, const std::string& what,
             const std::function<OrderBook::Output()>& update);
  /// Runs one step of the plugin's own threads (poller, stream callbacks). An exception escaping
  /// it, which is not one order's news (apply() handles those), leaves the plugin's state in
  /// doubt: a fault, reported once; the thread goes on (one ending by an exception ends the
  /// process; a stream callback throwing would reconnect the stream again and again).
  void guarded(const char* step, const std::function<void()>& fn) noexcept;
  /// Activities that could not be read (book_mutex_ held): another order's is skipped with a log
  /// line (once); one of an order the book tracks, or of no order it names, is the returned error,
  /// and an anomaly (once per order) when the order is known.
  sdk::Status screen_unreadable(const std::vector<UnreadableActivity>& unreadable);
  void on_trade_update(const JsonObject& data);
  /// Fills since the watermark, then a snapshot of every open order: nothing missed while the
  /// stream was away. Serialized (stream and poller may both ask).
  void gap_fill(const char* why);
  void poller();
  void poll_bars();
  bool wait_poller(std::chrono::milliseconds delay);

  AlpacaSettings settings_;
  std::unique_ptr<AlpacaRest> rest_;
  sdk::BrokerSink* sink_ = nullptr;

  std::mutex book_mutex_;  // guards book_ and fill_watermark_; sink calls happen under it (ordering)
  OrderBook book_;
  sdk::Timestamp fill_watermark_;
  std::set<std::string> skipped_activities_;  // guarded by book_mutex_: each skip logged once
  // Guarded by book_mutex_: unreadable FILL activities without an order id, each a fault once.
  std::set<std::string> unattributed_activities_;
  std::mutex gap_mutex_;
  bool open_list_failure_noted_ = false;  // guarded by gap_mutex_: logged once until it heals
  std::set<std::string> unreadable_listed_;  // guarded by gap_mutex_: each logged once
  std::atomic<int> gap_fills_{0};
  std::atomic<bool> bars_refused_{false};  // a 401/403 on new bars was reported as a fault (once)
  std::atomic<bool> faulted_{false};       // guarded() reported a fault (once)

  std::unique_ptr<TradeStream> stream_;
  std::thread poller_;
  std::mutex poller_mutex_;
  std::condition_variable poller_cv_;
  bool stopping_ = false;
  std::vector<sdk::Symbol> bar_symbols_;             // guarded by poller_mutex_
  // Each subscribed symbol's asset, checked once at subscription (trading mode): an unknown or
  // untradable symbol fails the start; a fractional quantity of a whole-share asset is refused
  // before sending. Kernel thread only (subscribe_bars and submit).
  std::map<sdk::Symbol, Asset> assets_;
  std::map<std::string, sdk::Timestamp> last_bar_;   // poller thread only
};

}  // namespace mercurio::brokers::alpaca
