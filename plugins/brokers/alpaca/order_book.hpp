#pragma once
/// @file order_book.hpp
/// What this plugin has told the kernel about each order, so that every source of news (the
/// stream, REST polling, gap-fill after a reconnect) turns into exactly one event per change.
/// Fills are deduplicated by the order's cumulative filled quantity: whatever the source, a
/// fill is reported only for the quantity beyond what was already reported, and its trade id is
/// "<alpaca order id>@<cumulative quantity>", the same for the stream and the activities API.

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "alpaca_json.hpp"

namespace mercurio::brokers::alpaca {

/// Not thread-safe: the broker guards it with its own mutex. Updates throw sdk::DecimalError when
/// the venue's numbers are out of the decimal's range (e.g. filled_avg_price x filled_qty); a fill
/// is then not taken as reported (the order's fills stay as they were).
class OrderBook {
 public:
  /// Output of each update: events for the kernel and anomalies (symbol + reason).
  struct Output {
    std::vector<sdk::OrderEvent> events;
    std::vector<std::pair<sdk::Symbol, sdk::Status>> anomalies;
  };

  /// An order Alpaca acknowledged (POST reply, or an open order found at start-up).
  Output track(const VenueOrder& order, sdk::Timestamp now);
  /// An order already working at start-up: tracked from here on, its past (acceptance, fills so
  /// far) taken as known, because the kernel's start-up reconciliation covers it. Tracked even
  /// when it throws (its notional out of range).
  void adopt(const VenueOrder& order);
  /// An order about to be sent (or whose submit has an unknown outcome): updates for this id are
  /// accepted when they arrive, even before the POST's reply. False when the id is in the book
  /// already (nothing changed). `approved_at`: news of an order Alpaca took before it is another
  /// order's (taken_before_approval).
  bool expect(const sdk::ClientOrderId& id, const sdk::OrderIntent& intent,
              sdk::Timestamp approved_at);
  /// Drops an expected order that was never sent after all (a definitive refusal). Only an entry
  /// no news has confirmed: false (and nothing dropped) once Alpaca has said anything about it.
  bool forget(const sdk::ClientOrderId& id);
  /// An order refused because Alpaca holds another order under its id: kept as a marker, so no
  /// news, lookup or cancel under the id is ever taken for it (nor the other order adopted), and
  /// never polled. Replaces what the book held for the id (the caller keeps a confirmed entry).
  void refuse_as_held_by_another(const sdk::ClientOrderId& id, const sdk::OrderIntent& intent);
  bool held_by_another(const sdk::ClientOrderId& id) const {
    const auto it = orders_.find(id.str());
    return it != orders_.end() && it->second.held_by_another;
  }
  /// A trade_updates event. Events of orders this book neither tracks nor expects (placed
  /// outside Mercurio) are ignored.
  Output on_trade_update(const TradeUpdate& update);
  /// A FILL activity (gap-fill / polling). Activities of orders not tracked are ignored.
  Output on_fill_activity(const FillActivity& fill);
  /// A fresh snapshot of a tracked order (polling / gap-fill). Ignored for an id the book no
  /// longer knows (an expected order refused, and forgotten, while the snapshot was read).
  Output on_snapshot(const VenueOrder& order, sdk::Timestamp now);
  /// A snapshot query said the order has a status this plugin cannot interpret.
  Output on_unknown_status(const sdk::ClientOrderId& id, const sdk::Status& status);

