#pragma once
/// @file config.hpp
/// Configuration of the moving-average crossover strategy: the schema the kernel validates
/// `[plugin.config]` against, and the parsed, cross-checked settings.

#include <cstdint>
#include <string>
#include <vector>

#include "mercurio/sdk/config.hpp"
#include "mercurio/sdk/decimal.hpp"
#include "moving_average.hpp"

namespace mercurio::strategies::moving_average {

enum class Sizing : std::uint8_t {
  Fixed,          ///< `quantity` units per entry
  PercentEquity,  ///< `percent` % of account equity at the bar's close, rounded down to `lot_size`
  PercentBuyingPower,  ///< the same with buying power
};
std::string_view to_string(Sizing sizing) noexcept;

/// Largest accepted window. Bounds the ring buffers' memory and keeps the exact SMA comparison
/// (sum of up to 10^6 64-bit mantissas times a window) far inside 128 bits.
inline constexpr std::int64_t kMaxWindow = 1'000'000;

/// Parsed settings. Defaults equal the schema's defaults.
struct Settings {
  std::vector<std::string> symbols;
  AverageKind average = AverageKind::Simple;
  std::int64_t short_window = 10;
  std::int64_t long_window = 30;
  Sizing sizing = Sizing::Fixed;
  sdk::Decimal quantity = sdk::Decimal::from_int(100);
  sdk::Decimal percent = sdk::Decimal::from_int(10);
  sdk::Decimal lot_size = sdk::Decimal::from_int(1);
  bool long_only = true;
};

/// The keys this strategy accepts (see README.md).
sdk::ConfigSchema moving_average_config_schema();

/// Reads and validates `config`. A key that is absent takes its default (the kernel normally
/// fills defaults in already). Throws std::invalid_argument listing every problem at once,
/// each as "config key 'K': expected X, was Y", separated by "; ".
Settings parse_settings(const sdk::ConfigView& config);

/// Checks ranges and the relations between keys; throws std::invalid_argument like parse_settings.
void validate(const Settings& settings);

}  // namespace mercurio::strategies::moving_average
