// The paper broker's index of every order it took: every id found at its position, whatever order
// the ids come in, and an id never taken twice.
#include "order_index.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <random>
#include <string>
#include <vector>

namespace mercurio::brokers::paper {
namespace {

using sdk::ClientOrderId;

void expect_finds_each_at_its_position(const OrderIndex& index,
                                       const std::vector<ClientOrderId>& ids) {
  ASSERT_EQ(index.size(), ids.size());
  for (std::size_t i = 0; i < ids.size(); ++i)
    EXPECT_EQ(index.find(ids[i]), std::optional<std::size_t>(i)) << ids[i].str();
}

// One client numbering upwards (the kernel's ids): each new id sorts after every other.
TEST(OrderIndexTest, FindsIdsNumberedUpwards) {
  std::vector<ClientOrderId> ids;
  OrderIndex index;
  for (int i = 1; i <= 5'000; ++i) {
    ids.emplace_back("ma-" + std::to_string(i));
    EXPECT_FALSE(index.find(ids.back()));  // new
    EXPECT_TRUE(index.add(ids.back(), ids.size() - 1));
  }
  expect_finds_each_at_its_position(index, ids);
  EXPECT_FALSE(index.find(ClientOrderId("ma-5001")));
  EXPECT_FALSE(index.find(ClientOrderId("ma-0")));
  EXPECT_FALSE(index.find(ClientOrderId("")));
}

// Several clients interleaved, and ids in no order at all: the same answers.
TEST(OrderIndexTest, FindsIdsInAnyOrder) {
  std::vector<ClientOrderId> ids;
  for (int i = 1; i <= 2'000; ++i)
    for (const char* client : {"ma-", "rsi-", "z-"}) ids.emplace_back(client + std::to_string(i));
  std::vector<ClientOrderId> shuffled = ids;
  std::shuffle(shuffled.begin(), shuffled.end(), std::mt19937(7));
  for (const auto* order : {&ids, &shuffled}) {
    OrderIndex index;
    for (std::size_t i = 0; i < order->size(); ++i) {
      EXPECT_FALSE(index.find((*order)[i]));
      EXPECT_TRUE(index.add((*order)[i], i));
    }
    expect_finds_each_at_its_position(index, *order);
    EXPECT_FALSE(index.find(ClientOrderId("ma-2001")));
    EXPECT_FALSE(index.find(ClientOrderId("rsi-0")));
  }
}

// An id already taken is refused and keeps its first position, whether it is the largest id so far
// (the shortcut must not take an id equal to the largest for a new one) or not.
TEST(OrderIndexTest, AnIdTakenTwiceKeepsItsFirstPosition) {
  OrderIndex index;
  ASSERT_TRUE(index.add(ClientOrderId("b-2"), 0));
  ASSERT_TRUE(index.add(ClientOrderId("b-10"), 1));  // longer: sorts after "b-2"
  EXPECT_FALSE(index.add(ClientOrderId("b-10"), 2));
  EXPECT_FALSE(index.add(ClientOrderId("b-2"), 3));
  EXPECT_EQ(index.size(), 2u);
  EXPECT_EQ(index.find(ClientOrderId("b-2")), std::optional<std::size_t>(0));
  EXPECT_EQ(index.find(ClientOrderId("b-10")), std::optional<std::size_t>(1));
  EXPECT_FALSE(index.find(ClientOrderId("b-3")));
}

// Mostly upward ids of three clients with some repeated and some out of order, as a broker may be
// sent them: every add and find answered as a plain map of what was added answers it.
TEST(OrderIndexTest, AnswersAsAPlainMapOverARandomMix) {
  std::mt19937 rng(11);
  std::map<std::string, std::size_t> expected;
  OrderIndex index;
  int next[3] = {1, 1, 1};
  const char* clients[3] = {"ma-", "rsi-", "z-"};
  for (std::size_t i = 0; i < 20'000; ++i) {
    const std::size_t c = rng() % 3;
    const int n = rng() % 10 == 0 ? static_cast<int>(rng() % next[c]) + 1 : next[c]++;  // 1 in 10: an old one
    const std::string id = clients[c] + std::to_string(n);
    const bool is_new = expected.emplace(id, i).second;
    EXPECT_EQ(index.add(ClientOrderId(id), i), is_new) << id;
    const std::string probe = clients[rng() % 3] + std::to_string(rng() % (next[c] + 5));
    const auto want = expected.find(probe);
    EXPECT_EQ(index.find(ClientOrderId(probe)),
              want == expected.end() ? std::nullopt : std::optional<std::size_t>(want->second))
        << probe;
  }
  EXPECT_EQ(index.size(), expected.size());
}

}  // namespace
}  // namespace mercurio::brokers::paper
