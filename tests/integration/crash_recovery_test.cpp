// Crash recovery, proven: a paper session whose simulated account outlives the process (the paper
// broker's state_file) is killed with SIGKILL at random moments and at named points of the order
// path, and restarted each time. After every kill the broker's books and the journal are read
// directly (the paper broker's own loader on a copy of its files, then TOML; SQLite) and the
// invariants of RELIABILITY.md are checked:
//   - no order reached the broker twice (the paper venue counts submits per client order id);
//   - every order at the broker has a journaled intent with a recorded risk approval;
//   - every journaled fill is a broker fill (same trade id, quantity, price);
//   - every restart's reconciliation is clean, and a HALT given before a kill is still in force;
//   - at the end: journal fills == broker fills, positions and cash equal.
// Kills: MERCURIO_CRASH_KILLS (default 200); named-point hits: MERCURIO_CRASH_POINT_HITS (default 20).

#include <fcntl.h>
#include <signal.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <map>
#include <random>
#include <set>
#include <thread>

#include <toml++/toml.h>

#include "mercurio/sdk/decimal.hpp"
#include "paper_broker.hpp"
#include "support/mercurio_cli.hpp"
#include "support/process.hpp"
#include "support/risk_config.hpp"
#include "support/test_paths.hpp"
#include "test_support.hpp"

namespace mercurio::test {
namespace {

using ::testing::HasSubstr;
using sdk::Decimal;
namespace fs = std::filesystem;

int env_int(const char* name, int fallback) {
  const char* v = std::getenv(name);
  return v && *v ? std::atoi(v) : fallback;
}

Decimal dec(const std::string& s) {
  auto d = Decimal::parse(s);
  if (!d) throw std::runtime_error("not a decimal: " + s);
  return *d;
}

struct BrokerFill {
  std::string order;
  std::string symbol;
  bool buy = true;
  Decimal quantity, price, commission;
};

struct BrokerBooks {  // the paper venue's account, read from its state file
  bool exists = false;
  Decimal cash;
  std::map<std::string, std::int64_t> submits;  // client order id -> submit() calls
  std::map<std::string, BrokerFill> fills;      // trade id -> fill
  std::map<std::string, Decimal> positions;
};

struct JournalBooks {  // what the journal recorded, read with SQLite directly
  std::map<std::string, bool> intents;         // client order id -> approved by the risk gate
  std::map<std::string, BrokerFill> fills;     // trade id -> fill
  Decimal opening_cash;
  bool has_opening = false;
  std::size_t intents_total = 0;
};

class CrashWorkspace {
 public:
  explicit CrashWorkspace(const std::string& name) : dir_(scratch_dir(name)) {
    for (const auto& [symbol, seed] : {std::pair{"AAA", "11"}, std::pair{"BBB", "12"}}) {
      auto g = mercurio_cmd({"generate-bars", "--out", (dir_ / "data" / (std::string(symbol) + ".csv")).string(), "--symbol", symbol,
                             "--bars", "40000", "--interval", "1m", "--start", "2024-03-04", "--seed", seed, "--volatility", "0.6"},
                            dir_);
      EXPECT_EQ(g.exit_code, 0) << g.err;
    }
    std::ofstream(dir_ / "mercurio.toml")
        << "[kernel]\nmode = \"paper\"\noutput_dir = \"out\"\nstate_dir = \"state\"\nlog_level = \"info\"\n"
           // The paper venue has no lag: an order it does not know at start-up is asked about
           // again after 100 ms, not the default 5 s (each restart after a kill between the
           // journal and the send waits that long).
           "[journal]\npath = \"state/journal.sqlite\"\nin_doubt_recheck_ms = 100\n"
           "[[plugin]]\nid = \"paper\"\nlibrary = \"mercurio_broker_paper\"\n[plugin.config]\n"
           "starting_cash = \"100000\"\ncommission_per_share = \"0.01\"\ncommission_minimum = \"1\"\n"
           "state_file = \"state/paper_account.toml\"\nreplay_interval_ms = 3\nallow_short = true\n"
           "data = { AAA = \"data/AAA.csv\", BBB = \"data/BBB.csv\" }\n"
           "[[plugin]]\nid = \"ma\"\nlibrary = \"mercurio_strategy_moving_average\"\nbroker = \"paper\"\n[plugin.config]\n"
           "symbols = [\"AAA\", \"BBB\"]\nshort_window = 3\nlong_window = 8\nsizing = \"fixed\"\nquantity = \"10\"\n"
           "long_only = false\n"
        << kGenerousRiskTable;
  }

