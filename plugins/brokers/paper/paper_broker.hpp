#pragma once
/// @file paper_broker.hpp
/// A simulated venue: bars from CSV files, fills by the rules in fill_simulator.hpp, its own
/// cash and positions. Used for backtests (history + on_market_bar) and paper trading
/// (subscribe_bars replays the files on a feed thread).

#include <cstdint>
#include <deque>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <vector>

#include "config.hpp"
#include "mercurio/sdk/broker.hpp"
#include "order_index.hpp"
#include "paper_account.hpp"
#include "replay_feed.hpp"

namespace mercurio::brokers::paper {

/// Thread: every method is called from the kernel thread. The only other thread is the replay
/// feed's, which reads its own bars and calls BrokerSink::on_bar / on_market_data_end. (Loading a
/// data file may also parse pieces of its text on short-lived threads: they read only that text
/// and write only their rows of the result, and are joined before the load returns.)
/// Ownership: keeps a pointer to the sink from start() until stop().
class PaperBroker final : public sdk::Broker {
 public:
  /// Throws std::invalid_argument listing every config error (the plugin factory turns it into
  /// a load error).
  explicit PaperBroker(const sdk::ConfigView& config);
  explicit PaperBroker(PaperSettings settings);
  ~PaperBroker() override;
  PaperBroker(const PaperBroker&) = delete;
  PaperBroker& operator=(const PaperBroker&) = delete;

  sdk::Status start(sdk::BrokerSink& sink) override;
  void stop() override;

  sdk::Status submit(const sdk::ApprovedOrder& order) override;
  sdk::Status cancel(const sdk::ClientOrderId& id) override;

  sdk::Result<sdk::AccountSnapshot> account() override;
  sdk::Result<std::vector<sdk::Position>> positions() override;
  sdk::Result<std::vector<sdk::OrderStatusReport>> open_orders() override;
  sdk::Result<sdk::OrderStatusReport> order(const sdk::ClientOrderId& id) override;
  sdk::Result<std::vector<sdk::OrderEvent>> fills(sdk::Timestamp since) override;

  sdk::Result<std::vector<sdk::Bar>> history(const sdk::Symbol& symbol, sdk::Timestamp from,
                                             sdk::Timestamp to) override;
  sdk::Status subscribe_bars(const std::vector<sdk::Symbol>& symbols) override;
  void on_market_bar(const sdk::Bar& bar) override;

  const PaperSettings& settings() const noexcept { return settings_; }

 private:
  struct OrderRecord {
    sdk::ClientOrderId id;
    sdk::OrderIntent intent;
    std::string venue_order_id;
    sdk::Decimal filled;
    bool open = false;
    sdk::OrderEventType final_state = sdk::OrderEventType::Accepted;  ///< meaningful once !open
    bool stop_triggered = false;               ///< stop-limit: now rests as a limit
    std::optional<sdk::Timestamp> not_before;  ///< latest bar time at acceptance
    std::optional<std::int64_t> session_day;   ///< DAY: UTC day of the first eligible bar
    std::int64_t submits = 1;                  ///< submit() calls with this id (a resend shows as 2+)
  };

  // state_file: the simulated account outlives the process, as a snapshot (the state file) and a
  // log of the changes since (state_file + ".log"); see paper_state_file.cpp.
  /// Reads the snapshot and applies the log. Empty string on success.
  std::string load_state();
  /// Writes the whole account as the new snapshot and empties the log. Empty string on success.
  std::string save_state();
  /// Appends the change to `orders` (their positions and marks, the fills since the last save
  /// and the counters) to the log. Empty string on success.
  std::string append_change(std::span<const std::size_t> orders);
  /// Saves after a change to `orders`, before the change is reported: a record, or a new snapshot
  /// once the log has grown as large as one. A failure is a fault (the venue cannot keep its own
  /// books), and the next save is a whole snapshot.
  void persist(std::string_view after, std::span<const std::size_t> orders) noexcept;
  std::string state_log_path() const { return settings_.state_file + ".log"; }
  /// The log exists and is not empty (a size that cannot be read counts as not empty).
  bool log_holds_changes() const;
  // The TOML tables of the state file (defined in paper_state_file.cpp): one writer for the
  // snapshot and the log's records, so both say an order or a fill the same way.
  struct StateTables;

  sdk::Status require_started(std::string_view call) const;
  /// Empty when the order passes every venue check, else the rejection reason.
  std::string venue_check(const sdk::OrderIntent& intent) const;
  std::optional<sdk::Decimal> reference_price(const sdk::OrderIntent& intent) const;
  sdk::Result<std::vector<sdk::Bar>> load_bars(const sdk::Symbol& symbol);
  std::string known_symbols() const;
  std::string no_data_text() const;

