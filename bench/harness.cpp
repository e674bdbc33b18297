// mercurio_bench: the whole-process benchmark harness of issue 6 (run it through scripts/bench.sh).
//
// It generates the data sets (once), runs the hand-written reference loop and the real
// `mercurio run` on the same files several times each (every process started fresh; wall time
// and peak RSS from wait4()), checks that Mercurio's fills are identical to the reference loop's
// and that the reference loop agrees with the slow, obvious computation, runs the Google Benchmark
// programs and the start-up measurements, and prints one table of figures, targets and ratios.
// Figures only: nothing here passes or fails on time (the exit status is non-zero only when a
// result MISMATCHES or a program fails to run).
//
// Usage: mercurio_bench [--work DIR] [--runs N] [--order-bars N] [--quick] [--journal-table TOML]
//   --work DIR          data and outputs (default: var/bench under the current directory)
//   --runs N            repetitions of every whole-process measurement, the order path
//                       included (default 5)
//   --order-bars N      orders in each order-path run (default 1,000,000)
//   --quick             smaller data sets (100,000 daily bars, 1 minute symbol): a smoke test
//   --journal-table T   TOML text appended to the backtest configuration for the "journal on"
//                       variant (default: a [journal] table with a path in the work directory;
//                       "" skips the variant)

#include <sys/resource.h>
#include <sys/wait.h>
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "mercurio/sdk/decimal.hpp"
#include "mercurio/sdk/time.hpp"

namespace fs = std::filesystem;

namespace {

struct ProcessResult {
  int exit_code = -1;
  double wall_s = 0;
  double max_rss_mb = 0;
  std::string out, err;
};

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// Starts `args` with stdout/stderr to files, waits with wait4(): wall time and the child's peak RSS.
ProcessResult run(const std::vector<std::string>& args, const fs::path& scratch) {
  const fs::path out = scratch / "stdout.txt", err = scratch / "stderr.txt";
  std::vector<char*> argv;
  for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  const auto t0 = std::chrono::steady_clock::now();
  const pid_t pid = fork();
  if (pid == 0) {
    const int o = ::open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    const int e = ::open(err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (o < 0 || e < 0) _exit(127);
    dup2(o, 1);
    dup2(e, 2);
    execv(argv[0], argv.data());
    _exit(127);
  }
  ProcessResult r;
  int status = 0;
  rusage usage{};
  if (pid < 0 || wait4(pid, &status, 0, &usage) < 0) return r;
  r.wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  r.max_rss_mb = static_cast<double>(usage.ru_maxrss) / 1024.0;  // Linux: kilobytes
  r.out = slurp(out);
  r.err = slurp(err);
  return r;
}

std::map<std::string, std::string> key_values(const std::string& text) {
  std::map<std::string, std::string> kv;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line))
    if (auto eq = line.find('='); eq != std::string::npos) kv[line.substr(0, eq)] = line.substr(eq + 1);
  return kv;
}

// The value after `label` in mercurio's run summary, e.g. "  replay time            0.123 s".
std::string summary_value(const std::string& out, const std::string& label) {
  std::istringstream in(out);
  std::string line;
  while (std::getline(in, line)) {
    const auto start = line.find_first_not_of(' ');
    if (start == std::string::npos || line.compare(start, label.size(), label) != 0) continue;
    const auto value = line.find_first_not_of(' ', start + label.size());
    if (value != std::string::npos && value > start + label.size()) return line.substr(value);
  }
  return {};
}
double number(const std::string& s) { return s.empty() ? 0.0 : std::strtod(s.c_str(), nullptr); }

struct Stats {
  std::vector<double> v;
  void add(double x) { v.push_back(x); }
  double best() const { return v.empty() ? 0 : *std::min_element(v.begin(), v.end()); }
  double worst() const { return v.empty() ? 0 : *std::max_element(v.begin(), v.end()); }
  double median() const {
    if (v.empty()) return 0;
    auto c = v;
    std::sort(c.begin(), c.end());
    return c.size() % 2 ? c[c.size() / 2] : (c[c.size() / 2 - 1] + c[c.size() / 2]) / 2;
  }
};

// ---------------------------------------------------------------- the table

struct Row {
  std::string section, figure, mercurio, reference, ratio, target, verdict;
};
std::vector<Row> rows;
bool any_mismatch = false;

std::string fmt(const char* f, double x) {
  char b[64];
  std::snprintf(b, sizeof b, f, x);
  return b;
}
std::string verdict(bool valid, bool met) { return !valid ? "INVALID" : met ? "met" : "MISSED"; }

void print_table(const std::string& header) {
  std::size_t w[6] = {6, 8, 9, 5, 6, 7};
  for (const auto& r : rows) {
    const std::string* c[6] = {&r.figure, &r.mercurio, &r.reference, &r.ratio, &r.target, &r.verdict};
    for (int i = 0; i < 6; ++i) w[i] = std::max(w[i], c[i]->size());
  }
  std::printf("\n%s\n", header.c_str());
  auto line = [&](const std::string* c[6]) {
    std::printf("|");
    for (int i = 0; i < 6; ++i) std::printf(" %-*s |", static_cast<int>(w[i]), c[i]->c_str());
    std::printf("\n");
  };
  const std::string h[6] = {"figure", "mercurio", "reference", "ratio", "target", "verdict"};
  const std::string* hp[6] = {&h[0], &h[1], &h[2], &h[3], &h[4], &h[5]};
  line(hp);
  std::printf("|");
  for (int i = 0; i < 6; ++i) std::printf("%s|", std::string(w[i] + 2, '-').c_str());
  std::printf("\n");
  std::string section;
  for (const auto& r : rows) {
    if (r.section != section) {
      section = r.section;
      const std::string s = "**" + section + "**", e;
      const std::string* sp[6] = {&s, &e, &e, &e, &e, &e};
      line(sp);
    }
    const std::string* c[6] = {&r.figure, &r.mercurio, &r.reference, &r.ratio, &r.target, &r.verdict};
    line(c);
  }
}

