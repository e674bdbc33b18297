#pragma once
// Whole-file replacement that survives kill -9 and power loss: the kernel's trading state and the
// paper broker's simulated account use it. (Internal library, not part of the plugin SDK.)

#include <filesystem>
#include <string>

namespace mercurio::durable_file {

/// Writes `text` to `path` durably: a temp file in the same directory, fsync, rename over the
/// target, fsync of the directory. A crash leaves either the old file or the new one, never half.
/// Returns an empty string on success, else what failed (with the path).
std::string write_durably(const std::filesystem::path& path, const std::string& text);

}  // namespace mercurio::durable_file
