// Registration only: the manifest and factory of mercurio.brokers.alpaca.
#include "mercurio/sdk/plugin.hpp"

#include "alpaca_broker.hpp"
#include "config.hpp"

MERCURIO_REGISTER_BROKER(mercurio::brokers::alpaca::AlpacaBroker, "mercurio.brokers.alpaca", "0.1.0",
                         "Alpaca Trading API v2 (paper or live) with trade_updates streaming and bars",
                         mercurio::brokers::alpaca::alpaca_config_schema)
