// Registration only: the manifest and factory of mercurio.brokers.paper.
#include "mercurio/sdk/plugin.hpp"

#include "config.hpp"
#include "paper_broker.hpp"

MERCURIO_REGISTER_BROKER(mercurio::brokers::paper::PaperBroker, "mercurio.brokers.paper", "1.0.0",
                         "Simulated broker: replays CSV bars and fills orders against them",
                         mercurio::brokers::paper::paper_config_schema)
