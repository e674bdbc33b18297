// The operator-command queue: a command stays queued until the kernel has applied it and saved its
// effect, so a crash while one is applied loses none queued behind it.

#include "risk/risk_state_store.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>

#include "support/test_paths.hpp"

using namespace mercurio::kernel;
using ::testing::HasSubstr;

namespace {

OperatorCommand command(const char* action, std::int64_t at_ns) {
  OperatorCommand c;
  c.action = action;
  c.by = "alice";
  c.reason = "test";
  c.at = mercurio::sdk::Timestamp{at_ns};
  return c;
}

std::string text_of(const std::filesystem::path& file) {
  std::ifstream in(file);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// Writes `text`, its first `from` replaced by `to`, as the store's state file (a `from` that is not
// there fails the test): a file saved, then damaged or written by an older version.
void write_edited(const RiskStateStore& store, std::string text, const std::string& from,
                  const std::string& to) {
  const auto at = text.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  if (at != std::string::npos) text.replace(at, from.size(), to);
  std::ofstream(store.state_file(), std::ios::trunc) << text;
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
    const auto queued = store.queued_commands().commands;
    ASSERT_EQ(queued.size(), 2u) << "read " << read;
    EXPECT_EQ(queued[0].action, "flatten");  // oldest first
    EXPECT_EQ(queued[1].action, "halt");
  }
  EXPECT_EQ(store.remove_command(store.queued_commands().commands.front()), "");
  const auto left = store.queued_commands().commands;
  ASSERT_EQ(left.size(), 1u);
  EXPECT_EQ(left[0].action, "halt");
  EXPECT_EQ(store.queued_commands("acknowledge").commands.size(), 0u);  // filtered, still queued
  EXPECT_EQ(store.queued_commands().commands.size(), 1u);
}

// A queue that cannot be listed gives no command and says so, naming the directory: a listing cut
// short could apply a resume without the halt queued before it.
TEST(RiskStateStoreTest, AQueueThatCannotBeListedGivesNoCommandButTheError) {
  const auto dir = mercurio::test::scratch_dir("risk_state_store_unlistable");
  RiskStateStore store(dir);
  store.prepare();
  store.enqueue(command("halt", 1));
  ASSERT_EQ(store.queued_commands().commands.size(), 1u);
  EXPECT_EQ(store.queued_commands().error, "");
  std::filesystem::remove_all(store.commands_dir());
  std::ofstream(store.commands_dir()) << "not a directory";
  const auto queue = store.queued_commands();
  EXPECT_TRUE(queue.commands.empty());
  EXPECT_THAT(queue.error, HasSubstr("cannot list the operator command queue " +
                                     store.commands_dir().string() + ": "));
}

// Holds, flattens and pending emergency procedures come back as saved; a value that is not text
// (or an action that is not one) refuses the file, naming the key: read as empty, a hold or a
// flatten would be dropped at the next save.
TEST(RiskStateStoreTest, ProceduresInProgressRoundTripAndAMalformedOneRefusesTheFile) {
  const auto dir = mercurio::test::scratch_dir("risk_state_store_procedures");
  RiskStateStore store(dir);
  store.prepare();
  PersistedRiskState saved;
  saved.state = "HALTED";
  saved.reason = "drawdown";
  saved.disabled_strategies["ma"] = "operator alice: flatten";
  saved.flattening_strategies["ma"] = "operator alice: flatten";
  saved.flattening_strategies["odd id"] = "drawdown \"12 %\"";
  saved.pending_emergencies["alpaca"] = DrawdownAction::Flatten;
  ASSERT_EQ(store.save(saved), "");
  const auto loaded = store.load();
  ASSERT_TRUE(loaded.has_value());
  EXPECT_EQ(loaded->disabled_strategies, saved.disabled_strategies);
  EXPECT_EQ(loaded->flattening_strategies, saved.flattening_strategies);
  EXPECT_EQ(loaded->pending_emergencies, saved.pending_emergencies);

  const std::string good = text_of(store.state_file());
  const auto refused_with = [&](const std::string& from, const std::string& to) {
    write_edited(store, good, from, to);
    try {
      store.load();
    } catch (const std::runtime_error& e) {
      return std::string(e.what());
    }
    return std::string("loaded");
  };
  EXPECT_THAT(
      refused_with("ma = 'operator alice: flatten'\n\n[flattening", "ma = 1\n\n[flattening"),
      HasSubstr("key \"disabled_strategies.ma\" is not a string"));
  EXPECT_THAT(refused_with("alpaca = 'flatten'", "alpaca = 'flat'"),
              HasSubstr("\"pending_emergencies.alpaca\" must be \"cancel\" or \"flatten\""));
  EXPECT_THAT(refused_with("[pending_emergencies]", "[pending_emergencies.alpaca2]"),
              HasSubstr("key \"pending_emergencies.alpaca2\" is not a string"));
  EXPECT_EQ(refused_with("alpaca = 'flatten'", "alpaca = 'cancel'"), "loaded");
}

// Whether the drawdown breaker tripped is saved; a file from before the key existed reads it from
// a HALTED whose reason is a drawdown; anything but a boolean refuses the file.
TEST(RiskStateStoreTest, TheDrawdownTripIsSavedAndReadFromOlderFiles) {
  const auto dir = mercurio::test::scratch_dir("risk_state_store_drawdown_tripped");
  RiskStateStore store(dir);
  store.prepare();
  PersistedRiskState saved;
  saved.state = "HALTED";
  saved.reason = "journal full";
  saved.drawdown_tripped = true;
  ASSERT_EQ(store.save(saved), "");
  EXPECT_TRUE(store.load()->drawdown_tripped);
  const auto with = [&](const std::string& from, const std::string& to) {
    write_edited(store, text_of(store.state_file()), from, to);
    return store.load();
  };
  EXPECT_FALSE(with("drawdown_tripped = true\n", "")->drawdown_tripped);  // HALTED, journal full
  saved.reason = "drawdown 12 % from peak equity 100000 exceeds max_drawdown_pct 5";
  saved.drawdown_tripped = false;
  ASSERT_EQ(store.save(saved), "");
  EXPECT_TRUE(with("drawdown_tripped = false\n", "")->drawdown_tripped);
  ASSERT_EQ(store.save(saved), "");
  try {
    with("drawdown_tripped = false", "drawdown_tripped = 'no'");
    FAIL() << "read a drawdown_tripped that is not a boolean";
  } catch (const std::runtime_error& e) {
    EXPECT_THAT(e.what(), ::testing::HasSubstr("key \"drawdown_tripped\" is not a boolean"));
  }
}
