#pragma once
// The composition root: owns every component and plugin object of one run, and runs the
// single-threaded event loop (backtest and paper share it; only the clock and the bar source differ).
//
// Per bar, in this fixed order (the README's "event order"):
//   1. the clock moves to the bar's time; the previous timestamp's equity row is written;
//   2. the bar reaches the broker it belongs to (resting orders fill at its prices): the broker
//      that supplied it, or, for a trading broker with `market_data`, each trading broker routed to
//      the data broker that supplied it (in broker order) — the bar is processed as that broker's;
//   3. broker events in the inbox are applied: order tracker, then portfolio, then the owning
//      strategy's on_order_event;
//   4. positions are marked at the bar's close;
//   5. strategies subscribed to the symbol see the bar (config order), and may submit/cancel;
//   6. broker events caused by those orders (accepted/rejected) are applied.

#include <atomic>
#include <chrono>
#include <deque>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "bus/event_bus.hpp"
#include "bus/events.hpp"
#include "bus/inbox.hpp"
#include "clock/clock.hpp"
#include "config/kernel_config.hpp"
#include "engine/bar_replay.hpp"
#include "engine/broker_sink.hpp"
#include "engine/run_outputs.hpp"
#include "engine/run_statistics.hpp"
#include "engine/strategy_context.hpp"
#include "engine/strategy_services.hpp"
#include "exec/order_tracker.hpp"
#include "journal/crash_point.hpp"
#include "journal/journal.hpp"
#include "log/kernel_log.hpp"
#include "notify/alert_throttle.hpp"
#include "notify/notifier_host.hpp"
#include "plugin/plugin_catalog.hpp"
#include "portfolio/ledger.hpp"
#include "risk/risk_gate.hpp"
#include "risk/state_dir_lock.hpp"

namespace mercurio::kernel {

/// Start-up or run failure the kernel cannot continue from (fail closed); what() says why.
class KernelError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct RunOptions {
  std::optional<RunMode> mode;                     // overrides [kernel] mode
  std::optional<std::filesystem::path> output_dir;  // overrides [kernel] output_dir
  std::optional<CrashPoint> crash_point;            // MERCURIO_CRASH_POINT (crash-recovery tests)
};

class Kernel final : private StrategyServices, private RiskView {
 public:
  Kernel(const Config& config, const PluginCatalog& catalog, LogOutput& log, RunOptions options = {});
  ~Kernel() override;
  Kernel(const Kernel&) = delete;
  Kernel& operator=(const Kernel&) = delete;

  /// Creates every plugin object, starts brokers, notifiers and strategies, replays or streams
  /// bars until the data ends or stop() is called, then stops everything and writes outputs.
  /// Throws KernelError when start-up fails (nothing is traded then).
  RunStatistics run();
  /// Asks a running paper session to finish. Thread: any (e.g. a signal-watching thread).
  void stop() noexcept;

  EventBus& bus() noexcept { return bus_; }
  const OrderTracker& orders() const noexcept { return tracker_; }

