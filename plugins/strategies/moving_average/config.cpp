#include "config.hpp"

#include <set>
#include <stdexcept>
#include <utility>

#include "mercurio/sdk/types.hpp"

namespace mercurio::strategies::moving_average {

namespace {

using sdk::ConfigField;
using sdk::Decimal;

// The smallest positive decimal: schema bounds are inclusive, so "> 0" is ">= 10^-8".
constexpr Decimal kSmallestPositive = Decimal::from_raw(1);

std::string quoted(std::string_view text) { return "\"" + std::string(text) + "\""; }

void add_error(std::vector<std::string>& errors, std::string_view key, std::string_view expected,
               std::string_view was) {
  errors.push_back("config key '" + std::string(key) + "': expected " + std::string(expected) +
                   ", was " + std::string(was));
}

void collect_errors(const Settings& s, std::vector<std::string>& errors) {
  if (s.symbols.empty()) add_error(errors, "symbols", "at least one symbol", "an empty list");
  std::set<std::string_view> seen;
  for (std::size_t i = 0; i < s.symbols.size(); ++i) {
    const std::string& symbol = s.symbols[i];
    const std::string key = "symbols[" + std::to_string(i) + "]";
    if (symbol.empty()) {
      add_error(errors, key, "a non-empty symbol", "\"\"");
    } else if (!sdk::Symbol::fits(symbol)) {
      add_error(errors, key, "at most " + std::to_string(sdk::Symbol::kCapacity) + " characters",
                std::to_string(symbol.size()) + " (" + quoted(symbol.substr(0, 40)) + ")");
    } else if (!seen.insert(symbol).second) {
      add_error(errors, key, "each symbol once", quoted(symbol) + " again");
    }
  }
  if (s.short_window < 1 || s.short_window > kMaxWindow)
    add_error(errors, "short_window", "an integer in [1, " + std::to_string(kMaxWindow) + "]",
              std::to_string(s.short_window));
  if (s.long_window < 2 || s.long_window > kMaxWindow)
    add_error(errors, "long_window", "an integer in [2, " + std::to_string(kMaxWindow) + "]",
              std::to_string(s.long_window));
  else if (s.long_window <= s.short_window)
    add_error(errors, "long_window",
              "more than short_window (" + std::to_string(s.short_window) + ")",
              std::to_string(s.long_window));
  if (!s.quantity.is_positive())
    add_error(errors, "quantity", "a decimal > 0", s.quantity.to_string());
  if (!s.percent.is_positive() || s.percent > Decimal::from_int(100))
    add_error(errors, "percent", "a decimal in (0, 100]", s.percent.to_string());
  if (!s.lot_size.is_positive())
    add_error(errors, "lot_size", "a decimal > 0", s.lot_size.to_string());
}

[[noreturn]] void throw_errors(const std::vector<std::string>& errors) {
  std::string message;
  for (const auto& e : errors) {
    if (!message.empty()) message += "; ";
    message += e;
  }
  throw std::invalid_argument(message);
}

}  // namespace

std::string_view to_string(Sizing sizing) noexcept {
  switch (sizing) {
    case Sizing::Fixed: return "fixed";
    case Sizing::PercentEquity: return "percent_equity";
    case Sizing::PercentBuyingPower: return "percent_buying_power";
  }
  return "?";
}

sdk::ConfigSchema moving_average_config_schema() {
  sdk::ConfigSchema schema;
  schema
      .add(ConfigField::string_list("symbols", "symbols to trade, each with its own averages")
               .mandatory())
      .add(ConfigField::string("average", "kind of moving average: sma (exact) or ema")
               .one_of({"sma", "ema"})
               .defaults("sma"))
      .add(ConfigField::integer("short_window", "bars in the short average")
               .min(std::int64_t{1})
               .max(kMaxWindow)
               .defaults(10))
      .add(ConfigField::integer("long_window", "bars in the long average; more than short_window")
               .min(std::int64_t{2})
               .max(kMaxWindow)
               .defaults(30))
      .add(ConfigField::string("sizing", "how an entry is sized")
               .one_of({"fixed", "percent_equity", "percent_buying_power"})
               .defaults("fixed"))
      .add(ConfigField::decimal("quantity", "units per entry with sizing = fixed")
               .min(kSmallestPositive)
               .defaults(sdk::ConfigValue{Decimal::from_int(100)}))
      .add(ConfigField::decimal("percent",
                                "percent of equity or buying power per entry, in (0, 100]")
               .min(kSmallestPositive)
               .max(Decimal::from_int(100))
               .defaults(sdk::ConfigValue{Decimal::from_int(10)}))
      .add(ConfigField::decimal("lot_size",
                                "percent sizing rounds quantities down to a multiple of this")
               .min(kSmallestPositive)
               .defaults(sdk::ConfigValue{Decimal::from_int(1)}))
      .add(ConfigField::boolean("long_only", "never go short").defaults(true));
  return schema;
}

Settings parse_settings(const sdk::ConfigView& config) {
  Settings s;
  std::vector<std::string> errors;

  if (config.has("symbols"))
    s.symbols = config.get_string_list("symbols");
  else
    add_error(errors, "symbols", "a list of symbols", "not set");

  if (config.has("average")) {
    const std::string& v = config.get_string("average");
    if (v == "sma")
      s.average = AverageKind::Simple;
    else if (v == "ema")
      s.average = AverageKind::Exponential;
    else
      add_error(errors, "average", "\"sma\" or \"ema\"", quoted(v));
  }
  if (config.has("short_window")) s.short_window = config.get_integer("short_window");
  if (config.has("long_window")) s.long_window = config.get_integer("long_window");
  if (config.has("sizing")) {
    const std::string& v = config.get_string("sizing");
    if (v == "fixed")
      s.sizing = Sizing::Fixed;
    else if (v == "percent_equity")
      s.sizing = Sizing::PercentEquity;
    else if (v == "percent_buying_power")
      s.sizing = Sizing::PercentBuyingPower;
    else
      add_error(errors, "sizing", "\"fixed\", \"percent_equity\" or \"percent_buying_power\"",
                quoted(v));
  }
  if (config.has("quantity")) s.quantity = config.get_decimal("quantity");
  if (config.has("percent")) s.percent = config.get_decimal("percent");
  if (config.has("lot_size")) s.lot_size = config.get_decimal("lot_size");
  if (config.has("long_only")) s.long_only = config.get_boolean("long_only");

  // "symbols: not set" already says what is wrong; don't add "empty list" on top of it.
  std::vector<std::string> range_errors;
  collect_errors(s, range_errors);
  for (auto& e : range_errors)
    if (config.has("symbols") || e.rfind("config key 'symbols'", 0) != 0)
      errors.push_back(std::move(e));
  if (!errors.empty()) throw_errors(errors);
  return s;
}

void validate(const Settings& settings) {
  std::vector<std::string> errors;
  collect_errors(settings, errors);
  if (!errors.empty()) throw_errors(errors);
}

}  // namespace mercurio::strategies::moving_average
