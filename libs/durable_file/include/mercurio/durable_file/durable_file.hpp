#pragma once
// Whole-file replacement and appends that survive kill -9 and power loss: the kernel's trading
// state and the paper broker's simulated account use them. (Internal library, not part of the
// plugin SDK.)

#include <filesystem>
#include <string>
#include <string_view>

namespace mercurio::durable_file {

/// Writes `text` to `path` durably: a temp file in the same directory, fsync, rename over the
/// target, fsync of the directory. A crash leaves either the old file or the new one, never half.
/// Returns an empty string on success, else what failed (with the path). `mode` is the new file's
/// permission bits (less the process's umask): by default only its owner reads it.
std::string write_durably(const std::filesystem::path& path, const std::string& text,
                          unsigned mode = 0600);

/// Appends `text` to `path` (created if missing, its directory then synced) and syncs the data
/// before returning. A write that fails part-way is cut off again, so the file ends where it
/// ended before the call; if even that fails, the error says so. A crash during the call may
/// leave a torn tail, never damage what was there before. Empty string on success, else what
/// failed (with the path).
std::string append_durably(const std::filesystem::path& path, std::string_view text);

}  // namespace mercurio::durable_file
