// Restart behaviour of a journaled paper deployment, through the real binary: ids continue, a clean
// reconciliation resumes trading, a mismatch holds trading until an operator acknowledges it, and
// damaged or full storage stops trading instead of trading unrecorded.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <csignal>
#include <fstream>
#include <regex>
#include <set>

#include "support/csv.hpp"
#include "support/mercurio_cli.hpp"
#include "support/process.hpp"
#include "support/risk_config.hpp"
#include "support/saved_state.hpp"
#include "support/test_paths.hpp"

namespace mercurio::test {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
namespace fs = std::filesystem;

// A paper deployment in its own scratch folder: its config, runs and operator commands. Each kind
// below writes its own configuration.
class Deployment {
 public:
  explicit Deployment(const std::string& name) : dir_(scratch_dir(name)) {}
  const fs::path& dir() const { return dir_; }
  std::string config() const { return (dir_ / "mercurio.toml").string(); }
  ProcessResult run(const std::string& env_prefix = "") const {
    return run_process({mercurio_exe().string(), "run", "--config", config()}, dir_, env_prefix);
  }
  ProcessResult cmd(std::vector<std::string> args) const {
    args.insert(args.end(), {"--config", config()});
    return mercurio_cmd(args, dir_);
  }

 protected:
  fs::path dir_;
};

class JournaledDeployment : public Deployment {
 public:
  JournaledDeployment(const std::string& name, int bars, const std::string& journal_extra = "",
                      const std::string& windows = "3/8")
      : Deployment(name) {
    auto g = mercurio_cmd({"generate-bars", "--out", (dir_ / "data" / "AAA.csv").string(), "--symbol", "AAA", "--bars", std::to_string(bars),
                           "--interval", "1m", "--start", "2024-03-04", "--seed", "5", "--volatility", "0.6"},
                          dir_);
    EXPECT_EQ(g.exit_code, 0) << g.err;
    std::ofstream(dir_ / "mercurio.toml")
        << "[kernel]\nmode = \"paper\"\noutput_dir = \"out\"\nstate_dir = \"state\"\n"
           "[journal]\npath = \"state/journal.sqlite\"\n" << journal_extra
        << "[[plugin]]\nid = \"paper\"\nlibrary = \"mercurio_broker_paper\"\n[plugin.config]\n"
           "starting_cash = \"100000\"\ncommission_per_share = \"0.01\"\nstate_file = \"state/paper_account.toml\"\n"
           "allow_short = true\ndata = { AAA = \"data/AAA.csv\" }\n"
           "[[plugin]]\nid = \"ma\"\nlibrary = \"mercurio_strategy_moving_average\"\nbroker = \"paper\"\n[plugin.config]\n"
           "symbols = [\"AAA\"]\nshort_window = " << windows.substr(0, windows.find('/')) << "\nlong_window = "
        << windows.substr(windows.find('/') + 1) << "\nsizing = \"fixed\"\nquantity = \"10\"\nlong_only = false\n"
           "[[plugin]]\nid = \"log\"\nlibrary = \"mercurio_notifier_log\"\n"
        << kGenerousRiskTable;
  }
  /// Client order ids in the journal, from `mercurio report orders`.
  std::vector<std::string> journaled_ids() const {
    auto r = cmd({"report", "orders"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    std::vector<std::string> ids;
    std::regex id(R"((^|,)(ma-[0-9]+)(,|$))");
    std::istringstream lines(r.out);
    std::string line;
    while (std::getline(lines, line)) {
      std::smatch m;
      if (std::regex_search(line, m, id)) ids.push_back(m[2]);
    }
    return ids;
  }
  /// Order ids the paper venue holds, from its state file.
  std::set<std::string> broker_ids() const {
    std::set<std::string> ids;
    std::regex id(R"re(id = "(ma-[0-9]+)")re");
    const std::string text = read_file(dir_ / "state" / "paper_account.toml");
    for (auto it = std::sregex_iterator(text.begin(), text.end(), id); it != std::sregex_iterator(); ++it) ids.insert((*it)[1]);
    return ids;
  }
};

TEST(RecoveryTest, ARestartReconcilesCleanlyAndContinuesTheClientOrderIds) {
  JournaledDeployment d("recovery_restart", 300);
  auto first = d.run();
  ASSERT_EQ(first.exit_code, 0) << first.err;
  EXPECT_THAT(first.err, HasSubstr("reconciliation with broker paper clean"));
  const auto ids_first = d.journaled_ids();
  ASSERT_GT(ids_first.size(), 5u);
  // More market data arrives (the file grows), the deployment starts again on the same journal.
  auto g = mercurio_cmd({"generate-bars", "--out", (d.dir() / "data" / "AAA.csv").string(), "--symbol", "AAA", "--bars", "600",
                         "--interval", "1m", "--start", "2024-03-04", "--seed", "5", "--volatility", "0.6"},
                        d.dir());
  ASSERT_EQ(g.exit_code, 0);
  auto second = d.run();
  ASSERT_EQ(second.exit_code, 0) << second.err;
  EXPECT_THAT(second.err, HasSubstr("journal replayed: " + std::to_string(ids_first.size()) + " order intents"));
  EXPECT_THAT(second.err, HasSubstr("reconciliation with broker paper clean"));
  const auto ids = d.journaled_ids();
  ASSERT_GT(ids.size(), ids_first.size());
  EXPECT_EQ(std::set<std::string>(ids.begin(), ids.end()).size(), ids.size()) << "a client order id was used twice";
  EXPECT_EQ(d.broker_ids(), std::set<std::string>(ids.begin(), ids.end()));
}

TEST(RecoveryTest, AMismatchKeepsTradingHaltedUntilAnOperatorAcknowledges) {
  JournaledDeployment d("recovery_mismatch", 300);
  ASSERT_EQ(d.run().exit_code, 0);
  // Someone moved money at the venue behind the deployment's back.
  const fs::path state = d.dir() / "state" / "paper_account.toml";
  std::string text = read_file(state);
  std::smatch m;
  ASSERT_TRUE(std::regex_search(text, m, std::regex(R"re(cash = "([0-9.]+)")re")));
  const std::string old_cash = m[1];
  text = std::regex_replace(text, std::regex(R"re(cash = "[0-9.]+")re"), "cash = \"1234.5\"",
                            std::regex_constants::format_first_only);
  std::ofstream(state, std::ios::trunc) << text;

  // No acknowledgement: the kernel waits HALTED; a stop request ends the run with nothing traded.
  auto waiting = d.run("timeout --preserve-status -s TERM 3 ");
  EXPECT_EQ(waiting.exit_code, 1) << waiting.err;
  // One log line per line of the report, each with its level and source.
  EXPECT_THAT(waiting.err, HasSubstr("ERROR [kernel] reconciliation with broker paper found differences (broker vs journal):\n"));
  EXPECT_THAT(waiting.err, HasSubstr("ERROR [kernel]   cash: broker 1234.5, journal " + old_cash));
  EXPECT_THAT(waiting.err, HasSubstr("[CRITICAL] Reconciliation mismatch at paper"));
  EXPECT_THAT(waiting.err, HasSubstr("stopped before an operator acknowledged the reconciliation; nothing was traded"));
  EXPECT_THAT(waiting.err, Not(HasSubstr("strategy ma started")));

  auto ack = d.cmd({"acknowledge", "--by", "ops", "--reason", "cash transfer 2024-03-05"});
  ASSERT_EQ(ack.exit_code, 0) << ack.err;
  auto resumed = d.run();
  ASSERT_EQ(resumed.exit_code, 0) << resumed.err;
  EXPECT_THAT(resumed.err, HasSubstr("action=acknowledge by=ops"));
  EXPECT_THAT(resumed.err, HasSubstr("start-up reconciliation done: trading state ACTIVE"));
  EXPECT_LT(resumed.err.find("action=acknowledge"), resumed.err.find("strategy ma started"));
  // The broker's account is the truth from now on: the next start is clean.
  auto next = d.run();
  ASSERT_EQ(next.exit_code, 0) << next.err;
  EXPECT_THAT(next.err, HasSubstr("reconciliation with broker paper clean"));
}

TEST(RecoveryTest, ANewJournalOnAnAccountWithHistoryBooksThatHistoryOnceAsTheOpeningBalance) {
  JournaledDeployment d("recovery_new_journal", 300);
  auto first = d.run();
  ASSERT_EQ(first.exit_code, 0) << first.err;
  ASSERT_GT(d.broker_ids().size(), 5u) << "the first run must leave fills at the venue";
  // The operator starts over with a new journal on the same account (its state file keeps the
  // venue's fills). Those fills are in the opening positions: listing them again must not book
  // them a second time.
  for (const char* f : {"journal.sqlite", "journal.sqlite-wal", "journal.sqlite-shm"}) fs::remove(d.dir() / "state" / f);
  auto second = d.run();
  ASSERT_EQ(second.exit_code, 0) << second.err;
  EXPECT_THAT(second.err, HasSubstr("executed before this journal began are part of the opening balance"));
  EXPECT_THAT(second.err, HasSubstr("reconciliation with broker paper clean"));
  EXPECT_THAT(second.err, Not(HasSubstr("found differences")));
  EXPECT_THAT(second.err, Not(HasSubstr("recorded at start-up")));
  // And on every later start: the prior fills are known by trade id.
  auto third = d.run();
  ASSERT_EQ(third.exit_code, 0) << third.err;
  EXPECT_THAT(third.err, HasSubstr("reconciliation with broker paper clean"));
  EXPECT_THAT(third.err, Not(HasSubstr("recorded at start-up")));
}

// A market order in flight at the stop lost its reference price with the process: until a bar of
// its symbol values it again, the exposure and cash sums would count it as zero, and another
// symbol's buy could spend the cash it will use. Such orders are refused
// (OPEN_ORDER_VALUE_UNKNOWN).
TEST(RecoveryTest, ARecoveredMarketOrderBlocksNewExposureUntilItsSymbolIsPriced) {
  const fs::path dir = scratch_dir("recovery_unpriced_market_order");
  fs::create_directories(dir / "data");
  const auto bars = [](std::initializer_list<int> minutes) {
    std::string csv = "timestamp,open,high,low,close,volume\n";
    for (int m : minutes)
      csv += "2024-03-04T14:" + std::to_string(m) + ":00Z,100,100,100,100,100000\n";
    return csv;
  };
  const auto config = [&](const std::string& data, const std::string& strategies) {
    std::ofstream(dir / "mercurio.toml")
        << "[kernel]\nmode = \"paper\"\noutput_dir = \"out\"\nstate_dir = \"state\"\n"
        << "plugin_dirs = [\"" << fixture_plugin_dir().string() << "\"]\n[journal]\npath = \"state/journal.sqlite\"\n"
        << "[[plugin]]\nid = \"paper\"\nlibrary = \"mercurio_broker_paper\"\n[plugin.config]\n"
           "starting_cash = \"100000\"\nreplay_interval_ms = 0\n"
           "state_file = \"state/paper_account.toml\"\n"
        << "data = { " << data << " }\n"
        << "[[plugin]]\nid = \"buya\"\nlibrary = \"fixture_good_strategy\"\n[plugin.config]\n"
           "symbol = \"AAA\"\nquantity = 600\nbuy_on_bar = 5\n"
        << strategies << kGenerousRiskTable;
  };
  // First run: the AAA buy (600 x 100) goes on the last bar, so it is still working at the stop.
  std::ofstream(dir / "data" / "AAA.csv") << bars({30, 31, 32, 33, 34});
  config("AAA = \"data/AAA.csv\"", "");
  auto first = run_process(
      {mercurio_exe().string(), "run", "--config", (dir / "mercurio.toml").string()}, dir);
  ASSERT_EQ(first.exit_code, 0) << first.err;
  ASSERT_THAT(first.err, HasSubstr("good_strategy: submitted buy 600 AAA as buya-1"));
  // Second run: BBB's first bar comes before AAA's next one, and a BBB strategy buys 600 x 100 on
  // it: with buya-1 counted at zero, the cash check would pass (60,000 <= 100,000).
  std::ofstream(dir / "data" / "AAA.csv") << bars({30, 31, 32, 33, 34, 40, 41});
  std::ofstream(dir / "data" / "BBB.csv") << bars({36, 37, 38, 40, 41});
  config("AAA = \"data/AAA.csv\", BBB = \"data/BBB.csv\"",
         "[[plugin]]\nid = \"buyb\"\nlibrary = \"fixture_good_strategy\"\n[plugin.config]\nsymbol "
         "= \"BBB\"\nquantity = 600\n");
  auto second = run_process(
      {mercurio_exe().string(), "run", "--config", (dir / "mercurio.toml").string()}, dir);
  ASSERT_EQ(second.exit_code, 0) << second.err;
  EXPECT_THAT(second.err, HasSubstr("reconciliation with broker paper clean"));
  EXPECT_THAT(
      second.err,
      HasSubstr("market order buya-1 (buy 600 AAA) is in flight at paper: its value is unknown"));
  EXPECT_THAT(second.err, HasSubstr("good_strategy: submit failed"));
  EXPECT_THAT(second.err, HasSubstr("OPEN_ORDER_VALUE_UNKNOWN"));
  EXPECT_THAT(second.err, Not(HasSubstr("submitted buy 600 BBB")));
  // The recovered order itself fills on AAA's next bar.
  auto trades =
      mercurio_cmd({"report", "trades", "--config", (dir / "mercurio.toml").string()}, dir);
  ASSERT_EQ(trades.exit_code, 0) << trades.err;
  EXPECT_THAT(trades.out, HasSubstr("buya-1"));
}

TEST(RecoveryTest, ACorruptJournalRefusesToStart) {
  JournaledDeployment d("recovery_corrupt", 200);
  ASSERT_EQ(d.run().exit_code, 0);
  const fs::path journal = d.dir() / "state" / "journal.sqlite";
  ASSERT_FALSE(fs::exists(journal.string() + "-wal"));  // a clean stop checkpointed everything into the file
  {
    std::fstream f(journal, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(static_cast<std::streamoff>(fs::file_size(journal) / 2));
    const std::string garbage(8192, '\x33');
    f.write(garbage.data(), static_cast<std::streamsize>(garbage.size()));
  }
  auto r = d.run();
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("journal " + journal.string() + " is corrupt"));
  EXPECT_THAT(r.err, HasSubstr("[CRITICAL] Mercurio run aborted"));
  EXPECT_THAT(r.err, Not(HasSubstr("strategy ma started")));
}

// The trading state is saved from a deployment's first start on. None in state_dir while the
// journal holds earlier runs means it was lost or moved, and with it perhaps a HALT or a tripped
// breaker: the run stays HALTED for an operator (it used to start ACTIVE).
TEST(RecoveryTest, ALostTradingStateWithAJournalOfEarlierRunsStartsHalted) {
  JournaledDeployment d("recovery_state_lost", 120);
  auto first = d.run();
  ASSERT_EQ(first.exit_code, 0) << first.err;
  EXPECT_THAT(first.err, Not(HasSubstr("no saved trading state")));  // a first start: none yet
  fs::remove(d.dir() / "state" / "risk_state.toml");
  auto second = d.run();
  ASSERT_EQ(second.exit_code, 0) << second.err;
  EXPECT_THAT(second.err, HasSubstr("-> HALTED: no saved trading state in "));
  EXPECT_THAT(second.err, HasSubstr("but the journal holds earlier runs (this is run 2)"));
  EXPECT_THAT(d.cmd({"status"}).out, HasSubstr("HALTED"));
}

// A deployment replays its journal's fills into the strategies' books: on a journal a backtest
// wrote, the simulation's positions would become ones the strategy believes it holds (and would
// close with real orders). The mirror of a backtest refusing a deployment's journal.
TEST(RecoveryTest, APaperRunRefusesAJournalABacktestWrote) {
  JournaledDeployment d("recovery_backtest_journal", 120);
  auto backtest = run_process(
      {mercurio_exe().string(), "run", "--config", d.config(), "--mode", "backtest"}, d.dir());
  ASSERT_EQ(backtest.exit_code, 0) << backtest.err;
  ASSERT_NE(summary_value(backtest.out, "fills"), "0");
  const fs::path journal = d.dir() / "state" / "journal.sqlite";
  auto paper = d.run();
  EXPECT_EQ(paper.exit_code, 1);
  EXPECT_THAT(
      paper.err,
      HasSubstr("journal " + journal.string() +
                " holds backtest runs: a paper run does not trade on a simulation's journal"));
  EXPECT_THAT(paper.err, Not(HasSubstr("strategy ma started")));
}

// Paper and live trading are different accounts: a journal holds one or the other, so a live
// account's tax lots and balances never take in simulated fills (and the reverse).
TEST(RecoveryTest, PaperAndLiveRunsNeverShareAJournal) {
  JournaledDeployment d("recovery_paper_live_journal", 60);
  const fs::path journal = d.dir() / "state" / "journal.sqlite";
  ASSERT_EQ(d.run().exit_code, 0);  // paper
  std::string text = read_file(d.config());
  text.replace(text.find("mode = \"paper\""), 14, "mode = \"live\"");
  std::ofstream(d.config(), std::ios::trunc) << text;
  auto live = d.run();
  EXPECT_EQ(live.exit_code, 1) << live.err;
  EXPECT_THAT(live.err, HasSubstr("journal " + journal.string() +
                                  " holds paper runs: a live run does not share a journal with "
                                  "paper trading"));
  EXPECT_THAT(live.err, Not(HasSubstr("strategy ma started")));

  // The other way round, on a journal a live run opened first.
  fs::remove_all(d.dir() / "state");
  ASSERT_EQ(d.run().exit_code, 0) << "live";
  text.replace(text.find("mode = \"live\""), 13, "mode = \"paper\"");
  std::ofstream(d.config(), std::ios::trunc) << text;
  auto paper = d.run();
  EXPECT_EQ(paper.exit_code, 1) << paper.err;
  EXPECT_THAT(paper.err, HasSubstr("holds live runs: a paper run does not share a journal with "
                                   "live trading"));
}

// A journaled paper deployment whose drawdown breaker flattens: "buya" buys 600 AAA at 100 on its
// second bar, a bar at 80 takes 12 % off the equity (max_drawdown_pct 5). "watch" only subscribes
// BBB, whose bars can go on after AAA's.
class FlatteningDeployment : public Deployment {
 public:
  explicit FlatteningDeployment(const std::string& name) : Deployment(name) {
    fs::create_directories(dir_ / "data");
    std::ofstream(dir_ / "mercurio.toml")
        << "[kernel]\nmode = \"paper\"\noutput_dir = \"out\"\nstate_dir = \"state\"\n"
        << "plugin_dirs = [\"" << fixture_plugin_dir().string()
        << "\"]\n[journal]\npath = \"state/journal.sqlite\"\n"
           "[[plugin]]\nid = \"paper\"\nlibrary = \"mercurio_broker_paper\"\n[plugin.config]\n"
           "starting_cash = \"100000\"\nreplay_interval_ms = 0\n"
           "state_file = \"state/paper_account.toml\"\n"
           "data = { AAA = \"data/AAA.csv\", BBB = \"data/BBB.csv\" }\n"
           "[[plugin]]\nid = \"buya\"\nlibrary = \"fixture_good_strategy\"\n[plugin.config]\n"
           "symbol = \"AAA\"\nquantity = 600\nbuy_on_bar = 2\n"
           "[[plugin]]\nid = \"watch\"\nlibrary = \"fixture_good_strategy\"\n[plugin.config]\n"
           "symbol = \"BBB\"\nbuy_on_bar = 1000\n"
        << flattening_risk_table("5");
  }
  /// One-minute bars from 14:`minute`, each at its close.
  void bars(const std::string& symbol,
            std::initializer_list<std::pair<int, int>> minute_close) const {
    std::string csv = "timestamp,open,high,low,close,volume\n";
    for (auto [m, c] : minute_close) {
      const std::string p = std::to_string(c);
      csv += "2024-03-04T14:" + std::to_string(m) + ":00Z," + p + "," + p + "," + p + "," + p +
             ",100000\n";
    }
    std::ofstream(dir_ / "data" / (symbol + ".csv")) << csv;
  }
};

// The breaker's flatten sends its closing order on AAA's last bar before the stop: the position
// is still open, the order in flight. A restart takes the flatten up again after the
// reconciliation, with that order as its own (not an order to cancel before closing, nor a reason
// to send another), and ends it once the book is flat. It used to be forgotten with the process:
// had the order been rejected, the position stayed open, HALTED, with nothing closing it.
TEST(RecoveryTest, AFlattenInProgressAtTheStopGoesOnAfterARestart) {
  FlatteningDeployment d("recovery_flatten_goes_on");
  // The closing order waits for an AAA bar that this run does not have (BBB's go on).
  d.bars("AAA", {{30, 100}, {31, 100}, {32, 100}, {33, 80}});
  d.bars("BBB", {{30, 50}, {31, 50}, {32, 50}, {33, 50}, {34, 50}});
  auto first = d.run();
  ASSERT_EQ(first.exit_code, 0) << first.err;
  ASSERT_THAT(first.err, HasSubstr("trading state ACTIVE -> HALTED: drawdown"));
  ASSERT_THAT(first.err, HasSubstr("flattening 600 AAA of buya as buya-2"));
  ASSERT_THAT(first.err, Not(HasSubstr("strategy buya is flat")));
  EXPECT_THAT(d.cmd({"status"}).out, HasSubstr("flattening      buya (drawdown"));

  d.bars("AAA", {{30, 100}, {31, 100}, {32, 100}, {33, 80}, {35, 80}, {36, 80}});
  d.bars("BBB", {{30, 50}, {31, 50}, {32, 50}, {33, 50}, {34, 50}, {35, 50}, {36, 50}});
  auto second = d.run();
  ASSERT_EQ(second.exit_code, 0) << second.err;
  EXPECT_THAT(second.err, HasSubstr("reconciliation with broker paper clean"));
  EXPECT_THAT(second.err,
              HasSubstr("the flatten of strategy buya in progress at the stop goes on (drawdown"));
  EXPECT_THAT(second.err, Not(HasSubstr("waits for")));  // buya-2 is the flatten's, not in its way
  EXPECT_THAT(second.err, HasSubstr("strategy buya is flat (drawdown"));
  EXPECT_THAT(second.err, Not(HasSubstr("buya-3")));
  const auto status = d.cmd({"status"});
  EXPECT_THAT(status.out, HasSubstr("trading state   HALTED (drawdown"));
  EXPECT_THAT(status.out, Not(HasSubstr("flattening")));
  auto trades = d.cmd({"report", "trades"});
  ASSERT_EQ(trades.exit_code, 0) << trades.err;
  EXPECT_THAT(trades.out, HasSubstr("buya-2"));
}

// Here the process is killed (kill -9) once the flatten is saved, before its closing order is
// journaled (the second order intent of the run; the first is the buy): the flatten is saved with
// nothing in flight. A resume queued while the process is down is applied at the next start
// before the saved flatten sends anything.
TEST(RecoveryTest, AResumeQueuedWhileStoppedEndsASavedFlattenBeforeItSends) {
  FlatteningDeployment d("recovery_flatten_resumed_before_it_sends");
  d.bars("AAA", {{30, 100}, {31, 100}, {32, 100}, {33, 80}});
  d.bars("BBB", {{30, 50}, {31, 50}, {32, 50}, {33, 50}});
  auto first = d.run("MERCURIO_CRASH_POINT=before_intent_write:2 ");
  ASSERT_EQ(first.exit_code, 128 + SIGKILL) << first.err;
  ASSERT_THAT(first.err, HasSubstr("trading state ACTIVE -> HALTED: drawdown"));
  ASSERT_THAT(first.err, Not(HasSubstr("flattening 600 AAA of buya as")));
  ASSERT_THAT(d.cmd({"status"}).out, HasSubstr("flattening      buya (drawdown"));
  auto resume = d.cmd({"resume", "--by", "ops", "--reason", "keeping the position"});
  ASSERT_EQ(resume.exit_code, 0) << resume.err;

  // AAA no lower than where the breaker tripped: the resume re-arms it there.
  d.bars("AAA", {{30, 80}, {31, 80}, {32, 80}, {33, 80}});
  auto second = d.run();
  ASSERT_EQ(second.exit_code, 0) << second.err;
  EXPECT_THAT(second.err,
              HasSubstr("the flatten of strategy buya in progress at the stop goes on (drawdown"));
  EXPECT_THAT(second.err, HasSubstr("flatten of strategy buya stopped (resumed by operator ops"));
  EXPECT_THAT(second.err, Not(HasSubstr("flattening 600 AAA of buya as")));
  const auto trades = d.cmd({"report", "trades"});
  ASSERT_EQ(trades.exit_code, 0) << trades.err;
  EXPECT_THAT(trades.out, Not(HasSubstr("sell"))) << trades.out;
  EXPECT_THAT(second.err, Not(HasSubstr("HALTED: drawdown")));
  EXPECT_THAT(d.cmd({"status"}).out, Not(HasSubstr("flattening")));
}

// An operator's HALT leaves the positions open; the drawdown breaker goes on watching them. Past
// its limit it runs its action (here: flatten) all the same, once: the HALTED state is kept and
// its reason says what halted it before.
TEST(RecoveryTest, TheDrawdownBreakerFlattensWhileAnOperatorsHaltHolds) {
  FlatteningDeployment d("recovery_drawdown_while_halted");
  d.bars("AAA", {{30, 100}, {31, 100}, {32, 100}});
  d.bars("BBB", {{30, 50}, {31, 50}, {32, 50}});
  auto first = d.run();
  ASSERT_EQ(first.exit_code, 0) << first.err;
  ASSERT_EQ(summary_value(first.out, "fills"), "1") << first.err;  // 600 AAA held
  auto halt = d.cmd({"halt", "--by", "ops", "--reason", "looking into it"});
  ASSERT_EQ(halt.exit_code, 0) << halt.err;

  d.bars("AAA", {{30, 100}, {31, 100}, {32, 100}, {33, 80}, {34, 80}, {35, 80}});
  d.bars("BBB", {{30, 50}, {31, 50}, {32, 50}, {33, 50}, {34, 50}, {35, 50}});
  auto second = d.run();
  ASSERT_EQ(second.exit_code, 0) << second.err;
  EXPECT_THAT(second.err,
              HasSubstr("trading state ACTIVE -> HALTED: operator ops: looking into it"));
  EXPECT_THAT(second.err, HasSubstr("trading state HALTED -> HALTED: drawdown"));
  EXPECT_THAT(second.err, HasSubstr("(HALTED before: operator ops: looking into it)"));
  EXPECT_THAT(second.err, HasSubstr("flattening 600 AAA of buya as buya-2"));
  EXPECT_THAT(second.err, HasSubstr("strategy buya is flat (drawdown"));
  EXPECT_EQ(summary_value(second.out, "fills"), "1") << second.err;
  // Once: the later bars at 80 trip nothing more.
  const auto count = [&](const std::string& text) {
    std::size_t n = 0;
    for (auto at = second.err.find(text); at != std::string::npos;
         at = second.err.find(text, at + 1))
      ++n;
    return n;
  };
  EXPECT_EQ(count("HALTED -> HALTED"), 1u) << second.err;
}

namespace {

// A journaled paper deployment where "guard" buys 10 AAA, protects them with a stop (guard-2) and
// rests an entry (guard-3): flat one-minute bars at 100, from 14:30 to 14:`last_minute`.
class GuardedDeployment : public Deployment {
 public:
  explicit GuardedDeployment(const std::string& name) : Deployment(name) {
    fs::create_directories(dir_ / "data");
    std::ofstream(config())
        << "[kernel]\nmode = \"paper\"\noutput_dir = \"out\"\nstate_dir = \"state\"\n"
        << "plugin_dirs = [\"" << fixture_plugin_dir().string()
        << "\"]\n[journal]\npath = \"state/journal.sqlite\"\n"
           // No heartbeat within a run: what is cancelled, is cancelled at once.
           "[failsafe]\nheartbeat_interval_ms = 86400000\n"
           "[[plugin]]\nid = \"paper\"\nlibrary = \"mercurio_broker_paper\"\n[plugin.config]\n"
           "starting_cash = \"100000\"\nreplay_interval_ms = 0\n"
           "state_file = \"state/paper_account.toml\"\ndata = { AAA = \"data/AAA.csv\" }\n"
           "[[plugin]]\nid = \"guard\"\nlibrary = \"fixture_protected_position_strategy\"\n"
           "[plugin.config]\nsymbol = \"AAA\"\nquantity = 10\nadd_entry = true\n"
        << kGenerousRiskTable;
  }
  void bars_until(int last_minute) const {
    std::ofstream csv(dir_ / "data" / "AAA.csv", std::ios::trunc);
    csv << "timestamp,open,high,low,close,volume\n";
    for (int m = 30; m <= last_minute; ++m)
      csv << "2024-03-04T14:" << m << ":00Z,100,100,100,100,100000\n";
  }
};

}  // namespace

// A paper account with a state_file outlives the process; without a [journal] the kernel used to
// start from its cash alone: the restored position counted nowhere (equity short by its value, the
// position limits blind to it). It is now booked on the account at the start.
TEST(RecoveryTest, APaperRunWithoutAJournalBooksThePositionsItsAccountHolds) {
  const auto dir = scratch_dir("recovery_no_journal_positions");
  fs::create_directories(dir / "data");
  const auto bars = [&](int last_minute) {
    std::ofstream csv(dir / "data" / "AAA.csv", std::ios::trunc);
    csv << "timestamp,open,high,low,close,volume\n";
    for (int m = 30; m <= last_minute; ++m)
      csv << "2024-03-04T14:" << m << ":00Z,100,100,100,100,100000\n";
  };
  std::ofstream(dir / "mercurio.toml")
      << "[kernel]\nmode = \"paper\"\noutput_dir = \"out\"\nstate_dir = \"state\"\n"
      << "plugin_dirs = [\"" << fixture_plugin_dir().string() << "\"]\n"
      << "[[plugin]]\nid = \"paper\"\nlibrary = \"mercurio_broker_paper\"\n[plugin.config]\n"
         "starting_cash = \"100000\"\nreplay_interval_ms = 0\n"
         "state_file = \"state/paper_account.toml\"\ndata = { AAA = \"data/AAA.csv\" }\n"
         "[[plugin]]\nid = \"buyer\"\nlibrary = \"fixture_good_strategy\"\n"
         "[plugin.config]\nsymbol = \"AAA\"\nquantity = 10\n"
         "[[plugin]]\nid = \"log\"\nlibrary = \"mercurio_notifier_log\"\n"
      << kGenerousRiskTable;
  const std::vector<std::string> run{mercurio_exe().string(), "run", "--config",
                                     (dir / "mercurio.toml").string()};
  bars(35);
  auto first = run_process(run, dir);
  ASSERT_EQ(first.exit_code, 0) << first.err;
  ASSERT_EQ(summary_value(first.out, "fills"), "1") << first.err;  // 10 AAA at 100
  bars(40);
  auto second = run_process(run, dir);
  ASSERT_EQ(second.exit_code, 0) << second.err;
  EXPECT_THAT(second.err, HasSubstr("[WARNING] Opening positions at paper"));
  EXPECT_THAT(second.err, HasSubstr("the account holds 10 AAA at the start of a run without a "
                                    "[journal]"));
  // The equity of cash and position: 100000 less the first run's purchase, plus 10 x 100.
  ASSERT_NE(summary_value(first.out, "final equity"), "");  // (both missing would be equal)
  EXPECT_EQ(summary_value(second.out, "starting equity"), summary_value(first.out, "final equity"));
}

// An operator's halt of one strategy stops it as the kernel stops any strategy: the orders that
// could add to its positions are cancelled, the stop that protects its position stays (it used to
// be cancelled with the rest, leaving the position unprotected).
TEST(RecoveryTest, AHaltOfOneStrategyKeepsTheStopThatProtectsItsPosition) {
  GuardedDeployment d("recovery_scoped_halt_keeps_stop");
  d.bars_until(35);
  auto first = d.run();
  ASSERT_EQ(first.exit_code, 0) << first.err;
  ASSERT_THAT(first.err, HasSubstr("protected_position_strategy: stop placed"));
  ASSERT_EQ(summary_value(first.out, "open orders at end"), "2") << first.err;  // stop, entry
  auto halt = d.cmd({"halt", "--strategy", "guard", "--by", "ops", "--reason", "review"});
  ASSERT_EQ(halt.exit_code, 0) << halt.err;
  auto second = d.run();
  ASSERT_EQ(second.exit_code, 0) << second.err;
  EXPECT_THAT(second.err, HasSubstr("action=halt by=ops strategy=guard"));
  EXPECT_THAT(second.err, HasSubstr("strategy guard stopped; cancel asked of 1 order(s) that could "
                                    "add to its positions or take them past flat (guard-3); kept "
                                    "1 order(s) that only reduce its positions (guard-2)"));
  EXPECT_EQ(summary_value(second.out, "open orders at end"), "1") << second.err;
}

// The operator's kill switch (a halt of the whole deployment) stops what works too: the entry
// that could add to the position is cancelled, the stop that protects it kept; the strategy stays
// enabled. A halt used to stop new orders only, and the resting entry could still fill.
TEST(RecoveryTest, AnOperatorsHaltOfEverythingCancelsTheOrdersThatAddAndKeepsTheStop) {
  GuardedDeployment d("recovery_global_halt_cancels");
  d.bars_until(35);
  auto first = d.run();
  ASSERT_EQ(first.exit_code, 0) << first.err;
  ASSERT_EQ(summary_value(first.out, "open orders at end"), "2") << first.err;  // stop, entry
  ASSERT_EQ(d.cmd({"halt", "--by", "ops", "--reason", "kill"}).exit_code, 0);
  auto second = d.run();
  ASSERT_EQ(second.exit_code, 0) << second.err;
  EXPECT_THAT(second.err, HasSubstr("trading state ACTIVE -> HALTED: operator ops: kill"));
  EXPECT_THAT(second.err, HasSubstr("strategy guard held by the operator's halt; cancel asked of 1 "
                                    "order(s) that could add to its positions or take them past "
                                    "flat (guard-3); kept 1 order(s) that only reduce its "
                                    "positions (guard-2)"));
  EXPECT_EQ(summary_value(second.out, "open orders at end"), "1") << second.err;
  EXPECT_THAT(d.cmd({"status"}).out, Not(HasSubstr("disabled")));
  EXPECT_THAT(read_file(d.dir() / "state" / "risk_state.toml"), HasSubstr("kill_switch = true"));
  // A resume of everything lifts the kill switch for good: the next start neither comes back
  // HALTED nor judges the strategy's orders again.
  ASSERT_EQ(d.cmd({"resume", "--by", "ops", "--reason", "all clear"}).exit_code, 0);
  auto third = d.run();
  ASSERT_EQ(third.exit_code, 0) << third.err;
  EXPECT_THAT(third.err, HasSubstr("action=resume by=ops"));
  EXPECT_THAT(third.err, HasSubstr("-> ACTIVE"));
  EXPECT_THAT(third.err, Not(HasSubstr("held by the operator's halt")));
  EXPECT_THAT(read_file(d.dir() / "state" / "risk_state.toml"), HasSubstr("kill_switch = false"));
  auto fourth = d.run();
  ASSERT_EQ(fourth.exit_code, 0) << fourth.err;
  EXPECT_THAT(fourth.err, Not(HasSubstr("held by the operator's halt")));
  EXPECT_THAT(fourth.err, Not(HasSubstr("Starting in HALTED")));
}

// The kill switch's cancels may be lost with the process (killed before they went, the broker
// down then): a restart that restores an operator's HALT judges the strategies' orders again.
// Here the saved state is HALTED by an operator while the entry still works (as a crash between
// saving the HALT and cancelling would leave it).
TEST(RecoveryTest, AnOperatorsHaltRestoredAfterARestartCancelsTheOrdersThatAdd) {
  GuardedDeployment d("recovery_global_halt_restored");
  d.bars_until(35);
  auto first = d.run();
  ASSERT_EQ(first.exit_code, 0) << first.err;
  ASSERT_EQ(summary_value(first.out, "open orders at end"), "2") << first.err;  // stop, entry
  rewrite_saved_state(d.dir() / "state", "HALTED", "operator ops: kill", true);
  auto second = d.run();
  ASSERT_EQ(second.exit_code, 0) << second.err;
  EXPECT_THAT(second.err, HasSubstr("restored trading state HALTED (operator ops: kill)"));
  EXPECT_THAT(second.err, HasSubstr("strategy guard held by the operator's halt; cancel asked of 1 "
                                    "order(s) that could add to its positions or take them past "
                                    "flat (guard-3)"));
  EXPECT_EQ(summary_value(second.out, "open orders at end"), "1") << second.err;
}

// A flatten of one strategy cancels all its orders at once (its stop too: the flatten's own order
// closes the position) and closes the position on the next bar. With the hold's review, which
// waits for the flatten, the cancels used to go out only at the next heartbeat (a day here).
TEST(RecoveryTest, AFlattenOfOneStrategyCancelsItsOrdersAtOnceAndClosesItsPosition) {
  GuardedDeployment d("recovery_scoped_flatten");
  d.bars_until(35);
  auto first = d.run();
  ASSERT_EQ(first.exit_code, 0) << first.err;
  ASSERT_EQ(summary_value(first.out, "open orders at end"), "2") << first.err;
  auto flatten = d.cmd({"flatten", "--strategy", "guard", "--by", "ops", "--reason", "out"});
  ASSERT_EQ(flatten.exit_code, 0) << flatten.err;
  d.bars_until(38);
  auto second = d.run();
  ASSERT_EQ(second.exit_code, 0) << second.err;
  EXPECT_THAT(second.err, HasSubstr("action=flatten by=ops strategy=guard"));
  EXPECT_THAT(second.err, HasSubstr("strategy guard is flat (operator ops: out"));
  EXPECT_EQ(summary_value(second.out, "open orders at end"), "0") << second.err;
  EXPECT_EQ(summary_value(second.out, "fills"), "1") << second.err;
}

// The failsafe's emergency procedure waits for its broker to answer again; the process stops
// first. The next start runs it once the broker answers (it was forgotten with the process).
TEST(RecoveryTest, AnEmergencyProcedurePendingAtTheStopRunsAfterARestart) {
  const fs::path dir = scratch_dir("recovery_emergency_goes_on");
  const auto config = [&](const std::string& broker_config) {
    std::ofstream(dir / "mercurio.toml")
        << "[kernel]\nmode = \"paper\"\noutput_dir = \"out\"\nstate_dir = \"state\"\n"
        << "plugin_dirs = [\"" << fixture_plugin_dir().string()
        << "\"]\n[journal]\npath = \"state/journal.sqlite\"\n"
           "[failsafe]\nheartbeat_interval_ms = 50\nmax_failures = 3\nemergency_action = "
           "\"cancel\"\n"
           "[[plugin]]\nid = \"flaky\"\nlibrary = \"fixture_flaky_broker\"\n[plugin.config]\n"
           "bars = 100\ninterval_ms = 10\n"
        << broker_config
        << "[[plugin]]\nid = \"buyer\"\nlibrary = \"fixture_good_strategy\"\n[plugin.config]\n"
           "buy_on_bar = 1000\n"
        << kGenerousRiskTable;
    return (dir / "mercurio.toml").string();
  };
  // account() calls 1 and 2 are the start-up's and the reconciliation's; every heartbeat fails.
  auto first = run_process({mercurio_exe().string(), "run", "--config",
                            config("fail_from_call = 3\nfail_until_call = 1000000\n")},
                           dir);
  ASSERT_EQ(first.exit_code, 0) << first.err;
  ASSERT_THAT(first.err,
              HasSubstr("trading state ACTIVE -> HALTED: broker flaky missed 3 heartbeats"));
  ASSERT_THAT(first.err, Not(HasSubstr("emergency procedure at broker flaky confirmed")));
  auto status = mercurio_cmd({"status", "--config", (dir / "mercurio.toml").string()}, dir);
  EXPECT_THAT(status.out, HasSubstr("emergency       cancel pending at broker flaky"));

  auto second = run_process({mercurio_exe().string(), "run", "--config", config("")}, dir);
  ASSERT_EQ(second.exit_code, 0) << second.err;
  EXPECT_THAT(second.err, HasSubstr("reconciliation with broker flaky clean"));
  EXPECT_THAT(second.err,
              HasSubstr("emergency procedure \"cancel\" at broker flaky, pending at the stop"));
  EXPECT_THAT(second.err, HasSubstr("emergency procedure at broker flaky confirmed"));
  status = mercurio_cmd({"status", "--config", (dir / "mercurio.toml").string()}, dir);
  EXPECT_THAT(status.out, HasSubstr("trading state   HALTED (broker flaky missed 3 heartbeats"));
  EXPECT_THAT(status.out, Not(HasSubstr("emergency ")));
}

TEST(RecoveryTest, AFullJournalHaltsTradingAndNoOrderIsSentWithoutItsRecord) {
  JournaledDeployment d("recovery_full", 20000, "max_size_mb = 1\n", "20/60");
  auto r = d.run();
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.err, HasSubstr("[CRITICAL] Journal failure: trading HALTED"));
  EXPECT_THAT(r.err, HasSubstr("trading state ACTIVE -> HALTED: journal failure"));
  const auto journaled = d.journaled_ids();
  ASSERT_FALSE(journaled.empty());
  // Every order the venue received has its journal record; nothing went out after the failure.
  for (const auto& id : d.broker_ids())
    EXPECT_NE(std::find(journaled.begin(), journaled.end(), id), journaled.end()) << id << " reached the broker unrecorded";
  auto status = d.cmd({"status"});
  EXPECT_THAT(status.out, HasSubstr("trading state   HALTED (journal failure"));
}

}  // namespace
}  // namespace mercurio::test

