#include "report/tax_report.hpp"

#include <algorithm>
#include <map>
#include <tuple>

namespace mercurio::report {

std::vector<LotTransaction> lot_transactions(const std::vector<FillRow>& fills, const std::vector<BalanceRow>& balances,
                                             std::vector<std::string>& warnings) {
  struct Keyed {
    sdk::Timestamp ts;
    std::int64_t order;  // 2 x event id for fills; 2 x after_event_id + 1 puts a balance after the fills it includes
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
      stream.push_back(Keyed{b->ts, 2 * b->after_event_id + 1, std::move(t)});
    }
  }
  std::map<std::string, int> before_opening;
  for (const FillRow& f : fills) {
    const auto it = opening.find(f.broker);
    if (it != opening.end() && f.event_id <= it->second->after_event_id) ++before_opening[f.broker];
    LotTransaction t;
    t.broker = f.broker;
    t.symbol = f.symbol;
    t.ts = f.ts;
    t.side = f.side;
    t.quantity = f.quantity;
    t.price = f.price;
    t.commission = f.commission;
    t.reference = "trade " + f.trade_id;
    stream.push_back(Keyed{f.ts, 2 * f.event_id, std::move(t)});
  }
  std::stable_sort(stream.begin(), stream.end(),
                   [](const Keyed& a, const Keyed& b) { return std::tie(a.ts, a.order) < std::tie(b.ts, b.order); });
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
