#pragma once
// The sink a broker reports through: every call only posts into the kernel's inbox.

#include "bus/inbox.hpp"
#include "clock/clock.hpp"
#include "mercurio/sdk/broker.hpp"

namespace mercurio::kernel {

class BrokerSinkImpl final : public sdk::BrokerSink {
 public:
  BrokerSinkImpl(Inbox& inbox, std::size_t broker_index, const Clock& clock, sdk::Logger& logger)
      : inbox_(inbox), index_(broker_index), clock_(clock), logger_(logger) {}

  void on_order_event(const sdk::OrderEvent& event) override {
    inbox_.push<InboxOrderEvent>(index_, event);
  }
  void on_bar(const sdk::Bar& bar) override { inbox_.push<InboxBar>(index_, bar); }
  void on_market_data_end() override { inbox_.push<InboxMarketDataEnd>(index_); }
  void on_fault(const sdk::Status& status) override { inbox_.push<InboxFault>(index_, status); }
  void on_anomaly(const sdk::Symbol& symbol, const sdk::Status& status) override {
    inbox_.push<InboxAnomaly>(index_, symbol, status);
  }
  sdk::Timestamp now() const override { return clock_.now(); }
  sdk::Logger& logger() override { return logger_; }

 private:
  Inbox& inbox_;
  std::size_t index_;
  const Clock& clock_;
  sdk::Logger& logger_;
};

}  // namespace mercurio::kernel
