#include "order_book.hpp"

#include <algorithm>

namespace mercurio::brokers::alpaca {

using sdk::Decimal;
using sdk::OrderEventType;

OrderBook::Entry* OrderBook::find(const sdk::ClientOrderId& id) {
  auto it = orders_.find(id.str());
  return it == orders_.end() ? nullptr : &it->second;
}

OrderBook::Entry* OrderBook::find_venue(const std::string& venue_id) {
  auto it = by_venue_.find(venue_id);
  if (it == by_venue_.end()) return nullptr;
  return find(sdk::ClientOrderId(it->second));
}

std::optional<std::string> OrderBook::venue_id(const sdk::ClientOrderId& id) const {
  auto it = orders_.find(id.str());
  if (it == orders_.end() || it->second.venue_id.empty()) return std::nullopt;
  return it->second.venue_id;
}

std::optional<sdk::ClientOrderId> OrderBook::client_id_of(const std::string& venue_id) const {
  auto it = by_venue_.find(venue_id);
  if (it == by_venue_.end()) return std::nullopt;
  return sdk::ClientOrderId(it->second);
}

std::vector<sdk::ClientOrderId> OrderBook::open_ids() const {
  std::vector<const Entry*> open;
  for (const auto& [key, e] : orders_)
    if (!e.final_sent && !e.held_by_another) open.push_back(&e);
  std::sort(open.begin(), open.end(), [](const Entry* a, const Entry* b) { return a->seq < b->seq; });
  std::vector<sdk::ClientOrderId> ids;
  for (const auto* e : open) ids.push_back(e->id);
  return ids;
}

OrderBook::Entry& OrderBook::upsert(const sdk::OrderStatusReport& r) {
  auto [it, inserted] = orders_.try_emplace(r.client_order_id.str());
  Entry& e = it->second;
  if (inserted) {
    e.id = r.client_order_id;
    e.seq = next_seq_++;
  }
  if (!r.venue_order_id.empty()) {
    e.venue_id = r.venue_order_id;
    by_venue_[r.venue_order_id] = r.client_order_id.str();
  }
  e.confirmed = true;
  if (!r.intent.symbol.empty()) e.symbol = r.intent.symbol;
  e.side = r.intent.side;
  if (r.intent.quantity.is_positive()) e.quantity = r.intent.quantity;
  return e;
}

sdk::OrderEvent OrderBook::base_event(const Entry& e, OrderEventType type, sdk::Timestamp ts) const {
  sdk::OrderEvent ev;
  ev.type = type;
  ev.client_order_id = e.id;
  ev.symbol = e.symbol;
  ev.side = e.side;
  ev.ts = ts;
  ev.venue_order_id = e.venue_id;
  const Decimal leaves = e.quantity - e.reported_filled;
  ev.leaves_quantity = leaves.is_negative() ? Decimal() : leaves;
  return ev;
}

void OrderBook::accept(Entry& e, sdk::Timestamp ts, Output& out) {
  if (e.accepted_sent || e.final_sent) return;
  e.accepted_sent = true;
  out.events.push_back(base_event(e, OrderEventType::Accepted, ts));
}

void OrderBook::fill_to(Entry& e, Decimal cumulative, std::optional<Decimal> price,
                        std::optional<Decimal> avg_price, sdk::Timestamp ts, Output& out) {
  const Decimal delta = cumulative - e.reported_filled;
  if (!delta.is_positive()) return;  // already reported (duplicate or replayed news)
  // This fill's price: the execution price when the news is exactly this fill; otherwise (news
  // covering several fills, e.g. after a gap) the price that makes the reported notional match
  // the venue's average price.
  std::optional<Decimal> fill_price = price;
  if (!fill_price && avg_price) {
    fill_price = (*avg_price * cumulative - e.reported_notional) / delta;
  }
  if (!fill_price) {
    out.anomalies.emplace_back(e.symbol, sdk::Status(sdk::StatusCode::Internal,
                                                     "alpaca: fill of " + e.id.str() + " without a price"));
    return;
  }
  // Worked out before anything changes: absurd numbers (a DecimalError) leave the order as it was.
  const Decimal notional = e.reported_notional + delta * *fill_price;
  accept(e, ts, out);
  e.reported_filled = cumulative;
  e.reported_notional = notional;
  const bool complete = e.quantity.is_positive() && e.reported_filled >= e.quantity;
  auto ev = base_event(e, complete ? OrderEventType::Filled : OrderEventType::PartiallyFilled, ts);
  ev.trade_id = fill_trade_id(e.venue_id, cumulative);
  ev.fill_quantity = delta;
  ev.fill_price = *fill_price;
  out.events.push_back(ev);
  if (complete) e.final_sent = true;
}

void OrderBook::finish(Entry& e, OrderEventType type, sdk::Timestamp ts, std::string reason, Output& out) {
  if (e.final_sent) return;
  if (type != OrderEventType::Rejected) accept(e, ts, out);
  e.final_sent = true;
  auto ev = base_event(e, type, ts);
  ev.leaves_quantity = Decimal();
  ev.reason = std::move(reason);
  out.events.push_back(ev);
}

void OrderBook::adopt(const VenueOrder& order) {
  Entry& e = upsert(order.report);
  e.accepted_sent = true;
  e.reported_filled = order.report.filled_quantity;
  if (order.filled_avg_price) e.reported_notional = *order.filled_avg_price * order.report.filled_quantity;
}

bool OrderBook::expect(const sdk::ClientOrderId& id, const sdk::OrderIntent& intent,
                       sdk::Timestamp approved_at) {
  auto [it, inserted] = orders_.try_emplace(id.str());
  if (!inserted) return false;
  Entry& e = it->second;
  e.id = id;
  e.seq = next_seq_++;
  e.symbol = intent.symbol;
  e.side = intent.side;
  e.quantity = intent.quantity;
  e.approved_at = approved_at;
  return true;
}

void OrderBook::refuse_as_held_by_another(const sdk::ClientOrderId& id,
                                          const sdk::OrderIntent& intent) {
  if (const auto it = orders_.find(id.str()); it != orders_.end()) drop(it);
  expect(id, intent, sdk::Timestamp{INT64_MIN});
  orders_.at(id.str()).held_by_another = true;
}

bool OrderBook::forget(const sdk::ClientOrderId& id) {
  auto it = orders_.find(id.str());
  if (it == orders_.end() || it->second.confirmed || it->second.anomaly_sent) return false;
  drop(it);
  return true;
}

void OrderBook::drop(std::map<std::string, Entry>::iterator it) {
  if (!it->second.venue_id.empty()) by_venue_.erase(it->second.venue_id);
  orders_.erase(it);
}

OrderBook::Output OrderBook::track(const VenueOrder& order, sdk::Timestamp now) {
  return apply_snapshot(order, now);  // the POST's reply describes this very order
}

bool OrderBook::contradicts_expected(Entry* e, const sdk::OrderStatusReport& r,
                                     std::optional<sdk::Timestamp> created_at, Output& out) {
  if (e == nullptr || e->confirmed) return false;
  const bool older = taken_before_approval(created_at, e->approved_at);
  if (same_terms(*e, r.intent) && !older) return false;
  if (!e->other_order_raised) {
    e->other_order_raised = true;
    out.anomalies.emplace_back(
        e->symbol,
        sdk::Status(sdk::StatusCode::Unknown,
                    "alpaca: the order Alpaca holds under client_order_id " + e->id.str() +
                        " is another one (" + std::string(sdk::to_string(r.intent.side)) + " " +
                        r.intent.quantity.to_string() + " " + r.intent.symbol.str() + ", sent as " +
                        std::string(sdk::to_string(e->side)) + " " + e->quantity.to_string() + " " +
                        e->symbol.str() +
                        (older ? ", taken " + created_at->to_iso8601() +
                                     ", before it was approved at " + e->approved_at.to_iso8601()
                               : std::string()) +
                        "): not taken as this order"));
  }
  return true;
}

OrderBook::Output OrderBook::on_snapshot(const VenueOrder& order, sdk::Timestamp now) {
  Output out;
  Entry* e = find(order.report.client_order_id);
  // Forgotten (refused) while it was read, never ours, or another order's id.
  if (e == nullptr || e->held_by_another) return out;
  if (contradicts_expected(e, order.report, order.created_at, out)) return out;
  return apply_snapshot(order, now);
}

OrderBook::Output OrderBook::apply_snapshot(const VenueOrder& order, sdk::Timestamp now) {
  Output out;
  Entry& e = upsert(order.report);
  const auto ts = order.updated_at.ns != 0 ? order.updated_at : now;
  const auto& r = order.report;
  if (r.filled_quantity > e.reported_filled) {
    // A snapshot only knows the average price: the exact per-fill prices come from the
    // activities API, which the poller reads first; this is the fallback when it lags.
    fill_to(e, r.filled_quantity, std::nullopt, order.filled_avg_price, ts, out);
    if (r.filled_quantity > e.reported_filled) return out;  // could not report the fill yet
  }
  if (r.open || r.status == OrderEventType::Filled) {
    if (r.status == OrderEventType::Accepted || r.status == OrderEventType::PartiallyFilled) accept(e, ts, out);
    return out;
  }
  finish(e, r.status, ts, "alpaca status " + std::string(sdk::to_string(r.status)), out);
  return out;
}

OrderBook::Output OrderBook::on_trade_update(const TradeUpdate& u) {
  Output out;
  if (!u.status) {
    Entry* e = find(u.order.client_order_id);
    if (e == nullptr && !u.venue_order_id.empty()) e = find_venue(u.venue_order_id);
    // Not ours (a marker's id is another order's), or already raised.
    if (e == nullptr || e->held_by_another || e->anomaly_sent) return out;
    e->anomaly_sent = true;
    out.anomalies.emplace_back(u.order.intent.symbol,
                               sdk::Status(sdk::StatusCode::Unknown, "alpaca: order " + u.order.client_order_id.str() +
                                                                          " has status \"" + u.raw_status +
                                                                          "\" (event \"" + u.event +
                                                                          "\") which this plugin cannot interpret"));
    return out;
  }
  Entry* known = find(u.order.client_order_id);
  if (known == nullptr || known->held_by_another) return out;  // not ours
  if (contradicts_expected(known, u.order, u.created_at, out)) return out;
  Entry& e = upsert(u.order);
  if (u.order.filled_quantity > e.reported_filled) {
    // Exact price only when this event is exactly the missing quantity.
    const bool exact = u.qty && u.price && (u.order.filled_quantity - e.reported_filled) == *u.qty;
    fill_to(e, u.order.filled_quantity, exact ? u.price : std::nullopt, u.filled_avg_price, u.ts, out);
  }
  const auto& s = *u.status;
  if (s.open || s.type == OrderEventType::Filled) {
    if (u.event == "new" || u.event == "accepted" || u.event == "pending_new" || s.type != OrderEventType::Accepted)
      accept(e, u.ts, out);
    return out;
  }
  if (u.order.filled_quantity > e.reported_filled) return out;  // fill not reportable yet: keep open
  finish(e, s.type, u.ts, "alpaca event " + u.event, out);
  return out;
}

OrderBook::Output OrderBook::on_fill_activity(const FillActivity& f) {
  Output out;
  Entry* e = find_venue(f.venue_order_id);
  if (e == nullptr) return out;
  // Activities are read oldest first, so the increase is this activity's quantity; were one
  // skipped, its quantity would be reported at this activity's price (the best known).
  fill_to(*e, f.cumulative, f.event.fill_price, std::nullopt, f.event.ts, out);
  return out;
}

OrderBook::Output OrderBook::on_unknown_status(const sdk::ClientOrderId& id, const sdk::Status& status) {
  Output out;
  Entry* e = find(id);
  if (e == nullptr || e->held_by_another || e->anomaly_sent) return out;
  e->anomaly_sent = true;
  out.anomalies.emplace_back(e->symbol, status);
  return out;
}

}  // namespace mercurio::brokers::alpaca
