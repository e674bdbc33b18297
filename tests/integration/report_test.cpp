// `mercurio report ...` end to end: a journal written through the Journal API in a scratch folder,
// the real binary, and its output compared with hand-computed rows.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <Poco/JSON/Parser.h>

#include <fstream>

#include "journal/journal.hpp"
#include "support/mercurio_cli.hpp"
#include "support/process.hpp"
#include "support/test_paths.hpp"

namespace mercurio::test {
namespace {

using ::testing::HasSubstr;
using kernel::Journal;
using sdk::Decimal;
namespace fs = std::filesystem;

sdk::Timestamp at(const char* iso) { return *sdk::Timestamp::parse_iso8601(iso); }
Decimal d(const char* text) { return Decimal::from_string(text); }

void add_intent(Journal& j, const char* id, const char* strategy, sdk::Side side, const char* qty, const char* created) {
  sdk::OrderIntent i;
  i.symbol = sdk::Symbol("SPY");
  i.side = side;
  i.type = sdk::OrderType::Market;
  i.time_in_force = sdk::TimeInForce::Day;
  i.quantity = d(qty);
  const sdk::ClientOrderId coid(id);
  j.record_intent(kernel::RiskDecisionRecord{at(created), strategy, "paper", coid, i, true, "", "approved"},
                  kernel::IntentRecord{coid, 1, strategy, "paper", i, false, at(created)});
}

void add_fill(Journal& j, const char* id, const char* symbol, sdk::Side side, const char* iso, const char* trade, const char* qty,
              const char* price, const char* commission, bool external = false) {
  sdk::OrderEvent e;
  e.type = sdk::OrderEventType::PartiallyFilled;
  e.client_order_id = sdk::ClientOrderId(id);
  e.symbol = sdk::Symbol(symbol);
  e.side = side;
  e.ts = at(iso);
  e.trade_id = sdk::TradeId(trade);
  e.fill_quantity = d(qty);
  e.fill_price = d(price);
  e.commission = d(commission);
  ASSERT_TRUE(j.record_fill("paper", e, external));
}

// Buy 10 SPY @ 100 (fee 1) on 2023-03-15; sell 4 @ 120 (fee 0.4) exactly one year later and 6 @ 90
// (fee 0.6) one year and one day later; an external QQQ buy; four daily equity samples.
fs::path write_journal(const fs::path& dir) {
  const fs::path path = dir / "journal.sqlite";
  auto j = Journal::open(path);
  j->begin_run(kernel::RunStart{"paper", "mercurio.toml", "hash", "0.1.0", {}, at("2023-03-15T13:00:00Z")});
  add_intent(*j, "ma-1", "ma,\"fast\"", sdk::Side::Buy, "10", "2023-03-15T14:59:00Z");
  add_fill(*j, "ma-1", "SPY", sdk::Side::Buy, "2023-03-15T15:00:00Z", "T1", "10", "100", "1");
  add_intent(*j, "ma-2", "ma", sdk::Side::Sell, "10", "2024-03-15T14:59:00Z");
  add_fill(*j, "ma-2", "SPY", sdk::Side::Sell, "2024-03-15T15:00:00Z", "T2", "4", "120", "0.4");
  add_fill(*j, "ma-2", "SPY", sdk::Side::Sell, "2024-03-16T15:00:00Z", "T3", "6", "90", "0.6");
  add_fill(*j, "broker-xyz", "QQQ", sdk::Side::Buy, "2024-06-03T15:00:00Z", "T4", "2", "300", "0", true);
  j->record_equity(at("2024-03-14T21:00:00Z"), d("1000"), d("0"), d("1000"));
  j->record_equity(at("2024-03-15T21:00:00Z"), d("1100"), d("720"), d("1820"));
  j->record_equity(at("2024-03-16T21:00:00Z"), d("1200"), d("0"), d("1200"));
  j->record_equity(at("2024-03-17T21:00:00Z"), d("1200"), d("0"), d("1200"));
  j->flush();
  return path;
}

void exec_sql(const fs::path& path, const char* sql) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db, sql, nullptr, nullptr, nullptr), SQLITE_OK) << sqlite3_errmsg(db);
  sqlite3_close(db);
}

Poco::JSON::Object::Ptr parse_json(const std::string& text) {
  Poco::JSON::Parser parser;
  return parser.parse(text).extract<Poco::JSON::Object::Ptr>();
}

