#include "paper_account.hpp"

#include <algorithm>

namespace mercurio::brokers::paper {

using sdk::Decimal;

std::optional<Decimal> PaperAccount::last_price(const sdk::Symbol& symbol) const {
  auto it = marks_.find(symbol);
  if (it == marks_.end()) return std::nullopt;
  return it->second;
}

void PaperAccount::apply_fill(const sdk::Symbol& symbol, sdk::Side side, Decimal quantity,
                              Decimal price, Decimal commission) {
  // Compute everything into locals first so an overflow leaves the ledger untouched.
  sdk::Position pos;
  pos.symbol = symbol;
  if (auto it = positions_.find(symbol); it != positions_.end()) pos = it->second;

  const Decimal notional = quantity * price;
  const Decimal new_cash =
      side == sdk::Side::Buy ? cash_ - notional - commission : cash_ + notional - commission;

  const Decimal old_qty = pos.quantity;
  const Decimal delta = side == sdk::Side::Buy ? quantity : -quantity;
  const Decimal new_qty = old_qty + delta;

  if (old_qty.is_zero() || old_qty.is_negative() == delta.is_negative()) {
    // Opening or adding: volume-weighted average entry price.
    pos.average_price = (old_qty.abs() * pos.average_price + notional) / new_qty.abs();
  } else {
    // Reducing, closing or flipping: the closed part realizes P&L against the average price.
    const Decimal closed = std::min(old_qty.abs(), quantity);
    const Decimal per_unit =
        old_qty.is_negative() ? pos.average_price - price : price - pos.average_price;
    pos.realized_pnl += closed * per_unit;
    if (new_qty.is_zero()) {
      pos.average_price = Decimal{};
    } else if (new_qty.is_negative() != old_qty.is_negative()) {
      pos.average_price = price;  // flipped: the remainder was opened at this fill's price
    }
  }
  pos.quantity = new_qty;
  pos.commissions += commission;

  positions_[symbol] = pos;
  cash_ = new_cash;
  if (old_qty.is_negative() != new_qty.is_negative()) {
    if (new_qty.is_negative())
      ++short_count_;
    else
      --short_count_;
  }
}

Decimal PaperAccount::position_quantity(const sdk::Symbol& symbol) const {
  auto it = positions_.find(symbol);
  return it == positions_.end() ? Decimal{} : it->second.quantity;
}

std::optional<sdk::Position> PaperAccount::position(const sdk::Symbol& symbol) const {
  auto it = positions_.find(symbol);
  if (it == positions_.end()) return std::nullopt;
  sdk::Position pos = it->second;
  pos.market_price = mark_of(symbol, pos);
  return pos;
}

std::vector<sdk::Position> PaperAccount::open_positions() const {
  std::vector<sdk::Position> out;
  for (const auto& [symbol, pos] : positions_) {
    if (pos.is_flat()) continue;
    out.push_back(pos);
    out.back().market_price = mark_of(symbol, pos);
  }
  return out;
}

Decimal PaperAccount::equity() const {
  Decimal total = cash_;
  for (const auto& [symbol, pos] : positions_)
    if (!pos.is_flat()) total += pos.quantity * mark_of(symbol, pos);
  return total;
}

Decimal PaperAccount::gross_position_value() const {
  Decimal total;
  for (const auto& [symbol, pos] : positions_)
    if (!pos.is_flat()) total += pos.quantity.abs() * mark_of(symbol, pos);
  return total;
}

std::vector<PaperAccount::Short> PaperAccount::shorts() const {
  std::vector<Short> out;
  if (short_count_ == 0) return out;
  for (const auto& [symbol, pos] : positions_)
    if (pos.quantity.is_negative())
      out.push_back({symbol, pos.quantity.abs(), mark_of(symbol, pos)});
  return out;
}

Decimal PaperAccount::short_position_value() const {
  Decimal total;
  for (const Short& s : shorts()) total += s.quantity * s.mark;
  return total;
}

Decimal PaperAccount::mark_of(const sdk::Symbol& symbol, const sdk::Position& fallback) const {
  // Every fill comes from a bar that marked its symbol first, so the fallback is defensive only.
  auto it = marks_.find(symbol);
  return it == marks_.end() ? fallback.average_price : it->second;
}

}  // namespace mercurio::brokers::paper
