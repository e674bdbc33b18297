#pragma once
// Shared helpers for the paper broker tests: a recording BrokerSink, config and bar builders.

#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "config.hpp"
#include "mercurio/sdk/broker.hpp"
#include "mercurio/sdk/config.hpp"

namespace mercurio::brokers::paper::testing {

inline const std::string kPluginDir = std::string(MERCURIO_SOURCE_DIR) + "/plugins/brokers/paper";

inline sdk::Decimal dec(const char* text) { return sdk::Decimal::from_string(text); }
inline sdk::Timestamp ts(const char* iso) { return *sdk::Timestamp::parse_iso8601(iso); }

/// A bar of `symbol` at `when` with the given prices (volume 1000).
inline sdk::Bar bar(const char* symbol, const char* when, const char* open, const char* high,
                    const char* low, const char* close) {
  return sdk::Bar{ts(when), symbol, dec(open), dec(high), dec(low), dec(close), dec("1000")};
}

class RecordingLogger final : public sdk::Logger {
 public:
  void log(sdk::LogLevel level, std::string_view message) override {
    std::lock_guard<std::mutex> lock(mutex_);
    lines_.push_back({level, std::string(message)});
  }
  bool enabled(sdk::LogLevel) const override { return true; }
  std::vector<std::string> lines(sdk::LogLevel level) const {
    std::lock_guard<std::mutex> lock(mutex_);
    std::vector<std::string> out;
    for (const auto& [l, text] : lines_)
      if (l == level) out.push_back(text);
    return out;
  }

 private:
  mutable std::mutex mutex_;
  std::vector<std::pair<sdk::LogLevel, std::string>> lines_;
};

/// Records everything the broker reports. Thread-safe: the replay thread calls it too.
class FakeSink final : public sdk::BrokerSink {
  // Defined first: members below use their deduced return types.
  template <class F>
  void record(F&& f) {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      f();
    }
    changed_.notify_all();
  }
  template <class F>
  auto locked(F&& f) const {
    std::lock_guard<std::mutex> lock(mutex_);
    return f();
  }

 public:
  /// Runs on each order event before it is recorded, outside the sink's lock. It may throw (the
  /// event is then not recorded: a sink that could not take it) or call back into the broker.
  /// Set it before the broker can report anything.
  std::function<void(const sdk::OrderEvent&)> before_order_event;

  void on_order_event(const sdk::OrderEvent& event) override {
    if (before_order_event) before_order_event(event);
    record([&] { events_.push_back(event); });
  }
  void on_bar(const sdk::Bar& bar) override {
    record([&] { bars_.push_back(bar); });
  }
  void on_market_data_end() override {
    record([&] { ++data_end_count_; });
  }
  /// Runs on each fault before it is recorded, outside the sink's lock; it may throw (a sink that
  /// could not take the report: the fault is then not recorded).
  std::function<void(const sdk::Status&)> before_fault;

  void on_fault(const sdk::Status& status) override {
    if (before_fault) before_fault(status);
    record([&] { faults_.push_back(status.message()); });
  }
  void on_anomaly(const sdk::Symbol& symbol, const sdk::Status& status) override {
    record([&] { faults_.push_back(symbol.str() + ": " + status.message()); });
  }
  sdk::Timestamp now() const override { return now_; }
  sdk::Logger& logger() override { return logger_; }

  void set_now(sdk::Timestamp t) { now_ = t; }
  const RecordingLogger& log() const { return logger_; }

  std::vector<sdk::OrderEvent> events() const {
    return locked([&] { return events_; });
  }
  std::vector<sdk::Bar> bars() const {
    return locked([&] { return bars_; });
  }
  int data_end_count() const {
    return locked([&] { return data_end_count_; });
  }
  std::vector<std::string> faults() const {
    return locked([&] { return faults_; });
  }
  sdk::OrderEvent last_event() const {
    return locked([&] { return events_.empty() ? sdk::OrderEvent{} : events_.back(); });
  }
  std::size_t event_count() const {
    return locked([&] { return events_.size(); });
  }

  /// Blocks until `done()` holds (checked under the sink's lock) or a generous timeout passes.
  bool wait_until(const std::function<bool()>& done) {
    std::unique_lock<std::mutex> lock(mutex_);
    return changed_.wait_for(lock, std::chrono::seconds(60), done);
  }
  // For predicates passed to wait_until (the lock is already held there).
  std::size_t bar_count_unlocked() const { return bars_.size(); }
  int data_end_count_unlocked() const { return data_end_count_; }

 private:
  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<sdk::OrderEvent> events_;
  std::vector<sdk::Bar> bars_;
  int data_end_count_ = 0;
  std::vector<std::string> faults_;
  sdk::Timestamp now_ = ts("2024-01-01T12:00:00Z");
  RecordingLogger logger_;
};

/// A config as the kernel would hand it over: every schema default filled in, then `overrides`.
/// Default data: SPY and QQQ from test_data/; a paper session unless `run_mode` says otherwise.
inline sdk::ConfigView make_config(std::map<std::string, sdk::ConfigValue> overrides = {},
                                   std::string base_directory = kPluginDir,
                                   sdk::RunMode run_mode = sdk::RunMode::Paper) {
  std::map<std::string, sdk::ConfigValue> values;
  for (const auto& field : paper_config_schema().fields)
    if (field.default_value) values[field.key] = *field.default_value;
  values["data"] = sdk::StringMap{{"SPY", "test_data/SPY.csv"}, {"QQQ", "test_data/QQQ.csv"}};
  for (auto& [key, value] : overrides) values[key] = std::move(value);
  return sdk::ConfigView("paper", std::move(values), std::move(base_directory), run_mode);
}

}  // namespace mercurio::brokers::paper::testing
