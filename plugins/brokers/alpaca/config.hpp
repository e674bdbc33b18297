#pragma once
/// @file config.hpp
/// mercurio.brokers.alpaca's config schema and its parsed, checked settings.

#include <chrono>
#include <string>
#include <vector>

#include "mercurio/brokers/common/endpoint.hpp"
#include "mercurio/sdk/config.hpp"
#include "mercurio/sdk/status.hpp"

namespace mercurio::brokers::alpaca {

/// Every key `[plugin.config]` accepts (documented in README.md).
sdk::ConfigSchema alpaca_config_schema();

struct AlpacaSettings {
  std::string plugin_id;
  std::string environment = "paper";  ///< "paper" | "live"
  sdk::RunMode kernel_mode = sdk::RunMode::Backtest;  ///< the run's mode, from the ConfigView
  sdk::Secret key_id;
  sdk::Secret secret_key;
  common::Endpoint trading_url;
  common::Endpoint data_url;
  common::Endpoint stream_url;
  std::string ca_file;                ///< empty: system CAs
  std::string data_feed = "iex";
  std::string bar_timeframe = "1Min";
  std::chrono::milliseconds bar_period{60'000};  ///< length of one bar of bar_timeframe
  bool use_stream = true;
  bool trading = true;  ///< false: market data only (no Trading API, no trade_updates stream)
  std::chrono::milliseconds bar_poll_interval{5'000};
  std::chrono::milliseconds order_poll_interval{2'000};
  std::chrono::milliseconds stream_silence{30'000};
  std::chrono::milliseconds stream_sweep_interval{60'000};
  std::chrono::milliseconds request_timeout{10'000};
  std::chrono::milliseconds reconnect_initial{500};
  std::chrono::milliseconds reconnect_max{30'000};
  int requests_per_minute = 180;       ///< the Trading API's client-side budget
  int data_requests_per_minute = 180;  ///< the Market Data API's, counted apart by Alpaca
  int history_page_limit = 10'000;
  int open_orders_page_limit = 500;  ///< Alpaca's maximum
};

/// Base URLs used when the config does not override them.
struct DefaultUrls {
  std::string trading;
  std::string stream;
};
DefaultUrls default_urls(const std::string& environment);
inline constexpr const char* kDefaultDataUrl = "https://data.alpaca.markets";

/// Alpaca's Trading API hosts (REST and the trade_updates stream): which account, paper or live
/// (real money), a request reaches is decided by the host, not by `environment`.
inline constexpr const char* kPaperTradingHost = "paper-api.alpaca.markets";
inline constexpr const char* kLiveTradingHost = "api.alpaca.markets";

/// trading_url and stream_url must agree with `environment`: a host under alpaca.markets must be
/// that environment's Trading API host. Loopback hosts (tests) and hosts outside alpaca.markets
/// are not checked. One message per problem, naming the key and the host (never a secret).
std::vector<std::string> account_host_errors(const AlpacaSettings& settings);

/// Reads and checks every key; InvalidArgument lists all problems at once, each naming the key.
/// Messages may name a secret's reference ("env:APCA_API_KEY_ID"), never its value.
sdk::Result<AlpacaSettings> parse_settings(const sdk::ConfigView& config);

}  // namespace mercurio::brokers::alpaca
