#pragma once
/// @file sdk.hpp
/// Everything a plugin author needs, in one include.

#include "mercurio/sdk/approved_order.hpp"
#include "mercurio/sdk/broker.hpp"
#include "mercurio/sdk/config.hpp"
#include "mercurio/sdk/decimal.hpp"
#include "mercurio/sdk/logger.hpp"
#include "mercurio/sdk/notifier.hpp"
#include "mercurio/sdk/plugin.hpp"
#include "mercurio/sdk/sizing.hpp"
#include "mercurio/sdk/status.hpp"
#include "mercurio/sdk/strategy.hpp"
#include "mercurio/sdk/time.hpp"
#include "mercurio/sdk/types.hpp"