namespace mercurio::test {
namespace {

// A journaled paper deployment on the fixture broker (fixture_flaky_broker), one order from
// fixture_good_strategy ("buyer-1").
// A journaled paper deployment in `dir` on the flaky fixture broker (its feed: `feed`, then
// `broker_config`) with the fixture buyer and the log notifier; orders in doubt are confirmed
// absent by two "not found" answers `recheck_ms` apart.
void write_flaky_config(const fs::path& dir, const std::string& broker_config,
                        const std::string& feed = "bars = 60\ninterval_ms = 10\n",
                        int recheck_ms = 100) {
  std::ofstream(dir / "mercurio.toml", std::ios::trunc)
      << "[kernel]\nmode = \"paper\"\noutput_dir = \"out\"\nstate_dir = \"state\"\nplugin_dirs = "
         "[\""
      << fixture_plugin_dir().string()
      << "\"]\n[journal]\npath = \"state/journal.sqlite\"\nin_doubt_recheck_ms = " << recheck_ms
      << "\n"
         "[failsafe]\nheartbeat_interval_ms = 50\n"
         "[[plugin]]\nid = \"flaky\"\nlibrary = \"fixture_flaky_broker\"\n[plugin.config]\n"
      << feed << broker_config
      << "[[plugin]]\nid = \"buyer\"\nlibrary = \"fixture_good_strategy\"\n"
         "[[plugin]]\nid = \"log\"\nlibrary = \"mercurio_notifier_log\"\n"
      << kGenerousRiskTable;
}

ProcessResult run_flaky(const std::string& name, const std::string& broker_config) {
  const auto dir = scratch_dir(name);
  write_flaky_config(dir, broker_config);
  return run_process({mercurio_exe().string(), "run", "--config", (dir / "mercurio.toml").string()}, dir);
}

// A flatten closes the strategy's book, which comes from the journal. When the broker's account no
// longer agrees with the books (here the fixture venue starts empty: a position closed by hand
// while Mercurio was down, acknowledged as such), selling the book's quantity would open a short at
// the venue, and a liquidation passes no limit of the gate: the closing order is withheld and an
// operator told, for the saved flatten taken up and for an operator's new flatten alike.
TEST(RecoveryTest, AFlattenSendsNoCloseThatWouldTakeTheAccountPastFlat) {
  const auto dir = scratch_dir("recovery_flatten_books_differ");
  const std::string risk = flattening_risk_table("0.01") + "max_consecutive_rejections = 2\n";
  const auto config = [&](const std::string& broker_extra) {
    std::ofstream(dir / "mercurio.toml")
        << "[kernel]\nmode = \"paper\"\noutput_dir = \"out\"\nstate_dir = \"state\"\n"
        << "plugin_dirs = [\"" << fixture_plugin_dir().string()
        << "\"]\n[journal]\npath = \"state/journal.sqlite\"\n"
           "[failsafe]\nheartbeat_interval_ms = 50\n"
           "[[plugin]]\nid = \"flaky\"\nlibrary = \"fixture_flaky_broker\"\n[plugin.config]\n"
           "bars = 40\ninterval_ms = 5\nfill_at = 150\n"
        << broker_extra
        << "[[plugin]]\nid = \"buyer\"\nlibrary = \"fixture_good_strategy\"\n"
           "[[plugin]]\nid = \"log\"\nlibrary = \"mercurio_notifier_log\"\n"
        << risk;
    return (dir / "mercurio.toml").string();
  };
  // Bought 1 at 150 in a market at 100: the breaker flattens; the venue rejects every sell.
  auto first = run_process(
      {mercurio_exe().string(), "run", "--config", config("reject_side = \"sell\"\n")}, dir);
  ASSERT_EQ(first.exit_code, 0) << first.err;
  ASSERT_THAT(first.err, HasSubstr("[CRITICAL] Flatten incomplete"));
  // The rejection breaker leaves the kernel's own closing orders to the flatten's limit.
  ASSERT_THAT(first.err, Not(HasSubstr("repeated rejections")));
  const std::string cfg = config("");
  auto ack = mercurio_cmd(
      {"acknowledge", "--config", cfg, "--by", "ops", "--reason", "closed by hand"}, dir);
  ASSERT_EQ(ack.exit_code, 0) << ack.err;
  auto flatten = mercurio_cmd(
      {"flatten", "--config", cfg, "--strategy", "buyer", "--by", "ops", "--reason", "again"}, dir);
  ASSERT_EQ(flatten.exit_code, 0) << flatten.err;

  auto second = run_process({mercurio_exe().string(), "run", "--config", cfg}, dir);
  ASSERT_EQ(second.exit_code, 0) << second.err;
  EXPECT_THAT(second.err, HasSubstr("action=acknowledge by=ops"));
  EXPECT_THAT(second.err,
              HasSubstr("the flatten of strategy buyer in progress at the stop goes on"));
  EXPECT_THAT(second.err, HasSubstr("action=flatten by=ops strategy=buyer"));
  // The queued flatten is applied before the saved one sends anything: its advance withholds it.
  EXPECT_THAT(second.err, HasSubstr("[CRITICAL] Flatten order withheld"));
  EXPECT_THAT(second.err, HasSubstr("the account at broker flaky holds 0 TEST and the books of its "
                                    "strategies 1: closing this book's 1 would take the account "
                                    "past flat, to -1"));
  EXPECT_THAT(second.err, Not(HasSubstr("flattening 1 TEST of buyer as")));
  EXPECT_THAT(second.err, Not(HasSubstr("is flat")));
  // Still in progress (an operator's resume ends it).
  EXPECT_THAT(mercurio_cmd({"status", "--config", cfg}, dir).out,
              HasSubstr("flattening      buyer"));
}

TEST(InDoubtOrderTest, AnUnknownOutcomeIsResolvedByLookupNotByResending) {
  auto r = run_flaky("in_doubt_accepted", "submit_outcome = \"unknown_accepted\"\n");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.err, HasSubstr("Order outcome unknown: buyer-1 to flaky stays open in doubt"));
  EXPECT_THAT(r.err, HasSubstr("order buyer-1 in doubt: the broker has it"));
  EXPECT_THAT(r.err, HasSubstr("fixture submit #1 of buyer-1"));
  EXPECT_THAT(r.err, Not(HasSubstr("fixture submit #2 of buyer-1")));
}

// The lookup finds the order already over at the venue (no event will come for it): it ends here
// too, instead of staying open in the tracker for good (it used to be marked accepted only).
TEST(InDoubtOrderTest, AnOrderInDoubtFoundCanceledAtTheVenueIsClosed) {
  auto r = run_flaky("in_doubt_canceled", "submit_outcome = \"unknown_canceled\"\n");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.err, HasSubstr("order buyer-1 in doubt: the broker has it (canceled)"));
  EXPECT_THAT(r.err, Not(HasSubstr("fixture submit #2 of buyer-1")));
  const auto dir = binary_dir() / "test-scratch" / "in_doubt_canceled";  // run_flaky's
  auto orders =
      mercurio_cmd({"report", "orders", "--config", (dir / "mercurio.toml").string()}, dir);
  ASSERT_EQ(orders.exit_code, 0) << orders.err;
  EXPECT_THAT(orders.out, HasSubstr("canceled"));
  EXPECT_EQ(summary_value(r.out, "open orders at end"), "0") << r.out;
}

