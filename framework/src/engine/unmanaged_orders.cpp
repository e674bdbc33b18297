// The orders of a strategy the kernel stopped (the rejection or execution breaker, an exception
// from it; one restored disabled after a restart). It sees no more bars or order events, so nobody
// manages its orders: an entry resting at the venue would still fill and open a position nobody
// watches. The kernel cancels every order that could add to its positions and keeps those that
// only take a position towards flat (its protective stops, its targets), so the position is not
// left unprotected. The kept orders together do not exceed the position: first the protective
// stops that together cover most of it, then the others in the order they were sent, while they
// fit (a position partly left without a stop that way is alerted). A fill of the strategy (one
// of those kept) changes the position, so its orders are reviewed again: a target that filled does
// not leave a stop of the same size to open the opposite position. An order whose cancel is on
// its way is going away: it is neither kept nor counted against the position.
// One exception: when the position shrank below every protective stop (a target whose cancel
// was on its way filled in part), the smallest stop is kept anyway and a CRITICAL alert asks an
// operator to resize it (again if the position changes); brokers offer no safe resize here, and
// cancelling it would leave the position bare.
//
// Reviews run once the inbox is drained (the book then has every fill reported so far), never
// while reconciling at start-up or warming up. Each order to cancel counts its own requests and
// heartbeats: a cancel that failed, or was accepted and did not end within a whole heartbeat
// interval, is asked again at the next heartbeats, four requests in all, then a CRITICAL alert
// names the order.

#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "engine/kernel.hpp"

