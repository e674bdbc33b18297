#include "config.hpp"

#include <stdexcept>

namespace example::buy_and_hold {

using mercurio::sdk::ConfigField;
using mercurio::sdk::Decimal;

mercurio::sdk::ConfigSchema config_schema() {
  mercurio::sdk::ConfigSchema schema;
  schema.add(ConfigField::string("symbol", "the symbol to buy").mandatory());
  schema.add(ConfigField::decimal("quantity", "how much to buy on the first bar").min(Decimal::from_raw(1)).defaults("1"));
  return schema;
}

Settings Settings::from(const mercurio::sdk::ConfigView& config) {
  const std::string& symbol = config.get_string("symbol");
  if (symbol.empty() || !mercurio::sdk::Symbol::fits(symbol))
    throw std::invalid_argument("symbol: expected 1 to 31 characters, was \"" + symbol + "\"");
  return {mercurio::sdk::Symbol(symbol), config.get_decimal("quantity")};
}

}  // namespace example::buy_and_hold