// ---------------------------------------------------------------- data and configurations

struct DataSet {
  std::string name;                                   // "daily", "minute"
  std::string title;
  std::vector<std::pair<std::string, fs::path>> files;  // symbol -> csv
};

DataSet generate(const fs::path& mercurio, const fs::path& dir, const std::string& name, const std::string& title, int symbols,
                 long bars, const std::string& interval, const std::string& start, const std::string& volatility, const std::string& drift,
                 int seed0) {
  DataSet d{name, title, {}};
  fs::create_directories(dir / name);
  for (int i = 0; i < symbols; ++i) {
    char sym[16];
    std::snprintf(sym, sizeof sym, "%c%02d", name == "daily" ? 'D' : 'M', i);
    const fs::path file = dir / name / (std::string(sym) + "_" + std::to_string(bars) + ".csv");
    if (!fs::exists(file)) {
      const auto r = run({mercurio.string(), "generate-bars", "--out", file.string(), "--symbol", sym, "--bars", std::to_string(bars),
                          "--interval", interval, "--start", start, "--volatility", volatility, "--drift", drift, "--seed",
                          std::to_string(seed0 + i)},
                         dir);
      if (r.exit_code != 0) {
        std::fprintf(stderr, "generate-bars failed: %s\n", r.err.c_str());
        std::exit(1);
      }
    }
    d.files.emplace_back(sym, file);
  }
  return d;
}

// Limits wide enough that no benchmark order is denied: the gate still runs every check.
const char* kRiskTable =
    "[risk]\n"
    "max_order_quantity = \"1000000\"\nmax_order_notional = \"100000000\"\nprice_collar_pct = \"50\"\n"
    "max_reference_age_seconds = 864000\nmax_position_quantity = \"1000000\"\nmax_position_notional = \"100000000\"\n"
    "max_gross_exposure_pct = \"100\"\nmax_positions = 100\nmax_open_orders = 1000\n"
    "max_orders_per_minute = 1000000\norder_burst = 100000\nduplicate_window_seconds = 0\n"
    "max_daily_loss_pct = \"100\"\nmax_drawdown_pct = \"100\"\ndrawdown_action = \"hold\"\n"
    "max_fills_per_window = 1000000\nfills_window_seconds = 1\n"
    "calendar = \"24/7\"\nallow_outside_market_hours = true\n";

// The strategy and broker settings the reference loop mirrors (see reference_args()).
const char* kQuantity = "100";
const char* kSlippageBps = "2";
const char* kPerShare = "0.005";
const char* kMinimum = "1";

fs::path write_backtest_config(const fs::path& work, const DataSet& d, const std::string& extra) {
  const fs::path path = work / (d.name + (extra.empty() ? "" : "-journal") + ".toml");
  std::ofstream c(path);
  c << "# generated by mercurio_bench\n[kernel]\nmode = \"backtest\"\nlog_level = \"warning\"\noutput_dir = \"out-" << d.name
    << "\"\n"
    << kRiskTable << extra << "\n[[plugin]]\nid = \"paper\"\nlibrary = \"mercurio_broker_paper\"\n[plugin.config]\n"
    << "starting_cash = \"10000000\"\ncommission_per_share = \"" << kPerShare << "\"\ncommission_minimum = \"" << kMinimum
    << "\"\nslippage_bps = \"" << kSlippageBps << "\"\ndata = { ";
  for (std::size_t i = 0; i < d.files.size(); ++i)
    c << (i ? ", " : "") << d.files[i].first << " = \"" << d.files[i].second.string() << "\"";
  c << " }\n\n[[plugin]]\nid = \"ma\"\nlibrary = \"mercurio_strategy_moving_average\"\n[plugin.config]\nsymbols = [";
  for (std::size_t i = 0; i < d.files.size(); ++i) c << (i ? ", " : "") << '"' << d.files[i].first << '"';
  c << "]\naverage = \"sma\"\nshort_window = 10\nlong_window = 30\nsizing = \"fixed\"\nquantity = \"" << kQuantity
    << "\"\nlong_only = true\n";
  return path;
}

std::vector<std::string> reference_args(const fs::path& exe, const DataSet& d) {
  std::vector<std::string> a{exe.string(), "--short", "10", "--long", "30", "--quantity", kQuantity, "--slippage-bps", kSlippageBps,
                             "--commission-per-share", kPerShare, "--commission-minimum", kMinimum};
  for (const auto& [sym, file] : d.files) a.push_back(sym + "=" + file.string());
  return a;
}

// ---------------------------------------------------------------- fills comparison

struct Fill {
  std::int64_t ts;
  std::string symbol, side;
  std::int64_t quantity, price, commission;
  bool operator==(const Fill&) const = default;
};

