// Registration only: the one exported entry symbol and its manifest.
#include "buy_and_hold_strategy.hpp"
#include "mercurio/sdk/plugin.hpp"

MERCURIO_REGISTER_STRATEGY(example::buy_and_hold::BuyAndHoldStrategy, "example.strategies.buy_and_hold", "1.0.0",
                           "Buys a fixed quantity on the first bar and holds it", example::buy_and_hold::config_schema)