  bool knows(const sdk::ClientOrderId& id) const { return orders_.count(id.str()) != 0; }
  /// True when Alpaca has said something about this id (acknowledged, listed at start-up).
  bool confirmed(const sdk::ClientOrderId& id) const {
    const auto it = orders_.find(id.str());
    return it != orders_.end() && it->second.confirmed;
  }
  /// True when Alpaca holds, under this id, an order that cannot be one sent as `intent`: one of
  /// other terms, or one this run did not send (listed at start-up or adopted by a lookup: the
  /// kernel never sends an id twice, so it is an older order whatever its terms). An order this
  /// run sent with the same terms may be this one (a resend racing its late acknowledgement).
  bool holds_other_order(const sdk::ClientOrderId& id, const sdk::OrderIntent& intent) const {
    const auto it = orders_.find(id.str());
    if (it == orders_.end() || !it->second.confirmed) return false;
    return !same_terms(it->second, intent) || it->second.approved_at.ns == INT64_MIN;
  }
  /// True when `order`, found under the id of an order whose outcome is unknown, is an older
  /// one: Alpaca took it before this order was approved (taken_before_approval).
  bool older_than_expected(const sdk::ClientOrderId& id, const VenueOrder& order) const {
    const auto it = orders_.find(id.str());
    return it != orders_.end() && !it->second.confirmed &&
           taken_before_approval(order.created_at, it->second.approved_at);
  }
  /// True when `order`, found under the id of an order whose outcome is unknown, is another one:
  /// other terms, or older (older_than_expected).
  bool other_than_expected(const sdk::ClientOrderId& id, const VenueOrder& order) const {
    const auto it = orders_.find(id.str());
    return it != orders_.end() && !it->second.confirmed &&
           (!same_terms(it->second, order.report.intent) ||
            taken_before_approval(order.created_at, it->second.approved_at));
  }
  std::optional<std::string> venue_id(const sdk::ClientOrderId& id) const;
  /// The client order id of a tracked order, by Alpaca's order id.
  std::optional<sdk::ClientOrderId> client_id_of(const std::string& venue_id) const;
  /// Client ids of orders not yet final, oldest first.
  std::vector<sdk::ClientOrderId> open_ids() const;

 private:
  struct Entry {
    sdk::ClientOrderId id;
    std::string venue_id;
    sdk::Symbol symbol;
    sdk::Side side = sdk::Side::Buy;
    sdk::Decimal quantity;
    sdk::Decimal reported_filled;    ///< cumulative quantity already sent as fills
    sdk::Decimal reported_notional;  ///< sum of fill quantity * price already sent
    bool accepted_sent = false;
    bool final_sent = false;
    bool anomaly_sent = false;        ///< a status it cannot interpret was raised: Alpaca has it
    bool other_order_raised = false;  ///< news of another order under its id was raised (once)
    bool held_by_another = false;     ///< refused: Alpaca holds another order under its id
    bool confirmed = false;          ///< Alpaca acknowledged it (else: outcome unknown so far)
    sdk::Timestamp approved_at{INT64_MIN};  ///< expected orders: when the kernel approved it
    std::uint64_t seq = 0;
  };

  Entry* find(const sdk::ClientOrderId& id);
  // Whether `intent` is the order of `entry`: its symbol, side and quantity (what tells orders
  // under one id apart; Alpaca changes none of them).
  static bool same_terms(const Entry& entry, const sdk::OrderIntent& intent) {
    return entry.symbol == intent.symbol && entry.side == intent.side &&
           entry.quantity == intent.quantity;
  }
  /// True (and an anomaly, once) when news under an expected order's id, not yet confirmed,
  /// names another order: another symbol, side or quantity, or an order Alpaca took before this
  /// one was approved (the id used before by another order). Such news is not applied: its
  /// fills are not this order's.
  bool contradicts_expected(Entry* e, const sdk::OrderStatusReport& r,
                            std::optional<sdk::Timestamp> created_at, Output& out);
  Output apply_snapshot(const VenueOrder& order, sdk::Timestamp now);
  Entry* find_venue(const std::string& venue_id);
  void drop(std::map<std::string, Entry>::iterator it);  ///< with its venue id's mapping
  Entry& upsert(const sdk::OrderStatusReport& r);
  sdk::OrderEvent base_event(const Entry& e, sdk::OrderEventType type, sdk::Timestamp ts) const;
  /// Reports the fill that brings the cumulative quantity to `cumulative`, if it is new.
  void fill_to(Entry& e, sdk::Decimal cumulative, std::optional<sdk::Decimal> price,
               std::optional<sdk::Decimal> avg_price, sdk::Timestamp ts, Output& out);
  void accept(Entry& e, sdk::Timestamp ts, Output& out);
  void finish(Entry& e, sdk::OrderEventType type, sdk::Timestamp ts, std::string reason, Output& out);

  std::map<std::string, Entry> orders_;        // by client order id
  std::map<std::string, std::string> by_venue_;  // alpaca order id -> client order id
  std::uint64_t next_seq_ = 0;
};

}  // namespace mercurio::brokers::alpaca
