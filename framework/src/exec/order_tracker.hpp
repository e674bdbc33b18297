#pragma once
// Every order the kernel sent: who owns it, where it went, what the broker said since.
//
// Memory stays bounded in a process that runs for months: every open order is kept, and of the
// final ones only the most recent `retained_final` (default 4,096); older final orders are
// forgotten (the journal keeps them all). A broker event for a forgotten order is an unknown
// order's: a fill is booked on the account as external and alerted, as after a restart, which
// re-tracks only the orders still in flight. A late fill races a cancel by seconds, not by
// thousands of orders.

#include <deque>
#include <optional>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include <boost/circular_buffer.hpp>

#include "exec/open_quantities.hpp"
#include "mercurio/sdk/types.hpp"

namespace mercurio::kernel {

enum class OrderState { Submitted, Accepted, PartiallyFilled, Filled, Canceled, Rejected, Expired };
std::string_view to_string(OrderState state) noexcept;
inline bool is_final(OrderState s) noexcept {
  return s == OrderState::Filled || s == OrderState::Canceled || s == OrderState::Rejected || s == OrderState::Expired;
}

struct TrackedOrder {
  sdk::ClientOrderId id;
  std::size_t strategy_index = 0;
  std::size_t broker_index = 0;
  sdk::OrderIntent intent;
  sdk::Timestamp submitted_at;
  OrderState state = OrderState::Submitted;
  sdk::Decimal filled_quantity;
  sdk::Decimal commission;
  sdk::Decimal reserved_price;  // limit, stop or reference price at submission: values the open remainder
  // A market order recovered at start-up: its reference price died with the process, so its
  // remainder has no value until a bar of its symbol prices it (OrderTracker::price_unpriced).
  bool unpriced = false;
  bool liquidation = false;  // the kernel's own closing order (a flatten's), journaled as such
  std::string last_reason;
  sdk::Decimal remaining() const {
    const sdk::Decimal r = intent.quantity - filled_quantity;
    return r.is_negative() ? sdk::Decimal{} : r;
  }
};

/// True when `event` (from broker `broker_index`) can be `order`'s: same broker, symbol and side.
inline bool event_fits_order(const TrackedOrder& order, std::size_t broker_index,
                             const sdk::OrderEvent& event) {
  return order.broker_index == broker_index && order.intent.symbol == event.symbol &&
         order.intent.side == event.side;
}

/// What one broker account has working in open orders, counted from the moment they are sent.
struct OpenOrderTotals {
  std::size_t count = 0;
  sdk::Decimal notional;      // remaining quantity x reserved price
  sdk::Decimal buy_notional;
  std::size_t unpriced = 0;  // open orders whose value is unknown (not in the sums above)
};

/// The trade ids of the most recent fills that no held order claimed (external orders, forgotten
/// ones), per broker: a bounded window, oldest forgotten first.
class RecentTradeIds {
 public:
  explicit RecentTradeIds(std::size_t capacity) : capacity_(capacity < 1 ? 1 : capacity) {}
  bool contains(const sdk::TradeId& id) const { return !ids_.empty() && ids_.count(id) > 0; }
  /// Remembers `id`; false when it was already there.
  bool insert(const sdk::TradeId& id);

