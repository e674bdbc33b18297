#include "replay_feed.hpp"

#include <exception>
#include <string>

namespace mercurio::brokers::paper {

namespace {
// Nothing may escape the thread function (std::terminate), not even from the fault report.
void report_fault(sdk::BrokerSink& sink, const std::string& message) noexcept {
  try {
    sink.on_fault(sdk::Status(sdk::StatusCode::Internal, message));
  } catch (...) {
  }
}
}  // namespace

void ReplayFeed::start(std::vector<sdk::Bar> bars, std::chrono::milliseconds interval,
                       sdk::BrokerSink& sink) {
  stop();  // joins a replay that already ran to its end; a no-op otherwise
  stop_requested_.store(false);
  thread_ = std::thread([this, bars = std::move(bars), interval, &sink]() mutable {
    run(std::move(bars), interval, sink);
  });
}

void ReplayFeed::stop() noexcept {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stop_requested_.store(true);
  }
  wake_.notify_all();
  if (thread_.joinable()) {
    try {
      thread_.join();
    } catch (const std::exception&) {
      // join only fails for a non-joinable or self thread, both excluded above.
    }
  }
}

bool ReplayFeed::pause(std::chrono::milliseconds interval) {
  std::unique_lock<std::mutex> lock(mutex_);
  return wake_.wait_for(lock, interval, [this] { return stop_requested_.load(); });
}

void ReplayFeed::run(std::vector<sdk::Bar> bars, std::chrono::milliseconds interval,
                     sdk::BrokerSink& sink) noexcept {
  try {
    for (std::size_t i = 0; i < bars.size(); ++i) {
      if (i > 0 && interval.count() > 0) {
        if (pause(interval)) return;
      } else if (stop_requested_.load()) {
        return;
      }
      sink.on_bar(bars[i]);
    }
    if (stop_requested_.load()) return;
    sink.on_market_data_end();
  } catch (const std::exception& e) {
    report_fault(sink, std::string("paper broker replay thread failed: ") + e.what());
  } catch (...) {
    report_fault(sink, "paper broker replay thread failed: unknown exception");
  }
}

}  // namespace mercurio::brokers::paper
