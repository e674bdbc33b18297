// The orders of a strategy the kernel stopped (the rejection or execution breaker, an exception
// from it; one restored disabled after a restart). It sees no more bars or order events, so nobody
// manages its orders: an entry resting at the venue would still fill and open a position nobody
// watches. The kernel cancels every order that could add to its positions and keeps those that
// only take a position towards flat (its protective stops, its targets), so the position is not
// left unprotected. The kept orders together do not exceed the position: protective stops are kept
// first, then the others in the order they were sent, while they fit. A fill of the strategy (one
// of those kept) changes the position, so its orders are reviewed again: a target that filled does
// not leave a stop of the same size to open the opposite position. An order whose cancel is on
// its way is going away: it is neither kept nor counted against the position.
// One exception: when the position shrank below its only protective stop (a target whose cancel
// was on its way filled in part), the stop is kept anyway and a CRITICAL alert asks an operator to
// resize it; brokers offer no safe resize here, and cancelling it would leave the position bare.
//
// Reviews run once the inbox is drained (the book then has every fill reported so far), never
// while reconciling at start-up or warming up. Cancels that fail, or are accepted and do not end
// within a heartbeat interval, are asked again at the next heartbeats (three times), then a
// CRITICAL alert names the orders.

#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include "engine/kernel.hpp"

