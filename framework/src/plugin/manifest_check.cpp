#include "plugin/manifest_check.hpp"

#include <cstddef>

namespace mercurio::kernel {

std::string_view to_string(PluginKind kind) noexcept {
  switch (kind) {
    case PluginKind::Broker: return "broker";
    case PluginKind::Strategy: return "strategy";
    case PluginKind::Notifier: return "notifier";
  }
  return "?";
}

namespace {
std::string text_or_empty(const char* s) { return s ? std::string(s) : std::string(); }
}  // namespace

std::vector<std::string> check_manifest(const MercurioPluginManifest* m, const KernelAbi& kernel, ManifestInfo& out) {
  std::vector<std::string> problems;
  if (!m) return {"the entry symbol returned no manifest (null pointer)"};
  // Every v1 field must be present before any of them is read.
  constexpr std::size_t kV1Size = offsetof(MercurioPluginManifest, factory) + sizeof(void*);
  if (m->struct_size < kV1Size) {
    return {"manifest struct_size is " + std::to_string(m->struct_size) + " bytes, expected at least " +
            std::to_string(kV1Size) + " (corrupt or not a Mercurio plugin)"};
  }
  if (m->abi_major != kernel.abi_major)
    problems.push_back("built for plugin ABI major " + std::to_string(m->abi_major) + ", this kernel supports " +
                       std::to_string(kernel.abi_major) + ": rebuild the plugin against this SDK");
  else if (m->abi_minor > kernel.abi_minor)
    problems.push_back("built for plugin ABI " + std::to_string(m->abi_major) + "." + std::to_string(m->abi_minor) +
                       ", newer than this kernel's " + std::to_string(kernel.abi_major) + "." +
                       std::to_string(kernel.abi_minor) + ": upgrade Mercurio or rebuild the plugin");
  const std::string build_id = text_or_empty(m->build_id);
  if (build_id != kernel.build_id)
    problems.push_back("build id \"" + build_id + "\" does not match the kernel's \"" + kernel.build_id +
                       "\" (compiler, standard library or SDK ABI differ): rebuild the plugin with the same toolchain");
  switch (m->kind) {
    case MERCURIO_PLUGIN_BROKER: out.kind = PluginKind::Broker; break;
    case MERCURIO_PLUGIN_STRATEGY: out.kind = PluginKind::Strategy; break;
    case MERCURIO_PLUGIN_NOTIFIER: out.kind = PluginKind::Notifier; break;
    default: problems.push_back("unknown plugin kind " + std::to_string(m->kind) + ", expected 1 (broker), 2 (strategy) or 3 (notifier)");
  }
  out.name = text_or_empty(m->name);
  if (out.name.empty()) problems.push_back("manifest has no name");
  out.version = text_or_empty(m->version);
  if (out.version.empty()) problems.push_back("manifest has no version");
  if (!m->factory) problems.push_back("manifest has no factory");
  out.build_id = build_id;
  out.sdk_version = text_or_empty(m->sdk_version);
  out.description = text_or_empty(m->description);
  out.abi_major = m->abi_major;
  out.abi_minor = m->abi_minor;
  out.factory = m->factory;
  return problems;
}

}  // namespace mercurio::kernel
