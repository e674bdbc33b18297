#pragma once
/// @file config.hpp
/// Configuration of the log notifier.

#include <cstdint>
#include <string_view>

#include "mercurio/sdk/config.hpp"

namespace mercurio::notifiers::log {

enum class Format : std::uint8_t {
  Text,  ///< `[SEVERITY] title — body (k=v, ...) source=...`
  Json,  ///< one JSON object per line
};
std::string_view to_string(Format format) noexcept;

struct Settings {
  Format format = Format::Text;
};

/// The keys this notifier accepts (see README.md).
sdk::ConfigSchema log_notifier_config_schema();

/// Reads and validates `config`; an absent key takes its default. Throws std::invalid_argument
/// "config key 'format': expected \"text\" or \"json\", was \"xml\"".
Settings parse_settings(const sdk::ConfigView& config);

}  // namespace mercurio::notifiers::log
