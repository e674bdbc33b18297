#include "config/config_loader.hpp"

#include <cctype>
#include <fstream>
#include <limits>
#include <set>
#include <sstream>

#include "config/toml_helpers.hpp"

namespace mercurio::kernel {
namespace {

using toml_helpers::column_of;
using toml_helpers::describe;
using toml_helpers::line_of;
using toml_helpers::type_name;

const std::set<std::string, std::less<>> kKernelKeys = {"mode", "plugin_dirs", "output_dir", "log_level", "state_dir", "warmup_minutes"};
const std::set<std::string, std::less<>> kBacktestKeys = {"start", "end"};
const std::set<std::string, std::less<>> kPluginKeys = {"id", "library", "config", "risk", "broker", "min_severity", "market_data"};
const std::set<std::string, std::less<>> kTopLevelKeys = {"kernel", "backtest", "risk", "failsafe", "journal", "plugin"};
const std::set<std::string, std::less<>> kJournalKeys = {"path", "max_size_mb", "position_tolerance", "cash_tolerance",
                                                         "in_doubt_recheck_ms"};
const std::set<std::string, std::less<>> kFailsafeKeys = {"heartbeat_interval_ms", "max_failures", "emergency_action", "max_data_gap_ms",
                                                          "daily_pnl_alert_pct"};

// Upper bounds that keep every duration and size in range once it is turned into nanoseconds or
// bytes (a larger figure overflowed 64 bits): far beyond any sensible setting.
constexpr std::int64_t kMaxIntervalMs = 24LL * 3600 * 1000;       // a day: heartbeats, rechecks
constexpr std::int64_t kMaxDataGapMs = 366LL * 24 * 3600 * 1000;  // a year: daily bars, holidays
constexpr std::int64_t kMaxJournalMb = 1'000'000'000;             // about a petabyte

class Loader {
 public:
  Loader(const std::filesystem::path& file) : file_(file.string()) {
    config_.file = file;
    config_.base_dir = std::filesystem::absolute(file).parent_path().lexically_normal();
    config_.kernel.output_dir = config_.base_dir / "out";
    config_.kernel.state_dir = config_.base_dir / "state";
  }

  Config load(const toml::table& root, ConfigIssues& issues) {
    check_top_level(root);
    if (const auto* kernel = table_at(root, "kernel", "kernel")) load_kernel(*kernel);
    if (const auto* backtest = table_at(root, "backtest", "backtest")) load_backtest(*backtest);
    if (const auto* failsafe = table_at(root, "failsafe", "failsafe")) load_failsafe(*failsafe);
    if (const auto* journal = table_at(root, "journal", "journal")) load_journal(*journal);
    if (config_.kernel.mode == RunMode::Live && !config_.journal.path) {
      const toml::node* kernel = root.get("kernel");
      const toml::node* mode = kernel && kernel->is_table() ? kernel->as_table()->get("mode") : nullptr;
      issue(mode, "kernel.mode",
            "\"live\" needs a [journal] table with a path: live orders are only sent with the write-ahead journal and "
            "crash recovery (fail closed)");
    }
    const toml::node* risk_node = root.get("risk");
    if (!risk_node || risk_node->is_table()) config_.risk = parse_risk_table(risk_node ? risk_node->as_table() : nullptr, file_, issues_);
    else issue(risk_node, "risk", "expected a table, was " + type_name(*risk_node));
    load_plugins(root);
    issues.append(issues_);
    return std::move(config_);
  }

  void issue(const toml::node* node, std::string key_path, std::string message) {
    issues_.add(file_, node ? line_of(*node) : 0, node ? column_of(*node) : 0, std::move(key_path), std::move(message));
  }

 private:
  void check_top_level(const toml::table& root) {
    for (auto&& [key, node] : root) {
      if (!kTopLevelKeys.count(key.str()))
        issue(&node, std::string(key.str()),
              "unknown top-level key; expected one of [kernel], [backtest], [risk], [failsafe], [journal], [[plugin]]");
    }
  }

  const toml::table* table_at(const toml::table& parent, std::string_view key, const std::string& path) {
    const toml::node* node = parent.get(key);
    if (!node) return nullptr;
    if (!node->is_table()) {
      issue(node, path, "expected a table, was " + type_name(*node));
      return nullptr;
    }
    return node->as_table();
  }

  void check_keys(const toml::table& table, const std::set<std::string, std::less<>>& allowed,
                  const std::string& path) {
    for (auto&& [key, node] : table) {
      if (!allowed.count(key.str())) {
        std::string list;
        for (const auto& k : allowed) list += (list.empty() ? "" : ", ") + k;
        issue(&node, path + "." + std::string(key.str()), "unknown key; expected one of: " + list);
      }
    }
  }

