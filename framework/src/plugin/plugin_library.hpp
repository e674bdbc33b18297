#pragma once
// One loaded plugin library: opened with Boost.DLL, manifest checked, kept loaded until exit.

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include <boost/dll/shared_library.hpp>

#include "plugin/manifest_check.hpp"

namespace mercurio::kernel {

class PluginLibrary {
 public:
  /// Opens `path`, reads the entry symbol and checks the manifest. On failure returns nullptr
  /// and appends every problem to `problems`.
  static std::shared_ptr<PluginLibrary> open(const std::filesystem::path& path, const KernelAbi& abi,
                                             std::vector<std::string>& problems);

  const std::filesystem::path& path() const noexcept { return path_; }
  const ManifestInfo& manifest() const noexcept { return manifest_; }

  /// The schema the plugin declared for its `[plugin.config]` table.
  const sdk::ConfigSchema& config_schema() const {
    switch (manifest_.kind) {
      case PluginKind::Broker: return factory<sdk::Broker>().config_schema();
      case PluginKind::Strategy: return factory<sdk::Strategy>().config_schema();
      case PluginKind::Notifier: return factory<sdk::Notifier>().config_schema();
    }
    return factory<sdk::Broker>().config_schema();
  }

  /// The factory for `Interface`; the caller has checked manifest().kind first.
  template <class Interface>
  const sdk::PluginFactory<Interface>& factory() const noexcept {
    return *static_cast<const sdk::PluginFactory<Interface>*>(manifest_.factory);
  }

 private:
  PluginLibrary(boost::dll::shared_library lib, std::filesystem::path path, ManifestInfo manifest)
      : library_(std::move(lib)), path_(std::move(path)), manifest_(std::move(manifest)) {}

  boost::dll::shared_library library_;
  std::filesystem::path path_;
  ManifestInfo manifest_;
};

/// Destroys a plugin object through the factory of the library that created it, and keeps that
/// library loaded for at least as long as the object lives.
template <class Interface>
struct PluginDeleter {
  const sdk::PluginFactory<Interface>* factory = nullptr;
  std::shared_ptr<const PluginLibrary> library;
  void operator()(Interface* object) const noexcept {
    if (object) factory->destroy(object);
  }
};
template <class Interface>
using PluginPtr = std::unique_ptr<Interface, PluginDeleter<Interface>>;

}  // namespace mercurio::kernel