namespace mercurio::kernel {

namespace {

constexpr unsigned kCancelRetries = 3;

bool is_stop(const TrackedOrder* o) {
  return o->intent.type == sdk::OrderType::Stop || o->intent.type == sdk::OrderType::StopLimit;
}

// Takes `position` towards flat: a sell of a long position, a buy of a short one.
bool reduces(const TrackedOrder& o, const sdk::Decimal& position) {
  return (position.is_positive() && o.intent.side == sdk::Side::Sell) ||
         (position.is_negative() && o.intent.side == sdk::Side::Buy);
}

std::string id_list(const std::vector<std::string>& ids) {
  std::string out;
  for (const auto& id : ids) out += (out.empty() ? "" : ", ") + id;
  return out;
}

}  // namespace

void Kernel::stop_managing(std::size_t si) {
  strategies_[si].unmanaged.emplace();
  unmanaged_reviews_pending_ = true;
}

void Kernel::review_unmanaged_orders() {
  if (reconciling_ || warming_up_) return;  // stays pending: the next settle after them
  unmanaged_reviews_pending_ = false;
  for (std::size_t si = 0; si < strategies_.size(); ++si) {
    StrategySlot& s = strategies_[si];
    if (!s.unmanaged || !s.unmanaged->review) continue;
    StrategySlot::Unmanaged& u = *s.unmanaged;
    // A flatten cancels all of the strategy's orders and closes its positions itself; the review
    // waits for its end (end_flatten).
    if (s.flattening) continue;
    u.review = false;
    std::map<sdk::Symbol, std::vector<const TrackedOrder*>> by_symbol;
    for (const TrackedOrder* o : tracker_.open_orders()) {
      // The kernel's own closing orders are the flatten's business; an order at a broker that
      // is stopped (the run is ending) stays for the next start, reviewed then.
      if (o->strategy_index != si || o->liquidation || is_flatten_order(*o) ||
          !brokers_[o->broker_index].started)
        continue;
      by_symbol[o->intent.symbol].push_back(o);
    }
    std::vector<sdk::ClientOrderId> cancel_now;
    std::vector<std::string> to_cancel, kept;
    std::vector<std::pair<const TrackedOrder*, sdk::Decimal>> oversized_stops;  // with position
    for (auto& [symbol, orders] : by_symbol) {
      const sdk::Decimal position = s.book.position(symbol).quantity;
      std::stable_partition(orders.begin(), orders.end(), is_stop);
      sdk::Decimal room = position.abs();
      bool stop_kept = false;
      for (const TrackedOrder* o : orders) {
        if (u.asked.contains(o->id.str())) {  // its cancel is on its way
          to_cancel.push_back(o->id.str());
          continue;
        }
        if (reduces(*o, position) && (o->remaining() <= room || (is_stop(o) && !stop_kept))) {
          if (o->remaining() > room) oversized_stops.emplace_back(o, position);
          room = o->remaining() <= room ? room - o->remaining() : sdk::Decimal();
          stop_kept = stop_kept || is_stop(o);
          kept.push_back(o->id.str());
          continue;
        }
        to_cancel.push_back(o->id.str());
        cancel_now.push_back(o->id);
      }
    }
    std::vector<std::string> asked_now, failed;
    for (const sdk::ClientOrderId& id : cancel_now) {  // cancel() may post events to the inbox
      const sdk::Status status = cancel(si, id);
      if (status.is_ok()) {
        u.asked.insert(id.str());
        asked_now.push_back(id.str());
      } else {
        failed.push_back(id.str());
        log_.error("could not cancel " + id.str() + " of stopped strategy " + s.id + ": " +
                   status.message());
      }
    }
    if (to_cancel.empty()) u.cancels_settled();
    u.to_cancel = std::move(to_cancel);
    for (const auto& [o, position] : oversized_stops) {
      if (!u.oversize_alerted.insert(o->id.str()).second) continue;
      alert(sdk::Severity::Critical, "Stop of a stopped strategy exceeds its position",
            s.id + ": " + o->id.str() + " " + std::string(sdk::to_string(o->intent.side)) + "s " +
                o->remaining().to_string() + " " + o->intent.symbol.str() +
                " while the position is " + position.to_string() +
                "; kept so the position stays protected, but if it triggers it takes the "
                "position past flat: resize or replace it at the broker",
            {{"strategy", s.id}, {"symbol", o->intent.symbol.str()}});
    }
    if (asked_now.empty() && failed.empty() && (u.reported || kept.empty())) continue;
    u.reported = true;
    std::string note;
    if (!asked_now.empty())
      note += "; cancel asked of " + std::to_string(asked_now.size()) +
              " order(s) that could add to its positions or take them past flat (" +
              id_list(asked_now) + ")";
    if (!failed.empty())
      note += "; COULD NOT CANCEL " + std::to_string(failed.size()) + " order(s) (" +
              id_list(failed) + "), asked again at the next heartbeats";
    if (!kept.empty())
      note += "; kept " + std::to_string(kept.size()) +
              " order(s) that only reduce its positions (" + id_list(kept) + ")";
    log_.warn("strategy " + s.id + " stopped" + note);
    if (!failed.empty() && !u.failure_alerted) {
      u.failure_alerted = true;
      alert(sdk::Severity::Critical, "Orders of a stopped strategy not cancelled",
            s.id + ": the broker refused to cancel " + id_list(failed) +
                ", orders that could add to its positions or take them past flat; asked again at "
                "the next heartbeats",
            {{"strategy", s.id}});
    }
  }
}

void Kernel::retry_unmanaged_cancels() {
  for (StrategySlot& s : strategies_) {
    if (!s.unmanaged || s.unmanaged->to_cancel.empty() || s.flattening) continue;
    StrategySlot::Unmanaged& u = *s.unmanaged;
    std::vector<std::string> working;
    for (const auto& id : u.to_cancel) {
      const TrackedOrder* o = tracker_.find(sdk::ClientOrderId(id));
      if (o != nullptr && !is_final(o->state)) working.push_back(id);
    }
    if (working.empty()) {
      u.to_cancel.clear();
      u.cancels_settled();
      continue;
    }
    // The first heartbeat may come just after the cancels were asked: a second request then
    // would find them pending and be refused. They get one whole interval to end.
    const unsigned waited = ++u.heartbeats_waited;
    if (waited == 1) continue;
    if (waited <= kCancelRetries + 1) {
      u.asked.clear();  // failed, or accepted and lost: asked again
      u.review = true;
      unmanaged_reviews_pending_ = true;
    } else if (!u.stuck_alerted) {
      u.stuck_alerted = true;
      alert(sdk::Severity::Critical, "Orders of a stopped strategy still working",
            s.id + ": " + id_list(working) +
                " could add to its positions or take them past flat and did not end after " +
                std::to_string(kCancelRetries + 1) + " cancel requests; cancel them at the broker",
            {{"strategy", s.id}});
    }
  }
  if (unmanaged_reviews_pending_) review_unmanaged_orders();
}

}  // namespace mercurio::kernel