 private:
  // In each slot the plugin object is declared last, so it is destroyed first, while the logger
  // and sink it may still use are alive.
  struct BrokerSlot {
    std::string id;
    std::unique_ptr<SourceLogger> logger;
    std::unique_ptr<BrokerSinkImpl> sink;
    Ledger account;
    std::uint64_t fills_booked = 0;  // on `account`, this run: tells a fill booked meanwhile
    // Trade ids of listed fills the journal holds under other ids: logged once a run, not each
    // time the broker lists them again.
    std::set<std::string> covered_fills_noted;
    bool start_called = false;  // stop() is owed even when start() failed
    bool started = false;
    bool available = true;
    bool data_ended = false;
    std::set<sdk::Symbol> symbols;  // subscribed by its strategies, and held_only
    // Held at the start with no strategy here subscribed (its strategy gone from the config, a
    // position acknowledged): its bars are asked for all the same, to mark it (no warm-up, no
    // stale-data watch).
    std::set<sdk::Symbol> held_only;
    std::set<sdk::Symbol> unmarked;  // held, and no bars come to mark it: alerted once a holding
    // Market-data routing (`market_data` key), fixed before the first bar:
    std::optional<std::size_t> data_source;    // trading broker: the broker whose bars it trades on
    std::vector<std::size_t> data_clients;     // data broker: the trading brokers routed to it
    bool data_only = false;                    // a data broker no strategy trades on: no orders, heartbeats,
                                               // reconciliation or equity
    std::set<sdk::Symbol> feed_symbols;        // asked of this broker: its own symbols and its clients'
    // Data broker with clients: symbol -> trading brokers that get its bars (one lookup per bar).
    std::unordered_map<sdk::Symbol, std::vector<std::size_t>> bar_targets;
    std::vector<std::size_t> strategies;                                  // all strategies trading here
    // What the kernel knows of each symbol's feed. A live bar costs one lookup; a replayed bar none
    // (its series carries the feed's address: unordered_map nodes never move).
    struct SymbolFeed {
      sdk::Timestamp last_bar{INT64_MIN};                          // to refuse stale or repeated bars
      std::optional<ReferencePrice> reference;                     // last close and when the kernel saw it
      std::optional<std::chrono::steady_clock::time_point> arrival;  // stale-data watch (paper/live)
      bool bar_arrived = false;  // a bar reached the kernel in this process (not a warm-up bar)
      bool silence_alerted = false;  // held only: its silence was alerted (until a bar comes
                                     // or the account is flat in it)
      std::vector<std::size_t> listeners;                          // strategies subscribed, in config order
      // The symbol's book in the account and in each strategy trading here (`strategies` order),
      // bound at its first bar: a bar's marks are then indices, not lookups.
      std::optional<Ledger::BookRef> account_book;
      std::vector<Ledger::BookRef> strategy_books;
      const OpenQuantities* open = nullptr;  // the order tracker's entry for the symbol, bound with the books
      std::vector<OrderTracker::OpenEntries> strategy_orders;  // where each strategy's orders here are counted
      sdk::Symbol symbol;  // set with the bindings: an order in the symbol of the bar at hand needs no lookup
    };
    std::unordered_map<sdk::Symbol, SymbolFeed> feeds;
    const PluginEntry* entry = nullptr;
    std::int64_t heartbeat_failures = 0;                 // consecutive failed probes
    std::optional<DrawdownAction> pending_emergency;     // run once the broker answers again
    std::shared_ptr<const MarketCalendar> calendar;      // the venue's calendar (risk config)
    PluginPtr<sdk::Broker> broker;
  };
  struct StrategySlot {
    std::string id;
    std::size_t broker = 0;
    std::size_t position_at_broker = 0;  // in its broker's `strategies` (and each feed's bound entries)
    // The feed whose bar the strategy is handling (on_bar), else null. It is at the strategy's own
    // broker (a feed's listeners are its broker's strategies), and nearly every order is in its symbol.
    const BrokerSlot::SymbolFeed* bar_feed = nullptr;
    std::unique_ptr<SourceLogger> logger;
    std::unique_ptr<StrategyContextImpl> context;
    Ledger book;
    bool enabled = true;
    bool starting = false;
    std::deque<sdk::Timestamp> recent_fills;  // repeated-execution throttle
    // Rejection breaker: the venue's rejections in a row per symbol (a symbol leaves the map when
    // an order of the strategy in it fills, or ends canceled or expired: usually it is empty).
    std::map<sdk::Symbol, std::int64_t> rejections_in_a_row;
    std::string held_by_operator;             // non-empty: disabled until an operator re-enables it (persisted)
    // A flatten in progress (drawdown breaker, operator, failsafe), until the strategy's book is
    // flat: a position gets its closing order once no other order of the strategy works in its
    // symbol (the cancels asked for first end through the inbox, not at once).
    struct FlattenOfSymbol {
      sdk::ClientOrderId order;  // the last closing order sent (empty: none yet)
      unsigned orders_sent = 0;  // sent to the broker (one it refused unsent is not counted)
      bool waiting_logged = false;  // for the strategy's other orders in the symbol to end
      bool waiting_for_others_logged = false;  // for other strategies' closing orders in it
      bool gave_up = false;
      // The last closing order never reached the broker (the kernel or the plugin refused it):
      // the next goes at the next heartbeat, not at once.
      bool wait_for_heartbeat = false;
      unsigned refusals = 0;  // closing orders that did not reach the broker (alerted 1, 101, ...)
    };
    struct Flattening {
      std::string why;
      std::map<sdk::Symbol, FlattenOfSymbol> symbols;
      unsigned heartbeats_waited = 0;  // with orders of the strategy still working (cancel asked)
      bool stuck_alerted = false;
    };
    std::optional<Flattening> flattening;
    // Stopped by the kernel (a breaker, a fault) or restored so: it manages none of its orders, so
    // the kernel cancels those that could add to its positions (unmanaged_orders.cpp) until an
    // operator re-enables it.
    struct Unmanaged {
      bool review = true;           // classify its orders again (stopped; a fill of it; a retry)
      // Not stopped: trading is HALTED by an operator (the kill switch), the strategy still runs.
      bool kill_switch = false;
      bool reported = false;        // the first review is logged even when it cancels nothing
      std::set<std::string> asked;  // cancel accepted by the broker, not yet ended
      struct Cancel {               // an order that should end
        unsigned requests = 0;      // cancels sent (or refused unsent)
        unsigned heartbeats = 0;    // since the first
        bool due = false;           // a heartbeat asks for it again
        bool stuck_alerted = false;
      };
      std::map<std::string, Cancel> cancels;  // at the last review
      bool failure_alerted = false;           // until nothing is left to cancel
      // The position last alerted: of stops kept though larger than it (by order id), of
      // positions partly without a stop (by symbol).
      std::map<std::string, std::string> oversize_alerted;
      std::map<std::string, std::string> cover_alerted;
      std::set<std::string> grew_alerted;  // orders whose fill grew a position (alerted once)
    };
    std::optional<Unmanaged> unmanaged;
    const PluginEntry* entry = nullptr;
    PluginPtr<sdk::Strategy> strategy;
  };

