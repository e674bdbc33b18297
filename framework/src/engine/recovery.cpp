// Start-up recovery: the journal is replayed into the ledgers and the order tracker, then every
// broker is asked what it really holds (fills since the last one recorded, every order still in
// flight, open orders, positions, cash). Trading stays HALTED until each broker agrees with the
// journal, or an operator has acknowledged the differences. Strategies start only afterwards.

#include <Poco/DigestStream.h>
#include <Poco/SHA2Engine.h>

#include <algorithm>
#include <fstream>
#include <iterator>
#include <map>
#include <set>
#include <sstream>
#include <thread>

#include "engine/kernel.hpp"
#include "exec/fill_coverage.hpp"
#include "plugin/plugin_guard.hpp"

namespace mercurio::kernel {

namespace {

// SHA-256 of a file's bytes, hex; "unreadable" when it cannot be read (recorded, not fatal).
std::string file_sha256(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return "unreadable";
  Poco::SHA2Engine sha(Poco::SHA2Engine::SHA_256);
  Poco::DigestOutputStream out(sha);
  out << in.rdbuf();
  out.flush();
  return Poco::DigestEngine::digestToHex(sha.digest());
}

OrderState order_state_of(IntentStatus s) {
  switch (s) {
    case IntentStatus::Accepted: return OrderState::Accepted;
    case IntentStatus::PartiallyFilled: return OrderState::PartiallyFilled;
    case IntentStatus::Filled: return OrderState::Filled;
    case IntentStatus::Canceled: return OrderState::Canceled;
    case IntentStatus::Rejected:
    case IntentStatus::Failed: return OrderState::Rejected;
    case IntentStatus::Expired: return OrderState::Expired;
    case IntentStatus::Pending:
    case IntentStatus::Sent:
    case IntentStatus::Unknown: return OrderState::Submitted;
  }
  return OrderState::Submitted;
}

sdk::OrderEvent status_event(const TrackedOrder& o, sdk::OrderEventType type, sdk::Timestamp ts, std::string reason) {
  sdk::OrderEvent e;
  e.type = type;
  e.client_order_id = o.id;
  e.symbol = o.intent.symbol;
  e.side = o.intent.side;
  e.ts = ts;
  e.leaves_quantity = type == sdk::OrderEventType::Accepted ? o.remaining() : sdk::Decimal{};
  e.reason = std::move(reason);
  return e;
}

}  // namespace

void Kernel::journal_failure(const std::string& what) {
  log_.error(what);
  // No record, no order: nothing more is sent until an operator has fixed the storage and restarted.
  halt_trading("journal failure: " + what);
  alert(sdk::Severity::Critical, "Journal failure: trading HALTED", what, {{"journal", journal_ ? journal_->path().string() : ""}});
}

void Kernel::open_journal() {
  if (!config_.journal.path) return;
  const auto& path = *config_.journal.path;
  std::error_code ec;
  std::filesystem::create_directories(path.parent_path(), ec);
  if (mode_ == RunMode::Backtest) {
    // A backtest's journal belongs to that backtest: it starts empty. A deployment's journal (paper or
    // live runs in it) is never overwritten by a backtest.
    if (std::filesystem::exists(path)) {
      {
        auto existing = Journal::open(path);
        if (existing->has_runs_other_than("backtest"))
          throw KernelError("journal " + path.string() + " holds paper or live runs: a backtest does not overwrite a "
                            "deployment's journal; give the backtest its own [journal] path");
      }
      for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path.string() + suffix, ec);
    }
  } else if (std::filesystem::exists(path)) {
    // The reverse: a deployment replays its journal's fills into the strategies' books, so a
    // simulation's fills would become positions it believes it holds (and orders it would close).
    auto existing = Journal::open(path);
    if (existing->has_runs_of("backtest"))
      throw KernelError(
          "journal " + path.string() + " holds backtest runs: a " + std::string(to_string(mode_)) +
          " run does not trade on a simulation's journal; give it its own [journal] path");
    // Paper and live are different accounts: their balances, fills and tax lots must not mix
    // (a live sale would be matched against a paper lot, and a paper fill reported as money).
    const std::string_view other = mode_ == RunMode::Live ? "paper" : "live";
    if (existing->has_runs_of(other))
      throw KernelError("journal " + path.string() + " holds " + std::string(other) + " runs: a " +
                        std::string(to_string(mode_)) + " run does not share a journal with " +
                        std::string(other) + " trading; give it its own [journal] path");
  }
  try {
    // A backtest's journal is a record of a simulation: written the same way, without an fsync per order.
    journal_ = Journal::open(path, config_.journal.max_size_mb * 1024 * 1024, mode_ != RunMode::Backtest);
    RunStart run;
    run.mode = std::string(to_string(mode_));
    run.config_path = std::filesystem::absolute(config_.file).string();
    run.config_hash = file_sha256(config_.file);
    run.mercurio_version = MERCURIO_VERSION;
    run.started = WallClock().now();
    for (const auto& e : catalog_.entries()) {
      const auto& m = e.library->manifest();
      run.plugins.push_back({e.entry->id, m.name, m.version, e.library->path().string(), file_sha256(e.library->path())});
    }
    journal_->begin_run(run);
  } catch (const JournalError& e) {
    throw KernelError(e.what());
  }
  log_.info("journal " + path.string() + " open (run " + std::to_string(journal_->run_id()) + ")");
}