// The lookup of an order in doubt finds another order under its id (an id used before: a new
// journal, or a run without one, starts the ids again): a long-filled sell of 7 where buy 1 was
// sent. It used to be taken as this order: accepted, "Fills awaited" for 7, and the old order's
// end applied. Now nothing of it is applied and trading HALTS.
TEST(InDoubtOrderTest, AnotherOrderUnderTheSameIdIsNotTakenAsThisOne) {
  auto r = run_flaky("in_doubt_id_used_before", "submit_outcome = \"id_used_before\"\n");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.err, HasSubstr("[CRITICAL] Order id used twice"));
  EXPECT_THAT(r.err, HasSubstr("broker flaky reports when looked up an order buyer-1 to sell 7 "
                               "TEST, sent as buy 1 TEST: another order under the same id"));
  EXPECT_THAT(r.err, HasSubstr("-> HALTED: broker flaky reports"));
  EXPECT_THAT(r.err, Not(HasSubstr("order buyer-1 in doubt: the broker has it")));
  EXPECT_THAT(r.err, Not(HasSubstr("Fills awaited")));
  EXPECT_THAT(r.err, Not(HasSubstr("fixture submit #2 of buyer-1")));
  // Ended as never placed (left open, a cancel of it would reach the other order).
  EXPECT_THAT(r.err, HasSubstr("buyer-1 rejected by flaky: never placed: the broker holds another "
                               "order under its id"));
  EXPECT_EQ(summary_value(r.out, "open orders at end"), "0") << r.out;
}

