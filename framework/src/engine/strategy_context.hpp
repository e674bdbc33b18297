#pragma once
// A strategy's StrategyContext and PortfolioView: thin, capability-only forwarding to the kernel.
// Nothing here hands out the bus, a broker, the journal or another plugin.

#include <string>

#include "engine/strategy_services.hpp"
#include "mercurio/sdk/strategy.hpp"

namespace mercurio::kernel {

class StrategyContextImpl final : public sdk::StrategyContext, private sdk::PortfolioView {
 public:
  StrategyContextImpl(StrategyServices& services, std::size_t index, std::string id, sdk::Logger& logger)
      : services_(services), index_(index), id_(std::move(id)), logger_(logger) {}

  std::string_view strategy_id() const override { return id_; }
  sdk::Status subscribe_bars(const sdk::Symbol& symbol) override { return services_.subscribe(index_, symbol); }
  const sdk::PortfolioView& portfolio() const override { return *this; }
  sdk::Timestamp now() const override { return services_.now(); }
  sdk::Logger& logger() override { return logger_; }
  sdk::Result<sdk::ClientOrderId> submit(const sdk::OrderIntent& intent) override { return services_.submit(index_, intent); }
  sdk::Status cancel(const sdk::ClientOrderId& id) override { return services_.cancel(index_, id); }

 private:
  sdk::Position position(const sdk::Symbol& symbol) const override { return services_.position(index_, symbol); }
  std::vector<sdk::Position> positions() const override { return services_.positions(index_); }
  sdk::AccountSnapshot account() const override { return services_.account(index_); }
  std::size_t open_order_count(const sdk::Symbol& symbol) const override { return services_.open_order_count(index_, symbol); }

  StrategyServices& services_;
  std::size_t index_;
  std::string id_;
  sdk::Logger& logger_;
};

}  // namespace mercurio::kernel
