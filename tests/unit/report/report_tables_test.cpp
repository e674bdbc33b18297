// The report rows: date ranges (inclusive, UTC), order aggregates, tax totals rows.
#include "report/report_tables.hpp"

#include <gtest/gtest.h>

#include <Poco/JSON/Parser.h>

namespace mercurio::report {
namespace {

using sdk::Decimal;

Decimal d(const char* text) { return Decimal::from_string(text); }
sdk::Timestamp at(const char* iso) { return *sdk::Timestamp::parse_iso8601(iso); }

FillRow fill(std::int64_t id, const char* iso, const char* coid, const char* qty, const char* price, bool external = false) {
  FillRow f;
  f.event_id = id;
  f.broker = "paper";
  f.strategy = external ? "external" : "ma";
  f.external = external;
  f.client_order_id = coid;
  f.ts = at(iso);
  f.symbol = "SPY";
  f.side = sdk::Side::Buy;
  f.quantity = d(qty);
  f.price = d(price);
  f.commission = d("0.5");
  f.trade_id = "t" + std::to_string(id);
  return f;
}

TEST(ReportTablesTest, TradesDateRangeIsInclusiveOnUtcDates) {
  const std::vector<FillRow> fills{fill(1, "2024-03-01T23:59:59Z", "ma-1", "1", "10"), fill(2, "2024-03-02T00:00:00Z", "ma-1", "1", "10"),
                                   fill(3, "2024-03-03T23:59:59.999999999Z", "ma-1", "1", "10"),
                                   fill(4, "2024-03-04T00:00:00Z", "ma-1", "1", "10")};
  const DateRange range{CivilDate::parse("2024-03-02"), CivilDate::parse("2024-03-03")};
  const Table t = trades_table(fills, range);
  ASSERT_EQ(t.rows.size(), 2u);
  EXPECT_EQ(t.rows[0][0], "2024-03-02T00:00:00Z");
  EXPECT_EQ(t.rows[1][9], "t3");
  EXPECT_EQ(trades_table(fills, DateRange{}).rows.size(), 4u);
}

TEST(ReportTablesTest, OrdersSumTheirOwnFillsIntoFilledQuantityAndAveragePrice) {
  OrderRow o;
  o.client_order_id = "ma-1";
  o.strategy = "ma";
  o.quantity = d("10");
  o.created = at("2024-03-01T15:00:00Z");
  o.status = "filled";
  o.approved = true;
  OrderRow unfilled = o;
  unfilled.client_order_id = "ma-2";
  unfilled.status = "canceled";
  // 4 @ 100.5 and 6 @ 101: (402 + 606) / 10 = 100.8; an external fill with the same id is not ours.
  const std::vector<FillRow> fills{fill(1, "2024-03-01T15:00:01Z", "ma-1", "4", "100.5"), fill(2, "2024-03-02T15:00:01Z", "ma-1", "6", "101"),
                                   fill(3, "2024-03-02T15:00:02Z", "ma-1", "5", "1", true)};
  const Table t = orders_table({o, unfilled}, fills, DateRange{});
  ASSERT_EQ(t.rows.size(), 2u);
  const auto col = [&](const char* name) {
    return static_cast<std::size_t>(std::find(t.columns.begin(), t.columns.end(), name) - t.columns.begin());
  };
  EXPECT_EQ(t.rows[0][col("filled_quantity")], "10");
  EXPECT_EQ(t.rows[0][col("average_fill_price")], "100.8");
  EXPECT_EQ(t.rows[0][col("commission")], "1");
  EXPECT_EQ(t.rows[0][col("risk_decision")], "approved");
  EXPECT_EQ(t.rows[1][col("filled_quantity")], "0");
  EXPECT_EQ(t.rows[1][col("average_fill_price")], Cell{});
}

TEST(ReportTablesTest, TaxCsvEndsWithTotalsRowsAndJsonCarriesTotalsAndTheNotice) {
  TaxReport r;
  r.year.year = 2024;
  LotDisposal a;
  a.broker = "paper";
  a.symbol = "SPY";
  a.quantity = d("1");
  a.acquired = *CivilDate::parse("2024-01-02");
  a.sold = a.closed = *CivilDate::parse("2024-02-02");
  a.proceeds = d("12");
  a.cost_basis = d("10");
  r.year.rows = {a};
  r.year.short_term.add(a);
  r.year.total.add(a);
  const Table csv = tax_csv_table(r.year);
  ASSERT_EQ(csv.rows.size(), 4u);
  EXPECT_EQ(csv.rows[0][0], "disposal");
  EXPECT_EQ(csv.rows[3][0], "total");
  EXPECT_EQ(csv.rows[3][10], "all");
  EXPECT_EQ(csv.rows[3][9], "2");
  EXPECT_EQ(csv.rows[2][9], "0");  // long-term: nothing

  Poco::JSON::Parser parser;
  const auto o = parser.parse(to_json_text(tax_json(r))).extract<Poco::JSON::Object::Ptr>();
  EXPECT_EQ(o->getValue<int>("year"), 2024);
  EXPECT_NE(o->getValue<std::string>("notice").find("not tax advice"), std::string::npos);
  EXPECT_EQ(o->getArray("disposals")->getObject(0)->getValue<std::string>("gain_loss"), "2");
  EXPECT_EQ(o->getObject("totals")->getObject("total")->getValue<std::string>("gain_loss"), "2");
}

}  // namespace
}  // namespace mercurio::report
