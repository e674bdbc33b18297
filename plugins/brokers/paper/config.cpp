#include "config.hpp"

#include <algorithm>
#include <filesystem>
#include <thread>
#include <utility>
#include <vector>

namespace mercurio::brokers::paper {

using sdk::ConfigField;
using sdk::Decimal;

sdk::ConfigSchema paper_config_schema() {
  const Decimal zero;
  sdk::ConfigSchema schema;
  schema
      .add(ConfigField::decimal("starting_cash", "cash the simulated account starts with")
               .min(zero)
               .defaults(Decimal::from_int(100'000)))
      .add(ConfigField::string_map("data",
                                   "symbol -> CSV file of its bars (relative to the config file); empty: "
                                   "the bars come from another broker (the kernel's market_data key)")
               .defaults(sdk::ConfigValue{sdk::StringMap{}}))
      .add(ConfigField::decimal("commission_per_share", "commission per unit filled")
               .min(zero)
               .defaults(zero))
      .add(ConfigField::decimal("commission_percent",
                                "commission in percent of notional (0.1 = 0.1 %)")
               .min(zero)
               .defaults(zero))
      .add(ConfigField::decimal("commission_minimum", "minimum commission per fill")
               .min(zero)
               .defaults(zero))
      .add(ConfigField::decimal("slippage_bps",
                                "basis points market and stop fills move against the order")
               .min(zero)
               .max(Decimal::from_int(9'999))
               .defaults(zero))
      .add(ConfigField::boolean("allow_short", "accept sells beyond the position")
               .defaults(sdk::ConfigValue{false}))
      .add(ConfigField::boolean("allow_margin", "accept buys beyond the cash")
               .defaults(sdk::ConfigValue{false}))
      .add(ConfigField::string("on_bad_row", "a CSV row that fails validation: error | skip")
               .one_of({"error", "skip"})
               .defaults("error"))
      .add(ConfigField::string("state_file",
                               "keep the simulated account (cash, positions, orders, fills, replay position) in this "
                               "file so it outlives the process like a real broker's; empty: in memory only")
               .defaults(""))
      .add(ConfigField::integer("replay_interval_ms", "pause between replayed bars in paper mode")
               .min(std::int64_t{0})
               .max(kMaxReplayIntervalMs)
               .defaults(0))
      .add(ConfigField::integer("load_threads",
                                "threads one data file's rows are parsed on (files of " +
                                    std::to_string(2 * kMinPieceBytes / 1024) +
                                    " KiB and more); 0: one per online CPU")
               .min(std::int64_t{0})
               .max(std::int64_t{kMaxLoadThreads})
               .defaults(0));
  return schema;
}

sdk::Result<PaperSettings> parse_settings(const sdk::ConfigView& config) {
  PaperSettings s;
  s.plugin_id = config.plugin_id();
  std::vector<std::string> errors;
  const auto key_error = [&](const std::string& key, const std::string& problem) {
    errors.push_back("config key '" + key + "': " + problem);
  };
  const auto non_negative = [&](const char* key) {
    const Decimal v = config.get_decimal(key);
    if (v.is_negative()) key_error(key, "expected >= 0, was " + v.to_string());
    return v;
  };

  // Each key is read on its own so one unreadable key does not hide the others' errors.
  const auto read = [&](auto&& body) {
    try {
      body();
    } catch (const sdk::ConfigAccessError& e) {
      errors.emplace_back(e.what());
    }
  };
  read([&] { s.starting_cash = non_negative("starting_cash"); });
  read([&] { s.commission.per_share = non_negative("commission_per_share"); });
  // The fill rules divide these (percent / 100, bps / 10000) in 8-digit decimals: a finer figure
  // would be rounded away (0.0000005 % charged as 0), so it is refused rather than changed.
  const auto at_most_places = [&](const char* key, Decimal v, int places, const char* divisor) {
    std::int64_t unit = 1;
    for (int i = places; i < 8; ++i) unit *= 10;
    if (v.raw() % unit != 0)
      key_error(key, "expected at most " + std::to_string(places) +
                         " decimal places (it is divided by " + divisor +
                         " in 8-digit decimals), was " + v.to_string());
  };
  read([&] {
    s.commission.percent = non_negative("commission_percent");
    at_most_places("commission_percent", s.commission.percent, 6, "100");
  });
  read([&] { s.commission.minimum = non_negative("commission_minimum"); });
  read([&] {
    s.slippage_bps = non_negative("slippage_bps");
    if (s.slippage_bps >= Decimal::from_int(10'000))
      key_error("slippage_bps", "expected below 10000 (100 %), was " + s.slippage_bps.to_string());
    at_most_places("slippage_bps", s.slippage_bps, 4, "10000");
  });
  read([&] { s.allow_short = config.get_boolean("allow_short"); });
  read([&] { s.allow_margin = config.get_boolean("allow_margin"); });
  read([&] {
    const std::string& policy = config.get_string("on_bad_row");
    if (policy == "error") {
      s.on_bad_row = BadRowPolicy::Error;
    } else if (policy == "skip") {
      s.on_bad_row = BadRowPolicy::Skip;
    } else {
      key_error("on_bad_row", "expected \"error\" or \"skip\", was \"" + policy + "\"");
    }
  });
  read([&] {
    const std::int64_t interval = config.get_integer("replay_interval_ms");
    if (interval < 0 || interval > kMaxReplayIntervalMs)
      key_error("replay_interval_ms", "expected 0 to " + std::to_string(kMaxReplayIntervalMs) +
                                          " (a day), was " + std::to_string(interval));
    else
      s.replay_interval = std::chrono::milliseconds(interval);
  });
  read([&] {
    const std::int64_t threads = config.get_integer("load_threads");
    if (threads < 0 || threads > kMaxLoadThreads)
      key_error("load_threads", "expected 0 to " + std::to_string(kMaxLoadThreads) + ", was " +
                                    std::to_string(threads));
    else if (threads > 0)
      s.load_threads = static_cast<unsigned>(threads);
    else
      s.load_threads = std::clamp(std::thread::hardware_concurrency(), 1U,
                                  static_cast<unsigned>(kMaxLoadThreads));
  });
  read([&] {
    const std::string file = config.get_string("state_file");
    if (!file.empty()) {
      const std::filesystem::path path(file);
      s.state_file = (path.is_absolute() ? path : std::filesystem::path(config.base_directory()) / path).lexically_normal().string();
      if (config.run_mode() == sdk::RunMode::Backtest)
        s.state_file_not_used = std::exchange(s.state_file, {});
    }
  });
  read([&] {
    // Empty: this broker trades on bars the kernel routes to it from a data broker (market_data).
    const auto& data = config.get_string_map("data");
    const std::filesystem::path base(config.base_directory());
    for (const auto& [symbol, file] : data) {
      if (symbol.empty() || !sdk::Symbol::fits(symbol)) {
        key_error("data." + symbol, "expected a symbol of 1 to 31 characters, was " +
                                        std::to_string(symbol.size()) + " characters");
        continue;
      }
      if (file.empty()) {
        key_error("data." + symbol, "expected a CSV file path, was empty");
        continue;
      }
      const std::filesystem::path path(file);
      s.data.emplace(sdk::Symbol(symbol),
                     (path.is_absolute() ? path : base / path).lexically_normal().string());
    }
  });

  if (errors.empty()) return s;
  std::string message = "plugin '" + config.plugin_id() +
                        "' (mercurio.brokers.paper): " + std::to_string(errors.size()) +
                        " config error" + (errors.size() == 1 ? "" : "s") + ":";
  for (const auto& e : errors) message.append("\n  ").append(e);
  return sdk::Status(sdk::StatusCode::InvalidArgument, std::move(message));
}

}  // namespace mercurio::brokers::paper
