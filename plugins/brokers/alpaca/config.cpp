#include "config.hpp"

#include <cctype>
#include <filesystem>
#include <map>
#include <vector>

namespace mercurio::brokers::alpaca {

using sdk::ConfigField;

namespace {
// The longest interval, timeout or delay accepted (a day): a larger one overflowed once turned
// into nanoseconds for a wait.
constexpr std::int64_t kMaxMillis = std::int64_t{24} * 3600 * 1000;

// Timeframes this plugin can turn into a bar length (Alpaca accepts more spellings).
const std::map<std::string, std::chrono::milliseconds>& timeframes() {
  static const std::map<std::string, std::chrono::milliseconds> k = {
      {"1Min", std::chrono::minutes(1)},   {"5Min", std::chrono::minutes(5)},
      {"15Min", std::chrono::minutes(15)}, {"30Min", std::chrono::minutes(30)},
      {"1Hour", std::chrono::hours(1)},    {"1Day", std::chrono::hours(24)}};
  return k;
}
}  // namespace

std::vector<std::string> account_host_errors(const AlpacaSettings& settings) {
  std::vector<std::string> errors;
  if (settings.environment != "paper" && settings.environment != "live")
    return errors;  // reported already
  const bool live = settings.environment == "live";
  const std::string expected = live ? kLiveTradingHost : kPaperTradingHost;
  for (const auto& [key, url] : {std::pair{"trading_url", &settings.trading_url},
                                 std::pair{"stream_url", &settings.stream_url}}) {
    if (url->host.empty() || common::is_loopback_host(url->host))
      continue;  // unparsed (reported), or a test server
    // As DNS compares names: any case, an optional trailing dot.
    std::string host = url->host;
    for (auto& c : host) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (host.back() == '.') host.pop_back();
    const bool alpaca =
        host == "alpaca.markets" ||
        (host.size() > 15 && host.compare(host.size() - 15, 15, ".alpaca.markets") == 0);
    if (!alpaca || host == expected) continue;
    std::string problem = "host " + url->host + " ";
    if (host == kLiveTradingHost)
      problem += "is Alpaca's live Trading API (real money), refused with environment = \"paper\": "
                 "set environment = \"live\" (accepted only when the kernel runs live) or use " +
                 expected;
    else if (host == kPaperTradingHost)
      problem += "is Alpaca's paper Trading API, refused with environment = \"live\" (the run "
                 "would believe it trades real money): use " +
                 expected + " or environment = \"paper\"";
    else
      problem += "is not Alpaca's " + settings.environment + " Trading API host (" + expected + ")";
    errors.push_back("config key '" + std::string(key) + "': " + problem);
  }
  return errors;
}

DefaultUrls default_urls(const std::string& environment) {
  const std::string host = environment == "live" ? kLiveTradingHost : kPaperTradingHost;
  return {"https://" + host, "wss://" + host + "/stream"};
}

sdk::ConfigSchema alpaca_config_schema() {
  sdk::ConfigSchema s;
  s.add(ConfigField::string("environment", "paper | live: selects Alpaca's base URLs")
            .one_of({"paper", "live"})
            .defaults("paper"))
      .add(ConfigField::secret("key_id", "API key id, as env:NAME or file:PATH").mandatory())
      .add(
          ConfigField::secret("secret_key", "API secret key, as env:NAME or file:PATH").mandatory())
      .add(ConfigField::string("trading_url", "Trading API base URL (default: by environment)"))
      .add(ConfigField::string("data_url", "Market Data API base URL").defaults(kDefaultDataUrl))
      .add(ConfigField::string("stream_url",
                               "trade_updates WebSocket URL (default: by environment)"))
      .add(ConfigField::string("ca_file", "PEM file of the CAs to trust instead of the system's"))
      .add(ConfigField::string("data_feed", "bar feed: iex | sip")
               .one_of({"iex", "sip"})
               .defaults("iex"))
      .add(ConfigField::string("bar_timeframe", "bars for strategies")
               .one_of({"1Min", "5Min", "15Min", "30Min", "1Hour", "1Day"})
               .defaults("1Min"))
      .add(ConfigField::boolean(
               "stream", "order updates from the trade_updates stream (else REST polling only)")
               .defaults(true))
      .add(ConfigField::integer("bar_poll_interval_ms", "how often new bars are fetched")
               .min(200)
               .max(kMaxMillis)
               .defaults(5'000))
      .add(ConfigField::integer("order_poll_interval_ms",
                                "REST polling of open orders while the stream is down")
               .min(100)
               .max(kMaxMillis)
               .defaults(2'000))
      .add(ConfigField::integer("stream_sweep_interval_ms",
                                "while the stream is up: REST check of the open orders this often, "
                                "for news the stream lost or could not deliver")
               .min(100)
               .max(kMaxMillis)
               .defaults(60'000))
      .add(ConfigField::integer("stream_silence_ms",
                                "no message or pong for this long: resubscribe and gap-fill")
               .min(200)
               .max(kMaxMillis)
               .defaults(30'000))
      .add(ConfigField::integer("request_timeout_ms", "per-request connect and read timeout")
               .min(100)
               .max(kMaxMillis)
               .defaults(10'000))
      .add(ConfigField::integer("reconnect_initial_ms",
                                "first reconnect delay (doubles, with jitter)")
               .min(10)
               .max(kMaxMillis)
               .defaults(500))
      .add(ConfigField::integer("reconnect_max_ms", "longest reconnect delay")
               .min(10)
               .max(kMaxMillis)
               .defaults(30'000))
      .add(ConfigField::integer("requests_per_minute", "client-side budget (Alpaca allows 200)")
               .min(std::int64_t{10})
               .max(std::int64_t{200})
               .defaults(180))
      .add(ConfigField::integer("data_requests_per_minute",
                                "client-side budget of the Market Data API (Alpaca allows 200 on "
                                "the free plan, 10000 on Algo Trader Plus)")
               .min(std::int64_t{10})
               .max(std::int64_t{10'000})
               .defaults(180))
      .add(ConfigField::integer("history_page_limit", "bars per history page")
               .min(1)
               .max(std::int64_t{10'000})
               .defaults(10'000))
      .add(ConfigField::integer("open_orders_page_limit", "open orders per page of the list")
               .min(1)
               .max(std::int64_t{500})
               .defaults(500))
      .add(ConfigField::boolean(
               "trading",
               "false: market data only (history and bars); the Trading API and the "
               "trade_updates stream are never touched, orders and account calls are refused")
               .defaults(true));
  return s;
}

sdk::Result<AlpacaSettings> parse_settings(const sdk::ConfigView& config) {
  AlpacaSettings s;
  s.plugin_id = config.plugin_id();
  std::vector<std::string> errors;
  const auto key_error = [&](const std::string& key, const std::string& problem) {
    errors.push_back("config key '" + key + "': " + problem);
  };
  const auto read = [&](auto&& body) {
    try {
      body();
    } catch (const sdk::ConfigAccessError& e) {
      errors.emplace_back(e.what());
    }
  };
  const auto millis = [&](const char* key, std::chrono::milliseconds& out) {
    read([&] {
      const auto v = config.get_integer(key);
      if (v <= 0 || v > kMaxMillis)
        key_error(key, "expected 1 to " + std::to_string(kMaxMillis) + " (a day), was " + std::to_string(v));
      else out = std::chrono::milliseconds(v);
    });
  };
  const auto whole = [&](const char* key, int lo, int hi, int& out) {
    read([&] {
      const auto v = config.get_integer(key);
      if (v < lo || v > hi)
        key_error(key, "expected " + std::to_string(lo) + ".." + std::to_string(hi) + ", was " +
                           std::to_string(v));
      else
        out = static_cast<int>(v);
    });
  };
  const auto url = [&](const char* key, const std::string& text, common::Endpoint& out) {
    auto e = common::parse_endpoint(text, std::string("config key '") + key + "'");
    if (!e) errors.push_back(e.status().message());
    else out = *e;
  };

  read([&] {
    s.environment = config.get_string("environment");
    if (s.environment != "paper" && s.environment != "live")
      key_error("environment", "expected \"paper\" or \"live\", was \"" + s.environment + "\"");
  });
  s.kernel_mode = config.run_mode();
  if (s.environment == "live" && s.kernel_mode != sdk::RunMode::Live)
    key_error("environment", std::string("\"live\" trades real money and is only accepted when the kernel runs in live mode; "
                             "this run's mode is ") + (s.kernel_mode == sdk::RunMode::Paper ? "paper" : "backtest") +
                             " (use an Alpaca paper account, environment = \"paper\")");
  read([&] {
    s.key_id = config.get_secret("key_id");
    if (s.key_id.empty()) key_error("key_id", "the secret " + s.key_id.reference() + " is empty");
  });
  read([&] {
    s.secret_key = config.get_secret("secret_key");
    if (s.secret_key.empty()) key_error("secret_key", "the secret " + s.secret_key.reference() + " is empty");
  });
  const DefaultUrls defaults = default_urls(s.environment);
  read([&] { url("trading_url", config.has("trading_url") ? config.get_string("trading_url") : defaults.trading, s.trading_url); });
  read([&] { url("data_url", config.get_string("data_url"), s.data_url); });
  read([&] {
    url("stream_url", config.has("stream_url") ? config.get_string("stream_url") : defaults.stream, s.stream_url);
    if (s.stream_url.scheme.empty()) return;  // already reported
    if (s.stream_url.scheme != "wss" && s.stream_url.scheme != "ws")
      key_error("stream_url", "expected a wss:// URL, was scheme \"" + s.stream_url.scheme + "\"");
  });
  for (auto& e : account_host_errors(s)) errors.push_back(std::move(e));
  read([&] {
    if (config.has("ca_file")) {
      s.ca_file = config.get_string("ca_file");
      const std::filesystem::path p(s.ca_file);
      if (!s.ca_file.empty() && p.is_relative())
        s.ca_file = (std::filesystem::path(config.base_directory()) / p).lexically_normal().string();
    }
  });
  read([&] { s.data_feed = config.get_string("data_feed"); });
  read([&] {
    s.bar_timeframe = config.get_string("bar_timeframe");
    const auto it = timeframes().find(s.bar_timeframe);
    if (it == timeframes().end()) key_error("bar_timeframe", "unknown timeframe \"" + s.bar_timeframe + "\"");
    else s.bar_period = it->second;
  });
  read([&] { s.use_stream = config.get_boolean("stream"); });
  read([&] { s.trading = config.get_boolean("trading"); });
  millis("bar_poll_interval_ms", s.bar_poll_interval);
  millis("order_poll_interval_ms", s.order_poll_interval);
  millis("stream_silence_ms", s.stream_silence);
  millis("stream_sweep_interval_ms", s.stream_sweep_interval);
  millis("request_timeout_ms", s.request_timeout);
  millis("reconnect_initial_ms", s.reconnect_initial);
  millis("reconnect_max_ms", s.reconnect_max);
  whole("requests_per_minute", 10, 200, s.requests_per_minute);
  whole("data_requests_per_minute", 10, 10'000, s.data_requests_per_minute);
  whole("history_page_limit", 1, 10'000, s.history_page_limit);
  whole("open_orders_page_limit", 1, 500, s.open_orders_page_limit);

  if (errors.empty()) return s;
  std::string message = "plugin '" + config.plugin_id() + "' (mercurio.brokers.alpaca): " +
                        std::to_string(errors.size()) + " config error" + (errors.size() == 1 ? "" : "s") + ":";
  for (const auto& e : errors) message.append("\n  ").append(e);
  return sdk::Status(sdk::StatusCode::InvalidArgument, std::move(message));
}

}  // namespace mercurio::brokers::alpaca
