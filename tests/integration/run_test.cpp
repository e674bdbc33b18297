// `mercurio run` end to end: outputs, determinism, backtest/paper equivalence, plugin faults.

#include <fcntl.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "mercurio/sdk/decimal.hpp"
#include "support/csv.hpp"
#include "support/mercurio_cli.hpp"
#include "support/process.hpp"
#include "support/risk_config.hpp"
#include "support/saved_state.hpp"
#include "support/test_paths.hpp"

using namespace mercurio::test;
using mercurio::sdk::Decimal;
using ::testing::HasSubstr;
using ::testing::Not;

namespace {

// A workspace with two generated symbols and a config using the bundled plugins.
struct Workspace {
  std::filesystem::path dir;
  explicit Workspace(const std::string& name, const std::string& strategy_extra = "", const std::string& extra_plugins = "",
                     const std::string& risk_table = kGenerousRiskTable) {
    dir = scratch_dir(name);
    for (auto [sym, seed] : {std::pair{"AAA", "5"}, std::pair{"BBB", "6"}}) {
      auto r = mercurio_cmd({"generate-bars", "--symbol", sym, "--seed", seed, "--bars", "600", "--out",
                             (dir / "data" / (std::string(sym) + ".csv")).string()}, dir);
      EXPECT_EQ(r.exit_code, 0) << r.err;
    }
    std::ofstream(dir / "mercurio.toml") << "[kernel]\noutput_dir = \"out\"\nplugin_dirs = [\"" << fixture_plugin_dir().string()
                                         << "\"]\n"
                                            "[[plugin]]\nid = \"paper\"\nlibrary = \"mercurio_broker_paper\"\n[plugin.config]\n"
                                            "starting_cash = \"50000\"\ncommission_per_share = \"0.01\"\ncommission_minimum = \"1\"\n"
                                            "slippage_bps = \"5\"\n"
                                            "data = { AAA = \"data/AAA.csv\", BBB = \"data/BBB.csv\" }\n"
                                            "[[plugin]]\nid = \"ma\"\nlibrary = \"mercurio_strategy_moving_average\"\n[plugin.config]\n"
                                            "symbols = [\"AAA\", \"BBB\"]\nshort_window = 5\nlong_window = 20\nsizing = \"percent_equity\"\n"
                                            "percent = \"30\"\n"
                                         << strategy_extra << extra_plugins
                                         << "[[plugin]]\nid = \"log\"\nlibrary = \"mercurio_notifier_log\"\n"
                                         << risk_table;
  }
  // Replaces the first `from` of the config with `to` (a `from` that is not there fails the test).
  void edit_config(const std::string& from, const std::string& to) const {
    auto text = read_file(dir / "mercurio.toml");
    const auto at = text.find(from);
    ASSERT_NE(at, std::string::npos) << from;
    text.replace(at, from.size(), to);
    std::ofstream(dir / "mercurio.toml", std::ios::trunc) << text;
  }
  ProcessResult run(const std::vector<std::string>& extra = {}) const {
    std::vector<std::string> args{"run", "--config", (dir / "mercurio.toml").string()};
    args.insert(args.end(), extra.begin(), extra.end());
    return mercurio_cmd(args, dir);
  }
};

}  // namespace

TEST(RunTest, WritesConsistentTradesEquityAndSummary) {
  Workspace ws("run_outputs");
  auto r = ws.run();
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto trades = read_csv_rows(ws.dir / "out" / "trades.csv");
  const auto equity = read_csv_rows(ws.dir / "out" / "equity.csv");
  EXPECT_EQ(read_file(ws.dir / "out" / "trades.csv").substr(0, 89),
            "timestamp,symbol,side,quantity,price,commission,client_order_id,strategy,broker,trade_id\n");
  ASSERT_GT(trades.size(), 10u) << "the crossover should trade on 600 random-walk bars";
  EXPECT_EQ(summary_value(r.out, "fills"), std::to_string(trades.size()));
  EXPECT_EQ(summary_value(r.out, "bars"), "1200");
  EXPECT_EQ(equity.size(), 600u);  // one row per timestamp, both symbols share the dates
  EXPECT_EQ(summary_value(r.out, "final equity"), equity.back()[3]);
  EXPECT_EQ(summary_value(r.out, "starting equity"), "50000");

  // Cash in equity.csv follows exactly from the fills: 50000 - sum(signed notional) - commissions.
  Decimal cash = Decimal::from_int(50000);
  Decimal commissions;
  for (const auto& t : trades) {
    ASSERT_EQ(t.size(), 10u);
    const Decimal notional = Decimal::from_string(t[3]) * Decimal::from_string(t[4]);
    cash += t[2] == "buy" ? -notional : notional;
    cash -= Decimal::from_string(t[5]);
    commissions += Decimal::from_string(t[5]);
    EXPECT_GE(Decimal::from_string(t[5]), Decimal::from_int(1)) << "commission minimum";
    EXPECT_EQ(t[7], "ma");
    EXPECT_EQ(t[8], "paper");
  }
  EXPECT_EQ(equity.back()[1], cash.to_string());
  EXPECT_EQ(summary_value(r.out, "commissions"), commissions.to_string());
  // equity = cash + positions value on every row
  for (const auto& e : equity)
    EXPECT_EQ(Decimal::from_string(e[1]) + Decimal::from_string(e[2]), Decimal::from_string(e[3])) << e[0];
}

TEST(RunTest, SameConfigAndDataGiveByteIdenticalOutputs) {
  Workspace ws("run_determinism");
  auto a = ws.run({"--out", (ws.dir / "a").string()});
  auto b = ws.run({"--out", (ws.dir / "b").string()});
  ASSERT_EQ(a.exit_code, 0) << a.err;
  ASSERT_EQ(b.exit_code, 0) << b.err;
  EXPECT_FALSE(read_file(ws.dir / "a" / "trades.csv").empty());
  EXPECT_EQ(read_file(ws.dir / "a" / "trades.csv"), read_file(ws.dir / "b" / "trades.csv"));
  EXPECT_EQ(read_file(ws.dir / "a" / "equity.csv"), read_file(ws.dir / "b" / "equity.csv"));
}

TEST(RunTest, PaperModeRunsTheSamePathAsTheBacktest) {
  Workspace ws("run_paper");
  auto backtest = ws.run({"--out", (ws.dir / "backtest").string()});
  auto paper = ws.run({"--mode", "paper", "--out", (ws.dir / "paper").string()});
  ASSERT_EQ(backtest.exit_code, 0) << backtest.err;
  ASSERT_EQ(paper.exit_code, 0) << paper.err;
  EXPECT_THAT(paper.out, HasSubstr("Mercurio run summary (paper)"));
  // Bars replayed through the inbox from the broker's feed thread give the same trades.
  EXPECT_EQ(read_file(ws.dir / "backtest" / "trades.csv"), read_file(ws.dir / "paper" / "trades.csv"));
  EXPECT_EQ(read_file(ws.dir / "backtest" / "equity.csv"), read_file(ws.dir / "paper" / "equity.csv"));
}

TEST(RunTest, AThrowingStrategyIsDisabledAndTheRunGoesOn) {
  Workspace ws("run_fault", "",
               "[[plugin]]\nid = \"thrower\"\nlibrary = \"fixture_throwing_callback\"\n[plugin.config]\nsymbol = \"AAA\"\n");
  auto r = ws.run();
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.err, HasSubstr("plugin thrower faulted in on_bar: threw: fixture: on_bar failed on "
                               "purpose (strategy disabled; its orders that could add to its "
                               "positions are cancelled, those that only reduce them kept)"));
  EXPECT_EQ(summary_value(r.out, "plugin faults"), "1");  // once: a disabled strategy is not called again
  EXPECT_NE(summary_value(r.out, "fills"), "0");          // the other strategy kept trading
}

TEST(RunTest, AThrowingConstructorStopsStartUpBeforeAnyTrade) {
  Workspace ws("run_ctor", "", "[[plugin]]\nid = \"boom\"\nlibrary = \"fixture_throwing_constructor\"\n");
  auto r = ws.run();
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("start-up failed, nothing was traded"));
  EXPECT_THAT(r.err, HasSubstr("plugin[boom] (mercurio.test.throwing_constructor): could not be created: fixture: constructor failed on purpose"));
  EXPECT_FALSE(std::filesystem::exists(ws.dir / "out" / "trades.csv"));
  auto check = mercurio_cmd({"check", "--config", (ws.dir / "mercurio.toml").string()}, ws.dir);
  EXPECT_EQ(check.exit_code, 2);
  EXPECT_THAT(check.err, HasSubstr("plugin[boom] (mercurio.test.throwing_constructor): could not be created"));
}

// A symbol with a control character is refused when a strategy subscribes to it (the risk gate
// then need not look at the text of a subscribed symbol on every order): the run stops before any
// trade, naming the byte.
TEST(RunTest, ASubscriptionToASymbolWithAControlCharacterStopsStartUp) {
  Workspace ws("run_symbol_text");
  ws.edit_config("symbols = [\"AAA\", \"BBB\"]", "symbols = [\"AAA\", \"B\\u0007B\"]");
  auto r = ws.run();
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("strategy ma failed to start: expected a symbol without control "
                               "characters, byte 1 is one (strategy ma)"));
  EXPECT_EQ(read_csv_rows(ws.dir / "out" / "trades.csv").size(), 0u);
  // The strategy's log line names the symbol; the log escapes its BEL, and no control character
  // but the line breaks reaches stderr.
  EXPECT_THAT(r.err, HasSubstr("[ma] cannot subscribe to bars of B\\x07B: "));
  for (std::size_t i = 0; i < r.err.size(); ++i) {
    const auto c = static_cast<unsigned char>(r.err[i]);
    const bool c1 = c == 0xC2 && i + 1 < r.err.size() &&
                    (static_cast<unsigned char>(r.err[i + 1]) & 0xE0) == 0x80;
    EXPECT_TRUE(c == '\n' || (c >= 0x20 && c != 0x7F && !c1))
        << "control character at byte " << i << " of stderr";
  }
}

// What `mercurio status` shows from the saved state (a reason may quote a broker's reply) stays
// within its line: no line break in it can fake a line, no escape sequence reaches a terminal.
TEST(RunTest, StatusShowsSavedTextEachWithinItsLine) {
  Workspace ws("run_status_text");
  ASSERT_EQ(ws.run({"--mode", "paper"}).exit_code, 0);
  std::filesystem::path state;
  for (const auto& e : std::filesystem::recursive_directory_iterator(ws.dir))
    if (e.path().filename() == "risk_state.toml") state = e.path();
  ASSERT_FALSE(state.empty());
  std::string text = read_file(state);
  const std::size_t at = text.find("reason = '");
  ASSERT_NE(at, std::string::npos) << text;
  text.replace(at, text.find('\n', at) - at,
               R"x(reason = "held\u001b[2J\ntrading state   ACTIVE (ok)")x");
  std::ofstream(state, std::ios::trunc) << text;

  auto status = mercurio_cmd({"status", "--config", (ws.dir / "mercurio.toml").string()}, ws.dir);
  ASSERT_EQ(status.exit_code, 0) << status.err;
  EXPECT_THAT(status.out, HasSubstr("(held\\x1b[2J\\ntrading state   ACTIVE (ok))"));
  EXPECT_EQ(status.out.find('\x1b'), std::string::npos);
  std::size_t state_lines = 0;
  std::istringstream lines(status.out);
  for (std::string line; std::getline(lines, line);)
    state_lines += line.starts_with("trading state");
  EXPECT_EQ(state_lines, 1u) << status.out;
}

// A plugin's error that ends the run (here the paper broker's, naming a data file whose path
// holds an escape sequence) reaches stderr with its control characters escaped.
TEST(RunTest, TheErrorARunEndsWithCannotActOnATerminal) {
  Workspace ws("run_error_text");
  ws.edit_config("/BBB.csv\"", "/B\\u001b[2JB.csv\"");
  auto r = ws.run();
  EXPECT_NE(r.exit_code, 0);
  EXPECT_THAT(r.err, HasSubstr("B\\x1b[2JB.csv"));
  EXPECT_EQ(r.err.find('\x1b'), std::string::npos) << r.err;
  EXPECT_EQ(read_csv_rows(ws.dir / "out" / "trades.csv").size(), 0u);
}

TEST(RunTest, LiveModeIsRefusedWithoutAJournal) {
  Workspace ws("run_live");
  ws.edit_config("[kernel]\n", "[kernel]\nmode = \"live\"\n");
  auto r = ws.run();
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("kernel.mode: \"live\" needs a [journal] table with a path"));
  auto check = mercurio_cmd({"check", "--config", (ws.dir / "mercurio.toml").string()}, ws.dir);
  EXPECT_EQ(check.exit_code, 2);
}

