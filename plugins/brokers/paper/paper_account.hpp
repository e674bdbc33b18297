#pragma once
/// @file paper_account.hpp
/// The simulated venue's own ledger: cash, marks and net positions with average price and
/// realized P&L. Exact decimal arithmetic; no I/O.

#include <map>
#include <optional>
#include <vector>

#include "mercurio/lookup_hint/lookup_hint.hpp"
#include "mercurio/sdk/decimal.hpp"
#include "mercurio/sdk/types.hpp"

namespace mercurio::brokers::paper {

/// Thread: not synchronized; the broker uses it from the kernel thread only.
class PaperAccount {
 public:
  explicit PaperAccount(sdk::Decimal starting_cash) : cash_(starting_cash) {}

  sdk::Decimal cash() const noexcept { return cash_; }

  /// Records the last price of `symbol` (the close of its latest bar).
  void mark(const sdk::Symbol& symbol, sdk::Decimal price) {
    auto it = mark_hint_.find(marks_, symbol);  // every bar: usually the entry after the last one
    if (it == marks_.end()) marks_.emplace(symbol, price);
    else it->second = price;
  }
  /// The last price of `symbol`, when a bar of it has been seen.
  std::optional<sdk::Decimal> last_price(const sdk::Symbol& symbol) const;

  /// Books one fill: cash moves by quantity × price (out for buys, in for sells) minus the
  /// commission; the position is increased, reduced, closed or flipped. Strong guarantee: on
  /// sdk::DecimalError (overflow) nothing has changed.
  void apply_fill(const sdk::Symbol& symbol, sdk::Side side, sdk::Decimal quantity,
                  sdk::Decimal price, sdk::Decimal commission);

  /// Signed net quantity (negative = short); zero when never traded.
  sdk::Decimal position_quantity(const sdk::Symbol& symbol) const;
  /// The position record of `symbol` including a flat one (its realized P&L), if it ever traded.
  std::optional<sdk::Position> position(const sdk::Symbol& symbol) const;
  /// Non-flat positions sorted by symbol, each with its current mark.
  std::vector<sdk::Position> open_positions() const;

  /// Every position record (flat ones keep their realized P&L) and every mark: the persisted state.
  const std::map<sdk::Symbol, sdk::Position>& position_records() const noexcept { return positions_; }
  const std::map<sdk::Symbol, sdk::Decimal>& marks() const noexcept { return marks_; }
  /// An account as saved by position_records()/marks().
  static PaperAccount restored(sdk::Decimal cash, std::map<sdk::Symbol, sdk::Position> positions,
                               std::map<sdk::Symbol, sdk::Decimal> marks) {
    PaperAccount a(cash);
    a.positions_ = std::move(positions);
    a.marks_ = std::move(marks);
    for (const auto& [symbol, pos] : a.positions_)
      if (pos.quantity.is_negative()) ++a.short_count_;
    return a;
  }

  /// cash + Σ quantity × mark.
  sdk::Decimal equity() const;
  /// Σ |quantity| × mark.
  sdk::Decimal gross_position_value() const;
  /// A short position: its quantity (positive) and the price it is valued at (its mark, or its
  /// average price before any mark).
  struct Short {
    sdk::Symbol symbol;
    sdk::Decimal quantity;
    sdk::Decimal mark;
  };
  /// True when some position is short (counted as fills change them: no walk).
  bool holds_shorts() const noexcept { return short_count_ > 0; }
  /// The short positions, by symbol.
  std::vector<Short> shorts() const;
  /// Σ |quantity| × mark over short positions: what buying them back costs now, which their
  /// sale's proceeds in cash stand for.
  sdk::Decimal short_position_value() const;

 private:
  sdk::Decimal mark_of(const sdk::Symbol& symbol, const sdk::Position& fallback) const;

  sdk::Decimal cash_;
  std::size_t short_count_ = 0;                     // positions with a negative quantity
  std::map<sdk::Symbol, sdk::Position> positions_;  // sorted: deterministic reports
  std::map<sdk::Symbol, sdk::Decimal> marks_;
  lookup_hint::LookupHint<std::map<sdk::Symbol, sdk::Decimal>> mark_hint_;  // reset by copies; marks_ is never erased from
};

}  // namespace mercurio::brokers::paper
