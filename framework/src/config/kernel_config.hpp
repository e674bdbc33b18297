#pragma once
// The kernel's view of mercurio.toml: its own tables, plus one raw entry per plugin whose
// `config` table is validated later against the plugin's declared schema.

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <toml++/toml.h>

#include "mercurio/sdk/config.hpp"
#include "mercurio/sdk/logger.hpp"
#include "mercurio/sdk/notifier.hpp"
#include "mercurio/sdk/time.hpp"
#include "risk/risk_limits.hpp"

namespace mercurio::kernel {

// One enum for kernel and plugins: plugins read it from their ConfigView.
using RunMode = sdk::RunMode;
std::string_view to_string(RunMode mode) noexcept;
std::optional<RunMode> parse_run_mode(std::string_view text) noexcept;

struct KernelSettings {
  RunMode mode = RunMode::Backtest;
  std::vector<std::filesystem::path> plugin_dirs;  // absolute; searched before the bundled directory
  std::filesystem::path output_dir;                // absolute
  sdk::LogLevel log_level = sdk::LogLevel::Info;
  std::filesystem::path state_dir;  // absolute; trading state, audit log, operator commands (paper/live)
  std::int64_t warmup_minutes = 0;  // paper/live: history this far back is replayed to strategies, orders refused
};

/// [failsafe]: the broker heartbeat (paper and live modes).
struct FailsafeSettings {
  std::int64_t heartbeat_interval_ms = 30'000;  // how often each broker's account() is probed
  std::int64_t max_failures = 3;                // consecutive failed probes that HALT trading
  DrawdownAction emergency_action = DrawdownAction::CancelOpenOrders;  // at the broker, once it answers again
  std::int64_t max_data_gap_ms = 300'000;       // no bar of a subscribed symbol for longer, market open -> REDUCING
  sdk::Decimal daily_pnl_alert_pct = sdk::Decimal::from_int(2);  // alert when |daily P&L| crosses it
};

/// [journal]: the deployment's durable record (paper and live; required for live).
struct JournalSettings {
  std::optional<std::filesystem::path> path;      // absolute; no [journal] table: no journal
  std::int64_t max_size_mb = 0;                   // 0: no cap; a full journal HALTS trading
  sdk::Decimal position_tolerance;                // |local - broker| quantity allowed per symbol
  sdk::Decimal cash_tolerance = sdk::Decimal::from_raw(1'000'000);  // 0.01 in account currency
  std::int64_t in_doubt_recheck_ms = 5'000;       // second lookup of an unknown submit before any resend
};

struct BacktestSettings {
  sdk::Timestamp start{INT64_MIN};  // inclusive
  sdk::Timestamp end{INT64_MAX};    // exclusive
};

/// One `[[plugin]]` entry as written. Kind-specific keys are checked once the manifest is known.
struct PluginEntry {
  std::size_t index = 0;  // 0-based position among [[plugin]] entries
  std::string id;
  std::string library;
  std::optional<std::string> broker;        // strategies: the broker plugin id they trade on
  std::optional<sdk::Severity> min_severity;  // notifiers: lowest severity delivered
  std::optional<std::string> market_data;   // brokers: the broker plugin id whose bars this broker trades on
  std::uint32_t market_data_line = 0;       // line of the market_data key (for messages)
  const toml::table* config = nullptr;      // the plugin's own table inside Config::document, or null
  std::optional<RiskLimits> risk;           // kernel-owned [plugin.risk] override; the plugin never sees it
  std::uint32_t line = 0;
  std::string key_path() const;             // "plugin[<id>]" or "plugin[<index>]"
};

struct Config {
  std::shared_ptr<const toml::table> document;  // the parsed file; keeps source positions for messages
  std::filesystem::path file;      // as given
  std::filesystem::path base_dir;  // directory of the file, absolute
  KernelSettings kernel;
  BacktestSettings backtest;
  RiskConfig risk;
  FailsafeSettings failsafe;
  JournalSettings journal;
  std::vector<PluginEntry> plugins;
};

}  // namespace mercurio::kernel
