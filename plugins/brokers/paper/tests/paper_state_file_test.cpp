// The paper broker's persistent account (state_file): it outlives the broker object like a real
// venue's account outlives the trading process.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "paper_broker.hpp"
#include "mercurio/brokers/testing/test_approver.hpp"
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
  std::string state_text() const {
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
  // A fresh broker object's start on the state file as it is.
  sdk::Status start_fresh() {
    FakeSink sink;
    PaperBroker b(make_config({{"state_file", file_}}));
    return b.start(sink);
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
  std::ifstream in(file_);
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_THAT(text, HasSubstr("submits = 2"));
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

// A fill is restored as a reference to its order, so a fill that names no order of the file, or
// disagrees with it, or carries a trade id this broker never issues, makes the file unreadable.
TEST_F(PaperStateFileTest, AFillThatDoesNotMatchItsOrderRefusesToStartNamingTheEntry) {
  ASSERT_NO_FATAL_FAILURE(write_one_filled_order());
  const std::string text = state_text();
  const struct {
    std::string from, to, expected;
  } cases[] = {
      {"id = 's-1'", "id = 's-9'", "fill[0]: no order 's-9' in this file"},
      {"side = 'buy'", "side = 'sell'", "fill[0]: symbol, side or venue_order_id differ from order 's-1'"},
      {"trade_id = 'paper-t1'", "trade_id = 'venue-77'", "fill[0]: unreadable trade_id"},
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
  const std::string text = state_text();
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
      {"[[order]]", "venue_order_id = 'paper-1'", "venue_order_id = 'venue-1'",
       "order[0]: unreadable venue_order_id"},
  };
  for (const auto& c : cases) {
    write_edited(text, c.section, c.from, c.to);
    const sdk::Status st = start_fresh();
    EXPECT_FALSE(st.is_ok()) << c.to;
    EXPECT_THAT(st.message(), HasSubstr(file_ + ": " + c.expected));
  }
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
  const std::string text = state_text();
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
      {"[[fill]]", "trade_id = 'paper-t2'", "trade_id = 'paper-t1'",
       "fill[1]: trade_id 'paper-t1' must come after 'paper-t1' and be below next_trade_number 3"},
      {"[[fill]]", "trade_id = 'paper-t1'", "trade_id = 'paper-t01'",
       "fill[0]: unreadable trade_id"},
      {"[[order]]", "venue_order_id = 'paper-2'", "venue_order_id = 'paper-1'",
       "order[2]: venue_order_id 'paper-1' must come after 'paper-1' and be below "
       "next_order_number 3"},
  };
  for (const auto& c : cases) {
    write_edited(text, c.section, c.from, c.to);
    const sdk::Status st = start_fresh();
    EXPECT_FALSE(st.is_ok()) << c.to;
    EXPECT_THAT(st.message(), HasSubstr(file_ + ": " + c.expected));
  }
}

// A file that fails to load changes nothing, so the same broker can start once the file is fixed,
// and goes on from the file's numbers, not from a half-loaded state.
TEST_F(PaperStateFileTest, AFailedLoadLeavesNothingBehindAndTheStartCanBeRetried) {
  ASSERT_NO_FATAL_FAILURE(write_one_filled_order());
  const std::string good = state_text();
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

}  // namespace
}  // namespace mercurio::brokers::paper