namespace mercurio::kernel {

namespace {

constexpr unsigned kCancelRequests = 4;  // per order: the first and three more

bool is_stop(const TrackedOrder* o) {
  return o->intent.type == sdk::OrderType::Stop || o->intent.type == sdk::OrderType::StopLimit;
}

// Takes `position` towards flat: a sell of a long position, a buy of a short one.
bool reduces(const TrackedOrder& o, const sdk::Decimal& position) {
  return (position.is_positive() && o.intent.side == sdk::Side::Sell) ||
         (position.is_negative() && o.intent.side == sdk::Side::Buy);
}

// Of `stops` (each reducing the position, none being cancelled; the newest first), those whose
// quantities together cover the most of `room` without exceeding it; among equal covers the
// fewest orders, then the first found: of two equal stops the newer, the strategy's last word (it
// may have been replacing the older one). A symbol has a few stops: every subset is tried up to
// 12, beyond that the largest are taken first.
std::vector<const TrackedOrder*> best_cover(const std::vector<const TrackedOrder*>& stops,
                                            const sdk::Decimal& room) {
  std::vector<const TrackedOrder*> best;
  if (stops.size() > 12) {
    std::vector<const TrackedOrder*> by_size = stops;
    std::stable_sort(by_size.begin(), by_size.end(),
                     [](const auto* a, const auto* b) { return a->remaining() > b->remaining(); });
    sdk::Decimal left = room;
    for (const TrackedOrder* o : by_size)
      if (o->remaining() <= left) {
        best.push_back(o);
        left -= o->remaining();
      }
    return best;
  }
  sdk::Decimal most;  // what `best` covers
  for (unsigned mask = 1; mask < (1u << stops.size()); ++mask) {
    std::vector<const TrackedOrder*> subset;
    sdk::Decimal cover;
    for (std::size_t i = 0; i < stops.size(); ++i)
      if (mask & (1u << i)) {
        subset.push_back(stops[i]);
        cover += stops[i]->remaining();
      }
    if (cover > room) continue;
    if (cover > most || (cover == most && subset.size() < best.size())) {
      most = cover;
      best = std::move(subset);
    }
  }
  return best;
}

// True when `shown` is new for `key` in `last` (first time, or changed since): an alert that
// repeats only when what it reports changes. Records it.
bool changed_since_alerted(std::map<std::string, std::string>& last, const std::string& key,
                           const std::string& shown) {
  const auto [at, first] = last.try_emplace(key, shown);
  if (!first && at->second == shown) return false;
  at->second = shown;
  return true;
}

std::string id_list(const std::vector<std::string>& ids) {
  std::string out;
  for (const auto& id : ids) out += (out.empty() ? "" : ", ") + id;
  return out;
}

}  // namespace

void Kernel::stop_managing(std::size_t si) {
  // Stopped again (an operator's halt of a strategy a breaker stopped): reviewed again, keeping
  // what its cancels and alerts have done so far.
  auto& u = strategies_[si].unmanaged;
  if (u) {
    u->review = true;
    u->reported = false;  // the new stop is logged, as the first was
    u->kill_switch = false;  // stopped now: a resume of trading does not end it
  } else {
    u.emplace();
  }
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
    std::vector<std::string> kept, oversized;
    std::map<std::string, StrategySlot::Unmanaged::Cancel> cancels;  // this review's
    struct OversizedStop {
      std::string id, side, quantity, position;
      sdk::Symbol symbol;
    };
    std::vector<OversizedStop> to_alert;
    std::vector<std::string> partly_covered;
    for (auto& [symbol, orders] : by_symbol) {
      const sdk::Decimal position = s.book.position(symbol).quantity;
      sdk::Decimal room = position.abs();
      std::set<const TrackedOrder*> keep;
      const TrackedOrder* oversized_stop = nullptr;  // kept though larger than the position
      // An order whose cancel is on its way is going away: neither kept nor counted.
      const auto may_keep = [&](const TrackedOrder* o) {
        return !u.asked.contains(o->id.str()) && reduces(*o, position);
      };
      // The stops first: those that together cover most of the position without exceeding it.
      std::vector<const TrackedOrder*> stops;
      for (auto o = orders.rbegin(); o != orders.rend(); ++o)  // newest first
        if (is_stop(*o) && may_keep(*o)) stops.push_back(*o);
      for (const TrackedOrder* o : best_cover(stops, room)) {
        keep.insert(o);
        room -= o->remaining();
        u.oversize_alerted.erase(o->id.str());  // fits again: a later overshoot is alerted anew
      }
      bool partly = false;  // of the position, part has no stop
      if (keep.empty() && !stops.empty()) {
        // No stop fits the position (it shrank below them): the smallest is kept all the same,
        // the position's only protection, and an operator alerted.
        const TrackedOrder* smallest = *std::min_element(
            stops.begin(), stops.end(),
            [](const auto* a, const auto* b) { return a->remaining() < b->remaining(); });
        keep.insert(smallest);
        oversized_stop = smallest;
        room = sdk::Decimal();
        const std::string shown = position.to_string();
        if (changed_since_alerted(u.oversize_alerted, smallest->id.str(), shown))
          to_alert.push_back({smallest->id.str(),
                              std::string(sdk::to_string(smallest->intent.side)),
                              smallest->remaining().to_string(), shown, symbol});
      } else if (room.is_positive() &&
                 std::any_of(orders.begin(), orders.end(), [&](const TrackedOrder* o) {
                   return is_stop(o) && reduces(*o, position) && !keep.contains(o);
                 })) {
        // Part of the position has no stop: those left out would take it past flat, those being
        // cancelled were to go when the position was another (flat, say).
        partly = true;
        const std::string shown = position.to_string();
        if (changed_since_alerted(u.cover_alerted, symbol.str(), shown))
          partly_covered.push_back(symbol.str() + " position " + shown + ", its stops kept cover " +
                                   (position.abs() - room).to_string());
      }
      if (!partly) u.cover_alerted.erase(symbol.str());  // covered again: a later gap is news
      // Then its other exits, in the order sent, while they fit.
      for (const TrackedOrder* o : orders)
        if (!is_stop(o) && may_keep(o) && o->remaining() <= room) {
          keep.insert(o);
          room -= o->remaining();
        }
      for (const TrackedOrder* o : orders) {
        if (keep.contains(o)) {
          (o == oversized_stop ? oversized : kept).push_back(o->id.str());
          continue;
        }
        // Known to the last review: its heartbeats and requests so far. A refused cancel is
        // asked again only when a heartbeat says so (`due`), not at every fill of the strategy.
        const auto known = u.cancels.find(o->id.str());
        const auto& c = cancels[o->id.str()] =
            known != u.cancels.end() ? known->second : StrategySlot::Unmanaged::Cancel{};
        if (!u.asked.contains(o->id.str()) && (c.requests == 0 || c.due))
          cancel_now.push_back(o->id);
      }
    }
    std::vector<std::string> asked_now, failed;
    std::string failures;
    for (const sdk::ClientOrderId& id : cancel_now) {  // cancel() may post events to the inbox
      const sdk::Status status = cancel_order(si, id);
      StrategySlot::Unmanaged::Cancel& c = cancels[id.str()];
      ++c.requests;
      c.due = false;
      if (status.is_ok()) {
        u.asked.insert(id.str());
        asked_now.push_back(id.str());
        continue;
      }
      failed.push_back(id.str());
      log_.error("could not cancel " + id.str() + " of stopped strategy " + s.id + ": " +
                 status.message());
      // A request asked again may be refused only because the first one is still pending at
      // the broker: alerted once the retries are spent, not here.
      if (c.requests == 1)
        failures += (failures.empty() ? "" : "; ") + id.str() + " (" + status.message() + ")";
    }
    u.cancels = std::move(cancels);
    if (u.cancels.empty()) u.failure_alerted = false;  // a later episode is alerted again
    for (const OversizedStop& o : to_alert)
      alert(sdk::Severity::Critical, "Stop of a stopped strategy exceeds its position",
            s.id + ": " + o.id + " " + o.side + "s " + o.quantity + " " + o.symbol.str() +
                " while the position is " + o.position +
                "; kept so the position stays protected, but if it triggers it takes the "
                "position past flat: resize or replace it at the broker",
            {{"strategy", s.id}, {"symbol", o.symbol.str()}});
    if (!partly_covered.empty())
      alert(sdk::Severity::Critical, "Position of a stopped strategy partly unprotected",
            s.id + ": " + id_list(partly_covered) +
                "; its other stops are cancelled or being cancelled (with them the stops would "
                "take the position past flat, or they were cancelled when it was another): "
                "protect the rest at the broker",
            {{"strategy", s.id}});
    if (asked_now.empty() && failed.empty() && (u.reported || (kept.empty() && oversized.empty())))
      continue;
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
    if (!oversized.empty())
      note += "; kept " + std::to_string(oversized.size()) +
              " stop(s) larger than the position, its only protection (" + id_list(oversized) + ")";
    log_.warn("strategy " + s.id + (u.kill_switch ? " held by the operator's halt" : " stopped") +
              note);
    if (!failures.empty() && !u.failure_alerted) {
      u.failure_alerted = true;
      alert(sdk::Severity::Critical, "Orders of a stopped strategy not cancelled",
            s.id + ": could not cancel " + failures +
                ": orders that could add to its positions or take them past flat; asked again "
                "at the next heartbeats",
            {{"strategy", s.id}});
    }
  }
}