// The strategy cancels its order while it is in doubt (the send was lost; the venue does not know
// it, so the cancel finds nothing): confirmed absent, it is not sent again. It used to go out
// after the second lookup, on its old approval, next to whatever the strategy placed instead.
TEST(InDoubtOrderTest, AnOrderInDoubtWhoseCancelWasAskedIsNotSentAgain) {
  auto r = run_flaky("in_doubt_lost_canceled",
                     "submit_outcome = \"unknown_lost\"\n"
                     "[plugin.risk]\ncalendar = \"24/7\"\n"
                     "[[plugin]]\nid = \"canceller\"\n"
                     "library = \"fixture_good_strategy\"\n"
                     "[plugin.config]\ncancel_on_bar = 3\n");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  ASSERT_THAT(r.err, HasSubstr("Order outcome unknown: canceller-1"));
  ASSERT_THAT(r.err, HasSubstr("good_strategy: cancel of canceller-1: "));
  EXPECT_THAT(r.err, HasSubstr("fixture lookup #2 of canceller-1: not found"));
  EXPECT_THAT(r.err, HasSubstr("canceller-1 rejected by flaky: never reached the broker (confirmed "
                               "absent); its cancel was asked: not sent again"));
  EXPECT_THAT(r.err, Not(HasSubstr("fixture submit #2 of canceller-1")));
  // The order that was not cancelled still gets its one resend.
  EXPECT_THAT(r.err, HasSubstr("fixture submit #2 of buyer-1"));
}

