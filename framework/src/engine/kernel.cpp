#include "engine/kernel.hpp"

#include <algorithm>
#include <utility>

#include "clock/durations.hpp"
#include "engine/bar_check.hpp"
#include "engine/bar_replay.hpp"
#include "plugin/plugin_guard.hpp"
#include "risk/intent_text.hpp"

namespace mercurio::kernel {

namespace {
const std::string& entry_id(const CatalogEntry* e) { return e->entry->id; }
}  // namespace

Kernel::Kernel(const Config& config, const PluginCatalog& catalog, LogOutput& log, RunOptions options)
    : config_(config),
      catalog_(catalog),
      log_output_(log),
      log_(log, "kernel"),
      mode_(options.mode.value_or(config.kernel.mode)),
      output_dir_(options.output_dir.value_or(config.kernel.output_dir)),
      notifiers_(log) {
  if (options.crash_point) crash_ = *options.crash_point;
  if (mode_ == RunMode::Backtest) {
    auto sim = std::make_unique<SimulatedClock>();
    sim_clock_ = sim.get();
    clock_ = std::move(sim);
  } else {
    clock_ = std::make_unique<WallClock>();
  }
  stats_.mode = std::string(to_string(mode_));

  // Broker events reach the owning strategy after the tracker and portfolio have applied them.
  bus_.subscribe<OrderEventReceived>(priority::kStrategies, [this](const OrderEventReceived& e) {
    if (reconciling_) return;  // strategies start after the reconciliation
    const std::size_t si = e.strategy_index;
    StrategySlot& s = strategies_[si];
    if (!s.enabled) return;
    call_guarded([&](std::string_view op, const std::string& msg) { strategy_fault(si, op, msg); }, "on_order_event",
                 [&] { s.strategy->on_order_event(*s.context, e.event); });
  });
  bus_.subscribe<BarProcessed>(priority::kStrategies, [this](const BarProcessed& e) {
    if (current_feed_ == nullptr) return;  // published by someone other than process_bar / the warm-up
    for (std::size_t si : current_feed_->listeners) {
      StrategySlot& s = strategies_[si];
      if (!s.enabled) continue;
      const BrokerSlot::SymbolFeed* outer = std::exchange(s.bar_feed, current_feed_);
      call_guarded([&](std::string_view op, const std::string& msg) { strategy_fault(si, op, msg); }, "on_bar",
                   [&] { s.strategy->on_bar(*s.context, *e.bar); });
      s.bar_feed = outer;
    }
  });
  bus_.subscribe<OrderDenied>(priority::kNotifications, [this](const OrderDenied& e) {
    const std::string what = e.strategy_id + " " + std::string(sdk::to_string(e.intent.side)) + " " +
                             e.intent.quantity.to_string() + " " + e.intent.symbol.str();
    log_.warn("order denied for " + what + ": " + e.reason + ": " + e.message);
    // Every denial is alerted, at most 10 a minute: a denial storm must not flood the notifiers.
    if (denial_alerts_.allow(std::chrono::steady_clock::now()))
      alert(sdk::Severity::Warning, "Order denied: " + e.reason,
            what + ": " + e.message + denial_alerts_.take_suppressed_note("denials"),
            {{"strategy", e.strategy_id}, {"reason", e.reason}, {"symbol", e.intent.symbol.str()}});
  });
  bus_.subscribe<PluginFaulted>(priority::kNotifications, [this](const PluginFaulted& e) {
    ++stats_.plugin_faults;
    log_.error("plugin " + e.plugin_id + " faulted in " + e.operation + ": " + e.message);
    alert(sdk::Severity::Critical, "Plugin fault: " + e.plugin_id, e.operation + " " + e.message,
          {{"plugin", e.plugin_id}, {"operation", e.operation}});
  });
}

Kernel::~Kernel() {
  // Plugin objects go before the libraries that made them (PluginPtr keeps each library alive).
  stop_brokers();
  notifiers_.stop();
}

void Kernel::stop_brokers() {
  for (std::size_t i = 0; i < brokers_.size(); ++i) {
    BrokerSlot& b = brokers_[i];
    if (!b.start_called) continue;
    b.start_called = false;
    b.started = false;
    call_guarded([&](std::string_view op, const std::string& msg) { log_.error("broker " + b.id + " " + std::string(op) + " " + msg); },
                 "stop", [&] { b.broker->stop(); });
  }
}

void Kernel::stop() noexcept {
  stop_requested_.store(true);
  inbox_.wake();
}

void Kernel::alert(sdk::Severity severity, std::string title, std::string body,
                   std::vector<std::pair<std::string, std::string>> fields) {
  sdk::Notification n;
  n.severity = severity;
  n.title = std::move(title);
  n.body = std::move(body);
  n.fields = std::move(fields);
  n.ts = clock_->now();
  if (n.ts.ns == INT64_MIN) n.ts = WallClock().now();  // a backtest before its first bar
  n.source = "kernel";
  notifiers_.notify(std::move(n));
}

// ---------------------------------------------------------------- start-up

void Kernel::create_plugins() {
  std::vector<std::string> errors;
  // Notifiers first, started at once, so that a failure of anything after them is alerted.
  for (const CatalogEntry* e : catalog_.of_kind(PluginKind::Notifier)) {
    std::string error;
    auto n = create_plugin<sdk::Notifier>(*e, error);
    if (!n) {
      errors.push_back(error);
      continue;
    }
    notifiers_.add(entry_id(e), std::move(n), e->entry->min_severity.value_or(sdk::Severity::Info));
  }
  // An alert channel that does not work is a start-up failure: nobody would hear about trouble.
  for (auto& failure : notifiers_.start()) errors.push_back(std::move(failure));
  std::unordered_map<std::string, std::size_t> broker_index;
  for (const CatalogEntry* e : catalog_.of_kind(PluginKind::Broker)) {
    std::string error;
    auto b = create_plugin<sdk::Broker>(*e, error);
    if (!b) {
      errors.push_back(error);
      continue;
    }
    broker_index[entry_id(e)] = brokers_.size();
    BrokerSlot slot;
    slot.id = entry_id(e);
    slot.entry = e->entry;
    slot.broker = std::move(b);
    slot.logger = std::make_unique<SourceLogger>(log_output_, slot.id);
    slot.sink = std::make_unique<BrokerSinkImpl>(inbox_, brokers_.size(), *clock_, *slot.logger);
    brokers_.push_back(std::move(slot));
  }
  for (const CatalogEntry* e : catalog_.of_kind(PluginKind::Strategy)) {
    std::string error;
    auto s = create_plugin<sdk::Strategy>(*e, error);
    if (!s) {
      errors.push_back(error);
      continue;
    }
    const std::string broker_id = e->entry->broker.value_or(brokers_.empty() ? std::string() : brokers_.front().id);
    auto it = broker_index.find(broker_id);
    if (it == broker_index.end()) {
      errors.push_back(e->entry->key_path() + ": its broker \"" + broker_id + "\" is not available");
      continue;
    }
    StrategySlot slot;
    slot.id = entry_id(e);
    slot.entry = e->entry;
    slot.broker = it->second;
    slot.strategy = std::move(s);
    slot.logger = std::make_unique<SourceLogger>(log_output_, slot.id);
    slot.context = std::make_unique<StrategyContextImpl>(static_cast<StrategyServices&>(*this), strategies_.size(), slot.id, *slot.logger);
    slot.position_at_broker = brokers_[slot.broker].strategies.size();
    brokers_[slot.broker].strategies.push_back(strategies_.size());
    strategies_.push_back(std::move(slot));
  }
  // Market-data routing: a trading broker with `market_data` trades on the bars of that broker
  // (validated by the catalog: an existing broker, not itself, no chains).
  for (std::size_t i = 0; i < brokers_.size(); ++i) {
    BrokerSlot& b = brokers_[i];
    if (!b.entry || !b.entry->market_data) continue;
    auto it = broker_index.find(*b.entry->market_data);
    if (it == broker_index.end() || it->second == i || brokers_[it->second].entry->market_data) {
      errors.push_back(b.entry->key_path() + ".market_data: its data broker \"" + *b.entry->market_data + "\" is not available");
      continue;
    }
    b.data_source = it->second;
    brokers_[it->second].data_clients.push_back(i);
  }
  for (auto& b : brokers_) b.data_only = !b.data_clients.empty() && b.strategies.empty();
  if (brokers_.empty() && errors.empty()) errors.push_back("no broker plugin configured: nothing to trade on");
  if (strategies_.empty() && errors.empty()) errors.push_back("no strategy plugin configured: nothing to run");
  if (!errors.empty()) {
    std::string msg = "start-up failed, nothing was traded:";
    for (const auto& e : errors) msg += "\n  " + e;
    throw KernelError(msg);
  }
}

void Kernel::start_brokers() {
  for (std::size_t i = 0; i < brokers_.size(); ++i) {
    BrokerSlot& b = brokers_[i];
    sdk::Status status;
    b.start_called = true;
    const bool ok = call_guarded([&](std::string_view op, const std::string& msg) { broker_fault(i, op, msg); }, "start",
                                 [&] { status = b.broker->start(*b.sink); });
    if (!ok || !status.is_ok())
      throw KernelError("broker " + b.id + " failed to start: " + (ok ? status.message() : std::string("it threw")));
    b.started = true;
    if (b.data_only) {
      // Serves bars only (it may have no trading account at all): its account is never asked for.
      log_.info("broker " + b.id + " started for market data only (bars for " + data_clients_text(i) + ")");
      continue;
    }
    std::optional<sdk::Result<sdk::AccountSnapshot>> account;
    call_guarded([&](std::string_view op, const std::string& msg) { broker_fault(i, op, msg); }, "account",
                 [&] { account.emplace(b.broker->account()); });
    if (!account || !account->has_value())
      throw KernelError("broker " + b.id + " did not report its account: " +
                        (account ? account->status().message() : std::string("it threw")));
    b.account = Ledger((*account)->cash);
    log_.info("broker " + b.id + " started, cash " + (*account)->cash.to_string());
  }
}

void Kernel::start_strategies() {
  for (std::size_t i = 0; i < strategies_.size(); ++i) {
    StrategySlot& s = strategies_[i];
    s.starting = true;
    sdk::Status status;
    const bool ok = call_guarded([&](std::string_view op, const std::string& msg) { strategy_fault(i, op, msg); },
                                 "on_start", [&] { status = s.strategy->on_start(*s.context); });
    s.starting = false;
    if (!ok || !status.is_ok())
      throw KernelError("strategy " + s.id + " failed to start: " + (ok ? status.message() : std::string("it threw")));
    log_.info("strategy " + s.id + " started on broker " + brokers_[s.broker].id);
  }
}

sdk::Status Kernel::subscribe(std::size_t si, const sdk::Symbol& symbol) {
  StrategySlot& s = strategies_[si];
  if (!s.starting)
    return {sdk::StatusCode::InvalidArgument, "subscribe_bars is only allowed in on_start (strategy " + s.id + ")"};
  if (symbol.empty()) return {sdk::StatusCode::InvalidArgument, "expected a symbol, was empty"};
  if (std::string why = symbol_text_problem(symbol.view()); !why.empty())
    return {sdk::StatusCode::InvalidArgument, why + " (strategy " + s.id + ")"};
  BrokerSlot& b = brokers_[s.broker];
  b.symbols.insert(symbol);
  auto& list = b.feeds[symbol].listeners;
  if (std::find(list.begin(), list.end(), si) == list.end()) list.push_back(si);
  return {};
}

// ---------------------------------------------------------------- run

RunStatistics Kernel::run() {
  if (mode_ == RunMode::Live && !config_.journal.path)
    throw KernelError("live mode needs a [journal]: live orders are only sent with the write-ahead journal (fail closed)");
  try {
    start_up();
  } catch (const std::exception& e) {
    // Whatever stopped the run, an unattended system must say so where someone listens.
    log_.error(std::string("run aborted: ") + e.what());
    alert(sdk::Severity::Critical, "Mercurio run aborted", e.what());
    stop_brokers();
    notifiers_.stop();
    if (dynamic_cast<const KernelError*>(&e)) throw;
    throw KernelError(std::string("run aborted: ") + e.what());
  }
  return stats_;
}

void Kernel::start_up() {
  const auto wall_start = std::chrono::steady_clock::now();
  create_plugins();
  build_risk_gate();
  // With a journal, the kernel comes up HALTED: nothing is sent until every broker is reconciled.
  reconciling_ = config_.journal.path.has_value() && mode_ != RunMode::Backtest;
  if (mode_ != RunMode::Backtest) open_state_store();
  if (reconciling_) {
    state_before_reconciliation_ = risk_gate_.snapshot();
    risk_gate_.set_state(TradingState::Halted, "start-up: replaying the journal and reconciling with every broker");
    risk_gate_.take_changed();
  }
  open_journal();
  // The trading state is saved from a deployment's first start on: none, where the journal holds
  // earlier runs, means state_dir was lost or changed, and with it perhaps a HALT or a tripped
  // breaker. Not started ACTIVE on a guess.
  if (no_saved_state_ && journal_ && journal_->run_id() > 1)
    halt_trading("no saved trading state in " + state_store_->state_file().string() +
                 ", but the journal holds earlier runs (this is run " +
                 std::to_string(journal_->run_id()) +
                 "): a HALT or a tripped breaker saved there may be lost; check, then resume");
  outputs_ = std::make_unique<RunOutputs>(output_dir_);
  start_brokers();
  if (reconciling_) {
    recover_from_journal();
    reconcile_brokers();
    await_acknowledgement();
    if (stop_requested_.load() && !acknowledged_ && !reconciliation_mismatches_.empty())
      throw KernelError("stopped before an operator acknowledged the reconciliation; nothing was traded");
    // A clean reconciliation returns to the state saved before the stop (a tripped breaker stays tripped).
    risk_gate_.restore(*state_before_reconciliation_);
    reconciling_ = false;
    // What went wrong meanwhile outlives the restore (a saved ACTIVE must not lift it).
    if (halt_at_start_up_) halt_trading(halt_at_start_up_->reason);
    // (After a halt: no effect, as at any time; a resume then returns to ACTIVE.)
    if (anomaly_at_start_up_) reduce_for_operator(*anomaly_at_start_up_);
    persist_state();
    log_.info("start-up reconciliation done: trading state " + std::string(to_string(risk_gate_.state())));
    // The saved flattens are set up before the commands (a queued resume ends them) and go on
    // after them, so nothing is sent that a queued command would have stopped.
    const std::vector<std::size_t> resumed = resume_saved_procedures();
    apply_operator_commands();  // those given while reconciling
    continue_resumed_flattens(resumed);
  } else if (mode_ != RunMode::Backtest) {
    book_positions_without_journal();
    resume_saved_procedures();  // without a journal: alerted, not taken up
  }
  for (const auto& b : brokers_)
    if (!b.data_only) stats_.starting_equity += b.account.equity();
  drawdown_.observe(stats_.starting_equity);
  start_strategies();
  build_bar_routes();
  alert(sdk::Severity::Info, "Mercurio run started",
        std::string(to_string(mode_)) + " run with " + std::to_string(brokers_.size()) + " broker(s), " +
            std::to_string(strategies_.size()) + " strateg" + (strategies_.size() == 1 ? "y" : "ies"),
        {{"config", config_.file.string()}});

  if (mode_ == RunMode::Backtest)
    replay_history();
  else
    stream_live();

  finish();
  stats_.wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_start).count();
  alert(sdk::Severity::Info, "Mercurio run finished",
        "final equity " + stats_.final_equity.to_string() + ", " + std::to_string(stats_.fills) + " fills",
        {{"bars", std::to_string(stats_.bars)}, {"orders", std::to_string(stats_.orders_submitted)}});
  notifiers_.stop();
}

