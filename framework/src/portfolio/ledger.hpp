#pragma once
// Exact-decimal accounting for one book: an account at a broker, or one strategy's trades.

#include <cstdint>
#include <map>
#include <optional>
#include <vector>

#include "mercurio/lookup_hint/lookup_hint.hpp"
#include "mercurio/sdk/types.hpp"

namespace mercurio::kernel {

/// A position that went from flat back to flat (or flipped through zero).
struct RoundTrip {
  sdk::Symbol symbol;
  sdk::Timestamp opened;
  sdk::Timestamp closed;
  sdk::Decimal net_pnl;  // realized P&L minus every commission paid inside the trip
};

/// Round trips counted as they close (a run's summary needs the count and the winners, not a list
/// that grows with every trade).
struct RoundTripTally {
  std::uint64_t count = 0;
  std::uint64_t winners = 0;  // net P&L > 0
  RoundTripTally& operator+=(const RoundTripTally& o) noexcept {
    count += o.count;
    winners += o.winners;
    return *this;
  }
};

class Ledger {
 public:
  explicit Ledger(sdk::Decimal starting_cash = {}) : cash_(starting_cash), starting_cash_(starting_cash) {}

  /// Applies one fill: cash moves by quantity x price plus commission; the position's average
  /// price, realized P&L and round trips follow. Reductions realize P&L against the average
  /// price; a fill through zero closes the position and opens the rest at the fill price.
  void apply_fill(const sdk::Symbol& symbol, sdk::Side side, sdk::Decimal quantity, sdk::Decimal price,
                  sdk::Decimal commission, sdk::Timestamp ts);
  /// Books a position the account already held (an opening balance): quantity signed, at its average
  /// price, without moving cash.
  void add_opening_position(const sdk::Symbol& symbol, sdk::Decimal quantity, sdk::Decimal average_price, sdk::Timestamp ts);
  /// Marks `symbol` at `price` (the latest close) for unrealized P&L and equity.
  void mark(const sdk::Symbol& symbol, sdk::Decimal price);

  sdk::Decimal cash() const noexcept { return cash_; }
  sdk::Decimal starting_cash() const noexcept { return starting_cash_; }
  /// Sum over positions of quantity x mark (negative for shorts).
  sdk::Decimal positions_value() const;
  sdk::Decimal equity() const { return cash_ + positions_value(); }
  sdk::Decimal realized_pnl() const noexcept { return realized_; }
  sdk::Decimal commissions() const noexcept { return commissions_; }
  sdk::Decimal unrealized_pnl() const;

  /// The position in `symbol`, flat if never traded.
  sdk::Position position(const sdk::Symbol& symbol) const;
  /// The signed quantity held in `symbol` (zero if never traded), without copying the position.
  sdk::Decimal quantity(const sdk::Symbol& symbol) const {
    auto it = books_.find(symbol);
    return it == books_.end() ? sdk::Decimal{} : it->second.position.quantity;
  }
  /// Non-flat positions sorted by symbol.
  std::vector<sdk::Position> open_positions() const;
  /// Calls f(const sdk::Position&) for each non-flat position, sorted by symbol, without a copy.
  template <class F>
  void for_each_open_position(F&& f) const {
    for (const auto& [symbol, book] : books_)
      if (!book.position.quantity.is_zero()) f(book.position);
  }
  const RoundTripTally& round_trips() const noexcept { return round_trips_; }
  /// The most recently closed round trip, if any.
  const std::optional<RoundTrip>& last_round_trip() const noexcept { return last_round_trip_; }

 private:
  struct Book {
    sdk::Position position;
    sdk::Timestamp trip_opened;
    sdk::Decimal trip_pnl;  // realized minus commissions since the trip opened
    bool has_mark = false;
  };
  std::map<sdk::Symbol, Book> books_;
  lookup_hint::LookupHint<std::map<sdk::Symbol, Book>> mark_hint_;  // marks come symbol after symbol, every bar
  sdk::Decimal cash_;
  sdk::Decimal starting_cash_;
  sdk::Decimal realized_;
  sdk::Decimal commissions_;
  RoundTripTally round_trips_;
  std::optional<RoundTrip> last_round_trip_;
};

/// Running peak equity and maximum drawdown of an equity curve.
class DrawdownTracker {
 public:
  void observe(sdk::Decimal equity) {
    if (!started_ || equity > peak_) peak_ = equity;
    started_ = true;
    if (peak_.is_positive()) {
      const sdk::Decimal dd = (peak_ - equity) / peak_;
      if (dd > max_drawdown_) max_drawdown_ = dd;
      current_ = dd;
    }
  }
  sdk::Decimal peak() const noexcept { return peak_; }
  /// Fraction of the peak, e.g. 0.25 for 25 %.
  sdk::Decimal current_drawdown() const noexcept { return current_; }
  sdk::Decimal max_drawdown() const noexcept { return max_drawdown_; }

 private:
  bool started_ = false;
  sdk::Decimal peak_;
  sdk::Decimal current_;
  sdk::Decimal max_drawdown_;
};

}  // namespace mercurio::kernel