  std::optional<std::string> string_at(const toml::table& t, std::string_view key, const std::string& path) {
    const toml::node* node = t.get(key);
    if (!node) return std::nullopt;
    if (const auto* s = node->as_string()) return s->get();
    issue(node, path, "expected a string, was " + type_name(*node) + " " + describe(*node));
    return std::nullopt;
  }

  std::filesystem::path resolve(const std::string& p) const {
    std::filesystem::path path(p);
    return (path.is_absolute() ? path : config_.base_dir / path).lexically_normal();
  }

  void load_kernel(const toml::table& t) {
    check_keys(t, kKernelKeys, "kernel");
    if (auto mode = string_at(t, "mode", "kernel.mode")) {
      if (auto m = parse_run_mode(*mode))
        config_.kernel.mode = *m;
      else
        issue(t.get("mode"), "kernel.mode", "expected \"backtest\", \"paper\" or \"live\", was \"" + *mode + "\"");
    }
    if (auto out = string_at(t, "output_dir", "kernel.output_dir")) {
      if (out->empty())
        issue(t.get("output_dir"), "kernel.output_dir", "expected a directory path, was an empty string");
      else
        config_.kernel.output_dir = resolve(*out);
    }
    if (auto dir = string_at(t, "state_dir", "kernel.state_dir")) {
      if (dir->empty())
        issue(t.get("state_dir"), "kernel.state_dir", "expected a directory path, was an empty string");
      else
        config_.kernel.state_dir = resolve(*dir);
    }
    if (const toml::node* n = t.get("warmup_minutes")) {
      // Up to ten years: enough for any daily indicator, small enough that a typo cannot ask a
      // venue for centuries of bars.
      constexpr std::int64_t kMaxWarmupMinutes = 10LL * 366 * 24 * 60;
      const auto* i = n->as_integer();
      if (!i || i->get() < 0 || i->get() > kMaxWarmupMinutes)
        issue(n, "kernel.warmup_minutes", "expected an integer from 0 to " + std::to_string(kMaxWarmupMinutes) + ", was " + describe(*n));
      else
        config_.kernel.warmup_minutes = i->get();
    }
    if (auto level = string_at(t, "log_level", "kernel.log_level")) {
      if (*level == "debug") config_.kernel.log_level = sdk::LogLevel::Debug;
      else if (*level == "info") config_.kernel.log_level = sdk::LogLevel::Info;
      else if (*level == "warning") config_.kernel.log_level = sdk::LogLevel::Warning;
      else if (*level == "error") config_.kernel.log_level = sdk::LogLevel::Error;
      else issue(t.get("log_level"), "kernel.log_level", "expected \"debug\", \"info\", \"warning\" or \"error\", was \"" + *level + "\"");
    }
    if (const toml::node* dirs = t.get("plugin_dirs")) {
      const auto* arr = dirs->as_array();
      if (!arr) {
        issue(dirs, "kernel.plugin_dirs", "expected an array of directory paths, was " + type_name(*dirs));
      } else {
        for (std::size_t i = 0; i < arr->size(); ++i) {
          const auto* s = (*arr)[i].as_string();
          if (!s || s->get().empty())
            issue(&(*arr)[i], "kernel.plugin_dirs[" + std::to_string(i) + "]", "expected a directory path string, was " + describe((*arr)[i]));
          else
            config_.kernel.plugin_dirs.push_back(resolve(s->get()));
        }
      }
    }
  }

  std::optional<sdk::Timestamp> timestamp_at(const toml::table& t, std::string_view key, const std::string& path) {
    const toml::node* node = t.get(key);
    if (!node) return std::nullopt;
    std::string text;
    if (const auto* s = node->as_string()) {
      text = s->get();
    } else if (const auto* d = node->as_date()) {
      std::ostringstream os;
      os << *d;
      text = os.str();
    } else if (const auto* dt = node->as_date_time()) {
      std::ostringstream os;
      os << *dt;
      text = os.str();
    }
    if (auto ts = sdk::Timestamp::parse_iso8601(text)) return ts;
    issue(node, path, "expected an ISO-8601 UTC date or date-time (2020-01-31 or 2020-01-31T14:30:00Z), was " + describe(*node));
    return std::nullopt;
  }