std::vector<Fill> mercurio_fills(const fs::path& trades_csv) {
  std::vector<Fill> out;
  std::ifstream in(trades_csv);
  std::string line;
  std::getline(in, line);  // header
  while (std::getline(in, line)) {
    std::vector<std::string> f;
    std::stringstream s(line);
    std::string x;
    while (std::getline(s, x, ',')) f.push_back(x);
    if (f.size() < 6) continue;
    const auto ts = mercurio::sdk::Timestamp::parse_iso8601(f[0]);
    out.push_back({ts ? ts->ns : 0, f[1], f[2], mercurio::sdk::Decimal::from_string(f[3]).raw(),
                   mercurio::sdk::Decimal::from_string(f[4]).raw(), mercurio::sdk::Decimal::from_string(f[5]).raw()});
  }
  return out;
}

std::vector<Fill> reference_fills(const fs::path& file) {
  std::vector<Fill> out;
  std::ifstream in(file);
  std::string line;
  while (std::getline(in, line)) {
    std::vector<std::string> f;
    std::stringstream s(line);
    std::string x;
    while (std::getline(s, x, ',')) f.push_back(x);
    if (f.size() < 6) continue;
    out.push_back({std::stoll(f[0]), f[1], f[2], std::stoll(f[3]), std::stoll(f[4]), std::stoll(f[5])});
  }
  return out;
}

void sort_fills(std::vector<Fill>& v) {
  std::stable_sort(v.begin(), v.end(), [](const Fill& a, const Fill& b) { return a.ts != b.ts ? a.ts < b.ts : a.symbol < b.symbol; });
}

// "MATCH (n fills)" or the first difference.
std::pair<bool, std::string> compare_fills(std::vector<Fill> m, std::vector<Fill> r) {
  sort_fills(m);
  sort_fills(r);
  if (m.empty()) return {false, "MISMATCH: mercurio made no fills"};
  for (std::size_t i = 0; i < std::min(m.size(), r.size()); ++i)
    if (!(m[i] == r[i]))
      return {false, "MISMATCH at fill " + std::to_string(i) + ": mercurio " + m[i].symbol + " " + m[i].side + " @" +
                         std::to_string(m[i].price) + " ts " + std::to_string(m[i].ts) + ", reference " + r[i].symbol + " " +
                         r[i].side + " @" + std::to_string(r[i].price) + " ts " + std::to_string(r[i].ts)};
  if (m.size() != r.size())
    return {false, "MISMATCH: mercurio " + std::to_string(m.size()) + " fills, reference " + std::to_string(r.size())};
  return {true, "MATCH (" + std::to_string(m.size()) + " fills)"};
}

// ---------------------------------------------------------------- sections

struct Paths {
  fs::path bin, bench_plugins, work, scratch;
};

// The figures of fresh `mercurio run` processes on one config.
struct MercurioRuns {
  Stats wall, rss, load, replay;
  void run_once(const Paths& p, const fs::path& config, const fs::path& out_dir) {
    const auto m = run({(p.bin / "mercurio").string(), "run", "--config", config.string(), "--out", out_dir.string()}, p.scratch);
    wall.add(m.wall_s);
    rss.add(m.max_rss_mb);
    load.add(number(summary_value(m.out, "history load time")));
    replay.add(number(summary_value(m.out, "replay time")));
  }
};