TEST(RunTest, MissingDataFileFailsClosedNamingTheFile) {
  Workspace ws("run_missing_data");
  std::filesystem::remove(ws.dir / "data" / "BBB.csv");
  auto r = ws.run();
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("BBB"));
  EXPECT_THAT(r.err, HasSubstr((ws.dir / "data" / "BBB.csv").string()));
  EXPECT_EQ(read_csv_rows(ws.dir / "out" / "trades.csv").size(), 0u);
}

TEST(RunTest, BadRowsAreReportedByFileAndLine) {
  Workspace ws("run_bad_rows");
  auto text = read_file(ws.dir / "data" / "AAA.csv");
  // Break line 4 (high below low) and line 9 (not a number).
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string l; std::getline(in, l);) lines.push_back(l);
  lines[3] = lines[3].substr(0, 21) + "10,5,9,7,100";
  lines[8] = lines[8].substr(0, 21) + "x,5,9,7,100";
  std::ofstream out(ws.dir / "data" / "AAA.csv", std::ios::trunc);
  for (const auto& l : lines) out << l << "\n";
  out.close();
  auto r = ws.run();
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr((ws.dir / "data" / "AAA.csv").string() + ":4:"));
  EXPECT_THAT(r.err, HasSubstr((ws.dir / "data" / "AAA.csv").string() + ":9:"));
}

TEST(RunTest, OrdersBeyondARiskLimitAreDeniedAndCounted) {
  Workspace ws("run_risk_denied", "", "", risk_table_with("max_order_quantity", "\"1\""));
  auto r = ws.run();
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(summary_value(r.out, "fills"), "0");
  EXPECT_NE(summary_value(r.out, "orders denied"), "0");
  EXPECT_THAT(r.err, HasSubstr("ORDER_QUANTITY_LIMIT: expected quantity <= 1, was"));
  EXPECT_TRUE(read_csv_rows(ws.dir / "out" / "trades.csv").empty());
}

TEST(RunTest, TheDrawdownBreakerHaltsTradingAndFlattens) {
  Workspace ws("run_risk_drawdown", "", "", flattening_risk_table("0.5"));
  auto r = ws.run();
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.err, HasSubstr("trading state ACTIVE -> HALTED: drawdown"));
  const auto trades = read_csv_rows(ws.dir / "out" / "trades.csv");
  ASSERT_FALSE(trades.empty());
  // After the halt the only orders are the kernel's flattening; every position ends flat.
  std::map<std::string, Decimal> position;
  for (const auto& t : trades) {
    const Decimal q = Decimal::from_string(t[3]);
    position[t[1]] += t[2] == "buy" ? q : -q;
  }
  for (const auto& [symbol, q] : position) EXPECT_TRUE(q.is_zero()) << symbol << " ends at " << q.to_string();
  EXPECT_THAT(r.err, HasSubstr("HALTED: trading is HALTED: no new orders until an operator resumes"));
}

// The breakers see each bar's marks before any strategy trades on it. A strategy holds 10 CCC
// bought at 100; on its 20th bar CCC closes at 90 (a 0.2 % drawdown of the 50,000 account, over
// max_drawdown_pct 0.05) and the strategy buys 10 more on that bar: the order is denied (HALTED).
// The breakers used to see a time's equity only when the next time's first bar came, so that
// order went through and filled.
TEST(RunTest, TheBarThatTripsTheDrawdownBreakerHasItsOwnOrdersDenied) {
  Workspace ws("run_risk_drawdown_same_bar", "",
               "[[plugin]]\nid = \"guard\"\nlibrary = \"fixture_protected_position_strategy\"\n"
               "[plugin.config]\nsymbol = \"CCC\"\nquantity = 10\nbuy_again_at_bar = 20\n",
               risk_table_with("max_drawdown_pct", "\"0.05\""));
  ws.edit_config(
      "[[plugin]]\nid = \"ma\"\nlibrary = \"mercurio_strategy_moving_average\"\n[plugin.config]\n"
      "symbols = [\"AAA\", \"BBB\"]\nshort_window = 5\nlong_window = 20\nsizing = "
      "\"percent_equity\"\npercent = \"30\"\n",
      "");
  ws.edit_config("data = { AAA = \"data/AAA.csv\", BBB = \"data/BBB.csv\" }",
                 "data = { CCC = \"data/CCC.csv\" }");
  {
    std::ofstream csv(ws.dir / "data" / "CCC.csv");
    csv << "timestamp,open,high,low,close,volume\n";
    for (int day = 1; day <= 30; ++day) {
      const char* price = day < 20 ? "100,100,100,100" : "90,90,90,90";
      csv << "2015-03-" << (day < 10 ? "0" : "") << day << "T00:00:00Z," << price << ",1000\n";
    }
  }
  auto r = ws.run();
  ASSERT_EQ(r.exit_code, 0) << r.err;
  ASSERT_THAT(r.err, HasSubstr("protected_position_strategy: stop placed"));
  EXPECT_THAT(r.err, HasSubstr("trading state ACTIVE -> HALTED: drawdown"));
  EXPECT_THAT(r.err, Not(HasSubstr("protected_position_strategy: bought again")));
  const auto trades = read_csv_rows(ws.dir / "out" / "trades.csv");
  ASSERT_EQ(trades.size(), 1u) << r.err;
  EXPECT_EQ(trades[0][2], "buy");
  EXPECT_EQ(trades[0][3], "10");
}

// The breaker trips while a strategy's position is protected by a working stop: the stop is
// cancelled and, once the cancel has gone through, the position is still closed (it used to be
// skipped as if the stop were a closing order already working, and left open, unprotected).
TEST(RunTest, AFlattenClosesAPositionWhoseProtectiveOrderItCancelled) {
  const std::string risk = flattening_risk_table("0.5");
  Workspace ws("run_risk_flatten_protected", "",
               "[[plugin]]\nid = \"guard\"\nlibrary = "
               "\"fixture_protected_position_strategy\"\n[plugin.config]\n"
               "symbol = \"AAA\"\nquantity = 10\n",
               risk);
  auto r = ws.run();
  ASSERT_EQ(r.exit_code, 0) << r.err;
  ASSERT_THAT(r.err, HasSubstr("protected_position_strategy: stop placed"));
  ASSERT_THAT(r.err, HasSubstr("trading state ACTIVE -> HALTED: drawdown"));
  // The scenario happened: the flatten found the stop working and waited for its cancel.
  EXPECT_THAT(
      r.err,
      HasSubstr("flattening AAA of guard waits for 1 working order(s) to end (cancel requested)"));
  EXPECT_THAT(r.err, HasSubstr("strategy guard is flat"));
  std::map<std::pair<std::string, std::string>, Decimal> position;  // (strategy, symbol)
  int guard_sells = 0;
  for (const auto& t : read_csv_rows(ws.dir / "out" / "trades.csv")) {
    const Decimal q = Decimal::from_string(t[3]);
    position[{t[7], t[1]}] += t[2] == "buy" ? q : -q;
    if (t[7] == "guard" && t[2] == "sell") ++guard_sells;
  }
  EXPECT_EQ(guard_sells, 1);  // the kernel's closing order, not the stop (far below the market)
  for (const auto& [key, q] : position)
    EXPECT_TRUE(q.is_zero()) << key.first << " " << key.second << " ends at " << q.to_string();
  EXPECT_EQ(summary_value(r.out, "open orders at end"), "0");
}

// A paper run in scratch folder `name` on fixture_flaky_broker, which fills orders at 150 in a
// market at 100 (the drawdown breaker of flattening_risk_table("0.01") trips on the first
// position): `bars` bars 5 ms apart, `broker_config` added to the broker's config, then the
// `plugins` entries.
ProcessResult run_flatten_on_flaky(const std::string& name, const std::string& broker_config,
                                   const std::string& plugins, int bars = 60) {
  const auto dir = scratch_dir(name);
  std::ofstream(dir / "mercurio.toml")
      << "[kernel]\nmode = \"paper\"\noutput_dir = \"out\"\nplugin_dirs = [\""
      << fixture_plugin_dir().string()
      << "\"]\n[failsafe]\nheartbeat_interval_ms = 50\n"
         "[[plugin]]\nid = \"flaky\"\nlibrary = \"fixture_flaky_broker\"\n"
         "[plugin.config]\nbars = "
      << bars << "\ninterval_ms = 5\nfill_at = 150\n"
      << broker_config << "[plugin.risk]\ncalendar = \"24/7\"\n"
      << plugins << flattening_risk_table("0.01");
  return run_process({mercurio_exe().string(), "run", "--config", (dir / "mercurio.toml").string()},
                     dir);
}

// The fixture buyer (buys 1 TEST on its first bar) and the log notifier.
constexpr const char* kBuyerAndLog =
    "[[plugin]]\nid = \"buyer\"\nlibrary = \"fixture_good_strategy\"\n"
    "[[plugin]]\nid = \"log\"\nlibrary = \"mercurio_notifier_log\"\n";

// A strategy goes on running during the breaker's flatten (trading is HALTED, the strategy is not
// stopped) and sees the events of its closing order. One that cancels every order it did not
// send itself is refused for the kernel's closing order: its cancels used to go through, each
// cost the flatten one of its three closing orders, and the position was left open ("Flatten
// incomplete"). fixture_flaky_broker fills buys at 150 in a market at 100 (the breaker trips) and
// leaves sells resting, so the closing order is still working when the strategy sees it.
TEST(RunTest, AStrategyCannotCancelTheKernelsClosingOrder) {
  auto r = run_flatten_on_flaky(
      "run_flatten_cancel_refused", "fill_side = \"buy\"\n",
      "[[plugin]]\nid = \"guard\"\nlibrary = \"fixture_protected_position_strategy\"\n"
      "[plugin.config]\nquantity = 1\ncancel_others = true\n");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  ASSERT_THAT(r.err, HasSubstr("trading state ACTIVE -> HALTED: drawdown"));
  ASSERT_THAT(r.err, HasSubstr("flattening 1 TEST of guard as guard-2"));
  // The scenario happened: the strategy saw the closing order and asked to cancel it.
  EXPECT_THAT(r.err, HasSubstr("protected_position_strategy: cancel of guard-2: order guard-2 is "
                               "the kernel's own closing order"));
  EXPECT_THAT(r.err, Not(HasSubstr("Flatten incomplete")));
  EXPECT_THAT(r.err, Not(HasSubstr("guard-3")));  // no second closing order
  EXPECT_THAT(r.err, HasSubstr(", submit 2\n"));  // the buy and one closing order
  EXPECT_THAT(r.err, HasSubstr("order still open at the end: guard-2"));
}

// Two fixture buyers, "one" and "two", buy 1 TEST each on bar 3 (once the breaker has its peak,
// the start's equity), and 1 TEST is sold by hand at the venue after it: run_flatten_on_flaky.
ProcessResult run_two_books_flattened(const std::string& name, const std::string& broker_config) {
  return run_flatten_on_flaky(name,
                              broker_config +
                                  "external_fill_after_bar = 3\nexternal_fill_symbol = \"TEST\"\n"
                                  "external_fill_side = \"sell\"\nexternal_fill_quantity = 1\n",
                              "[[plugin]]\nid = \"one\"\nlibrary = \"fixture_good_strategy\"\n"
                              "[plugin.config]\nbuy_on_bar = 3\n"
                              "[[plugin]]\nid = \"two\"\nlibrary = \"fixture_good_strategy\"\n"
                              "[plugin.config]\nbuy_on_bar = 3\n"
                              "[[plugin]]\nid = \"log\"\nlibrary = \"mercurio_notifier_log\"\n");
}

