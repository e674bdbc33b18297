#pragma once
// What the kernel offers a strategy's context: the single order path and read-only views.

#include <vector>

#include "mercurio/sdk/status.hpp"
#include "mercurio/sdk/types.hpp"

namespace mercurio::kernel {

class StrategyServices {
 public:
  virtual ~StrategyServices() = default;
  virtual sdk::Status subscribe(std::size_t strategy, const sdk::Symbol& symbol) = 0;
  virtual sdk::Result<sdk::ClientOrderId> submit(std::size_t strategy, const sdk::OrderIntent& intent) = 0;
  virtual sdk::Status cancel(std::size_t strategy, const sdk::ClientOrderId& id) = 0;
  virtual sdk::Position position(std::size_t strategy, const sdk::Symbol& symbol) const = 0;
  virtual std::vector<sdk::Position> positions(std::size_t strategy) const = 0;
  virtual sdk::AccountSnapshot account(std::size_t strategy) const = 0;
  virtual std::size_t open_order_count(std::size_t strategy, const sdk::Symbol& symbol) const = 0;
  virtual sdk::Timestamp now() const = 0;
};

}  // namespace mercurio::kernel