void backtest(const Paths& p, const DataSet& d, int runs, bool targets, const std::string& journal_table) {
  const std::string section = "Backtest: " + d.title;
  const fs::path config = write_backtest_config(p.work, d, "");
  const fs::path ref_trades = p.work / ("reference-" + d.name + ".csv");

  // Correctness first: reference vs the obvious computation, mercurio vs reference.
  auto args = reference_args(p.bin / "reference_loop", d);
  args.insert(args.end(), {"--verify", "--trades", ref_trades.string(), "--replays", "5"});
  const auto first_ref = run(args, p.scratch);
  const auto ref_kv = key_values(first_ref.out);
  const bool ref_ok = first_ref.exit_code == 0 && ref_kv.count("verify") && ref_kv.at("verify") == "MATCH";
  const fs::path out_dir = p.work / ("out-" + d.name);
  const auto first = run({(p.bin / "mercurio").string(), "run", "--config", config.string(), "--out", out_dir.string()}, p.scratch);
  if (first.exit_code != 0) {
    std::fprintf(stderr, "mercurio run failed (%d):\n%s\n", first.exit_code, first.err.substr(0, 2000).c_str());
    any_mismatch = true;
  }
  auto [match, text] = compare_fills(mercurio_fills(out_dir / "trades.csv"), reference_fills(ref_trades));
  const bool valid = ref_ok && match && first.exit_code == 0;
  if (!valid) any_mismatch = true;
  rows.push_back({section, "fills vs reference loop", text, "", "", "identical", valid ? "MATCH" : "MISMATCH"});
  rows.push_back({section, "reference loop vs obvious recomputation", ref_kv.count("verify") ? ref_kv.at("verify") : "failed", "", "",
                  "identical", ref_ok ? "MATCH" : "MISMATCH"});

  MercurioRuns m;
  Stats r_wall, r_rss, r_parse, r_replay;
  double bars = number(summary_value(first.out, "bars"));
  for (int i = 0; i < runs; ++i) {
    const auto r = run(reference_args(p.bin / "reference_loop", d), p.scratch);
    auto kv = key_values(r.out);
    r_wall.add(r.wall_s);
    r_rss.add(r.max_rss_mb);
    r_parse.add(number(kv["parse_seconds"]));
    m.run_once(p, config, out_dir);
  }
  r_replay.add(number(ref_kv.count("best_replay_seconds") ? ref_kv.at("best_replay_seconds") : "0"));

  const double wall_ratio = m.wall.median() / r_wall.median();
  const double rss_ratio = m.rss.median() / r_rss.median();
  rows.push_back({section, "whole process wall time, median (best) of " + std::to_string(runs),
                  fmt("%.3f s", m.wall.median()) + fmt(" (%.3f)", m.wall.best()),
                  fmt("%.3f s", r_wall.median()) + fmt(" (%.3f)", r_wall.best()), fmt("%.2fx", wall_ratio), targets ? "<= 2x" : "-",
                  targets ? verdict(valid, wall_ratio <= 2.0) : "info"});
  rows.push_back({section, "whole process bars/s", fmt("%.2f M", bars / m.wall.median() / 1e6), fmt("%.2f M", bars / r_wall.median() / 1e6),
                  fmt("%.2fx", r_wall.median() / m.wall.median()), "-", "info"});
  rows.push_back({section, "peak RSS, median", fmt("%.1f MB", m.rss.median()), fmt("%.1f MB", r_rss.median()), fmt("%.2fx", rss_ratio),
                  targets ? "<= 1.5x" : "-", targets ? verdict(valid, rss_ratio <= 1.5) : "info"});
  rows.push_back({section, "parse (CSV -> bars), median", fmt("%.3f s", m.load.median()), fmt("%.3f s", r_parse.median()),
                  fmt("%.2fx", m.load.median() / r_parse.median()), "-", "info"});
  const double m_rate = bars / m.replay.best(), r_rate = bars / r_replay.best();
  rows.push_back({section, "replay, data in memory (best)", fmt("%.2f M bars/s", m_rate / 1e6), fmt("%.2f M bars/s", r_rate / 1e6),
                  fmt("%.2fx", r_rate / m_rate), targets ? ">= 20 M bars/s" : "-", targets ? verdict(valid, m_rate >= 20e6) : "info"});
  rows.push_back({section, "replay ns per bar (best)", fmt("%.1f ns", 1e9 / m_rate), fmt("%.1f ns", 1e9 / r_rate), "", "-", "info"});

  // A deployment setting, not a code path: glibc's malloc in transparent huge pages (fewer TLB
  // misses on the order books and indices). The figures above are the default's.
  ::setenv("GLIBC_TUNABLES", "glibc.malloc.hugetlb=1", 1);
  MercurioRuns h;
  for (int i = 0; i < runs; ++i) h.run_once(p, config, out_dir);
  ::unsetenv("GLIBC_TUNABLES");
  const double h_rate = bars / h.replay.best();
  rows.push_back({section, "GLIBC_TUNABLES=glibc.malloc.hugetlb=1: whole process, median (RSS)",
                  fmt("%.3f s", h.wall.median()) + fmt(" (%.1f MB)", h.rss.median()), fmt("%.3f s", r_wall.median()),
                  fmt("%.2fx", h.wall.median() / r_wall.median()), "-", "info"});
  rows.push_back({section, "GLIBC_TUNABLES=glibc.malloc.hugetlb=1: replay (best)", fmt("%.2f M bars/s", h_rate / 1e6),
                  fmt("%.2f M bars/s", r_rate / 1e6), fmt("%.2fx", r_rate / h_rate), "-", "info"});

  // Journal on: the same backtest writing a fresh journal (intents, decisions, fills, equity rows).
  if (journal_table.empty()) {
    rows.push_back({section, "whole process wall time, journal on", "skipped (--journal-table \"\")", "", "", "-", "info"});
  } else {
    const fs::path jconfig = write_backtest_config(p.work, d, journal_table);
    Stats j_wall;
    for (int i = 0; i < runs; ++i) {
      const auto j = run({(p.bin / "mercurio").string(), "run", "--config", jconfig.string(), "--out", out_dir.string()}, p.scratch);
      if (j.exit_code != 0) {
        std::fprintf(stderr, "journal-on run failed: %s\n", j.err.substr(0, 2000).c_str());
        break;
      }
      j_wall.add(j.wall_s);
    }
    rows.push_back({section, "whole process wall time, journal on", fmt("%.3f s", j_wall.median()), fmt("%.3f s", r_wall.median()),
                    fmt("%.2fx", j_wall.median() / r_wall.median()), "-", "info"});
  }
}