  const fs::path& dir() const { return dir_; }

  /// Starts `mercurio run`; returns its pid. Output goes to run.log (replaced each run).
  pid_t start(const std::string& crash_point = "") {
    const pid_t pid = ::fork();
    if (pid == 0) {
      const int fd = ::open((dir_ / "run.log").c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      ::dup2(fd, 1);
      ::dup2(fd, 2);
      ::chdir(dir_.c_str());
      if (!crash_point.empty()) ::setenv("MERCURIO_CRASH_POINT", crash_point.c_str(), 1);
      else ::unsetenv("MERCURIO_CRASH_POINT");
      const std::string exe = mercurio_exe().string();
      const std::string config = (dir_ / "mercurio.toml").string();
      ::execl(exe.c_str(), exe.c_str(), "run", "--config", config.c_str(), static_cast<char*>(nullptr));
      ::_exit(127);
    }
    return pid;
  }

  /// Waits for `pid` up to `limit`; kills it with SIGKILL if still running. Returns how it ended:
  /// >= 0 an exit code, -SIG when a signal ended it, and sets `killed_by_us`.
  int finish(pid_t pid, std::chrono::milliseconds limit, bool& killed_by_us) {
    killed_by_us = false;
    const auto deadline = std::chrono::steady_clock::now() + limit;
    int status = 0;
    for (;;) {
      const pid_t r = ::waitpid(pid, &status, WNOHANG);
      if (r == pid) break;
      if (std::chrono::steady_clock::now() >= deadline) {
        ::kill(pid, SIGKILL);
        ::waitpid(pid, &status, 0);
        killed_by_us = true;
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    return WIFEXITED(status) ? WEXITSTATUS(status) : -WTERMSIG(status);
  }

  std::string log() const { return read_file(dir_ / "run.log"); }

  /// Lets a run get past its reconciliation and trade a little, then stops it the way an operator
  /// does (SIGTERM: the kernel finishes, applying every event the broker sent). Returns the exit code;
  /// `startup` (when given) receives how long the run took to start its strategy.
  int run_then_stop(std::chrono::milliseconds trading, std::chrono::milliseconds* startup = nullptr) {
    const auto began = std::chrono::steady_clock::now();
    const pid_t pid = start();
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::minutes(2);
    while (log().find("strategy ma started") == std::string::npos && std::chrono::steady_clock::now() < deadline) {
      int status = 0;
      if (::waitpid(pid, &status, WNOHANG) == pid) return WIFEXITED(status) ? WEXITSTATUS(status) : -WTERMSIG(status);
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    if (startup) *startup = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - began);
    std::this_thread::sleep_for(trading);
    ::kill(pid, SIGTERM);
    bool killed = false;
    return finish(pid, std::chrono::minutes(2), killed);
  }

  // The broker's books as its next start reads them: the state file with its change log applied,
  // by the paper broker's own loader (a kill must never leave an account that does not load), on
  // a copy, so that the restart still meets the log as the kill left it.
  BrokerBooks broker() const {
    BrokerBooks b;
    const fs::path file = dir_ / "state" / "paper_account.toml";
    if (!fs::exists(file)) return b;
    b.exists = true;
    const fs::path copy = dir_ / "books" / "paper_account.toml";
    fs::create_directories(copy.parent_path());
    fs::copy_file(file, copy, fs::copy_options::overwrite_existing);
    fs::remove(copy.string() + ".log");
    if (fs::exists(file.string() + ".log"))
      fs::copy_file(file.string() + ".log", copy.string() + ".log");
    brokers::paper::PaperSettings settings;
    settings.plugin_id = "paper";
    settings.state_file = copy.string();
    brokers::paper::PaperBroker reader(std::move(settings));
    brokers::paper::testing::FakeSink sink;
    if (const sdk::Status st = reader.start(sink); !st)
      throw std::runtime_error("the paper account does not load after the kill: " + st.message());
    reader.stop();  // the start has folded the log into the copy's state file
    const toml::table root = toml::parse_file(copy.string());
    b.cash = dec(root["cash"].value<std::string>().value());
    if (const auto* orders = root["order"].as_array())
      for (const auto& n : *orders) b.submits[(*n.as_table())["id"].value<std::string>().value()] = (*n.as_table())["submits"].value<std::int64_t>().value();
    if (const auto* fills = root["fill"].as_array())
      for (const auto& n : *fills) {
        const auto& t = *n.as_table();
        b.fills[t["trade_id"].value<std::string>().value()] = {t["id"].value<std::string>().value(), t["symbol"].value<std::string>().value(),
                                                               t["side"].value<std::string>().value() == "buy",
                                                               dec(t["quantity"].value<std::string>().value()),
                                                               dec(t["price"].value<std::string>().value()),
                                                               dec(t["commission"].value<std::string>().value())};
      }
    if (const auto* positions = root["position"].as_array())
      for (const auto& n : *positions) {
        const auto& t = *n.as_table();
        const Decimal q = dec(t["quantity"].value<std::string>().value());
        if (!q.is_zero()) b.positions[t["symbol"].value<std::string>().value()] = q;
      }
    return b;
  }

  JournalBooks journal() const {
    JournalBooks j;
    const fs::path file = dir_ / "state" / "journal.sqlite";
    if (!fs::exists(file)) return j;
    sqlite3* db = nullptr;
    if (sqlite3_open_v2(file.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) throw std::runtime_error("cannot open journal");
    auto each = [&](const char* sql, auto&& row) {
      sqlite3_stmt* st = nullptr;
      if (sqlite3_prepare_v2(db, sql, -1, &st, nullptr) != SQLITE_OK) throw std::runtime_error(sqlite3_errmsg(db));
      while (sqlite3_step(st) == SQLITE_ROW) row(st);
      sqlite3_finalize(st);
    };
    auto text = [](sqlite3_stmt* st, int c) {
      const auto* t = sqlite3_column_text(st, c);
      return t ? std::string(reinterpret_cast<const char*>(t)) : std::string();
    };
    each("SELECT i.client_order_id, d.approved FROM intents i JOIN risk_decisions d ON d.decision_id = i.decision_id", [&](sqlite3_stmt* st) {
      j.intents[text(st, 0)] = sqlite3_column_int(st, 1) == 1;
      ++j.intents_total;
    });
    each("SELECT trade_id, client_order_id, symbol, side, fill_quantity, fill_price, commission FROM order_events WHERE trade_id IS NOT NULL",
         [&](sqlite3_stmt* st) {
           j.fills[text(st, 0)] = {text(st, 1), text(st, 2), text(st, 3) == "buy", dec(text(st, 4)), dec(text(st, 5)), dec(text(st, 6))};
         });
    each("SELECT cash FROM balances WHERE kind = 'opening' ORDER BY balance_id LIMIT 1", [&](sqlite3_stmt* st) {
      j.opening_cash = dec(text(st, 0));
      j.has_opening = true;
    });
    sqlite3_close(db);
    return j;
  }

  /// The invariants that must hold at any moment, even right after a SIGKILL.
  void check_invariants(const std::string& when) const {
    const BrokerBooks b = broker();
    const JournalBooks j = journal();
    for (const auto& [id, submits] : b.submits) {
      EXPECT_EQ(submits, 1) << when << ": order " << id << " reached the broker " << submits << " times";
      auto it = j.intents.find(id);
      ASSERT_NE(it, j.intents.end()) << when << ": the broker has order " << id << " but the journal has no intent for it";
      EXPECT_TRUE(it->second) << when << ": order " << id << " has no recorded risk approval";
    }
    for (const auto& [trade, f] : j.fills) {
      auto it = b.fills.find(trade);
      ASSERT_NE(it, b.fills.end()) << when << ": the journal has fill " << trade << " the broker never made";
      EXPECT_EQ(it->second.quantity, f.quantity) << when << ": fill " << trade;
      EXPECT_EQ(it->second.price, f.price) << when << ": fill " << trade;
      EXPECT_EQ(it->second.order, f.order) << when << ": fill " << trade;
    }
  }

  /// After a run that ended on its own (all data replayed): the books agree completely.
  void check_books_equal() const {
    const BrokerBooks b = broker();
    const JournalBooks j = journal();
    ASSERT_TRUE(j.has_opening);
    std::set<std::string> broker_trades, journal_trades;
    for (const auto& [t, f] : b.fills) broker_trades.insert(t);
    for (const auto& [t, f] : j.fills) journal_trades.insert(t);
    EXPECT_EQ(broker_trades, journal_trades) << "lost or invented fills";
    Decimal cash = j.opening_cash;
    std::map<std::string, Decimal> positions;
    for (const auto& [t, f] : j.fills) {
      const Decimal notional = f.quantity * f.price;
      cash += (f.buy ? -notional : notional) - f.commission;
      positions[f.symbol] += f.buy ? f.quantity : -f.quantity;
    }
    std::erase_if(positions, [](const auto& p) { return p.second.is_zero(); });
    EXPECT_EQ(cash, b.cash) << "local cash differs from the broker's";
    EXPECT_EQ(positions, b.positions) << "local positions differ from the broker's";
  }

 private:
  fs::path dir_;
};

TEST(CrashRecoveryTest, RandomKillsLoseNothingAndSendNothingTwice) {
  CrashWorkspace ws("crash_random");
  const int kills_wanted = env_int("MERCURIO_CRASH_KILLS", 200);
  std::mt19937 rng(20261125);
  // Kill moments scale with how long this machine (or sanitizer build) takes to start trading, so
  // kills land in the reconciliation and in trading alike: from 30 % of the start-up time to 300 % plus 400 ms of trading.
  std::chrono::milliseconds startup{0};
  ASSERT_EQ(ws.run_then_stop(std::chrono::milliseconds(200), &startup), 0) << ws.log();
  const int base = static_cast<int>(std::max<std::int64_t>(startup.count(), 20));
  std::uniform_int_distribution<int> delay_ms(base * 3 / 10, base * 3 + 400);
  int kills = 0, clean_restarts = 0, halted_checks = 0;
  bool halted = false, halt_applied = false;
  std::size_t intents_at_halt = 0;
  for (int run = 0; kills < kills_wanted && run < kills_wanted * 2; ++run) {
    // Halfway: an operator halts; the next restarts must keep it, whatever the kills, until resumed.
    if (kills == kills_wanted / 2 && !halted) {
      auto h = mercurio_cmd({"halt", "--config", (ws.dir() / "mercurio.toml").string(), "--by", "harness", "--reason", "crash test"}, ws.dir());
      ASSERT_EQ(h.exit_code, 0) << h.err;
      halted = true;
      intents_at_halt = ws.journal().intents_total;
    } else if (halted && halted_checks >= 10) {
      auto r = mercurio_cmd({"resume", "--config", (ws.dir() / "mercurio.toml").string(), "--by", "harness", "--reason", "crash test over"}, ws.dir());
      ASSERT_EQ(r.exit_code, 0) << r.err;
      halted = false;
      halted_checks = -1000;  // once
    }
    bool killed = false;
    const pid_t pid = ws.start();
    const int how = ws.finish(pid, std::chrono::milliseconds(delay_ms(rng)), killed);
    const std::string log = ws.log();
    if (killed) {
      ++kills;
    } else {
      ASSERT_EQ(how, 0) << "run " << run << " failed:\n" << log;
    }
    EXPECT_THAT(log, ::testing::Not(HasSubstr("found differences"))) << "run " << run << ":\n" << log;
    if (log.find("start-up reconciliation done") != std::string::npos) ++clean_restarts;
    ws.check_invariants("after run " + std::to_string(run) + (killed ? " (killed)" : ""));
    if (halted) {
      // The run that applies the halt logs it; every later restart comes back HALTED, kills or not.
      EXPECT_EQ(ws.journal().intents_total, intents_at_halt) << "an order was journaled while HALTED:\n" << log;
      if (halt_applied && log.find("start-up reconciliation done") != std::string::npos) {
        EXPECT_THAT(log, HasSubstr("start-up reconciliation done: trading state HALTED")) << log;
        ++halted_checks;
      }
      if (log.find("action=halt by=harness") != std::string::npos) halt_applied = true;
    }
    if (::testing::Test::HasFailure()) return;
  }
  EXPECT_GE(kills, kills_wanted);
  EXPECT_GT(clean_restarts, kills_wanted / 4) << "too few restarts got past the reconciliation to prove anything";
  // A last run stopped cleanly, then the books must agree exactly.
  ASSERT_EQ(ws.run_then_stop(std::chrono::milliseconds(500)), 0) << ws.log();
  ws.check_invariants("at the end");
  ws.check_books_equal();
  const auto j = ws.journal();
  EXPECT_GT(j.fills.size(), 30u) << "the session traded too little to prove anything";
  std::cout << "[ crash ] " << kills << " kills, " << clean_restarts << " reconciled restarts, " << j.intents_total << " orders, "
            << j.fills.size() << " fills\n";
}

TEST(CrashRecoveryTest, NamedCrashPointsOnTheOrderPathLoseNothing) {
  CrashWorkspace ws("crash_points");
  const int hits_wanted = env_int("MERCURIO_CRASH_POINT_HITS", 20);
  std::mt19937 rng(7);
  for (const char* point : {"before_intent_write", "after_intent_write", "after_send", "fill_before_journal", "fill_after_journal"}) {
    int hits = 0;
    // The previous run died between the intent's write and its send.
    bool journaled_not_sent = false;
    for (int attempt = 0; hits < hits_wanted && attempt < hits_wanted * 4; ++attempt) {
      const std::string spec = std::string(point) + ":" + std::to_string(1 + rng() % 3);
      bool killed = false;
      const int how = ws.finish(ws.start(spec), std::chrono::seconds(20), killed);
      if (journaled_not_sent) {
        // The venue never had it: asked twice, a window apart, then marked failed (never resent).
        const std::string log = ws.log();
        EXPECT_THAT(log, HasSubstr("journaled in flight are not known at paper: asked again in 100 ms"));
        EXPECT_THAT(log, HasSubstr("was journaled but never reached paper: marked failed, not resent"));
      }
      journaled_not_sent = false;
      if (!killed && how == -SIGKILL) {
        ++hits;  // it killed itself at the point
        journaled_not_sent = std::string(point) == "after_intent_write";
      } else if (!killed) {
        ASSERT_EQ(how, 0) << ws.log();
      }
      EXPECT_THAT(ws.log(), ::testing::Not(HasSubstr("found differences"))) << ws.log();
      ws.check_invariants(std::string("after ") + spec);
      if (::testing::Test::HasFailure()) return;
    }
    EXPECT_GE(hits, hits_wanted) << point;
    std::cout << "[ crash ] " << point << ": " << hits << " hits\n";
  }
  ASSERT_EQ(ws.run_then_stop(std::chrono::milliseconds(300)), 0) << ws.log();
  ws.check_invariants("at the end");
  ws.check_books_equal();
}

}  // namespace
}  // namespace mercurio::test
