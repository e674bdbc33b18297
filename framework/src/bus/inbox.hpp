#pragma once
// The kernel's inbox: the only way into the kernel thread from other threads (broker I/O,
// feeds). Multi-producer, single consumer. Posts made on the kernel thread itself skip the lock.

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>
#include <variant>
#include <vector>

#include "mercurio/sdk/status.hpp"
#include "mercurio/sdk/types.hpp"

namespace mercurio::kernel {

struct InboxOrderEvent {
  std::size_t broker_index;
  sdk::OrderEvent event;
};
struct InboxBar {
  std::size_t broker_index;
  sdk::Bar bar;
};
struct InboxMarketDataEnd {
  std::size_t broker_index;
};
struct InboxFault {
  std::size_t broker_index;
  sdk::Status status;
};
using InboxItem = std::variant<InboxOrderEvent, InboxBar, InboxMarketDataEnd, InboxFault>;

class Inbox {
 public:
  /// Binds the inbox to the calling thread as the kernel thread.
  void bind_to_current_thread() { kernel_thread_ = std::this_thread::get_id(); }

  void push(InboxItem item) {
    if (std::this_thread::get_id() == kernel_thread_) {
      local_.push_back(std::move(item));
      return;
    }
    {
      std::lock_guard lock(mutex_);
      remote_.push_back(std::move(item));
    }
    ready_.notify_one();
  }

  /// Moves everything queued into `out` (local first, then other threads'); kernel thread only.
  void take_all(std::vector<InboxItem>& out) {
    out.clear();
    out.swap(local_);
    std::lock_guard lock(mutex_);
    if (out.empty()) {
      out.swap(remote_);
    } else {
      for (auto& item : remote_) out.push_back(std::move(item));
      remote_.clear();
    }
  }

  bool has_local() const noexcept { return !local_.empty(); }

  /// Blocks until another thread posts or `timeout` passes. Kernel thread only.
  void wait_for(std::chrono::milliseconds timeout) {
    std::unique_lock lock(mutex_);
    ready_.wait_for(lock, timeout, [this] { return !remote_.empty() || woken_; });
    woken_ = false;
  }
  /// Wakes a waiting kernel thread (signal handlers use a flag plus this from a normal thread).
  void wake() {
    {
      std::lock_guard lock(mutex_);
      woken_ = true;
    }
    ready_.notify_one();
  }

 private:
  std::thread::id kernel_thread_;
  std::vector<InboxItem> local_;
  std::mutex mutex_;
  std::condition_variable ready_;
  std::vector<InboxItem> remote_;
  bool woken_ = false;
};

}  // namespace mercurio::kernel