void Kernel::recover_from_journal() {
  if (!journal_ || mode_ == RunMode::Backtest) return;
  RecoveredJournal r;
  try {
    r = journal_->recover();
  } catch (const JournalError& e) {
    throw KernelError(e.what());
  }
  std::map<std::string, std::size_t> broker_of, strategy_of;
  for (std::size_t i = 0; i < brokers_.size(); ++i) broker_of[brokers_[i].id] = i;
  for (std::size_t i = 0; i < strategies_.size(); ++i) strategy_of[strategies_[i].id] = i;

  // Client order ids continue where the journal stops: an id is never used twice.
  for (const auto& [strategy, last] : r.last_sequence)
    tracker_.continue_sequence(strategy, static_cast<std::uint64_t>(last));

  // Accounts: the latest balance record (opening or acknowledged adjustment), then every later fill.
  std::map<std::string, std::int64_t> balance_after;
  for (const BalanceRecord& b : r.balances) {
    auto it = broker_of.find(b.broker);
    if (it == broker_of.end()) continue;
    Ledger ledger(b.cash);
    for (const auto& p : b.positions) ledger.add_opening_position(p.symbol, p.quantity, p.average_price, b.ts);
    brokers_[it->second].account = std::move(ledger);
    balance_after[b.broker] = b.after_event_id;
  }
  // A broker seen for the first time: what its account holds now is the opening balance.
  for (std::size_t i = 0; i < brokers_.size(); ++i) {
    BrokerSlot& b = brokers_[i];
    if (balance_after.count(b.id) || b.data_only) continue;  // a data-only broker holds no account
    std::optional<sdk::Result<std::vector<sdk::Position>>> positions;
    call_guarded([&](std::string_view o, const std::string& msg) { broker_fault(i, o, msg); }, "positions",
                 [&] { positions.emplace(b.broker->positions()); });
    if (!positions || !positions->has_value())
      throw KernelError("broker " + b.id + " did not report its positions for the opening balance: " +
                        (positions ? positions->status().message() : std::string("it threw")));
    // The venue's past fills are in these positions already: recorded as known with the balance so
    // the reconciliation below (and every later one) never applies them a second time.
    std::optional<sdk::Result<std::vector<sdk::OrderEvent>>> prior;
    call_guarded([&](std::string_view o, const std::string& msg) { broker_fault(i, o, msg); }, "fills",
                 [&] { prior.emplace(b.broker->fills(sdk::Timestamp{INT64_MIN})); });
    if (!prior || !prior->has_value())
      throw KernelError("broker " + b.id + " did not list its past fills for the opening balance: " +
                        (prior ? prior->status().message() : std::string("it threw")));
    BalanceRecord opening{b.id, "opening", clock_->now(), b.account.cash(), positions->value(), "first start with this journal", 0};
    try {
      journal_->record_balance(opening, prior->value());
    } catch (const JournalError& e) {
      throw KernelError(e.what());
    }
    for (const sdk::OrderEvent& f : prior->value()) {
      auto& last = r.last_fill[b.id];
      if (f.ts > last) last = f.ts;
    }
    if (!prior->value().empty())
      log_.info(std::to_string(prior->value().size()) + " fill(s) " + b.id + " executed before this journal began are part of the opening balance");
    for (const auto& p : opening.positions) b.account.add_opening_position(p.symbol, p.quantity, p.average_price, opening.ts);
    balance_after[b.id] = INT64_MAX;  // every journaled fill of this broker is older than its opening balance
    if (!opening.positions.empty())
      alert(sdk::Severity::Warning, "Opening positions at " + b.id,
            std::to_string(opening.positions.size()) + " position(s) held before this journal began are booked as the opening balance",
            {{"broker", b.id}});
  }
  last_fill_ = r.last_fill;
  std::size_t replayed = 0;
  for (const JournaledFill& f : r.fills) {
    auto bi = broker_of.find(f.broker);
    if (bi == broker_of.end()) continue;
    BrokerSlot& b = brokers_[bi->second];
    if (f.event_id > balance_after[f.broker]) b.account.apply_fill(f.fill.symbol, f.fill.side, f.fill.fill_quantity, f.fill.fill_price, f.fill.commission, f.fill.ts);
    if (auto si = strategy_of.find(f.strategy); si != strategy_of.end())
      strategies_[si->second].book.apply_fill(f.fill.symbol, f.fill.side, f.fill.fill_quantity, f.fill.fill_price, f.fill.commission, f.fill.ts);
    ++replayed;
  }
  // Orders not final in the journal are tracked again, with what was filled so far.
  std::size_t open = 0;
  for (const JournaledOrder& o : r.orders) {
    if (is_final(o.status)) continue;
    auto bi = broker_of.find(o.record.broker);
    auto si = strategy_of.find(o.record.strategy);
    if (bi == broker_of.end() || si == strategy_of.end()) {
      throw KernelError("the journal has order " + o.record.client_order_id.str() + " in flight on broker " + o.record.broker +
                        " for strategy " + o.record.strategy + ", which this configuration no longer has: put them back in "
                        "the config until the order is resolved");
    }
    TrackedOrder t;
    t.id = o.record.client_order_id;
    t.strategy_index = si->second;
    t.broker_index = bi->second;
    t.intent = o.record.intent;
    t.submitted_at = o.record.created;
    t.liquidation = o.record.liquidation;
    t.state = o.filled_quantity.is_positive() ? OrderState::PartiallyFilled : order_state_of(o.status);
    if (o.status == IntentStatus::Sent) sent_before_the_stop_.insert(t.id.str());
    t.filled_quantity = o.filled_quantity;
    t.commission = o.commission;
    if (o.record.intent.limit_price) {
      t.reserved_price = *o.record.intent.limit_price;
    } else if (o.record.intent.stop_price) {
      t.reserved_price = *o.record.intent.stop_price;
    } else {
      // A market order's reference price was the last bar before the stop, which is gone: its
      // value is unknown until its symbol's next bar, and orders adding exposure wait for it.
      t.unpriced = true;
      const std::string what =
          "market order " + t.id.str() + " (" + std::string(sdk::to_string(t.intent.side)) + " " +
          t.intent.quantity.to_string() + " " + t.intent.symbol.str() + ") is in flight at " +
          o.record.broker + ": its value is unknown until a bar of " + t.intent.symbol.str() +
          " arrives; until then no order adding exposure goes to " + o.record.broker +
          " (a symbol no strategy trades there never gets one: cancel the order at the venue)";
      log_.warn(what);
      alert(sdk::Severity::Warning, "Recovered market order without a price", what,
            {{"broker", o.record.broker}, {"client_order_id", t.id.str()}});
    }
    tracker_.add(std::move(t));
    ++open;
  }
  // The journal knows every trade id ever booked (it drops a repeat before the tracker sees it); the
  // orders still in flight also know their own, for when the journal fails later in this run.
  for (const JournaledFill& f : r.fills)
    if (auto bi = broker_of.find(f.broker); bi != broker_of.end() && tracker_.find(f.fill.client_order_id) != nullptr)
      tracker_.remember_fill(bi->second, f.fill.client_order_id, f.fill.trade_id);
  log_.info("journal replayed: " + std::to_string(r.orders.size()) + " order intents (" + std::to_string(open) +
            " in flight), " + std::to_string(replayed) + " fills");
}