// Google Benchmark CSV: name -> column -> value, for the *_median aggregates.
std::map<std::string, std::map<std::string, std::string>> google_benchmark(const fs::path& exe, const Paths& p) {
  const fs::path out = p.scratch / (exe.filename().string() + ".csv");
  const auto r = run({exe.string(), "--benchmark_repetitions=5", "--benchmark_report_aggregates_only=true",
                      "--benchmark_out_format=csv", "--benchmark_out=" + out.string()},
                     p.scratch);
  std::map<std::string, std::map<std::string, std::string>> result;
  if (r.exit_code != 0) {
    std::fprintf(stderr, "%s failed: %s\n", exe.c_str(), r.err.c_str());
    return result;
  }
  std::ifstream in(out);
  std::string line;
  std::vector<std::string> header;
  auto split = [](const std::string& l) {
    std::vector<std::string> f;
    std::string cur;
    bool quoted = false;
    for (char c : l) {
      if (c == '"') quoted = !quoted;
      else if (c == ',' && !quoted) f.push_back(std::exchange(cur, {}));
      else cur.push_back(c);
    }
    f.push_back(cur);
    return f;
  };
  while (std::getline(in, line)) {
    if (header.empty()) {
      if (line.rfind("name,", 0) == 0) header = split(line);
      continue;
    }
    const auto f = split(line);
    for (std::size_t i = 1; i < f.size() && i < header.size(); ++i) result[f[0]][header[i]] = f[i];
  }
  return result;
}

// The median row of the first benchmark whose name starts with `prefix`, or nullptr.
const std::map<std::string, std::string>* median_row(
    const std::map<std::string, std::map<std::string, std::string>>& g, const std::string& prefix) {
  for (const auto& [name, row] : g)
    if (name.rfind(prefix, 0) == 0 && name.find("_median") != std::string::npos) return &row;
  return nullptr;
}

double ns_of(const std::map<std::string, std::string>& row, const std::string& column = "cpu_time") {
  if (!row.count(column)) return 0;
  double v = number(row.at(column));
  const std::string unit = row.count("time_unit") ? row.at("time_unit") : "ns";
  if (unit == "us") v *= 1e3;
  if (unit == "ms") v *= 1e6;
  return v;
}

void event_bus(const Paths& p) {
  const std::string section = "Event bus (same thread, Google Benchmark, median of 5)";
  auto g = google_benchmark(p.bin / "bus_bench", p);
  for (int n : {1, 4, 16}) {
    const auto& row = g["BM_BusPublish/subscribers:" + std::to_string(n) + "_median"];
    const double ns = ns_of(row);
    rows.push_back({section, "publish, " + std::to_string(n) + " subscriber(s): ns/event (ns/delivery)",
                    fmt("%.1f ns", ns) + fmt(" (%.1f)", ns / n), "", "", n == 1 ? "<= 10 ns" : "-",
                    n == 1 ? verdict(ns > 0, ns <= 10.0) : "info"});
    if (n == 1) rows.push_back({section, "publish, 1 subscriber: events/s", fmt("%.1f M/s", 1e3 / ns), "", "", "-", "info"});
  }
  rows.push_back({section, "event published from a handler (queued), ns per event",
                  fmt("%.1f ns", ns_of(g["BM_BusPublishFromHandler_median"]) / 2), "", "", "-", "info"});
  rows.push_back({section, "inbox post + take (broker event), ns", fmt("%.1f ns", ns_of(g["BM_InboxPushTake_median"])), "", "", "-",
                  "info"});
}

// The order path in `runs` fresh processes: each percentile is the median over the runs, with its
// range, so one run that the shared host slowed does not make the figure.
void order_path(const Paths& p, long orders, int runs) {
  const std::string section = "Order path (journal off): bar -> strategy -> risk gate -> no-op broker; " +
                              (runs > 1 ? "median (range) of " + std::to_string(runs) + " runs" : std::string("1 run"));
  const fs::path report = p.work / "order-path.txt";
  const fs::path config = p.work / "order-path.toml";
  std::ofstream(config) << "# generated by mercurio_bench\n[kernel]\nmode = \"backtest\"\nlog_level = \"warning\"\noutput_dir = \"out-order-path\"\n"
                        << "plugin_dirs = [\"" << p.bench_plugins.string() << "\"]\n"
                        << kRiskTable
                        << "\n[[plugin]]\nid = \"noop\"\nlibrary = \"bench_noop_broker\"\n[plugin.config]\nbars = " << orders
                        << "\nreport = \"" << report.string() << "\"\n"
                        << "\n[[plugin]]\nid = \"every_bar\"\nlibrary = \"bench_every_bar_strategy\"\n";
  const struct {
    const char* key;
    const char* label;
    double target;
  } lat[] = {{"latency_mean_ns", "bar at broker -> order at broker, mean", 0},
             {"latency_p50_ns", "bar at broker -> order at broker, p50", 150},
             {"latency_p99_ns", "bar at broker -> order at broker, p99", 500},
             {"latency_p99.9_ns", "bar at broker -> order at broker, p99.9", 2000},
             {"latency_max_ns", "bar at broker -> order at broker, max", 0},
             {"cycle_p50_ns", "whole per-bar cycle (submit to submit), p50", 0},
             {"cycle_p99_ns", "whole per-bar cycle (submit to submit), p99", 0},
             {"cycle_p99.9_ns", "whole per-bar cycle (submit to submit), p99.9", 0}};
  constexpr std::size_t kFigures = std::size(lat);
  Stats figures[kFigures], orders_per_s;
  bool ok = true;
  std::string measured = "0";
  for (int i = 0; i < runs; ++i) {
    fs::remove(report);
    const auto r = run({(p.bin / "mercurio").string(), "run", "--config", config.string()}, p.scratch);
    auto kv = key_values(slurp(report));
    const bool run_ok = r.exit_code == 0 && number(kv["orders"]) >= static_cast<double>(orders) &&
                        number(summary_value(r.out, "orders denied")) == 0;
    if (!run_ok) {
      std::fprintf(stderr, "order-path run failed (%d): %s\n", r.exit_code, r.err.substr(0, 2000).c_str());
      ok = false;
      break;
    }
    measured = kv["orders"];
    for (std::size_t f = 0; f < kFigures; ++f) figures[f].add(number(kv[lat[f].key]));
    orders_per_s.add(static_cast<double>(orders) / r.wall_s / 1e6);
  }
  if (!ok) any_mismatch = true;
  rows.push_back({section, "orders measured per run (all approved, all filled)", measured + " of " + std::to_string(orders), "", "",
                  ">= 1,000,000", !ok ? "INVALID" : orders >= 1'000'000 ? "met" : "too few (quick run)"});
  for (std::size_t f = 0; f < kFigures; ++f) {
    const Stats& v = figures[f];
    const std::string range = runs > 1 ? fmt(" (%.0f", v.best()) + fmt("-%.0f)", v.worst()) : "";
    rows.push_back({section, lat[f].label, fmt("%.0f ns", v.median()) + range, "", "",
                    lat[f].target > 0 ? fmt("< %.0f ns", lat[f].target) : "-",
                    lat[f].target > 0 ? verdict(ok, v.median() < lat[f].target) : "info"});
  }
  rows.push_back({section, "whole run: orders/s (wall, incl. start-up and outputs)", fmt("%.2f M/s", orders_per_s.median()), "", "", "-",
                  "info"});
  auto g = google_benchmark(p.bin / "risk_gate_bench", p);
  const double gate = ns_of(g["BM_RiskGateCheck/market_hours:0_median"]);
  const double gate_cal = ns_of(g["BM_RiskGateCheck/market_hours:1_median"]);
  rows.push_back({section, "risk gate check, all checks pass (24/7)", fmt("%.1f ns", gate), "", "", "< 100 ns", verdict(gate > 0, gate < 100)});
  rows.push_back({section, "risk gate check with a market-hours calendar check", fmt("%.1f ns", gate_cal), "", "", "-", "info"});
}

