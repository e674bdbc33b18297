#pragma once
// Checks a plugin's [plugin.config] table against the schema the plugin declared.

#include <filesystem>
#include <functional>
#include <optional>
#include <string>

#include <toml++/toml.h>

#include "config/config_issue.hpp"
#include "config/kernel_config.hpp"
#include "mercurio/sdk/config.hpp"

namespace mercurio::kernel {

/// Looks up an environment variable; injectable so tests need not touch the process environment.
using EnvLookup = std::function<std::optional<std::string>(const std::string& name)>;
EnvLookup process_environment();

/// Validates `entry.config` against `schema`: unknown keys, missing required keys, wrong types,
/// out-of-range values and literal secrets are issues (all of them, not just the first).
/// Defaults are filled in and secret references resolved. Returns the view only when there
/// were no issues. Secret values never appear in an issue.
std::optional<sdk::ConfigView> validate_plugin_config(const PluginEntry& entry, const sdk::ConfigSchema& schema,
                                                      const Config& config, const EnvLookup& env,
                                                      ConfigIssues& issues);

}  // namespace mercurio::kernel
