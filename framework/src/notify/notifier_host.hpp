#pragma once
// Delivers notifications to notifier plugins on a thread of its own, so a slow or failing
// notifier never blocks the kernel thread. Failures are logged and counted, never retried
// into the trading path.

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "log/kernel_log.hpp"
#include "mercurio/sdk/notifier.hpp"
#include "plugin/plugin_library.hpp"

namespace mercurio::kernel {

class NotifierHost {
 public:
  static constexpr std::size_t kMaxQueued = 10'000;

  explicit NotifierHost(LogOutput& log) : log_(log), kernel_log_(log, "notify") {}
  ~NotifierHost() { stop(); }
  NotifierHost(const NotifierHost&) = delete;
  NotifierHost& operator=(const NotifierHost&) = delete;

  void add(std::string id, PluginPtr<sdk::Notifier> notifier, sdk::Severity min_severity);
  /// Starts every notifier and the delivery thread. Returns one message per notifier that failed
  /// to start (it is then left out); the caller decides whether that is fatal.
  std::vector<std::string> start();
  /// Queues a notification; never blocks on delivery. Thread: any.
  void notify(sdk::Notification notification);
  /// Delivers what is queued, stops the notifiers and joins the worker. Idempotent.
  void stop();

  std::uint64_t delivered() const;
  std::uint64_t failed() const;
  std::uint64_t dropped() const;

 private:
  struct Slot {
    std::string id;
    PluginPtr<sdk::Notifier> notifier;
    sdk::Severity min_severity;
    std::unique_ptr<SourceLogger> logger;
    bool started = false;
  };
  void run();
  void deliver(const sdk::Notification& n);

  LogOutput& log_;
  SourceLogger kernel_log_;
  std::vector<Slot> slots_;
  mutable std::mutex mutex_;
  std::condition_variable cv_;
  std::deque<sdk::Notification> queue_;
  bool stopping_ = false;
  bool running_ = false;
  std::uint64_t delivered_ = 0, failed_ = 0, dropped_ = 0;
  std::thread worker_;
};

}  // namespace mercurio::kernel
