// The operator-command queue: a command stays queued until the kernel has applied it and saved its
// effect, so a crash while one is applied loses none queued behind it.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>

#include "risk/risk_state_store.hpp"
#include "support/test_paths.hpp"

using namespace mercurio::kernel;

namespace {

OperatorCommand command(const char* action, std::int64_t at_ns) {
  OperatorCommand c;
  c.action = action;
  c.by = "alice";
  c.reason = "test";
  c.at = mercurio::sdk::Timestamp{at_ns};
  return c;
}

}  // namespace

TEST(RiskStateStoreTest, ACommandStaysQueuedUntilRemoved) {
  const auto dir = mercurio::test::scratch_dir("risk_state_store_queue");
  RiskStateStore store(dir);
  store.prepare();
  store.enqueue(command("halt", 2));
  store.enqueue(command("flatten", 1));
  // Read twice: nothing is taken off the queue by reading it (the first was applied, then a crash).
  for (int read = 0; read < 2; ++read) {
    const auto queued = store.queued_commands();
    ASSERT_EQ(queued.size(), 2u) << "read " << read;
    EXPECT_EQ(queued[0].action, "flatten");  // oldest first
    EXPECT_EQ(queued[1].action, "halt");
  }
  EXPECT_EQ(store.remove_command(store.queued_commands().front()), "");
  const auto left = store.queued_commands();
  ASSERT_EQ(left.size(), 1u);
  EXPECT_EQ(left[0].action, "halt");
  EXPECT_EQ(store.queued_commands("acknowledge").size(), 0u);  // filtered, still queued
  EXPECT_EQ(store.queued_commands().size(), 1u);
}