// Two strategies hold 1 TEST each; 1 is sold by hand at the venue (the account holds 1, the books
// 2). The breaker flattens both on the same bar: the first closing order takes the account to
// flat, so the second would take it short and is withheld. Both used to go (the first's fill not
// booked yet, each found the account's 1 to close) and the account ended short 1.
TEST(RunTest, TwoFlattensAtOnceNeverTakeTheAccountPastFlat) {
  auto r = run_two_books_flattened("run_flatten_two_books", "");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  ASSERT_THAT(r.err, HasSubstr("trading state ACTIVE -> HALTED: drawdown"));
  EXPECT_THAT(r.err, HasSubstr("flattening 1 TEST of one as one-2"));
  EXPECT_THAT(r.err, Not(HasSubstr("flattening 1 TEST of two as")));
  EXPECT_THAT(r.err, HasSubstr("[CRITICAL] Flatten order withheld"));
  EXPECT_THAT(r.err, HasSubstr(", submit 3\n"));  // two buys, one closing order
}

// The same two books, but the first closing order rests (the venue fills buys only): until it
// ends, the account cannot tell whether the second close would cross flat (filled, it would; not
// filled, it would not), so the second flatten waits instead of being withheld for good.
TEST(RunTest, AFlattenWaitsForAnotherStrategysClosingOrderBeforeJudgingItsOwn) {
  auto r = run_two_books_flattened("run_flatten_waits_for_other", "fill_side = \"buy\"\n");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  ASSERT_THAT(r.err, HasSubstr("trading state ACTIVE -> HALTED: drawdown"));
  ASSERT_THAT(r.err, HasSubstr("flattening 1 TEST of one as one-2"));
  EXPECT_THAT(r.err,
              HasSubstr("[WARNING] Flatten waiting \xE2\x80\x94 flattening TEST of two waits "
                        "for the closing orders of other strategies in it to end"));
  EXPECT_THAT(r.err, Not(HasSubstr("Flatten order withheld")));
  EXPECT_THAT(r.err, HasSubstr(", submit 3\n"));  // two buys, one closing order
  EXPECT_THAT(r.err, HasSubstr("order still open at the end: one-2"));
}

// A venue that refuses every closing order: three are sent, then a CRITICAL alert leaves the
// position to an operator (no order loop against a broker that keeps saying no).
TEST(RunTest, AFlattenSendsAtMostThreeClosingOrdersThenAlerts) {
  // Bought at 150 in a market at 100: the first equity is below the start, the breaker trips.
  auto r = run_flatten_on_flaky("run_flatten_refused", "reject_side = \"sell\"\n", kBuyerAndLog);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  ASSERT_THAT(r.err, HasSubstr("trading state ACTIVE -> HALTED: drawdown"));
  for (const char* id : {"buyer-2", "buyer-3", "buyer-4"})
    EXPECT_THAT(r.err, HasSubstr("order " + std::string(id) +
                                 " rejected by flaky: fixture: sell orders refused"));
  EXPECT_THAT(r.err, Not(HasSubstr("buyer-5")));
  EXPECT_THAT(r.err, HasSubstr("fixture calls: account"));
  EXPECT_THAT(r.err, HasSubstr(", submit 4\n"));  // one buy, three closing orders
  const std::string incomplete = "[CRITICAL] Flatten incomplete";
  const auto first = r.err.find(incomplete);
  ASSERT_NE(first, std::string::npos) << r.err;
  EXPECT_EQ(r.err.find(incomplete, first + 1), std::string::npos) << "alerted more than once";
  EXPECT_THAT(r.err, HasSubstr("1 TEST of buyer still open after 3 closing orders sent ("));
}

// A flatten on fixture_flaky_broker (every order filled at 150 in a market at 100: the drawdown
// breaker trips on the buyer's position) whose submit() calls in [2, unavailable_until) are
// refused unsent, StatusCode::Unavailable, in scratch folder `name`.
ProcessResult run_flatten_refused_unsent(const std::string& name, int unavailable_until) {
  return run_flatten_on_flaky(name,
                              "unavailable_from_submit = 2\nunavailable_until_submit = " +
                                  std::to_string(unavailable_until) + "\n",
                              kBuyerAndLog, 400);
}

std::size_t count_of(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

// A broker that takes no order for a while (reconnecting, its rate budget spent): the closing
// orders it refuses unsent use up none of the three attempts. The flatten tries again at each
// heartbeat and closes the position once the broker takes orders again. It used to use up its
// three attempts within a second and give up, leaving the position open to an operator: the
// failsafe's own flatten, started because a broker went away, could never close anything.
TEST(RunTest, ClosingOrdersRefusedUnsentAreTriedAgainAtEachHeartbeat) {
  // Submits 2 to 5 (closing orders) are refused; the sixth is taken and filled.
  auto r = run_flatten_refused_unsent("run_flatten_unsent", 6);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  ASSERT_THAT(r.err, HasSubstr("trading state ACTIVE -> HALTED: drawdown"));
  for (const char* id : {"buyer-2", "buyer-3", "buyer-4", "buyer-5"})
    EXPECT_THAT(r.err, HasSubstr("order " + std::string(id) +
                                 " rejected by flaky: fixture: not connected, not sent"));
  EXPECT_THAT(r.err, HasSubstr("flattening 1 TEST of buyer as buyer-6"));
  EXPECT_THAT(r.err, HasSubstr("strategy buyer is flat"));
  EXPECT_THAT(r.err, HasSubstr(", submit 6\n"));  // one buy, four refused, the one taken
  EXPECT_THAT(r.err, Not(HasSubstr("Flatten incomplete")));
  EXPECT_EQ(count_of(r.err, "[CRITICAL] Flatten order refused"), 1u) << r.err;
  EXPECT_THAT(r.err, HasSubstr("the closing order did not reach the broker (fixture: not "
                               "connected, not sent); tried again at each heartbeat"));
}

// A broker that never takes the closing order again: one a heartbeat, not a loop. (Without the
// wait for the heartbeat, each refusal, which comes back through the inbox, sent the next at
// once: a loop that never let the run end.) The 400 bars, 5 ms apart, last at least 2 s: about
// 40 heartbeats of 50 ms.
TEST(RunTest, ClosingOrdersABrokerNeverTakesAreTriedOnceAHeartbeatNotInALoop) {
  auto r = run_flatten_refused_unsent("run_flatten_never_sent", 1'000'000);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::size_t refusals = count_of(r.err, "fixture: not connected, not sent); tried again");
  EXPECT_GE(refusals, 2u) << r.err;
  EXPECT_LE(refusals, 400u) << "more refusals than bars: not paced by the heartbeat";
  EXPECT_GE(count_of(r.err, "[CRITICAL] Flatten order refused"), 1u);
  EXPECT_THAT(r.err, Not(HasSubstr("Flatten incomplete")));
  EXPECT_THAT(r.err, Not(HasSubstr("strategy buyer is flat")));
}

// A strategy resending what the venue rejects (here every buy): the rejection breaker disables it
// at max_consecutive_rejections in a row, before the venue throttles or bans the account; the
// rejections are each logged but alerted at most 10 a minute.
// Runs fixture_resting_strategy (a buy limit on each of 30 bars) on fixture_flaky_broker, which
// rejects every buy unless `broker_extra` says otherwise, in scratch folder `name`.
struct RejectingVenueRun {
  std::filesystem::path dir;
  ProcessResult result;
};
RejectingVenueRun run_on_rejecting_venue(const std::string& name, const std::string& broker_extra,
                                         int max_in_a_row) {
  const auto dir = scratch_dir(name);
  std::ofstream(dir / "mercurio.toml")
      << "[kernel]\nmode = \"paper\"\noutput_dir = \"out\"\nplugin_dirs = [\"" +
             fixture_plugin_dir().string() +
             "\"]\n[[plugin]]\nid = \"flaky\"\nlibrary = \"fixture_flaky_broker\"\n"
             "[plugin.config]\nbars = 30\ninterval_ms = 1\nreject_side = \"buy\"\n" +
             broker_extra +
             "[[plugin]]\nid = \"rest\"\nlibrary = \"fixture_resting_strategy\"\n"
             "[plugin.config]\nsymbol = \"TEST\"\nquantity = 1\n"
             "[[plugin]]\nid = \"log\"\nlibrary = \"mercurio_notifier_log\"\n" +
             kGenerousRiskTable + "max_consecutive_rejections = " + std::to_string(max_in_a_row) +
             "\n";
  return {dir,
          run_process(
              {mercurio_exe().string(), "run", "--config", (dir / "mercurio.toml").string()}, dir)};
}

TEST(RunTest, OrdersTheVenueKeepsRejectingDisableTheStrategy) {
  const auto [dir, r] = run_on_rejecting_venue("run_rejection_breaker", "", 15);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.err, HasSubstr("strategy rest disabled: 15 orders in TEST rejected in a row by "
                               "flaky reach max_consecutive_rejections 15 (the last: fixture: buy "
                               "orders refused)"));
  EXPECT_THAT(r.err, HasSubstr("[CRITICAL] Strategy disabled: repeated rejections"));
  EXPECT_EQ(summary_value(r.out, "orders submitted"), "15");  // not called again once disabled
  EXPECT_EQ(count_of(r.err, "rejected by flaky: fixture: buy orders refused\n"), 15u);  // logged
  EXPECT_EQ(count_of(r.err, "[WARNING] Order rejected"), 10u);  // alerted
  auto status = mercurio_cmd({"status", "--config", (dir / "mercurio.toml").string()}, dir);
  EXPECT_THAT(status.out, HasSubstr("disabled        rest (repeated rejections)"));
}

// Rejections count only in a row: an order of the strategy in the symbol that works at the venue
// (fills, or ends canceled or expired) starts the count again. An acceptance alone does not: some
// venues accept an order first and reject it later.
TEST(RunTest, AFilledOrderBetweenRejectionsResetsTheRejectionBreaker) {
  // Two buys rejected, the third accepted (and here filled at once), and so on.
  {
    const auto r = run_on_rejecting_venue("run_rejection_breaker_reset",
                                          "accept_every = 3\nfill_at = 100\n", 3)
                       .result;
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(summary_value(r.out, "orders submitted"), "30");
    EXPECT_EQ(count_of(r.err, "rejected by flaky: fixture: buy orders refused\n"), 20u);
    EXPECT_THAT(r.err, Not(HasSubstr("disabled")));
  }
  // The accepted orders rest (never fill): the third rejection, on the fourth order, trips it.
  {
    const auto r =
        run_on_rejecting_venue("run_rejection_breaker_accepted_only", "accept_every = 3\n", 3)
            .result;
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(summary_value(r.out, "orders submitted"), "4");
    EXPECT_THAT(r.err, HasSubstr("strategy rest disabled: 3 orders in TEST rejected in a row"));
  }
}

// A plugin refusing an order for another cause than the venue's answer (not connected, its own
// rate budget spent) sent nothing: the strategy is told it was rejected, but the rejection breaker
// does not count it.
TEST(RunTest, OrdersRefusedBeforeTheVenueAreNotCountedByTheRejectionBreaker) {
  const auto r = run_on_rejecting_venue("run_rejection_breaker_not_sent",
                                        "submit_outcome = \"unavailable\"\n", 2)
                     .result;
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(summary_value(r.out, "orders submitted"), "30");
  EXPECT_EQ(count_of(r.err, "rejected by flaky: fixture: not connected, not sent\n"), 30u);
  EXPECT_THAT(r.err, Not(HasSubstr("disabled")));
}

TEST(RunTest, RepeatedExecutionsDisableTheStrategy) {
  const std::string risk = risk_table_with("fills_window_seconds", "100000000",
                                           risk_table_with("max_fills_per_window", "3"));
  Workspace ws("run_risk_repeated", "", "", risk);
  auto r = ws.run();
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(summary_value(r.out, "fills"), "4");  // the fourth fill trips it; nothing after
  EXPECT_THAT(r.err, HasSubstr("strategy ma disabled: 4 fills within 100000000 s exceed max_fills_per_window 3"));
  EXPECT_THAT(r.err, HasSubstr("[CRITICAL] Strategy disabled: repeated executions"));  // through the log notifier
  EXPECT_EQ(summary_value(r.out, "orders submitted"), "4");  // a disabled strategy is not called again
}