  // StrategyServices
  sdk::Status subscribe(std::size_t strategy, const sdk::Symbol& symbol) override;
  sdk::Result<sdk::ClientOrderId> submit(std::size_t strategy, const sdk::OrderIntent& intent) override;
  // A strategy's cancel: never of the kernel's own closing orders (a flatten's, the failsafe's).
  sdk::Status cancel(std::size_t strategy, const sdk::ClientOrderId& id) override;
  sdk::Position position(std::size_t strategy, const sdk::Symbol& symbol) const override;
  std::vector<sdk::Position> positions(std::size_t strategy) const override;
  sdk::AccountSnapshot account(std::size_t strategy) const override;
  std::size_t open_order_count(std::size_t strategy, const sdk::Symbol& symbol) const override;
  sdk::Timestamp now() const override { return clock_->now(); }

  // RiskView
  AccountExposure exposure(std::size_t broker) const override;

  // The order path
  /// The order's symbol at its broker, looked up once per order: what the risk gate checks, and
  /// the feed (when the symbol has had a bar there) whose bound entries the order is counted in.
  struct OrderSymbol {
    SymbolExposure exposure;
    const BrokerSlot::SymbolFeed* feed = nullptr;
  };
  OrderSymbol order_symbol(const StrategySlot& strategy, const sdk::Symbol& symbol) const;

