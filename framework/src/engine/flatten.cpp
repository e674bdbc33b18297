// Flattening: closing a strategy's positions with the kernel's own market orders (the drawdown
// breaker's "flatten", mercurio flatten, the failsafe's emergency procedure).
//
// A flatten is a state per strategy (StrategySlot::flattening), advanced whenever orders end (each
// settle of the inbox, the in-doubt lookups) and at each heartbeat, until the strategy's book is
// flat and none of its orders works. The cancels it asks for first end later, through the venue's
// events: a position's closing order goes out once no other order of the strategy works in that
// symbol, so a protective stop cannot fill against a flat book. What a closing order leaves
// (partly filled, rejected, expired) gets another, at most three per position; then an operator
// decides. A closing order that never reached the broker (it was unavailable, its rate budget
// spent, the journal down) is no attempt: the flatten tries again at each heartbeat, so a
// failsafe flatten started because the broker went away still closes once it is back.
//
// A flatten is saved with the trading state when it starts and when it ends, so a restart takes
// it up again after the reconciliation (resume_saved_procedures), its closing orders still in
// flight included.

#include <string>
#include <vector>

#include "engine/kernel.hpp"

namespace mercurio::kernel {

namespace {

// Three closing orders the broker took that left the position open (rejected, canceled, partly
// filled): something is wrong that another order will not fix.
constexpr unsigned kMaxClosingOrders = 3;
// Heartbeats a position may wait for the strategy's other orders to end: the cancel is asked again
// at each, then a CRITICAL alert says the flatten is stuck.
constexpr unsigned kCancelRetries = 3;

}  // namespace

void Kernel::flatten_all(const std::string& why, bool retry_given_up) {
  std::vector<std::size_t> all(strategies_.size());
  for (std::size_t i = 0; i < all.size(); ++i) all[i] = i;
  flatten_strategies(all, why, retry_given_up);
}

void Kernel::flatten_strategies(const std::vector<std::size_t>& selected, const std::string& why,
                                bool retry_given_up) {
  bool started = false;
  for (std::size_t si : selected) {
    if (begin_flatten(si, why)) {
      started = true;
    } else if (retry_given_up) {
      // An operator's new flatten: positions whose closing orders all failed get new ones.
      for (auto& [symbol, f] : strategies_[si].flattening->symbols)
        if (f.gave_up) f = {};
    }
  }
  // Saved before a closing order goes: a restart from here on takes the flatten up again.
  if (started) persist_state();
  advance_flattens();
}

bool Kernel::begin_flatten(std::size_t si, const std::string& why) {
  StrategySlot& s = strategies_[si];
  if (s.flattening) return false;
  s.flattening.emplace();
  s.flattening->why = why;
  ++flattens_pending_;
  // Closing orders still working from an earlier flatten (recovered at start-up) are this one's
  // own: not orders to cancel first, nor a reason to send another.
  for (const TrackedOrder* o : tracker_.open_orders())
    if (o->strategy_index == si && o->liquidation) {
      StrategySlot::FlattenOfSymbol& f = s.flattening->symbols[o->intent.symbol];
      f.order = o->id;
      f.orders_sent = 1;
    }
  return true;
}

void Kernel::advance_flattens() {
  if (flattens_pending_ == 0 || advancing_flattens_) return;
  advancing_flattens_ = true;
  struct Done {
    bool& flag;
    ~Done() { flag = false; }
  } done{advancing_flattens_};
  bool ended = false;
  for (std::size_t si = 0; si < strategies_.size(); ++si) {
    StrategySlot& s = strategies_[si];
    if (!s.flattening) continue;
    const std::vector<sdk::Position> open = s.book.open_positions();
    for (const sdk::Position& p : open) advance_flatten(si, p);
    // Done when flat and nothing of the strategy works any more (an order whose cancel lost the
    // race to a fill would open a new position).
    if (open.empty() && working_orders_of(si, true) == 0) {
      log_.warn("strategy " + s.id + " is flat (" + s.flattening->why + ")");
      end_flatten(si);
      ended = true;
    }
  }
  if (ended) persist_state();
}

void Kernel::advance_flatten(std::size_t si, const sdk::Position& p) {
  StrategySlot& s = strategies_[si];
  auto& f = s.flattening->symbols[p.symbol];
  const TrackedOrder* own = f.order.empty() ? nullptr : tracker_.find(f.order);
  // Its fill, or its end, comes through the inbox.
  if (own != nullptr && !is_final(own->state)) return;
  const std::size_t working = tracker_.open_count(si, p.symbol);
  if (working > 0) {
    // The strategy's own orders (a stop, a take-profit) were asked to cancel: closing now would
    // leave them able to fill against a flat book.
    if (!f.waiting_logged)
      log_.warn("flattening " + p.symbol.str() + " of " + s.id + " waits for " +
                std::to_string(working) + " working order(s) to end (cancel requested)");
    f.waiting_logged = true;
    return;
  }
  f.waiting_logged = false;
  if (f.gave_up || f.wait_for_heartbeat) return;
  if (f.orders_sent >= kMaxClosingOrders) {
    alert(sdk::Severity::Critical, "Flatten incomplete",
          p.quantity.to_string() + " " + p.symbol.str() + " of " + s.id + " still open after " +
              std::to_string(f.orders_sent) + " closing orders sent (" + s.flattening->why +
              "); no more are sent: close it at the broker or run mercurio flatten again",
          {{"strategy", s.id}, {"symbol", p.symbol.str()}});
    f.gave_up = true;
    return;
  }
  // The book's quantity is closed only where it is the venue's: after a position changed at the
  // broker outside Mercurio (closed by hand, an acknowledged difference) it would open a new one,
  // and a liquidation passes no limit of the risk gate.
  if (std::string problem = closing_problem(si, p); !problem.empty()) {
    // Another strategy's closing order in that symbol still works: once it ends (filled, or not:
    // then this close may go after all) the account is known again. Until then, waited for.
    if (other_closing_quantity(si, p).is_positive()) {
      // Alerted, not only logged: should those orders never end, this position stays open.
      if (!f.waiting_for_others_logged)
        alert(sdk::Severity::Warning, "Flatten waiting",
              "flattening " + p.symbol.str() + " of " + s.id +
                  " waits for the closing orders of other strategies in it to end: " + problem,
              {{"strategy", s.id}, {"symbol", p.symbol.str()}});
      f.waiting_for_others_logged = true;
      return;
    }
    f.waiting_for_others_logged = false;
    alert(sdk::Severity::Critical, "Flatten order withheld",
          p.quantity.to_string() + " " + p.symbol.str() + " of " + s.id + " (" + s.flattening->why +
              "): " + problem +
              "; nothing is sent for it: check the position at the broker and close it there "
              "(the strategy's book keeps it; mercurio resume ends the flatten)",
          {{"strategy", s.id}, {"symbol", p.symbol.str()}});
    f.gave_up = true;
    return;
  }
  f.waiting_for_others_logged = false;  // a later wait is alerted again
  sdk::OrderIntent close;
  close.symbol = p.symbol;
  close.side = p.quantity.is_positive() ? sdk::Side::Sell : sdk::Side::Buy;
  close.type = sdk::OrderType::Market;
  close.time_in_force = sdk::TimeInForce::Gtc;
  close.quantity = p.quantity.abs();
  close.tag = "kernel-flatten";
  // Counted before the send: the plugin's refusal comes back through the inbox as a rejection
  // (closing_order_not_sent gives the attempt back).
  ++f.orders_sent;
  auto id = submit_order(si, close, true);
  if (id) {
    f.order = *id;
    log_.warn("flattening " + p.quantity.to_string() + " " + p.symbol.str() + " of " + s.id +
              " as " + id->str() + " (" + s.flattening->why + ")");
  } else {
    f.order = {};
    closing_order_not_sent(si, p.symbol, id.status().message());
  }
}

void Kernel::closing_order_not_sent(std::size_t si, const sdk::Symbol& symbol,
                                    const std::string& why) {
  StrategySlot& s = strategies_[si];
  if (!s.flattening) return;
  const auto it = s.flattening->symbols.find(symbol);
  if (it == s.flattening->symbols.end()) return;
  StrategySlot::FlattenOfSymbol& f = it->second;
  const std::string what = symbol.str() + " of " + s.id + " (" + s.flattening->why +
                           "): the closing order did not reach the broker (" + why + ")";
  // What this process cannot heal: a faulted broker is never used again, a failed journal never
  // written again. An operator closes the position at the broker.
  const BrokerSlot& b = brokers_[s.broker];
  const char* lasting = !b.available                     ? "the broker faulted"
                        : journal_ && journal_->failed() ? "the journal is unavailable"
                                                         : nullptr;
  if (lasting != nullptr) {
    f.gave_up = true;
    alert(sdk::Severity::Critical, "Flatten incomplete",
          what + "; " + lasting + " for the rest of this run: close it at the broker",
          {{"strategy", s.id}, {"symbol", symbol.str()}});
    return;
  }
  // A backtest has no heartbeat: the attempt counts, and the next goes at once, as before.
  if (sim_clock_ != nullptr) return;
  if (f.orders_sent > 0) --f.orders_sent;
  f.wait_for_heartbeat = true;
  ++f.refusals;
  log_.warn("flattening " + what + "; tried again at each heartbeat");
  // Alerted at the first refusal, then at every 100th: a broker that never takes it again must
  // not go quiet.
  if (f.refusals % 100 != 1) return;
  alert(sdk::Severity::Critical, "Flatten order refused",
        what + "; tried again at each heartbeat" +
            (f.refusals == 1 ? std::string()
                             : " (" + std::to_string(f.refusals) + " refusals so far)"),
        {{"strategy", s.id}, {"symbol", symbol.str()}});
}

void Kernel::retry_flatten_cancels() {
  if (flattens_pending_ == 0) return;
  for (std::size_t si = 0; si < strategies_.size(); ++si) {
    StrategySlot& s = strategies_[si];
    if (!s.flattening) continue;
    for (auto& [symbol, f] : s.flattening->symbols) f.wait_for_heartbeat = false;
    // Any order of the strategy still working, whatever its symbol, but a closing order.
    const std::size_t blocking = working_orders_of(si, false);
    StrategySlot::Flattening& f = *s.flattening;
    if (blocking == 0) {
      f.heartbeats_waited = 0;
      continue;
    }
    if (++f.heartbeats_waited <= kCancelRetries) {
      // A cancel that failed (a broker that did not answer) or was lost: asked again.
      cancel_open_orders([si](const TrackedOrder& o) { return o.strategy_index == si; },
                         "flatten of " + s.id + " waits for it");
    } else if (!f.stuck_alerted) {
      f.stuck_alerted = true;
      alert(sdk::Severity::Critical, "Flatten stuck",
            s.id + ": " + std::to_string(blocking) + " working order(s) did not end after " +
                std::to_string(kCancelRetries) + " cancel requests (" + f.why +
                "); its positions stay open until they do",
            {{"strategy", s.id}});
    }
  }
}

void Kernel::stop_flattening(std::size_t si, const std::string& why) {
  StrategySlot& s = strategies_[si];
  if (!s.flattening) return;
  log_.warn("flatten of strategy " + s.id + " stopped (" + why +
            "): closing orders already sent keep working");
  end_flatten(si);
  persist_state();
}

void Kernel::end_flatten(std::size_t si) {
  StrategySlot& s = strategies_[si];
  s.flattening.reset();
  --flattens_pending_;
  if (s.unmanaged) {  // a stopped strategy's review waited for the flatten (unmanaged_orders.cpp)
    s.unmanaged->review = true;
    unmanaged_reviews_pending_ = true;
  }
}

std::string Kernel::closing_problem(std::size_t si, const sdk::Position& p) const {
  const StrategySlot& s = strategies_[si];
  const BrokerSlot& b = brokers_[s.broker];
  sdk::Decimal books;
  for (std::size_t other : b.strategies) books += strategies_[other].book.quantity(p.symbol);
  // The other strategies' closing orders still working there close their books and the account
  // alike once filled: counted as filled, or two flattens sent at once (neither fill booked yet)
  // would each find the account's holding theirs to close.
  const sdk::Decimal in_flight = other_closing_quantity(si, p);
  const sdk::Decimal closing = p.quantity.is_positive() ? -in_flight : in_flight;
  books += closing;
  const sdk::Decimal account = b.account.quantity(p.symbol) + closing;
  if (books == account) return {};
  // Holdings outside the books (an opening balance, external fills) may be reduced, not crossed.
  const sdk::Decimal after = account - p.quantity;
  const bool reduces = p.quantity.is_positive() ? !after.is_negative() : !after.is_positive();
  if (reduces) return {};
  return "the account at broker " + b.id + " holds " + account.to_string() + " " + p.symbol.str() +
         " and the books of its strategies " + books.to_string() + ": closing this book's " +
         p.quantity.to_string() + " would take the account past flat, to " + after.to_string();
}

sdk::Decimal Kernel::other_closing_quantity(std::size_t si, const sdk::Position& p) const {
  // Only those on this close's side: one on the other side (closing another book's short while
  // this one is long) may never fill, and counted it would let this close cross flat.
  const sdk::Side side = p.quantity.is_positive() ? sdk::Side::Sell : sdk::Side::Buy;
  const std::size_t broker = strategies_[si].broker;
  sdk::Decimal remaining;
  for (const TrackedOrder* o : tracker_.open_orders())
    if (o->liquidation && o->strategy_index != si && o->broker_index == broker &&
        o->intent.symbol == p.symbol && o->intent.side == side)
      remaining += o->remaining();
  return remaining;
}

bool Kernel::is_flatten_order(const TrackedOrder& o) const {
  const StrategySlot& s = strategies_[o.strategy_index];
  if (!s.flattening) return false;
  const auto it = s.flattening->symbols.find(o.intent.symbol);
  return it != s.flattening->symbols.end() && it->second.order == o.id;
}

std::size_t Kernel::working_orders_of(std::size_t si, bool closing_orders_too) const {
  std::size_t n = 0;
  for (const TrackedOrder* o : tracker_.open_orders())
    if (o->strategy_index == si && (closing_orders_too || !is_flatten_order(*o))) ++n;
  return n;
}

}  // namespace mercurio::kernel