std::string Kernel::reconcile_broker(std::size_t bi) {
  BrokerSlot& b = brokers_[bi];
  std::ostringstream diff;
  auto guarded = [&](const char* op, auto&& call) {
    return call_guarded([&](std::string_view o, const std::string& msg) { broker_fault(bi, o, msg); }, op, call);
  };
  const sdk::Timestamp now = clock_->now();

  // 1. Fills the broker executed that the journal lacks (the process died before recording them).
  const std::uint64_t booked_before = b.fills_booked;
  const UnbookedFills unbooked = book_missing_fills(bi);
  if (!unbooked.error.empty()) return unbooked.error + "\n";
  diff << unbooked.differences;
  const std::uint64_t missing_fills = b.fills_booked - booked_before;

  // 2. Every order the journal has in flight: what does the broker say about it? "Not found" may be
  // the venue's lag right after a send (a fast restart): such orders are asked again once, after
  // in_doubt_recheck_ms, before they count as never received.
  std::vector<sdk::ClientOrderId> in_flight;
  for (const TrackedOrder* o : tracker_.open_orders())
    if (o->broker_index == bi) in_flight.push_back(o->id);
  for (int pass = 0; pass < 2 && !in_flight.empty(); ++pass) {
    if (pass == 1) {
      log_.warn(std::to_string(in_flight.size()) +
                " order(s) journaled in flight are not known at " + b.id + ": asked again in " +
                std::to_string(config_.journal.in_doubt_recheck_ms) + " ms");
      std::this_thread::sleep_for(std::chrono::milliseconds(config_.journal.in_doubt_recheck_ms));
    }
    std::vector<sdk::ClientOrderId> absent;
    for (const sdk::ClientOrderId& id : in_flight) {
      const TrackedOrder* o = tracker_.find(id);
      if (!o || is_final(o->state)) continue;
      std::optional<sdk::Result<sdk::OrderStatusReport>> report;
      guarded("order", [&] { report.emplace(b.broker->order(id)); });
      if (!report) return "order lookup of " + id.str() + " failed: the plugin threw\n";
      if (!report->has_value()) {
        if (report->status().code() != sdk::StatusCode::NotFound) {
          diff << "  order " << id.str() << ": still in doubt, the broker did not answer ("
               << report->status().message() << "); asked again at each heartbeat\n";
          // Else it stayed open for good, unasked: never ended if the venue does not have it (a
          // flatten waiting for it waited for ever), nor if it ended while Mercurio was down.
          in_doubt_.push_back({id, std::nullopt, false, false, std::nullopt});
          continue;
        }
        if (pass == 0) {
          absent.push_back(id);
          continue;
        }
        // One the broker acknowledged before the stop has vanished: a difference for an operator,
        // and it stays in flight (ended now, a stop before the acknowledgement would leave the
        // next start clean), looked up again once trading runs (resolve_in_doubt ends it then).
        if (acknowledged_before_the_stop(*o)) {
          diff << "  order " << id.str() << ": acknowledged by the broker before the stop ("
               << o->filled_quantity.to_string()
               << " filled), now not found there: looked up again once trading runs\n";
          // Already absent twice, a window apart: the first "not found" once trading runs ends it.
          in_doubt_.push_back({id, std::chrono::steady_clock::now(), false, false, std::nullopt});
          continue;
        }
        // The venue confirms, twice, that it never received it (killed between journal and send):
        // not sent, never resent (its approval is as old as the stop).
        log_.warn("order " + id.str() + " was journaled but never reached " + b.id +
                  ": marked failed, not resent");
        apply_order_event(
            bi, status_event(*o, sdk::OrderEventType::Rejected, now,
                             "never reached the broker (confirmed absent at start-up); not "
                             "resent"));
        try {
          journal_->set_intent_status(id, IntentStatus::Failed, now,
                                      "confirmed absent at start-up");
        } catch (const JournalError& e) {
          return std::string("journal: ") + e.what() + "\n";
        }
        continue;
      }
      const sdk::OrderStatusReport& rep = report->value();
      const TrackedOrder* cur = apply_venue_report(bi, id, rep, now, "at start-up");
      if (cur == nullptr) {
        diff << "  order " << id.str() << ": the broker's order under this id is another one\n";
        continue;
      }
      if (rep.filled_quantity != cur->filled_quantity)
        diff << "  order " << id.str() << ": broker filled " << rep.filled_quantity.to_string()
             << ", journal " << cur->filled_quantity.to_string() << "\n";
      if (!rep.open && !is_final(cur->state) && rep.status == sdk::OrderEventType::Filled)
        diff << "  order " << id.str() << ": broker says filled, journal has "
             << cur->filled_quantity.to_string() << " filled\n";
    }
    in_flight = std::move(absent);
  }

  // 3. Orders the broker has open that the journal never sent: external, recorded and alerted.
  std::optional<sdk::Result<std::vector<sdk::OrderStatusReport>>> open;
  guarded("open_orders", [&] { open.emplace(b.broker->open_orders()); });
  if (!open || !open->has_value())
    return "cannot list open orders: " + (open ? open->status().message() : std::string("the plugin threw")) + "\n";
  for (const auto& rep : open->value()) {
    if (const TrackedOrder* known = tracker_.find(rep.client_order_id)) {
      // Open at the venue but final here (e.g. a rejection the venue did not make): its fills
      // would arrive for an order nobody expects.
      if (is_final(known->state))
        diff << "  order " << rep.client_order_id.str() << ": open at the broker, "
             << to_string(known->state) << " in the journal\n";
      continue;
    }
    const std::string what = "open order " + rep.client_order_id.str() + " (" + std::string(sdk::to_string(rep.intent.side)) + " " +
                             rep.intent.quantity.to_string() + " " + rep.intent.symbol.str() + ") at " + b.id +
                             " is not in the journal: external";
    log_.warn(what);
    alert(sdk::Severity::Warning, "External order at " + b.id, what, {{"broker", b.id}, {"client_order_id", rep.client_order_id.str()}});
    try {
      journal_->record_reconciliation(now, b.id, "external-order", what);
    } catch (const JournalError& e) {
      return std::string("journal: ") + e.what() + "\n";
    }
  }

  // 4. Positions and cash.
  const std::optional<VenueAccount> venue = read_venue_account(bi);
  if (!venue) return "cannot read positions or cash from the broker\n";
  mark_at_venue_prices(bi, venue->positions);
  std::map<sdk::Symbol, sdk::Decimal> broker_qty, local_qty;
  for (const auto& p : venue->positions) broker_qty[p.symbol] += p.quantity;
  for (const auto& p : b.account.open_positions()) local_qty[p.symbol] = p.quantity;
  std::set<sdk::Symbol> symbols;
  for (const auto& [s, q] : broker_qty) symbols.insert(s);
  for (const auto& [s, q] : local_qty) symbols.insert(s);
  for (const sdk::Symbol& s : symbols) {
    const sdk::Decimal theirs = broker_qty[s], ours = local_qty[s];
    if ((theirs - ours).abs() > config_.journal.position_tolerance)
      diff << "  position " << s.str() << ": broker " << theirs.to_string() << ", journal " << ours.to_string() << " (difference "
           << (theirs - ours).to_string() << ")\n";
  }
  const sdk::Decimal cash_diff = venue->cash - b.account.cash();
  if (cash_diff.abs() > config_.journal.cash_tolerance)
    diff << "  cash: broker " << venue->cash.to_string() << ", journal "
         << b.account.cash().to_string() << " (difference " << cash_diff.to_string() << ")\n";
  if (missing_fills > 0) log_.warn(std::to_string(missing_fills) + " fill(s) from " + b.id + " recorded at start-up (made while mercurio was down)");
  return diff.str();
}

