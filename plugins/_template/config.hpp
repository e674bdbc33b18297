#pragma once
// The plugin's config schema and its parsed settings.

#include "mercurio/sdk/config.hpp"
#include "mercurio/sdk/types.hpp"

namespace example::buy_and_hold {

mercurio::sdk::ConfigSchema config_schema();

struct Settings {
  mercurio::sdk::Symbol symbol;
  mercurio::sdk::Decimal quantity;
  /// Throws std::invalid_argument naming the key when a value is unusable.
  static Settings from(const mercurio::sdk::ConfigView& config);
};

}  // namespace example::buy_and_hold