  /// Reports on_market_bar's faults, each even after the sink threw on another; rethrows the
  /// first throw.
  void report_bar_faults();
  /// True when the order changed without a report (a DAY order's session started, a stop
  /// triggered): the caller saves it. A report (fill, expiry, cancel) saved the order itself.
  bool process_order(std::size_t index, const sdk::Bar& bar);
  void fill_order(std::size_t index, const sdk::Bar& bar, sdk::Decimal price);
  /// Closes order `index` as `type` and saves it; returns its event, to be reported.
  sdk::OrderEvent close_and_save(std::size_t index, sdk::OrderEventType type, sdk::Timestamp ts,
                                 std::string reason);
  /// close_and_save while a bar is matched, then the report: a sink that cannot take the event is a
  /// fault told after the bar (report_on_bar).
  void finish_order_on_bar(std::size_t index, sdk::OrderEventType type, const sdk::Bar& bar,
                           std::string reason);
  /// Reports a change made while a bar is matched, booked and saved already; a sink that throws
  /// makes `fault_text()` a fault told after the bar's save: the change stands.
  /// (Templates, defined in the .cpp: the fault's text is built only when it is needed.)
  template <class FaultText>
  void report_on_bar(const sdk::OrderEvent& event, FaultText&& fault_text);
  /// Queues a fault for report_bar_faults; a text that cannot be built still counts.
  template <class FaultText>
  void queue_bar_fault(FaultText&& text) noexcept;
  /// Marks the order final and takes it off `open_` at once, before its event is built or
  /// reported: nothing that fails after it can leave a closed order listed as open.
  void close_order(std::size_t index, sdk::OrderEventType final_state);

  // One fill in the venue's trade log: 56 bytes, against 256 for the sdk::OrderEvent it stands
  // for (whose ids, symbol and venue order id are the order's). Tens of thousands of fills in a
  // backtest, and a paper account that runs for months, keep the log in memory.
  struct FillRecord {
    std::size_t order = 0;  ///< index into orders_
    sdk::Timestamp ts;
    std::uint64_t trade_number = 0;  ///< trade id "paper-t<n>"
    sdk::Decimal quantity, price, commission, leaves;
    sdk::OrderEventType type = sdk::OrderEventType::Filled;
  };
  static sdk::TradeId trade_id_of(std::uint64_t trade_number);
  /// The trade number of a trade id this broker issued ("paper-t<n>"), or nothing.
  static std::optional<std::uint64_t> trade_number_of(std::string_view trade_id);
  /// The number of a venue order id this broker issued ("paper-<n>"), or nothing.
  static std::optional<std::uint64_t> venue_order_number_of(std::string_view venue_order_id);

  sdk::OrderEvent event_for(const OrderRecord& order, sdk::OrderEventType type,
                            sdk::Timestamp ts) const;
  sdk::OrderEvent fill_event(const FillRecord& fill) const;
  sdk::OrderStatusReport report_for(const OrderRecord& order) const;

  PaperSettings settings_;
  sdk::BrokerSink* sink_ = nullptr;
  PaperAccount account_;
  // Every order ever submitted, in submission order, and every fill, in execution order (the
  // venue's trade log). Deques: growing never copies what is already there, and never holds the
  // old and the new copy at once (a vector doubling does both; tens of thousands of orders in a backtest).
  std::deque<OrderRecord> orders_;
  OrderIndex index_by_id_;         ///< every order of orders_ by its client order id
  // An open order as a bar's scan needs it: its symbol and the latest bar time at acceptance
  // beside its index. A bar reads this short list only; indexing the deque of 256-byte records
  // for each open order on every bar cost more than the rest of the scan.
  struct WorkingOrder {
    sdk::Symbol symbol;
    std::optional<sdk::Timestamp> not_before;
    std::size_t index = 0;  ///< into orders_
  };
  static WorkingOrder working(const OrderRecord& order, std::size_t index);
  std::vector<WorkingOrder> open_;  ///< the open orders, in submission order
  // on_market_bar's list of orders to match, kept for its capacity (taken out while in use, so
  // a sink that calls back in cannot write into a list being read).
  std::vector<std::size_t> eligible_spare_;
  // on_market_bar's faults, reported after the bar's save (nothing between can throw: they never
  // outlive their bar). A member, so a bar without a fault pays one empty() check.
  std::vector<sdk::Status> unreported_faults_;
  bool unreported_fault_untold_ = false;  // one more, whose report could not be built
  std::deque<FillRecord> fills_;
  std::optional<sdk::Timestamp> latest_bar_ts_;
  std::uint64_t next_order_number_ = 1;
  std::uint64_t next_trade_number_ = 1;
  // The state file's bookkeeping: the last change record written (records are numbered across
  // snapshots, and a snapshot names the last one it holds), how many the log holds now, how many
  // orders and fills the snapshot holds, how many of fills_ are saved, and whether the next save
  // must be a whole snapshot (none written yet by this object, or a save failed).
  std::uint64_t last_change_ = 0;
  std::size_t changes_in_log_ = 0;
  std::size_t entries_in_snapshot_ = 0;
  std::size_t fills_saved_ = 0;
  bool snapshot_due_ = true;
  // The last bar every eligible order has been matched on, by time and symbol (the replay's order,
  // so that bars of other symbols at the same time are told apart): what a save says as
  // latest_bar_ts and latest_bar_symbol, and where a resumed replay starts. A save while a bar is
  // being matched says the bar before, so that a crash part-way through a bar replays it to the
  // orders it had not reached (those it had are closed or saved as changed).
  struct MatchedBar {
    sdk::Timestamp ts;
    sdk::Symbol symbol;
    bool whole_time = false;  ///< every symbol's bar at ts (a file that names no symbol)
    /// A bar the replay brings after this one.
    bool before(sdk::Timestamp bar_ts, const sdk::Symbol& bar_symbol) const {
      return ts < bar_ts || (ts == bar_ts && !whole_time && symbol < bar_symbol);
    }
  };
  std::optional<MatchedBar> matched_through_;
  std::set<sdk::Symbol> marks_unsaved_;  ///< symbols whose mark moved since the last save
  std::set<sdk::Symbol> skip_warnings_logged_;
  bool subscribed_ = false;
  ReplayFeed feed_;
};

}  // namespace mercurio::brokers::paper