// Without a journal nothing is replayed or reconciled, but an account may hold positions from
// before (a paper account's state_file, a venue account): booked on it as a new journal's opening
// balance would be, so that the risk gate's exposure, the breakers' equity and the marks include
// them (they used to be invisible: a strategy could buy again past its position limit). No
// strategy's book holds them.
void Kernel::book_positions_without_journal() {
  for (std::size_t i = 0; i < brokers_.size(); ++i) {
    BrokerSlot& b = brokers_[i];
    if (b.data_only) continue;
    std::optional<sdk::Result<std::vector<sdk::Position>>> positions;
    call_guarded([&](std::string_view o, const std::string& msg) { broker_fault(i, o, msg); },
                 "positions", [&] { positions.emplace(b.broker->positions()); });
    if (!positions || !positions->has_value())
      throw KernelError("broker " + b.id + " did not report its positions: " +
                        (positions ? positions->status().message() : std::string("it threw")));
    const std::vector<sdk::Position>& held = positions->value();
    if (held.empty()) continue;
    std::string listed;
    for (const sdk::Position& p : held) {
      b.account.add_opening_position(p.symbol, p.quantity, p.average_price, clock_->now());
      listed += (listed.empty() ? "" : ", ") + p.quantity.to_string() + " " + p.symbol.str();
    }
    mark_at_venue_prices(i, held);
    alert(sdk::Severity::Warning, "Opening positions at " + b.id,
          "the account holds " + listed +
              " at the start of a run without a [journal]: booked on the account (the risk "
              "limits and breakers count them), on no strategy's book",
          {{"broker", b.id}});
  }
}

