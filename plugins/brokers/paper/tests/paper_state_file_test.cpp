// The paper broker's persistent account (state_file): it outlives the broker object like a real
// venue's account outlives the trading process.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "mercurio/brokers/testing/test_approver.hpp"
#include "paper_broker.hpp"
#include "test_support.hpp"

namespace mercurio::brokers::paper {
namespace {

using sdk::OrderEventType;
using sdk::Side;
using testing::bar;
using testing::dec;
using testing::FakeSink;
using ::testing::HasSubstr;
using testing::make_config;

sdk::OrderIntent order(Side side, const char* qty, sdk::OrderType type = sdk::OrderType::Market) {
  sdk::OrderIntent in;
  in.symbol = "SPY";
  in.side = side;
  in.type = type;
  in.time_in_force = sdk::TimeInForce::Gtc;
  in.quantity = dec(qty);
  if (type == sdk::OrderType::Limit) in.limit_price = dec("50");
  return in;
}

class PaperStateFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("paper_state_" + std::to_string(::getpid()) + "_" +
                                                     ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    file_ = (dir_ / "account.toml").string();
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::unique_ptr<PaperBroker> open(FakeSink& sink) {
    auto b = std::make_unique<PaperBroker>(make_config({{"state_file", file_}}));
    const sdk::Status st = b->start(sink);
    EXPECT_TRUE(st.is_ok()) << st.message();
    return b;
  }
  // s-1 buys 10 at 101 (venue id paper-1, trade paper-t1); the file then says next numbers 2 and 2.
  void write_one_filled_order() {
    FakeSink sink;
    auto b = open(sink);
    b->on_market_bar(bar("SPY", "2024-01-02", "100", "105", "99", "104"));
    ASSERT_TRUE(b->submit(kernel::RiskGate::approve("s-1", order(Side::Buy, "10"))).is_ok());
    b->on_market_bar(bar("SPY", "2024-01-03", "101", "106", "100", "102"));
  }
  // The state file as a start leaves it: a snapshot with every change of its log folded in.
  std::string folded_state_text() {
    const sdk::Status st = start_fresh();
    EXPECT_TRUE(st.is_ok()) << st.message();
    std::ifstream in(file_);
    return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  }
  // Writes `text` as the state file with the first `from` after `section` replaced by `to` (a
  // `from` that is not there fails the test).
  void write_edited(const std::string& text, const std::string& section, const std::string& from,
                    const std::string& to) {
    std::string edited = text;
    const std::size_t at = edited.find(from, edited.find(section));
    if (at == std::string::npos)
      ADD_FAILURE() << "'" << from << "' after '" << section << "' in\n" << text;
    else
      edited.replace(at, from.size(), to);
    std::ofstream(file_, std::ios::trunc) << edited;
  }
  // A start on `text` with its first `from` after `section` replaced by `to` is refused, naming
  // the state file and `expected`.
  void expect_refused(const std::string& text, const std::string& section, const std::string& from,
                      const std::string& to, const std::string& expected) {
    write_edited(text, section, from, to);
    const sdk::Status st = start_fresh();
    EXPECT_FALSE(st.is_ok()) << to;
    EXPECT_THAT(st.message(), HasSubstr(file_ + ": " + expected));
  }
  // A fresh broker object's start on the state file as it is.
  sdk::Status start_fresh() {
    FakeSink sink;
    PaperBroker b(make_config({{"state_file", file_}}));
    return b.start(sink);
  }
  std::string log_file() const { return file_ + ".log"; }
  static std::string text_of(const std::string& path) {
    std::ifstream in(path);
    return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  }
  std::filesystem::path dir_;
  std::string file_;
};

TEST_F(PaperStateFileTest, CashPositionsOrdersAndFillsSurviveANewBrokerObject) {
  {
    FakeSink sink;
    auto b = open(sink);
    b->on_market_bar(bar("SPY", "2024-01-02", "100", "105", "99", "104"));
    ASSERT_TRUE(b->submit(kernel::RiskGate::approve("s-1", order(Side::Buy, "10"))).is_ok());
    ASSERT_TRUE(b->submit(kernel::RiskGate::approve("s-2", order(Side::Buy, "5", sdk::OrderType::Limit))).is_ok());
    b->on_market_bar(bar("SPY", "2024-01-03", "101", "106", "100", "102"));  // s-1 fills at 101
  }
  FakeSink sink;
  auto b = open(sink);
  // 100000 - 10 x 101 (no commission by default)
  EXPECT_EQ(b->account()->cash, dec("98990"));
  auto positions = b->positions();
  ASSERT_EQ(positions->size(), 1u);
  EXPECT_EQ(positions->at(0).quantity, dec("10"));
  EXPECT_EQ(positions->at(0).average_price, dec("101"));
  auto open_orders = b->open_orders();
  ASSERT_EQ(open_orders->size(), 1u);
  EXPECT_EQ(open_orders->at(0).client_order_id.str(), "s-2");
  EXPECT_EQ(b->order(sdk::ClientOrderId("s-1"))->status, OrderEventType::Filled);
  auto fills = b->fills(sdk::Timestamp{INT64_MIN});
  ASSERT_EQ(fills->size(), 1u);
  EXPECT_EQ(fills->at(0).trade_id.str(), "paper-t1");
  EXPECT_EQ(fills->at(0).fill_price, dec("101"));
  // The trade log keeps each fill as its order's index: the event comes back whole.
  EXPECT_EQ(fills->at(0).type, OrderEventType::Filled);
  EXPECT_EQ(fills->at(0).client_order_id.str(), "s-1");
  EXPECT_EQ(fills->at(0).symbol, sdk::Symbol("SPY"));
  EXPECT_EQ(fills->at(0).side, Side::Buy);
  EXPECT_EQ(fills->at(0).venue_order_id, "paper-1");
  EXPECT_EQ(fills->at(0).fill_quantity, dec("10"));
  EXPECT_EQ(fills->at(0).leaves_quantity, dec("0"));
  EXPECT_EQ(fills->at(0).ts, testing::ts("2024-01-03T00:00:00Z"));
  // Ids and trade ids continue; a resubmitted id is refused and counted.
  ASSERT_TRUE(b->submit(kernel::RiskGate::approve("s-1", order(Side::Buy, "1"))).is_ok());
  EXPECT_EQ(sink.last_event().type, OrderEventType::Rejected);
  EXPECT_THAT(sink.last_event().reason, HasSubstr("duplicate client order id 's-1'"));
  ASSERT_TRUE(b->submit(kernel::RiskGate::approve("s-3", order(Side::Sell, "10"))).is_ok());
  EXPECT_EQ(sink.last_event().venue_order_id, "paper-3");
  b.reset();
  EXPECT_THAT(folded_state_text(), HasSubstr("submits = 2"));
}

// A backtest does not use the state file: it used to start from the paper session's account (its
// orders' next-bar rule set at the session's last bar, so a backtest of earlier years never
// filled) and to write the simulation's orders into it, for the next paper session to trade.
TEST_F(PaperStateFileTest, ABacktestNeitherReadsNorWritesTheStateFile) {
  write_one_filled_order();
  const std::string before = folded_state_text();
  {
    FakeSink sink;
    PaperBroker b(
        make_config({{"state_file", file_}}, testing::kPluginDir, sdk::RunMode::Backtest));
    ASSERT_TRUE(b.start(sink).is_ok());
    EXPECT_EQ(b.account()->cash, dec("100000"));  // starting_cash, not the session's 98990
    EXPECT_TRUE(b.positions()->empty());
    b.on_market_bar(bar("SPY", "2020-01-02", "100", "105", "99", "104"));
    ASSERT_TRUE(b.submit(kernel::RiskGate::approve("bt-1", order(Side::Buy, "3"))).is_ok());
    b.on_market_bar(bar("SPY", "2020-01-03", "101", "106", "100", "102"));
    EXPECT_EQ(sink.last_event().type, OrderEventType::Filled);  // bars before the session's: fills
    EXPECT_THAT(sink.log().lines(sdk::LogLevel::Info),
                ::testing::Contains(HasSubstr("is not used in a backtest")));
    b.stop();
  }
  EXPECT_FALSE(std::filesystem::exists(file_ + ".log") &&
               std::filesystem::file_size(file_ + ".log") > 0);
  std::ifstream in(file_);
  EXPECT_EQ(std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>()),
            before);
}

TEST_F(PaperStateFileTest, TheReplayResumesAfterTheLastBarTheAccountMatchedOn) {
  {
    FakeSink sink;
    auto b = open(sink);
    b->on_market_bar(bar("SPY", "2024-01-03", "100", "105", "99", "104"));
    ASSERT_TRUE(b->submit(kernel::RiskGate::approve("s-1", order(Side::Buy, "1"))).is_ok());
  }
  FakeSink sink;
  auto b = open(sink);
  ASSERT_TRUE(b->subscribe_bars({sdk::Symbol("SPY")}).is_ok());
  ASSERT_TRUE(sink.wait_until([&] { return sink.data_end_count_unlocked() == 1; }));
  const auto bars = sink.bars();
  ASSERT_FALSE(bars.empty());
  EXPECT_GT(bars.front().ts, testing::ts("2024-01-03T00:00:00Z"));
}

TEST_F(PaperStateFileTest, ACorruptStateFileRefusesToStartNamingTheFile) {
  std::ofstream(file_) << "version = 1\ncash = [unterminated\n";
  const sdk::Status st = start_fresh();
  EXPECT_FALSE(st.is_ok());
  EXPECT_THAT(st.message(), HasSubstr(file_ + ":2: the paper account's state file is corrupt"));
}

// An accepted order whose terms it could not have passed the venue with (a market order turned
// into a limit order without its price, a fill beyond its quantity) is not this broker's writing:
// refused, naming the entry, instead of matched on a price that is not there.
TEST_F(PaperStateFileTest, AnOrderWithTermsItCouldNotHaveRefusesToStartNamingTheEntry) {
  ASSERT_NO_FATAL_FAILURE(write_one_filled_order());
  const std::string text = folded_state_text();
  expect_refused(text, "[[order]]", "type = \"market\"", "type = \"limit\"",
                 "order[0]: limit order needs a limit price, none given");
  expect_refused(text, "[[order]]", "filled = \"10\"", "filled = \"11\"",
                 "order[0]: filled 11 is outside 0..10");
}

// A fill is restored as a reference to its order, so a fill that names no order of the file, or
// disagrees with it, or carries a trade id this broker never issues, makes the file unreadable.
TEST_F(PaperStateFileTest, AFillThatDoesNotMatchItsOrderRefusesToStartNamingTheEntry) {
  ASSERT_NO_FATAL_FAILURE(write_one_filled_order());
  const std::string text = folded_state_text();
  const struct {
    std::string from, to, expected;
  } cases[] = {
      {"id = \"s-1\"", "id = \"s-9\"", "fill[0]: no order 's-9' in this file"},
      {"side = \"buy\"", "side = \"sell\"",
       "fill[0]: symbol, side or venue_order_id differ from order 's-1'"},
      {"trade_id = \"paper-t1\"", "trade_id = \"venue-77\"", "fill[0]: unreadable trade_id"},
  };
  for (const auto& c : cases) {
    write_edited(text, "[[fill]]", c.from, c.to);
    const sdk::Status st = start_fresh();
    EXPECT_FALSE(st.is_ok()) << c.to;
    EXPECT_THAT(st.message(), HasSubstr(c.expected));
    EXPECT_THAT(st.message(), HasSubstr(file_));
  }
}

// The next numbers to issue must come after every id the file holds: a counter behind them would
// have the broker issue a venue order id or a trade id twice (and the kernel drop the second fill
// as a repeat of the first).
TEST_F(PaperStateFileTest, CountersBehindTheIdsTheFileHoldsRefuseToStartNamingTheEntry) {
  ASSERT_NO_FATAL_FAILURE(write_one_filled_order());
  const std::string text = folded_state_text();
  const struct {
    std::string section, from, to, expected;  // `from` is looked for after `section`
  } cases[] = {
      {"", "next_trade_number = 2", "next_trade_number = 1",
       "fill[0]: trade_id 'paper-t1' must be below next_trade_number 1"},
      {"", "next_order_number = 2", "next_order_number = 1",
       "order[0]: venue_order_id 'paper-1' must be below next_order_number 1"},
      {"", "next_order_number = 2", "next_order_number = 0",
       "top level: next_order_number must be 1 or more, was 0"},
      {"", "next_trade_number = 2", "next_trade_number = -5",
       "top level: next_trade_number must be 1 or more, was -5"},
      {"[[order]]", "venue_order_id = \"paper-1\"", "venue_order_id = \"venue-1\"",
       "order[0]: unreadable venue_order_id"},
  };
  for (const auto& c : cases) expect_refused(text, c.section, c.from, c.to, c.expected);
}

// Ids in the order issued: a rejected order has no venue id and takes no number, and the broker
// reads back its own file with one; an id that repeats the one before it stops the start.
TEST_F(PaperStateFileTest, IdsMustComeInTheOrderTheyWereIssued) {
  {
    FakeSink sink;
    auto b = open(sink);
    b->on_market_bar(bar("SPY", "2024-01-02", "100", "105", "99", "104"));
    ASSERT_TRUE(b->submit(kernel::RiskGate::approve("s-1", order(Side::Buy, "10"))).is_ok());
    ASSERT_TRUE(b->submit(kernel::RiskGate::approve("s-2", order(Side::Buy, "0"))).is_ok());
    ASSERT_EQ(sink.last_event().type, OrderEventType::Rejected);
    ASSERT_TRUE(b->submit(kernel::RiskGate::approve("s-3", order(Side::Buy, "5"))).is_ok());
    b->on_market_bar(bar("SPY", "2024-01-03", "101", "106", "100", "102"));  // s-1 and s-3 fill
  }
  const std::string text = folded_state_text();
  {
    FakeSink sink;
    PaperBroker b(make_config({{"state_file", file_}}));
    const sdk::Status st = b.start(sink);
    ASSERT_TRUE(st.is_ok()) << st.message();
    EXPECT_EQ(b.order(sdk::ClientOrderId("s-3"))->venue_order_id, "paper-2");
    ASSERT_EQ(b.fills(sdk::Timestamp{INT64_MIN})->size(), 2u);
  }
  const struct {
    std::string section, from, to, expected;  // `from` is looked for after `section`
  } cases[] = {
      {"[[fill]]", "trade_id = \"paper-t2\"", "trade_id = \"paper-t1\"",
       "fill[1]: trade_id 'paper-t1' must come after 'paper-t1' and be below next_trade_number 3"},
      {"[[fill]]", "trade_id = \"paper-t1\"", "trade_id = \"paper-t01\"",
       "fill[0]: unreadable trade_id"},
      {"[[order]]", "venue_order_id = \"paper-2\"", "venue_order_id = \"paper-1\"",
       "order[2]: venue_order_id 'paper-1' must come after 'paper-1' and be below "
       "next_order_number 3"},
  };
  for (const auto& c : cases) expect_refused(text, c.section, c.from, c.to, c.expected);
}

// A file that fails to load changes nothing, so the same broker can start once the file is fixed,
// and goes on from the file's numbers, not from a half-loaded state.
TEST_F(PaperStateFileTest, AFailedLoadLeavesNothingBehindAndTheStartCanBeRetried) {
  ASSERT_NO_FATAL_FAILURE(write_one_filled_order());
  const std::string good = folded_state_text();
  write_edited(good, "", "next_trade_number = 2", "");

  FakeSink sink;
  PaperBroker b(make_config({{"state_file", file_}}));
  const sdk::Status failed = b.start(sink);
  ASSERT_FALSE(failed.is_ok());
  EXPECT_THAT(failed.message(), HasSubstr(file_ + ": top level: missing next_trade_number"));

  std::ofstream(file_, std::ios::trunc) << good;
  ASSERT_TRUE(b.start(sink).is_ok());
  EXPECT_EQ(b.account()->cash, dec("98990"));
  ASSERT_TRUE(b.submit(kernel::RiskGate::approve("s-2", order(Side::Sell, "10"))).is_ok());
  EXPECT_EQ(sink.last_event().venue_order_id, "paper-2");
  b.on_market_bar(bar("SPY", "2024-01-04", "103", "104", "102", "103"));
  auto fills = b.fills(sdk::Timestamp{INT64_MIN});
  ASSERT_EQ(fills->size(), 2u);
  EXPECT_EQ(fills->at(1).client_order_id.str(), "s-2");
  EXPECT_EQ(fills->at(1).trade_id.str(), "paper-t2");
}

sdk::OrderIntent with_tif(sdk::OrderIntent in, sdk::TimeInForce tif) {
  in.time_in_force = tif;
  return in;
}

// A DAY buy limited at 50: it rests on the tests' bars (100 and up) until its session ends.
sdk::OrderIntent day_buy_below_market() {
  return with_tif(order(Side::Buy, "1", sdk::OrderType::Limit), sdk::TimeInForce::Day);
}

// A change costs an append to the log, not a rewrite of the account: the snapshot the start wrote
// stays as it was, and a restart folds the log into a new one.
TEST_F(PaperStateFileTest, AChangeIsAppendedToTheLogAndTheSnapshotIsLeftAsItWas) {
  FakeSink sink;
  auto b = open(sink);
  const std::string snapshot = text_of(file_);
  ASSERT_THAT(snapshot, HasSubstr("last_change = 0"));
  b->on_market_bar(bar("SPY", "2024-01-02", "100", "105", "99", "104"));
  ASSERT_TRUE(b->submit(kernel::RiskGate::approve("s-1", order(Side::Buy, "10"))).is_ok());
  b->on_market_bar(bar("SPY", "2024-01-03", "101", "106", "100", "102"));
  EXPECT_EQ(text_of(file_), snapshot);
  const std::string log = text_of(log_file());
  EXPECT_THAT(log, HasSubstr("# end of change 1\n"));  // the order
  EXPECT_THAT(log, HasSubstr("trade_id = \"paper-t1\"\n"));
  EXPECT_THAT(log, ::testing::EndsWith("# end of change 2\n"));  // its fill
  b.reset();

  const std::string folded = folded_state_text();
  EXPECT_THAT(folded, HasSubstr("last_change = 2"));
  EXPECT_THAT(folded, HasSubstr("trade_id = \"paper-t1\""));
  EXPECT_EQ(text_of(log_file()), "");
}

// A clean stop leaves the whole account in the state file; destroying the broker without one (as
// a crash would) leaves the log as it was.
TEST_F(PaperStateFileTest, ACleanStopFoldsTheLogIntoTheStateFile) {
  FakeSink sink;
  auto b = open(sink);
  b->on_market_bar(bar("SPY", "2024-01-02", "100", "105", "99", "104"));
  ASSERT_TRUE(b->submit(kernel::RiskGate::approve("s-1", order(Side::Buy, "10"))).is_ok());
  b->on_market_bar(bar("SPY", "2024-01-03", "101", "106", "100", "102"));
  ASSERT_THAT(text_of(log_file()), HasSubstr("# end of change 2\n"));
  b->stop();
  EXPECT_EQ(text_of(log_file()), "");
  EXPECT_THAT(text_of(file_), HasSubstr("trade_id = \"paper-t1\""));
  EXPECT_THAT(text_of(file_), HasSubstr("last_change = 2"));
}

// As at a real venue, an order or a fill is on record before the kernel hears of it: a crash
// right after the report cannot leave the kernel with a fill the restarted account lacks.
TEST_F(PaperStateFileTest, EveryChangeIsOnRecordBeforeItIsReported) {
  FakeSink sink;
  std::vector<std::string> missing;
  sink.before_order_event = [&](const sdk::OrderEvent& e) {
    const std::string log = text_of(log_file());
    const std::string what = e.type == OrderEventType::Filled
                                 ? "trade_id = \"" + e.trade_id.str() + "\""
                                 : "id = \"" + e.client_order_id.str() + "\"";
    if (log.find(what) == std::string::npos)
      missing.push_back(std::string(sdk::to_string(e.type)) + " " + what);
    // A close must be in the order's latest entry (its keys are written in order: final_state
    // comes before id, after the entry's [[order]] line).
    const std::size_t id_at = log.rfind("\nid = \"" + e.client_order_id.str() + "\"");
    const std::size_t entry_at = log.rfind("[[order]]", id_at);
    const std::string closed = "final_state = \"" + std::string(sdk::to_string(e.type)) + "\"";
    if (e.type != OrderEventType::Accepted && e.type != OrderEventType::Filled &&
        (id_at == std::string::npos || entry_at == std::string::npos ||
         log.substr(entry_at, id_at - entry_at).find(closed) == std::string::npos))
      missing.push_back(std::string(sdk::to_string(e.type)) + " state of " +
                        e.client_order_id.str());
  };
  auto b = open(sink);
  b->on_market_bar(bar("SPY", "2024-01-02", "100", "105", "99", "104"));
  ASSERT_TRUE(b->submit(kernel::RiskGate::approve("s-1", order(Side::Buy, "10"))).is_ok());
  ASSERT_TRUE(
      b->submit(kernel::RiskGate::approve("s-2", order(Side::Buy, "5", sdk::OrderType::Limit)))
          .is_ok());
  ASSERT_TRUE(b->submit(kernel::RiskGate::approve(
                            "s-3", with_tif(order(Side::Buy, "5", sdk::OrderType::Limit),
                                            sdk::TimeInForce::Ioc)))
                  .is_ok());
  b->on_market_bar(
      bar("SPY", "2024-01-03", "101", "106", "100", "102"));  // s-1 fills, s-3 is canceled
  ASSERT_TRUE(b->cancel(sdk::ClientOrderId("s-2")).is_ok());
  EXPECT_EQ(sink.events().size(), 6u);  // 3 accepted, a fill, 2 canceled
  EXPECT_THAT(missing, ::testing::IsEmpty());
}

// What an order carries between bars without a report - a DAY order's session, a stop that has
// triggered - survives a restart: the restarted account trades as the running one would have.
TEST_F(PaperStateFileTest, ASessionOrATriggerSeenOnABarSurvivesARestart) {
  {
    FakeSink sink;
    auto b = open(sink);
    b->on_market_bar(bar("SPY", "2024-01-02", "100", "105", "99", "104"));
    ASSERT_TRUE(b->submit(kernel::RiskGate::approve("day", day_buy_below_market())).is_ok());
    sdk::OrderIntent stop = order(Side::Buy, "10", sdk::OrderType::StopLimit);
    stop.stop_price = dec("105");
    stop.limit_price = dec("104");
    ASSERT_TRUE(b->submit(kernel::RiskGate::approve("stop", stop)).is_ok());
    // The DAY order's session is 2024-01-03; the stop triggers at 105 > limit 104 and rests.
    b->on_market_bar(bar("SPY", "2024-01-03", "103", "107", "104.5", "106"));
    ASSERT_EQ(sink.events().size(), 2u);  // the two acceptances only
  }
  FakeSink sink;
  auto b = open(sink);
  // A later date: the DAY order expires. High 104.8 is below the stop: only a triggered order
  // fills.
  b->on_market_bar(bar("SPY", "2024-01-04", "104.5", "104.8", "103.5", "104"));
  EXPECT_EQ(b->order(sdk::ClientOrderId("day"))->status, OrderEventType::Expired);
  EXPECT_EQ(b->order(sdk::ClientOrderId("stop"))->status, OrderEventType::Filled);
}

// An order that cannot be matched (its fill out of the decimal range) is reported as a fault once
// the bar's changes are saved: a sink that throws on that report costs neither the later orders
// their turn on the bar nor the save.
TEST_F(PaperStateFileTest, AFaultReportThatThrowsLosesNeitherTheBarNorItsSave) {
  {
    FakeSink sink;
    auto b = open(sink);
    b->on_market_bar(bar("SPY", "2024-01-02", "100", "105", "99", "104"));
    ASSERT_TRUE(b->submit(kernel::RiskGate::approve("big", order(Side::Buy, "100"))).is_ok());
    ASSERT_TRUE(b->submit(kernel::RiskGate::approve("day", day_buy_below_market())).is_ok());
    ASSERT_TRUE(b->submit(kernel::RiskGate::approve("big-2", order(Side::Buy, "50"))).is_ok());
    std::vector<std::string> told;
    sink.before_fault = [&](const sdk::Status& st) {
      told.push_back(st.message());
      throw std::runtime_error("sink full");
    };
    ASSERT_EQ(sink.events().size(), 3u);
    ASSERT_EQ(sink.events()[0].type, OrderEventType::Accepted);
    ASSERT_EQ(sink.events()[2].type, OrderEventType::Accepted);
    // 100 (and 50) x 90e9 is beyond the decimal range: "big" and "big-2" cannot fill. "day"
    // (limit 50) rests, and its session starts on this bar.
    EXPECT_THROW(b->on_market_bar(bar("SPY", "2024-01-03", "90000000000", "90000000000",
                                      "90000000000", "90000000000")),
                 std::runtime_error);
    // Both were told, though the sink threw on the first.
    ASSERT_EQ(told.size(), 2u);
    EXPECT_THAT(told[0], HasSubstr("could not match order 'big'"));
    EXPECT_THAT(told[1], HasSubstr("could not match order 'big-2'"));
  }  // no clean stop: as after a crash
  FakeSink sink;
  auto b = open(sink);
  b->on_market_bar(bar("SPY", "2024-01-04", "104.5", "104.8", "103.5", "104"));
  // The session of 2024-01-03 was saved: the next day's bar expires the order.
  EXPECT_EQ(b->order(sdk::ClientOrderId("day"))->status, OrderEventType::Expired);
  EXPECT_EQ(b->order(sdk::ClientOrderId("big"))->status, OrderEventType::Filled);
}

// An entry that is not a table, in the snapshot or in a record of the log, or a record's entry
// without its key, stops the start with the entry named once, and its record when it has one.
TEST_F(PaperStateFileTest, AnEntryThatIsNotATableOrHasNoKeyRefusesToStartNamingIt) {
  ASSERT_NO_FATAL_FAILURE(write_one_filled_order());
  const std::string log = text_of(log_file());
  const std::string folded = folded_state_text();
  write_edited(folded, "[[mark]]", "[[mark]]\nprice = \"102\"\nsymbol = \"SPY\"\n", "");
  expect_refused(text_of(file_), "version", "version = 2\n", "version = 2\nmark = [ \"SPY\" ]\n",
                 "mark[0] is not a table");
  EXPECT_THAT(start_fresh().message(), ::testing::Not(HasSubstr("mark[0]: mark[0]")));

  // The log as the broker left it (its first record is the order), on the snapshot before it.
  std::filesystem::remove(file_);
  std::filesystem::remove(log_file());
  {
    FakeSink sink;
    auto b = open(sink);
  }
  const auto start_with_log = [&](const std::string& edited) {
    std::ofstream(log_file(), std::ios::trunc) << edited;
    return start_fresh();
  };
  ASSERT_TRUE(start_with_log(log).is_ok());
  std::filesystem::remove(file_);
  {
    FakeSink sink;
    auto b = open(sink);
  }
  std::string without_id = log;
  const std::size_t id = without_id.find("id = \"s-1\"\n", without_id.find("[[order]]"));
  ASSERT_NE(id, std::string::npos);
  without_id.erase(id, std::string("id = \"s-1\"\n").size());
  const sdk::Status st = start_with_log(without_id);
  EXPECT_FALSE(st.is_ok());
  EXPECT_THAT(st.message(), HasSubstr(log_file() + ": change 1 (ending on line "));
  EXPECT_THAT(st.message(), HasSubstr("): order[0]: missing id"));
}

// A crash while a record is appended leaves it without its end line: that change was never
// reported, so the load drops it and the start empties the log, keeping the rest.
TEST_F(PaperStateFileTest, ATornRecordAtTheEndOfTheLogIsDropped) {
  ASSERT_NO_FATAL_FAILURE(write_one_filled_order());
  for (const std::string torn :
       {"cash = '1'\n[[order]]\nid = 's-9", "cash = '1'\n", "# end of chan"}) {
    const std::string log = text_of(log_file());
    std::ofstream(log_file(), std::ios::app) << torn;
    FakeSink sink;
    auto b = open(sink);
    EXPECT_EQ(b->account()->cash, dec("98990")) << torn;
    EXPECT_EQ(b->fills(sdk::Timestamp{INT64_MIN})->size(), 1u) << torn;
    EXPECT_EQ(b->order(sdk::ClientOrderId("s-9")).status().code(), sdk::StatusCode::NotFound)
        << torn;
    EXPECT_EQ(text_of(log_file()), "") << torn;
    // The next change follows the new snapshot, not the torn text.
    ASSERT_TRUE(b->submit(kernel::RiskGate::approve("s-" + std::to_string(torn.size()),
                                                    order(Side::Sell, "1")))
                    .is_ok());
    b.reset();
    EXPECT_THAT(folded_state_text(), HasSubstr("id = \"s-" + std::to_string(torn.size()) + "\""));
  }
}

// Anything else that does not read in the log stops the start, naming the line, and changes
// neither file.
TEST_F(PaperStateFileTest, ACorruptLogRefusesToStartNamingTheLine) {
  ASSERT_NO_FATAL_FAILURE(write_one_filled_order());
  const std::string snapshot = text_of(file_);
  const std::string log = text_of(log_file());
  ASSERT_THAT(log, HasSubstr("# end of change 1\n"));
  const std::size_t first_end_line =
      static_cast<std::size_t>(
          std::count(log.begin(), log.begin() + log.find("# end of change 1"), '\n')) +
      1;
  const struct {
    std::string from, to, expected;
  } cases[] = {
      {"# end of change 1\n", "# end of change 2\n",
       ":" + std::to_string(first_end_line) +
           ": the paper account's change log is corrupt: change 2 where change 1 was due"},
      {"# end of change 2\n", "# end of change 3\n", "change 3 where change 2 was due"},
      {"# end of change 1\n", "# end of change 01\n",
       ":" + std::to_string(first_end_line) +
           ": the paper account's change log is corrupt: '# end of change 01' is not an end line"},
      {"# end of change 1\n", "# end of change one\n", "is not an end line"},
      {"cash = \"", "cash = ", ":1: the paper account's change log is corrupt"},
      // (the line taken out moves the end line up by one)
      {"next_trade_number = 1\n", "",
       "change 1 (ending on line " + std::to_string(first_end_line - 1) +
           "): missing next_trade_number"},
      // Found by the checks of the whole account, still named with the record it came from.
      {"trade_id = \"paper-t1\"", "trade_id = \"paper-x1\"",
       "fill[0] (from " + log_file() + " change 2 (ending on line " +
           std::to_string(std::count(log.begin(), log.end(), '\n')) + ")): unreadable trade_id"},
      {"cash = \"98990\"", "cash = \"lots\"", "change 2 (ending on line "},
  };
  for (const auto& c : cases) {
    std::string edited = log;
    const std::size_t at = edited.find(c.from);
    ASSERT_NE(at, std::string::npos) << c.from;
    edited.replace(at, c.from.size(), c.to);
    std::ofstream(log_file(), std::ios::trunc) << edited;
    const sdk::Status st = start_fresh();
    EXPECT_FALSE(st.is_ok()) << c.to;
    EXPECT_THAT(st.message(), HasSubstr(c.expected)) << c.to;
    EXPECT_EQ(text_of(file_), snapshot) << c.to;
    EXPECT_EQ(text_of(log_file()), edited) << c.to;
  }
}

// A crash after a new snapshot, before the log is emptied, leaves records the snapshot holds:
// skipped, not booked twice.
TEST_F(PaperStateFileTest, RecordsTheSnapshotAlreadyHoldsAreSkipped) {
  ASSERT_NO_FATAL_FAILURE(write_one_filled_order());
  const std::string log = text_of(log_file());
  ASSERT_THAT(folded_state_text(), HasSubstr("last_change = 2"));
  std::ofstream(log_file(), std::ios::trunc) << log;
  FakeSink sink;
  auto b = open(sink);
  EXPECT_EQ(b->account()->cash, dec("98990"));
  EXPECT_EQ(b->fills(sdk::Timestamp{INT64_MIN})->size(), 1u);
}

TEST_F(PaperStateFileTest, ALogWithoutItsStateFileRefusesToStart) {
  ASSERT_NO_FATAL_FAILURE(write_one_filled_order());
  std::filesystem::remove(file_);
  const sdk::Status st = start_fresh();
  EXPECT_FALSE(st.is_ok());
  EXPECT_THAT(st.message(),
              HasSubstr(log_file() + " holds changes to a paper account but its state file " +
                        file_ + " is missing"));
  EXPECT_FALSE(std::filesystem::exists(file_));
}

// Once the log holds as many records as the snapshot has orders and fills (at least 64), a new
// snapshot replaces it: the log never outgrows the snapshot, and a snapshot's cost is spread over
// as many changes as it holds entries.
TEST_F(PaperStateFileTest, TheLogIsFoldedIntoANewSnapshotOnceItIsAsLargeAsOne) {
  constexpr int kOrders = 50;  // 100 changes
  {
    FakeSink sink;
    auto b = open(sink);
    for (int i = 1; i <= kOrders; ++i) {
      b->on_market_bar(bar(
          "SPY",
          ("2024-01-01T00:" + std::string(i < 10 ? "0" : "") + std::to_string(i) + ":00Z").c_str(),
          "100", "101", "99", "100"));
      ASSERT_TRUE(b->submit(kernel::RiskGate::approve("s-" + std::to_string(i),
                                                      order(i % 2 ? Side::Buy : Side::Sell, "1")))
                      .is_ok());
    }
    b->on_market_bar(bar("SPY", "2024-01-01T01:00:00Z", "100", "101", "99", "100"));
  }
  const std::string snapshot = text_of(file_);
  const std::string log = text_of(log_file());
  const auto count = [](const std::string& text, const std::string& what) {
    std::size_t n = 0;
    for (std::size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1))
      ++n;
    return n;
  };
  EXPECT_EQ(count(snapshot, "last_change = 0\n"), 0u);
  EXPECT_EQ(count(log, "# end of change 1\n"), 0u);
  EXPECT_GT(count(log, "# end of change "), 0u);
  EXPECT_LE(count(log, "# end of change "),
            count(snapshot, "[[order]]") + count(snapshot, "[[fill]]"));
  FakeSink sink;
  auto b = open(sink);
  EXPECT_EQ(b->fills(sdk::Timestamp{INT64_MIN})->size(), static_cast<std::size_t>(kOrders));
  EXPECT_EQ(b->positions()->size(), 0u);
}

