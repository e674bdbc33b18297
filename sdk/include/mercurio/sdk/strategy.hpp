#pragma once
/// @file strategy.hpp
/// Strategy plugins see bars and a read-only portfolio, and can only propose orders.

#include <cstddef>
#include <string_view>
#include <vector>

#include "mercurio/sdk/logger.hpp"
#include "mercurio/sdk/status.hpp"
#include "mercurio/sdk/types.hpp"

namespace mercurio::sdk {

/// Read-only view of what the strategy holds and of its broker account.
/// Thread: kernel thread only. Lifetime: as StrategyContext.
class PortfolioView {
 public:
  virtual ~PortfolioView() = default;
  /// This strategy's net position in `symbol` (flat when it never traded it).
  virtual Position position(const Symbol& symbol) const = 0;
  /// This strategy's non-flat positions, sorted by symbol.
  virtual std::vector<Position> positions() const = 0;
  /// The account of the broker this strategy trades on, as the kernel's ledger sees it.
  virtual AccountSnapshot account() const = 0;
  /// This strategy's orders in `symbol` that are not yet final.
  virtual std::size_t open_order_count(const Symbol& symbol) const = 0;
};

/// Everything a strategy can do. There is no way from here to a broker except submit/cancel,
/// which go through the kernel's risk gate.
/// Thread: kernel thread only (the thread that calls the strategy). Lifetime: from on_start to on_stop.
class StrategyContext {
 public:
  virtual ~StrategyContext() = default;
  /// The `id` of this strategy's `[[plugin]]` entry.
  virtual std::string_view strategy_id() const = 0;
  /// Receive bars of `symbol` (call from on_start). InvalidArgument for an empty symbol or one
  /// with a control character or text that is not UTF-8 (no venue lists one): a strategy that
  /// returns it from on_start stops the run's start-up.
  virtual Status subscribe_bars(const Symbol& symbol) = 0;
  virtual const PortfolioView& portfolio() const = 0;
  /// Simulated time in a backtest, wall time otherwise.
  virtual Timestamp now() const = 0;
  virtual Logger& logger() = 0;
  /// Propose an order. On success returns the client order id the kernel assigned; the outcome
  /// arrives later through Strategy::on_order_event. A denial returns StatusCode::Rejected.
  virtual Result<ClientOrderId> submit(const OrderIntent& intent) = 0;
  /// Ask to cancel one of this strategy's open orders. Never throttled.
  virtual Status cancel(const ClientOrderId& id) = 0;
};

/// A trading idea. Called only on the kernel thread, in a deterministic order.
/// Implementations should not throw: the kernel guards every call and disables a strategy
/// whose callback throws (a PluginFaulted event and an alert).
class Strategy {
 public:
  virtual ~Strategy() = default;
  /// Subscribe to data and check the account. A non-Ok status stops the start-up.
  virtual Status on_start(StrategyContext& ctx) = 0;
  /// A bar of a subscribed symbol. Orders submitted earlier have already been matched
  /// against this bar and their fills are already in ctx.portfolio().
  virtual void on_bar(StrategyContext& ctx, const Bar& bar) = 0;
  /// An event about one of this strategy's orders.
  virtual void on_order_event(StrategyContext& ctx, const OrderEvent& event) { (void)ctx; (void)event; }
  virtual void on_stop(StrategyContext& ctx) { (void)ctx; }
};

}  // namespace mercurio::sdk