namespace {

// The protected-position fixture as strategy "guard" on AAA: it buys 10, rests a sell stop far
// below the market (guard-2) and then a buy limit far below it (guard-3), plus `extra` config.
std::string guard_with_entry_and_stop(const std::string& extra) {
  return "[[plugin]]\nid = \"guard\"\nlibrary = \"fixture_protected_position_strategy\"\n"
         "[plugin.config]\nsymbol = \"AAA\"\nquantity = 10\nadd_entry = true\n" +
         extra;
}

// What a strategy the kernel stopped left working: its protective stop, not its entry.
void expect_only_the_stop_left_working(const ProcessResult& r) {
  ASSERT_THAT(r.err, HasSubstr("protected_position_strategy: entry placed"));
  EXPECT_THAT(r.err, HasSubstr("strategy guard stopped; cancel asked of 1 order(s) that could add "
                               "to its positions or take them past flat (guard-3); kept 1 order(s) "
                               "that only reduce its positions (guard-2)"));
  // The outcome at the paper broker: the buy limit ended canceled; the stop still works.
  EXPECT_EQ(count_of(r.err, "order still open at the end: guard-"), 1u) << r.err;
  EXPECT_THAT(r.err, HasSubstr("order still open at the end: guard-2 sell 10 AAA (stop"));
}

}  // namespace

// A strategy stopped by the kernel (it threw; a breaker) manages none of its orders any more. The
// order that could add to its position is cancelled; the stop that protects its position stays
// (cancelling it would leave the position unprotected). Both used to stay working.
TEST(RunTest, AStrategyThatThrowsLeavesItsProtectiveStopButNotItsEntryWorking) {
  Workspace ws("run_fault_orders", "", guard_with_entry_and_stop("throw_at_bar = 20\n"));
  auto r = ws.run();
  ASSERT_EQ(r.exit_code, 0) << r.err;
  ASSERT_THAT(
      r.err, HasSubstr("plugin guard faulted in on_bar: threw: fixture: on_bar failed on "
                       "purpose (strategy disabled; its orders that could add to its positions are "
                       "cancelled, those that only reduce them kept)"));
  expect_only_the_stop_left_working(r);
}

TEST(RunTest, AStrategyTheThrottleStopsLeavesItsProtectiveStopButNotItsEntryWorking) {
  const std::string risk = risk_table_with("fills_window_seconds", "100000000",
                                           risk_table_with("max_fills_per_window", "1"));
  Workspace ws("run_throttle_orders", "", guard_with_entry_and_stop("buy_again_at_bar = 20\n"),
               risk);
  auto r = ws.run();
  ASSERT_EQ(r.exit_code, 0) << r.err;
  ASSERT_THAT(r.err, HasSubstr("strategy guard disabled: 2 fills within 100000000 s"));
  expect_only_the_stop_left_working(r);
}

// Two exits of the whole position (a stop and a target): one filling would leave the other to
// open a short position nobody manages. The stop is kept, the target cancelled.
TEST(RunTest, AStoppedStrategyKeepsNoMoreExitsThanItsPosition) {
  Workspace ws("run_fault_exits", "",
               "[[plugin]]\nid = \"guard\"\nlibrary = \"fixture_protected_position_strategy\"\n"
               "[plugin.config]\nsymbol = \"AAA\"\nquantity = 10\nadd_target = true\n"
               "throw_at_bar = 20\n");
  // A paper account that may go short takes the second exit (one that may not refuses it).
  ws.edit_config("slippage_bps = \"5\"\n", "slippage_bps = \"5\"\nallow_short = true\n");
  auto r = ws.run();
  ASSERT_EQ(r.exit_code, 0) << r.err;
  ASSERT_THAT(r.err, HasSubstr("protected_position_strategy: target placed"));
  EXPECT_THAT(r.err, HasSubstr("strategy guard stopped; cancel asked of 1 order(s) that could add "
                               "to its positions or take them past flat (guard-3); kept 1 order(s) "
                               "that only reduce its positions (guard-2)"));
  EXPECT_EQ(count_of(r.err, "order still open at the end: guard-"), 1u) << r.err;
  EXPECT_THAT(r.err, HasSubstr("order still open at the end: guard-2 sell 10 AAA (stop"));
}

// The same with nothing else happening when the strategy throws (no other strategy, no event in
// the inbox): the review does not wait for some later event, which in a backtest could be the
// next bar's fill of the very entry it is to cancel. It used to wait, and here never came.
TEST(RunTest, AStrategyThatThrowsAloneHasItsEntryCancelledAtOnce) {
  Workspace ws("run_fault_orders_alone", "", guard_with_entry_and_stop("throw_at_bar = 20\n"));
  ws.edit_config(
      "[[plugin]]\nid = \"ma\"\nlibrary = \"mercurio_strategy_moving_average\"\n[plugin.config]\n"
      "symbols = [\"AAA\", \"BBB\"]\nshort_window = 5\nlong_window = 20\nsizing = "
      "\"percent_equity\"\npercent = \"30\"\n",
      "");
  auto r = ws.run();
  ASSERT_EQ(r.exit_code, 0) << r.err;
  ASSERT_THAT(r.err, Not(HasSubstr("strategy ma")));
  ASSERT_THAT(r.err, HasSubstr("plugin guard faulted in on_bar"));
  expect_only_the_stop_left_working(r);
}

// On a venue where a cancel races a fill (fixture_flaky_broker, cancel_fills_part): the stopped
// strategy's target is cancelled, but 4 of its 10 fill first and the cancel ends it only at the
// next heartbeat. The position is then 6 and its stop sells 10. The target, its cancel on its
// way, is not counted as an exit kept; the stop is the only protection left, so it is kept and
// an operator alerted to resize it. The stop used to be cancelled (larger than the position) and
// the dying target counted as kept: 6 shares with no exit at all.
namespace {

// The protected-position fixture as "guard" on fixture_flaky_broker (market orders filled at once
// at 100, the others resting), 200 bars 5 ms apart (at least a second: about 20 heartbeats of 50
// ms), throwing at its sixth bar: `broker` and `guard` are more config of each.
ProcessResult run_guard_on_flaky(const std::string& name, const std::string& broker,
                                 const std::string& guard) {
  const auto dir = scratch_dir(name);
  std::ofstream(dir / "mercurio.toml")
      << "[kernel]\nmode = \"paper\"\noutput_dir = \"out\"\nplugin_dirs = [\""
      << fixture_plugin_dir().string()
      << "\"]\n[failsafe]\nheartbeat_interval_ms = 50\n"
         "[[plugin]]\nid = \"flaky\"\nlibrary = \"fixture_flaky_broker\"\n"
         "[plugin.config]\nbars = 200\ninterval_ms = 5\nfill_at = 100\nfill_only_market = true\n"
      << broker
      << "[plugin.risk]\ncalendar = \"24/7\"\n"
         "[[plugin]]\nid = \"guard\"\nlibrary = \"fixture_protected_position_strategy\"\n"
         "[plugin.config]\nsymbol = \"TEST\"\nquantity = 10\nthrow_at_bar = 6\n"
      << guard << "[[plugin]]\nid = \"log\"\nlibrary = \"mercurio_notifier_log\"\n"
      << kGenerousRiskTable;
  return run_process({mercurio_exe().string(), "run", "--config", (dir / "mercurio.toml").string()},
                     dir);
}

}  // namespace

TEST(RunTest, AStoppedStrategysStopIsKeptAndAlertedWhenAPartFillLeavesItLargerThanThePosition) {
  auto r = run_guard_on_flaky("run_fault_part_filled_target", "cancel_fills_part = 4\n",
                              "add_target = true\n");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  ASSERT_THAT(r.err, HasSubstr("protected_position_strategy: target placed"));
  ASSERT_THAT(r.err, HasSubstr("plugin guard faulted in on_bar"));
  EXPECT_THAT(r.err, HasSubstr("strategy guard stopped; cancel asked of 1 order(s) that could add "
                               "to its positions or take them past flat (guard-3); kept 1 order(s) "
                               "that only reduce its positions (guard-2)"));
  EXPECT_EQ(count_of(r.err, "[CRITICAL] Stop of a stopped strategy exceeds its position"), 1u)
      << r.err;
  EXPECT_THAT(r.err, HasSubstr("guard: guard-2 sells 10 TEST while the position is 6; kept so the "
                               "position stays protected"));
  EXPECT_EQ(count_of(r.err, "order still open at the end: guard-"), 1u) << r.err;
  EXPECT_THAT(r.err, HasSubstr("order still open at the end: guard-2 sell 10 TEST (stop"));
  EXPECT_THAT(r.err, Not(HasSubstr("Orders of a stopped strategy")));  // the cancel did end
}

// Two stops, 6 and 4 (one per lot), and a target of 10 whose cancel lets 6 fill first: the
// position is 4. The stop that fits it stays and the other is cancelled; no alert, since the
// position keeps an exit of its own size. (The first stop sent used to be kept as the "only"
// protection, larger than the position, and the one that fitted cancelled.)
TEST(RunTest, AStoppedStrategyKeepsTheStopThatFitsItsShrunkPosition) {
  auto r = run_guard_on_flaky("run_fault_two_stops", "cancel_fills_part = 6\n",
                              "add_target = true\nsecond_stop = 4\n");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  ASSERT_THAT(r.err, HasSubstr("protected_position_strategy: second stop placed"));
  ASSERT_THAT(r.err, HasSubstr("protected_position_strategy: target placed"));
  EXPECT_THAT(r.err, HasSubstr("strategy guard stopped; cancel asked of 1 order(s) that could add "
                               "to its positions or take them past flat (guard-4); kept 2 order(s) "
                               "that only reduce its positions (guard-2, guard-3)"));
  EXPECT_THAT(r.err, HasSubstr("strategy guard stopped; cancel asked of 1 order(s) that could add "
                               "to its positions or take them past flat (guard-2)"));
  EXPECT_THAT(r.err, Not(HasSubstr("exceeds its position")));
  EXPECT_EQ(count_of(r.err, "order still open at the end: guard-"), 1u) << r.err;
  EXPECT_THAT(r.err, HasSubstr("order still open at the end: guard-3 sell 4 TEST (stop"));
}

// The entry's cancel races a fill: 4 of its 10 fill first. The position grew while nobody
// manages it: a CRITICAL alert says so (the stop, 10, still fits the 14 held and stays).
TEST(RunTest, AStoppedStrategysPositionThatGrowsIsAlerted) {
  auto r = run_guard_on_flaky("run_fault_entry_part_filled", "cancel_fills_part = 4\n",
                              "add_entry = true\n");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  ASSERT_THAT(r.err, HasSubstr("protected_position_strategy: entry placed"));
  EXPECT_EQ(count_of(r.err, "[CRITICAL] Position of a stopped strategy grew"), 1u) << r.err;
  EXPECT_THAT(r.err, HasSubstr("guard: TEST 10 -> 14 after a fill of guard-3"));
  EXPECT_EQ(count_of(r.err, "order still open at the end: guard-"), 1u) << r.err;
  EXPECT_THAT(r.err, HasSubstr("order still open at the end: guard-2 sell 10 TEST (stop"));
}

// Stops 4 then 6, and the position shrunk to 6: the 6 alone covers it and stays, the 4 is
// cancelled. (Keeping stops in the order sent while they fitted kept the 4 and cancelled the 6:
// 2 units bare, with no alert.)
TEST(RunTest, AStoppedStrategyKeepsTheStopsThatCoverMostOfItsShrunkPosition) {
  auto r = run_guard_on_flaky("run_fault_two_stops_cover", "cancel_fills_part = 4\n",
                              "add_target = true\nsecond_stop = 6\n");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  ASSERT_THAT(r.err, HasSubstr("protected_position_strategy: second stop placed"));
  EXPECT_THAT(r.err, HasSubstr("strategy guard stopped; cancel asked of 1 order(s) that could add "
                               "to its positions or take them past flat (guard-2); kept 1 order(s) "
                               "that only reduce its positions (guard-3)"));
  EXPECT_THAT(r.err, Not(HasSubstr("exceeds its position")));
  EXPECT_THAT(r.err, Not(HasSubstr("partly unprotected")));
  EXPECT_EQ(count_of(r.err, "order still open at the end: guard-"), 1u) << r.err;
  EXPECT_THAT(r.err, HasSubstr("order still open at the end: guard-3 sell 6 TEST (stop"));
}