// run_flaky with a second fixture buyer, "canceller", that cancels its order on bar 2; sends are
// answered Unknown though the venue takes them, and it refuses canceller-1's first cancel.
// `broker_config`: more broker options.
ProcessResult run_cancel_refused_before_ack(const std::string& name,
                                            const std::string& broker_config) {
  return run_flaky(name, "submit_outcome = \"unknown_accepted\"\n" + broker_config +
                             "refuse_cancels = true\n"
                             "refuse_cancels_of = \"canceller-1\"\n"
                             "refuse_cancels_count = 1\n"
                             "[plugin.risk]\ncalendar = \"24/7\"\n"
                             "[[plugin]]\nid = \"canceller\"\n"
                             "library = \"fixture_good_strategy\"\n"
                             "[plugin.config]\ncancel_on_bar = 2\n");
}

// The strategy cancels its order while the outcome of its send is unknown, and the broker refuses
// the cancel (it did not know the order yet). Once the broker acknowledges the order (here through
// the kernel's lookup), the cancel is asked again: the order used to stay working, and could fill,
// though its strategy had cancelled it.
TEST(InDoubtOrderTest, ACancelRefusedBeforeTheAcknowledgementIsAskedAgainAfterIt) {
  auto r = run_cancel_refused_before_ack("in_doubt_cancel_again", "");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  ASSERT_THAT(r.err, HasSubstr("good_strategy: cancel of canceller-1: fixture: cancel #1 refused"));
  EXPECT_THAT(r.err, HasSubstr("order canceller-1 was asked to cancel before the broker "
                               "acknowledged it, which refused: asked again"));
  EXPECT_EQ(summary_value(r.out, "open orders at end"), "1") << r.err;  // buyer-1 only
}

// The same, but the acknowledgement comes as the broker's event, right after the refusal (the
// lookups get no answer): the refused cancel is asked again as the event is applied.
TEST(InDoubtOrderTest, ACancelRefusedBeforeALateAcknowledgementEventIsAskedAgainOnIt) {
  auto r = run_cancel_refused_before_ack(
      "in_doubt_cancel_again_on_event",
      "accept_on_refused_cancel = true\nunanswered_lookups = 1000000\n");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  ASSERT_THAT(r.err, HasSubstr("good_strategy: cancel of canceller-1: fixture: cancel #1 refused"));
  EXPECT_THAT(r.err, Not(HasSubstr("in doubt: the broker has it")));  // no lookup answered
  EXPECT_THAT(r.err, HasSubstr("order canceller-1 was asked to cancel before the broker "
                               "acknowledged it, which refused: asked again"));
  EXPECT_EQ(summary_value(r.out, "open orders at end"), "1") << r.err;  // buyer-1 only
}

// The lookup finds the order canceled at the venue with 1 filled, which no fill event has
// brought: it is not ended before its fill is booked (the strategy would see it end first, and the
// fill would be left out for good); a WARNING says so, once, and it is looked up again.
TEST(InDoubtOrderTest, AnOrderInDoubtEndedWithFillsNotBookedStaysOpenForThem) {
  auto r = run_flaky("in_doubt_canceled_filled",
                     "submit_outcome = \"unknown_canceled\"\nclosed_filled = 1\n");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string awaited =
      "buyer-1 at flaky: the broker reports 1 filled, 0 received so far; "
      "it ended (canceled): ended here once they are booked";
  const auto first = r.err.find(awaited);
  ASSERT_NE(first, std::string::npos) << r.err;
  EXPECT_EQ(r.err.find(awaited, first + 1), std::string::npos) << "alerted more than once";
  EXPECT_THAT(r.err, Not(HasSubstr("reported canceled when looked up")));
  EXPECT_EQ(summary_value(r.out, "open orders at end"), "1") << r.out;
}

// An order of an earlier run the start-up lookup got no answer for (the venue down for that
// call) is asked again at each heartbeat once trading runs. It used to stay open for good, never
// asked again: had the venue not had it, a flatten waiting for it would have waited for ever.
// Confirmed absent, it ends, and is not resent (its approval is older than the restart); as
// the venue had acknowledged it before, a CRITICAL alert says it vanished.
TEST(InDoubtOrderTest, AnOrderOfAnEarlierRunTheStartUpLookupMissedIsAskedAgain) {
  const Deployment d("in_doubt_start_up_unanswered");
  // Run 1: buyer-1 is accepted and never fills; the run ends with it open.
  write_flaky_config(d.dir(), "", "bars = 3\ninterval_ms = 1\n");
  auto first = d.run();
  ASSERT_EQ(first.exit_code, 0) << first.err;
  ASSERT_EQ(summary_value(first.out, "open orders at end"), "1") << first.out;
  // Run 2: the venue (a new fixture) does not know buyer-1, and does not answer the first lookup.
  // One lookup unanswered at the start-up, two once trading runs (the second confirms the
  // absence: no window between them, so that the feed can wait for the count).
  write_flaky_config(d.dir(), "unanswered_lookups = 1\nend_after_lookups = 3\n",
                     "bars = 60\ninterval_ms = 10\n", 0);
  ASSERT_EQ(d.cmd({"acknowledge", "--by", "ops", "--reason", "venue slow"}).exit_code, 0);
  auto second = d.run();
  ASSERT_EQ(second.exit_code, 0) << second.err;
  ASSERT_THAT(second.err, HasSubstr("fixture lookup #1 of buyer-1: unavailable"));
  EXPECT_THAT(second.err, HasSubstr("order buyer-1: still in doubt, the broker did not answer"));
  EXPECT_THAT(second.err, HasSubstr("fixture lookup #2 of buyer-1: not found"));
  // The venue had acknowledged it in run 1: vanished, not "never reached".
  EXPECT_THAT(second.err, HasSubstr("buyer-1 rejected by flaky: not found at the broker after the "
                                    "stop, though it acknowledged it before; not resent"));
  EXPECT_THAT(second.err, HasSubstr("[CRITICAL] Order vanished at the broker"));
  EXPECT_THAT(second.err, Not(HasSubstr("fixture submit #1 of buyer-1")));
  // buyer-2, this run's order, is the one left open.
  EXPECT_EQ(summary_value(second.out, "open orders at end"), "1") << second.out;
  auto orders = d.cmd({"report", "orders"});
  ASSERT_EQ(orders.exit_code, 0) << orders.err;
  std::smatch row;
  ASSERT_TRUE(std::regex_search(orders.out, row, std::regex(",buyer-1,[^\\n]*"))) << orders.out;
  EXPECT_THAT(row.str(), HasSubstr(",failed,")) << orders.out;
}

