#pragma once
// Every plugin the configuration lists: library loaded and checked, config validated.
// Nothing is created here; instances are made by create<Interface>().

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "config/config_issue.hpp"
#include "config/kernel_config.hpp"
#include "config/plugin_config_validator.hpp"
#include "plugin/plugin_library.hpp"

namespace mercurio::kernel {

struct CatalogEntry {
  const PluginEntry* entry = nullptr;
  std::shared_ptr<const PluginLibrary> library;
  std::optional<sdk::ConfigView> config;  // set when the config table was valid
};

class PluginCatalog {
 public:
  /// Loads only the libraries `config` lists (never scans a directory). All problems, of the
  /// config and of every library, are appended to `issues`; entries that failed are left out.
  static PluginCatalog load(const Config& config, const std::filesystem::path& bundled_plugin_dir,
                            const EnvLookup& env, ConfigIssues& issues);

  const std::vector<CatalogEntry>& entries() const noexcept { return entries_; }
  /// Creates and destroys every plugin object once (constructors validate their settings), without
  /// starting anything. Returns one message per plugin that could not be created.
  std::vector<std::string> try_create_all() const;
  std::vector<const CatalogEntry*> of_kind(PluginKind kind) const;

  /// Finds the library file for a `library` value: a path (contains '/' or ends in the platform
  /// suffix) relative to the config directory, or a bare name searched as lib<name>.so in
  /// `[kernel] plugin_dirs` then the bundled directory.
  static std::optional<std::filesystem::path> resolve_library(const std::string& library, const Config& config,
                                                              const std::filesystem::path& bundled_plugin_dir,
                                                              std::vector<std::filesystem::path>& tried);

 private:
  std::vector<CatalogEntry> entries_;
};

/// Creates the plugin object of `entry` (which must be of Interface's kind). On failure returns
/// nullptr and sets `error` to a message naming the plugin.
template <class Interface>
PluginPtr<Interface> create_plugin(const CatalogEntry& entry, std::string& error) {
  const auto& factory = entry.library->factory<Interface>();
  if (!entry.config) {
    error = entry.entry->key_path() + ": its configuration is not valid";
    return PluginPtr<Interface>(nullptr, PluginDeleter<Interface>{&factory, entry.library});
  }
  std::string why;
  Interface* raw = factory.create(*entry.config, why);
  if (!raw) {
    error = entry.entry->key_path() + " (" + entry.library->manifest().name + "): could not be created: " + why;
    return PluginPtr<Interface>(nullptr, PluginDeleter<Interface>{&factory, entry.library});
  }
  return PluginPtr<Interface>(raw, PluginDeleter<Interface>{&factory, entry.library});
}

/// The directory bundled plugins are installed in, relative to the running executable:
/// <prefix>/bin/mercurio -> <prefix>/lib/mercurio/plugins.
std::filesystem::path bundled_plugin_directory();

}  // namespace mercurio::kernel