// The journal's marks are its last fills' prices, perhaps days old, and the breakers judge the
// equity from the first bar of any symbol on: until a held symbol's own first bar, it is valued
// at the venue's price where the venue reports one.
void Kernel::mark_at_venue_prices(std::size_t bi, const std::vector<sdk::Position>& venue) {
  BrokerSlot& b = brokers_[bi];
  std::string marked;
  for (const sdk::Position& p : venue) {
    // A position the journal does not hold is a difference: the acknowledgement books it.
    if (!p.market_price.is_positive() || b.account.quantity(p.symbol).is_zero()) continue;
    // Taken as a bar's close would be; one whose value leaves the decimal range is not used (a
    // ledger's mark is all or nothing).
    try {
      b.account.mark(p.symbol, p.market_price);
      for (std::size_t si : b.strategies) strategies_[si].book.mark(p.symbol, p.market_price);
    } catch (const sdk::DecimalError& e) {
      log_.warn("broker " + b.id + "'s price " + p.market_price.to_string() + " for " +
                p.symbol.str() + " not used: " + e.what());
      continue;
    }
    marked += (marked.empty() ? "" : ", ") + p.symbol.str() + " " + p.market_price.to_string();
  }
  if (!marked.empty())
    log_.info("broker " + b.id +
              "'s positions valued at its own prices until their first bar: " + marked);
}

std::optional<Kernel::VenueAccount> Kernel::read_venue_account(std::size_t bi) {
  BrokerSlot& b = brokers_[bi];
  const auto guarded = [&](const char* op, auto&& call) {
    call_guarded([&](std::string_view o, const std::string& msg) { broker_fault(bi, o, msg); }, op,
                 call);
  };
  std::optional<sdk::Result<std::vector<sdk::Position>>> positions;
  std::optional<sdk::Result<sdk::AccountSnapshot>> account;
  guarded("positions", [&] { positions.emplace(b.broker->positions()); });
  guarded("account", [&] { account.emplace(b.broker->account()); });
  if (!positions || !positions->has_value() || !account || !account->has_value())
    return std::nullopt;
  return VenueAccount{std::move(positions->value()), (*account)->cash};
}

Kernel::UnbookedFills Kernel::book_missing_fills(std::size_t bi) {
  BrokerSlot& b = brokers_[bi];
  UnbookedFills out;
  std::optional<sdk::Result<std::vector<sdk::OrderEvent>>> fills;
  // From the last fill journaled, or from the oldest order still in flight if that is earlier: a
  // venue may execute an older order after a newer one's fill (a repeat is dropped by trade id).
  sdk::Timestamp since = last_fill_of(bi);
  for (const TrackedOrder* o : tracker_.open_orders())
    if (o->broker_index == bi && o->submitted_at < since) since = o->submitted_at;
  call_guarded([&](std::string_view op, const std::string& msg) { broker_fault(bi, op, msg); },
               "fills", [&] { fills.emplace(b.broker->fills(since)); });
  if (!fills || !fills->has_value()) {
    out.error = "cannot list fills: " +
                (fills ? fills->status().message() : std::string("the plugin threw"));
    return out;
  }
  for (const sdk::OrderEvent& f : fills->value()) {
    FillCoverage coverage = FillCoverage::New;
    JournaledOrderFills order;
    try {
      if (journal_->knows_fill(b.id, f.trade_id)) continue;
      order = journal_->order_fills(b.id, f.client_order_id);
      std::vector<BookedFill> booked;
      booked.reserve(order.fills.size());
      for (const auto& row : order.fills) booked.push_back({row.quantity, row.leaves});
      coverage = fill_coverage(order.ordered, booked, f.fill_quantity, f.leaves_quantity);
    } catch (const JournalError& e) {
      out.error = std::string("journal: ") + e.what();
      return out;
    }
    if (coverage == FillCoverage::New || coverage == FillCoverage::Unknown) {
      apply_order_event(bi, f);
      continue;
    }
    sdk::Decimal held;
    for (const auto& row : order.fills) held += row.quantity;
    const sdk::Decimal end = order.ordered - f.leaves_quantity;
    const std::string what =
        "fill " + f.trade_id.str() + " of order " + f.client_order_id.str() + " (" +
        f.fill_quantity.to_string() + " at " + f.fill_price.to_string() + ", the order's " +
        (end - f.fill_quantity).to_string() + " to " + end.to_string() + " of " +
        order.ordered.to_string() + ") lies " +
        (coverage == FillCoverage::Covered ? "within" : "across") + " the " + held.to_string() +
        " the journal holds of the order under other trade ids";
    if (coverage == FillCoverage::Overlapping) {
      out.overlapping.push_back(f);
      out.differences += "  " + what + ": not booked\n";
      continue;
    }
    // The same executions the broker reported another way before (e.g. several at once, at their
    // average price): booking them again would count them twice.
    if (b.covered_fills_noted.count(f.trade_id.str()) != 0) continue;
    log_.warn(what + ": booked already, not booked again");
    try {
      journal_->record_reconciliation(clock_->now(), b.id, "fill-already-booked", what);
    } catch (const JournalError& e) {
      out.error = std::string("journal: ") + e.what();
      return out;
    }
    b.covered_fills_noted.insert(f.trade_id.str());
  }
  return out;
}

