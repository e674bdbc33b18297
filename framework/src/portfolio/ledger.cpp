#include "portfolio/ledger.hpp"

#include <algorithm>

namespace mercurio::kernel {

using sdk::Decimal;

void Ledger::apply_fill(const sdk::Symbol& symbol, sdk::Side side, Decimal quantity, Decimal price,
                        Decimal commission, sdk::Timestamp ts) {
  Book& book = book_for_fill(symbol);
  const bool was_open = !book.position.quantity.is_zero();
  book_fill(book, symbol, side, quantity, price, commission, ts);
  const bool is_open = !book.position.quantity.is_zero();
  if (is_open != was_open) is_open ? ++open_positions_ : --open_positions_;
  revalue(book);
}

void Ledger::book_fill(Book& book, const sdk::Symbol& symbol, sdk::Side side, Decimal quantity, Decimal price,
                       Decimal commission, sdk::Timestamp ts) {
  sdk::Position& pos = book.position;
  const Decimal signed_qty = side == sdk::Side::Buy ? quantity : -quantity;
  const Decimal notional = quantity * price;
  cash_ += side == sdk::Side::Buy ? -notional : notional;
  cash_ -= commission;
  commissions_ += commission;
  pos.commissions += commission;
  if (!book.has_mark) pos.market_price = price;

  const Decimal old_qty = pos.quantity;
  if (old_qty.is_zero()) {
    book.trip_opened = ts;
    book.trip_pnl = Decimal{};
  }
  book.trip_pnl -= commission;

  const bool same_direction = old_qty.is_zero() || (old_qty.is_positive() == signed_qty.is_positive());
  if (same_direction) {
    const Decimal new_qty = old_qty + signed_qty;
    pos.average_price = (pos.average_price * old_qty.abs() + notional) / new_qty.abs();
    pos.quantity = new_qty;
    return;
  }
  // Reducing, closing or flipping.
  const Decimal closing = quantity < old_qty.abs() ? quantity : old_qty.abs();
  const Decimal pnl = old_qty.is_positive() ? (price - pos.average_price) * closing
                                            : (pos.average_price - price) * closing;
  realized_ += pnl;
  pos.realized_pnl += pnl;
  book.trip_pnl += pnl;
  const Decimal new_qty = old_qty + signed_qty;
  pos.quantity = new_qty;
  if (new_qty.is_zero() || new_qty.is_positive() != old_qty.is_positive()) {
    ++round_trips_.count;
    if (book.trip_pnl.is_positive()) ++round_trips_.winners;
    last_round_trip_ = RoundTrip{symbol, book.trip_opened, ts, book.trip_pnl};
    book.trip_pnl = Decimal{};
    book.trip_opened = ts;
    pos.average_price = new_qty.is_zero() ? Decimal{} : price;  // the remainder opened at this fill
  }
}

void Ledger::add_opening_position(const sdk::Symbol& symbol, Decimal quantity, Decimal average_price, sdk::Timestamp ts) {
  if (quantity.is_zero()) return;
  // Booked as a fill without commission, then the cash it moved is put back: the account held it already.
  const Decimal cash_before = cash_;
  apply_fill(symbol, quantity.is_positive() ? sdk::Side::Buy : sdk::Side::Sell, quantity.abs(), average_price, Decimal{}, ts);
  cash_ = cash_before;
}

Ledger::BookRef Ledger::book_ref(const sdk::Symbol& symbol) {
  const auto [it, inserted] = index_.try_emplace(symbol, static_cast<BookRef>(books_.size()));
  if (inserted) {
    books_.emplace_back();
    books_.back().position.symbol = symbol;
  }
  return it->second;
}

Ledger::Book& Ledger::book_for_fill(const sdk::Symbol& symbol) {
  Book& book = books_[book_ref(symbol)];
  book.traded = true;
  return book;
}

void Ledger::mark(const sdk::Symbol& symbol, Decimal price) {
  auto it = index_.find(symbol);
  if (it != index_.end()) mark(it->second, price);  // only traded symbols need a mark
}

Decimal Ledger::unrealized_pnl() const {
  Decimal v;
  for (const Book& book : books_)
    if (!book.position.quantity.is_zero()) v += book.position.unrealized_pnl();
  return v;
}

sdk::Position Ledger::position(const sdk::Symbol& symbol) const {
  auto it = index_.find(symbol);
  if (it != index_.end()) return books_[it->second].position;
  sdk::Position flat;
  flat.symbol = symbol;
  return flat;
}

std::vector<sdk::Position> Ledger::open_positions() const {
  std::vector<sdk::Position> out;
  for (const Book& book : books_)
    if (!book.position.quantity.is_zero()) out.push_back(book.position);
  std::sort(out.begin(), out.end(), [](const sdk::Position& a, const sdk::Position& b) { return a.symbol < b.symbol; });
  return out;
}

}  // namespace mercurio::kernel