// An order the broker acknowledged before the stop and no longer knows at the start-up (not
// found twice) has vanished: a difference for an operator, not "never reached the broker" (it
// used to be marked so, with a log line, and trading went on). It stays in flight until trading
// runs (a stop before the acknowledgement finds it again), then is looked up, and ends with a
// CRITICAL alert.
TEST(InDoubtOrderTest, AnAcknowledgedOrderTheBrokerNoLongerKnowsAtStartUpIsADifference) {
  const Deployment d("in_doubt_start_up_vanished");
  write_flaky_config(d.dir(), "", "bars = 3\ninterval_ms = 1\n");
  auto first = d.run();
  ASSERT_EQ(first.exit_code, 0) << first.err;
  ASSERT_EQ(summary_value(first.out, "open orders at end"), "1") << first.out;  // buyer-1
  // The venue (a new fixture) does not know buyer-1. An operator has looked at it already.
  // Two lookups at the start-up (absent twice), one once trading runs (absent still: ended).
  write_flaky_config(d.dir(), "end_after_lookups = 3\n", "bars = 60\ninterval_ms = 10\n", 0);
  ASSERT_EQ(d.cmd({"acknowledge", "--by", "ops", "--reason", "gone at the venue"}).exit_code, 0);
  auto second = d.run();
  ASSERT_EQ(second.exit_code, 0) << second.err;
  EXPECT_THAT(second.err, HasSubstr("reconciliation with broker flaky found differences"));
  EXPECT_THAT(second.err, HasSubstr("order buyer-1: acknowledged by the broker before the stop (0 "
                                    "filled), now not found there: looked up again once trading "
                                    "runs"));
  EXPECT_THAT(second.err, HasSubstr("action=acknowledge by=ops reason=\"gone at the venue\" "
                                    "result=\"done\""));
  EXPECT_THAT(second.err, HasSubstr("[CRITICAL] Order vanished at the broker"));
  EXPECT_THAT(second.err, HasSubstr("buyer-1 rejected by flaky: not found at the broker after the "
                                    "stop, though it acknowledged it before"));
  EXPECT_THAT(second.err, Not(HasSubstr("journaled but never reached")));
  // Trading waited for the acknowledgement: this run's order went after it.
  const auto acknowledged = second.err.find("action=acknowledge");
  ASSERT_NE(acknowledged, std::string::npos);
  EXPECT_LT(acknowledged, second.err.find("fixture submit #1 of buyer-2"));
}

TEST(InDoubtOrderTest, AConfirmedAbsenceAllowsOneResendWithTheSameId) {
  auto r = run_flaky("in_doubt_lost", "submit_outcome = \"unknown_lost\"\n");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.err, HasSubstr("Order outcome unknown: buyer-1"));
  EXPECT_THAT(r.err, HasSubstr("order buyer-1 confirmed absent at flaky: sent again once with the same client order id"));
  EXPECT_THAT(r.err, HasSubstr("fixture submit #2 of buyer-1"));
  EXPECT_THAT(r.err, Not(HasSubstr("fixture submit #3 of buyer-1")));
  // The first "not found" alone never triggers the resend: it comes after the second lookup.
  const auto second_lookup = r.err.find("fixture lookup #2 of buyer-1: not found");
  ASSERT_NE(second_lookup, std::string::npos) << r.err;
  EXPECT_LT(second_lookup, r.err.find("fixture submit #2 of buyer-1"));
}

// A fill that names another symbol than its order: the venue's account moved all the same, so it
// is booked on the account as external, the journal records it so (a replay agrees with the run:
// it used to be journaled as the strategy's fill and dropped in memory), and the broker is taken
// out of service.
TEST(ReconciliationTest, AFillContradictingItsOrderIsBookedAsExternalAndStopsTheBroker) {
  auto r = run_flaky("contradicting_fill", "fill_as_symbol = \"OTHER\"\n");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.err, HasSubstr("[CRITICAL] Fill contradicting its order"));
  EXPECT_THAT(
      r.err,
      HasSubstr("filled buyer-1 from broker flaky (buy OTHER) applied to the account as external"));
  EXPECT_THAT(r.err, HasSubstr("reported a fill of buyer-1 that contradicts the order"));
  const auto dir = binary_dir() / "test-scratch" / "contradicting_fill";  // run_flaky's
  auto trades =
      mercurio_cmd({"report", "trades", "--config", (dir / "mercurio.toml").string()}, dir);
  ASSERT_EQ(trades.exit_code, 0) << trades.err;
  EXPECT_THAT(trades.out, HasSubstr("OTHER"));
  EXPECT_THAT(trades.out, HasSubstr("external"));
  EXPECT_THAT(trades.out, Not(HasSubstr("buyer,")));  // not the strategy's
  // Nor is the order filled: a restart must track it again (the journal used to mark it filled).
  auto orders =
      mercurio_cmd({"report", "orders", "--config", (dir / "mercurio.toml").string()}, dir);
  ASSERT_EQ(orders.exit_code, 0) << orders.err;
  std::smatch row;
  ASSERT_TRUE(std::regex_search(orders.out, row, std::regex(",buyer-1,[^\\n]*"))) << orders.out;
  EXPECT_THAT(row.str(), HasSubstr(",accepted,")) << orders.out;
}

// A journaled paper deployment on the flaky fixture broker (5 bars; its buys refused, so the
// fixture buyer holds nothing) whose broker options each run may change.
class FlakyJournaledDeployment : public Deployment {
 public:
  explicit FlakyJournaledDeployment(const std::string& name) : Deployment(name) {}
  /// Writes the configuration with these lines added to the broker's [plugin.config].
  void configure(const std::string& broker_config) const {
    std::ofstream(config(), std::ios::trunc)
        << "[kernel]\nmode = \"paper\"\noutput_dir = \"out\"\nstate_dir = \"state\"\n"
        << "plugin_dirs = [\"" << fixture_plugin_dir().string() << "\"]\n"
        << "[journal]\npath = \"state/journal.sqlite\"\n"
           "[[plugin]]\nid = \"flaky\"\nlibrary = \"fixture_flaky_broker\"\n[plugin.config]\n"
           "bars = 5\ninterval_ms = 1\nreject_side = \"buy\"\n"
        << broker_config << "[[plugin]]\nid = \"buyer\"\nlibrary = \"fixture_good_strategy\"\n"
        << kGenerousRiskTable;
  }
};

// An acknowledged reconciliation makes the broker's account the truth. A fill already in the
// account the broker reported, but streamed after it, used to be booked on top of it (counted
// twice, in memory and in every replay). Now the fills the broker lists are booked before its
// account is read, and the account is read again when one appeared meanwhile.
TEST(ReconciliationTest, AnAcknowledgementCountsAFillTheBrokersAccountHoldsOnce) {
  // Whether the venue lists the fill at once or only streams it (its activity listing lagging
  // behind the stream), the account is read again once it is booked.
  for (const bool listed : {true, false}) {
    SCOPED_TRACE(listed ? "listed and streamed" : "streamed only");
    const FlakyJournaledDeployment d(listed ? "acknowledge_racing_fill"
                                            : "acknowledge_streamed_fill");
    const std::string listing = listed ? "" : "list_manual_fill = false\n";
    d.configure(listing);
    auto first = d.run();
    ASSERT_EQ(first.exit_code, 0) << first.err;
    // Cash moved at the venue while mercurio was down; an operator acknowledges it. As the kernel
    // reads the broker's account, a manual buy of 5 at 90 fills there (the fixture's second
    // positions() call: the first is the reconciliation's).
    d.configure("cash = 99000\nfill_on_positions_call = 2\n" + listing);
    auto ack = d.cmd({"acknowledge", "--by", "ops", "--reason", "transfer"});
    ASSERT_EQ(ack.exit_code, 0) << ack.err;
    auto second = d.run();
    ASSERT_EQ(second.exit_code, 0) << second.err;
    EXPECT_THAT(second.err, HasSubstr("cash: broker 99000, journal 100000"));
    EXPECT_THAT(second.err, HasSubstr("action=acknowledge by=ops"));
    EXPECT_THAT(second.err, HasSubstr("acknowledged: broker flaky's account is now its own report "
                                      "(cash 98550, 1 position(s))"));
    // 98,550 in cash and 5 held, marked at the bars' 100: the fill counted once (twice: 99,100).
    EXPECT_EQ(summary_value(second.out, "final equity"), "99050") << second.out;
    // A replay of the journal agrees: the fill is in the adjustment, not after it. (The venue
    // shows the same account; its fill happens on the first positions() call.)
    d.configure("cash = 99000\nfill_on_positions_call = 1\n" + listing);
    auto third = d.run();
    ASSERT_EQ(third.exit_code, 0) << third.err;
    EXPECT_THAT(third.err, HasSubstr("reconciliation with broker flaky clean"));
  }
}

// The start-up reconciliation runs HALTED, and the state saved before the stop comes back after
// it. A broker that faulted meanwhile (here its stream breaks as the acknowledgement reads its
// account) used to have its HALTED lifted by that restore: trading went on with a broker in an
// unknown state. It now stays HALTED.
TEST(ReconciliationTest, ABrokerFaultDuringTheStartUpReconciliationKeepsTradingHalted) {
  const FlakyJournaledDeployment d("fault_while_reconciling");
  d.configure("");
  auto first = d.run();
  ASSERT_EQ(first.exit_code, 0) << first.err;
  EXPECT_THAT(first.err, HasSubstr("start-up reconciliation done: trading state ACTIVE"));
  // Cash moved at the venue: a difference, acknowledged, and a resume queued with it; the
  // acknowledgement's reading of the account is the fixture's second positions() call, on which
  // its stream breaks. The resume was given before that: it does not lift the HALT.
  d.configure("cash = 99000\nfault_on_positions_call = 2\n");
  auto ack = d.cmd({"acknowledge", "--by", "ops", "--reason", "transfer"});
  ASSERT_EQ(ack.exit_code, 0) << ack.err;
  auto early_resume = d.cmd({"resume", "--by", "ops", "--reason", "go on"});
  ASSERT_EQ(early_resume.exit_code, 0) << early_resume.err;
  auto second = d.run();
  ASSERT_EQ(second.exit_code, 0) << second.err;
  EXPECT_THAT(second.err, HasSubstr("action=acknowledge by=ops"));
  EXPECT_THAT(second.err, HasSubstr("plugin flaky faulted in on_fault"));
  EXPECT_THAT(second.err,
              HasSubstr("trading stays HALTED after the start-up reconciliation: broker flaky "
                        "faulted in on_fault: fixture: stream broken while the account is read"));
  EXPECT_THAT(second.err, HasSubstr("start-up reconciliation done: trading state HALTED"));
  EXPECT_THAT(second.err, HasSubstr("action=resume by=ops reason=\"go on\" result=\"not applied: "
                                    "given before trading was HALTED at start-up (broker flaky "
                                    "faulted in on_fault"));
  EXPECT_THAT(second.err, Not(HasSubstr("HALTED -> ACTIVE")));
  EXPECT_THAT(second.err, HasSubstr("fixture calls: account"));
  EXPECT_THAT(second.err, HasSubstr(", submit 0"));
  // Saved HALTED: the next start does not trade either, until an operator resumes after it.
  d.configure("cash = 99000\n");
  auto resume = d.cmd({"resume", "--by", "ops", "--reason", "fixed"});
  ASSERT_EQ(resume.exit_code, 0) << resume.err;
  auto third = d.run();
  ASSERT_EQ(third.exit_code, 0) << third.err;
  EXPECT_THAT(third.err, HasSubstr("reconciliation with broker flaky clean"));
  EXPECT_THAT(third.err, HasSubstr("start-up reconciliation done: trading state HALTED"));
  EXPECT_THAT(third.err, HasSubstr("trading state HALTED -> ACTIVE: operator ops: fixed"));
}