  void load_failsafe(const toml::table& t) {
    check_keys(t, kFailsafeKeys, "failsafe");
    auto integer_at = [&](const char* key, std::int64_t minimum, std::int64_t maximum,
                          std::int64_t& out) {
      const toml::node* n = t.get(key);
      if (!n) return;
      const auto* i = n->as_integer();
      if (!i || i->get() < minimum || i->get() > maximum)
        issue(n, std::string("failsafe.") + key,
              "expected an integer from " + std::to_string(minimum) + " to " +
                  std::to_string(maximum) + ", was " + describe(*n));
      else
        out = i->get();
    };
    integer_at("heartbeat_interval_ms", 10, kMaxIntervalMs, config_.failsafe.heartbeat_interval_ms);
    integer_at("max_failures", 1, std::numeric_limits<std::int32_t>::max(),
               config_.failsafe.max_failures);
    integer_at("max_data_gap_ms", 10, kMaxDataGapMs, config_.failsafe.max_data_gap_ms);
    if (const toml::node* n = t.get("daily_pnl_alert_pct")) {
      std::optional<sdk::Decimal> v;
      if (const auto* s = n->as_string()) v = sdk::Decimal::parse(s->get());
      else if (const auto* i = n->as_integer(); i && i->get() > 0 && i->get() <= 100) v = sdk::Decimal::from_int(i->get());
      if (!v || !v->is_positive())
        issue(n, "failsafe.daily_pnl_alert_pct", "expected a percentage > 0 such as \"2.5\", was " + describe(*n));
      else
        config_.failsafe.daily_pnl_alert_pct = *v;
    }
    if (auto a = string_at(t, "emergency_action", "failsafe.emergency_action")) {
      if (auto action = parse_drawdown_action(*a)) config_.failsafe.emergency_action = *action;
      else issue(t.get("emergency_action"), "failsafe.emergency_action", "expected \"hold\", \"cancel\" or \"flatten\", was \"" + *a + "\"");
    }
  }

