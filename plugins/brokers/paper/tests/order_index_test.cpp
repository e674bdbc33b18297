// The paper broker's index of every order it took: found by id, never by a hash alone.
#include "order_index.hpp"

#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace mercurio::brokers::paper {
namespace {

using sdk::ClientOrderId;

TEST(OrderIndexTest, FindsEveryIdAtItsPosition) {
  std::vector<ClientOrderId> log;
  OrderIndex index;
  for (int i = 0; i < 5'000; ++i) {
    log.emplace_back("ma-" + std::to_string(i));
    index.add(log.back(), log.size() - 1);
  }
  const auto id_at = [&](std::size_t i) -> const ClientOrderId& { return log.at(i); };
  EXPECT_EQ(index.size(), 5'000u);
  for (std::size_t i = 0; i < log.size(); ++i) EXPECT_EQ(index.find(log[i], id_at), std::optional<std::size_t>(i));
  EXPECT_FALSE(index.find(ClientOrderId("ma-5000"), id_at));
  EXPECT_FALSE(index.find(ClientOrderId(""), id_at));
}

// Only the hash is kept, so a hash that matches is not enough: the id in the log decides. Here the
// log holds another id at the position recorded for "a" (as a colliding id would look).
TEST(OrderIndexTest, AMatchingHashWithAnotherIdInTheLogIsNotFound) {
  OrderIndex index;
  index.add(ClientOrderId("a"), 0);
  const ClientOrderId other("b");
  EXPECT_FALSE(index.find(ClientOrderId("a"), [&](std::size_t) -> const ClientOrderId& { return other; }));
  const ClientOrderId same("a");
  EXPECT_EQ(index.find(ClientOrderId("a"), [&](std::size_t) -> const ClientOrderId& { return same; }),
            std::optional<std::size_t>(0));
}

// Two ids under one hash (a collision): the one the log holds at a position is found there, in
// whichever order the two were added (so one of the two orders puts the other id first).
TEST(OrderIndexTest, AnIdSharingItsHashWithAnotherIsFoundAtItsOwnPosition) {
  const std::vector<ClientOrderId> log = {ClientOrderId("x"), ClientOrderId("y")};
  const auto id_at = [&](std::size_t i) -> const ClientOrderId& { return log.at(i); };
  for (const bool x_first : {true, false}) {
    OrderIndex index;
    // Both recorded under the hash of "x", as "y" would be were its hash that of "x".
    index.add(ClientOrderId("x"), x_first ? 0 : 1);
    index.add(ClientOrderId("x"), x_first ? 1 : 0);
    EXPECT_EQ(index.find(ClientOrderId("x"), id_at), std::optional<std::size_t>(0));
  }
}

}  // namespace
}  // namespace mercurio::brokers::paper