void journal(const Paths& p) {
  const std::string section = "Journal (SQLite WAL, synchronous=FULL, this machine's disk; median of 5)";
  // The journal files go to the work directory: the disk a deployment would use, not a tmpfs.
  ::setenv("MERCURIO_BENCH_DIR", p.scratch.c_str(), 1);
  auto g = google_benchmark(p.bin / "journal_bench", p);
  auto median = [&](const std::string& prefix) { return median_row(g, prefix); };
  const auto* intent = median("BM_JournalOrderIntentDurable");
  const auto* fill = median("BM_JournalFillDurable");
  const auto* equity = median("BM_JournalEquityRowBatched");
  if (!intent || !fill || !equity) {
    rows.push_back({section, "journal_bench", "FAILED (see stderr)", "", "", "-", "FAILED"});
    return;
  }
  const double intent_us = ns_of(*intent, "real_time") / 1e3;
  rows.push_back({section, "cost per order intent (write + fsync)", fmt("%.0f us", intent_us), "", "", "-", "info"});
  rows.push_back({section, "orders/s sustained (one at a time, each synced)", fmt("%.0f", 1e6 / intent_us), "", "", "-", "info"});
  rows.push_back({section, "cost per fill (write + fsync)", fmt("%.0f us", ns_of(*fill, "real_time") / 1e3), "", "", "-", "info"});
  rows.push_back({section, "equity row (batched, no fsync of its own)", fmt("%.1f us", ns_of(*equity, "real_time") / 1e3), "", "", "-", "info"});
  // A restart reads the whole journal back: two sizes show how its cost per order grows with it.
  const struct {
    const char* arg;    // the benchmark's argument: orders in the journal
    const char* label;  // the same, for the table
  } sizes[] = {{"10000", "10,000"}, {"100000", "100,000"}};
  for (const auto& size : sizes) {
    const auto* recover = median(std::string("BM_JournalOpenAndRecover/") + size.arg + "/");
    const std::string what = std::string("restart: open + read back a journal of ") + size.label +
                             " filled orders (per order)";
    if (!recover) {
      rows.push_back({section, what, "FAILED (see stderr)", "", "", "-", "FAILED"});
      continue;
    }
    const double ms = ns_of(*recover, "real_time") / 1e6;
    rows.push_back({section, what, fmt("%.0f ms", ms) + fmt(" (%.1f us)", ms * 1e3 / std::stod(size.arg)),
                    "", "", "-", "info"});
  }
}

void paper_account(const Paths& p) {
  const std::string section =
      "Paper account state file (snapshot + synced change log, this machine's disk; median of 5)";
  ::setenv("MERCURIO_BENCH_DIR", p.scratch.c_str(), 1);
  auto g = google_benchmark(p.bin / "paper_account_bench", p);
  const struct {
    const char* arg;    // the benchmarks' argument: filled orders in the account
    const char* label;  // the same, for the table
  } sizes[] = {{"1000", "1,000"}, {"10000", "10,000"}};
  for (const auto& size : sizes) {
    const struct {
      std::string benchmark, what, unit;
      double scale;
    } figures[] = {
        {"BM_PaperAccountOrder/",
         std::string("an order on an account of ") + size.label +
             " orders: accepted + filled (2 records, each synced)",
         "us", 1e3},
        {"BM_PaperAccountRestart/",
         std::string("restart on an account of ") + size.label +
             " orders: read, apply the log, write a new snapshot",
         "ms", 1e6},
    };
    for (const auto& f : figures) {
      const auto* row = median_row(g, f.benchmark + size.arg + "/");
      if (!row) {
        rows.push_back({section, f.what, "FAILED (see stderr)", "", "", "-", "FAILED"});
        continue;
      }
      rows.push_back({section, f.what, fmt("%.0f ", ns_of(*row, "real_time") / f.scale) + f.unit,
                      "", "", "-", "info"});
    }
  }
}