// A broker anomaly during the start-up reconciliation (HALTED then) takes effect once the saved
// state is restored: REDUCING, held for an operator, instead of the saved ACTIVE.
TEST(ReconciliationTest, ABrokerAnomalyDuringTheStartUpReconciliationReducesOnceRestored) {
  const FlakyJournaledDeployment d("anomaly_while_reconciling");
  d.configure("");
  auto first = d.run();
  ASSERT_EQ(first.exit_code, 0) << first.err;
  // The reconciliation's reading of positions (the first call) reports an unknown order status.
  d.configure("anomaly_on_positions_call = 1\n");
  auto second = d.run();
  ASSERT_EQ(second.exit_code, 0) << second.err;
  EXPECT_THAT(second.err, HasSubstr("reconciliation with broker flaky clean"));
  EXPECT_THAT(second.err,
              HasSubstr("trading state ACTIVE -> REDUCING: broker flaky reported what it cannot "
                        "interpret for TEST: order status \"held_for_review\""));
  EXPECT_THAT(second.err, HasSubstr("start-up reconciliation done: trading state REDUCING"));
  // Saved: the next start stays REDUCING until an operator resumes.
  d.configure("");
  auto third = d.run();
  ASSERT_EQ(third.exit_code, 0) << third.err;
  EXPECT_THAT(third.err, HasSubstr("start-up reconciliation done: trading state REDUCING"));
}

// ---- positions no strategy follows ----

namespace {

// A journaled paper deployment whose broker has minute bars of the `data` symbols; the fixture
// strategy subscribes to `symbol` and buys 10 of it on its first bar (never when `buys` is false).
class HeldPositionDeployment {
 public:
  explicit HeldPositionDeployment(const std::string& name) : dir_(scratch_dir(name)) {}
  const fs::path& dir() const { return dir_; }
  void generate(const std::string& symbol, int bars, int seed) const {
    auto g = mercurio_cmd({"generate-bars", "--out", (dir_ / "data" / (symbol + ".csv")).string(),
                           "--symbol", symbol, "--bars", std::to_string(bars), "--interval", "1m",
                           "--start", "2024-03-04", "--seed", std::to_string(seed)},
                          dir_);
    EXPECT_EQ(g.exit_code, 0) << g.err;
  }
  /// The close of the symbol's last bar in its data file.
  double last_close(const std::string& symbol) const {
    const auto rows = read_csv_rows(dir_ / "data" / (symbol + ".csv"));
    return rows.empty() ? 0 : std::stod(rows.back().at(4));
  }
  /// `watched`: the paper venue replays a bar every 2 ms on a 24/7 calendar, and stale data is
  /// looked for every 50 ms (a gap of 300 ms).
  ProcessResult run(const std::vector<std::string>& data, const std::string& symbol, bool buys,
                    bool watched = false) const {
    std::string table;
    for (const std::string& d : data)
      table += (table.empty() ? "" : ", ") + d + " = \"data/" + d + ".csv\"";
    std::ofstream(dir_ / "mercurio.toml", std::ios::trunc)
        << "[kernel]\nmode = \"paper\"\noutput_dir = \"out\"\nstate_dir = \"state\"\n"
        << "plugin_dirs = [\"" << fixture_plugin_dir().string() << "\"]\n"
        << "[journal]\npath = \"state/journal.sqlite\"\n"
        << (watched ? "[failsafe]\nheartbeat_interval_ms = 50\nmax_data_gap_ms = 300\n" : "")
        << "[[plugin]]\nid = \"paper\"\nlibrary = \"mercurio_broker_paper\"\n[plugin.config]\n"
           "starting_cash = \"100000\"\nstate_file = \"state/paper_account.toml\"\ndata = { "
        << table << " }\n"
        << (watched ? "replay_interval_ms = 2\n[plugin.risk]\ncalendar = \"24/7\"\n" : "")
        << "[[plugin]]\nid = \"buyer\"\nlibrary = \"fixture_good_strategy\"\nbroker = "
           "\"paper\"\n[plugin.config]\nsymbol = \""
        << symbol << "\"\nquantity = 10\nbuy_on_bar = " << (buys ? 1 : 1000000)
        << "\n[[plugin]]\nid = \"log\"\nlibrary = \"mercurio_notifier_log\"\n"
        << kGenerousRiskTable;
    return run_process(
        {mercurio_exe().string(), "run", "--config", (dir_ / "mercurio.toml").string()}, dir_);
  }

 private:
  fs::path dir_;
};

double equity_in(const ProcessResult& r, const std::string& label) {
  const std::string v = summary_value(r.out, label);
  return v.empty() ? -1 : std::stod(v);
}

}  // namespace

// A position whose strategy is gone from the config used to keep the mark of its last fill: the
// breakers valued the account by a price that no longer moved. Its bars are now asked for, for no
// strategy, and until the first of them it is valued at the venue's own price.
TEST(HeldPositionTest, APositionNoStrategyFollowsIsMarkedAfterARestart) {
  HeldPositionDeployment d("held_position_marked");
  d.generate("AAA", 20, 5);
  d.generate("BBB", 20, 7);
  auto first = d.run({"AAA", "BBB"}, "AAA", true);
  ASSERT_EQ(first.exit_code, 0) << first.err;
  ASSERT_EQ(summary_value(first.out, "fills"), "1") << first.err;
  const double after_first = equity_in(first, "final equity");
  const double close_first = d.last_close("AAA");
  // The strategy now trades BBB only; AAA's market goes on.
  d.generate("AAA", 40, 5);
  d.generate("BBB", 40, 7);
  auto second = d.run({"AAA", "BBB"}, "BBB", false);
  ASSERT_EQ(second.exit_code, 0) << second.err;
  EXPECT_THAT(second.err, HasSubstr("broker paper holds AAA (a position or a working order), which "
                                    "no strategy there subscribes to: its bars are asked for to "
                                    "mark it"));
  // At the start: the venue's price for AAA (its last bar), not the journal's fill price.
  EXPECT_THAT(second.err, HasSubstr("broker paper's positions valued at its own prices until their "
                                    "first bar: AAA "));
  EXPECT_NEAR(equity_in(second, "starting equity"), after_first, 1e-6);
  // At the end: AAA's new last close (the buyer held nothing and bought nothing).
  EXPECT_NEAR(equity_in(second, "final equity"),
              after_first + 10 * (d.last_close("AAA") - close_first), 1e-6);
  EXPECT_NE(d.last_close("AAA"), close_first);
  EXPECT_THAT(second.err, Not(HasSubstr("REDUCING")));
}

// A holding no strategy follows may trade rarely, or its venue may have no bars for it: its
// silence does not move trading to REDUCING (the strategies' feeds' does); it is a WARNING alert,
// once a silence.
TEST(HeldPositionTest, APositionNoStrategyFollowsIsSilentWithoutReducing) {
  HeldPositionDeployment d("held_position_not_watched");
  d.generate("AAA", 20, 5);
  d.generate("BBB", 20, 7);
  auto first = d.run({"AAA", "BBB"}, "AAA", true);
  ASSERT_EQ(first.exit_code, 0) << first.err;
  ASSERT_EQ(summary_value(first.out, "fills"), "1") << first.err;
  // No new AAA bar; 300 of BBB, 2 ms apart: the run lasts well over the 300 ms gap.
  d.generate("BBB", 320, 7);
  auto second = d.run({"AAA", "BBB"}, "BBB", false, true);
  ASSERT_EQ(second.exit_code, 0) << second.err;
  EXPECT_THAT(second.err, HasSubstr("broker paper holds AAA (a position or a working order)"));
  // Said once, without a change of state.
  EXPECT_THAT(second.err, HasSubstr("[WARNING] Held position not marked lately: AAA"));
  EXPECT_THAT(second.err, HasSubstr("no bar of AAA (held, no strategy) from paper for over 300 ms "
                                    "while the market is open: it stays valued at 99.82"));
  ASSERT_NE(second.err.find("[kernel] no bar of AAA (held"), std::string::npos);
  EXPECT_EQ(second.err.find("[kernel] no bar of AAA (held"),
            second.err.rfind("[kernel] no bar of AAA (held"));
  EXPECT_GE(std::stoi("0" + summary_value(second.out, "bars")), 300) << second.out;
  EXPECT_THAT(second.err, Not(HasSubstr("stale market data")));
}

// Its venue has no bars for it: the strategies' own symbols are asked for alone, and trading goes
// on REDUCING until an operator resumes (the breakers cannot follow that position).
TEST(HeldPositionTest, APositionWithoutBarsReducesUntilAnOperatorResumes) {
  HeldPositionDeployment d("held_position_unmarked");
  d.generate("AAA", 20, 5);
  d.generate("BBB", 20, 7);
  auto first = d.run({"AAA", "BBB"}, "AAA", true);
  ASSERT_EQ(first.exit_code, 0) << first.err;
  ASSERT_EQ(summary_value(first.out, "fills"), "1") << first.err;
  d.generate("BBB", 40, 7);
  auto second = d.run({"BBB"}, "BBB", true);
  ASSERT_EQ(second.exit_code, 0) << second.err;
  EXPECT_THAT(second.err, HasSubstr("[CRITICAL] Position not marked: AAA"));
  EXPECT_THAT(second.err, HasSubstr("trading state ACTIVE -> REDUCING: position 10 AAA at paper "
                                    "has no bars to mark it (broker paper refused its bars: "
                                    "paper broker has no data for symbol(s) AAA"));
  // BBB's bars came all the same, and the buyer's entry was refused.
  EXPECT_THAT(second.err, HasSubstr("REDUCING_ONLY"));
  EXPECT_EQ(summary_value(second.out, "fills"), "0");
  EXPECT_GE(std::stoi("0" + summary_value(second.out, "bars")), 20) << second.out;
}

// A manual trade at the venue in a symbol no strategy subscribes to: nothing marks that position.
TEST(HeldPositionTest, AManualFillInASymbolWithoutBarsReducesUntilAnOperatorResumes) {
  const fs::path dir = scratch_dir("held_position_manual_fill");
  std::ofstream(dir / "mercurio.toml")
      << "[kernel]\nmode = \"paper\"\noutput_dir = \"out\"\nstate_dir = \"state\"\n"
      << "plugin_dirs = [\"" << fixture_plugin_dir().string() << "\"]\n"
      << "[[plugin]]\nid = \"flaky\"\nlibrary = \"fixture_flaky_broker\"\n[plugin.config]\n"
         "bars = 6\ninterval_ms = 1\nexternal_fill_after_bar = 2\n"
         "[[plugin]]\nid = \"buyer\"\nlibrary = \"fixture_good_strategy\"\n[plugin.config]\n"
         "buy_on_bar = 4\n"
      << kGenerousRiskTable;
  auto r = run_process(
      {mercurio_exe().string(), "run", "--config", (dir / "mercurio.toml").string()}, dir);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.err, HasSubstr("trading state ACTIVE -> REDUCING: position 3 OTHER at flaky has no "
                               "bars to mark it (a fill of manual-2 in a symbol no strategy there "
                               "subscribes to)"));
  // The buyer's entry on the 4th bar, after that fill, is refused.
  EXPECT_THAT(r.err, HasSubstr("REDUCING_ONLY"));
  EXPECT_THAT(r.err, HasSubstr("fixture calls: account"));
  EXPECT_THAT(r.err, HasSubstr(", submit 0"));
}