// A state file of the version before the change log (rewritten whole on every change) still loads.
TEST_F(PaperStateFileTest, AVersion1StateFileStillLoads) {
  ASSERT_NO_FATAL_FAILURE(write_one_filled_order());
  std::string text = folded_state_text();
  write_edited(text, "", "last_change = 2\n", "");
  write_edited(text_of(file_), "", "version = 2", "version = 1");
  FakeSink sink;
  auto b = open(sink);
  EXPECT_EQ(b->account()->cash, dec("98990"));
  EXPECT_EQ(b->fills(sdk::Timestamp{INT64_MIN})->size(), 1u);
  EXPECT_THAT(text_of(file_), HasSubstr("version = 2"));
}

// A crash part-way through a bar - after one order's fill was reported, before the next order of
// the bar was matched - leaves an account whose resumed market replays that bar to the orders it
// had not reached, and the marks of other symbols as they were at the last save.
TEST_F(PaperStateFileTest, ACrashPartWayThroughABarReplaysItToTheOrdersNotYetMatched) {
  const std::filesystem::path crash = dir_ / "at_crash";
  std::filesystem::create_directories(crash);
  FakeSink sink;
  bool copied = false;
  sink.before_order_event = [&](const sdk::OrderEvent& e) {
    if (e.type != OrderEventType::Filled || e.client_order_id.str() != "a" || copied) return;
    // What a kill at this moment leaves on disk.
    std::filesystem::copy_file(file_, crash / "account.toml");
    std::filesystem::copy_file(log_file(), crash / "account.toml.log");
    copied = true;
  };
  auto b = open(sink);
  b->on_market_bar(bar("QQQ", "2024-01-02T15:00:00Z", "50", "51", "49", "50"));
  b->on_market_bar(bar("SPY", "2024-01-02T16:00:00Z", "100", "105", "99", "104"));
  sdk::OrderIntent qqq = order(Side::Buy, "10");
  qqq.symbol = "QQQ";
  ASSERT_TRUE(b->submit(kernel::RiskGate::approve("q", qqq)).is_ok());
  ASSERT_TRUE(b->submit(kernel::RiskGate::approve("a", order(Side::Buy, "1"))).is_ok());
  ASSERT_TRUE(b->submit(kernel::RiskGate::approve("b", order(Side::Buy, "2"))).is_ok());
  b->on_market_bar(bar("QQQ", "2024-01-03T15:00:00Z", "50", "61", "49", "60"));  // q fills
  // No order of QQQ is open now: its bar moves the mark and saves nothing.
  b->on_market_bar(bar("QQQ", "2024-01-03T15:30:00Z", "60", "71", "59", "70"));
  b->on_market_bar(bar("SPY", "2024-01-03T16:00:00Z", "101", "106", "100", "102"));  // a, then b
  ASSERT_TRUE(copied);
  b.reset();

  FakeSink after;
  PaperBroker restarted(make_config({{"state_file", (crash / "account.toml").string()}}));
  ASSERT_TRUE(restarted.start(after).is_ok());
  // A resumed replay starts after the last bar matched whole (QQQ's), so it brings SPY's again.
  EXPECT_THAT(text_of((crash / "account.toml").string()),
              HasSubstr("latest_bar_ts = " +
                        std::to_string(testing::ts("2024-01-03T15:30:00Z").ns) + "\n"));
  EXPECT_EQ(restarted.order(sdk::ClientOrderId("a"))->status, OrderEventType::Filled);
  EXPECT_EQ(restarted.order(sdk::ClientOrderId("b"))->status, OrderEventType::Accepted);
  const auto positions = restarted.positions();
  ASSERT_EQ(positions->size(), 2u);
  EXPECT_EQ(positions->at(0).symbol, sdk::Symbol("QQQ"));
  EXPECT_EQ(positions->at(0).market_price, dec("70"));  // saved with a's fill
  // The bar is replayed: b fills on it, a does not fill again.
  restarted.on_market_bar(bar("SPY", "2024-01-03T16:00:00Z", "101", "106", "100", "102"));
  EXPECT_EQ(restarted.order(sdk::ClientOrderId("b"))->status, OrderEventType::Filled);
  const auto fills = restarted.fills(sdk::Timestamp{INT64_MIN});
  ASSERT_EQ(fills->size(), 3u);
  EXPECT_EQ(fills->at(1).client_order_id.str(), "a");
  EXPECT_EQ(fills->at(2).client_order_id.str(), "b");
  EXPECT_EQ(fills->at(2).trade_id.str(), "paper-t3");
}

