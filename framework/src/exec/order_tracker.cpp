#include "exec/order_tracker.hpp"

#include <algorithm>
#include <cassert>
#include <charconv>
#include <cstring>
#include <stdexcept>

namespace mercurio::kernel {

namespace {
template <class Table>
typename Table::value_type& grown_to(Table& table, std::size_t index) {
  table.resize(index + 1);
  return table[index];
}
// The entry at `index`, the table grown to hold it (indices are small and dense). The growth is
// a function of its own so that what is left is small enough to inline: the order path asks
// several times per order, and the table has nearly always grown already.
template <class Table>
typename Table::value_type& at_growing(Table& table, std::size_t index) {
  if (index < table.size()) [[likely]]
    return table[index];
  return grown_to(table, index);
}
// The decimal number in [first, last) plus one, in place; false (and all zeros) when it was all nines.
bool count_up_in_place(char* first, char* last) noexcept {
  while (last != first) {
    char& digit = *--last;
    if (digit != '9') {
      ++digit;
      return true;
    }
    digit = '0';
  }
  return false;  // all nines: the number needs one more digit
}
}  // namespace

std::string_view to_string(OrderState state) noexcept {
  switch (state) {
    case OrderState::Submitted: return "submitted";
    case OrderState::Accepted: return "accepted";
    case OrderState::PartiallyFilled: return "partially_filled";
    case OrderState::Filled: return "filled";
    case OrderState::Canceled: return "canceled";
    case OrderState::Rejected: return "rejected";
    case OrderState::Expired: return "expired";
  }
  return "?";
}

sdk::ClientOrderId OrderTracker::next_id(std::size_t strategy_index, const std::string& strategy_id) {
  IdText& id = at_growing(id_texts_, strategy_index);
  if (id.sequence == nullptr) id.sequence = &sequence_[strategy_id];
  // One index, one strategy id: the text kept for the index starts with it.
  assert(id.spelled == 0 || std::string_view(id.text, id.digits_at - 1) ==
                                std::string_view(strategy_id).substr(0, sdk::ClientOrderId::kCapacity + 1));
  const std::uint64_t seq = ++*id.sequence;
  const bool counted_up = id.spelled != 0 && seq == id.spelled + 1 &&
                          count_up_in_place(id.text + id.digits_at, id.text + id.size);
  if (!counted_up) {
    // The first id, a sequence continued from the journal, or one more digit: spelled out whole,
    // in a fixed buffer ("<id>-<n>" is often longer than a std::string's inline one). A longer
    // strategy id is cut one past the capacity: the constructor below throws for it.
    const std::size_t n = std::min(strategy_id.size(), sdk::ClientOrderId::kCapacity + 1);
    std::memcpy(id.text, strategy_id.data(), n);
    id.text[n] = '-';
    id.digits_at = n + 1;
    const char* end = std::to_chars(id.text + id.digits_at, id.text + sizeof id.text, seq).ptr;
    id.size = static_cast<std::size_t>(end - id.text);
  }
  id.spelled = seq;
  return sdk::ClientOrderId(std::string_view(id.text, id.size));
}

std::uint64_t OrderTracker::last_sequence(const std::string& strategy_id) const {
  auto it = sequence_.find(strategy_id);
  return it == sequence_.end() ? 0 : it->second;
}

void OrderTracker::continue_sequence(const std::string& strategy_id, std::uint64_t last) {
  auto& seq = sequence_[strategy_id];
  if (last > seq) seq = last;
}

bool RecentTradeIds::insert(const sdk::TradeId& id) {
  if (!ids_.insert(id).second) return false;
  oldest_first_.push_back(id);
  if (oldest_first_.size() > capacity_) {
    ids_.erase(oldest_first_.front());
    oldest_first_.pop_front();
  }
  return true;
}

RecentTradeIds& OrderTracker::unclaimed(std::size_t broker_index) {
  while (unclaimed_trade_ids_.size() <= broker_index) unclaimed_trade_ids_.emplace_back(retained_unclaimed_);
  return unclaimed_trade_ids_[broker_index];
}

void OrderTracker::remember_fill(std::size_t broker_index, const sdk::ClientOrderId& order, const sdk::TradeId& trade_id) {
  const std::size_t slot = slot_of(order);
  if (slot != npos && slots_[slot].order.broker_index == broker_index) {
    auto& ids = slots_[slot].trade_ids;
    if (std::find(ids.begin(), ids.end(), trade_id) == ids.end()) ids.push_back(trade_id);
  } else {
    unclaimed(broker_index).insert(trade_id);
  }
}

void OrderTracker::note_open_symbol(const Slot& slot, bool was_open) {
  const OpenQuantities& q = *slot.open_quantity;
  if (q.any() == was_open) return;  // most events: the symbol keeps other open orders, or this one
  const TrackedOrder& o = slot.order;
  auto& symbols = at_growing(open_symbols_, o.broker_index);
  if (!was_open) {
    symbols.push_back(o.intent.symbol);
  } else if (auto it = std::find(symbols.begin(), symbols.end(), o.intent.symbol); it != symbols.end()) {
    *it = symbols.back();
    symbols.pop_back();
  }
}

void OrderTracker::account_open(const Slot& slot, int direction) {
  const TrackedOrder& o = slot.order;
  const sdk::Decimal remaining = o.remaining().times(direction);
  OpenQuantities& q = *slot.open_quantity;
  (o.intent.side == sdk::Side::Buy ? q.buy : q.sell) += remaining;
  auto& t = at_growing(open_totals_, o.broker_index);
  const sdk::Decimal value = remaining * o.reserved_price;
  t.notional += value;
  if (o.intent.side == sdk::Side::Buy) t.buy_notional += value;
}

OrderTracker::OpenEntries OrderTracker::open_entries(std::size_t strategy_index, std::size_t broker_index,
                                                     const sdk::Symbol& symbol) {
  return {&at_growing(open_by_strategy_, strategy_index)[symbol], &at_growing(open_quantity_, broker_index)[symbol]};
}

bool OrderTracker::entries_of(const TrackedOrder& order, OpenEntries entries) const {
  if (order.strategy_index >= open_by_strategy_.size() || order.broker_index >= open_quantity_.size()) return false;
  const auto& counts = open_by_strategy_[order.strategy_index];
  const auto& quantities = open_quantity_[order.broker_index];
  const auto c = counts.find(order.intent.symbol);
  const auto q = quantities.find(order.intent.symbol);
  return c != counts.end() && q != quantities.end() && entries.count_ == &c->second && entries.quantities_ == &q->second;
}

TrackedOrder& OrderTracker::add(TrackedOrder order) {
  // The empty id is reserve_add()'s own, for making an index node (and no broker could match it).
  if (order.id.empty())
    throw std::invalid_argument("an order without a client order id cannot be tracked");
  const OpenEntries entries = open_entries(order.strategy_index, order.broker_index, order.intent.symbol);
  return add(std::move(order), entries);
}

void OrderTracker::make_room_for_add(std::size_t broker_index) {
  if (free_slots_.empty()) {
    slots_.emplace_back();  // first: were the push below to throw, the slot is only unused
    free_slots_.push_back(slots_.size() - 1);
  }
  if (spare_index_nodes_.empty()) {
    // A node is made by inserting one: under the empty id, which no order has (ids are checked
    // non-empty before any order is added), and taken straight out again.
    auto made = open_index_.try_emplace(sdk::ClientOrderId{}, npos);
    if (made.second) spare_index_nodes_.push_back(open_index_.extract(made.first));
  }
  if (!index_has_room()) open_index_.reserve(2 * open_index_.size() + 2);
  at_growing(open_totals_, broker_index);
  auto& symbols = at_growing(open_symbols_, broker_index);
  if (symbols.size() == symbols.capacity()) symbols.reserve(2 * symbols.size() + 1);
}

void OrderTracker::check_open_sums(const TrackedOrder& o, const OpenQuantities& q) const {
  const sdk::Decimal remaining = o.remaining();
  const sdk::Decimal value = remaining * o.reserved_price;
  const OpenOrderTotals& t = open_totals_[o.broker_index];
  // The sums are made and dropped: each operator throws on overflow, as account_open's would.
  // Keep the two in step. Sharing one helper (a dry run on copies, or sums returned in a struct)
  // measured 130 -> 140 ns p50 on the order path, so the few lines are written twice.
  if (o.intent.side == sdk::Side::Buy) {
    (void)(q.buy + remaining);
    (void)(t.buy_notional + value);
  } else {
    (void)(q.sell + remaining);
  }
  (void)(t.notional + value);
}

TrackedOrder& OrderTracker::add(TrackedOrder&& order, OpenEntries entries) {
  // Entries of another strategy, broker or symbol would corrupt the counts the risk gate reads.
  assert(entries_of(order, entries));
  assert(!order.id.empty());
  std::size_t slot;
  if (!free_slots_.empty()) {
    slot = free_slots_.back();
    free_slots_.pop_back();
  } else {
    slot = slots_.size();
    slots_.emplace_back();
  }
  Slot& target = slots_[slot];
  target.open_count = entries.count_;
  target.open_quantity = entries.quantities_;
  target.order = std::move(order);
  target.sequence = ++added_;
  target.trade_ids.clear();  // a reused slot's: they belonged to the forgotten order
  TrackedOrder& added = target.order;
  if (is_final(added.state)) {  // recovered final: counted as retained, never as open
    retire_beyond_limit(slot);
    return added;
  }
  if (!spare_index_nodes_.empty()) {  // an entry an order left behind: no allocation per order
    OpenIndex::node_type node = std::move(spare_index_nodes_.back());
    spare_index_nodes_.pop_back();
    node.key() = added.id;
    node.mapped() = slot;
    auto inserted = open_index_.insert(std::move(node));
    // An id already open: the index is left as emplace would leave it, and the entry kept.
    if (!inserted.inserted) spare_index_nodes_.push_back(std::move(inserted.node));
  } else {
    open_index_.emplace(added.id, slot);
  }
  ++*target.open_count;
  OpenOrderTotals& totals = at_growing(open_totals_, added.broker_index);
  ++totals.count;
  if (added.unpriced) ++totals.unpriced;
  const bool was_open = target.open_quantity->any();
  account_open(target, +1);
  note_open_symbol(target, was_open);
  return added;
}

void OrderTracker::retire_beyond_limit(std::size_t slot) {
  if (final_slots_.full()) {  // the oldest retained final order is forgotten
    const std::size_t forgotten = final_slots_.front().slot;
    free_slots_.push_back(forgotten);  // the next add() overwrites it (and frees what it held)
    final_slots_.pop_front();
    // Last touched thousands of orders ago, it is out of the caches: without this, the next add()
    // waits on its cache lines (a few hundred ns per order in a backtest's replay).
    const char* bytes = reinterpret_cast<const char*>(&slots_[forgotten]);
    for (std::size_t at = 0; at < sizeof(Slot); at += 64) __builtin_prefetch(bytes + at, 1);
  }
  final_slots_.push_back({slots_[slot].order.id.hash(), slot});
}

std::size_t OrderTracker::slot_of(const sdk::ClientOrderId& id) const {
  if (auto it = open_index_.find(id); it != open_index_.end()) return it->second;
  return retained_slot_of(id);
}

std::size_t OrderTracker::retained_slot_of(const sdk::ClientOrderId& id) const {
  const std::size_t hash = id.hash();
  for (auto f = final_slots_.rbegin(); f != final_slots_.rend(); ++f)
    if (f->hash == hash && slots_[f->slot].order.id == id) return f->slot;
  return npos;
}

const TrackedOrder* OrderTracker::find(const sdk::ClientOrderId& id) const {
  const std::size_t slot = slot_of(id);
  return slot == npos ? nullptr : &slots_[slot].order;
}

std::string invalid_fill_reason(const sdk::OrderEvent& e) {
  if (!e.fill_quantity.is_positive()) return "fill quantity must be > 0, was " + e.fill_quantity.to_string();
  if (!e.fill_price.is_positive()) return "fill price must be > 0, was " + e.fill_price.to_string();
  if (e.commission.is_negative()) return "commission must be >= 0, was " + e.commission.to_string();
  if (e.trade_id.empty()) return "fill without a trade id (fills are deduplicated by it)";
  if (e.symbol.empty()) return "fill without a symbol";
  return {};
}

EventVerdict OrderTracker::apply(std::size_t broker_index, const sdk::OrderEvent& e, const TrackedOrder** found) {
  if (found) *found = nullptr;
  if (e.is_fill() && !invalid_fill_reason(e).empty()) return EventVerdict::InvalidFill;
  const auto open = open_index_.find(e.client_order_id);
  const std::size_t slot = open != open_index_.end() ? open->second : retained_slot_of(e.client_order_id);
  if (slot == npos) {
    if (e.is_fill() && !unclaimed(broker_index).insert(e.trade_id)) return EventVerdict::DuplicateFill;
    return EventVerdict::UnknownOrder;
  }
  Slot& held = slots_[slot];  // indexing a deque is arithmetic and two loads: done once
  TrackedOrder& order = held.order;
  if (found) *found = &order;  // still held after this event: retire_beyond_limit never forgets it
  if (!event_fits_order(order, broker_index, e)) {
    // A contradicting fill is booked as external: its trade id is remembered as one (a repeat of
    // it is a duplicate, not booked again).
    if (e.is_fill() && !unclaimed(broker_index).insert(e.trade_id))
      return EventVerdict::DuplicateFill;
    return EventVerdict::Inconsistent;
  }
  if (e.is_fill()) {
    // The same trade seen before, for this order or unclaimed (e.g. first reported without its id).
    auto& ids = held.trade_ids;
    if (std::find(ids.begin(), ids.end(), e.trade_id) != ids.end()) return EventVerdict::DuplicateFill;
    if (broker_index < unclaimed_trade_ids_.size() && unclaimed_trade_ids_[broker_index].contains(e.trade_id))
      return EventVerdict::DuplicateFill;
    ids.push_back(e.trade_id);
  }
  if (is_final(order.state)) {
    if (!e.is_fill()) return EventVerdict::AfterFinal;
    order.filled_quantity += e.fill_quantity;
    order.commission += e.commission;
    return EventVerdict::FillAfterFinal;
  }

  EventVerdict verdict = EventVerdict::Applied;
  // Compared once the event is booked (not between the two steps below): a partial fill of the
  // symbol's only open order does not take the symbol off the list and put it back.
  const bool was_open = held.open_quantity->any();
  account_open(held, -1);  // take the remainder out, put what is left back in below
  switch (e.type) {
    case sdk::OrderEventType::Accepted:
      if (order.state == OrderState::Submitted) order.state = OrderState::Accepted;
      break;
    case sdk::OrderEventType::PartiallyFilled:
    case sdk::OrderEventType::Filled:
      order.filled_quantity += e.fill_quantity;
      order.commission += e.commission;
      if (order.filled_quantity > order.intent.quantity) verdict = EventVerdict::Overfill;
      order.state = (e.type == sdk::OrderEventType::Filled || order.filled_quantity >= order.intent.quantity)
                        ? OrderState::Filled
                        : OrderState::PartiallyFilled;
      break;
    case sdk::OrderEventType::Rejected: order.state = OrderState::Rejected; break;
    case sdk::OrderEventType::Canceled: order.state = OrderState::Canceled; break;
    case sdk::OrderEventType::Expired: order.state = OrderState::Expired; break;
  }
  if (!e.reason.empty()) order.last_reason = e.reason;
  if (is_final(order.state)) {
    std::size_t& count = *held.open_count;
    if (count > 0) --count;
    OpenOrderTotals& totals = at_growing(open_totals_, order.broker_index);
    if (totals.count > 0) --totals.count;
    if (order.unpriced && totals.unpriced > 0) --totals.unpriced;
    // Found there: an order that was not final is always in the open index. Its entry is kept for
    // a later add while there is room (reserved: no allocation), freed otherwise.
    OpenIndex::node_type node = open_index_.extract(open);
    if (spare_index_nodes_.size() < std::min(kSpareIndexNodes, spare_index_nodes_.capacity()))
      spare_index_nodes_.push_back(std::move(node));
    note_open_symbol(held, was_open);
    retire_beyond_limit(slot);  // may forget an older final order, never this one
  } else {
    account_open(held, +1);
    note_open_symbol(held, was_open);
  }
  return verdict;
}

std::size_t OrderTracker::price_unpriced(std::size_t broker_index, const sdk::Symbol& symbol,
                                         sdk::Decimal price) {
  if (broker_index >= open_totals_.size() || open_totals_[broker_index].unpriced == 0) return 0;
  std::size_t priced = 0;
  for (const auto& [id, slot] : open_index_) {
    Slot& held = slots_[slot];
    TrackedOrder& o = held.order;
    if (!o.unpriced || o.broker_index != broker_index || o.intent.symbol != symbol) continue;
    // Taken out of the sums (at zero value) and put back at the price, as any event re-values an
    // order; on an overflow it goes back at zero, still unpriced (the gate keeps refusing).
    account_open(held, -1);
    o.reserved_price = price;
    try {
      check_open_sums(o, *held.open_quantity);
    } catch (const sdk::DecimalError&) {
      o.reserved_price = sdk::Decimal{};
      account_open(held, +1);
      continue;
    }
    account_open(held, +1);
    o.unpriced = false;
    --open_totals_[broker_index].unpriced;
    ++priced;
  }
  return priced;
}

std::vector<const TrackedOrder*> OrderTracker::open_orders() const {
  // Rare (cancel-all, flatten, reconciliation): a scan of what is held, sorted by submission.
  std::vector<const Slot*> open;
  for (const auto& [id, slot] : open_index_) open.push_back(&slots_[slot]);
  std::sort(open.begin(), open.end(), [](const Slot* a, const Slot* b) { return a->sequence < b->sequence; });
  std::vector<const TrackedOrder*> out;
  out.reserve(open.size());
  for (const Slot* s : open) out.push_back(&s->order);
  return out;
}

OpenQuantities OrderTracker::open_quantities(std::size_t broker_index, const sdk::Symbol& symbol) const {
  if (broker_index >= open_quantity_.size()) return {};
  const auto& quantities = open_quantity_[broker_index];
  auto s = quantities.find(symbol);
  return s == quantities.end() ? OpenQuantities{} : s->second;
}

const OpenQuantities& OrderTracker::open_quantities_entry(std::size_t broker_index, const sdk::Symbol& symbol) {
  return at_growing(open_quantity_, broker_index)[symbol];
}

OpenOrderTotals OrderTracker::open_totals(std::size_t broker_index) const {
  return broker_index < open_totals_.size() ? open_totals_[broker_index] : OpenOrderTotals{};
}

std::size_t OrderTracker::open_count(std::size_t strategy_index, const sdk::Symbol& symbol) const {
  if (strategy_index >= open_by_strategy_.size()) return 0;
  const auto& counts = open_by_strategy_[strategy_index];
  auto c = counts.find(symbol);
  return c == counts.end() ? 0 : c->second;
}

}  // namespace mercurio::kernel