TEST(ReportCliTest, TradesCsvListsEveryFillWithItsStrategyQuotedWhereNeeded) {
  const auto dir = scratch_dir("report_trades_csv");
  const auto journal = write_journal(dir);
  const auto r = mercurio_cmd({"report", "trades", "--journal", journal.string()}, dir);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out,
            "time,broker,strategy,client_order_id,symbol,side,quantity,price,commission,trade_id\n"
            "2023-03-15T15:00:00Z,paper,\"ma,\"\"fast\"\"\",ma-1,SPY,buy,10,100,1,T1\n"
            "2024-03-15T15:00:00Z,paper,ma,ma-2,SPY,sell,4,120,0.4,T2\n"
            "2024-03-16T15:00:00Z,paper,ma,ma-2,SPY,sell,6,90,0.6,T3\n"
            "2024-06-03T15:00:00Z,paper,external,broker-xyz,QQQ,buy,2,300,0,T4\n");
}

TEST(ReportCliTest, TradesDateRangeIsInclusiveAndJsonParsesBack) {
  const auto dir = scratch_dir("report_trades_json");
  const auto journal = write_journal(dir);
  const auto r = mercurio_cmd({"report", "trades", "--journal", journal.string(), "--from", "2024-03-15", "--to", "2024-03-16",
                               "--format", "json"},
                              dir);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto o = parse_json(r.out);
  EXPECT_EQ(o->getValue<std::string>("report"), "trades");
  EXPECT_EQ(o->getValue<std::string>("from"), "2024-03-15");
  const auto rows = o->getArray("rows");
  ASSERT_EQ(rows->size(), 2u);
  EXPECT_EQ(rows->getObject(0)->getValue<std::string>("trade_id"), "T2");
  EXPECT_EQ(rows->getObject(1)->getValue<std::string>("trade_id"), "T3");
  EXPECT_EQ(rows->getObject(1)->getValue<std::string>("commission"), "0.6");
}

TEST(ReportCliTest, OrdersShowFilledQuantityAverageFillPriceAndRiskDecision) {
  const auto dir = scratch_dir("report_orders");
  const auto journal = write_journal(dir);
  const auto r = mercurio_cmd({"report", "orders", "--journal", journal.string(), "--from", "2024-01-01"}, dir);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  // ma-2: 4 @ 120 and 6 @ 90 -> (480 + 540) / 10 = 102; fees 0.4 + 0.6 = 1. ma-1 (2023) is outside the range.
  EXPECT_EQ(r.out,
            "created,strategy,broker,client_order_id,symbol,side,type,time_in_force,quantity,limit_price,stop_price,tag,status,"
            "status_time,filled_quantity,average_fill_price,commission,risk_decision,risk_message,note\n"
            "2024-03-15T14:59:00Z,ma,paper,ma-2,SPY,sell,market,day,10,,,,partially_filled,2024-03-16T15:00:00Z,10,102,1,approved,"
            "approved,\n");
}

TEST(ReportCliTest, EquityRowsWithinTheRange) {
  const auto dir = scratch_dir("report_equity");
  const auto journal = write_journal(dir);
  const auto r =
      mercurio_cmd({"report", "equity", "--journal", journal.string(), "--from", "2024-03-15", "--to", "2024-03-16"}, dir);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out,
            "time,run_id,cash,positions_value,equity\n"
            "2024-03-15T21:00:00Z,1,1100,720,1820\n"
            "2024-03-16T21:00:00Z,1,1200,0,1200\n");
}

