#pragma once
// The kernel's inbox: the only way into the kernel thread from other threads (broker I/O,
// feeds). Multi-producer, single consumer, one FIFO for every producer.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <variant>
#include <vector>

#include "mercurio/sdk/status.hpp"
#include "mercurio/sdk/types.hpp"

namespace mercurio::kernel {

// Each item has a constructor: Inbox::push builds it in place from its fields, and building a
// struct without one from parentheses needs C++20's parenthesized aggregate initialization,
// which GCC 10 has but Clang only from 16.
struct InboxOrderEvent {
  InboxOrderEvent(std::size_t broker, const sdk::OrderEvent& e) : broker_index(broker), event(e) {}
  std::size_t broker_index;
  sdk::OrderEvent event;
};
struct InboxBar {
  InboxBar(std::size_t broker, const sdk::Bar& b) : broker_index(broker), bar(b) {}
  std::size_t broker_index;
  sdk::Bar bar;
};
struct InboxMarketDataEnd {
  explicit InboxMarketDataEnd(std::size_t broker) : broker_index(broker) {}
  std::size_t broker_index;
};
struct InboxFault {
  InboxFault(std::size_t broker, const sdk::Status& s) : broker_index(broker), status(s) {}
  std::size_t broker_index;
  sdk::Status status;
};
struct InboxAnomaly {
  InboxAnomaly(std::size_t broker, const sdk::Symbol& sym, const sdk::Status& s)
      : broker_index(broker), symbol(sym), status(s) {}
  std::size_t broker_index;
  sdk::Symbol symbol;
  sdk::Status status;
};
using InboxItem = std::variant<InboxOrderEvent, InboxBar, InboxMarketDataEnd, InboxFault, InboxAnomaly>;

class Inbox {
 public:
  /// Thread: any. Items are taken in the order they were pushed, whichever thread pushed them
  /// (a cancel posted by the kernel never overtakes a fill posted earlier by an I/O thread).
  /// The item is built in its place in the queue: an order event is about 300 bytes, and
  /// building it first and moving it in cost two more copies of it per event. (So the copy is
  /// made under the lock: a few hundred nanoseconds at most, against a kernel thread that takes
  /// the lock only to swap the queue out.)
  template <class Item, class... Args>
  void push(Args&&... args) {
    {
      std::lock_guard lock(mutex_);
      items_.emplace_back(std::in_place_type<Item>, std::forward<Args>(args)...);
      pending_.store(true, std::memory_order_release);
    }
    ready_.notify_one();
  }

  /// Moves everything queued into `out`, in push order. Kernel thread only.
  /// The kernel asks twice per bar and the inbox is usually empty: that answer takes no lock.
  /// (A push racing with it is taken by the next call, exactly as if it had come a moment later.)
  void take_all(std::vector<InboxItem>& out) {
    out.clear();
    if (!pending_.load(std::memory_order_acquire)) return;
    std::lock_guard lock(mutex_);
    out.swap(items_);
    pending_.store(false, std::memory_order_relaxed);
  }

  bool empty() const { return !pending_.load(std::memory_order_acquire); }

  /// Blocks until something is pushed, wake() is called, or `timeout` passes. Kernel thread only.
  void wait_for(std::chrono::milliseconds timeout) {
    std::unique_lock lock(mutex_);
    ready_.wait_for(lock, timeout, [this] { return !items_.empty() || woken_; });
    woken_ = false;
  }
  /// Wakes a waiting kernel thread (e.g. a stop request).
  void wake() {
    {
      std::lock_guard lock(mutex_);
      woken_ = true;
    }
    ready_.notify_one();
  }

 private:
  mutable std::mutex mutex_;
  std::condition_variable ready_;
  std::vector<InboxItem> items_;
  std::atomic<bool> pending_{false};  // items_ is not empty; written under mutex_
  bool woken_ = false;
};

}  // namespace mercurio::kernel