  sdk::Result<sdk::ClientOrderId> submit_order(std::size_t strategy, const sdk::OrderIntent& intent, bool liquidation);
  // The kernel's own cancel of an order of `strategy`: any order, closing orders included.
  sdk::Status cancel_order(std::size_t strategy, const sdk::ClientOrderId& id);
  void build_risk_gate();
  void on_state_change(const StateChange& change);
  void cancel_all_open_orders(const std::string& why);
  void cancel_open_orders(const std::function<bool(const TrackedOrder&)>& which, const std::string& why);
  void open_state_store();
  void run_heartbeats();
  void check_stale_data();
  bool run_emergency(std::size_t broker_index, DrawdownAction action);
  /// Sets (or clears) a broker's pending emergency procedure and saves it with the trading state.
  void set_pending_emergency(std::size_t broker_index, std::optional<DrawdownAction> action);
  /// After the start-up's reconciliation: the emergency procedures the saved state had pending
  /// are pending again, and its flattens are set up and saved, nothing sent yet. Returns the
  /// strategies whose flatten was taken up.
  std::vector<std::size_t> resume_saved_procedures();
  /// After the queued operator commands: each flatten taken up that is still in progress cancels
  /// its strategy's other orders and sends its closing orders.
  void continue_resumed_flattens(const std::vector<std::size_t>& strategies);
  /// Empty when closing the strategy's `position` (from its book) trades what the venue holds: the
  /// books of its broker's strategies add up to the account's position in the symbol, or the
  /// close only reduces the account's position without taking it past flat. Otherwise why not.
  std::string closing_problem(std::size_t strategy, const sdk::Position& position) const;
  /// Starts a flatten of one strategy (sends nothing); false when one is already in progress.
  bool begin_flatten(std::size_t strategy, const std::string& why);
  /// Takes a strategy out of trading until an operator re-enables it (a breaker of its own).
  void disable_strategy(std::size_t strategy, const std::string& held_for, const std::string& why,
                        const std::string& symbol = "");
  /// The kernel takes over a stopped strategy's orders: reviewed once the inbox is drained.
  void stop_managing(std::size_t strategy);
  // An operator's halt of the whole deployment: every strategy not stopped already gets the
  // review of a stopped one, marked so that a resume of trading ends it.
  void engage_kill_switch();
  /// Cancels the orders of stopped strategies that could add to their positions; keeps, stops
  /// first, those that only reduce one, up to its size. Not while reconciling or warming up.
  void review_unmanaged_orders();
  /// Heartbeat: a cancel that failed or did not end is asked again (three times), then alerted.
  void retry_unmanaged_cancels();
  /// A fill of a stopped strategy: its orders are judged again, and a position that grew or went
  /// past flat (an order that filled before its cancel took) is alerted: nobody manages it.
  void unmanaged_fill(std::size_t strategy, const sdk::OrderEvent& fill,
                      const sdk::Decimal& before);
  bool persist_state();  // false: the save failed (trading HALTED)
  void apply_operator_commands();
  /// Removes an operator command from the queue; false (trading HALTED, alerted) when it cannot.
  bool take_off_queue(const OperatorCommand& command);
  // retry_given_up: an operator's flatten also retries positions whose closing orders all failed.
  void flatten_all(const std::string& why, bool retry_given_up = false);
  void flatten_strategies(const std::vector<std::size_t>& strategies, const std::string& why,
                          bool retry_given_up = false);
  /// Sends the closing orders of each flatten in progress that can go now.
  void advance_flattens();
  void advance_flatten(std::size_t strategy, const sdk::Position& position);
  void stop_flattening(std::size_t strategy, const std::string& why);
  void end_flatten(std::size_t strategy);  // done or stopped
  /// At each heartbeat: closing orders refused unsent may go again; cancels asked again for
  /// orders a flatten still waits for, then an alert.
  void retry_flatten_cancels();
  /// A closing order that never reached the broker (refused by the kernel or by the plugin): it
  /// uses up none of the position's attempts, and the next goes at the next heartbeat; unless the
  /// cause lasts the run (a faulted broker, a failed journal): then the flatten gives the position
  /// up to an operator. In a backtest (no heartbeat) it counts as an attempt.
  void closing_order_not_sent(std::size_t strategy, const sdk::Symbol& symbol,
                              const std::string& why);
  bool is_flatten_order(const TrackedOrder& order) const;
  // What the other strategies' closing orders still working at `strategy`'s broker have left to
  // close of `position`'s symbol, on the side that closes it.
  sdk::Decimal other_closing_quantity(std::size_t strategy, const sdk::Position& position) const;
  /// Orders of the strategy still working; `closing_orders_too` false: not a flatten's own.
  std::size_t working_orders_of(std::size_t strategy, bool closing_orders_too) const;
  void hold_strategies(const std::vector<std::size_t>& strategies, const std::string& why,
                       bool flattening = false);
  /// A venue's rejection of one of the strategy's orders: alerted (throttled) and counted by the
  /// rejection breaker.
  void on_rejection(std::size_t broker, std::size_t strategy, const TrackedOrder& order,
                    const sdk::OrderEvent& event);