void Kernel::unmanaged_fill(std::size_t si, const sdk::OrderEvent& fill,
                            const sdk::Decimal& before) {
  StrategySlot& s = strategies_[si];
  s.unmanaged->review = true;  // its position changed: what its orders may keep changes too
  unmanaged_reviews_pending_ = true;
  const sdk::Decimal after = s.book.position(fill.symbol).quantity;
  const bool crossed = (before.is_positive() && after.is_negative()) ||
                       (before.is_negative() && after.is_positive());
  if (!crossed && after.abs() <= before.abs()) return;
  const std::string growth = s.id + ": " + fill.symbol.str() + " " + before.to_string() + " -> " +
                             after.to_string() + " after a fill of " + fill.client_order_id.str();
  // A large order filling in many parts is one alert, at its first part (saying how much more may
  // fill); the others are logged. A fill across flat is always alerted: the last alert may have
  // told of the other side (another order's fill in between).
  if (!s.unmanaged->grew_alerted.insert(fill.client_order_id.str()).second && !crossed) {
    log_.warn("position of stopped strategy " + growth);
    return;
  }
  alert(sdk::Severity::Critical, "Position of a stopped strategy grew",
        growth +
            (fill.leaves_quantity.is_positive()
                 ? ", " + fill.leaves_quantity.to_string() + " more of that order may still fill"
                 : std::string()) +
            " (an order that filled before it could be cancelled, or a stop past flat); " +
            (s.flattening ? "the flatten of the strategy in progress closes it"
             : s.unmanaged->kill_switch
                 ? "trading is HALTED by an operator: the strategy sends nothing until a resume; "
                   "close it at the broker or flatten the strategy"
                 : "nobody manages this position: close it at the broker or flatten the "
                   "strategy"),
        {{"strategy", s.id}, {"symbol", fill.symbol.str()}});
}

void Kernel::retry_unmanaged_cancels() {
  for (StrategySlot& s : strategies_) {
    if (!s.unmanaged || s.unmanaged->cancels.empty() || s.flattening) continue;
    StrategySlot::Unmanaged& u = *s.unmanaged;
    std::vector<std::string> stuck;
    for (auto it = u.cancels.begin(); it != u.cancels.end();) {
      const TrackedOrder* o = tracker_.find(sdk::ClientOrderId(it->first));
      if (o == nullptr || is_final(o->state)) {
        it = u.cancels.erase(it);
        continue;
      }
      StrategySlot::Unmanaged::Cancel& c = it->second;
      // Each order counts its own heartbeats from its first request. The first may come just
      // after it: a second request then would find the cancel pending and be refused. Every
      // cancel gets one whole interval to end.
      const unsigned waited = ++c.heartbeats;
      if (waited >= 2 && c.requests < kCancelRequests) {
        u.asked.erase(it->first);  // failed, or accepted and lost: asked again
        c.due = true;
        u.review = true;
        unmanaged_reviews_pending_ = true;
      } else if (waited >= 2 && !c.stuck_alerted) {
        c.stuck_alerted = true;
        stuck.push_back(it->first + " (" + std::to_string(c.requests) + " cancel requests)");
      }
      ++it;
    }
    if (u.cancels.empty()) u.failure_alerted = false;
    if (!stuck.empty())
      alert(sdk::Severity::Critical, "Orders of a stopped strategy still working",
            s.id + ": " + id_list(stuck) +
                " could add to its positions or take them past flat and did not end; cancel "
                "them at the broker",
            {{"strategy", s.id}});
  }
  if (unmanaged_reviews_pending_) review_unmanaged_orders();
}

}  // namespace mercurio::kernel
