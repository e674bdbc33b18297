#include "report/tax_report.hpp"

#include <algorithm>
#include <map>
#include <tuple>

namespace mercurio::report {

std::vector<LotTransaction> lot_transactions(const std::vector<FillRow>& fills, const std::vector<BalanceRow>& balances,
                                             std::vector<std::string>& warnings) {
  // A broker's opening balance holds the fills journaled before it (event id <= after_event_id)
  // and none journaled after, whatever their venue times (a fill executed just before the balance
  // was taken, clocks apart): it is placed by journal order, and fills by venue time around it.
  enum Segment { kBeforeOpening = 0, kOpening = 1, kAfterOpening = 2 };
  struct Keyed {
    int segment;
    sdk::Timestamp ts;
    std::int64_t event_id;
    LotTransaction t;
  };
  std::vector<Keyed> stream;
  std::map<std::string, const BalanceRow*> opening;  // broker -> its first opening balance
  std::map<std::string, int> adjustments;
  for (const BalanceRow& b : balances) {
    if (b.kind == "opening") {
      opening.emplace(b.broker, &b);
    } else {
      ++adjustments[b.broker];
    }
  }
  for (const auto& [broker, b] : opening) {
    for (const BalancePosition& p : b->positions) {
      if (p.quantity.is_zero()) continue;
      LotTransaction t;
      t.broker = broker;
      t.symbol = p.symbol;
      t.ts = b->ts;
      t.side = p.quantity.is_positive() ? sdk::Side::Buy : sdk::Side::Sell;
      t.quantity = p.quantity.abs();
      t.price = p.average_price;
      t.opening_balance = true;
      t.reference = "opening balance " + std::to_string(b->balance_id);
      stream.push_back(Keyed{kOpening, b->ts, 0, std::move(t)});
    }
  }
  std::map<std::string, int> before_opening;
  for (const FillRow& f : fills) {
    const auto it = opening.find(f.broker);
    const bool before = it != opening.end() && f.event_id <= it->second->after_event_id;
    if (before) ++before_opening[f.broker];
    LotTransaction t;
    t.broker = f.broker;
    t.symbol = f.symbol;
    t.ts = f.ts;
    t.side = f.side;
    t.quantity = f.quantity;
    t.price = f.price;
    t.commission = f.commission;
    t.reference = "trade " + f.trade_id;
    stream.push_back(
        Keyed{before ? kBeforeOpening : kAfterOpening, f.ts, f.event_id, std::move(t)});
  }
  // Lots are matched per broker and symbol, so one broker's segments need no order against
  // another's.
  std::stable_sort(stream.begin(), stream.end(), [](const Keyed& a, const Keyed& b) {
    return std::tie(a.segment, a.ts, a.event_id) < std::tie(b.segment, b.ts, b.event_id);
  });
  for (const auto& [broker, n] : adjustments)
    warnings.push_back("broker " + broker + ": " + std::to_string(n) +
                       " balance adjustment(s) from reconciliation are not reflected in the tax lots; check that broker's "
                       "positions by hand");
  for (const auto& [broker, n] : before_opening)
    warnings.push_back("broker " + broker + ": " + std::to_string(n) +
                       " fill(s) were journaled before its opening balance; the balance may already include them (counted twice)");
  std::vector<LotTransaction> out;
  out.reserve(stream.size());
  for (auto& k : stream) out.push_back(std::move(k.t));
  return out;
}

TaxReport build_tax_report(const std::vector<FillRow>& fills, const std::vector<BalanceRow>& balances, int year) {
  TaxReport report;
  FifoLotMatcher matcher;
  for (const LotTransaction& t : lot_transactions(fills, balances, report.warnings)) matcher.apply(t);
  report.year = tax_year_report(matcher.disposals(), year);
  return report;
}

}  // namespace mercurio::report
