#pragma once
/// @file replay_feed.hpp
/// Paper mode's live-style market data: one thread that replays a fixed sequence of bars into a
/// BrokerSink, pacing them, then reports the end of the data.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

#include "mercurio/sdk/broker.hpp"

namespace mercurio::brokers::paper {

/// Thread: start/stop from one thread (the kernel's); the replay thread touches only its own
/// copy of the bars, the stop flag and the sink. Lifetime: the destructor stops and joins.
class ReplayFeed {
 public:
  ReplayFeed() = default;
  ~ReplayFeed() { stop(); }
  ReplayFeed(const ReplayFeed&) = delete;
  ReplayFeed& operator=(const ReplayFeed&) = delete;

  /// Starts the replay thread: for each bar in order `sink.on_bar`, waiting `interval` between
  /// bars, then `sink.on_market_data_end()`. Ownership: the thread owns `bars` and frees them
  /// when it finishes. Throws std::system_error when the thread cannot be created.
  /// A previous replay is stopped and joined first.
  void start(std::vector<sdk::Bar> bars, std::chrono::milliseconds interval, sdk::BrokerSink& sink);

  /// Wakes the thread from any pause, waits for it to finish. No sink call happens after this
  /// returns. A stopped feed does not report on_market_data_end. Idempotent.
  void stop() noexcept;

  bool running() const noexcept { return thread_.joinable(); }

 private:
  void run(std::vector<sdk::Bar> bars, std::chrono::milliseconds interval,
           sdk::BrokerSink& sink) noexcept;
  /// Pauses up to `interval`; true when stop was requested.
  bool pause(std::chrono::milliseconds interval);

  std::mutex mutex_;
  std::condition_variable wake_;
  std::atomic<bool> stop_requested_{false};  // written under mutex_, read lock-free per bar
  std::thread thread_;
};

}  // namespace mercurio::brokers::paper
