// Paper mode's replay feed: merged order, end marker, one subscription, prompt stop.
#include "replay_feed.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <memory>

#include "paper_broker.hpp"
#include "test_support.hpp"

namespace mercurio::brokers::paper {
namespace {

using testing::FakeSink;
using ::testing::HasSubstr;
using testing::make_config;
using testing::ts;

std::vector<std::string> keys(const std::vector<sdk::Bar>& bars) {
  std::vector<std::string> out;
  for (const auto& b : bars) out.push_back(b.ts.to_iso8601().substr(0, 10) + " " + b.symbol.str());
  return out;
}

TEST(ReplayFeedTest, BrokerReplaysSymbolsMergedByTimeThenSymbolAndEndsTheData) {
  FakeSink sink;
  PaperBroker broker(make_config());
  ASSERT_TRUE(broker.start(sink));
  ASSERT_TRUE(broker.subscribe_bars({"QQQ", "SPY"}));
  ASSERT_TRUE(sink.wait_until([&] { return sink.data_end_count_unlocked() > 0; }));
  broker.stop();
  EXPECT_EQ(keys(sink.bars()),
            (std::vector<std::string>{"2024-01-02 QQQ", "2024-01-02 SPY", "2024-01-03 SPY",
                                      "2024-01-04 QQQ", "2024-01-04 SPY", "2024-01-05 SPY",
                                      "2024-01-08 SPY", "2024-01-09 QQQ"}));
  EXPECT_EQ(sink.bars()[6].close, testing::dec("101.5"));
  EXPECT_EQ(sink.data_end_count(), 1);
  EXPECT_TRUE(sink.faults().empty());
}

TEST(ReplayFeedTest, BrokerReplaysOnlyTheSubscribedSymbols) {
  FakeSink sink;
  PaperBroker broker(make_config());
  ASSERT_TRUE(broker.start(sink));
  ASSERT_TRUE(broker.subscribe_bars({"QQQ"}));
  ASSERT_TRUE(sink.wait_until([&] { return sink.data_end_count_unlocked() > 0; }));
  broker.stop();
  EXPECT_EQ(keys(sink.bars()),
            (std::vector<std::string>{"2024-01-02 QQQ", "2024-01-04 QQQ", "2024-01-09 QQQ"}));
}

TEST(ReplayFeedTest, SecondSubscribeIsAnError) {
  FakeSink sink;
  PaperBroker broker(make_config());
  ASSERT_TRUE(broker.start(sink));
  ASSERT_TRUE(broker.subscribe_bars({"SPY"}));
  const sdk::Status again = broker.subscribe_bars({"QQQ"});
  EXPECT_EQ(again.code(), sdk::StatusCode::Rejected);
  EXPECT_THAT(again.message(), HasSubstr("already called"));
  ASSERT_TRUE(sink.wait_until([&] { return sink.data_end_count_unlocked() > 0; }));
  broker.stop();
  EXPECT_EQ(sink.bars().size(), 5u);
}

TEST(ReplayFeedTest, SubscribeToASymbolWithoutDataStartsNothing) {
  FakeSink sink;
  PaperBroker broker(make_config());
  ASSERT_TRUE(broker.start(sink));
  const sdk::Status st = broker.subscribe_bars({"AAPL", "SPY"});
  EXPECT_EQ(st.code(), sdk::StatusCode::NotFound);
  EXPECT_THAT(st.message(), HasSubstr("no data for symbol(s) AAPL"));
  // Not counted as the one subscription: a corrected call works.
  ASSERT_TRUE(broker.subscribe_bars({"SPY"}));
  ASSERT_TRUE(sink.wait_until([&] { return sink.data_end_count_unlocked() > 0; }));
  broker.stop();
  EXPECT_EQ(sink.bars().size(), 5u);
}

TEST(ReplayFeedTest, SubscribeReturnsALoadErrorInsteadOfStarting) {
  FakeSink sink;
  PaperBroker broker(make_config({{"data", sdk::StringMap{{"SPY", "test_data/bad_rows.csv"}}}}));
  ASSERT_TRUE(broker.start(sink));
  const sdk::Status st = broker.subscribe_bars({"SPY"});
  EXPECT_EQ(st.code(), sdk::StatusCode::InvalidArgument);
  EXPECT_THAT(st.message(), HasSubstr("bad_rows.csv:3:"));
  broker.stop();
  EXPECT_TRUE(sink.bars().empty());
  EXPECT_EQ(sink.data_end_count(), 0);
}

TEST(ReplayFeedTest, StopInterruptsAPauseAndJoins) {
  FakeSink sink;
  // One hour between bars: only a prompt wake-up lets stop() return within the test's timeout.
  PaperBroker broker(make_config({{"replay_interval_ms", std::int64_t{3'600'000}}}));
  ASSERT_TRUE(broker.start(sink));
  ASSERT_TRUE(broker.subscribe_bars({"SPY"}));
  ASSERT_TRUE(sink.wait_until([&] { return sink.bar_count_unlocked() >= 1; }));
  broker.stop();
  // After stop() returns no sink call may happen: the counts are final.
  EXPECT_EQ(sink.bars().size(), 1u);
  EXPECT_EQ(sink.data_end_count(), 0);
  EXPECT_EQ(sink.bars()[0].ts, ts("2024-01-02"));
}

TEST(ReplayFeedTest, FeedPacesBarsAndEndsWithoutStop) {
  FakeSink sink;
  ReplayFeed feed;
  std::vector<sdk::Bar> bars = {testing::bar("SPY", "2024-01-02", "1", "2", "1", "2"),
                                testing::bar("SPY", "2024-01-03", "1", "2", "1", "2")};
  feed.start(bars, std::chrono::milliseconds(1), sink);
  ASSERT_TRUE(sink.wait_until([&] { return sink.data_end_count_unlocked() > 0; }));
  feed.stop();
  EXPECT_EQ(sink.bars().size(), 2u);
  EXPECT_FALSE(feed.running());
}

TEST(ReplayFeedTest, StopIsIdempotentAndSafeBeforeStart) {
  ReplayFeed feed;
  feed.stop();
  feed.stop();
  EXPECT_FALSE(feed.running());
}

TEST(ReplayFeedTest, DestroyingTheBrokerStopsTheFeed) {
  FakeSink sink;
  {
    PaperBroker broker(make_config({{"replay_interval_ms", std::int64_t{3'600'000}}}));
    ASSERT_TRUE(broker.start(sink));
    ASSERT_TRUE(broker.subscribe_bars({"SPY", "QQQ"}));
    ASSERT_TRUE(sink.wait_until([&] { return sink.bar_count_unlocked() >= 1; }));
  }
  EXPECT_EQ(sink.bars().size(), 1u);
}

}  // namespace
}  // namespace mercurio::brokers::paper