// Bars of several symbols at the same time are told apart by symbol, in the replay's order: an
// account stopped between QQQ's and SPY's bars of 2024-01-02 resumes with SPY's.
TEST_F(PaperStateFileTest, AResumedReplayStartsAfterTheLastBarMatchedByTimeAndSymbol) {
  {
    FakeSink sink;
    auto b = open(sink);
    b->on_market_bar(bar("QQQ", "2024-01-02", "400", "405", "398", "402"));
    b->stop();
  }
  FakeSink sink;
  auto b = open(sink);
  ASSERT_TRUE(b->subscribe_bars({sdk::Symbol("SPY"), sdk::Symbol("QQQ")}).is_ok());
  ASSERT_TRUE(sink.wait_until([&] { return sink.data_end_count_unlocked() == 1; }));
  const auto bars = sink.bars();
  ASSERT_FALSE(bars.empty());
  EXPECT_EQ(bars.front().symbol, sdk::Symbol("SPY"));
  EXPECT_EQ(bars.front().ts, testing::ts("2024-01-02T00:00:00Z"));
  for (const sdk::Bar& replayed : bars)
    EXPECT_FALSE(replayed.symbol == sdk::Symbol("QQQ") &&
                 replayed.ts == testing::ts("2024-01-02T00:00:00Z"));
}