// Stops 6 and 4, and the position shrunk to 9: both would sell 10, so the 6 stays and 3 units have
// no stop: a CRITICAL alert says so (again when the 4's own cancel lets 1 more fill: 8).
TEST(RunTest, AStoppedStrategysPositionLeftPartlyWithoutAStopIsAlerted) {
  auto r = run_guard_on_flaky("run_fault_two_stops_partial", "cancel_fills_part = 1\n",
                              "add_target = true\nsecond_stop = 4\n");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(count_of(r.err, "[CRITICAL] Position of a stopped strategy partly unprotected"), 2u)
      << r.err;
  EXPECT_THAT(r.err, HasSubstr("guard: TEST position 9, its stops kept cover 6;"));
  EXPECT_THAT(r.err, HasSubstr("guard: TEST position 8, its stops kept cover 6;"));
  EXPECT_THAT(r.err, HasSubstr("order still open at the end: guard-2 sell 6 TEST (stop"));
}

// A broker that refuses every cancel: one CRITICAL alert at once, the cancel asked again at three
// heartbeats after the first whole interval (four requests in all), then a CRITICAL alert naming
// the order still working; nothing more after that.
TEST(RunTest, AStoppedStrategysRefusedCancelIsAskedFourTimesThenAlerted) {
  auto r = run_guard_on_flaky("run_fault_cancel_refused", "refuse_cancels = true\n",
                              "add_entry = true\n");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  ASSERT_THAT(r.err, HasSubstr("protected_position_strategy: entry placed"));
  EXPECT_EQ(
      count_of(r.err, "could not cancel guard-3 of stopped strategy guard: fixture: cancel #"), 4u)
      << r.err;
  EXPECT_THAT(r.err, HasSubstr("fixture: cancel #4 refused"));
  EXPECT_EQ(count_of(r.err, "[CRITICAL] Orders of a stopped strategy not cancelled"), 1u);
  EXPECT_EQ(count_of(r.err, "[CRITICAL] Orders of a stopped strategy still working"), 1u);
  EXPECT_THAT(r.err, HasSubstr("guard: guard-3 (4 cancel requests) could add to its positions or "
                               "take them past flat and did not end; cancel them at the broker"));
  EXPECT_THAT(r.err, HasSubstr("order still open at the end: guard-3 buy 10 TEST (limit"));
}

// The entry's cancel races a fill of 4 that comes in two parts (10 -> 12 -> 14): one CRITICAL
// alert for the order, at its first part; the second is logged. (Alerting again whenever the
// position passed the size last alerted sent one alert per part.)
TEST(RunTest, AStoppedStrategysOrderThatGrowsItsPositionInPartsIsAlertedOnce) {
  auto r =
      run_guard_on_flaky("run_fault_entry_filled_in_parts",
                         "cancel_fills_part = 4\ncancel_fill_events = 2\n", "add_entry = true\n");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  ASSERT_THAT(r.err, HasSubstr("protected_position_strategy: entry placed"));
  EXPECT_EQ(count_of(r.err, "[CRITICAL] Position of a stopped strategy grew"), 1u) << r.err;
  EXPECT_THAT(r.err, HasSubstr("guard: TEST 10 -> 12 after a fill of guard-3, 8 more of that order "
                               "may still fill (an order that"));
  EXPECT_THAT(r.err, HasSubstr("position of stopped strategy guard: TEST 12 -> 14 after a fill of "
                               "guard-3\n"));
  EXPECT_THAT(r.err, HasSubstr("order still open at the end: guard-2 sell 10 TEST (stop"));
}

// The entry's cancels are refused; the target's cancel races a fill of 4, which makes the kernel
// review the strategy's orders again before any heartbeat. That review does not ask the refused
// cancel again (it waits for the heartbeats): four requests in all, not one more per fill.
TEST(RunTest, AStoppedStrategysRefusedCancelWaitsForTheHeartbeatNotTheNextFill) {
  auto r = run_guard_on_flaky(
      "run_fault_refused_cancel_and_fill",
      "cancel_fills_part = 4\nrefuse_cancels = true\nrefuse_cancels_of = \"guard-3\"\n",
      "add_entry = true\nadd_target = true\n");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  ASSERT_THAT(r.err, HasSubstr("protected_position_strategy: target placed"));
  // The fill happened: the stop of 10 now exceeds the 6 held.
  ASSERT_THAT(r.err, HasSubstr("guard: guard-2 sells 10 TEST while the position is 6"));
  // The review the fill caused comes before the first heartbeat, which ends the target's cancel
  // (both lines written on the kernel thread; alerts are written by the notifier's): up to there,
  // one request only.
  const auto first_heartbeat = r.err.find("fixture: pending cancel of guard-4 ends");
  ASSERT_NE(first_heartbeat, std::string::npos) << r.err;
  EXPECT_EQ(
      count_of(r.err.substr(0, first_heartbeat), "could not cancel guard-3 of stopped strategy"),
      1u)
      << r.err;
  EXPECT_EQ(
      count_of(r.err, "could not cancel guard-3 of stopped strategy guard: fixture: cancel #"), 4u)
      << r.err;
  EXPECT_EQ(count_of(r.err, "[CRITICAL] Orders of a stopped strategy still working"), 1u);
  EXPECT_THAT(r.err, HasSubstr("guard: guard-3 (4 cancel requests) could add"));
  EXPECT_THAT(r.err, Not(HasSubstr("order still open at the end: guard-4")));
}

// Two stops of 5 (the second sent after the first, as a strategy replacing its stop would) and a
// target of 10 whose cancel lets 5 fill: either stop alone fits the 5 left. The newer is kept,
// the strategy's last word; the older is cancelled.
TEST(RunTest, AStoppedStrategyKeepsTheNewerOfTwoEqualStops) {
  auto r = run_guard_on_flaky("run_fault_equal_stops", "cancel_fills_part = 5\n",
                              "add_target = true\nsecond_stop = 5\n");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  ASSERT_THAT(r.err, HasSubstr("protected_position_strategy: second stop placed"));
  ASSERT_THAT(r.err, HasSubstr("protected_position_strategy: target placed"));
  EXPECT_THAT(r.err, HasSubstr("strategy guard stopped; cancel asked of 1 order(s) that could add "
                               "to its positions or take them past flat (guard-2)"));
  EXPECT_THAT(r.err, Not(HasSubstr("exceeds its position")));
  EXPECT_EQ(count_of(r.err, "order still open at the end: guard-"), 1u) << r.err;
  EXPECT_THAT(r.err, HasSubstr("order still open at the end: guard-3 sell 5 TEST (stop"));
}

TEST(RunTest, AHaltSurvivesARestartUntilAnOperatorResumes) {
  Workspace ws("run_risk_persist", "", "", risk_table_with("max_drawdown_pct", "\"0.5\""));
  const std::string config = (ws.dir / "mercurio.toml").string();
  auto first = ws.run({"--mode", "paper"});
  ASSERT_EQ(first.exit_code, 0) << first.err;
  ASSERT_THAT(first.err, HasSubstr("trading state ACTIVE -> HALTED"));

  auto status = mercurio_cmd({"status", "--config", config}, ws.dir);
  EXPECT_EQ(status.exit_code, 0) << status.err;
  EXPECT_THAT(status.out, HasSubstr("trading state   HALTED (drawdown"));

  // A restart (a new process) comes up HALTED: every order is denied.
  auto second = ws.run({"--mode", "paper"});
  ASSERT_EQ(second.exit_code, 0) << second.err;
  EXPECT_THAT(second.err, HasSubstr("restored trading state HALTED"));
  EXPECT_EQ(summary_value(second.out, "fills"), "0");
  EXPECT_NE(summary_value(second.out, "orders denied"), "0");

  // Backtests replay history and neither read nor change the deployment's state.
  auto backtest = ws.run({"--out", (ws.dir / "bt").string()});
  ASSERT_EQ(backtest.exit_code, 0) << backtest.err;
  EXPECT_NE(summary_value(backtest.out, "fills"), "0");

  // Leaving HALTED is an explicit, audited operator action.
  auto bad = mercurio_cmd({"resume", "--config", config, "--by", "alice"}, ws.dir);
  EXPECT_EQ(bad.exit_code, 2);  // --reason is required
  auto resume = mercurio_cmd({"resume", "--config", config, "--by", "alice", "--reason", "reviewed the drawdown"}, ws.dir);
  ASSERT_EQ(resume.exit_code, 0) << resume.err;
  auto third = ws.run({"--mode", "paper"});
  ASSERT_EQ(third.exit_code, 0) << third.err;
  EXPECT_THAT(third.err, HasSubstr("trading state HALTED -> ACTIVE: operator alice: reviewed the drawdown"));
  EXPECT_NE(summary_value(third.out, "fills"), "0");
  const std::string audit = read_file(ws.dir / "state" / "audit.log");
  EXPECT_THAT(audit, HasSubstr("action=resume by=alice reason=\"reviewed the drawdown\" result=\"done\""));
}

TEST(RunTest, ACorruptSavedStateRefusesToStart) {
  Workspace ws("run_risk_corrupt");
  std::filesystem::create_directories(ws.dir / "state");
  std::ofstream(ws.dir / "state" / "risk_state.toml") << "state = \"HALTED\"\nreason = [unterminated\n";
  auto r = ws.run({"--mode", "paper"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("risk_state.toml:2: the saved trading state is corrupt"));
  EXPECT_THAT(r.err, HasSubstr("[CRITICAL] Mercurio run aborted"));
}

// Without a journal a run knows none of the positions and orders of the run before it: a flatten
// or an emergency procedure saved in progress cannot go on (the book would read flat at once). It
// is alerted instead, and not kept for the next start.
TEST(RunTest, WithoutAJournalAProcedureInProgressAtTheStopIsAlertedNotTakenUp) {
  Workspace ws("run_procedures_without_journal");
  std::filesystem::create_directories(ws.dir / "state");
  std::ofstream(ws.dir / "state" / "risk_state.toml")
      << "state = 'HALTED'\nreason = 'drawdown'\nsince_ns = 0\nday = 0\nday_start_equity = "
         "'50000'\n"
         "peak_equity = '50000'\nreducing_for_daily_loss = false\n"
         "[flattening_strategies]\nma = 'drawdown 12 %'\n[pending_emergencies]\npaper = "
         "'flatten'\n";
  auto r = ws.run({"--mode", "paper"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.err, HasSubstr("[CRITICAL] Flatten not resumed"));
  EXPECT_THAT(r.err,
              HasSubstr("the flatten of strategy ma (drawdown 12 %) was in progress at the stop"));
  EXPECT_THAT(r.err, HasSubstr("[CRITICAL] Emergency procedure not resumed"));
  EXPECT_THAT(r.err, Not(HasSubstr("is flat")));
  auto status = mercurio_cmd({"status", "--config", (ws.dir / "mercurio.toml").string()}, ws.dir);
  EXPECT_THAT(status.out, HasSubstr("trading state   HALTED (drawdown)"));
  EXPECT_THAT(status.out, Not(HasSubstr("flattening")));
  EXPECT_THAT(status.out, Not(HasSubstr("emergency ")));
}

TEST(RunTest, AnUnreachableBrokerHaltsTradingAndTheEmergencyProcedureRunsOnceItAnswers) {
  const auto dir = scratch_dir("run_failsafe");
  // account() call 1 is the start-up query; calls 2-4 (the first three heartbeats) fail.
  std::ofstream(dir / "mercurio.toml") << "[kernel]\nmode = \"paper\"\noutput_dir = \"out\"\nplugin_dirs = [\""
                                       << fixture_plugin_dir().string()
                                       << "\"]\n[failsafe]\nheartbeat_interval_ms = 50\nmax_failures = 3\nemergency_action = \"cancel\"\n"
                                          "[[plugin]]\nid = \"flaky\"\nlibrary = \"fixture_flaky_broker\"\n[plugin.config]\n"
                                          "bars = 100\ninterval_ms = 10\nfail_from_call = 2\nfail_until_call = 5\n"
                                          "[[plugin]]\nid = \"buyer\"\nlibrary = \"fixture_good_strategy\"\n"
                                          "[[plugin]]\nid = \"log\"\nlibrary = \"mercurio_notifier_log\"\n"
                                       << kGenerousRiskTable;
  auto r = run_process({mercurio_exe().string(), "run", "--config", (dir / "mercurio.toml").string()}, dir);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.err, HasSubstr("heartbeat to broker flaky failed (1 of 3): fixture: connection refused"));
  EXPECT_THAT(r.err, HasSubstr("trading state ACTIVE -> HALTED: broker flaky missed 3 heartbeats"));
  EXPECT_THAT(r.err, HasSubstr("[CRITICAL] Broker unreachable: flaky"));
  // Once it answers, the open order is canceled and the broker confirms it has none left.
  EXPECT_THAT(r.err, HasSubstr("emergency procedure at broker flaky confirmed"));
  EXPECT_EQ(summary_value(r.out, "open orders at end"), "0");
  EXPECT_EQ(summary_value(r.out, "orders submitted"), "1");
  auto status = run_process({mercurio_exe().string(), "status", "--config", (dir / "mercurio.toml").string()}, dir);
  EXPECT_THAT(status.out, HasSubstr("trading state   HALTED (broker flaky missed 3 heartbeats"));
}

TEST(RunTest, AnOrderStatusTheBrokerCannotInterpretMovesToReducingAndAlerts) {
  const auto dir = scratch_dir("run_anomaly");
  std::ofstream(dir / "mercurio.toml") << "[kernel]\nmode = \"paper\"\noutput_dir = \"out\"\nplugin_dirs = [\""
                                       << fixture_plugin_dir().string()
                                       << "\"]\n[[plugin]]\nid = \"flaky\"\nlibrary = \"fixture_flaky_broker\"\n[plugin.config]\n"
                                          "bars = 10\ninterval_ms = 1\nanomaly_after_bar = 5\n"
                                          "[[plugin]]\nid = \"buyer\"\nlibrary = \"fixture_good_strategy\"\n"
                                          "[[plugin]]\nid = \"log\"\nlibrary = \"mercurio_notifier_log\"\n"
                                       << kGenerousRiskTable;
  auto r = run_process({mercurio_exe().string(), "run", "--config", (dir / "mercurio.toml").string()}, dir);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.err, HasSubstr("trading state ACTIVE -> REDUCING: broker flaky reported what it cannot interpret for TEST: "
                               "order status \"held_for_review\" is not one this plugin knows"));
  auto status = run_process({mercurio_exe().string(), "status", "--config", (dir / "mercurio.toml").string()}, dir);
  EXPECT_THAT(status.out, HasSubstr("trading state   REDUCING (broker flaky reported"));
}

