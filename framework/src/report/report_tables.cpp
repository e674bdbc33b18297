#include "report/report_tables.hpp"

#include <map>

namespace mercurio::report {

namespace {

using sdk::Decimal;

Cell dec(Decimal d) { return d.to_string(); }
Cell opt_dec(const std::optional<Decimal>& d) { return d ? dec(*d) : Cell{}; }
Cell time(sdk::Timestamp t) { return t.to_iso8601(); }

}  // namespace

Table trades_table(const std::vector<FillRow>& fills, const DateRange& range) {
  Table t{{"time", "broker", "strategy", "client_order_id", "symbol", "side", "quantity", "price", "commission", "trade_id"}, {}};
  for (const FillRow& f : fills) {
    if (!range.contains(f.ts)) continue;
    t.rows.push_back({time(f.ts), f.broker, f.strategy, f.client_order_id, f.symbol, std::string(sdk::to_string(f.side)),
                      dec(f.quantity), dec(f.price), dec(f.commission), f.trade_id});
  }
  return t;
}

Table orders_table(const std::vector<OrderRow>& orders, const std::vector<FillRow>& fills, const DateRange& range) {
  struct Filled {
    Decimal quantity;
    Decimal notional;
    Decimal commission;
  };
  std::map<std::string, Filled> filled;
  for (const FillRow& f : fills) {
    if (f.external) continue;
    Filled& x = filled[f.client_order_id];
    x.quantity += f.quantity;
    x.notional += f.quantity * f.price;
    x.commission += f.commission;
  }
  Table t{{"created", "strategy", "broker", "client_order_id", "symbol", "side", "type", "time_in_force", "quantity", "limit_price",
           "stop_price", "tag", "status", "status_time", "filled_quantity", "average_fill_price", "commission", "risk_decision",
           "risk_message", "note"},
          {}};
  for (const OrderRow& o : orders) {
    if (!range.contains(o.created)) continue;
    const auto it = filled.find(o.client_order_id);
    const Filled x = it == filled.end() ? Filled{} : it->second;
    // Average price weighted by quantity, rounded once to 8 digits; none without a fill.
    const Cell average = x.quantity.is_positive() ? dec(x.notional / x.quantity) : Cell{};
    t.rows.push_back({time(o.created), o.strategy, o.broker, o.client_order_id, o.symbol, o.side, o.type, o.time_in_force,
                      dec(o.quantity), opt_dec(o.limit_price), opt_dec(o.stop_price), o.tag, o.status, time(o.status_at),
                      dec(x.quantity), average, dec(x.commission), std::string(o.approved ? "approved" : "denied"),
                      o.risk_message, o.note});
  }
  return t;
}

Table equity_table(const std::vector<EquityRow>& equity, const DateRange& range) {
  Table t{{"time", "run_id", "cash", "positions_value", "equity"}, {}};
  for (const EquityRow& e : equity) {
    if (!range.contains(e.ts)) continue;
    t.rows.push_back({time(e.ts), std::to_string(e.run_id), dec(e.cash), dec(e.positions_value), dec(e.equity)});
  }
  return t;
}

namespace {

const std::vector<std::string> kTaxColumns = {"broker",    "symbol",   "position",  "quantity", "date_acquired", "date_sold",
                                              "proceeds",  "cost_basis", "gain_loss", "term",     "basis_source"};

std::vector<Cell> disposal_cells(const LotDisposal& d) {
  return {d.broker,
          d.symbol,
          std::string(to_string(d.side)),
          dec(d.quantity),
          d.acquired.to_string(),
          d.sold.to_string(),
          dec(d.proceeds),
          dec(d.cost_basis),
          dec(d.gain()),
          std::string(to_string(d.term)),
          std::string(d.opening_balance ? "opening_balance" : "fills")};
}

Poco::JSON::Object::Ptr totals_json(const TaxTotals& t) {
  auto o = ordered_object();
  o->set("proceeds", t.proceeds.to_string());
  o->set("cost_basis", t.cost_basis.to_string());
  o->set("gain_loss", t.gain.to_string());
  return o;
}

}  // namespace

Table tax_disposals_table(const TaxYearReport& report) {
  Table t{kTaxColumns, {}};
  for (const LotDisposal& d : report.rows) t.rows.push_back(disposal_cells(d));
  return t;
}

Table tax_csv_table(const TaxYearReport& report) {
  Table t{{"row_type"}, {}};
  t.columns.insert(t.columns.end(), kTaxColumns.begin(), kTaxColumns.end());
  for (const LotDisposal& d : report.rows) {
    std::vector<Cell> row{std::string("disposal")};
    auto cells = disposal_cells(d);
    row.insert(row.end(), cells.begin(), cells.end());
    t.rows.push_back(std::move(row));
  }
  auto total = [&](const char* term, const TaxTotals& x) {
    t.rows.push_back({std::string("total"), Cell{}, Cell{}, Cell{}, Cell{}, Cell{}, Cell{}, dec(x.proceeds), dec(x.cost_basis),
                      dec(x.gain), std::string(term), Cell{}});
  };
  total("short-term", report.short_term);
  total("long-term", report.long_term);
  total("all", report.total);
  return t;
}

Poco::JSON::Object::Ptr tax_json(const TaxReport& report) {
  auto o = ordered_object();
  o->set("report", std::string("tax"));
  o->set("year", report.year.year);
  o->set("notice", std::string(kTaxNotice));
  o->set("disposals", to_json_rows(tax_disposals_table(report.year)));
  auto totals = ordered_object();
  totals->set("short_term", totals_json(report.year.short_term));
  totals->set("long_term", totals_json(report.year.long_term));
  totals->set("total", totals_json(report.year.total));
  o->set("totals", totals);
  Poco::JSON::Array::Ptr warnings = new Poco::JSON::Array;
  for (const std::string& w : report.warnings) warnings->add(w);
  o->set("warnings", warnings);
  return o;
}

}  // namespace mercurio::report
