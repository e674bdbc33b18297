#pragma once

#include <filesystem>
#include <string_view>

#include "config/config_issue.hpp"
#include "config/kernel_config.hpp"

namespace mercurio::kernel {

/// Reads mercurio.toml. Unknown tables and keys are errors; every problem is collected and
/// thrown at once as ConfigError. Plugin `config` tables are kept raw for the plugin host.
Config load_config(const std::filesystem::path& file);
/// Same, from text (tests); `file` is only used in messages and to resolve relative paths.
Config parse_config(std::string_view text, const std::filesystem::path& file);

/// Like load_config, but appends problems to `issues` instead of throwing, and returns what could
/// be read, so plugin problems can be reported together with the kernel's (all errors at once).
/// After a syntax error or an unreadable file the returned config lists no plugins.
Config load_config(const std::filesystem::path& file, ConfigIssues& issues);

}  // namespace mercurio::kernel