sdk::Result<std::vector<sdk::Bar>> Kernel::fetch_history(std::size_t bi, const sdk::Symbol& symbol, sdk::Timestamp from,
                                                         sdk::Timestamp to) {
  BrokerSlot& b = brokers_[bi];
  std::optional<sdk::Result<std::vector<sdk::Bar>>> history;
  call_guarded([&](std::string_view op, const std::string& msg) { broker_fault(bi, op, msg); }, "history",
               [&] { history.emplace(b.broker->history(symbol, from, to)); });
  if (!history) return sdk::Status(sdk::StatusCode::Internal, "it threw");
  return std::move(*history);
}

Kernel::RoutedHistory Kernel::collect_history(sdk::Timestamp from, sdk::Timestamp to, bool skip_unavailable,
                                              const std::function<void(std::size_t, const sdk::Symbol&, const sdk::Status&)>& on_missing) {
  RoutedHistory h;
  for (std::size_t i = 0; i < brokers_.size(); ++i) {
    BrokerSlot& b = brokers_[i];
    if (skip_unavailable && !b.available) continue;
    for (const sdk::Symbol& symbol : b.feed_symbols) {
      if (!followed_by_a_strategy(i, symbol)) continue;  // only held: no strategy to warm up
      auto history = fetch_history(i, symbol, from, to);
      // Checked (one symbol, strictly increasing time) while it is compacted: one pass over it.
      auto series = history
                        ? BarSeries::checked(h.routes.size(), symbol, std::move(history).value())
                        : sdk::Result<BarSeries>(history.status());
      if (!series) {
        on_missing(i, symbol, series.status());
        continue;
      }
      log_.info("loaded " + std::to_string(series->size()) + " bars of " + symbol.str() + " from " +
                b.id);
      std::vector<BarTarget> targets;
      for (std::size_t target : bar_route(i, symbol)) targets.push_back({target, &brokers_[target].feeds[symbol]});
      h.routes.push_back(std::move(targets));
      h.series.push_back(std::move(series).value());
    }
  }
  return h;
}

void Kernel::replay_history() {
  const auto load_start = std::chrono::steady_clock::now();
  auto [series, routes] = collect_history(config_.backtest.start, config_.backtest.end, false,
                                          [&](std::size_t i, const sdk::Symbol& symbol, const sdk::Status& why) {
                                            const BrokerSlot& b = brokers_[i];
                                            throw KernelError("broker " + b.id + " has no history for " + symbol.str() +
                                                              (b.data_clients.empty() ? std::string()
                                                                                      : " (market data for " + data_clients_text(i) + ")") +
                                                              ": " + why.message());
                                          });
  BarReplay replay(std::move(series));
  const auto replay_start = std::chrono::steady_clock::now();
  stats_.load_seconds = std::chrono::duration<double>(replay_start - load_start).count();
  std::size_t route = 0;
  while (const sdk::Bar* bar = replay.next(route)) {
    if (stop_requested_.load(std::memory_order_relaxed)) break;
    for (const BarTarget& target : routes[route]) process_bar(target.broker, *target.feed, *bar);
  }
  stats_.replay_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - replay_start).count();
}

// Paper and live: indicators start warm. Each strategy sees the last `warmup_minutes` of history in
// time order, as in a backtest, but nothing reaches a broker: its orders are refused, the brokers'
// simulated venues do not match on these bars, accounts are not marked and no equity is recorded.
// The feeds remember the last warm-up bar, so a live bar that repeats it is dropped as stale.
void Kernel::warm_up_strategies() {
  if (config_.kernel.warmup_minutes <= 0) return;
  const sdk::Timestamp to = clock_->now();
  const sdk::Timestamp from{to.ns - config_.kernel.warmup_minutes * 60 * sdk::Timestamp::kNanosPerSecond};
  // Cold indicators are not a danger (a strategy waits for its windows), so missing history only warns.
  auto [series, routes] = collect_history(from, to, true, [&](std::size_t i, const sdk::Symbol& symbol, const sdk::Status& why) {
    log_.warn("no warm-up for " + symbol.str() + " from " + brokers_[i].id + ": " + why.message());
    alert(sdk::Severity::Warning, "No warm-up history for " + symbol.str(), why.message(), {{"broker", brokers_[i].id}});
  });
  BarReplay replay(std::move(series));
  std::size_t route = 0;
  std::uint64_t bars = 0;
  const std::uint64_t refused_before = stats_.warmup_orders_refused;
  warming_up_ = true;
  std::uint64_t beyond = 0;
  while (const sdk::Bar* bar = replay.next(route)) {
    if (stop_requested_.load(std::memory_order_relaxed)) break;
    // History later than asked for (a venue ignoring `to`) would make the live bars look stale.
    if (bar->ts > to) {
      ++beyond;
      continue;
    }
    for (const BarTarget& target : routes[route]) {
      target.feed->last_bar = bar->ts;
      current_feed_ = target.feed;
      bus_.publish(BarProcessed{bar});
    }
    ++bars;
  }
  warming_up_ = false;
  if (beyond > 0)
    log_.warn("warm-up: " + std::to_string(beyond) + " bar(s) of history after " + to.to_iso8601() +
              " (later than asked for) were dropped");
  stats_.warmup_bars += bars;
  log_.info("warm-up: strategies saw " + std::to_string(bars) + " bar(s) of history from " + from.to_iso8601() + " to " +
            to.to_iso8601() + "; " + std::to_string(stats_.warmup_orders_refused - refused_before) + " order(s) proposed on them were refused");
}

void Kernel::stream_live() {
  warm_up_strategies();
  std::size_t feeding = 0;
  for (std::size_t i = 0; i < brokers_.size(); ++i)
    if (subscribe_feed(i)) ++feeding;
  auto all_ended = [&] {
    return std::all_of(brokers_.begin(), brokers_.end(),
                       [](const BrokerSlot& b) { return b.feed_symbols.empty() || b.data_ended || !b.available; });
  };
  next_heartbeat_ = std::chrono::steady_clock::now() + std::chrono::milliseconds(config_.failsafe.heartbeat_interval_ms);
  while (!stop_requested_.load() && feeding > 0) {
    if (std::chrono::steady_clock::now() >= next_heartbeat_) {
      run_heartbeats();
      check_stale_data();
      next_heartbeat_ = std::chrono::steady_clock::now() + std::chrono::milliseconds(config_.failsafe.heartbeat_interval_ms);
    }
    apply_operator_commands();
    settle();
    std::size_t k = 0;
    for (; k < pending_bars_.size() && !stop_requested_.load(std::memory_order_relaxed); ++k) {
      const auto [bi, bar] = pending_bars_[k];
      deliver_bar(bi, bar);
    }
    // On a stop request the bars not yet processed stay pending: finish() reports them.
    pending_bars_.erase(pending_bars_.begin(), pending_bars_.begin() + static_cast<std::ptrdiff_t>(k));
    if (all_ended() && inbox_.empty()) {
      settle();
      if (pending_bars_.empty()) break;
      continue;
    }
    const auto until_heartbeat = std::chrono::duration_cast<std::chrono::milliseconds>(next_heartbeat_ - std::chrono::steady_clock::now());
    inbox_.wait_for(std::clamp(until_heartbeat, std::chrono::milliseconds(1), std::chrono::milliseconds(200)));
  }
}

