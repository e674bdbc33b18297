#include "notify/notifier_host.hpp"

#include "plugin/plugin_guard.hpp"

namespace mercurio::kernel {

void NotifierHost::add(std::string id, PluginPtr<sdk::Notifier> notifier, sdk::Severity min_severity) {
  auto logger = std::make_unique<SourceLogger>(log_, id);
  slots_.push_back({std::move(id), std::move(notifier), min_severity, std::move(logger), false});
}

std::vector<std::string> NotifierHost::start() {
  std::vector<std::string> failures;
  for (auto& slot : slots_) {
    sdk::Status status;
    const bool ok = call_guarded(
        [&](std::string_view op, const std::string& msg) { status = sdk::Status(sdk::StatusCode::Internal, std::string(op) + " " + msg); },
        "start", [&] { status = slot.notifier->start(*slot.logger); });
    slot.started = ok && status.is_ok();
    if (!slot.started) failures.push_back("notifier " + slot.id + " failed to start: " + status.message());
  }
  std::lock_guard lock(mutex_);
  if (!running_) {
    running_ = true;
    stopping_ = false;
    worker_ = std::thread([this] { run(); });
  }
  return failures;
}

void NotifierHost::notify(sdk::Notification notification) {
  {
    std::lock_guard lock(mutex_);
    if (queue_.size() >= kMaxQueued && notification.severity < sdk::Severity::Error) {
      ++dropped_;  // alerts that matter are never dropped; chatter is, under a storm
      return;
    }
    queue_.push_back(std::move(notification));
  }
  cv_.notify_one();
}

void NotifierHost::run() {
  std::unique_lock lock(mutex_);
  for (;;) {
    cv_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
    if (queue_.empty() && stopping_) return;
    sdk::Notification n = std::move(queue_.front());
    queue_.pop_front();
    lock.unlock();
    deliver(n);
    lock.lock();
  }
}

void NotifierHost::deliver(const sdk::Notification& n) {
  for (auto& slot : slots_) {
    if (!slot.started || n.severity < slot.min_severity) continue;
    sdk::Status status;
    const bool ok = call_guarded(
        [&](std::string_view op, const std::string& msg) { status = sdk::Status(sdk::StatusCode::Internal, std::string(op) + " " + msg); },
        "notify", [&] { status = slot.notifier->notify(n); });
    std::lock_guard lock(mutex_);
    if (ok && status.is_ok()) {
      ++delivered_;
    } else {
      ++failed_;
      kernel_log_.error("notifier " + slot.id + " failed to deliver \"" + n.title + "\": " + status.message());
    }
  }
}

void NotifierHost::stop() {
  {
    std::lock_guard lock(mutex_);
    if (!running_) return;
    stopping_ = true;
    running_ = false;
  }
  cv_.notify_one();
  if (worker_.joinable()) worker_.join();
  for (auto& slot : slots_) {
    if (!slot.started) continue;
    call_guarded([&](std::string_view, const std::string& msg) { kernel_log_.error("notifier " + slot.id + " stop " + msg); },
                 "stop", [&] { slot.notifier->stop(); });
    slot.started = false;
  }
}

std::uint64_t NotifierHost::delivered() const { std::lock_guard l(mutex_); return delivered_; }
std::uint64_t NotifierHost::failed() const { std::lock_guard l(mutex_); return failed_; }
std::uint64_t NotifierHost::dropped() const { std::lock_guard l(mutex_); return dropped_; }

}  // namespace mercurio::kernel
