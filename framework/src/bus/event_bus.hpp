#pragma once
// Typed, in-process event bus of the kernel thread.
//
// Ordering rules (documented in the README):
//  * subscribers of one event type run in ascending priority, ties in subscription order;
//  * publish() outside any handler dispatches immediately;
//  * publish() from inside a handler is queued and dispatched, FIFO, right after the outermost
//    dispatch finishes - so every subscriber sees every event in the same global order and no
//    handler is re-entered.
// Events are identified by a per-type slot assigned inside the kernel; their stable type name
// (E::kTypeName) is what logs and metrics use. No typeid crosses a library boundary.

#include <atomic>
#include <concepts>
#include <cstddef>
#include <deque>
#include <functional>
#include <memory>
#include <string_view>
#include <vector>

namespace mercurio::kernel {

template <class E>
concept BusEvent = requires {
  { E::kTypeName } -> std::convertible_to<std::string_view>;
};

/// Subscriber priorities used by the kernel (lower runs first).
namespace priority {
inline constexpr int kOrderTracker = 0;
inline constexpr int kPortfolio = 10;
inline constexpr int kRisk = 20;
inline constexpr int kOutput = 30;
inline constexpr int kStrategies = 100;
inline constexpr int kNotifications = 200;
}  // namespace priority

class EventBus {
 public:
  /// `handler` is any callable taking `const E&`; it is kept as it is, behind one type-erased call
  /// per event (not a std::function wrapped in another).
  template <BusEvent E, class Handler>
    requires std::invocable<Handler&, const E&>
  void subscribe(int priority, Handler handler) {
    auto& list = handlers_for(slot<E>());
    Entry entry{priority, next_seq_++, [h = std::move(handler)](const void* e) mutable { std::invoke(h, *static_cast<const E*>(e)); }};
    auto pos = list.begin();
    while (pos != list.end() && (pos->priority < entry.priority || (pos->priority == entry.priority && pos->seq < entry.seq))) ++pos;
    list.insert(pos, std::move(entry));
  }

  template <BusEvent E>
  void publish(const E& event) {
    if (depth_ > 0) {
      // Nobody to deliver to (subscriptions are made before the first publish): no copy, no queue.
      if (subscriber_count<E>() == 0) return;
      queue_.push_back([this, e = event]() { dispatch(slot<E>(), &e); });
      return;
    }
    dispatch(slot<E>(), &event);
    if (!queue_.empty()) drain();  // events published by the handlers (rare): the common case stays inline
  }

  /// Number of subscribers of E (tests, diagnostics).
  template <BusEvent E>
  std::size_t subscriber_count() const {
    const std::size_t s = slot<E>();
    return s < handlers_.size() ? handlers_[s].size() : 0;
  }

 private:
  struct Entry {
    int priority;
    std::size_t seq;
    std::function<void(const void*)> call;
  };

  static std::size_t next_slot() {
    static std::atomic<std::size_t> counter{0};  // process-wide: one slot per event type
    return counter.fetch_add(1);
  }
  template <class E>
  static std::size_t slot() {
    static const std::size_t s = next_slot();
    return s;
  }

  std::vector<Entry>& handlers_for(std::size_t s) {
    if (s >= handlers_.size()) handlers_.resize(s + 1);
    return handlers_[s];
  }

  void dispatch(std::size_t s, const void* event) {
    if (s >= handlers_.size()) return;
    ++depth_;
    struct DepthGuard {
      int& d;
      ~DepthGuard() { --d; }
    } guard{depth_};
    for (const auto& entry : handlers_[s]) entry.call(event);
  }

  void drain() {
    while (!queue_.empty()) {
      auto next = std::move(queue_.front());
      queue_.pop_front();
      next();
    }
  }

  std::vector<std::vector<Entry>> handlers_;
  std::deque<std::function<void()>> queue_;
  std::size_t next_seq_ = 0;
  int depth_ = 0;
};

}  // namespace mercurio::kernel