bool Kernel::subscribe_feed(std::size_t i) {
  BrokerSlot& b = brokers_[i];
  if (b.feed_symbols.empty()) return false;
  const auto ask = [&](const std::set<sdk::Symbol>& wanted, sdk::Status& status) {
    const std::vector<sdk::Symbol> symbols(wanted.begin(), wanted.end());
    return call_guarded(
        [&](std::string_view op, const std::string& msg) { broker_fault(i, op, msg); },
        "subscribe_bars", [&] { status = b.broker->subscribe_bars(symbols); });
  };
  sdk::Status status;
  bool ok = ask(b.feed_symbols, status);
  // Refused as unknown (a venue without data for a symbol only held, say): the symbols some
  // strategy follows are asked for again, alone, and what is only held goes unmarked. Any other
  // refusal (the venue unavailable) stops the start as before: nothing is given up for it.
  const bool unknown = status.code() == sdk::StatusCode::NotFound ||
                       status.code() == sdk::StatusCode::InvalidArgument;
  if (ok && !status.is_ok() && unknown) {
    std::set<sdk::Symbol> followed;
    for (const sdk::Symbol& symbol : b.feed_symbols)
      if (followed_by_a_strategy(i, symbol)) followed.insert(symbol);
    if (followed.size() < b.feed_symbols.size()) {
      const std::string why = "broker " + b.id + " refused its bars: " + status.message();
      bool accepted = followed.empty();
      if (!accepted) {
        ok = ask(followed, status);  // refused again: its own reason is the one reported
        accepted = ok && status.is_ok();
      }
      if (accepted) {
        for (const sdk::Symbol& symbol : b.feed_symbols) {
          if (followed.count(symbol) != 0) continue;
          for (std::size_t t : bar_route(i, symbol)) {
            brokers_[t].symbols.erase(symbol);
            brokers_[t].held_only.erase(symbol);
            if (!brokers_[t].account.quantity(symbol).is_zero()) holding_unmarked(t, symbol, why);
          }
        }
        b.feed_symbols = std::move(followed);
        return !b.feed_symbols.empty();
      }
    }
  }
  if (!ok || !status.is_ok())
    throw KernelError("broker " + b.id + " could not subscribe to bars" +
                      (b.data_clients.empty() ? std::string()
                                              : " (market data for " + data_clients_text(i) + ")") +
                      ": " + (ok ? status.message() : std::string("it threw")));
  return true;
}

bool Kernel::followed_by_a_strategy(std::size_t source, const sdk::Symbol& symbol) const {
  for (std::size_t t : bar_route(source, symbol))
    if (brokers_[t].held_only.count(symbol) == 0) return true;
  return false;
}

void Kernel::holding_unmarked(std::size_t bi, const sdk::Symbol& symbol, const std::string& why) {
  BrokerSlot& b = brokers_[bi];
  if (!b.unmarked.insert(symbol).second) return;
  const sdk::Position p = b.account.position(symbol);
  const std::string what = "position " + p.quantity.to_string() + " " + symbol.str() + " at " +
                           b.id + " has no bars to mark it (" + why + "): valued at " +
                           p.market_price.to_string() +
                           " from now on, which the breakers cannot follow";
  log_.error(what);
  alert(sdk::Severity::Critical, "Position not marked: " + symbol.str(), what,
        {{"broker", b.id}, {"symbol", symbol.str()}});
  reduce_for_operator(what);
}

void Kernel::finish() {
  settle();
  resolve_in_doubt();
  for (std::size_t i = 0; i < strategies_.size(); ++i) {
    StrategySlot& s = strategies_[i];
    if (!s.enabled) continue;
    call_guarded([&](std::string_view op, const std::string& msg) { strategy_fault(i, op, msg); }, "on_stop",
                 [&] { s.strategy->on_stop(*s.context); });
  }
  // Stop the brokers first, then apply what their threads posted until then: nothing is lost.
  stop_brokers();
  settle();
  if (!pending_bars_.empty()) {
    log_.warn(std::to_string(pending_bars_.size()) + " bar(s) that arrived after the stop request were not processed");
    pending_bars_.clear();
  }
  // The stop may come between two bars of one time: no new peak from that equity.
  if (current_ts_.ns != INT64_MIN) record_equity(current_ts_, false);
  if (stale_bars_ > 0) log_.warn(std::to_string(stale_bars_) + " stale or duplicate bar(s) were refused");
  if (future_bars_ > 0)
    log_.warn(std::to_string(future_bars_) + " bar(s) stamped ahead of the clock were refused");
  if (invalid_bars_ > 0)
    log_.warn(std::to_string(invalid_bars_) + " bar(s) with impossible prices were refused");
  for (const TrackedOrder* o : tracker_.open_orders()) {
    ++stats_.open_orders_at_end;
    log_.warn("order still open at the end: " + o->id.str() + " " + std::string(sdk::to_string(o->intent.side)) + " " +
              o->intent.quantity.to_string() + " " + o->intent.symbol.str() + " (" +
              std::string(sdk::to_string(o->intent.type)) + ", " + std::string(to_string(o->state)) + ", filled " +
              o->filled_quantity.to_string() + ")");
  }
  stats_.final_equity = sdk::Decimal{};
  if (unrouted_bars_ > 0) log_.warn(std::to_string(unrouted_bars_) + " bar(s) of a data broker for symbols no broker asked for were dropped");
  for (const auto& b : brokers_) {
    if (b.data_only) continue;
    stats_.final_equity += b.account.equity();
    stats_.commissions += b.account.commissions();
  }
  for (const auto& s : strategies_) stats_.round_trips += s.book.round_trips();
  stats_.max_drawdown = drawdown_.max_drawdown();
  stats_.sharpe = annualized_sharpe(stats_.starting_equity, daily_equity_);
  outputs_->close();
  persist_state();  // the last equity too
  if (journal_ && !journal_->failed()) {
    try {
      journal_->end_run(WallClock().now());
    } catch (const JournalError& e) {
      log_.error(e.what());
    }
  }
}

// ---------------------------------------------------------------- per bar

void Kernel::build_bar_routes() {
  // A position no strategy here follows is marked all the same: the breakers value the account
  // by it. So is a symbol a strategy's book holds (the account may be flat through two books
  // that offset) or an order still works in: either can become the account's position. (Paper
  // and live: a backtest starts flat.)
  for (std::size_t i = 0; i < brokers_.size() && mode_ != RunMode::Backtest; ++i) {
    BrokerSlot& b = brokers_[i];
    if (b.data_only) continue;
    std::set<sdk::Symbol> held;
    for (const sdk::Position& p : b.account.open_positions()) held.insert(p.symbol);
    for (std::size_t si : b.strategies)
      for (const sdk::Position& p : strategies_[si].book.open_positions()) held.insert(p.symbol);
    for (const TrackedOrder* o : tracker_.open_orders())
      if (o->broker_index == i) held.insert(o->intent.symbol);
    std::string text;
    for (const sdk::Symbol& symbol : held)
      if (b.symbols.insert(symbol).second) {
        b.held_only.insert(symbol);
        text += (text.empty() ? "" : ", ") + symbol.str();
      }
    if (!text.empty())
      log_.warn("broker " + b.id + " holds " + text +
                " (a position or a working order), which no strategy there subscribes to: its "
                "bars are asked for to mark it");
  }
  // After the strategies subscribed: each trading broker's symbols are asked of its data source.
  for (std::size_t i = 0; i < brokers_.size(); ++i) {
    BrokerSlot& b = brokers_[i];
    BrokerSlot& source = brokers_[b.data_source.value_or(i)];
    source.feed_symbols.insert(b.symbols.begin(), b.symbols.end());
    if (source.data_clients.empty()) continue;
    for (const sdk::Symbol& symbol : b.symbols) source.bar_targets[symbol].push_back(i);
  }
  for (std::size_t i = 0; i < brokers_.size(); ++i)
    for (std::size_t client : brokers_[i].data_clients)
      log_.info("broker " + brokers_[client].id + " trades on bars from " + brokers_[i].id + " (" +
                std::to_string(brokers_[client].symbols.size()) + " symbol(s))");
  watch_unfed_fills_ = mode_ != RunMode::Backtest;
}

std::vector<std::size_t> Kernel::bar_route(std::size_t source_index, const sdk::Symbol& symbol) const {
  const BrokerSlot& source = brokers_[source_index];
  if (source.data_clients.empty()) return {source_index};  // a broker feeding itself
  auto targets = source.bar_targets.find(symbol);
  return targets == source.bar_targets.end() ? std::vector<std::size_t>{} : targets->second;
}

void Kernel::refuse_live_bar(std::uint64_t& refused, const char* title, std::size_t source_index,
                             const sdk::Bar& bar, const std::string& alert_detail,
                             const std::string& log_detail) {
  const std::string& source = brokers_[source_index].id;
  if (refused == 0)
    alert(sdk::Severity::Warning, title + source,
          bar.symbol.str() + " at " + bar.ts.to_iso8601() + alert_detail +
              ": refused (the log counts any more)",
          {{"broker", source}, {"symbol", bar.symbol.str()}});
  if (refused++ < 10)
    log_.warn("refused a bar of " + bar.symbol.str() + " from " + source + " at " +
              bar.ts.to_iso8601() + ": " + log_detail);
}