sdk::Timestamp Kernel::last_fill_of(std::size_t bi) const {
  auto it = last_fill_.find(brokers_[bi].id);
  return it == last_fill_.end() ? sdk::Timestamp{INT64_MIN} : it->second;
}

void Kernel::reconcile_brokers() {
  if (!journal_ || mode_ == RunMode::Backtest) return;
  reconciliation_mismatches_.clear();
  const sdk::Timestamp now = clock_->now();
  for (std::size_t i = 0; i < brokers_.size(); ++i) {
    BrokerSlot& b = brokers_[i];
    if (b.data_only) {
      log_.info("broker " + b.id + " serves market data only: nothing to reconcile");
      continue;
    }
    std::string diff = b.available ? reconcile_broker(i) : "the broker is not available\n";
    settle();
    if (!b.available && diff.empty()) diff = "the broker faulted during reconciliation\n";
    try {
      journal_->record_reconciliation(now, b.id, diff.empty() ? "clean" : "mismatch", diff);
    } catch (const JournalError& e) {
      throw KernelError(std::string("cannot record the reconciliation: ") + e.what());
    }
    if (diff.empty()) {
      log_.info("reconciliation with broker " + b.id + " clean: positions " + std::to_string(b.account.open_positions().size()) +
                ", cash " + b.account.cash().to_string());
    } else {
      reconciliation_mismatches_.emplace_back(i, diff);
      const std::string text = "reconciliation with broker " + b.id + " found differences (broker vs journal):\n" + diff +
                               "trading stays HALTED until an operator runs: mercurio acknowledge --reason \"...\"";
      log_.error(text);
      alert(sdk::Severity::Critical, "Reconciliation mismatch at " + b.id, text, {{"broker", b.id}});
    }
  }
}

void Kernel::await_acknowledgement() {
  if (reconciliation_mismatches_.empty()) return;
  log_.warn("waiting for an operator to acknowledge the reconciliation (mercurio acknowledge --reason ...)");
  while (!stop_requested_.load() && !acknowledged_) {
    apply_operator_commands();
    if (acknowledged_) break;
    inbox_.wait_for(std::chrono::milliseconds(200));
    settle();
    pending_bars_.clear();  // no strategy runs yet: bars before the acknowledgement are not traded on
  }
}

void Kernel::acknowledge_reconciliation(const std::string& who) {
  const sdk::Timestamp now = clock_->now();
  // Broker by broker; one applied leaves the list at once, so a later broker's refusal leaves it
  // applied (once) and the next acknowledgement takes only the others.
  while (!reconciliation_mismatches_.empty()) {
    const auto& [bi, diff] = reconciliation_mismatches_.front();
    BrokerSlot& b = brokers_[bi];
    const auto refuse = [&](const std::string& why) {
      log_.error("acknowledgement not applied: broker " + b.id + " " + why);
    };
    // The broker's account becomes the truth, and every fill already in it must be in the journal
    // before the adjustment: one booked after it would count twice (in the snapshot, and on top
    // of it). So the fills streamed so far are booked, then those the broker lists; the account
    // is read; and read again if a fill reached the journal meanwhile, streamed or listed (it may
    // or may not be in what was read). A fill the broker makes afterwards is booked on top, as it
    // should be. (A fill already in what was read that neither the stream nor the listing shows
    // until later is counted twice: a venue whose account runs ahead of both; the next start's
    // reconciliation finds it.)
    // A fill that overlaps what the journal holds of its order (neither all new nor all booked)
    // is in the account read but never booked: its trade id is recorded with the adjustment, so
    // no later start books it. It moves no fills_booked, so one listed only after the read
    // (perhaps not in what was read) has the account read again too.
    std::optional<VenueAccount> venue;
    std::vector<sdk::OrderEvent> in_the_account;
    bool steady = false;
    for (int attempt = 0; attempt < 3 && !steady; ++attempt) {
      settle();
      UnbookedFills before_read = book_missing_fills(bi);
      if (!before_read.error.empty())
        return refuse("could not have its fills booked: " + before_read.error);
      const std::uint64_t booked_before_read = b.fills_booked;
      venue = read_venue_account(bi);
      if (!venue) return refuse("did not report its positions and cash");
      settle();
      const UnbookedFills after_read = book_missing_fills(bi);
      if (!after_read.error.empty())
        return refuse("could not have its fills booked: " + after_read.error);
      std::set<std::string> listed_before;
      for (const sdk::OrderEvent& f : before_read.overlapping)
        listed_before.insert(f.trade_id.str());
      steady = b.fills_booked == booked_before_read;
      for (const sdk::OrderEvent& f : after_read.overlapping)
        if (listed_before.count(f.trade_id.str()) == 0) steady = false;
      in_the_account = std::move(before_read.overlapping);
    }
    if (!steady)
      return refuse(
          "kept filling while its account was read; the next acknowledgement tries again");
    // The broker is the truth for the account from now on: recorded as an adjustment, so a replay of
    // the journal reaches the same account.
    BalanceRecord adj{b.id, "adjustment", now, venue->cash, std::move(venue->positions),
                      who + "; was:\n" + diff, 0};
    for (const sdk::OrderEvent& f : in_the_account)
      log_.warn("fill " + f.trade_id.str() + " of order " + f.client_order_id.str() +
                " is in the account the acknowledgement takes: recorded with it, never booked");
    try {
      journal_->record_balance(adj, in_the_account);
      journal_->record_reconciliation(now, b.id, "acknowledged", who);
    } catch (const JournalError& e) {
      journal_failure(e.what());
      return;
    }
    Ledger ledger(adj.cash);
    for (const auto& p : adj.positions) ledger.add_opening_position(p.symbol, p.quantity, p.average_price, now);
    b.account = std::move(ledger);
    mark_at_venue_prices(bi, adj.positions);
    log_.info("acknowledged: broker " + b.id + "'s account is now its own report (cash " +
              adj.cash.to_string() + ", " + std::to_string(adj.positions.size()) + " position(s))");
    reconciliation_mismatches_.erase(reconciliation_mismatches_.begin());
  }
  acknowledged_ = true;
}

