#pragma once
// Reads and checks a plugin's plain-C manifest before the kernel touches any C++ object in it.

#include <string>
#include <vector>

#include "mercurio/sdk/plugin.hpp"

namespace mercurio::kernel {

enum class PluginKind { Broker, Strategy, Notifier };
std::string_view to_string(PluginKind kind) noexcept;

/// The manifest's fields, copied out of the library.
struct ManifestInfo {
  PluginKind kind = PluginKind::Broker;
  std::string name;
  std::string version;
  std::string build_id;
  std::string sdk_version;
  std::string description;
  unsigned abi_major = 0;
  unsigned abi_minor = 0;
  const void* factory = nullptr;  // only valid while the library is loaded
};

/// What this kernel was built with; plugins must match.
struct KernelAbi {
  unsigned abi_major = MERCURIO_SDK_ABI_MAJOR;
  unsigned abi_minor = MERCURIO_SDK_ABI_MINOR;
  std::string build_id = MERCURIO_BUILD_ID;
};

/// Every problem with `manifest` (empty when it is acceptable); fills `out` when acceptable.
/// Checks, in order: present, struct size, ABI major, ABI minor, build id, kind, name, version, factory.
std::vector<std::string> check_manifest(const MercurioPluginManifest* manifest, const KernelAbi& kernel,
                                        ManifestInfo& out);

}  // namespace mercurio::kernel