TEST(ReportCliTest, TaxCsvThroughTheConfigsRelativeJournalPathSplitsTermAtTheAnniversary) {
  const auto dir = scratch_dir("report_tax_csv");
  fs::create_directories(dir / "data");
  fs::create_directories(dir / "conf");
  write_journal(dir / "data");
  std::ofstream(dir / "conf" / "mercurio.toml") << "[journal]\npath = \"../data/journal.sqlite\"\n";
  const auto r = mercurio_cmd({"report", "tax", "--config", (dir / "conf" / "mercurio.toml").string(), "--year", "2024"}, dir);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  // Lot: 10 @ 100 + 1 = 1001. Sold 4: cost 400.4, proceeds 480 - 0.4 = 479.6 (held exactly one
  // year: short-term). Sold 6: cost 600.6, proceeds 540 - 0.6 = 539.4 (one year and a day: long-term).
  EXPECT_EQ(r.out,
            "row_type,broker,symbol,position,quantity,date_acquired,date_sold,proceeds,cost_basis,gain_loss,term,basis_source\n"
            "disposal,paper,SPY,long,4,2023-03-15,2024-03-15,479.6,400.4,79.2,short-term,fills\n"
            "disposal,paper,SPY,long,6,2023-03-15,2024-03-16,539.4,600.6,-61.2,long-term,fills\n"
            "total,,,,,,,479.6,400.4,79.2,short-term,\n"
            "total,,,,,,,539.4,600.6,-61.2,long-term,\n"
            "total,,,,,,,1019,1001,18,all,\n");
  const auto earlier = mercurio_cmd({"report", "tax", "--config", (dir / "conf" / "mercurio.toml").string(), "--year", "2023"}, dir);
  ASSERT_EQ(earlier.exit_code, 0) << earlier.err;
  EXPECT_THAT(earlier.out, HasSubstr("\ntotal,,,,,,,0,0,0,all,\n"));
  EXPECT_THAT(earlier.out, ::testing::Not(HasSubstr("disposal")));
}

TEST(ReportCliTest, TaxJsonWrittenToAFileParsesBackWithTotalsEqualToTheRows) {
  const auto dir = scratch_dir("report_tax_json");
  const auto journal = write_journal(dir);
  const auto out = dir / "tax-2024.json";
  const auto r = mercurio_cmd(
      {"report", "tax", "--journal", journal.string(), "--year", "2024", "--format", "json", "--output", out.string()}, dir);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "");
  const auto o = parse_json(read_file(out));
  EXPECT_THAT(o->getValue<std::string>("notice"), HasSubstr("not tax advice"));
  const auto rows = o->getArray("disposals");
  ASSERT_EQ(rows->size(), 2u);
  Decimal proceeds, basis, gain;
  for (std::size_t i = 0; i < rows->size(); ++i) {
    proceeds += d(rows->getObject(static_cast<unsigned>(i))->getValue<std::string>("proceeds").c_str());
    basis += d(rows->getObject(static_cast<unsigned>(i))->getValue<std::string>("cost_basis").c_str());
    gain += d(rows->getObject(static_cast<unsigned>(i))->getValue<std::string>("gain_loss").c_str());
  }
  const auto total = o->getObject("totals")->getObject("total");
  EXPECT_EQ(d(total->getValue<std::string>("proceeds").c_str()), proceeds);
  EXPECT_EQ(d(total->getValue<std::string>("cost_basis").c_str()), basis);
  EXPECT_EQ(d(total->getValue<std::string>("gain_loss").c_str()), gain);
  EXPECT_EQ(gain, d("18"));
  EXPECT_EQ(o->getObject("totals")->getObject("long_term")->getValue<std::string>("gain_loss"), "-61.2");
}

TEST(ReportCliTest, TaxUsesOpeningBalancePositionsAsLotsAndWarnsAboutAdjustments) {
  const auto dir = scratch_dir("report_tax_opening");
  const fs::path path = dir / "journal.sqlite";
  {
    auto j = Journal::open(path);
    j->begin_run(kernel::RunStart{"paper", "mercurio.toml", "hash", "0.1.0", {}, at("2023-01-03T14:00:00Z")});
    sdk::Position spy;
    spy.symbol = sdk::Symbol("SPY");
    spy.quantity = d("10");
    spy.average_price = d("400");
    j->record_balance(kernel::BalanceRecord{"paper", "opening", at("2023-01-03T14:00:00Z"), d("5000"), {spy}, "first start", 0});
    add_fill(*j, "ext-1", "SPY", sdk::Side::Sell, "2024-02-01T15:00:00Z", "T9", "4", "450", "1", true);
    j->record_balance(kernel::BalanceRecord{"paper", "adjustment", at("2024-03-01T14:00:00Z"), d("6799"), {}, "operator ack", 0});
  }
  const auto r = mercurio_cmd({"report", "tax", "--journal", path.string(), "--year", "2024"}, dir);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  // 4 of the 10 opening shares at 400: basis 1600; proceeds 1800 - 1 = 1799; held since 2023-01-03.
  EXPECT_THAT(r.out, HasSubstr("\ndisposal,paper,SPY,long,4,2023-01-03,2024-02-01,1799,1600,199,long-term,opening_balance\n"));
  EXPECT_THAT(r.err, HasSubstr("1 balance adjustment(s)"));
}