const TrackedOrder* Kernel::apply_venue_report(std::size_t bi, const sdk::ClientOrderId& id,
                                               const sdk::OrderStatusReport& rep, sdk::Timestamp ts,
                                               const char* when) {
  const TrackedOrder* cur = tracker_.find(id);
  // The venue's order under this id is another one (the id used before: a new journal, or a run
  // without one, starts the ids again): taken as this order, its fills and its end would be
  // booked as this one's. Not applied; nobody knows what this order became.
  if (cur && (rep.intent.symbol != cur->intent.symbol || rep.intent.side != cur->intent.side ||
              rep.intent.quantity != cur->intent.quantity)) {
    const std::string why =
        "broker " + brokers_[bi].id + " reports " + std::string(when) + " an order " + id.str() +
        " to " + std::string(sdk::to_string(rep.intent.side)) + " " +
        rep.intent.quantity.to_string() + " " + rep.intent.symbol.str() + ", sent as " +
        std::string(sdk::to_string(cur->intent.side)) + " " + cur->intent.quantity.to_string() +
        " " + cur->intent.symbol.str() + ": another order under the same id, not applied";
    log_.error(why);
    alert(sdk::Severity::Critical, "Order id used twice", why + "; trading is HALTED",
          {{"client_order_id", id.str()}, {"broker", brokers_[bi].id}});
    halt_trading(why);
    // The venue holds one order per id: this one was never placed. Ended so (not left open,
    // where a cancel of it would reach the other order).
    if (!is_final(cur->state))
      end_unplaced_order(bi, *cur, ts, "never placed: the broker holds another order under its id",
                         "another order under its id");
    return nullptr;
  }
  if (cur && cur->state == OrderState::Submitted)
    apply_order_event(bi, status_event(*cur, sdk::OrderEventType::Accepted, ts, ""));
  cur = tracker_.find(id);
  // Already over at the venue (a plugin need not stream what happened before it was asked): a
  // cancel, rejection or expiry ends it here too. A fill only ever arrives as a fill.
  const bool ended_unfilled = rep.status == sdk::OrderEventType::Canceled ||
                              rep.status == sdk::OrderEventType::Rejected ||
                              rep.status == sdk::OrderEventType::Expired;
  // With fills the kernel has not booked yet, not before them: the strategy would see the order
  // end first, and a plugin that does not stream them would leave them out for good.
  if (cur && !rep.open && !is_final(cur->state) && ended_unfilled &&
      rep.filled_quantity <= cur->filled_quantity)
    apply_order_event(
        bi, status_event(*cur, rep.status, ts,
                         "reported " + std::string(sdk::to_string(rep.status)) + " " + when));
  return tracker_.find(id);
}

bool Kernel::acknowledged_before_the_stop(const TrackedOrder& o) const {
  return o.state != OrderState::Submitted || o.filled_quantity.is_positive() ||
         sent_before_the_stop_.count(o.id.str()) > 0;
}

void Kernel::end_unplaced_order(std::size_t bi, const TrackedOrder& order, sdk::Timestamp ts,
                                const std::string& reason, const char* journal_note,
                                bool venue_rejected) {
  const sdk::ClientOrderId id = order.id;  // the event below changes the tracker
  // Not the venue's answer unless it rejected a resend: not one for the rejection breaker, and
  // no attempt of a flatten.
  if (!venue_rejected) refused_before_venue_.push_back(id);
  apply_order_event(bi, status_event(order, sdk::OrderEventType::Rejected, ts, reason));
  if (!journal_ || journal_->failed()) return;  // (a paper run may have none)
  try {
    journal_->set_intent_status(id, IntentStatus::Failed, ts, journal_note);
  } catch (const JournalError& e) {
    journal_failure(e.what());
  }
}

