#pragma once
/// @file trade_stream.hpp
/// The trade_updates WebSocket: connect, authenticate, listen, read. Pings while quiet; a
/// stream with neither a message nor a pong for `silence` is treated as dead (connected but
/// silent), closed and resubscribed. Reconnects with exponential backoff and jitter, started over
/// only after a subscription that held for `reconnect_max`. After every
/// successful (re)subscription it calls `on_subscribed`, where the broker fills the gap by REST.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "alpaca_json.hpp"
#include "config.hpp"
#include "mercurio/brokers/common/backoff.hpp"
#include "mercurio/sdk/logger.hpp"

namespace mercurio::brokers::alpaca {

class TradeStream {
 public:
  struct Callbacks {
    std::function<void(const JsonObject& data)> on_trade_update;  ///< the "data" of a trade_updates message
    std::function<void()> on_subscribed;                          ///< after auth + listen succeeded
    std::function<void(const std::string& why)> on_down;          ///< the stream is lost (will reconnect)
    std::function<void(const sdk::Status& status)> on_auth_failed;  ///< credentials refused: no reconnect
  };

  /// Ownership: `logger` must outlive the stream. `tls_context` (from make_shared_client_tls, e.g.
  /// the REST clients'): the context every wss:// connection uses; empty: one is made at the first
  /// connection and kept for every reconnect (each one made reads the system's CAs: ~20 ms).
  TradeStream(const AlpacaSettings& settings, Callbacks callbacks, sdk::Logger& logger,
              std::shared_ptr<void> tls_context = {});
  ~TradeStream();
  TradeStream(const TradeStream&) = delete;
  TradeStream& operator=(const TradeStream&) = delete;

  void start();
  /// Joins the thread; no callback runs after it returns.
  void stop();
  bool subscribed() const noexcept { return subscribed_.load(); }
  /// Successful subscriptions so far (1 after the first connect).
  int subscriptions() const noexcept { return subscriptions_.load(); }

 private:
  void run();
  /// One connection's life; returns why it ended.
  std::string session();
  bool sleep_for(std::chrono::milliseconds delay);  ///< false when stopping

  AlpacaSettings settings_;
  Callbacks callbacks_;
  sdk::Logger& logger_;
  common::Backoff backoff_;
  std::chrono::steady_clock::time_point subscribed_at_{};  // the stream thread's
  std::shared_ptr<void> tls_context_;  // the stream thread's, once the thread runs
  std::thread thread_;
  std::mutex mutex_;
  std::condition_variable cv_;
  std::atomic<bool> stopping_{false};
  std::atomic<bool> subscribed_{false};
  std::atomic<int> subscriptions_{0};
};

}  // namespace mercurio::brokers::alpaca