void plugin_loads(const Paths& p, int runs);

void start_up(const Paths& p, const DataSet& d, int runs) {
  const std::string section = "Start-up";
  const fs::path config = p.work / "check-all.toml";
  std::ofstream c(config);
  c << "# generated by mercurio_bench: every bundled plugin\n[kernel]\nmode = \"backtest\"\n" << kRiskTable
    << "\n[[plugin]]\nid = \"paper\"\nlibrary = \"mercurio_broker_paper\"\n[plugin.config]\ndata = { " << d.files[0].first << " = \""
    << d.files[0].second.string() << "\" }\n"
    << "\n[[plugin]]\nid = \"ma\"\nlibrary = \"mercurio_strategy_moving_average\"\nbroker = \"paper\"\n[plugin.config]\nsymbols = [\""
    << d.files[0].first << "\"]\n\n[[plugin]]\nid = \"log\"\nlibrary = \"mercurio_notifier_log\"\n"
    // Alpaca: check validates its settings and builds its HTTPS clients; it never connects.
    << "\n[[plugin]]\nid = \"alpaca\"\nlibrary = \"mercurio_broker_alpaca\"\n[plugin.config]\n"
    << "key_id = \"env:MERCURIO_BENCH_ALPACA_KEY_ID\"\nsecret_key = \"env:MERCURIO_BENCH_ALPACA_SECRET_KEY\"\n";
  c.close();
  // Placeholders, not credentials: nothing is sent anywhere. execv() passes the environment on.
  ::setenv("MERCURIO_BENCH_ALPACA_KEY_ID", "bench-placeholder", 1);
  ::setenv("MERCURIO_BENCH_ALPACA_SECRET_KEY", "bench-placeholder", 1);
  Stats check;
  bool ok = true;
  for (int i = 0; i < runs; ++i) {
    const auto r = run({(p.bin / "mercurio").string(), "check", "--config", config.string()}, p.scratch);
    ok = ok && r.exit_code == 0;
    if (r.exit_code != 0) std::fprintf(stderr, "mercurio check failed: %s\n", r.err.c_str());
    check.add(r.wall_s * 1e3);
  }
  rows.push_back({section, "mercurio check, all 4 bundled plugins, median (best)", fmt("%.1f ms", check.median()) + fmt(" (%.1f)", check.best()),
                  "", "", "< 100 ms", verdict(ok, check.median() < 100)});
  plugin_loads(p, runs);
}

// The shared libraries the mercurio executable links (ldd), joined with ':'.
std::string mercurio_libraries(const Paths& p) {
  const auto r = run({"/usr/bin/ldd", (p.bin / "mercurio").string()}, p.scratch);
  std::string libs;
  std::istringstream in(r.out);
  std::string line;
  while (std::getline(in, line)) {
    const auto arrow = line.find("=> /");
    if (arrow == std::string::npos) continue;
    const auto end = line.find(" (", arrow);
    libs += (libs.empty() ? "" : ":") + line.substr(arrow + 3, end == std::string::npos ? std::string::npos : end - arrow - 3);
  }
  return libs;
}

// Each bundled plugin opened in fresh processes that already hold what mercurio links: what the
// plugin adds to a mercurio process. A plugin that brings libraries of its own is opened again
// with those loaded first, to split their cost from the plugin's.
void plugin_loads(const Paths& p, int runs) {
  const std::string section = "Start-up";
  const std::string preload = mercurio_libraries(p);
  const fs::path dir = p.bench_plugins.parent_path() / "plugins";
  std::vector<fs::path> plugins;
  for (const auto& e : fs::directory_iterator(dir))
    if (e.path().extension() == ".so") plugins.push_back(e.path());
  std::sort(plugins.begin(), plugins.end());
  for (const auto& plugin : plugins) {
    Stats whole, own, deps;
    std::string new_libs;
    bool ok = true;
    for (int i = 0; i < runs && ok; ++i) {
      const auto r = run({(p.bin / "plugin_load_bench").string(), "--preload", preload, plugin.string()}, p.scratch);
      auto kv = key_values(r.out);
      ok = r.exit_code == 0;
      if (!ok) std::fprintf(stderr, "plugin_load_bench %s failed: %s\n", plugin.filename().c_str(), r.err.c_str());
      whole.add(number(kv["load_us"]));
      new_libs = kv["new_libs"];
    }
    const std::string name = plugin.stem().string();
    rows.push_back({section, "plugin load " + name + " (into a mercurio process), median (worst)",
                    fmt("%.0f us", whole.median()) + fmt(" (%.0f)", whole.worst()), "", "", "< 1 ms", verdict(ok, whole.worst() < 1000)});
    if (!ok || new_libs.empty()) continue;
    for (int i = 0; i < runs && ok; ++i) {
      const auto r = run({(p.bin / "plugin_load_bench").string(), "--preload", preload, "--deps", new_libs, plugin.string()}, p.scratch);
      auto kv = key_values(r.out);
      ok = r.exit_code == 0;
      own.add(number(kv["load_us"]));
      deps.add(number(kv["deps_us"]));
    }
    std::string names;
    std::size_t count = 0;
    for (std::size_t start = 0; start < new_libs.size();) {
      const std::size_t end = std::min(new_libs.find(':', start), new_libs.size());
      names += (names.empty() ? "" : ", ") + fs::path(new_libs.substr(start, end - start)).filename().string();
      ++count;
      start = end + 1;
    }
    std::fprintf(stderr, "%s brings %zu libraries of its own: %s\n", name.c_str(), count, names.c_str());
    rows.push_back({section, "  of which its " + std::to_string(count) + " libraries (listed on stderr) alone, median",
                    ok ? fmt("%.0f us", deps.median()) : "FAILED", "", "", "-", "info"});
    rows.push_back({section, "  of which the plugin itself, its libraries loaded, median (worst)",
                    ok ? fmt("%.0f us", own.median()) + fmt(" (%.0f)", own.worst()) : "FAILED", "", "", "-", "info"});
  }
}