  void start_up();
  void open_journal();
  void recover_from_journal();
  void reconcile_brokers();
  std::string reconcile_broker(std::size_t broker_index);
  /// What book_missing_fills left unbooked.
  struct UnbookedFills {
    std::string error;  ///< why the fills could not be listed (or looked up): nothing more booked
    /// Fills that overlap what the journal holds of their order under other trade ids: in the
    /// broker's account, but neither all new nor all booked. One line each in `differences`.
    std::vector<sdk::OrderEvent> overlapping;
    std::string differences;
  };
  /// Books the fills the broker lists that the journal lacks (since the last one journaled, or the
  /// oldest order in flight if older; BrokerSlot::fills_booked counts what was booked). A fill
  /// under a trade id the journal has not seen that lies within what the journal holds of its
  /// order (fill_coverage: the same executions reported another way) is logged, not booked again.
  UnbookedFills book_missing_fills(std::size_t broker_index);
  /// What the broker reports it holds: positions and cash (nullopt when either read fails).
  struct VenueAccount {
    std::vector<sdk::Position> positions;
    sdk::Decimal cash;
  };
  std::optional<VenueAccount> read_venue_account(std::size_t broker_index);
  // Marks the held positions at the prices the venue reports for them (start-up).
  void mark_at_venue_prices(std::size_t broker_index, const std::vector<sdk::Position>& venue);
  void await_acknowledgement();
  void acknowledge_reconciliation(const std::string& who);
  void resolve_in_doubt();
  // A paper run without a journal: what each broker's account holds at the start is booked on it.
  void book_positions_without_journal();
  /// An order of an earlier run the broker took (its submit answered, the journal says "sent"),
  /// acknowledged or filled in part before the stop: its "not found" now is not "never received".
  bool acknowledged_before_the_stop(const TrackedOrder& order) const;
  // Ends an order the venue does not hold as rejected with `reason` (its strategy is told) and
  // failed in the journal. `venue_rejected`: the venue's own answer (to a resend), which the
  // rejection breaker counts.
  void end_unplaced_order(std::size_t broker_index, const TrackedOrder& order, sdk::Timestamp ts,
                          const std::string& reason, const char* journal_note,
                          bool venue_rejected = false);
  void ask_cancel_again_after_ack(std::size_t strategy, const sdk::ClientOrderId& id);
  /// What the venue reports of an order the kernel holds in flight: accepted, and ended if the
  /// venue ended it unfilled (canceled, rejected, expired). Returns the order as it now stands;
  /// nullptr when the venue's order under that id is another one (symbol, side or quantity
  /// differ): nothing applied, CRITICAL alert, trading HALTED.
  const TrackedOrder* apply_venue_report(std::size_t broker_index, const sdk::ClientOrderId& id,
                                         const sdk::OrderStatusReport& report, sdk::Timestamp ts,
                                         const char* when);
  void journal_failure(const std::string& what);
  sdk::Timestamp last_fill_of(std::size_t broker_index) const;
  void create_plugins();
  void start_brokers();
  void start_strategies();
  /// One broker's history of `symbol` in [from, to), as the broker gave it (BarSeries::checked
  /// checks it).
  sdk::Result<std::vector<sdk::Bar>> fetch_history(std::size_t broker_index, const sdk::Symbol& symbol, sdk::Timestamp from,
                                                   sdk::Timestamp to);
  struct BarTarget {
    std::size_t broker;
    BrokerSlot::SymbolFeed* feed;  // the symbol's feed at that broker
  };
  struct RoutedHistory {
    std::vector<BarSeries> series;
    std::vector<std::vector<BarTarget>> routes;
  };
  /// Every fed symbol's history in [from, to) as series tagged with their routes (`routes[i]`: the
  /// trading brokers, and the symbol's feed at each, that series i's bars are processed for).
  /// `on_missing` decides what a symbol without history means: the backtest throws, the warm-up warns.
  RoutedHistory collect_history(sdk::Timestamp from, sdk::Timestamp to, bool skip_unavailable,
                                const std::function<void(std::size_t, const sdk::Symbol&, const sdk::Status&)>& on_missing);
  void replay_history();
  void warm_up_strategies();
  /// The trading brokers a bar of `symbol` from broker `source_index` is processed for.
  std::vector<std::size_t> bar_route(std::size_t source_index, const sdk::Symbol& symbol) const;
  void stream_live();
  // Asks broker i for its feed's bars; false when it has none to ask for. Throws KernelError.
  bool subscribe_feed(std::size_t broker_index);
  // Whether some strategy subscribes to the symbol of that source at a broker it feeds.
  bool followed_by_a_strategy(std::size_t source_index, const sdk::Symbol& symbol) const;
  // A position in `symbol` at broker i that no bars mark: alerted, REDUCING until resumed.
  void holding_unmarked(std::size_t broker_index, const sdk::Symbol& symbol,
                        const std::string& why);
  void finish();

