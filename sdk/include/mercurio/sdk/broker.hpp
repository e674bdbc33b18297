#pragma once
/// @file broker.hpp
/// Broker plugins: a venue's order entry, account queries and (where it has them) market data.

#include <vector>

#include "mercurio/sdk/approved_order.hpp"
#include "mercurio/sdk/logger.hpp"
#include "mercurio/sdk/status.hpp"
#include "mercurio/sdk/types.hpp"

namespace mercurio::sdk {

/// How a broker reports to the kernel. Every call only enqueues into the kernel's inbox;
/// the kernel processes the event later on its own thread, in order.
/// Thread: safe from any thread. Lifetime: valid from Broker::start until Broker::stop returns.
class BrokerSink {
 public:
  virtual ~BrokerSink() = default;
  /// An order was accepted, rejected, (partially) filled, canceled or expired.
  virtual void on_order_event(const OrderEvent& event) = 0;
  /// A new bar for a subscribed symbol (paper and live modes).
  virtual void on_bar(const Bar& bar) = 0;
  /// A finite market-data feed (e.g. a replayed file) has no more bars.
  virtual void on_market_data_end() = 0;
  /// The venue reported something about `symbol` the plugin cannot interpret (e.g. an order status
  /// it does not know). The kernel stops opening positions (REDUCING) and alerts an operator.
  virtual void on_anomaly(const Symbol& symbol, const Status& status) = 0;
  /// The broker cannot go on (lost session, corrupt state). The kernel's failsafe decides what follows.
  virtual void on_fault(const Status& status) = 0;
  /// The kernel's clock: simulated time in backtests, wall time otherwise.
  virtual Timestamp now() const = 0;
  virtual Logger& logger() = 0;
};

/// A trading venue. The kernel owns the object (created and destroyed by the plugin library)
/// and calls it from the kernel thread; replies that are not immediate arrive through the sink.
/// Implementations should not throw: the kernel guards every call and turns an escaping
/// exception into a plugin fault.
class Broker {
 public:
  virtual ~Broker() = default;

  /// Connect and begin reporting to `sink`.
  virtual Status start(BrokerSink& sink) = 0;
  /// Disconnect; no sink call may happen after this returns.
  virtual void stop() = 0;

  /// Send an approved order. An Ok return means "handed to the venue"; acceptance, rejection and
  /// fills arrive as OrderEvents. StatusCode::Unknown means the outcome is not known (timeout):
  /// the kernel resolves it by querying `order()`, never by resending. StatusCode::Rejected is
  /// the venue's own refusal of the order (counted by the kernel's rejection breaker); any other
  /// error means it was not sent (not connected, the plugin's rate budget spent, ...).
  virtual Status submit(const ApprovedOrder& order) = 0;
  /// Ask the venue to cancel; the Canceled event arrives through the sink.
  virtual Status cancel(const ClientOrderId& id) = 0;

  virtual Result<AccountSnapshot> account() = 0;
  /// Each position's market_price is the venue's current price for it (0: none known): after a
  /// restart the kernel values the position at it until the symbol's first bar.
  virtual Result<std::vector<Position>> positions() = 0;
  virtual Result<std::vector<OrderStatusReport>> open_orders() = 0;
  /// One order by its client order id; StatusCode::NotFound only when the venue confirms it
  /// never saw the id (any doubt is another error: the kernel then keeps the order in doubt).
  virtual Result<OrderStatusReport> order(const ClientOrderId& id) = 0;
  /// Every fill the venue executed at or after `since` (venue time), oldest first, each with its
  /// trade id (the kernel drops the ones it has already recorded) and its leaves quantity (see
  /// OrderEvent::leaves_quantity: by it the kernel also drops a fill it recorded under another
  /// trade id, e.g. when the plugin reported several executions as one). Used by the start-up
  /// reconciliation to find fills that happened while the kernel was down, and, with
  /// `since` = Timestamp{INT64_MIN} ("every fill the venue keeps"), for a new journal's opening balance.
  virtual Result<std::vector<OrderEvent>> fills(Timestamp since) = 0;

  /// Historical bars of `symbol` in [from, to), ascending (backtests and indicator warm-up).
  /// StatusCode::NotFound when the venue has no data for the symbol.
  virtual Result<std::vector<Bar>> history(const Symbol& symbol, Timestamp from, Timestamp to) = 0;
  /// Start delivering new bars through BrokerSink::on_bar (paper and live modes). The kernel calls
  /// it once, after every strategy has started, with all symbols strategies subscribed to on this
  /// broker (sorted, no duplicates); a venue may support later calls that add symbols.
  virtual Status subscribe_bars(const std::vector<Symbol>& symbols) = 0;
  /// Every bar the kernel processes, before strategies see it. Simulated venues match their
  /// resting orders here; real venues ignore it.
  virtual void on_market_bar(const Bar& bar) { (void)bar; }
};

}  // namespace mercurio::sdk
