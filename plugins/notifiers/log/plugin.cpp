// Registration only: the notifier lives in log_notifier.cpp.
#include "mercurio/sdk/plugin.hpp"

#include "config.hpp"
#include "log_notifier.hpp"

using mercurio::notifiers::log::log_notifier_config_schema;
using mercurio::notifiers::log::LogNotifier;

MERCURIO_REGISTER_NOTIFIER(
    LogNotifier, "mercurio.notifiers.log", "1.0.0",
    "Writes each notification as one line (text or JSON) to the Mercurio log",
    log_notifier_config_schema)