// A tag is free text: one with a line break that reads like an end line is written escaped, and
// the account loads.
TEST_F(PaperStateFileTest, ATagThatLooksLikeAnEndLineDoesNotBreakTheLog) {
  {
    FakeSink sink;
    auto b = open(sink);
    b->on_market_bar(bar("SPY", "2024-01-02", "100", "105", "99", "104"));
    sdk::OrderIntent in = order(Side::Buy, "1");
    in.tag = "x\n# end of change 7\ny";
    ASSERT_TRUE(b->submit(kernel::RiskGate::approve("s-1", in)).is_ok());
  }
  FakeSink sink;
  auto b = open(sink);
  EXPECT_EQ(b->order(sdk::ClientOrderId("s-1"))->status, OrderEventType::Accepted);
  EXPECT_THAT(text_of(file_), HasSubstr("x\\n# end of change 7\\ny"));
}

// A save that fails is a fault, and the next save is a whole snapshot: once the disk is back, the
// account on disk is whole again, with no record number used twice.
TEST_F(PaperStateFileTest, AFailedSaveIsAFaultAndTheNextSaveIsAWholeSnapshot) {
  FakeSink sink;
  auto b = open(sink);
  b->on_market_bar(bar("SPY", "2024-01-02", "100", "105", "99", "104"));
  ASSERT_TRUE(b->submit(kernel::RiskGate::approve("s-1", order(Side::Buy, "1"))).is_ok());
  // The log cannot be written (a directory in its place): the append fails, then the snapshot
  // that follows cannot empty it.
  std::filesystem::remove(log_file());
  std::filesystem::create_directory(log_file());
  ASSERT_TRUE(b->submit(kernel::RiskGate::approve("s-2", order(Side::Buy, "1"))).is_ok());
  ASSERT_TRUE(b->submit(kernel::RiskGate::approve("s-3", order(Side::Buy, "1"))).is_ok());
  const auto faults = sink.faults();
  ASSERT_EQ(faults.size(), 2u);
  EXPECT_THAT(faults[0], HasSubstr("cannot save its account after recording an order"));
  EXPECT_THAT(faults[1], HasSubstr("cannot empty " + log_file()));
  std::filesystem::remove(log_file());
  ASSERT_TRUE(b->submit(kernel::RiskGate::approve("s-4", order(Side::Buy, "1"))).is_ok());
  b->on_market_bar(bar("SPY", "2024-01-03", "101", "106", "100", "102"));  // all four fill
  EXPECT_EQ(sink.faults().size(), 2u);
  b.reset();

  FakeSink after;
  auto restarted = open(after);
  EXPECT_EQ(restarted->fills(sdk::Timestamp{INT64_MIN})->size(), 4u);
  EXPECT_EQ(restarted->account()->cash, dec("99596"));  // 100000 - 4 x 101
}

}  // namespace
}  // namespace mercurio::brokers::paper
