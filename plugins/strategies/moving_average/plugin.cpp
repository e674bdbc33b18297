// Registration only: the strategy lives in moving_average_strategy.cpp.
#include "mercurio/sdk/plugin.hpp"

#include "config.hpp"
#include "moving_average_strategy.hpp"

using mercurio::strategies::moving_average::moving_average_config_schema;
using mercurio::strategies::moving_average::MovingAverageStrategy;

MERCURIO_REGISTER_STRATEGY(MovingAverageStrategy, "mercurio.strategies.moving_average", "1.0.0",
                           "Moving-average crossover: buys golden crosses, sells death crosses",
                           moving_average_config_schema)
