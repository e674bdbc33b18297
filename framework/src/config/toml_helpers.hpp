#pragma once
// Small helpers shared by the kernel-config loader and the plugin-config validator.

#include <string>

#include <toml++/toml.h>

namespace mercurio::kernel::toml_helpers {

inline std::uint32_t line_of(const toml::node& node) { return node.source().begin.line; }
inline std::uint32_t column_of(const toml::node& node) { return node.source().begin.column; }

/// What a value looks like in an error message, "was <this>". Strings are quoted; long values cut.
std::string describe(const toml::node& node);
/// "string", "integer", ... as TOML calls the node's type.
std::string type_name(const toml::node& node);

}  // namespace mercurio::kernel::toml_helpers