void Kernel::deliver_bar(std::size_t source_index, const sdk::Bar& bar) {
  BrokerSlot& source = brokers_[source_index];
  // A live bar is stamped with its start, so it is never ahead of the clock (beyond the clocks'
  // skew). One that is (a plugin reading local time as UTC, a corrupt row) would move the
  // breakers' day and the equity rows ahead, and make every true bar after it look stale.
  const sdk::Timestamp now = clock_->now();
  if (bar.ts.ns > now.ns + kMaxBarLead.count()) {  // (the wall clock is far from overflow)
    refuse_live_bar(future_bars_, "Bar ahead of the clock from ", source_index, bar,
                    " with the clock at " + now.to_iso8601(),
                    "ahead of the clock (" + now.to_iso8601() + ") by more than " +
                        std::to_string(kMaxBarLead.count() / 60'000'000'000) + " minutes");
    return;
  }
  if (const std::string problem = bar_price_problem(bar); !problem.empty()) {
    refuse_live_bar(invalid_bars_, "Invalid bar from ", source_index, bar, " has " + problem,
                    problem);
    return;
  }
  if (source.data_clients.empty()) {  // the common case: a broker feeding itself, no lookup
    process_bar(source_index, bar);
    return;
  }
  auto it = source.bar_targets.find(bar.symbol);
  if (it == source.bar_targets.end()) {
    if (unrouted_bars_++ < 10) log_.warn("dropped a bar of " + bar.symbol.str() + " from " + source.id + ": no broker asked for it");
    return;
  }
  for (std::size_t target : it->second) process_bar(target, bar);
}

std::string Kernel::data_clients_text(std::size_t bi) const {
  std::string out;
  for (std::size_t client : brokers_[bi].data_clients) out += (out.empty() ? "" : ", ") + brokers_[client].id;
  return out;
}

void Kernel::process_bar(std::size_t broker_index, const sdk::Bar& bar) {
  process_bar(broker_index, brokers_[broker_index].feeds[bar.symbol], bar);
}

void Kernel::process_bar(std::size_t broker_index, BrokerSlot::SymbolFeed& feed, const sdk::Bar& bar) {
  BrokerSlot& b = brokers_[broker_index];
  // Each symbol's bars must move forward: a stale or repeated bar (a feed that replays, two feeds
  // racing) would re-mark positions at an old price and trade on the past. (A new feed's last bar
  // is the earliest time there is, so its first bar always passes.)
  if (!(feed.last_bar < bar.ts)) {
    if (stale_bars_++ < 10)
      log_.warn("refused a stale bar of " + bar.symbol.str() + " from " + b.id + " at " + bar.ts.to_iso8601() +
                (feed.last_bar.ns == INT64_MIN ? std::string(" (no bar can be that early)") : " (last was " + feed.last_bar.to_iso8601() + ")"));
    return;
  }
  feed.last_bar = bar.ts;
  if (sim_clock_) sim_clock_->advance_to(bar.ts);
  if (bar.ts > current_ts_) {  // equity rows only move forward in time
    if (current_ts_.ns != INT64_MIN) record_equity(current_ts_);
    current_ts_ = bar.ts;
  }
  if (stats_.bars++ == 0) stats_.first_bar = bar.ts;
  if (bar.ts > stats_.last_bar) stats_.last_bar = bar.ts;

  // No simulated fills on bars from a data broker that faulted (its data can no longer be trusted).
  if (b.available && (!b.data_source || brokers_[*b.data_source].available))
    call_guarded([&](std::string_view op, const std::string& msg) { broker_fault(broker_index, op, msg); },
                 "on_market_bar", [&] { b.broker->on_market_bar(bar); });
  settle();

  feed.reference = ReferencePrice{bar.close, clock_->now()};
  if (!sim_clock_) {
    feed.arrival = std::chrono::steady_clock::now();
    feed.bar_arrived = true;
  }
  if (!feed.account_book || feed.strategy_books.size() != b.strategies.size())
    bind_feed(broker_index, feed, bar);
  b.account.mark(*feed.account_book, bar.close);
  for (std::size_t i = 0; i < b.strategies.size(); ++i) strategies_[b.strategies[i]].book.mark(feed.strategy_books[i], bar.close);
  // The breakers see the mark before any strategy trades on the bar: a bar that breaks a limit
  // stops its own orders, not the next bar's. (The equity row, once per time, is record_equity's.)
  // At the latest time seen: a late bar of another symbol must not take the day back.
  if (auto change = risk_gate_.observe_partial_equity(account_equity(), current_ts_))
    on_state_change(*change);
  if (risk_gate_.take_changed()) persist_state();

  current_feed_ = &feed;
  bus_.publish(BarProcessed{&bar});
  settle();
}

void Kernel::bind_feed(std::size_t broker_index, BrokerSlot::SymbolFeed& feed,
                       const sdk::Bar& bar) {
  BrokerSlot& b = brokers_[broker_index];
  const sdk::Symbol& symbol = bar.symbol;
  // The symbol's first bar: market orders recovered at start-up get their value from it.
  if (const std::size_t n = tracker_.price_unpriced(broker_index, symbol, bar.close))
    log_.info(std::to_string(n) + " recovered market order(s) of " + symbol.str() + " at " + b.id +
              " valued at " + bar.close.to_string() + " (the symbol's first bar)");
  feed.account_book = b.account.book_ref(symbol);
  feed.strategy_books.clear();
  feed.strategy_orders.clear();
  for (std::size_t si : b.strategies) {
    feed.strategy_books.push_back(strategies_[si].book.book_ref(symbol));
    feed.strategy_orders.push_back(tracker_.open_entries(si, broker_index, symbol));
  }
  feed.open = &tracker_.open_quantities_entry(broker_index, symbol);
  feed.symbol = symbol;
}

void Kernel::settle_inbox() {
  for (;;) {
    inbox_.take_all(inbox_batch_);
    if (inbox_batch_.empty()) {
      advance_flattens();  // an order that ended may let a flatten go on
      // After the whole batch: a stopped strategy's orders are judged by its book with every fill
      // the broker reported so far, not in the middle of a burst of them.
      if (unmanaged_reviews_pending_) {
        review_unmanaged_orders();
        if (!inbox_.empty()) continue;  // its cancels' events
      }
      return;
    }
    // Swap out so handlers that post more events append to a fresh batch.
    std::vector<InboxItem> batch;
    batch.swap(inbox_batch_);
    for (auto& item : batch) {
      std::visit(
          [&](auto& v) {
            using T = std::decay_t<decltype(v)>;
            if constexpr (std::is_same_v<T, InboxOrderEvent>) {
              apply_order_event(v.broker_index, v.event);
            } else if constexpr (std::is_same_v<T, InboxBar>) {
              pending_bars_.emplace_back(v.broker_index, v.bar);
            } else if constexpr (std::is_same_v<T, InboxMarketDataEnd>) {
              brokers_[v.broker_index].data_ended = true;
              for (std::size_t client : brokers_[v.broker_index].data_clients) brokers_[client].data_ended = true;
              log_.info("market data from " + brokers_[v.broker_index].id + " ended");
            } else if constexpr (std::is_same_v<T, InboxFault>) {
              broker_fault(v.broker_index, "on_fault", v.status.message());
            } else {
              broker_anomaly(v.broker_index, v.symbol, v.status.message());
            }
          },
          item);
    }
    batch.clear();
    inbox_batch_.swap(batch);  // keep the capacity
  }
}

void Kernel::apply_order_event(std::size_t broker_index, const sdk::OrderEvent& e) {
  BrokerSlot& b = brokers_[broker_index];
  if (journal_ && !journal_->failed()) {
    try {
      if (!e.is_fill()) {
        journal_->record_order_event(b.id, e, event_has_its_order(broker_index, e));
      } else if (invalid_fill_reason(e).empty()) {
        crash_.hit("fill_before_journal");
        // Recorded (and synced) before it is booked; the trade id makes a replayed fill a no-op.
        // External when no order of ours can take it, as it is then booked below (memory and a
        // replay of the journal must agree).
        if (!journal_->record_fill(b.id, e, !event_has_its_order(broker_index, e))) {
          log_.warn("duplicate fill dropped: trade id " + e.trade_id.str() + " of " + e.client_order_id.str() + " from " + b.id +
                    " (already in the journal)");
          return;
        }
        crash_.hit("fill_after_journal");
      }
    } catch (const JournalError& e2) {
      journal_failure(e2.what());  // the money moved at the venue all the same: booked below, recovered at restart
    }
  }
  const TrackedOrder* order = nullptr;
  const EventVerdict verdict = tracker_.apply(broker_index, e, &order);
  // Built only on the alert paths: an applied event (every accept and fill) must not allocate.
  const auto what = [&] { return std::string(sdk::to_string(e.type)) + " " + e.client_order_id.str(); };
  const auto fields = [&] {
    return std::vector<std::pair<std::string, std::string>>{{"broker", b.id}, {"client_order_id", e.client_order_id.str()}};
  };
  switch (verdict) {
    case EventVerdict::DuplicateFill:
      log_.warn("duplicate fill dropped: trade id " + e.trade_id.str() + " of " + e.client_order_id.str() + " from " + b.id);
      return;
    case EventVerdict::InvalidFill:
      // A broker that reports impossible fills cannot be trusted with more orders.
      alert(sdk::Severity::Critical, "Invalid fill from broker " + b.id, what() + ": " + invalid_fill_reason(e), fields());
      broker_fault(broker_index, "on_order_event", "reported an invalid fill: " + invalid_fill_reason(e));
      return;
    case EventVerdict::UnknownOrder:
      if (e.is_fill()) {
        // Money moved at the venue for an order this kernel did not send: book it on the account.
        alert(sdk::Severity::Critical, "Fill for an unknown order", what() + " from broker " + b.id + " applied to the account as external", fields());
        apply_fill(broker_index, e, std::nullopt);
      } else {
        alert(sdk::Severity::Warning, "Event for an unknown order", what() + " from broker " + b.id + " (external order?)", fields());
        log_.warn("event for unknown order " + what() + " from " + b.id);
      }
      return;
    case EventVerdict::Inconsistent:
      if (e.is_fill()) {
        // Another broker, symbol or side than the order's: the venue's account moved all the same.
        // Booked on the account as external (as the journal recorded it), and a broker that
        // reports such fills gets no more orders.
        alert(sdk::Severity::Critical, "Fill contradicting its order",
              what() + " from broker " + b.id + " (" + std::string(sdk::to_string(e.side)) + " " +
                  e.symbol.str() + ") applied to the account as external",
              fields());
        apply_fill(broker_index, e, std::nullopt);
        broker_fault(
            broker_index, "on_order_event",
            "reported a fill of " + e.client_order_id.str() + " that contradicts the order");
        return;
      }
      [[fallthrough]];
    case EventVerdict::AfterFinal:
      alert(sdk::Severity::Error, "Inconsistent order event", what() + " from broker " + b.id + " ignored", fields());
      log_.error("ignored inconsistent event " + what() + " from " + b.id);
      return;
    case EventVerdict::FillAfterFinal:
      alert(sdk::Severity::Critical, "Fill after the order was final", what() + " from broker " + b.id + " applied", fields());
      break;
    case EventVerdict::Overfill:
      alert(sdk::Severity::Critical, "Order overfilled", what() + " filled beyond its quantity at broker " + b.id, fields());
      break;
    case EventVerdict::Applied: break;
  }
  const std::size_t si = order->strategy_index;
  StrategySlot& s = strategies_[si];
  if (!cancels_before_ack_.empty() && !is_final(order->state))
    ask_cancel_again_after_ack(si, e.client_order_id);
  if (e.is_fill() || e.type == sdk::OrderEventType::Canceled ||
      e.type == sdk::OrderEventType::Expired) {
    // An order of the strategy in this symbol worked at the venue (an acceptance alone is not
    // enough: some venues accept first and reject later): no longer rejections in a row.
    if (!s.rejections_in_a_row.empty()) s.rejections_in_a_row.erase(e.symbol);
    if (e.is_fill()) apply_fill(broker_index, e, si);
  } else if (e.type == sdk::OrderEventType::Rejected) {
    on_rejection(broker_index, si, *order, e);
  }
  bus_.publish(OrderEventReceived{broker_index, si, e});
}

void Kernel::on_rejection(std::size_t bi, std::size_t si, const TrackedOrder& order,
                          const sdk::OrderEvent& e) {
  BrokerSlot& b = brokers_[bi];
  StrategySlot& s = strategies_[si];
  ++stats_.orders_rejected;
  log_.warn("order " + e.client_order_id.str() + " rejected by " + b.id + ": " + e.reason);
  // Every rejection is alerted, at most 10 a minute (a strategy resending into a rejection must
  // not flood the notifiers); the log has each one.
  if (rejection_alerts_.allow(std::chrono::steady_clock::now()))
    alert(sdk::Severity::Warning, "Order rejected",
          e.client_order_id.str() + " rejected by " + b.id + ": " + e.reason +
              rejection_alerts_.take_suppressed_note("rejections"),
          {{"strategy", s.id}, {"broker", b.id}, {"symbol", e.symbol.str()}});
  // Rejection breaker: a strategy resending what the venue keeps rejecting (no buying power, a
  // halted or unknown symbol, a bad price) is in a loop the venue may answer with a throttle or a
  // ban. It is stopped until an operator looks. Not counted: the kernel's own closing orders
  // (a flatten has its own limit), and rejections the kernel makes for orders that never reached
  // the venue (refused by the plugin for another cause than the venue's answer, confirmed absent).
  if (const auto it =
          std::find(refused_before_venue_.begin(), refused_before_venue_.end(), e.client_order_id);
      it != refused_before_venue_.end()) {
    refused_before_venue_.erase(it);
    if (order.liquidation && is_flatten_order(order))
      closing_order_not_sent(si, order.intent.symbol, e.reason);
    return;
  }
  if (!s.enabled || order.liquidation || reconciling_) return;
  const std::int64_t in_a_row = ++s.rejections_in_a_row[e.symbol];
  if (in_a_row < config_.risk.max_consecutive_rejections) return;
  disable_strategy(si, "repeated rejections",
                   std::to_string(in_a_row) + " orders in " + e.symbol.str() +
                       " rejected in a row by " + b.id + " reach max_consecutive_rejections " +
                       std::to_string(config_.risk.max_consecutive_rejections) +
                       " (the last: " + e.reason + ")",
                   e.symbol.str());
}

void Kernel::disable_strategy(std::size_t si, const std::string& held_for, const std::string& why,
                              const std::string& symbol) {
  StrategySlot& s = strategies_[si];
  s.enabled = false;
  s.held_by_operator = held_for;
  s.rejections_in_a_row.clear();
  log_.error("strategy " + s.id + " disabled: " + why);
  stop_managing(si);
  std::vector<std::pair<std::string, std::string>> fields{{"strategy", s.id}};
  if (!symbol.empty()) fields.emplace_back("symbol", symbol);
  alert(sdk::Severity::Critical, "Strategy disabled: " + held_for,
        s.id + ": " + why +
            "; its orders that could add to its positions are cancelled, those that only reduce "
            "them kept (the log names them); an operator must re-enable it",
        fields);
  persist_state();
}

bool Kernel::event_has_its_order(std::size_t broker_index, const sdk::OrderEvent& event) const {
  const TrackedOrder* o = tracker_.find(event.client_order_id);
  return o != nullptr && event_fits_order(*o, broker_index, event);
}

void Kernel::apply_fill(std::size_t broker_index, const sdk::OrderEvent& e, std::optional<std::size_t> strategy_index) {
  BrokerSlot& b = brokers_[broker_index];
  ++stats_.fills;
  ++b.fills_booked;
  b.account.apply_fill(e.symbol, e.side, e.fill_quantity, e.fill_price, e.commission, e.ts);
  // A holding in a symbol with no feed (a manual trade at the venue): nothing marks it.
  if (watch_unfed_fills_ && !b.data_only && b.symbols.count(e.symbol) == 0) {
    if (b.account.quantity(e.symbol).is_zero())
      b.unmarked.erase(e.symbol);  // closed: a later one is alerted again
    else
      holding_unmarked(
          broker_index, e.symbol,
          "a fill of " + e.client_order_id.str() + " in a symbol no strategy there subscribes to");
  }
  std::string_view owner;  // empty: an external fill, not any strategy's
  if (strategy_index) {
    StrategySlot& s = strategies_[*strategy_index];
    std::optional<sdk::Decimal> unmanaged_before;  // only for a stopped strategy: rare
    if (s.unmanaged) unmanaged_before = s.book.position(e.symbol).quantity;
    s.book.apply_fill(e.symbol, e.side, e.fill_quantity, e.fill_price, e.commission, e.ts);
    owner = s.id;
    if (unmanaged_before) unmanaged_fill(*strategy_index, e, *unmanaged_before);
    // Repeated-execution throttle: a strategy filling too often is stopped until an operator looks.
    const sdk::Timestamp now = clock_->now();
    const sdk::Timestamp window_start = seconds_before(now, config_.risk.fills_window_seconds);
    while (!s.recent_fills.empty() && s.recent_fills.front().ns <= window_start.ns)
      s.recent_fills.pop_front();
    s.recent_fills.push_back(now);
    if (s.enabled &&
        static_cast<std::int64_t>(s.recent_fills.size()) > config_.risk.max_fills_per_window)
      disable_strategy(*strategy_index, "repeated executions",
                       std::to_string(s.recent_fills.size()) + " fills within " +
                           std::to_string(config_.risk.fills_window_seconds) +
                           " s exceed max_fills_per_window " +
                           std::to_string(config_.risk.max_fills_per_window));
  }
  outputs_->trade(e, owner, b.id);
}

sdk::Decimal Kernel::account_equity() const {
  sdk::Decimal equity;
  for (const auto& b : brokers_)
    if (!b.data_only) equity += b.account.cash() + b.account.positions_value();
  return equity;
}

void Kernel::record_equity(sdk::Timestamp ts, bool whole_timestamp) {
  sdk::Decimal cash, positions_value;
  for (const auto& b : brokers_) {
    if (b.data_only) continue;
    cash += b.account.cash();
    positions_value += b.account.positions_value();
  }
  const sdk::Decimal equity = cash + positions_value;
  drawdown_.observe(equity);
  if (auto change = risk_gate_.observe_equity(equity, ts, whole_timestamp))
    on_state_change(*change);
  if (risk_gate_.take_changed()) persist_state();
  // Monitoring: one alert each time |daily P&L| crosses the threshold (and one when it is back).
  // (paper and live: a backtest replays years of days in seconds, nobody is there to alert)
  const sdk::Decimal pnl = sim_clock_ ? sdk::Decimal{} : risk_gate_.daily_pnl_pct();
  const bool beyond = !sim_clock_ && pnl.abs() >= config_.failsafe.daily_pnl_alert_pct;
  if (beyond != daily_pnl_alerted_) {
    daily_pnl_alerted_ = beyond;
    alert(beyond ? sdk::Severity::Warning : sdk::Severity::Info, beyond ? "Daily P&L beyond threshold" : "Daily P&L back within threshold",
          "daily P&L " + pnl.to_string() + " % (threshold " + config_.failsafe.daily_pnl_alert_pct.to_string() + " %) at " + ts.to_iso8601(),
          {{"equity", equity.to_string()}});
  }
  outputs_->equity(ts, cash, positions_value, equity, drawdown_.current_drawdown());
  if (journal_ && !journal_->failed()) {
    try {
      journal_->record_equity(ts, cash, positions_value, equity);
    } catch (const JournalError& e) {
      journal_failure(e.what());
    }
  }
  const std::int64_t day = ts.utc_day();
  if (day != last_equity_day_) {
    daily_equity_.push_back(equity);
    last_equity_day_ = day;
  } else {
    daily_equity_.back() = equity;
  }
}

// ---------------------------------------------------------------- order path

sdk::Result<sdk::ClientOrderId> Kernel::submit(std::size_t si, const sdk::OrderIntent& intent) {
  return submit_order(si, intent, false);
}

sdk::Result<sdk::ClientOrderId> Kernel::submit_order(std::size_t si, const sdk::OrderIntent& intent, bool liquidation) {
  StrategySlot& s = strategies_[si];
  BrokerSlot& b = brokers_[s.broker];
  if (s.starting)
    return sdk::Status(sdk::StatusCode::InvalidArgument, "orders cannot be submitted from on_start (no market data yet)");
  // Not even the kernel's own liquidation goes out before reconciliation or without a working journal.
  if (reconciling_) return sdk::Status(sdk::StatusCode::Rejected, "not sent: the start-up reconciliation is not finished");
  if (warming_up_) {
    ++stats_.warmup_orders_refused;
    return sdk::Status(sdk::StatusCode::Rejected, "not sent: warm-up on history (orders are accepted from the first live bar)");
  }
  if (journal_ && journal_->failed()) return sdk::Status(sdk::StatusCode::Rejected, "not sent: the journal is unavailable");
  const sdk::ClientOrderId id = tracker_.next_id(si, s.id);
  const OrderSymbol symbol = order_symbol(s, intent.symbol);
  RiskRequest request{intent, id, s.id, si, s.broker, s.enabled, b.available && b.started, clock_->now(), symbol.exposure};
  request.liquidation = liquidation;
  // Only subscribe() adds listeners, once the symbol's text passed: a feed with one vouches.
  request.symbol_text_checked = symbol.feed != nullptr && !symbol.feed->listeners.empty();
  const RiskDecision decision = risk_gate_.check(request);
  if (!decision.approved) {
    ++stats_.orders_denied;
    if (journal_) {
      try {
        journal_->record_denial({clock_->now(), s.id, b.id, id, intent, false, decision.reason, decision.message});
      } catch (const JournalError& e) {
        journal_failure(e.what());
      }
    }
    bus_.publish(OrderDenied{s.id, intent, decision.reason, decision.message, clock_->now()});
    return sdk::Status(sdk::StatusCode::Rejected, decision.reason + ": " + decision.message);
  }
  crash_.hit("before_intent_write");
  if (journal_) {
    // Write-ahead: the intent and its approval are on disk before the broker hears of the order.
    try {
      journal_->record_intent({clock_->now(), s.id, b.id, id, intent, true, "", liquidation ? "approved (liquidation)" : "approved"},
                              {id, static_cast<std::int64_t>(tracker_.last_sequence(s.id)), s.id, b.id, intent, liquidation, clock_->now()});
    } catch (const JournalError& e) {
      journal_failure(e.what());
      return sdk::Status(sdk::StatusCode::Rejected, std::string("not sent: ") + e.what());
    }
    crash_.hit("after_intent_write");
  }
  // The order's record is made ready here, where anything may still fail; it is filed once the
  // order is sent, so the send is not kept waiting for the bookkeeping. Nothing reads the tracker
  // in between: the broker only posts into the inbox, and a plugin that throws is handled after.
  TrackedOrder order;
  order.id = id;
  order.strategy_index = si;
  order.broker_index = s.broker;
  order.intent = intent;
  order.submitted_at = clock_->now();
  order.liquidation = liquidation;
  if (intent.limit_price) order.reserved_price = *intent.limit_price;
  else if (intent.stop_price) order.reserved_price = *intent.stop_price;
  else if (decision.reference_price) order.reserved_price = *decision.reference_price;
  else if (symbol.exposure.reference) order.reserved_price = symbol.exposure.reference->price;
  // No feed: no bar of the symbol here yet (only a liquidation or a run without limits).
  const OrderTracker::OpenEntries entries =
      symbol.feed ? symbol.feed->strategy_orders[s.position_at_broker]
                  : tracker_.open_entries(si, s.broker, intent.symbol);
  tracker_.reserve_add(order, entries);

  sdk::Status status;
  std::string fault;
  const bool ok = call_guarded([&](std::string_view, const std::string& msg) { fault = msg; },
                               "submit", [&] { status = b.broker->submit(*decision.approved); });
  tracker_.add(std::move(order), entries);  // cannot fail after reserve_add
  ++stats_.orders_submitted;
  // Reported only now that the order is on record; the in-doubt handling below runs regardless.
  if (!ok)
    report_fault(
        [&](std::string_view op, const std::string& msg) { broker_fault(s.broker, op, msg); },
        "submit", fault);
  crash_.hit("after_send");
  if (journal_) {
    try {
      if (!ok || status.code() == sdk::StatusCode::Unknown)
        journal_->set_intent_status(id, IntentStatus::Unknown, clock_->now(), ok ? status.message() : "the broker plugin threw");
      else if (status.is_ok())
        journal_->set_intent_status(id, IntentStatus::Sent, clock_->now(), "", false);
    } catch (const JournalError& e) {
      journal_failure(e.what());
    }
  }
  if (!ok || status.code() == sdk::StatusCode::Unknown) {
    // The order may or may not have reached the venue: it stays open (in doubt) and is looked up by its
    // client order id; only a confirmed absence allows sending it again, once, with the same id.
    in_doubt_.push_back({id, std::nullopt, false, false, *decision.approved});
    log_.error("Order outcome unknown: " + id.str() + " to " + b.id + " stays open in doubt, resolved by looking it up, never resent blindly");
    alert(sdk::Severity::Critical, "Order outcome unknown",
          id.str() + " to " + b.id + ": " + (ok ? status.message() : std::string("the broker plugin threw")),
          {{"client_order_id", id.str()}, {"broker", b.id}});
  } else if (!status.is_ok()) {
    // Refused: report it the same way a venue rejection arrives. Only a Rejected status is the
    // venue's answer; any other refusal never reached it (the rejection breaker does not count it).
    if (status.code() != sdk::StatusCode::Rejected) refused_before_venue_.push_back(id);
    sdk::OrderEvent rejected;
    rejected.type = sdk::OrderEventType::Rejected;
    rejected.client_order_id = id;
    rejected.symbol = intent.symbol;
    rejected.side = intent.side;
    rejected.ts = clock_->now();
    rejected.reason = status.message();
    b.sink->on_order_event(rejected);
  }
  // Built only for a listener (none of the kernel's own components is one): two strings and an
  // intent copied per order for nobody.
  if (bus_.subscriber_count<OrderSubmitted>() > 0) bus_.publish(OrderSubmitted{id, s.id, b.id, intent, clock_->now()});
  return id;
}

sdk::Status Kernel::cancel(std::size_t si, const sdk::ClientOrderId& id) {
  // A strategy still running during a flatten (the breaker's, the failsafe's, an operator's global
  // one) must not undo it: each cancel would cost the flatten one of its closing orders. (One left
  // working after the flatten ended is the strategy's to cancel.)
  const TrackedOrder* order = tracker_.find(id);
  if (order != nullptr && order->strategy_index == si && order->liquidation &&
      !is_final(order->state) && is_flatten_order(*order))
    return {sdk::StatusCode::Rejected,
            "order " + id.str() + " is the kernel's own closing order: only the kernel cancels it"};
  return cancel_order(si, id);
}

sdk::Status Kernel::cancel_order(std::size_t si, const sdk::ClientOrderId& id) {
  const TrackedOrder* order = tracker_.find(id);
  if (!order || order->strategy_index != si)
    return {sdk::StatusCode::NotFound, "no order " + id.str() + " of strategy " + strategies_[si].id};
  if (is_final(order->state)) return {sdk::StatusCode::Rejected, "order " + id.str() + " is already " + std::string(to_string(order->state))};
  const bool acknowledged = order->state != OrderState::Submitted;
  const std::size_t bi = order->broker_index;
  BrokerSlot& b = brokers_[bi];
  sdk::Status status(sdk::StatusCode::Unavailable, "broker " + b.id + " is not available");
  if (b.available && b.started)
    call_guarded([&](std::string_view op, const std::string& msg) { broker_fault(bi, op, msg); },
                 "cancel", [&] { status = b.broker->cancel(id); });
  // Not acknowledged yet (perhaps in doubt): the venue may not know it now. Such an order is never
  // sent again (resolve_in_doubt), and a cancel it refused is asked again once the broker
  // acknowledges the order (ask_cancel_again_after_ack).
  if (!acknowledged) {
    auto it = find_cancel_before_ack(id);
    if (it == cancels_before_ack_.end()) it = cancels_before_ack_.insert(it, {id, false});
    if (!status.is_ok()) it->refused = true;
  }
  return status;
}

std::vector<Kernel::CancelBeforeAck>::iterator Kernel::find_cancel_before_ack(
    const sdk::ClientOrderId& id) {
  return std::find_if(cancels_before_ack_.begin(), cancels_before_ack_.end(),
                      [&](const CancelBeforeAck& c) { return c.id == id; });
}

void Kernel::ask_cancel_again_after_ack(std::size_t si, const sdk::ClientOrderId& id) {
  const auto it = find_cancel_before_ack(id);
  if (it == cancels_before_ack_.end()) return;
  const bool refused = it->refused;
  cancels_before_ack_.erase(it);
  if (!refused) return;
  log_.warn("order " + id.str() +
            " was asked to cancel before the broker acknowledged it, which refused: asked again");
  if (const sdk::Status st = cancel_order(si, id); !st.is_ok())
    log_.error("could not cancel " + id.str() + ": " + st.message());
}

sdk::Position Kernel::position(std::size_t si, const sdk::Symbol& symbol) const {
  return strategies_[si].book.position(symbol);
}
std::vector<sdk::Position> Kernel::positions(std::size_t si) const { return strategies_[si].book.open_positions(); }
sdk::AccountSnapshot Kernel::account(std::size_t si) const {
  const Ledger& a = brokers_[strategies_[si].broker].account;
  return {a.cash(), a.equity(), a.cash(), clock_->now()};
}
std::size_t Kernel::open_order_count(std::size_t si, const sdk::Symbol& symbol) const {
  return tracker_.open_count(si, symbol);
}

// ---------------------------------------------------------------- risk

void Kernel::build_risk_gate() {
  std::vector<EffectiveLimits> venues;
  for (auto& b : brokers_) {
    venues.push_back(combine(config_.risk.limits,
                             b.entry && b.entry->risk ? &*b.entry->risk : nullptr, nullptr));
    b.calendar = make_calendar(venues.back().calendar);
  }
  std::vector<EffectiveLimits> limits;
  std::vector<std::size_t> broker_of;
  for (const auto& s : strategies_) {
    const PluginEntry* broker_entry = brokers_[s.broker].entry;
    limits.push_back(combine(config_.risk.limits, broker_entry && broker_entry->risk ? &*broker_entry->risk : nullptr,
                             s.entry && s.entry->risk ? &*s.entry->risk : nullptr));
    broker_of.push_back(s.broker);
  }
  risk_gate_ = RiskGate(config_.risk, std::move(limits), std::move(broker_of), std::move(venues),
                        static_cast<const RiskView*>(this));
}

Kernel::OrderSymbol Kernel::order_symbol(const StrategySlot& strategy, const sdk::Symbol& symbol) const {
  const std::size_t broker = strategy.broker;
  const BrokerSlot& b = brokers_[broker];
  const auto bound = [&](const BrokerSlot::SymbolFeed& feed) -> OrderSymbol {
    return {{b.account.quantity(*feed.account_book), *feed.open, feed.reference}, &feed};
  };
  // A strategy nearly always orders the symbol whose bar it is handling: that feed is at hand.
  const BrokerSlot::SymbolFeed* at_hand = strategy.bar_feed;
  if (at_hand && at_hand->open && at_hand->symbol == symbol) return bound(*at_hand);
  const auto it = b.feeds.find(symbol);
  if (it != b.feeds.end() && it->second.open) return bound(it->second);  // bound at the symbol's first bar
  // A symbol without bars here yet (no reference price: only a liquidation gets past the gate).
  return {{b.account.quantity(symbol), tracker_.open_quantities(broker, symbol),
           it == b.feeds.end() ? std::nullopt : it->second.reference},
          nullptr};
}

AccountExposure Kernel::exposure(std::size_t broker) const {
  const Ledger& a = brokers_[broker].account;
  AccountExposure x;
  x.cash = a.cash();
  // Called for every order: the ledger keeps its sums as fills and marks change them (no walk
  // over the books), and the union of held symbols and symbols with open orders is counted
  // without building a set (no allocation on the order path).
  x.equity = a.equity();
  x.gross_position_notional = a.gross_positions_value();
  x.positions = a.open_position_count();
  const OpenOrderTotals open = tracker_.open_totals(broker);
  x.open_orders = open.count;
  x.open_order_notional = open.notional;
  x.open_buy_notional = open.buy_notional;
  x.unpriced_open_orders = open.unpriced;
  tracker_.for_each_symbol_with_open_orders(broker, [&](const sdk::Symbol& s) {
    if (a.quantity(s).is_zero()) ++x.positions;
  });
  return x;
}

void Kernel::on_state_change(const StateChange& change) {
  const std::string text = "trading state " + std::string(to_string(change.from)) + " -> " + std::string(to_string(change.to)) +
                           ": " + change.reason;
  log_.error(text);
  if (journal_ && !journal_->failed()) {
    try {
      journal_->record_state_change(clock_->now(), to_string(change.from), to_string(change.to), change.reason);
    } catch (const JournalError& e) {
      journal_failure(e.what());
    }
  }
  alert(change.to == TradingState::Halted ? sdk::Severity::Critical : sdk::Severity::Warning,
        "Trading state " + std::string(to_string(change.to)), text,
        {{"from", std::string(to_string(change.from))}, {"to", std::string(to_string(change.to))}});
  if (risk_gate_.take_changed()) persist_state();
  if (!change.action) return;
  switch (*change.action) {
    case DrawdownAction::Hold: break;
    case DrawdownAction::CancelOpenOrders: cancel_all_open_orders(change.reason); break;
    case DrawdownAction::Flatten:
      flatten_all(change.reason);
      cancel_all_open_orders(change.reason);  // after: not a closing order the flatten takes up
      break;
  }
}

void Kernel::cancel_open_orders(const std::function<bool(const TrackedOrder&)>& which, const std::string& why) {
  for (const TrackedOrder* o : tracker_.open_orders()) {
    // Never a flatten's own closing order: each cancel would cost it one of its attempts.
    if (!which(*o) || is_flatten_order(*o)) continue;
    const sdk::ClientOrderId id = o->id;  // copy: cancel() may post events that change the tracker
    const sdk::Status status = cancel_order(o->strategy_index, id);
    if (!status.is_ok()) log_.error("could not cancel " + id.str() + " (" + why + "): " + status.message());
  }
}

void Kernel::cancel_all_open_orders(const std::string& why) {
  cancel_open_orders([](const TrackedOrder&) { return true; }, why);
}

void Kernel::hold_strategies(const std::vector<std::size_t>& selected, const std::string& why,
                             bool flattening) {
  for (std::size_t si : selected) {
    strategies_[si].enabled = false;
    strategies_[si].held_by_operator = why;
    // As any stopped strategy: what could add to its positions is cancelled, its stops stay (a
    // halt must not leave its positions unprotected). A flatten cancels them all itself.
    stop_managing(si);
    alert(sdk::Severity::Warning, "Strategy held: " + strategies_[si].id,
          why + (flattening ? "; its orders are cancelled and its positions closed"
                            : "; its orders that could add to its positions are cancelled, those "
                              "that only reduce them kept (the log names them)"),
          {{"strategy", strategies_[si].id}});
  }
}

// ---------------------------------------------------------------- durable state and operator commands

void Kernel::open_state_store() {
  state_store_.emplace(config_.kernel.state_dir);
  state_store_->prepare();  // throws: no durable state, no trading
  state_dir_lock_.emplace(config_.kernel.state_dir);  // throws: another process trades on it
  auto saved = state_store_->load();
  no_saved_state_ = !saved;
  if (saved) {
    risk_gate_.restore(*saved);
    for (const auto& [id, why] : saved->disabled_strategies) {
      auto it = std::find_if(strategies_.begin(), strategies_.end(), [&](const StrategySlot& s) { return s.id == id; });
      if (it == strategies_.end()) {
        log_.warn("saved state disables strategy " + id + ", which is not configured");
        continue;
      }
      it->enabled = false;
      it->held_by_operator = why;
      // Its orders are reviewed again: a cancel asked before the stop may have been lost.
      stop_managing(static_cast<std::size_t>(it - strategies_.begin()));
    }
    // An operator's HALT (the kill switch) restored: its cancels may have been lost with the
    // process (a crash before they went, a broker down then), so every running strategy's orders
    // that could add to its positions are judged again, as when it was given.
    if (saved->kill_switch && saved->state == "HALTED") engage_kill_switch();
    saved_flattens_ = saved->flattening_strategies;
    saved_emergencies_ = saved->pending_emergencies;
    log_.warn("restored trading state " + saved->state + " (" + saved->reason + ") from " + state_store_->state_file().string());
    if (saved->state != "ACTIVE")
      alert(sdk::Severity::Critical, "Starting in " + saved->state, "restored from " + state_store_->state_file().string() + ": " +
                                                                     saved->reason + "; only an operator can resume");
  }
  // With a journal, commands wait until the brokers are reconciled (an acknowledgement needs the diff).
  if (!reconciling_) apply_operator_commands();
  persist_state();
}

void Kernel::engage_kill_switch() {
  // The kill switch stops what is working too: every strategy's orders that could add to its
  // positions are cancelled, those that only reduce them kept (as for a scoped halt; a strategy
  // the kernel stopped already has its review). The strategies stay enabled.
  kill_switch_ = true;
  for (std::size_t si = 0; si < strategies_.size(); ++si)
    if (!strategies_[si].unmanaged) {
      stop_managing(si);
      strategies_[si].unmanaged->kill_switch = true;
    }
}

bool Kernel::persist_state() {
  // While reconciling, the HALT is the start-up's, not a state to survive a restart.
  if (!state_store_ || reconciling_) return true;
  PersistedRiskState s = risk_gate_.snapshot();
  s.since = clock_->now();
  s.kill_switch = kill_switch_ && risk_gate_.state() == TradingState::Halted;
  for (const auto& strategy : strategies_) {
    if (!strategy.held_by_operator.empty()) s.disabled_strategies[strategy.id] = strategy.held_by_operator;
    if (strategy.flattening) s.flattening_strategies[strategy.id] = strategy.flattening->why;
  }
  for (const auto& b : brokers_)
    if (b.pending_emergency) s.pending_emergencies[b.id] = *b.pending_emergency;
  // Those saved by the last run and not taken up yet (start-up) stay saved.
  s.flattening_strategies.insert(saved_flattens_.begin(), saved_flattens_.end());
  s.pending_emergencies.insert(saved_emergencies_.begin(), saved_emergencies_.end());
  const std::string error = state_store_->save(s);
  if (error.empty()) {
    // Saved now: the state holds what the commands whose save failed did, or what came after
    // them. Replayed at a restart, one could undo a later decision (a resume after a halt).
    for (const OperatorCommand& c : std::exchange(unsaved_commands_, {})) take_off_queue(c);
    return true;
  }
  // Without a durable record a restart could forget a tripped breaker: stop trading instead.
  log_.error("cannot persist the trading state: " + error);
  if (auto change = risk_gate_.set_state(TradingState::Halted, "cannot persist the trading state: " + error)) {
    risk_gate_.take_changed();
    alert(sdk::Severity::Critical, "Trading state HALTED", change->reason);
  }
  return false;
}

void Kernel::apply_operator_commands() {
  if (!state_store_) return;
  // While reconciling only an acknowledgement is taken; the others stay queued (on disk) until after.
  const CommandQueue queue = state_store_->queued_commands(reconciling_ ? "acknowledge" : "");
  if (!queue.error.empty()) {
    // Fail closed: a halt may be waiting in a queue the kernel cannot read (the directory
    // removed, replaced or made unreadable). Commands are taken again once it can.
    if (queue.error != command_queue_error_) {
      alert(sdk::Severity::Critical, "Operator commands unreadable",
            queue.error + "; trading is HALTED (a halt may be queued): repair it and resume");
      halt_trading(queue.error);
    }
    command_queue_error_ = queue.error;
    return;
  }
  if (!command_queue_error_.empty()) {
    log_.warn("the operator command queue can be listed again (" + command_queue_error_ + ")");
    command_queue_error_.clear();
  }
  for (const OperatorCommand& c : queue.commands) {
    if (applied_commands_.count(c.file)) continue;  // applied, but its file could not be removed
    // An acknowledgement leaves the queue before it is applied: replayed after a crash, it would
    // approve differences of a later reconciliation that nobody has seen.
    if (c.action == "acknowledge" && !take_off_queue(c)) continue;
    std::string result = "done";
    const std::string who = "operator " + c.by + ": " + c.reason;
    // Scope: one strategy, every strategy of one broker, or (neither given) the whole deployment.
    std::vector<std::size_t> selected;
    const bool scoped = !c.strategy.empty() || !c.broker.empty();
    for (std::size_t si = 0; si < strategies_.size(); ++si)
      if ((!c.strategy.empty() && strategies_[si].id == c.strategy) ||
          (!c.broker.empty() && brokers_[strategies_[si].broker].id == c.broker))
        selected.push_back(si);
    const bool known_action = c.action == "halt" || c.action == "resume" || c.action == "flatten" || c.action == "enable-strategy";
    if (c.action == "acknowledge") {
      if (reconciliation_mismatches_.empty()) {
        result = "nothing to acknowledge";
      } else {
        acknowledge_reconciliation(who);
        if (!acknowledged_)
          result = "not applied to " + std::to_string(reconciliation_mismatches_.size()) +
                   " broker(s): see the log (the next acknowledgement takes them)";
      }
    } else if (known_action && (scoped || c.action == "enable-strategy") && selected.empty()) {
      result = c.strategy.empty() ? "no strategy trades on broker " + c.broker : "no strategy " + c.strategy;
    } else if (c.action == "halt" && scoped) {
      hold_strategies(selected, who);
    } else if (c.action == "halt") {
      if (auto change = risk_gate_.set_state(TradingState::Halted, who)) on_state_change(*change);
      else result = "already HALTED";
      // Saved: a restart judges the orders again (a HALTED already there, a breaker's, keeps its
      // reason, so the reason cannot tell).
      engage_kill_switch();
    } else if (c.action == "flatten" && scoped) {
      hold_strategies(selected, who, true);
      flatten_strategies(selected, who, true);
      // The flatten closes a position once no order of its strategy works in it: the others are
      // cancelled now (the hold's review, which would keep the stops, waits for the flatten).
      // After the flatten began, so that its own closing orders (one still working from an
      // earlier flatten, which it takes up) are not among them.
      cancel_open_orders(
          [&](const TrackedOrder& o) {
            return std::find(selected.begin(), selected.end(), o.strategy_index) != selected.end();
          },
          who);
    } else if (c.action == "flatten") {
      if (auto change = risk_gate_.set_state(TradingState::Halted, who)) on_state_change(*change);
      flatten_all(who, true);
      cancel_all_open_orders(who);  // after: not a closing order the flatten takes up
    } else if (c.action == "resume" && !scoped && halt_at_start_up_ &&
               c.at < halt_at_start_up_->at) {
      result = "not applied: given before trading was HALTED at start-up (" +
               halt_at_start_up_->reason + "); resume again to lift that";
      alert(sdk::Severity::Warning, "Resume not applied", who + ": " + result);
    } else if (c.action == "resume" && !scoped) {
      if (auto change = risk_gate_.resume(who)) {
        kill_switch_ = false;
        on_state_change(*change);
        // Trading again: the failsafe's emergency procedures and the flattens end (strategies an
        // operator holds keep theirs: only their own resume ends it).
        for (auto& b : brokers_) {
          b.pending_emergency.reset();
          b.heartbeat_failures = 0;  // a broker still down trips the failsafe again
        }
        for (std::size_t si = 0; si < strategies_.size(); ++si) {
          if (strategies_[si].held_by_operator.empty()) stop_flattening(si, "resumed by " + who);
          auto& u = strategies_[si].unmanaged;
          if (u && u->kill_switch) u.reset();  // its strategy manages its orders again
        }
      } else {
        result = "already ACTIVE";
      }
    } else if (c.action == "enable-strategy" || c.action == "resume") {
      for (std::size_t si : selected) {
        // Not a flatten of the HALTED state's (the breaker's, the failsafe's): only a resume of
        // trading ends those.
        if (risk_gate_.state() != TradingState::Halted) stop_flattening(si, "re-enabled by " + who);
        strategies_[si].enabled = true;
        strategies_[si].held_by_operator.clear();
        strategies_[si].unmanaged.reset();
        strategies_[si].recent_fills.clear();
        strategies_[si].rejections_in_a_row.clear();
        alert(sdk::Severity::Warning, "Strategy re-enabled", strategies_[si].id + " by " + who);
      }
    } else {
      // Fail closed: a command that cannot be read (another user's file it may not open, a
      // half-written edit) or is none the kernel knows may have been a halt.
      const std::string problem =
          c.action == "invalid" ? c.reason : "no such action \"" + c.action + "\"";
      result = "refused: " + problem + "; trading HALTED";
      alert(sdk::Severity::Critical, "Invalid operator command",
            c.file.string() + ": " + problem +
                "; trading is HALTED (it may have been a halt): check the queue and resume");
      halt_trading("invalid operator command " + c.file.filename().string() + ": " + problem);
    }
    const std::string line = WallClock().now().to_iso8601() + " action=" + c.action + " by=" + c.by +
                             (c.strategy.empty() ? "" : " strategy=" + c.strategy) +
                             (c.broker.empty() ? "" : " broker=" + c.broker) + " reason=\"" + c.reason +
                             "\" result=\"" + result + "\"";
    log_.warn("operator command: " + line);
    if (auto err = state_store_->audit(line); !err.empty()) log_.error(err);
    if (journal_ && !journal_->failed()) {
      try {
        journal_->record_operator_action(WallClock().now(), c.by, c.action,
                                         c.strategy.empty() ? (c.broker.empty() ? "all" : "broker " + c.broker) : "strategy " + c.strategy,
                                         c.reason, result);
      } catch (const JournalError& e) {
        journal_failure(e.what());
      }
    }
    // Off the queue only once its effect is saved: a crash before, or a save that failed (a halt
    // not saved would be gone after a restart), leaves it to the next start. Not applied again
    // in this process (a resume would undo each later HALT).
    if (!persist_state()) {
      applied_commands_.insert(c.file);
      if (c.action != "acknowledge") unsaved_commands_.push_back(c);
      continue;
    }
    if (c.action != "acknowledge") take_off_queue(c);
  }
}

bool Kernel::take_off_queue(const OperatorCommand& c) {
  const std::string error = state_store_->remove_command(c);
  if (error.empty()) return true;
  // Applied again on every turn, a resume would undo each later HALT: never twice in this process,
  // and no trading until an operator has fixed the queue's permissions.
  applied_commands_.insert(c.file);
  log_.error(error);
  alert(sdk::Severity::Critical, "Operator command queue", error + "; trading HALTED");
  halt_trading(error);
  return false;
}

// ---------------------------------------------------------------- failsafe

void Kernel::run_heartbeats() {
  resolve_in_doubt();
  retry_flatten_cancels();
  advance_flattens();
  retry_unmanaged_cancels();
  // Changes are saved as they happen; the latest equity (the next day's start after a restart) at
  // least this often. (It was saved on every turn of the loop: two fsyncs before each bar.)
  persist_state();
  if (journal_ && !journal_->failed()) {
    try {
      journal_->flush();  // batched rows (equity, denials, order events) reach the disk at least this often
    } catch (const JournalError& e) {
      journal_failure(e.what());
    }
  }
  for (std::size_t i = 0; i < brokers_.size(); ++i) {
    BrokerSlot& b = brokers_[i];
    // A data-only broker has no account to probe; a silent feed is caught by the stale-data watch.
    if (!b.started || !b.available || b.data_only) continue;
    std::optional<sdk::Result<sdk::AccountSnapshot>> probe;
    call_guarded([&](std::string_view op, const std::string& msg) { log_.error("broker " + b.id + " " + std::string(op) + " " + msg); },
                 "account", [&] { probe.emplace(b.broker->account()); });
    const bool ok = probe && probe->has_value();
    if (!ok) {
      ++b.heartbeat_failures;
      const std::string why = probe ? probe->status().message() : std::string("it threw");
      log_.warn("heartbeat to broker " + b.id + " failed (" + std::to_string(b.heartbeat_failures) + " of " +
                std::to_string(config_.failsafe.max_failures) + "): " + why);
      if (b.heartbeat_failures == config_.failsafe.max_failures) {
        const std::string reason = "broker " + b.id + " missed " + std::to_string(b.heartbeat_failures) + " heartbeats (" + why + ")";
        halt_trading(reason);
        if (config_.failsafe.emergency_action != DrawdownAction::Hold)
          set_pending_emergency(i, config_.failsafe.emergency_action);
        alert(sdk::Severity::Critical, "Broker unreachable: " + b.id,
              reason + "; emergency procedure \"" + std::string(to_string(config_.failsafe.emergency_action)) +
                  "\" runs once it answers again", {{"broker", b.id}});
      }
      continue;
    }
    if (b.heartbeat_failures >= config_.failsafe.max_failures) log_.warn("broker " + b.id + " answers again");
    b.heartbeat_failures = 0;
    // The emergency procedure is retried at every heartbeat until the broker confirms it.
    if (b.pending_emergency && run_emergency(i, *b.pending_emergency)) {
      alert(sdk::Severity::Critical, "Emergency procedure confirmed at " + b.id,
            std::string(to_string(*b.pending_emergency)) + " done; trading stays HALTED until an operator resumes", {{"broker", b.id}});
      log_.warn("emergency procedure at broker " + b.id + " confirmed");
      set_pending_emergency(i, std::nullopt);
    }
  }
}

void Kernel::check_stale_data() {
  // A subscribed symbol without a bar for longer than max_data_gap_ms while its market is open
  // means the feed is broken: trade only towards flat until fresh data returns.
  const auto now = std::chrono::steady_clock::now();
  const auto gap = std::chrono::milliseconds(config_.failsafe.max_data_gap_ms);
  std::string stale;
  // A saved "stale data" REDUCING ends only on evidence: every symbol watched (at least one) has
  // had a bar in this process.
  std::size_t watched = 0;
  bool all_fed = true;
  for (auto& b : brokers_) {
    if (!b.started || b.data_ended) continue;
    bool open = true;
    try {
      open = !b.calendar || b.calendar->is_open(clock_->now());
    } catch (const std::exception&) {
      open = true;  // the calendar cannot tell: watch the feed anyway
    }
    if (!open) continue;
    for (const auto& symbol : b.symbols) {
      auto& feed = b.feeds[symbol];
      if (!feed.arrival) feed.arrival = now;  // the watch starts with the feed
      if (b.held_only.count(symbol) != 0) {
        // Only held: a holding that trades rarely must not stop the strategies, but its mark
        // going old is said, once a silence.
        // (Flat now, or held only through an order or two books that offset: nothing to say.)
        const bool silent = now - *feed.arrival > gap && !b.account.quantity(symbol).is_zero();
        if (silent && !feed.silence_alerted) {
          const std::string what = "no bar of " + symbol.str() + " (held, no strategy) from " +
                                   b.id + " for over " +
                                   std::to_string(config_.failsafe.max_data_gap_ms) +
                                   " ms while the market is open: it stays valued at " +
                                   b.account.position(symbol).market_price.to_string();
          log_.warn(what);
          alert(sdk::Severity::Warning, "Held position not marked lately: " + symbol.str(), what,
                {{"broker", b.id}, {"symbol", symbol.str()}});
        }
        feed.silence_alerted = silent;
        continue;
      }
      if (now - *feed.arrival > gap) stale = symbol.str() + " from " + b.id;
      ++watched;
      if (!feed.bar_arrived) all_fed = false;
    }
  }
  if (!stale.empty() && risk_gate_.state() == TradingState::Active) {
    if (auto change = risk_gate_.set_state(TradingState::Reducing, "stale market data: no bar of " + stale + " for over " +
                                                                     std::to_string(config_.failsafe.max_data_gap_ms) +
                                                                     " ms while the market is open"))
      on_state_change(*change);
  } else if (stale.empty() && watched > 0 && all_fed &&
             risk_gate_.state() == TradingState::Reducing &&
             risk_gate_.state_reason().rfind("stale market data", 0) == 0) {
    // Only a REDUCING that stale data caused ends here (not one from the daily-loss breaker), also
    // one saved before a restart, once bars flow: the state's reason says which, not this process.
    if (auto change = risk_gate_.set_state(TradingState::Active, "market data is fresh again"))
      on_state_change(*change);
  }
}

void Kernel::set_pending_emergency(std::size_t bi, std::optional<DrawdownAction> action) {
  brokers_[bi].pending_emergency = action;
  persist_state();  // a restart runs it still (resume_saved_procedures)
}

bool Kernel::run_emergency(std::size_t bi, DrawdownAction action) {
  BrokerSlot& b = brokers_[bi];
  const std::string why = "failsafe emergency procedure at " + b.id;
  cancel_open_orders([bi](const TrackedOrder& o) { return o.broker_index == bi; }, why);
  settle();
  if (action == DrawdownAction::Flatten) {
    flatten_strategies(b.strategies, why);
    settle();
  }
  // Confirmed when the broker itself reports no open orders (and, for flatten, no positions).
  std::optional<sdk::Result<std::vector<sdk::OrderStatusReport>>> open;
  call_guarded([&](std::string_view, const std::string&) {}, "open_orders", [&] { open.emplace(b.broker->open_orders()); });
  if (!open || !open->has_value()) return false;
  bool confirmed = action == DrawdownAction::Flatten ? false : (*open)->empty();
  if (action == DrawdownAction::Flatten) {
    std::optional<sdk::Result<std::vector<sdk::Position>>> positions;
    call_guarded([&](std::string_view, const std::string&) {}, "positions", [&] { positions.emplace(b.broker->positions()); });
    confirmed = positions && positions->has_value() && (*positions)->empty() && (*open)->empty();
  }
  return confirmed;
}

// ---------------------------------------------------------------- faults

void Kernel::broker_fault(std::size_t bi, std::string_view operation, const std::string& message) {
  BrokerSlot& b = brokers_[bi];
  b.available = false;  // fail closed: nothing more is sent to it
  // A data broker's fault is the loss of its clients' market data: say so in the alert.
  const std::string lost = b.data_clients.empty() ? std::string() : " (market data of " + data_clients_text(bi) + " lost)";
  bus_.publish(PluginFaulted{b.id, std::string(operation), message + lost, clock_->now()});
  // A broker whose plugin failed may have orders in an unknown state: no new orders anywhere.
  halt_trading("broker " + b.id + " faulted in " + std::string(operation) + ": " + message + lost);
}

void Kernel::halt_trading(const std::string& reason) {
  if (reconciling_) {
    if (!halt_at_start_up_) halt_at_start_up_ = StartUpHalt{reason, WallClock().now()};
    log_.error("trading stays HALTED after the start-up reconciliation: " + reason);
    return;
  }
  if (auto change = risk_gate_.set_state(TradingState::Halted, reason)) {
    on_state_change(*change);
  } else if (reason != risk_gate_.state_reason()) {
    log_.warn("trading already HALTED (" + risk_gate_.state_reason() + "); also: " + reason);
  }
}

void Kernel::broker_anomaly(std::size_t bi, const sdk::Symbol& symbol, const std::string& message) {
  const std::string why = "broker " + brokers_[bi].id + " reported what it cannot interpret for " + symbol.str() + ": " + message;
  log_.warn(why);
  alert(sdk::Severity::Critical, "Broker anomaly", why,
        {{"broker", brokers_[bi].id}, {"symbol", symbol.str()}});
  // The start-up's HALTED gives way to the saved state once reconciled: applied then.
  if (reconciling_) {
    if (!anomaly_at_start_up_) anomaly_at_start_up_ = why;
    return;
  }
  reduce_for_operator(why);
}

void Kernel::reduce_for_operator(const std::string& why) {
  // Fail towards safety: no new exposure until an operator has looked (resume lifts it). A
  // REDUCING that would end by itself (the next day; fresh data) is held for the operator too.
  if (risk_gate_.state() == TradingState::Active) {
    if (auto change = risk_gate_.set_state(TradingState::Reducing, why)) on_state_change(*change);
  } else if (auto held = risk_gate_.hold_reducing(why + "; held for an operator")) {
    on_state_change(*held);
  }
}

void Kernel::strategy_fault(std::size_t si, std::string_view operation, const std::string& message) {
  StrategySlot& s = strategies_[si];
  s.enabled = false;  // a strategy that threw is not called again in this run
  // Its orders are seen to while it trades; a failed start stops the process before any trade,
  // and at on_stop the run ends: the orders stay for the next start, as every strategy's do.
  const bool trading = !s.starting && operation != "on_stop";
  if (trading) stop_managing(si);
  bus_.publish(PluginFaulted{
      s.id, std::string(operation),
      message + (trading ? " (strategy disabled; its orders that could add to its positions are "
                           "cancelled, those that only reduce them kept)"
                         : " (strategy disabled)"),
      clock_->now()});
}

}  // namespace mercurio::kernel