// Each bad journal: exit 1, the file named, and an existing output file left as it was.
void expect_refused(const fs::path& dir, const fs::path& journal, const std::string& why) {
  const auto out = dir / "report.csv";
  std::ofstream(out) << "previous\n";
  const auto r = mercurio_cmd({"report", "trades", "--journal", journal.string(), "--output", out.string()}, dir);
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_THAT(r.err, HasSubstr(journal.string()));
  EXPECT_THAT(r.err, HasSubstr(why));
  EXPECT_EQ(read_file(out), "previous\n");
  EXPECT_EQ(r.out, "");
  for (const auto& e : fs::directory_iterator(dir))  // no temporary output left behind either
    EXPECT_EQ(e.path().filename().string().rfind(".report.csv", 0), std::string::npos) << e.path();
}

TEST(ReportCliTest, RefusesAMissingJournal) {
  const auto dir = scratch_dir("report_missing");
  expect_refused(dir, dir / "nope.sqlite", "does not exist");
}

TEST(ReportCliTest, RefusesAFileThatIsNotADatabase) {
  const auto dir = scratch_dir("report_not_db");
  std::ofstream(dir / "journal.sqlite") << "date,open,close\n2024-01-02,1,2\n";
  expect_refused(dir, dir / "journal.sqlite", "not a Mercurio journal");
}

TEST(ReportCliTest, RefusesAnSqliteDatabaseThatIsNotAJournal) {
  const auto dir = scratch_dir("report_foreign_db");
  exec_sql(dir / "other.sqlite", "CREATE TABLE t(x); INSERT INTO t VALUES(1);");
  expect_refused(dir, dir / "other.sqlite", "not a Mercurio journal");
}

TEST(ReportCliTest, RefusesAJournalWithANewerSchema) {
  const auto dir = scratch_dir("report_newer");
  const auto journal = write_journal(dir);
  const std::string newer = std::to_string(kernel::kJournalSchemaVersion + 1);
  exec_sql(journal, ("PRAGMA user_version=" + newer).c_str());
  expect_refused(dir, journal, "schema version " + newer + ", newer");
}

TEST(ReportCliTest, ReadingLeavesTheJournalUnchanged) {
  const auto dir = scratch_dir("report_read_only");
  const auto journal = write_journal(dir);
  const std::string before = read_file(journal);
  ASSERT_EQ(mercurio_cmd({"report", "tax", "--journal", journal.string(), "--year", "2024"}, dir).exit_code, 0);
  EXPECT_EQ(read_file(journal), before);
}

TEST(ReportCliTest, BadUsageExitsTwo) {
  const auto dir = scratch_dir("report_usage");
  const auto journal = write_journal(dir).string();
  const auto reversed = mercurio_cmd({"report", "trades", "--journal", journal, "--from", "2024-03-16", "--to", "2024-03-15"}, dir);
  EXPECT_EQ(reversed.exit_code, 2);
  EXPECT_THAT(reversed.err, HasSubstr("--to expected a date on or after --from 2024-03-16"));
  EXPECT_EQ(mercurio_cmd({"report", "tax", "--journal", journal}, dir).exit_code, 2);
  EXPECT_EQ(mercurio_cmd({"report", "tax", "--journal", journal, "--year", "24"}, dir).exit_code, 2);
  EXPECT_EQ(mercurio_cmd({"report", "trades", "--journal", journal, "--format", "xml"}, dir).exit_code, 2);
  EXPECT_EQ(mercurio_cmd({"report", "pnl", "--journal", journal}, dir).exit_code, 2);
  EXPECT_EQ(mercurio_cmd({"report", "trades", "--journal", journal, "--from", "2024-02-30"}, dir).exit_code, 2);
  const auto no_key = dir / "empty.toml";
  std::ofstream(no_key) << "[kernel]\n";
  const auto missing_key = mercurio_cmd({"report", "trades", "--config", no_key.string()}, dir);
  EXPECT_EQ(missing_key.exit_code, 2);
  EXPECT_THAT(missing_key.err, HasSubstr("[journal] path is missing"));
}

TEST(ReportCliTest, HelpSaysTheTaxReportIsNotTaxAdvice) {
  const auto dir = scratch_dir("report_help");
  const auto r = mercurio_cmd({"report", "--help"}, dir);
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_THAT(r.out, HasSubstr("A record-keeping aid, not tax advice"));
}

}  // namespace
}  // namespace mercurio::test