std::string machine() {
  std::ifstream cpu("/proc/cpuinfo");
  std::string line, model = "unknown CPU";
  while (std::getline(cpu, line))
    if (line.rfind("model name", 0) == 0) {
      model = line.substr(line.find(':') + 2);
      break;
    }
  double load[3] = {0, 0, 0};
  getloadavg(load, 3);
  const std::time_t now = std::time(nullptr);
  char date[64];
  std::strftime(date, sizeof date, "%Y-%m-%d %H:%M UTC", std::gmtime(&now));
  return model + ", " + std::to_string(sysconf(_SC_NPROCESSORS_ONLN)) + " cores; " + date + "; load average at start " +
         fmt("%.2f", load[0]);
}

}  // namespace

int main(int argc, char** argv) {
  Paths p;
  p.bin = fs::canonical("/proc/self/exe").parent_path();
  p.bench_plugins = p.bin.parent_path() / "lib" / "mercurio" / "bench-plugins";
  p.work = fs::absolute("var/bench");
  int runs = 5;
  long orders = 1'000'000;
  bool quick = false;
  std::string journal_table = "[journal]\npath = \"bench-journal.sqlite\"\n";
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto value = [&] {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "mercurio_bench: %s needs a value\n", a.c_str());
        std::exit(2);
      }
      return std::string(argv[++i]);
    };
    if (a == "--work") p.work = fs::absolute(value());
    else if (a == "--runs") runs = std::max(1, std::stoi(value()));
    else if (a == "--order-bars") orders = std::stol(value());
    else if (a == "--quick") quick = true;
    else if (a == "--journal-table") journal_table = value();
    else {
      std::fprintf(stderr, "usage: mercurio_bench [--work DIR] [--runs N] [--order-bars N] [--quick] [--journal-table TOML]\n");
      return 2;
    }
  }
  p.scratch = p.work / "scratch";
  fs::create_directories(p.scratch);
  const std::string header = "Mercurio benchmarks: " + machine() + "; " + std::to_string(runs) + " runs per whole-process figure";
  std::fprintf(stderr, "%s\nwork directory %s\n", header.c_str(), p.work.c_str());

  const fs::path mercurio = p.bin / "mercurio";
  std::fprintf(stderr, "generating data (once) ...\n");
  // 64-bit nanosecond timestamps end in 2262: one symbol cannot hold 1,000,000 consecutive daily
  // bars, so the million daily bars are 20 symbols x 50,000 weekdays from 1970 (to 2161).
  const DataSet daily = quick ? generate(mercurio, p.work / "data", "daily", "100,000 daily bars (2 symbols x 50,000)", 2, 50'000, "1d",
                                         "1970-01-01", "0.05", "0", 1)
                              : generate(mercurio, p.work / "data", "daily", "1,000,000 daily bars (20 symbols x 50,000)", 20, 50'000,
                                         "1d", "1970-01-01", "0.05", "0", 1);
  const DataSet minute = quick ? generate(mercurio, p.work / "data", "minute", "1-minute bars, 1 symbol x 390 x 252", 1, 98'280, "1m",
                                          "2023-01-02", "0.2", "0.05", 101)
                               : generate(mercurio, p.work / "data", "minute", "1-minute bars, 10 symbols x 390 x 252 days", 10, 98'280,
                                          "1m", "2023-01-02", "0.2", "0.05", 101);

  std::fprintf(stderr, "backtests ...\n");
  backtest(p, daily, runs, true, journal_table);
  backtest(p, minute, runs, false, journal_table);
  std::fprintf(stderr, "event bus ...\n");
  event_bus(p);
  std::fprintf(stderr, "order path ...\n");
  order_path(p, quick ? 100'000 : orders, runs);
  journal(p);
  paper_account(p);
  std::fprintf(stderr, "start-up ...\n");
  start_up(p, daily, runs);

  print_table(header);
  if (any_mismatch) std::printf("\nSOME RESULTS MISMATCH OR FAILED: their speed figures are not valid.\n");
  return any_mismatch ? 1 : 0;
}