  void build_bar_routes();
  // A live bar no true feed sends, counted in `refused`: the run's first is alerted (`title` and
  // the source's id), the first ten logged, the count given at the end.
  void refuse_live_bar(std::uint64_t& refused, const char* title, std::size_t source_index,
                       const sdk::Bar& bar, const std::string& alert_detail,
                       const std::string& log_detail);
  void deliver_bar(std::size_t source_index, const sdk::Bar& bar);
  std::string data_clients_text(std::size_t broker_index) const;
  void process_bar(std::size_t broker_index, const sdk::Bar& bar);  // looks the feed up
  void process_bar(std::size_t broker_index, BrokerSlot::SymbolFeed& feed, const sdk::Bar& bar);
  /// Binds the feed's handles: its symbol's book in the account and in each strategy trading on
  /// the broker, and the tracker's open quantities (at the symbol's first bar).
  /// At a symbol's first bar (or when its strategies change): binds its books and open-order
  /// entries to the feed, and prices the recovered market orders of the symbol.
  void bind_feed(std::size_t broker_index, BrokerSlot::SymbolFeed& feed, const sdk::Bar& bar);
  /// Applies what brokers posted to the inbox. Called twice per bar: the empty inbox (most bars)
  /// is answered here, without entering the function that applies events.
  void settle() {
    // A review pending with an empty inbox: a strategy stopped in its on_bar, whose entry must
    // not wait for some later event (the next bar could fill it).
    if (!inbox_.empty() || (unmanaged_reviews_pending_ && !reconciling_ && !warming_up_))
      settle_inbox();
  }
  void settle_inbox();
  void apply_order_event(std::size_t broker_index, const sdk::OrderEvent& event);
  /// True when the tracker holds the event's order, at this broker, in its symbol and side.
  bool event_has_its_order(std::size_t broker_index, const sdk::OrderEvent& event) const;
  // The equity row of `ts`, and the breakers' look at it; `whole_timestamp`: every bar of `ts`
  // has come (the next time's first bar is here), so it may set a peak.
  void record_equity(sdk::Timestamp ts, bool whole_timestamp = true);
  sdk::Decimal account_equity() const;  // cash and marked positions of every trading broker
  void apply_fill(std::size_t broker_index, const sdk::OrderEvent& fill, std::optional<std::size_t> strategy_index);
  void stop_brokers();
  void broker_fault(std::size_t broker_index, std::string_view operation, const std::string& message);
  void broker_anomaly(std::size_t broker_index, const sdk::Symbol& symbol, const std::string& message);
  void reduce_for_operator(const std::string& why);  // REDUCING until an operator resumes
  // HALTED for `reason`: at once, or (during the start-up reconciliation, already HALTED) once
  // the saved state is restored, which would otherwise lift it.
  void halt_trading(const std::string& reason);
  void strategy_fault(std::size_t strategy_index, std::string_view operation, const std::string& message);
  void alert(sdk::Severity severity, std::string title, std::string body,
             std::vector<std::pair<std::string, std::string>> fields = {});

  const Config& config_;
  const PluginCatalog& catalog_;
  LogOutput& log_output_;
  SourceLogger log_;
  RunMode mode_;
  std::filesystem::path output_dir_;