  void load_journal(const toml::table& t) {
    check_keys(t, kJournalKeys, "journal");
    if (auto p = string_at(t, "path", "journal.path")) {
      if (p->empty()) issue(t.get("path"), "journal.path", "expected a file path, was an empty string");
      else config_.journal.path = resolve(*p);
    } else if (!t.get("path")) {
      issue(&t, "journal.path", "missing: the journal's file path (e.g. \"state/journal.sqlite\")");
    }
    if (const toml::node* n = t.get("max_size_mb")) {
      const auto* i = n->as_integer();
      if (!i || i->get() < 0 || i->get() > kMaxJournalMb)
        issue(n, "journal.max_size_mb",
              "expected an integer from 0 (no cap) to " + std::to_string(kMaxJournalMb) + ", was " +
                  describe(*n));
      else config_.journal.max_size_mb = i->get();
    }
    if (const toml::node* n = t.get("in_doubt_recheck_ms")) {
      const auto* i = n->as_integer();
      if (!i || i->get() < 0 || i->get() > kMaxIntervalMs)
        issue(n, "journal.in_doubt_recheck_ms",
              "expected an integer from 0 to " + std::to_string(kMaxIntervalMs) + ", was " +
                  describe(*n));
      else config_.journal.in_doubt_recheck_ms = i->get();
    }
    auto tolerance_at = [&](const char* key, sdk::Decimal& out) {
      const toml::node* n = t.get(key);
      if (!n) return;
      std::optional<sdk::Decimal> v;
      if (const auto* s = n->as_string()) v = sdk::Decimal::parse(s->get());
      else if (const auto* i = n->as_integer(); i && i->get() >= 0 && i->get() < 1'000'000'000) v = sdk::Decimal::from_int(i->get());
      if (!v || v->is_negative()) issue(n, std::string("journal.") + key, "expected a decimal >= 0 such as \"0.01\", was " + describe(*n));
      else out = *v;
    };
    tolerance_at("position_tolerance", config_.journal.position_tolerance);
    tolerance_at("cash_tolerance", config_.journal.cash_tolerance);
  }

  void load_backtest(const toml::table& t) {
    check_keys(t, kBacktestKeys, "backtest");
    if (auto s = timestamp_at(t, "start", "backtest.start")) config_.backtest.start = *s;
    if (auto e = timestamp_at(t, "end", "backtest.end")) config_.backtest.end = *e;
    if (config_.backtest.start >= config_.backtest.end)
      issue(t.get("end"), "backtest.end", "expected a time after backtest.start");
  }

  void load_plugins(const toml::table& root) {
    const toml::node* node = root.get("plugin");
    if (!node) {
      issue(nullptr, "plugin", "no [[plugin]] entries: at least one broker and one strategy are needed");
      return;
    }
    const auto* arr = node->as_array();
    if (!arr || !arr->is_array_of_tables()) {
      issue(node, "plugin", "expected [[plugin]] entries (an array of tables), was " + type_name(*node));
      return;
    }
    std::set<std::string> ids;
    for (std::size_t i = 0; i < arr->size(); ++i) {
      const toml::table& t = *(*arr)[i].as_table();
      PluginEntry entry;
      entry.index = i;
      entry.line = line_of(t);
      std::string path = "plugin[" + std::to_string(i) + "]";
      if (auto id = string_at(t, "id", path + ".id")) {
        if (!valid_id(*id)) {
          issue(t.get("id"), path + ".id", "expected letters, digits, '_' or '-' (1-32 characters), was \"" + *id + "\"");
        } else {
          entry.id = *id;
          path = entry.key_path();
          if (!ids.insert(*id).second) issue(t.get("id"), path + ".id", "duplicate plugin id \"" + *id + "\"");
        }
      } else if (!t.get("id")) {
        issue(&t, path, "missing key \"id\"");
      }
      check_keys(t, kPluginKeys, path);
      if (auto lib = string_at(t, "library", path + ".library")) {
        if (lib->empty()) issue(t.get("library"), path + ".library", "expected a library name or path, was an empty string");
        entry.library = *lib;
      } else if (!t.get("library")) {
        issue(&t, path, "missing key \"library\" (a library name such as \"mercurio_broker_paper\", or a path)");
      }
      entry.broker = string_at(t, "broker", path + ".broker");
      entry.market_data = string_at(t, "market_data", path + ".market_data");
      if (const toml::node* md = t.get("market_data")) entry.market_data_line = md->source().begin.line;
      if (auto sev = string_at(t, "min_severity", path + ".min_severity")) {
        if (*sev == "info") entry.min_severity = sdk::Severity::Info;
        else if (*sev == "warning") entry.min_severity = sdk::Severity::Warning;
        else if (*sev == "error") entry.min_severity = sdk::Severity::Error;
        else if (*sev == "critical") entry.min_severity = sdk::Severity::Critical;
        else issue(t.get("min_severity"), path + ".min_severity", "expected \"info\", \"warning\", \"error\" or \"critical\", was \"" + *sev + "\"");
      }
      if (const toml::node* r = t.get("risk")) {
        if (const auto* rt = r->as_table())
          entry.risk = parse_risk_override(*rt, config_.risk.limits, path + ".risk", file_, issues_);
        else
          issue(r, path + ".risk", "expected a table of limits that tighten [risk], was " + type_name(*r));
      }
      if (const toml::node* cfg = t.get("config")) {
        if (const auto* ct = cfg->as_table())
          entry.config = ct;
        else
          issue(cfg, path + ".config", "expected a table, was " + type_name(*cfg));
      }
      config_.plugins.push_back(std::move(entry));
    }
  }

  static bool valid_id(const std::string& id) {
    if (id.empty() || id.size() > 32) return false;
    for (char c : id)
      if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-')) return false;
    return true;
  }

  std::string file_;
  Config config_;
  ConfigIssues issues_;
};

}  // namespace

std::string_view to_string(RunMode mode) noexcept {
  switch (mode) {
    case RunMode::Backtest: return "backtest";
    case RunMode::Paper: return "paper";
    case RunMode::Live: return "live";
  }
  return "?";
}

std::optional<RunMode> parse_run_mode(std::string_view text) noexcept {
  if (text == "backtest") return RunMode::Backtest;
  if (text == "paper") return RunMode::Paper;
  if (text == "live") return RunMode::Live;
  return std::nullopt;
}

std::string PluginEntry::key_path() const {
  return id.empty() ? "plugin[" + std::to_string(index) + "]" : "plugin[" + id + "]";
}

namespace {

Config parse_collecting(std::string_view text, const std::filesystem::path& file, ConfigIssues& issues) {
  Loader loader(file);
  auto root = std::make_shared<toml::table>();
  try {
    *root = toml::parse(text, file.string());
  } catch (const toml::parse_error& err) {
    issues.add(file.string(), err.source().begin.line, err.source().begin.column, "",
               "TOML syntax error: " + std::string(err.description()));
    Config empty;
    empty.file = file;
    empty.base_dir = std::filesystem::absolute(file).parent_path().lexically_normal();
    return empty;
  }
  Config config = loader.load(*root, issues);
  config.document = std::move(root);
  return config;
}

}  // namespace

Config parse_config(std::string_view text, const std::filesystem::path& file) {
  ConfigIssues issues;
  Config config = parse_collecting(text, file, issues);
  if (!issues.empty()) throw ConfigError(issues);
  return config;
}

Config load_config(const std::filesystem::path& file, ConfigIssues& issues) {
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    issues.add(file.string(), 0, 0, "", "cannot read the configuration file (does it exist and is it readable?)");
    Config empty;
    empty.file = file;
    return empty;
  }
  std::ostringstream buffer;
  buffer << in.rdbuf();
  return parse_collecting(buffer.str(), file, issues);
}

Config load_config(const std::filesystem::path& file) {
  ConfigIssues issues;
  Config config = load_config(file, issues);
  if (!issues.empty()) throw ConfigError(issues);
  return config;
}

}  // namespace mercurio::kernel
