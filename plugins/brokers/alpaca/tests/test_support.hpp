#pragma once
// Shared helpers for the Alpaca tests: a recording sink and logger, settings pointing at a
// loopback server, approved orders. The credentials are fake; tests check they never leak.

#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "config.hpp"
#include "mercurio/sdk/broker.hpp"
#include "mercurio/brokers/testing/test_approver.hpp"

namespace mercurio::brokers::alpaca::testing {

// Recognizable fake credentials: no test output may contain them.
inline const std::string kKeyId = "PKTESTKEYID7Q2W9E4R";
inline const std::string kSecret = "sEcReT-9f8e7d6c5b4a-DO-NOT-LOG";

inline sdk::Decimal dec(const char* text) { return sdk::Decimal::from_string(text); }
inline sdk::Timestamp ts(const char* iso) { return *sdk::Timestamp::parse_iso8601(iso); }

class RecordingLogger final : public sdk::Logger {
 public:
  void log(sdk::LogLevel, std::string_view message) override {
    std::lock_guard<std::mutex> lock(mutex_);
    lines_.emplace_back(message);
  }
  bool enabled(sdk::LogLevel) const override { return true; }
  std::vector<std::string> lines() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return lines_;
  }

 private:
  mutable std::mutex mutex_;
  std::vector<std::string> lines_;
};

/// Records everything the broker reports; thread-safe (the stream and poller threads call it).
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
  void on_order_event(const sdk::OrderEvent& e) override { record([&] { events_.push_back(e); }); }
  void on_bar(const sdk::Bar& b) override { record([&] { bars_.push_back(b); }); }
  void on_market_data_end() override {}
  void on_anomaly(const sdk::Symbol& s, const sdk::Status& st) override {
    record([&] { anomalies_.push_back(s.str() + ": " + st.message()); });
  }
  void on_fault(const sdk::Status& st) override { record([&] { faults_.push_back(st.message()); }); }
  sdk::Timestamp now() const override {
    return sdk::Timestamp{std::chrono::duration_cast<std::chrono::nanoseconds>(
                              std::chrono::system_clock::now().time_since_epoch())
                              .count()};
  }
  sdk::Logger& logger() override { return logger_; }

  std::vector<sdk::OrderEvent> events() const { return locked([&] { return events_; }); }
  std::vector<sdk::Bar> bars() const { return locked([&] { return bars_; }); }
  std::vector<std::string> anomalies() const { return locked([&] { return anomalies_; }); }
  std::vector<std::string> faults() const { return locked([&] { return faults_; }); }
  const RecordingLogger& log() const { return logger_; }

  /// Events of one order, in arrival order.
  std::vector<sdk::OrderEvent> events_of(const std::string& id) const {
    std::vector<sdk::OrderEvent> out;
    for (const auto& e : events())
      if (e.client_order_id.str() == id) out.push_back(e);
    return out;
  }
  /// Waits (generously) until `done()` holds; evaluated whenever something is recorded and every 50 ms.
  bool wait_until(const std::function<bool()>& done, std::chrono::seconds timeout = std::chrono::seconds(30)) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    std::unique_lock<std::mutex> lock(mutex_);
    for (;;) {
      lock.unlock();
      if (done()) return true;
      lock.lock();
      if (std::chrono::steady_clock::now() > deadline) return false;
      changed_.wait_for(lock, std::chrono::milliseconds(50));
    }
  }
  /// Everything the broker said, for the secret-leak check.
  std::string transcript() const {
    std::string all;
    for (const auto& l : logger_.lines()) all += l + "\n";
    locked([&] {
      for (const auto& e : events_) all += e.reason + "\n";
      for (const auto& a : anomalies_) all += a + "\n";
      for (const auto& f : faults_) all += f + "\n";
      return 0;
    });
    return all;
  }

 private:
  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<sdk::OrderEvent> events_;
  std::vector<sdk::Bar> bars_;
  std::vector<std::string> anomalies_;
  std::vector<std::string> faults_;
  RecordingLogger logger_;
};

/// The plugin's config as the kernel would hand it over for a run in `mode`: the schema's
/// defaults plus `overrides`.
inline sdk::ConfigView make_config(std::map<std::string, sdk::ConfigValue> overrides = {},
                                   sdk::RunMode mode = sdk::RunMode::Paper) {
  std::map<std::string, sdk::ConfigValue> values;
  for (const auto& field : alpaca_config_schema().fields)
    if (field.default_value) values[field.key] = *field.default_value;
  values["key_id"] = sdk::Secret("env:APCA_TEST_KEY_ID", kKeyId);
  values["secret_key"] = sdk::Secret("env:APCA_TEST_SECRET", kSecret);
  for (auto& [key, value] : overrides) values[key] = std::move(value);
  return sdk::ConfigView("alpaca", std::move(values), MERCURIO_SOURCE_DIR, mode);
}

/// Settings for a loopback server: `trading` and `data` base URLs, stream URL, fast timers.
inline AlpacaSettings loopback_settings(const std::string& trading, const std::string& data,
                                        const std::string& stream, bool use_stream = true) {
  auto s = parse_settings(make_config({{"trading_url", trading},
                                       {"data_url", data},
                                       {"stream_url", stream},
                                       {"stream", use_stream},
                                       {"request_timeout_ms", std::int64_t{3'000}},
                                       {"order_poll_interval_ms", std::int64_t{200}},
                                       {"bar_poll_interval_ms", std::int64_t{200}},
                                       {"stream_silence_ms", std::int64_t{1'500}},
                                       {"reconnect_initial_ms", std::int64_t{50}},
                                       {"reconnect_max_ms", std::int64_t{400}},
                                       {"requests_per_minute", std::int64_t{200}}}));
  if (!s) throw std::runtime_error(s.status().message());
  return *s;
}

inline sdk::OrderIntent intent(const char* symbol, sdk::Side side, const char* qty,
                               sdk::OrderType type = sdk::OrderType::Market,
                               sdk::TimeInForce tif = sdk::TimeInForce::Day) {
  sdk::OrderIntent i;
  i.symbol = symbol;
  i.side = side;
  i.quantity = dec(qty);
  i.type = type;
  i.time_in_force = tif;
  if (type == sdk::OrderType::Limit || type == sdk::OrderType::StopLimit) i.limit_price = dec("150.25");
  if (type == sdk::OrderType::Stop || type == sdk::OrderType::StopLimit) i.stop_price = dec("149.5");
  return i;
}

inline sdk::ApprovedOrder approve(const std::string& id, sdk::OrderIntent i) {
  return kernel::RiskGate::approve(sdk::ClientOrderId(id), std::move(i));
}

}  // namespace mercurio::brokers::alpaca::testing