  std::unique_ptr<Clock> clock_;
  SimulatedClock* sim_clock_ = nullptr;  // set in backtest mode
  EventBus bus_;
  Inbox inbox_;
  RiskGate risk_gate_;
  std::optional<RiskStateStore> state_store_;  // paper and live: the trading state survives restarts
  std::optional<StateDirLock> state_dir_lock_;  // held while this process may trade on it
  bool kill_switch_ = false;  // an operator's halt of the whole deployment holds (saved)
  bool no_saved_state_ = false;  // paper/live: state_dir held no trading state at the start
  std::unique_ptr<Journal> journal_;           // [journal]: every order durably recorded before it is sent
  CrashPoint crash_;
  // Start-up: HALTED until every broker is reconciled; the state saved before the stop comes back after.
  bool reconciling_ = false;
  std::optional<PersistedRiskState> state_before_reconciliation_;
  std::optional<std::string> anomaly_at_start_up_;  // the first, applied once reconciled
  // Likewise, the first cause to stay HALTED, and when (wall clock): a resume queued before it
  // does not lift it (the operator had not seen it).
  struct StartUpHalt {
    std::string reason;
    sdk::Timestamp at;
  };
  std::optional<StartUpHalt> halt_at_start_up_;
  // Flattens and emergency procedures the saved state had running, until resume_saved_procedures()
  // takes them up (each save keeps them meanwhile).
  std::map<std::string, std::string> saved_flattens_;     // strategy id -> why
  std::map<std::string, DrawdownAction> saved_emergencies_;  // broker id -> action
  std::vector<std::pair<std::size_t, std::string>> reconciliation_mismatches_;  // broker, diff
  bool acknowledged_ = false;
  // Submits whose outcome is unknown: looked up by client order id, never resent blindly.
  struct InDoubtOrder {
    sdk::ClientOrderId id;
    std::optional<std::chrono::steady_clock::time_point> first_absent;  // first "never seen" answer
    bool resent = false;
    bool fills_awaited_alerted = false;  // the broker reports fills the kernel has not booked
    // Sent again as it was, once, after a confirmed absence. None: an order of an earlier run
    // the start-up lookup got no answer for, asked again whatever its state until the broker
    // answers, and never sent again (its approval is as old as the stop).
    std::optional<sdk::ApprovedOrder> approved;
  };
  std::map<std::string, sdk::Timestamp> last_fill_;  // broker id -> venue time of its last journaled fill
  std::vector<InDoubtOrder> in_doubt_;
  std::set<std::string> sent_before_the_stop_;  // journal status "sent" at the replay (client ids)
  // Cancels asked (by its strategy or the kernel) of orders the broker had not acknowledged yet:
  // one of them in doubt and then confirmed absent is never sent again, and a cancel the broker
  // refused then (it did not know the order yet) is asked again once it acknowledges the order,
  // by an event or the lookup. Pruned at each heartbeat of orders ended or unknown.
  struct CancelBeforeAck {
    sdk::ClientOrderId id;
    bool refused = false;
  };
  std::vector<CancelBeforeAck> cancels_before_ack_;
  std::vector<CancelBeforeAck>::iterator find_cancel_before_ack(const sdk::ClientOrderId& id);
  OrderTracker tracker_;
  NotifierHost notifiers_;
  std::vector<BrokerSlot> brokers_;
  std::vector<StrategySlot> strategies_;
  std::unique_ptr<RunOutputs> outputs_;

  RunStatistics stats_;
  DrawdownTracker drawdown_;
  std::vector<sdk::Decimal> daily_equity_;
  std::int64_t last_equity_day_ = INT64_MIN;
  sdk::Timestamp current_ts_{INT64_MIN};
  std::vector<InboxItem> inbox_batch_;
  std::vector<std::pair<std::size_t, sdk::Bar>> pending_bars_;
  const BrokerSlot::SymbolFeed* current_feed_ = nullptr;  // the bar being published: whose strategies see it
  bool warming_up_ = false;  // strategies see history before the live bars; every order is refused
  std::uint64_t stale_bars_ = 0;
  std::uint64_t future_bars_ = 0;   // live bars stamped more than kMaxBarLead ahead of the clock
  std::uint64_t invalid_bars_ = 0;  // live bars with impossible prices (bar_price_problem)
  static constexpr std::chrono::nanoseconds kMaxBarLead = std::chrono::minutes(5);
  // Paper and live, once the feeds are fixed: a fill in a symbol outside a broker's `symbols`
  // leaves a holding nothing marks.
  bool watch_unfed_fills_ = false;
  std::uint64_t unrouted_bars_ = 0;  // bars of a data broker for a symbol no routed broker asked for
  std::chrono::steady_clock::time_point next_heartbeat_{};
  std::size_t flattens_pending_ = 0;  // strategies with a flatten in progress
  std::set<std::filesystem::path> applied_commands_;  // applied, their files not removable
  // Applied, but the save of their effect failed: left queued (a restart applies them again) until
  // a later save succeeds, which holds their effect or what came after it.
  std::vector<OperatorCommand> unsaved_commands_;
  std::string command_queue_error_;   // the queue cannot be listed: trading HALTED, alerted once
  bool advancing_flattens_ = false;   // advance_flattens() is on the stack (a submit can settle)
  bool unmanaged_reviews_pending_ = false;  // some StrategySlot::unmanaged has `review` set
  bool daily_pnl_alerted_ = false;  // |daily P&L| is beyond the alert threshold (alert on crossing only)
  AlertThrottle denial_alerts_{10, std::chrono::minutes(1)};
  AlertThrottle rejection_alerts_{10, std::chrono::minutes(1)};
  // Orders whose Rejected event the kernel makes because they never reached the venue (refused by
  // the plugin for another cause than the venue's answer, confirmed absent), until that event is
  // applied: the rejection breaker does not count it.
  std::vector<sdk::ClientOrderId> refused_before_venue_;
  std::atomic<bool> stop_requested_{false};
};

}  // namespace mercurio::kernel