 private:
  std::size_t capacity_;
  std::unordered_set<sdk::TradeId> ids_;
  std::deque<sdk::TradeId> oldest_first_;
};

/// How an incoming broker event relates to what the kernel knows.
enum class EventVerdict {
  Applied,          // changed the order's state
  DuplicateFill,    // a fill whose trade id was already applied (to a held order, or unclaimed): dropped
  InvalidFill,      // quantity or price not positive, negative commission, no trade id: not applied, alerted
  UnknownOrder,     // no such client order id: a fill is applied to the account as external, alerted
  Overfill,         // fills beyond the ordered quantity: applied, alerted
  FillAfterFinal,   // a fill for an order already canceled/expired/filled (cancel race): applied, alerted
  AfterFinal,       // a non-fill event for an order already final: ignored, alerted
  Inconsistent,     // broker, side or symbol differ from the order: ignored, alerted
};

/// Why a fill event cannot be applied, or empty when it can.
std::string invalid_fill_reason(const sdk::OrderEvent& fill);

/// Fills are deduplicated by trade id per broker, within bounded memory: a held order (every open
/// one, the most recent final ones) keeps the trade ids of its own fills, and the most recent
/// fills no held order claimed are kept in a window (RecentTradeIds). A repeat of a fill older than
/// both is not caught here: with a journal (required for live trading) the journal, which keeps
/// every trade id ever booked, drops it before it reaches the tracker.
class OrderTracker {
 public:
  static constexpr std::size_t kDefaultRetainedFinal = 4096;
  static constexpr std::size_t kDefaultRetainedUnclaimedFills = 4096;
  /// `retained_final` is at least 1: the order an event has just made final is always still found.
  explicit OrderTracker(std::size_t retained_final = kDefaultRetainedFinal,
                        std::size_t retained_unclaimed_fills = kDefaultRetainedUnclaimedFills)
      : final_slots_(retained_final < 1 ? 1 : retained_final), retained_unclaimed_(retained_unclaimed_fills) {
    open_index_.reserve(256);
    spare_index_nodes_.reserve(kSpareIndexNodes);
  }

  /// Deterministic client order id: "<strategy id>-<sequence>" (sequence per strategy, from 1).
  /// `strategy_index` is the same strategy's index (as in TrackedOrder), always with the same
  /// `strategy_id`: after its first id the sequence is found by index, with no string hashed on the
  /// order path, and the id is the last one counted up. Throws std::length_error when the id is
  /// longer than a ClientOrderId holds (the sequence number is used up all the same).
  sdk::ClientOrderId next_id(std::size_t strategy_index, const std::string& strategy_id);
  /// The sequence number of the last id handed out for `strategy_id` (0 before any).
  std::uint64_t last_sequence(const std::string& strategy_id) const;
  /// Continues a strategy's sequence after `last` (ids recovered from the journal are never reused).
  void continue_sequence(const std::string& strategy_id, std::uint64_t last);
  /// Marks a fill as already applied (recovered from the journal): with its order when that order
  /// is held, else among the unclaimed ones.
  void remember_fill(std::size_t broker_index, const sdk::ClientOrderId& order, const sdk::TradeId& trade_id);

  /// Where an order is counted while open: its strategy's count of open orders in its symbol and
  /// its broker's open quantities in that symbol. A handle only the tracker reads or writes
  /// through; its entries are never erased or moved, so a caller may keep it (the kernel binds one
  /// per strategy and symbol at the symbol's first bar) and skip two lookups per order.
  class OpenEntries {
   public:
    OpenEntries() = default;

   private:
    friend class OrderTracker;
    OpenEntries(std::size_t* count, OpenQuantities* quantities) : count_(count), quantities_(quantities) {}
    std::size_t* count_ = nullptr;
    OpenQuantities* quantities_ = nullptr;
  };
  /// The entries of (strategy, broker, symbol), made if missing.
  OpenEntries open_entries(std::size_t strategy_index, std::size_t broker_index, const sdk::Symbol& symbol);

