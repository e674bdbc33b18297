#include "report/tax_lots.hpp"

#include <limits>

#include "report/report_error.hpp"

namespace mercurio::report {

using sdk::Decimal;

std::string_view to_string(Term term) noexcept { return term == Term::LongTerm ? "long-term" : "short-term"; }
std::string_view to_string(LotSide side) noexcept { return side == LotSide::Long ? "long" : "short"; }

bool is_long_term(CivilDate acquired, CivilDate sold) noexcept {
  CivilDate anniversary{acquired.year + 1, acquired.month, acquired.day};
  if (!anniversary.valid()) anniversary.day = 28;  // 29 February: the anniversary is the last day of February
  return sold > anniversary;
}

Decimal pro_rata(Decimal total, Decimal part, Decimal whole) {
  if (!whole.is_positive()) throw ReportError("pro_rata: the whole must be positive, was " + whole.to_string());
  // raw(total) * raw(part) / raw(whole): the 10^-8 scales cancel, one rounding (half to even).
  const __int128 n = static_cast<__int128>(total.raw()) * part.raw();
  const __int128 d = whole.raw();
  __int128 q = n / d;
  __int128 r = n % d;
  if (r < 0) r = -r;
  if (r * 2 > d || (r * 2 == d && q % 2 != 0)) q += n < 0 ? -1 : 1;
  if (q > std::numeric_limits<std::int64_t>::max() || q < std::numeric_limits<std::int64_t>::min())
    throw sdk::DecimalError("decimal overflow in pro_rata");
  return Decimal::from_raw(static_cast<std::int64_t>(q));
}

void FifoLotMatcher::apply(const LotTransaction& t) {
  const std::string where = t.broker + " " + t.symbol + " " + t.reference;
  if (!t.quantity.is_positive()) throw ReportError(where + ": quantity expected > 0, was " + t.quantity.to_string());
  if (t.price.is_negative()) throw ReportError(where + ": price expected >= 0, was " + t.price.to_string());
  if (t.commission.is_negative()) throw ReportError(where + ": commission expected >= 0, was " + t.commission.to_string());

  const CivilDate date = utc_date(t.ts);
  const bool buy = t.side == sdk::Side::Buy;
  // Buying costs the gross plus the fee; selling brings in the gross minus the fee.
  const Decimal gross = t.quantity * t.price;
  Decimal amount = buy ? gross + t.commission : gross - t.commission;
  Decimal quantity = t.quantity;

  Book& book = books_[{t.broker, t.symbol}];
  const LotSide closes = buy ? LotSide::Short : LotSide::Long;
  if (book.side == closes) {
    while (quantity.is_positive() && !book.lots.empty()) {
      Lot& lot = book.lots.front();
      const Decimal q = std::min(quantity, lot.quantity);
      // The last piece of each side takes what is left, so the amounts add up exactly.
      const Decimal lot_part = q == lot.quantity ? lot.amount : pro_rata(lot.amount, q, lot.quantity);
      const Decimal txn_part = q == quantity ? amount : pro_rata(amount, q, quantity);
      LotDisposal d;
      d.broker = t.broker;
      d.symbol = t.symbol;
      d.side = closes;
      d.quantity = q;
      d.closed = date;
      d.opening_balance = lot.opening_balance;
      if (closes == LotSide::Long) {
        d.acquired = lot.date;
        d.sold = date;
        d.cost_basis = lot_part;
        d.proceeds = txn_part;
        d.term = is_long_term(d.acquired, d.sold) ? Term::LongTerm : Term::ShortTerm;
      } else {
        d.acquired = date;
        d.sold = lot.date;
        d.cost_basis = txn_part;
        d.proceeds = lot_part;
        d.term = Term::ShortTerm;
      }
      disposals_.push_back(std::move(d));
      lot.quantity -= q;
      lot.amount -= lot_part;
      quantity -= q;
      amount -= txn_part;
      if (lot.quantity.is_zero()) book.lots.pop_front();
    }
  }
  if (quantity.is_positive()) {
    // What was not closing anything opens a lot on the transaction's side.
    book.side = buy ? LotSide::Long : LotSide::Short;
    book.lots.push_back(Lot{date, quantity, amount, t.opening_balance});
  }
}

Decimal FifoLotMatcher::open_quantity(const std::string& broker, const std::string& symbol) const {
  const auto it = books_.find({broker, symbol});
  if (it == books_.end()) return Decimal{};
  Decimal q;
  for (const Lot& lot : it->second.lots) q += lot.quantity;
  return it->second.side == LotSide::Long ? q : -q;
}

void TaxTotals::add(const LotDisposal& d) {
  proceeds += d.proceeds;
  cost_basis += d.cost_basis;
  gain += d.gain();
}

TaxYearReport tax_year_report(const std::vector<LotDisposal>& disposals, int year) {
  TaxYearReport r;
  r.year = year;
  for (const LotDisposal& d : disposals) {
    if (d.closed.year != year) continue;
    r.rows.push_back(d);
    (d.term == Term::LongTerm ? r.long_term : r.short_term).add(d);
    r.total.add(d);
  }
  return r;
}

}  // namespace mercurio::report