void Kernel::resolve_in_doubt() {
  // A cancel asked before the acknowledgement matters only while the order is still unanswered.
  std::erase_if(cancels_before_ack_, [&](const CancelBeforeAck& c) {
    const TrackedOrder* o = tracker_.find(c.id);
    return o == nullptr || is_final(o->state);
  });
  if (in_doubt_.empty()) return;
  const auto now = std::chrono::steady_clock::now();
  const auto recheck = std::chrono::milliseconds(config_.journal.in_doubt_recheck_ms);
  // Taken out first: an event applied below reaches a strategy, whose new order may land in
  // in_doubt_ meanwhile (kept, not overwritten, and no reference into a reallocated vector).
  std::vector<InDoubtOrder> pending;
  pending.swap(in_doubt_);
  std::vector<InDoubtOrder> still;
  for (InDoubtOrder& d : pending) {
    const TrackedOrder* o = tracker_.find(d.id);
    const bool of_earlier_run = !d.approved;
    // The broker has answered meanwhile (an order of an earlier run may have been acknowledged
    // then: only its lookup answers).
    if (!o || is_final(o->state) || (!of_earlier_run && o->state != OrderState::Submitted))
      continue;
    BrokerSlot& b = brokers_[o->broker_index];
    const std::size_t bi = o->broker_index;
    if (!b.available) {
      still.push_back(d);
      continue;
    }
    std::optional<sdk::Result<sdk::OrderStatusReport>> report;
    call_guarded([&](std::string_view op, const std::string& msg) { broker_fault(bi, op, msg); }, "order",
                 [&] { report.emplace(b.broker->order(d.id)); });
    if (report && report->has_value()) {
      const sdk::OrderStatusReport& rep = report->value();
      // Fills come only as fills (trade ids, prices): a filled quantity the kernel has not seen
      // is alerted while they are awaited.
      const TrackedOrder* cur = apply_venue_report(bi, d.id, rep, clock_->now(), "when looked up");
      // (A cancel refused before the acknowledgement was asked again as it was applied.)
      if (cur == nullptr) continue;  // another order under its id: HALTED, left to an operator
      log_.warn("order " + d.id.str() + " in doubt: the broker has it (" +
                std::string(sdk::to_string(rep.status)) + ")");
      if (!is_final(cur->state) && rep.filled_quantity > cur->filled_quantity) {
        if (!d.fills_awaited_alerted)
          alert(sdk::Severity::Warning, "Fills awaited",
                d.id.str() + " at " + b.id + ": the broker reports " +
                    rep.filled_quantity.to_string() + " filled, " +
                    cur->filled_quantity.to_string() + " received so far" +
                    (rep.open ? std::string()
                              : "; it ended (" + std::string(sdk::to_string(rep.status)) +
                                    "): ended here once they are booked"),
                {{"client_order_id", d.id.str()}, {"broker", b.id}});
        d.fills_awaited_alerted = true;
        // Over at the venue: looked up again until its fills are booked, then ended.
        if (!rep.open) still.push_back(d);
      }
      continue;
    }
    if (!report || report->status().code() != sdk::StatusCode::NotFound) {
      still.push_back(d);  // no answer: still in doubt, asked again at the next heartbeat
      continue;
    }
    if (!d.first_absent) {
      d.first_absent = now;  // one "not found" may be the venue's lag: ask again after the window
      still.push_back(d);
      continue;
    }
    if (now - *d.first_absent < recheck) {
      still.push_back(d);
      continue;
    }
    // Confirmed absent twice, a window apart: the order never reached the venue. Its approval is
    // as old as the send: it goes again only if nothing has stopped new orders since (a hold, a
    // breaker, REDUCING, where it might add exposure) - a flatten's closing order always may.
    // Nor when its cancel was asked meanwhile (the strategy may have replaced it).
    const bool cancel_asked = find_cancel_before_ack(d.id) != cancels_before_ack_.end();
    const bool still_allowed =
        !cancel_asked && (is_flatten_order(*o) || (risk_gate_.state() == TradingState::Active &&
                                                   strategies_[o->strategy_index].enabled));
    // An order of an earlier run the broker acknowledged before the stop has vanished, not failed
    // to arrive: an operator must look at it.
    const bool vanished = of_earlier_run && acknowledged_before_the_stop(*o);
    if (vanished)
      alert(sdk::Severity::Critical, "Order vanished at the broker",
            d.id.str() + " at " + b.id + ": acknowledged before the stop (" +
                o->filled_quantity.to_string() +
                " filled), now not found there twice: ended here; check it at the broker",
            {{"client_order_id", d.id.str()}, {"broker", b.id}});
    std::string venue_rejection;  // the venue's own answer to the resend
    if (!of_earlier_run && !d.resent && b.started && still_allowed) {
      log_.warn("order " + d.id.str() + " confirmed absent at " + b.id + ": sent again once with the same client order id");
      sdk::Status status;
      call_guarded([&](std::string_view op, const std::string& msg) { broker_fault(bi, op, msg); },
                   "submit", [&] { status = b.broker->submit(*d.approved); });
      if (status.is_ok() || status.code() == sdk::StatusCode::Unknown) {
        d.resent = true;
        d.first_absent.reset();
        still.push_back(d);
        continue;
      }
      if (status.code() == sdk::StatusCode::Rejected) venue_rejection = status.message();
    }
    end_unplaced_order(
        bi, *tracker_.find(d.id), clock_->now(),
        !venue_rejection.empty() ? "sent again after it was confirmed absent: " + venue_rejection
        : vanished ? "not found at the broker after the stop, though it acknowledged it before; "
                     "not resent"
        : of_earlier_run ? "never reached the broker (confirmed absent after the start-up); not "
                           "resent (approved before the restart)"
        : cancel_asked   ? "never reached the broker (confirmed absent); its cancel was "
                           "asked: not sent again"
                         : "never reached the broker (confirmed absent); not sent again",
        "confirmed absent", !venue_rejection.empty());
  }
  still.insert(still.end(), std::make_move_iterator(in_doubt_.begin()),
               std::make_move_iterator(in_doubt_.end()));
  in_doubt_ = std::move(still);
  advance_flattens();  // an order resolved may let a flatten go on
}

}  // namespace mercurio::kernel