  /// Throws std::invalid_argument for an order without an id.
  TrackedOrder& add(TrackedOrder order);
  /// add() with the entries of the order's own strategy, broker and symbol already at hand.
  TrackedOrder& add(TrackedOrder&& order, OpenEntries entries);
  /// Does now whatever could fail in add(order, entries) of this open order: the allocations (a
  /// slot, an index node, room in the index and the per-broker tables) and the open sums (a value
  /// out of the decimal range throws sdk::DecimalError here). After it, with no other call in
  /// between, that add() allocates nothing and cannot throw. The kernel files an order once it has
  /// been sent (the send is the latency that counts), so nothing may fail between the two.
  void reserve_add(const TrackedOrder& order, OpenEntries entries) {
    const std::size_t broker = order.broker_index;
    // Nearly always true already (a closed order left its slot and index node): a few compares.
    const bool ready = !free_slots_.empty() && !spare_index_nodes_.empty() && index_has_room() &&
                       broker < open_totals_.size() && broker < open_symbols_.size() &&
                       open_symbols_[broker].size() < open_symbols_[broker].capacity();
    if (!ready) make_room_for_add(broker);
    check_open_sums(order, *entries.quantities_);
  }
  /// The order, while it is open or among the most recent final ones; nullptr otherwise.
  const TrackedOrder* find(const sdk::ClientOrderId& id) const;
  /// Applies `event` from broker `broker_index`. Fills are checked, then deduplicated by trade id
  /// per broker, before anything changes: money that moved at the venue is never dropped, and
  /// garbage is never applied. `order`, when given, receives the event's order (nullptr when the
  /// event names no held order): the caller needs no second lookup.
  EventVerdict apply(std::size_t broker_index, const sdk::OrderEvent& event, const TrackedOrder** order = nullptr);

  /// Orders not yet final, in submission order.
  std::vector<const TrackedOrder*> open_orders() const;
  std::size_t open_count(std::size_t strategy_index, const sdk::Symbol& symbol) const;
  /// Remaining open quantities at `broker` in `symbol`, both sides.
  OpenQuantities open_quantities(std::size_t broker_index, const sdk::Symbol& symbol) const;
  OpenOrderTotals open_totals(std::size_t broker_index) const;
  /// Values every unpriced open order of `symbol` at `broker` at `price` (a bar's close): from
  /// now on they count in the open sums like any order sent at that reference. Returns how many.
  std::size_t price_unpriced(std::size_t broker_index, const sdk::Symbol& symbol,
                             sdk::Decimal price);
  /// The tracker's own entry behind open_quantities(broker, symbol), made if missing: it stays
  /// valid, and current, for the tracker's life (entries are never erased), so a caller that
  /// keeps it reads the open quantities without a lookup.
  const OpenQuantities& open_quantities_entry(std::size_t broker_index, const sdk::Symbol& symbol);
  /// Calls f(const sdk::Symbol&) for each symbol with open orders at `broker` (no allocation).
  /// Walks only those symbols, not every symbol ever ordered: the risk gate asks on every order.
  template <class F>
  void for_each_symbol_with_open_orders(std::size_t broker_index, F&& f) const {
    if (broker_index >= open_symbols_.size()) return;
    for (const sdk::Symbol& symbol : open_symbols_[broker_index]) f(symbol);
  }
  /// Orders ever added, forgotten ones included.
  std::size_t total() const noexcept { return added_; }
  /// Orders held in memory: the open ones and the retained final ones.
  std::size_t held() const noexcept { return open_index_.size() + final_slots_.size(); }