// Paper mode with [kernel] warmup_minutes on the fixture broker: minute bars of history, then 15
// streamed bars (`broker` sets how many history bars, their closes and the streamed close).
// The strategy is an SMA(3)/SMA(10) crossover: it needs 10 bars, and a cross is from strictly
// below to strictly above (or back).
ProcessResult run_with_warmup(const std::string& name, int warmup_minutes, const std::string& broker) {
  const auto dir = scratch_dir(name);
  std::ofstream(dir / "mercurio.toml") << "[kernel]\nmode = \"paper\"\noutput_dir = \"out\"\nwarmup_minutes = " << warmup_minutes
                                       << "\nplugin_dirs = [\"" << fixture_plugin_dir().string()
                                       << "\"]\n[[plugin]]\nid = \"flaky\"\nlibrary = \"fixture_flaky_broker\"\n[plugin.config]\n"
                                          "bars = 15\ninterval_ms = 1\n" << broker
                                       << "[[plugin]]\nid = \"ma\"\nlibrary = \"mercurio_strategy_moving_average\"\n[plugin.config]\n"
                                          "symbols = [\"TEST\"]\nshort_window = 3\nlong_window = 10\nsizing = \"fixed\"\nquantity = \"1\"\n"
                                       << kGenerousRiskTable;
  return run_process({mercurio_exe().string(), "run", "--config", (dir / "mercurio.toml").string()}, dir);
}

TEST(RunTest, WarmUpOnHistoryLetsTheFirstLiveBarTrade) {
  // History 110 then 100 leaves the short average below the long one; the first live bar at 130
  // crosses it (SMA3 110 > SMA10 106).
  const std::string broker = "history_bars = 12\nhistory_closes = [\"110\", \"100\"]\nlive_close = 130\n";
  auto warm = run_with_warmup("run_warmup", 60, broker);
  ASSERT_EQ(warm.exit_code, 0) << warm.err;
  EXPECT_EQ(summary_value(warm.out, "warm-up bars"), "12 (0 orders refused on them)");
  EXPECT_THAT(warm.err, HasSubstr("fixture submit #1 of ma-1"));
  EXPECT_EQ(summary_value(warm.out, "orders submitted"), "1");
  EXPECT_EQ(summary_value(warm.out, "bars"), "15") << "warm-up bars are not counted as traded bars";
  // Cold, the same live bars never cross: both averages fill up at 130.
  auto cold = run_with_warmup("run_no_warmup", 0, broker);
  ASSERT_EQ(cold.exit_code, 0) << cold.err;
  EXPECT_EQ(summary_value(cold.out, "orders submitted"), "0");
  EXPECT_THAT(cold.out, Not(HasSubstr("warm-up bars")));
}

TEST(RunTest, AnOrderProposedDuringTheWarmUpIsNeverSent) {
  // The history itself crosses upwards (110, 100, then 130): the strategy proposes a buy on a past
  // bar. It is refused; the live bars (130) do not cross again, so nothing reaches the broker.
  auto r = run_with_warmup("run_warmup_refused", 60,
                           "history_bars = 18\nhistory_closes = [\"110\", \"100\", \"130\"]\nlive_close = 130\n");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(summary_value(r.out, "warm-up bars"), "18 (1 orders refused on them)");
  EXPECT_THAT(r.err, HasSubstr("not sent: warm-up on history"));
  EXPECT_THAT(r.err, Not(HasSubstr("fixture submit")));
  EXPECT_EQ(summary_value(r.out, "orders submitted"), "0");
}

TEST(RunTest, TheWarmUpReplaysOnlyItsWindowAndMissingHistoryIsOnlyAWarning) {
  // 30 minutes back, with 40 bars a minute apart on offer: only the last 30 are replayed.
  auto r = run_with_warmup("run_warmup_short", 30, "history_bars = 40\n");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(summary_value(r.out, "warm-up bars"), "30 (0 orders refused on them)");
  // A venue without history: cold indicators are no danger, so the run goes on after a warning.
  auto none = run_with_warmup("run_warmup_none", 30, "history_bars = 0\n");
  ASSERT_EQ(none.exit_code, 0) << none.err;
  EXPECT_THAT(none.err, HasSubstr("no warm-up for TEST from flaky: fixture: no history"));
  EXPECT_EQ(summary_value(none.out, "bars"), "15");
}

TEST(RunTest, StaleMarketDataDuringMarketHoursMovesToReducingUntilBarsReturn) {
  const auto dir = scratch_dir("run_stale_data");
  // A 24/7 venue (always open); the feed pauses 1.5 s after 20 bars, the limit is 300 ms.
  std::ofstream(dir / "mercurio.toml") << "[kernel]\nmode = \"paper\"\noutput_dir = \"out\"\nplugin_dirs = [\""
                                       << fixture_plugin_dir().string()
                                       << "\"]\n[failsafe]\nheartbeat_interval_ms = 50\nmax_data_gap_ms = 300\n"
                                          "[[plugin]]\nid = \"flaky\"\nlibrary = \"fixture_flaky_broker\"\n[plugin.config]\n"
                                          "bars = 200\ninterval_ms = 2\npause_after_bar = 20\npause_ms = 1500\n"
                                          "[plugin.risk]\ncalendar = \"24/7\"\n"
                                          "[[plugin]]\nid = \"buyer\"\nlibrary = \"fixture_good_strategy\"\n"
                                       << kGenerousRiskTable;
  auto r = run_process({mercurio_exe().string(), "run", "--config", (dir / "mercurio.toml").string()}, dir);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.err, HasSubstr("trading state ACTIVE -> REDUCING: stale market data: no bar of TEST from flaky for over 300 ms"));
  EXPECT_THAT(r.err, HasSubstr("trading state REDUCING -> ACTIVE: market data is fresh again"));
}

namespace {
// A paper run of the fixture buyer on fixture_flaky_broker, 10 bars 1 ms apart; `broker` and
// `buyer` are more config of each.
ProcessResult run_buyer_on_flaky(const std::string& name, const std::string& broker,
                                 const std::string& buyer = "",
                                 const std::string& risk = kGenerousRiskTable) {
  const auto dir = scratch_dir(name);
  std::ofstream(dir / "mercurio.toml")
      << "[kernel]\nmode = \"paper\"\noutput_dir = \"out\"\nplugin_dirs = [\""
      << fixture_plugin_dir().string()
      << "\"]\n[[plugin]]\nid = \"flaky\"\nlibrary = \"fixture_flaky_broker\"\n[plugin.config]\n"
         "bars = 10\ninterval_ms = 1\n"
      << broker
      << "[[plugin]]\nid = \"buyer\"\nlibrary = \"fixture_good_strategy\"\n[plugin.config]\n"
      << buyer << risk;
  return run_process({mercurio_exe().string(), "run", "--config", (dir / "mercurio.toml").string()},
                     dir);
}
}  // namespace

// A live bar stamped a day ahead of the clock (a plugin reading local time as UTC, a corrupt row)
// is refused: accepted, it made every true bar after it look stale (and moved the breakers' day
// and the equity rows ahead).
TEST(RunTest, ALiveBarStampedAheadOfTheClockIsRefused) {
  auto r = run_buyer_on_flaky("run_future_bar", "future_bar = 3\n");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.err, HasSubstr("refused a bar of TEST from flaky at "));
  EXPECT_THAT(r.err, HasSubstr(": ahead of the clock ("));
  EXPECT_THAT(r.err, HasSubstr("1 bar(s) stamped ahead of the clock were refused"));
  EXPECT_THAT(r.err, Not(HasSubstr("refused a stale bar")));
  EXPECT_EQ(summary_value(r.out, "bars"), "9") << r.err;
}

// A live bar with an impossible price (a close of 0: a bad print) is refused: marked at it, the
// strategy's position would lose its whole value, and the drawdown breaker (0.5 % here, with
// drawdown_action = "flatten") would flatten on one bad print.
TEST(RunTest, ALiveBarWithAnImpossiblePriceIsRefused) {
  auto r = run_buyer_on_flaky("run_bad_bar", "bad_bar = 5\nfill_at = 100\n", "quantity = 100\n",
                              flattening_risk_table("0.5"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.err, HasSubstr("refused a bar of TEST from flaky at "));
  EXPECT_THAT(r.err, HasSubstr(": a low of 0 (prices are positive)"));
  EXPECT_THAT(r.err, HasSubstr("1 bar(s) with impossible prices were refused"));
  EXPECT_THAT(r.err, Not(HasSubstr("HALTED")));
  EXPECT_EQ(summary_value(r.out, "bars"), "9") << r.err;
  EXPECT_EQ(summary_value(r.out, "fills"), "1") << r.err;  // the buy; no flatten
}

// The feed pauses (REDUCING for stale data), then, just before its first bar back, the broker
// reports an order status it cannot interpret: the REDUCING is held for an operator, not ended by
// the fresh data (it used to end: the anomaly was only alerted, and trading went on on a book it
// may not match).
TEST(RunTest, AnAnomalyDuringAStaleDataReducingHoldsItForAnOperator) {
  const auto dir = scratch_dir("run_stale_data_anomaly");
  std::ofstream(dir / "mercurio.toml")
      << "[kernel]\nmode = \"paper\"\noutput_dir = \"out\"\nplugin_dirs = [\""
      << fixture_plugin_dir().string()
      << "\"]\n[failsafe]\nheartbeat_interval_ms = 50\nmax_data_gap_ms = 300\n"
         "[[plugin]]\nid = \"flaky\"\nlibrary = \"fixture_flaky_broker\"\n[plugin.config]\n"
         "bars = 100\ninterval_ms = 2\npause_after_bar = 20\npause_ms = 2000\n"
         "anomaly_after_bar = 20\n[plugin.risk]\ncalendar = \"24/7\"\n"
         "[[plugin]]\nid = \"buyer\"\nlibrary = \"fixture_good_strategy\"\n"
      << kGenerousRiskTable;
  auto r = run_process(
      {mercurio_exe().string(), "run", "--config", (dir / "mercurio.toml").string()}, dir);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  ASSERT_THAT(r.err, HasSubstr("trading state ACTIVE -> REDUCING: stale market data"));
  EXPECT_THAT(r.err, HasSubstr("trading state REDUCING -> REDUCING: broker flaky reported what it "
                               "cannot interpret for TEST"));
  EXPECT_THAT(r.err, HasSubstr("is not one this plugin knows; held for an operator"));
  EXPECT_THAT(r.err, Not(HasSubstr("market data is fresh again")));
  auto status = run_process(
      {mercurio_exe().string(), "status", "--config", (dir / "mercurio.toml").string()}, dir);
  EXPECT_THAT(status.out, HasSubstr("trading state   REDUCING (broker flaky reported"));
}

// A REDUCING that stale data caused, saved before a stop, ends once bars flow after the restart
// (it used to stay: only the process that entered it could end it).
TEST(RunTest, AStaleDataReducingSavedBeforeARestartEndsWhenBarsFlow) {
  const auto dir = scratch_dir("run_stale_data_restart");
  std::ofstream(dir / "mercurio.toml")
      << "[kernel]\nmode = \"paper\"\noutput_dir = \"out\"\nplugin_dirs = [\""
      << fixture_plugin_dir().string()
      << "\"]\n[failsafe]\nheartbeat_interval_ms = 50\nmax_data_gap_ms = 300\n"
         "[[plugin]]\nid = \"flaky\"\nlibrary = \"fixture_flaky_broker\"\n[plugin.config]\n"
         "bars = 100\ninterval_ms = 2\n"
         "[plugin.risk]\ncalendar = \"24/7\"\n"
         "[[plugin]]\nid = \"buyer\"\nlibrary = \"fixture_good_strategy\"\n"
      << kGenerousRiskTable;
  const std::vector<std::string> run{mercurio_exe().string(), "run", "--config",
                                     (dir / "mercurio.toml").string()};
  ASSERT_EQ(run_process(run, dir).exit_code, 0);
  // The state a stop in the middle of a data outage leaves.
  rewrite_saved_state(dir / "state", "REDUCING",
                      "stale market data: no bar of TEST from flaky for over 300 ms while the "
                      "market is open");
  auto r = run_process(run, dir);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.err, HasSubstr("restored trading state REDUCING (stale market data"));
  EXPECT_THAT(r.err, HasSubstr("trading state REDUCING -> ACTIVE: market data is fresh again"));
}