// The Alpaca plugin, when it misses the stream's fill events and cannot read the activities,
// reports the executions it missed as one fill (at their average price, trade id
// "<order>@<cumulative>"); after a restart Alpaca lists them one by one: the last under that same
// id, the earlier ones under ids the journal never saw. Here the paper venue's state file is
// edited into that shape (its last fill becomes two executions with the same quantity, cash and
// position), and into one where both are new ids. They used to be booked again (the position
// counted twice, and a reconciliation mismatch); now their leaves quantities show that they lie
// within what the journal holds of their order.
TEST(ReconciliationTest, ExecutionsListedOneByOneThatTheJournalHoldsAsOneFillAreNotBookedTwice) {
  for (const bool last_keeps_its_id : {true, false}) {
    SCOPED_TRACE(last_keeps_its_id ? "the last execution under the journal's id" : "two new ids");
    JournaledDeployment d(last_keeps_its_id ? "recovery_split_fill_known" : "recovery_split_fill",
                          300);
    auto first = d.run();
    ASSERT_EQ(first.exit_code, 0) << first.err;
    const fs::path state = d.dir() / "state" / "paper_account.toml";
    ASSERT_EQ(fs::file_size(state.string() + ".log"), 0u)
        << "a clean stop leaves the change log empty";
    std::string text = read_file(state);
    // The last [[fill]] table (toml++ writes arrays of tables in key order: fills come first).
    const auto begin = text.rfind("[[fill]]");
    ASSERT_NE(begin, std::string::npos) << text;
    const auto end = text.find("\n[[", begin + 1);
    ASSERT_NE(end, std::string::npos);
    const std::string fill = text.substr(begin, end + 1 - begin);
    std::smatch m;
    ASSERT_TRUE(std::regex_search(fill, m, std::regex(R"re(quantity = "([0-9]+)")re"))) << fill;
    const int quantity = std::stoi(m[1]);
    ASSERT_GE(quantity, 2) << fill;
    ASSERT_THAT(fill, HasSubstr("leaves = \"0\"\n"));
    ASSERT_TRUE(std::regex_search(fill, m, std::regex(R"re(trade_id = "paper-t([0-9]+)")re")));
    const int trade = std::stoi(m[1]);
    const std::string journaled_id = "paper-t" + std::to_string(trade);
    ASSERT_TRUE(std::regex_search(fill, m, std::regex(R"re(commission = "([^"]+)")re")));
    const std::string commission = m[1];
    const auto part = [&](int of, int leaves, const std::string& trade_id, const char* type,
                          const std::string& its_commission) {
      std::string t = std::regex_replace(fill, std::regex(R"re(quantity = "[0-9]+")re"),
                                         "quantity = \"" + std::to_string(of) + "\"");
      t = std::regex_replace(t, std::regex(R"re(leaves = "0")re"),
                             "leaves = \"" + std::to_string(leaves) + "\"");
      t = std::regex_replace(t, std::regex(R"re(trade_id = "[^"]+")re"),
                             "trade_id = \"" + trade_id + "\"");
      t = std::regex_replace(t, std::regex(R"re(type = "[a-z_]+")re"),
                             std::string("type = \"") + type + "\"");
      return std::regex_replace(t, std::regex(R"re(commission = "[^"]+")re"),
                                "commission = \"" + its_commission + "\"");
    };
    // The venue numbers its trade ids in the order it lists them: the unseen id of the first
    // execution (0 to 1 of the order) comes after the journal's in the shape that keeps it.
    std::vector<std::string> unseen;
    if (last_keeps_its_id) {
      unseen = {"paper-t" + std::to_string(trade + 1)};
      text.replace(begin, fill.size(),
                   part(quantity - 1, 0, journaled_id, "filled", commission) +
                       part(1, quantity - 1, unseen[0], "partially_filled", "0"));
    } else {
      unseen = {"paper-t" + std::to_string(trade + 1), "paper-t" + std::to_string(trade + 2)};
      text.replace(begin, fill.size(),
                   part(1, quantity - 1, unseen[0], "partially_filled", "0") +
                       part(quantity - 1, 0, unseen[1], "filled", commission));
    }
    text = std::regex_replace(text, std::regex("next_trade_number = [0-9]+"),
                              "next_trade_number = " + std::to_string(trade + 3));
    std::ofstream(state, std::ios::trunc) << text;

    // A mismatch would wait HALTED for an operator: stopped after a minute instead (exit 1).
    auto second = d.run("timeout --preserve-status -s TERM 60 ");
    ASSERT_EQ(second.exit_code, 0) << second.err;
    EXPECT_THAT(second.err, HasSubstr("reconciliation with broker paper clean"));
    EXPECT_THAT(second.err, Not(HasSubstr("recorded at start-up (made while mercurio was down)")));
    for (const std::string& id : unseen)
      EXPECT_THAT(second.err, HasSubstr("fill " + id + " of order ")) << second.err;
    EXPECT_THAT(second.err, HasSubstr(" the journal holds of the order under other trade ids: "
                                      "booked already, not booked again"));
    // The journal records none of them: a later start still finds the account as it has it.
    auto trades = d.cmd({"report", "trades"});
    ASSERT_EQ(trades.exit_code, 0) << trades.err;
    EXPECT_THAT(trades.out, HasSubstr("," + journaled_id + "\n"));  // the last column
    for (const std::string& id : unseen) EXPECT_THAT(trades.out, Not(HasSubstr("," + id + "\n")));
    auto third = d.run("timeout --preserve-status -s TERM 60 ");
    ASSERT_EQ(third.exit_code, 0) << third.err;
    EXPECT_THAT(third.err, HasSubstr("reconciliation with broker paper clean"));
  }
}

// A listed fill under an unseen trade id that lies partly within what the journal holds of its
// order: neither booking it (counted twice in part) nor dropping it (lost in part) is right. It
// is a reconciliation difference, trading stays HALTED, and the operator's acknowledgement records
// its trade id with the adjustment, whose account holds it, so no later start books it. Made by
// editing both sides: the journal holds Q-1 of the last order (0 to Q-1), the venue lists its
// fill as Q-2 under the journal's id and 2 (Q-2 to Q) under a new one.
TEST(ReconciliationTest, AListedFillAcrossWhatTheJournalHoldsIsADifferenceUntilAcknowledged) {
  JournaledDeployment d("recovery_overlapping_fill", 300);
  ASSERT_EQ(d.run().exit_code, 0);
  const fs::path state = d.dir() / "state" / "paper_account.toml";
  ASSERT_EQ(fs::file_size(state.string() + ".log"), 0u);
  std::string text = read_file(state);
  const auto begin = text.rfind("[[fill]]");
  ASSERT_NE(begin, std::string::npos) << text;
  const auto end = text.find("\n[[", begin + 1);
  ASSERT_NE(end, std::string::npos);
  const std::string fill = text.substr(begin, end + 1 - begin);
  std::smatch m;
  ASSERT_TRUE(std::regex_search(fill, m, std::regex(R"re(quantity = "([0-9]+)")re"))) << fill;
  const int quantity = std::stoi(m[1]);
  ASSERT_GE(quantity, 3) << fill;
  ASSERT_TRUE(std::regex_search(fill, m, std::regex(R"re(trade_id = "paper-t([0-9]+)")re")));
  const int trade = std::stoi(m[1]);
  const std::string known = "paper-t" + std::to_string(trade);
  const std::string across = "paper-t" + std::to_string(trade + 1);
  ASSERT_TRUE(std::regex_search(fill, m, std::regex(R"re(id = "(ma-[0-9]+)")re")));
  const std::string order = m[1];
  const auto part = [&](int of, int leaves, const std::string& trade_id, const char* type) {
    std::string t = std::regex_replace(fill, std::regex(R"re(quantity = "[0-9]+")re"),
                                       "quantity = \"" + std::to_string(of) + "\"");
    t = std::regex_replace(t, std::regex(R"re(leaves = "0")re"),
                           "leaves = \"" + std::to_string(leaves) + "\"");
    t = std::regex_replace(t, std::regex(R"re(trade_id = "[^"]+")re"),
                           "trade_id = \"" + trade_id + "\"");
    return std::regex_replace(t, std::regex(R"re(type = "[a-z_]+")re"),
                              std::string("type = \"") + type + "\"");
  };
  text.replace(begin, fill.size(),
               part(quantity - 2, 2, known, "partially_filled") + part(2, 0, across, "filled"));
  text = std::regex_replace(text, std::regex("next_trade_number = [0-9]+"),
                            "next_trade_number = " + std::to_string(trade + 2));
  std::ofstream(state, std::ios::trunc) << text;
  {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open((d.dir() / "state" / "journal.sqlite").c_str(), &db), SQLITE_OK);
    const std::string sql = "UPDATE order_events SET fill_quantity = '" +
                            std::to_string(quantity - 1) +
                            "', leaves_quantity = '1' WHERE trade_id = '" + known + "'";
    EXPECT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr), SQLITE_OK)
        << sqlite3_errmsg(db);
    EXPECT_EQ(sqlite3_changes(db), 1);
    sqlite3_close(db);
  }

  const std::string difference = "fill " + across + " of order " + order + " (2 at ";
  const std::string lies_across =
      ", the order's " + std::to_string(quantity - 2) + " to " + std::to_string(quantity) + " of " +
      std::to_string(quantity) + ") lies across the " + std::to_string(quantity - 1) +
      " the journal holds of the order under other trade ids: not booked";
  // HALTED, waiting for an operator: stopped after 5 s (exit 1).
  auto halted = d.run("timeout --preserve-status -s TERM 5 ");
  EXPECT_EQ(halted.exit_code, 1) << halted.err;
  EXPECT_THAT(halted.err, HasSubstr("reconciliation with broker paper found differences"));
  EXPECT_THAT(halted.err, HasSubstr(difference));
  EXPECT_THAT(halted.err, HasSubstr(lies_across));
  EXPECT_THAT(halted.err, Not(HasSubstr("booked already")));

  ASSERT_EQ(d.cmd({"acknowledge", "--by", "ops", "--reason", "venue split a fill"}).exit_code, 0);
  auto acknowledged = d.run("timeout --preserve-status -s TERM 60 ");
  ASSERT_EQ(acknowledged.exit_code, 0) << acknowledged.err;
  EXPECT_THAT(acknowledged.err,
              HasSubstr("fill " + across + " of order " + order +
                        " is in the account the acknowledgement takes: recorded with it, never "
                        "booked"));
  EXPECT_THAT(acknowledged.err, HasSubstr("acknowledged: broker paper's account is now its own"));
  auto trades = d.cmd({"report", "trades"});
  ASSERT_EQ(trades.exit_code, 0) << trades.err;
  EXPECT_THAT(trades.out, Not(HasSubstr("," + across + "\n")));
  // The next start knows the trade id: clean, nothing across.
  auto next = d.run("timeout --preserve-status -s TERM 60 ");
  ASSERT_EQ(next.exit_code, 0) << next.err;
  EXPECT_THAT(next.err, HasSubstr("reconciliation with broker paper clean"));
  EXPECT_THAT(next.err, Not(HasSubstr("lies across")));
}

TEST(ReconciliationTest, AnOpenOrderTheJournalNeverSentIsRecordedAsExternalAndAlerted) {
  auto r = run_flaky("external_order", "external_order = true\n");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.err, HasSubstr("open order manual-1 (buy 7 TEST) at flaky is not in the journal: external"));
  EXPECT_THAT(r.err, HasSubstr("[WARNING] External order at flaky"));
  EXPECT_THAT(r.err, HasSubstr("reconciliation with broker flaky clean"));
}

}  // namespace
}  // namespace mercurio::test