 private:
  // Slots with stable addresses (a deque never moves what it holds); a forgotten order's slot is
  // reused by the next order, so memory follows what is held, not what was ever sent.
  struct Slot {
    TrackedOrder order;
    std::uint64_t sequence = 0;  // submission order
    std::vector<sdk::TradeId> trade_ids;  // of this order's fills (usually one); kept with the slot's capacity
    // The order's entries in the per-symbol tables, found once when it is added: its events
    // update them without a lookup (hash-map entries never move).
    std::size_t* open_count = nullptr;
    OpenQuantities* open_quantity = nullptr;
  };
  std::deque<Slot> slots_;
  std::vector<std::size_t> free_slots_;
  // The retained final orders, oldest first, with their ids' hashes. Only a late event (a cancel
  // race, a repeated fill) or a lookup of a finished order searches them, newest first; the hot
  // path never does, so the open-order index below stays as small as the orders in flight.
  struct FinalRef {
    std::size_t hash;
    std::size_t slot;
  };
  // A ring of fixed capacity (the retention), allocated once: retiring an order allocates nothing.
  boost::circular_buffer<FinalRef> final_slots_;
  std::uint64_t added_ = 0;
  using OpenIndex = std::unordered_map<sdk::ClientOrderId, std::size_t, sdk::StoredHash<sdk::ClientOrderId::kCapacity>>;
  OpenIndex open_index_;                 // id -> slot, open orders only
  // Entries of orders that left the index, reused by the next adds: no allocation per order, also
  // while several orders are open at once (one spare node made every order past the first
  // allocate one). At most kSpareIndexNodes are kept; the vector is reserved once, so handing a
  // node back allocates nothing either.
  static constexpr std::size_t kSpareIndexNodes = 64;
  std::vector<OpenIndex::node_type> spare_index_nodes_;
  // The slot of the order `id`, open or retained final; npos when not held.
  static constexpr std::size_t npos = static_cast<std::size_t>(-1);
  std::size_t slot_of(const sdk::ClientOrderId& id) const;
  // The slot of the retained final order `id` (the ring, newest first); npos when not there.
  std::size_t retained_slot_of(const sdk::ClientOrderId& id) const;
  std::unordered_map<std::string, std::uint64_t> sequence_;  // nodes never move: addresses kept below
  // Per strategy index: its entry in sequence_ and its last id as text. The next id is usually
  // the last one with its number counted up in place, not formatted again.
  struct IdText {
    std::uint64_t* sequence = nullptr;
    std::uint64_t spelled = 0;  // the sequence number `text` ends with (0: nothing yet)
    std::size_t digits_at = 0;  // after "<strategy id>-"
    std::size_t size = 0;
    char text[sdk::ClientOrderId::kCapacity + 24];
  };
  std::vector<IdText> id_texts_;  // by strategy index
  std::size_t retained_unclaimed_;
  std::vector<RecentTradeIds> unclaimed_trade_ids_;  // per broker
  RecentTradeIds& unclaimed(std::size_t broker_index);
  // Open order counts by (strategy, symbol) so a strategy's check is O(1) on the hot path.
  // Outer tables indexed by strategy or broker index (small, dense): no hashing of the index; in
  // deques, so growing them never moves the maps the slots point into.
  std::deque<std::unordered_map<sdk::Symbol, std::size_t>> open_by_strategy_;
  std::deque<std::unordered_map<sdk::Symbol, OpenQuantities>> open_quantity_;  // per broker
  std::vector<OpenOrderTotals> open_totals_;                                  // per broker
  // Per broker, the symbols whose open quantities are not both zero, in no particular order: kept
  // as quantities change, so the walk above is over the few with open orders.
  std::vector<std::vector<sdk::Symbol>> open_symbols_;
  // The standard's own condition: an insert into N elements with N + 1 <= z * B does not rehash.
  bool index_has_room() const noexcept {
    return static_cast<float>(open_index_.size() + 1) <=
           open_index_.max_load_factor() * static_cast<float>(open_index_.bucket_count());
  }
  void make_room_for_add(std::size_t broker_index);
  // Computes the open sums account_open(+1) will make for `order`: throws where it would.
  void check_open_sums(const TrackedOrder& order, const OpenQuantities& quantities) const;
  // True when `entries` are those of the order's strategy, broker and symbol (checked in debug builds).
  bool entries_of(const TrackedOrder& order, OpenEntries entries) const;
  // Puts the slot's symbol on its broker's list of symbols with open orders, or takes it off, when
  // its open quantities changed from `was_open` (compared once per add or event).
  void note_open_symbol(const Slot& slot, bool was_open);
  // Moves the order's open remainder into (+1) or out of (-1) its symbol's and its broker's totals.
  void account_open(const Slot& slot, int direction);
  // The order in `slot` has just become final (and left the open index): it joins the retained
  // ones, and the oldest beyond the limit is forgotten.
  void retire_beyond_limit(std::size_t slot);
};

}  // namespace mercurio::kernel