TEST(RunTest, OperatorCommandsCanBeScopedToOneStrategy) {
  Workspace ws("run_operator_scope", "",
               "[[plugin]]\nid = \"buyer\"\nlibrary = \"fixture_good_strategy\"\n[plugin.config]\nsymbol = \"AAA\"\n");
  const std::string config = (ws.dir / "mercurio.toml").string();
  auto both = mercurio_cmd({"halt", "--config", config, "--strategy", "ma", "--broker", "paper", "--reason", "x"}, ws.dir);
  EXPECT_EQ(both.exit_code, 2);
  // An empty scope (a script's unset variable) is refused: it used to mean the whole deployment,
  // a flatten of everything.
  for (const char* scope : {"--strategy", "--broker"}) {
    auto empty = mercurio_cmd({"flatten", "--config", config, scope, "", "--reason", "x"}, ws.dir);
    EXPECT_EQ(empty.exit_code, 2) << scope;
    EXPECT_THAT(empty.err, HasSubstr(std::string(scope) + " is empty")) << scope;
  }
  EXPECT_TRUE(!std::filesystem::exists(ws.dir / "state" / "commands") ||
              std::filesystem::is_empty(ws.dir / "state" / "commands"));
  auto halt = mercurio_cmd({"halt", "--config", config, "--strategy", "ma", "--by", "bob", "--reason", "bad fills"}, ws.dir);
  ASSERT_EQ(halt.exit_code, 0) << halt.err;
  auto r = ws.run({"--mode", "paper"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  // Only the other strategy traded: its single order; the held one sent nothing.
  EXPECT_EQ(summary_value(r.out, "orders submitted"), "1");
  for (const auto& t : read_csv_rows(ws.dir / "out" / "trades.csv")) EXPECT_EQ(t[7], "buyer");
  EXPECT_THAT(read_file(ws.dir / "state" / "audit.log"), HasSubstr("action=halt by=bob strategy=ma reason=\"bad fills\" result=\"done\""));
  auto status = mercurio_cmd({"status", "--config", config}, ws.dir);
  EXPECT_THAT(status.out, HasSubstr("disabled        ma (operator bob: bad fills)"));
  auto resume = mercurio_cmd({"resume", "--config", config, "--strategy", "ma", "--by", "bob", "--reason", "fixed"}, ws.dir);
  ASSERT_EQ(resume.exit_code, 0);
  auto again = ws.run({"--mode", "paper"});
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_NE(summary_value(again.out, "orders submitted"), "1");
}

// A queued command the kernel cannot read (another user's file it may not open, a half-written
// edit) or whose action it does not know may have been a halt: trading is HALTED, not carried on
// (such a command used to be refused with an ERROR alert while trading went on). The CLI writes
// its commands readable by the kernel's user.
TEST(RunTest, AnOperatorCommandTheKernelCannotReadHaltsTrading) {
  Workspace ws("run_operator_invalid", "",
               "[[plugin]]\nid = \"buyer\"\nlibrary = \"fixture_good_strategy\"\n"
               "[plugin.config]\nsymbol = \"AAA\"\n");
  const std::string config = (ws.dir / "mercurio.toml").string();
  const mode_t umask_before = ::umask(022);
  auto halt = mercurio_cmd(
      {"halt", "--config", config, "--strategy", "ma", "--by", "bob", "--reason", "look"}, ws.dir);
  ::umask(umask_before);
  ASSERT_EQ(halt.exit_code, 0) << halt.err;
  const auto commands = ws.dir / "state" / "commands";
  std::size_t queued = 0;
  for (const auto& e : std::filesystem::directory_iterator(commands)) {
    ++queued;
    const auto perms = std::filesystem::status(e.path()).permissions();
    EXPECT_NE(perms & std::filesystem::perms::others_read, std::filesystem::perms::none)
        << e.path() << " is not readable by another user";
    std::filesystem::remove(e.path());
  }
  ASSERT_EQ(queued, 1u);  // the check above looked at the CLI's file
  std::ofstream(commands / "00000000000000000001-00000001.toml") << "action = \"halt\"\nby = ";
  std::ofstream(commands / "00000000000000000002-00000001.toml")
      << "action = \"hlat\"\nby = \"bob\"\nreason = \"typo\"\nstrategy = \"\"\nbroker = "
         "\"\"\nat_ns = 2\n";
  auto r = ws.run({"--mode", "paper"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.err, HasSubstr("trading state ACTIVE -> HALTED: invalid operator command "
                               "00000000000000000001-00000001.toml: "));
  EXPECT_THAT(r.err, HasSubstr("[CRITICAL] Invalid operator command"));
  EXPECT_THAT(r.err, HasSubstr("no such action \"hlat\"; trading is HALTED"));
  EXPECT_EQ(summary_value(r.out, "orders submitted"), "0");
  EXPECT_TRUE(std::filesystem::is_empty(commands));  // audited, off the queue: no loop
  const std::string audit = read_file(ws.dir / "state" / "audit.log");
  EXPECT_THAT(audit, HasSubstr("action=invalid"));
  EXPECT_THAT(audit, HasSubstr("action=hlat by=bob reason=\"typo\" result=\"refused: no such "
                               "action"));
  EXPECT_THAT(mercurio_cmd({"status", "--config", config}, ws.dir).out, HasSubstr("HALTED"));
}

// A command queue the kernel cannot list (its directory removed, replaced or made unreadable
// while it runs) may hold a halt: trading is HALTED with one CRITICAL alert, however often the
// queue is polled. It used to be taken as empty while trading went on.
TEST(RunTest, ACommandQueueTheKernelCannotListHaltsTrading) {
  Workspace ws("run_operator_unlistable", "",
               "[[plugin]]\nid = \"breaker\"\nlibrary = \"fixture_good_strategy\"\n"
               "[plugin.config]\nsymbol = \"AAA\"\nreplace_with_file_on_start = \"QUEUE\"\n");
  const auto commands = ws.dir / "state" / "commands";
  ws.edit_config("\"QUEUE\"", "\"" + commands.string() + "\"");
  auto r = ws.run({"--mode", "paper"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  ASSERT_TRUE(std::filesystem::is_regular_file(commands));  // the fixture did replace it
  const std::string alert = "[CRITICAL] Operator commands unreadable";
  const auto first = r.err.find(alert);
  ASSERT_NE(first, std::string::npos) << r.err;
  EXPECT_EQ(r.err.find(alert, first + 1), std::string::npos) << "alerted more than once";
  EXPECT_THAT(r.err, HasSubstr("trading state ACTIVE -> HALTED: cannot list the operator command "
                               "queue " +
                               commands.string()));
  EXPECT_EQ(summary_value(r.out, "orders submitted"), "0");
  EXPECT_THAT(r.err, HasSubstr("trading is HALTED"));
  const std::string saved = read_file(ws.dir / "state" / "risk_state.toml");
  EXPECT_THAT(saved, HasSubstr("HALTED"));
}

// An operator's command whose effect cannot be saved (the state file cannot be written: here a
// directory stands in its place) stays queued for the next start: taken off the queue, a halt
// was gone after a restart. It is not applied twice in the process.
TEST(RunTest, AnOperatorCommandWhoseEffectCannotBeSavedStaysQueuedForTheNextStart) {
  Workspace ws("run_operator_unsaved", "",
               "[[plugin]]\nid = \"breaker\"\nlibrary = \"fixture_good_strategy\"\n"
               "[plugin.config]\nsymbol = \"AAA\"\n"
               "replace_with_directory_on_start = \"STATE_FILE\"\nqueue_halt_in = \"QUEUE\"\n");
  const auto state_file = ws.dir / "state" / "risk_state.toml";
  const auto commands = ws.dir / "state" / "commands";
  ws.edit_config("\"STATE_FILE\"", "\"" + state_file.string() + "\"");
  ws.edit_config("\"QUEUE\"", "\"" + commands.string() + "\"");
  auto r = ws.run({"--mode", "paper"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  ASSERT_TRUE(std::filesystem::is_directory(state_file));  // the fixture did replace it
  ASSERT_THAT(r.err, HasSubstr("action=halt by=fixture"));
  EXPECT_THAT(r.err, HasSubstr("cannot persist the trading state"));
  const auto first = r.err.find("action=halt by=fixture");
  EXPECT_EQ(r.err.find("action=halt by=fixture", first + 1), std::string::npos) << "applied twice";
  EXPECT_FALSE(std::filesystem::is_empty(commands));  // still queued
  // The state file can be written again; the next start applies the halt.
  std::filesystem::remove(state_file);
  ws.edit_config("\"" + state_file.string() + "\"", "\"\"");
  ws.edit_config("\"" + commands.string() + "\"", "\"\"");
  auto next = ws.run({"--mode", "paper"});
  ASSERT_EQ(next.exit_code, 0) << next.err;
  EXPECT_THAT(next.err, HasSubstr("trading state ACTIVE -> HALTED: operator fixture: queued in "
                                  "on_start"));
  EXPECT_EQ(summary_value(next.out, "orders submitted"), "0");
  EXPECT_TRUE(std::filesystem::is_empty(commands));  // saved this time: off the queue
  EXPECT_THAT(read_file(state_file), HasSubstr("HALTED"));
}

// Once a later save succeeds, such a command leaves the queue: the saved state holds its effect
// (or what came after it), and replayed at a restart it could undo a later decision (a resume
// after a halt).
TEST(RunTest, AnUnsavedOperatorCommandLeavesTheQueueOnceALaterSaveSucceeds) {
  Workspace ws("run_operator_saved_later", "",
               "[[plugin]]\nid = \"breaker\"\nlibrary = \"fixture_good_strategy\"\n"
               "[plugin.config]\nsymbol = \"AAA\"\nrestore_on_bar = 3\n"
               "replace_with_directory_on_start = \"STATE_FILE\"\nqueue_halt_in = \"QUEUE\"\n");
  const auto state_file = ws.dir / "state" / "risk_state.toml";
  const auto commands = ws.dir / "state" / "commands";
  ws.edit_config("\"STATE_FILE\"", "\"" + state_file.string() + "\"");
  ws.edit_config("\"QUEUE\"", "\"" + commands.string() + "\"");
  auto r = ws.run({"--mode", "paper"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  ASSERT_THAT(r.err, HasSubstr("action=halt by=fixture"));
  ASSERT_THAT(r.err, HasSubstr("cannot persist the trading state"));
  EXPECT_TRUE(std::filesystem::is_empty(commands)) << "left queued after a later save";
  EXPECT_THAT(read_file(state_file), HasSubstr("operator fixture: queued in on_start"));
}

// One trading process per state directory: a second would take the first's operator commands and
// overwrite its saved state. Here the test process holds the lock, as a running mercurio would.
TEST(RunTest, ASecondProcessOnTheSameStateDirectoryIsRefused) {
  Workspace ws("run_state_dir_lock", "",
               "[[plugin]]\nid = \"buyer\"\nlibrary = \"fixture_good_strategy\"\n"
               "[plugin.config]\nsymbol = \"AAA\"\n");
  std::filesystem::create_directories(ws.dir / "state");
  const std::string lock_file = (ws.dir / "state" / "lock").string();
  const int fd = ::open(lock_file.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(::flock(fd, LOCK_EX | LOCK_NB), 0);
  const std::string pid = std::to_string(::getpid()) + "\n";
  ASSERT_EQ(::pwrite(fd, pid.data(), pid.size(), 0), static_cast<ssize_t>(pid.size()));
  auto refused = ws.run({"--mode", "paper"});
  EXPECT_NE(refused.exit_code, 0);
  EXPECT_THAT(refused.err, HasSubstr("another mercurio process (pid " + std::to_string(::getpid()) +
                                     ") is trading on state_dir"));
  EXPECT_FALSE(std::filesystem::exists(ws.dir / "state" / "risk_state.toml"));  // nothing written
  ::close(fd);  // the other process ends
  auto r = ws.run({"--mode", "paper"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(read_file(ws.dir / "state" / "lock"), pid);  // its own pid now
}

TEST(RunTest, AnOperatorCommandIsRefusedWhenTheConfigDoesNotReadAsToml) {
  // A half-edited file: its state_dir cannot be known, so the command must not be filed anywhere
  // (a running kernel watching <dir>/state/commands would never see it) and must not claim success.
  Workspace ws("run_operator_bad_toml");
  const std::string config = (ws.dir / "mercurio.toml").string();
  std::ofstream(config, std::ios::app) << "\n[[plugin]\nid = \"half-edited\n";
  const auto cwd = ws.dir / "cwd";
  std::filesystem::create_directories(cwd);
  for (const std::string action : {"halt", "flatten", "status"}) {
    std::vector<std::string> args{mercurio_exe().string(), action, "--config", config};
    if (action != "status") args.insert(args.end(), {"--by", "alice", "--reason", "test"});
    auto r = run_process(args, ws.dir, "cd " + shell_quote(cwd.string()) + " && ");
    EXPECT_EQ(r.exit_code, 2) << action << ": " << r.out << r.err;
    EXPECT_THAT(r.err, HasSubstr("mercurio.toml:")) << action;
    EXPECT_THAT(r.err, HasSubstr("TOML syntax error")) << action;
    EXPECT_THAT(r.out, Not(HasSubstr("queued"))) << action;
  }
  EXPECT_FALSE(std::filesystem::exists(cwd / "commands"));
  EXPECT_FALSE(std::filesystem::exists(ws.dir / "state" / "commands"));
}

TEST(RunTest, ABrokerPluginFaultHaltsTrading) {
  const auto dir = scratch_dir("run_broker_fault");
  std::ofstream(dir / "mercurio.toml") << "[kernel]\nmode = \"paper\"\noutput_dir = \"out\"\nplugin_dirs = [\""
                                       << fixture_plugin_dir().string()
                                       << "\"]\n[[plugin]]\nid = \"flaky\"\nlibrary = \"fixture_flaky_broker\"\n[plugin.config]\n"
                                          "bars = 20\ninterval_ms = 1\nthrow_on_submit = true\n"
                                          "[[plugin]]\nid = \"buyer\"\nlibrary = \"fixture_good_strategy\"\n"
                                       << kGenerousRiskTable;
  auto r = run_process({mercurio_exe().string(), "run", "--config", (dir / "mercurio.toml").string()}, dir);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.err, HasSubstr("plugin flaky faulted in submit: threw: fixture: submit failed on purpose"));
  EXPECT_THAT(r.err, HasSubstr("trading state ACTIVE -> HALTED: broker flaky faulted in submit"));
  EXPECT_THAT(r.err, HasSubstr("Order outcome unknown"));  // never resent: it may have reached the venue
  // The order is on record although the broker threw as it was sent (it is filed after the send):
  // still open at the end, in doubt, and the only order (nothing is sent to a faulted broker).
  EXPECT_THAT(r.err, HasSubstr("order still open at the end: buyer-1 "));
  EXPECT_THAT(r.out, HasSubstr("open orders at end     1\n"));
  EXPECT_THAT(r.out, HasSubstr("orders submitted       1\n"));
}

TEST(RunTest, ATrippedBreakerIsStillTrippedAfterKill9AndRestart) {
  Workspace ws("run_risk_kill9", "", "", risk_table_with("max_drawdown_pct", "\"0.5\""));
  // Slow the paper replay so the process is still running when the breaker trips.
  ws.edit_config("slippage_bps = \"5\"\n", "slippage_bps = \"5\"\nreplay_interval_ms = 5\n");
  const std::string config = (ws.dir / "mercurio.toml").string();
  const std::string cmd = shell_quote(mercurio_exe().string()) + " run --mode paper --config " + shell_quote(config) +
                          " >/dev/null 2>" + shell_quote((ws.dir / "first.err").string()) + " & echo $! > " +
                          shell_quote((ws.dir / "pid").string());
  ASSERT_EQ(std::system(cmd.c_str()), 0);
  // Wait (bounded) until the saved state says HALTED, then kill the process without warning.
  bool halted = false;
  for (int i = 0; i < 600 && !halted; ++i) {
    halted = read_file(ws.dir / "state" / "risk_state.toml").find("state = 'HALTED'") != std::string::npos ||
             read_file(ws.dir / "state" / "risk_state.toml").find("state = \"HALTED\"") != std::string::npos;
    if (!halted) std::system("sleep 0.05");
  }
  const std::string pid = read_file(ws.dir / "pid");
  std::system(("kill -9 " + pid + " 2>/dev/null; true").c_str());
  ASSERT_TRUE(halted) << read_file(ws.dir / "first.err");
  auto restarted = ws.run({"--mode", "paper"});
  ASSERT_EQ(restarted.exit_code, 0) << restarted.err;
  EXPECT_THAT(restarted.err, HasSubstr("restored trading state HALTED"));
  EXPECT_EQ(summary_value(restarted.out, "fills"), "0");
}

namespace {
// A paper broker on `data` (a TOML inline table of symbol = file) and fixture_resting_strategy
// instances (see resting_strategy()), with limits no order reaches.
std::string resting_config(const std::string& data, const std::string& strategies) {
  return "[kernel]\noutput_dir = \"out\"\nplugin_dirs = [\"" + fixture_plugin_dir().string() + "\"]\n" +
         "[[plugin]]\nid = \"paper\"\nlibrary = \"mercurio_broker_paper\"\n[plugin.config]\n" +
         "starting_cash = \"100000\"\ndata = " + data + "\n" + strategies + kGenerousRiskTable;
}
std::string resting_strategy(const std::string& id, const std::string& symbol, int quantity, const std::string& order_symbol = "") {
  return "[[plugin]]\nid = \"" + id + "\"\nlibrary = \"fixture_resting_strategy\"\n[plugin.config]\nsymbol = \"" + symbol +
         "\"\nquantity = " + std::to_string(quantity) + "\n" +
         (order_symbol.empty() ? std::string() : "order_symbol = \"" + order_symbol + "\"\n");
}
// What the resting strategy of `quantity` logged after each of its bars, in order:
// "resting_strategy: quantity <q>, bar <k>, open orders <n>".
struct RestingLine {
  int bar;
  int open;
  std::string line;
};
std::vector<RestingLine> resting_lines(const std::string& log, int quantity) {
  const std::string prefix = "resting_strategy: quantity " + std::to_string(quantity) + ", bar ";
  std::vector<RestingLine> out;
  std::istringstream lines(log);
  for (std::string line; std::getline(lines, line);) {
    const auto at = line.find(prefix);
    if (at == std::string::npos) continue;
    const std::string rest = line.substr(at + prefix.size());
    out.push_back({std::stoi(rest), std::stoi(rest.substr(rest.find("open orders ") + 12)), line});
  }
  return out;
}
}  // namespace

// Two strategies on one broker ordering one symbol: the kernel counts each order in its own
// strategy's open orders (through the entries it binds per strategy at the symbol's first bar).
// Each strategy leaves a resting buy limit on every bar, so after bar k its own view must report
// exactly k open orders - not the other strategy's too, and not none.
TEST(RunTest, TwoStrategiesOnOneBrokerEachSeeOnlyTheirOwnOpenOrders) {
  constexpr int kBars = 12;
  const auto dir = scratch_dir("run_two_strategies_open_orders");
  const std::string bars = std::to_string(kBars), data = (dir / "data" / "AAA.csv").string();
  ASSERT_EQ(mercurio_cmd({"generate-bars", "--symbol", "AAA", "--seed", "5", "--bars", bars, "--out", data}, dir).exit_code, 0);
  std::ofstream(dir / "mercurio.toml") << resting_config("{ AAA = \"" + data + "\" }",
                                                         resting_strategy("one", "AAA", 1) + resting_strategy("two", "AAA", 2));
  auto r = run_process({mercurio_exe().string(), "run", "--config", (dir / "mercurio.toml").string()}, dir);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(summary_value(r.out, "orders submitted"), std::to_string(2 * kBars));
  EXPECT_EQ(summary_value(r.out, "open orders at end"), std::to_string(2 * kBars));
  for (const int quantity : {1, 2}) {
    const auto lines = resting_lines(r.err, quantity);
    for (const RestingLine& l : lines) EXPECT_EQ(l.open, l.bar) << "strategy with quantity " << quantity << ": " << l.line;
    EXPECT_EQ(lines.size(), static_cast<std::size_t>(kBars)) << "strategy with quantity " << quantity;
  }
}

// A strategy ordering another symbol than the bar it handles: the order is checked and counted
// in the symbol it names. ("one" handles AAA's bars and orders BBB; "two" subscribes BBB, so BBB
// has bars here, each just after AAA's of the same time. Both files come from one seed, so one's
// limit at 60 % of AAA's close is as far from BBB's price.) The kernel takes the feed of the bar
// at hand without a lookup only when the order is in that bar's symbol: taken for AAA's here, the
// order would be counted in AAA and "one" would see no open order in BBB.
TEST(RunTest, AnOrderInASymbolOtherThanTheBarsIsCountedInThatSymbol) {
  constexpr int kBars = 12;
  const auto dir = scratch_dir("run_order_other_symbol");
  for (const std::string sym : {"AAA", "BBB"}) {
    auto r = mercurio_cmd({"generate-bars", "--symbol", sym, "--seed", "5", "--bars", std::to_string(kBars), "--out",
                           (dir / "data" / (sym + ".csv")).string()},
                          dir);
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }
  std::ofstream(dir / "mercurio.toml") << resting_config("{ AAA = \"data/AAA.csv\", BBB = \"data/BBB.csv\" }",
                                                         resting_strategy("one", "AAA", 1, "BBB") + resting_strategy("two", "BBB", 2));
  auto r = run_process({mercurio_exe().string(), "run", "--config", (dir / "mercurio.toml").string()}, dir);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  // At AAA's first bar BBB has no price yet: that one order is denied (no reference price).
  EXPECT_EQ(summary_value(r.out, "orders submitted"), std::to_string(2 * kBars - 1));
  EXPECT_EQ(summary_value(r.out, "open orders at end"), std::to_string(2 * kBars - 1));
  EXPECT_NE(r.err.find("NO_REFERENCE_PRICE"), std::string::npos) << r.err;
  for (const int quantity : {1, 2}) {
    const auto lines = resting_lines(r.err, quantity);
    for (const RestingLine& l : lines)
      EXPECT_EQ(l.open, quantity == 1 ? l.bar - 1 : l.bar) << "strategy with quantity " << quantity << ": " << l.line;
    EXPECT_EQ(lines.size(), static_cast<std::size_t>(kBars)) << "strategy with quantity " << quantity;
  }
}
