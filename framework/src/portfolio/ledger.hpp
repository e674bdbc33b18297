#pragma once
// Exact-decimal accounting for one book: an account at a broker, or one strategy's trades.

#include <cstdint>
#include <optional>
#include <unordered_map>
#include <vector>

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
  /// Marks `symbol` at `price` (the latest close) for unrealized P&L and equity. A symbol never
  /// traded is not marked (its first fill's price is its first mark).
  void mark(const sdk::Symbol& symbol, sdk::Decimal price);

  /// A book's stable place in this ledger (valid in copies too). The kernel keeps one per fed
  /// symbol, so a bar's mark is an index, not a lookup.
  using BookRef = std::uint32_t;
  /// The book of `symbol`, made (untraded, flat, never marked) if the ledger has none yet.
  BookRef book_ref(const sdk::Symbol& symbol);
  /// mark(symbol, price) for the book `ref`.
  /// All or nothing: a value beyond the decimal range throws DecimalError with the book unchanged.
  void mark(BookRef ref, sdk::Decimal price) {
    Book& book = books_[ref];
    if (!book.traded) return;
    if (!book.position.quantity.is_zero()) revalue(book, price);
    book.position.market_price = price;
    book.has_mark = true;
  }

  sdk::Decimal cash() const noexcept { return cash_; }
  sdk::Decimal starting_cash() const noexcept { return starting_cash_; }
  /// Sum over positions of quantity x mark (negative for shorts), each product rounded to 8 digits.
  /// Kept as fills and marks change it: the risk gate asks on every order, an equity row on every
  /// timestamp, and neither walks the books.
  sdk::Decimal positions_value() const noexcept { return positions_value_; }
  /// Sum over positions of |quantity x mark|: the gross exposure, kept the same way.
  sdk::Decimal gross_positions_value() const noexcept { return gross_positions_value_; }
  /// Non-flat positions.
  std::size_t open_position_count() const noexcept { return open_positions_; }
  sdk::Decimal equity() const { return cash_ + positions_value_; }
  sdk::Decimal realized_pnl() const noexcept { return realized_; }
  sdk::Decimal commissions() const noexcept { return commissions_; }
  sdk::Decimal unrealized_pnl() const;

  /// The position in `symbol`, flat if never traded.
  sdk::Position position(const sdk::Symbol& symbol) const;
  /// The signed quantity held in `symbol` (zero if never traded), without copying the position.
  sdk::Decimal quantity(const sdk::Symbol& symbol) const {
    auto it = index_.find(symbol);
    return it == index_.end() ? sdk::Decimal{} : books_[it->second].position.quantity;
  }
  /// quantity(symbol) for the book `ref`.
  sdk::Decimal quantity(BookRef ref) const noexcept { return books_[ref].position.quantity; }
  /// Non-flat positions sorted by symbol.
  std::vector<sdk::Position> open_positions() const;
  const RoundTripTally& round_trips() const noexcept { return round_trips_; }
  /// The most recently closed round trip, if any.
  const std::optional<RoundTrip>& last_round_trip() const noexcept { return last_round_trip_; }

 private:
  struct Book {
    sdk::Position position;
    sdk::Timestamp trip_opened;
    sdk::Decimal trip_pnl;  // realized minus commissions since the trip opened
    bool has_mark = false;
    bool traded = false;  // a book made by book_ref() before its first fill ignores marks
    sdk::Decimal value;   // quantity x market price as last counted in the ledger's sums
  };
  Book& book_for_fill(const sdk::Symbol& symbol);
  // apply_fill's bookkeeping of the fill itself (cash, average price, P&L, round trips).
  void book_fill(Book& book, const sdk::Symbol& symbol, sdk::Side side, sdk::Decimal quantity, sdk::Decimal price,
                 sdk::Decimal commission, sdk::Timestamp ts);
  // Recounts the book's value in the sums at `price` (after its quantity or its mark changed).
  // Everything is worked out before anything is stored: an overflow leaves the sums as they were.
  void revalue(Book& book, sdk::Decimal price) {
    const sdk::Decimal value = book.position.quantity * price;
    const sdk::Decimal positions = positions_value_ + (value - book.value);
    const sdk::Decimal gross = gross_positions_value_ + (value.abs() - book.value.abs());
    positions_value_ = positions;
    gross_positions_value_ = gross;
    book.value = value;
  }
  void revalue(Book& book) { revalue(book, book.position.market_price); }
  // Books in the order their symbols first appeared (a BookRef is an index here), found by symbol
  // through the index: marks and quantities are O(1); the sums are kept, not walked.
  std::vector<Book> books_;
  std::unordered_map<sdk::Symbol, BookRef> index_;
  sdk::Decimal cash_;
  sdk::Decimal starting_cash_;
  sdk::Decimal realized_;
  sdk::Decimal commissions_;
  sdk::Decimal positions_value_;
  sdk::Decimal gross_positions_value_;
  std::size_t open_positions_ = 0;
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
