#include "mercurio/brokers/common/rate_budget.hpp"

#include <algorithm>

namespace mercurio::brokers::common {

RateBudget::RateBudget(Options options, std::function<Clock::time_point()> now)
    : options_(options), now_(std::move(now)) {
  options_.requests_per_minute = std::max(1, options_.requests_per_minute);
  tokens_ = options_.requests_per_minute;
  last_refill_ = now_();
}

void RateBudget::refill_locked(Clock::time_point now) {
  if (now <= last_refill_) return;
  const double seconds = std::chrono::duration<double>(now - last_refill_).count();
  tokens_ = std::min<double>(options_.requests_per_minute,
                             tokens_ + seconds * options_.requests_per_minute / 60.0);
  last_refill_ = now;
}

bool RateBudget::can_take_locked(Priority priority, Clock::time_point now) const {
  if (now < paused_until_) return false;
  const int p = static_cast<int>(priority);
  for (int higher = 0; higher < p; ++higher)
    if (waiting_[higher] > 0) return false;  // let the more urgent request go first
  double reserve = 0;
  if (priority == Priority::Normal) reserve = options_.normal_reserve;
  if (priority == Priority::Low) reserve = options_.low_reserve;
  return tokens_ >= 1.0 + reserve;
}

bool RateBudget::try_acquire(Priority priority) {
  std::lock_guard lock(mutex_);
  const auto now = now_();
  refill_locked(now);
  if (!can_take_locked(priority, now)) return false;
  tokens_ -= 1.0;
  return true;
}

bool RateBudget::acquire(Priority priority, std::chrono::milliseconds max_wait) {
  std::unique_lock lock(mutex_);
  const auto deadline = Clock::now() + max_wait;
  const int p = static_cast<int>(priority);
  ++waiting_[p];
  bool got = false;
  for (;;) {
    const auto now = now_();
    refill_locked(now);
    // Only the waiter itself is excluded from the "higher priority waiting" rule.
    --waiting_[p];
    const bool can = can_take_locked(priority, now);
    ++waiting_[p];
    if (can) {
      tokens_ -= 1.0;
      got = true;
      break;
    }
    if (Clock::now() >= deadline) break;
    // Wake at the next token, the end of a pause, or when another waiter leaves.
    auto wake = Clock::now() + std::chrono::milliseconds(50);
    if (paused_until_ > now) wake = std::min(deadline, Clock::now() + (paused_until_ - now));
    changed_.wait_until(lock, std::min(wake, deadline));
  }
  --waiting_[p];
  lock.unlock();
  changed_.notify_all();
  return got;
}

void RateBudget::pause_until(Clock::time_point until) {
  {
    std::lock_guard lock(mutex_);
    paused_until_ = std::max(paused_until_, until);
  }
  changed_.notify_all();
}

void RateBudget::observe_remaining(int remaining) {
  std::lock_guard lock(mutex_);
  refill_locked(now_());
  tokens_ = std::min<double>(tokens_, std::max(0, remaining));
}

double RateBudget::tokens() const {
  std::lock_guard lock(mutex_);
  return tokens_;
}

std::optional<RateBudget::Clock::time_point> RateBudget::paused_until() const {
  std::lock_guard lock(mutex_);
  if (paused_until_ == Clock::time_point{}) return std::nullopt;
  return paused_until_;
}

}  // namespace mercurio::brokers::common
