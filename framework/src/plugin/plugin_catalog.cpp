#include "plugin/plugin_catalog.hpp"

#include <algorithm>
#include <map>

#include <boost/dll/runtime_symbol_info.hpp>

namespace mercurio::kernel {
namespace {

#if defined(_WIN32)
constexpr const char* kPrefix = "";
constexpr const char* kSuffix = ".dll";
#else
constexpr const char* kPrefix = "lib";
constexpr const char* kSuffix = ".so";
#endif

bool ends_with(const std::string& s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

}  // namespace

std::filesystem::path bundled_plugin_directory() {
  const auto exe = std::filesystem::path(boost::dll::program_location().string());
  return (exe.parent_path().parent_path() / "lib" / "mercurio" / "plugins").lexically_normal();
}

std::optional<std::filesystem::path> PluginCatalog::resolve_library(const std::string& library, const Config& config,
                                                                   const std::filesystem::path& bundled_plugin_dir,
                                                                   std::vector<std::filesystem::path>& tried) {
  if (library.find('/') != std::string::npos || library.find('\\') != std::string::npos || ends_with(library, kSuffix)) {
    std::filesystem::path p(library);
    if (!p.is_absolute()) p = config.base_dir / p;
    p = p.lexically_normal();
    tried.push_back(p);
    if (std::filesystem::is_regular_file(p)) return p;
    return std::nullopt;
  }
  std::vector<std::filesystem::path> dirs = config.kernel.plugin_dirs;
  dirs.push_back(bundled_plugin_dir);
  for (const auto& dir : dirs) {
    auto p = dir / (std::string(kPrefix) + library + kSuffix);
    tried.push_back(p);
    if (std::filesystem::is_regular_file(p)) return p;
  }
  return std::nullopt;
}

PluginCatalog PluginCatalog::load(const Config& config, const std::filesystem::path& bundled_plugin_dir,
                                  const EnvLookup& env, ConfigIssues& issues) {
  PluginCatalog catalog;
  const KernelAbi abi;
  const std::string file = config.file.string();
  std::map<std::string, std::filesystem::path> file_by_name;  // manifest name -> library file
  std::map<std::string, std::string> id_by_name;

  for (const auto& entry : config.plugins) {
    if (entry.library.empty() || entry.id.empty()) continue;  // already reported by the loader
    std::vector<std::filesystem::path> tried;
    auto path = resolve_library(entry.library, config, bundled_plugin_dir, tried);
    if (!path) {
      std::string where;
      for (const auto& t : tried) where += "\n    " + t.string();
      issues.add(file, entry.line, 0, entry.key_path() + ".library",
                 "plugin library \"" + entry.library + "\" not found; looked for:" + where);
      continue;
    }
    std::vector<std::string> problems;
    auto library = PluginLibrary::open(*path, abi, problems);
    if (!library) {
      for (auto& p : problems) issues.add(file, entry.line, 0, entry.key_path() + ".library", p);
      continue;
    }
    const ManifestInfo& m = library->manifest();
    const auto canonical = std::filesystem::weakly_canonical(*path);
    auto [it, inserted] = file_by_name.emplace(m.name, canonical);
    if (!inserted && it->second != canonical) {
      issues.add(file, entry.line, 0, entry.key_path() + ".library",
                 "duplicate plugin name \"" + m.name + "\": " + canonical.string() + " and " + it->second.string() +
                     " (used by plugin[" + id_by_name[m.name] + "]) both claim it");
      continue;
    }
    id_by_name.emplace(m.name, entry.id);

    // Kernel-owned keys that only make sense for one kind.
    if (entry.broker && m.kind != PluginKind::Strategy)
      issues.add(file, entry.line, 0, entry.key_path() + ".broker",
                 "only strategies trade on a broker; this plugin is a " + std::string(to_string(m.kind)));
    if (entry.market_data && m.kind != PluginKind::Broker)
      issues.add(file, entry.market_data_line, 0, entry.key_path() + ".market_data",
                 "only brokers take their bars from another broker; this plugin is a " + std::string(to_string(m.kind)));
    // A venue's hours are the venue's: a strategy naming "24/7" would trade past a closed market.
    if (entry.risk && entry.risk->calendar && m.kind != PluginKind::Broker)
      issues.add(file, entry.line, 0, entry.key_path() + ".risk.calendar",
                 "only a broker names its market calendar; this plugin is a " +
                     std::string(to_string(m.kind)));
    if (entry.min_severity && m.kind != PluginKind::Notifier)
      issues.add(file, entry.line, 0, entry.key_path() + ".min_severity",
                 "only notifiers take min_severity; this plugin is a " + std::string(to_string(m.kind)));

    CatalogEntry ce;
    ce.entry = &entry;
    ce.library = std::move(library);
    // The schema comes from plugin code: guard it like every other call into a plugin.
    const sdk::ConfigSchema* schema = nullptr;
    try {
      schema = &ce.library->config_schema();
    } catch (const std::exception& e) {
      issues.add(file, entry.line, 0, entry.key_path() + ".library", m.name + ": its config schema threw: " + e.what());
    } catch (...) {
      issues.add(file, entry.line, 0, entry.key_path() + ".library", m.name + ": its config schema threw");
    }
    if (schema) ce.config = validate_plugin_config(entry, *schema, config, env, issues);
    catalog.entries_.push_back(std::move(ce));
  }

  // Strategies must name an existing broker; with exactly one broker it is the default.
  std::vector<std::string> broker_ids;
  for (const auto& ce : catalog.entries_)
    if (ce.library->manifest().kind == PluginKind::Broker) broker_ids.push_back(ce.entry->id);
  for (const auto& ce : catalog.entries_) {
    if (ce.library->manifest().kind != PluginKind::Strategy) continue;
    const PluginEntry& e = *ce.entry;
    if (e.broker) {
      if (std::find(broker_ids.begin(), broker_ids.end(), *e.broker) == broker_ids.end())
        issues.add(file, e.line, 0, e.key_path() + ".broker", "no broker plugin with id \"" + *e.broker + "\"");
    } else if (broker_ids.empty()) {
      issues.add(file, e.line, 0, e.key_path(), "no broker plugin is configured, so this strategy has nothing to trade on");
    } else if (broker_ids.size() > 1) {
      issues.add(file, e.line, 0, e.key_path() + ".broker",
                 "missing: with " + std::to_string(broker_ids.size()) + " broker plugins, each strategy must name its broker");
    }
  }
  // market_data: this broker's bars come from another broker plugin (the data broker), one level deep.
  std::map<std::string, const CatalogEntry*> broker_by_id;
  for (const auto& ce : catalog.entries_)
    if (ce.library->manifest().kind == PluginKind::Broker) broker_by_id.emplace(ce.entry->id, &ce);
  for (const auto& entry : catalog.entries_) {
    const CatalogEntry* ce = &entry;
    const PluginEntry& e = *ce->entry;
    if (!e.market_data || ce->library->manifest().kind != PluginKind::Broker) continue;
    const std::string path = e.key_path() + ".market_data";
    auto source = broker_by_id.find(*e.market_data);
    if (*e.market_data == e.id) {
      issues.add(file, e.market_data_line, 0, path, "expected the id of another broker plugin, was this broker's own id \"" + e.id + "\"");
    } else if (source == broker_by_id.end()) {
      const bool configured = std::any_of(config.plugins.begin(), config.plugins.end(),
                                          [&](const PluginEntry& p) { return p.id == *e.market_data; });
      const bool loaded = std::any_of(catalog.entries_.begin(), catalog.entries_.end(),
                                      [&](const CatalogEntry& c) { return c.entry->id == *e.market_data; });
      // A configured plugin that failed to load has its own message already.
      if (!configured || loaded)
        issues.add(file, e.market_data_line, 0, path,
                   "expected the id of a broker plugin, was \"" + *e.market_data + "\"" +
                       (configured ? " (a plugin that is not a broker)" : " (no plugin has that id)"));
    } else if (source->second->entry->market_data) {
      issues.add(file, e.market_data_line, 0, path,
                 "broker \"" + *e.market_data + "\" takes its own bars from \"" + *source->second->entry->market_data +
                     "\": name the broker that serves the data (no chains)");
    }
    // The bundled paper broker serves its own CSV `data` or trades on routed bars, never both: a
    // `data` table that would silently go unused is a configuration mistake (fail closed).
    const toml::node* data = e.config ? e.config->get("data") : nullptr;
    if (ce->library->manifest().name == "mercurio.brokers.paper" && data &&
        !(data->as_table() && data->as_table()->empty())) {
      issues.add(file, data->source().begin.line, data->source().begin.column, e.key_path() + ".config.data",
                 "expected no data table on a paper broker with market_data = \"" + *e.market_data +
                     "\" (its bars come from that broker); remove one of the two");
    }
  }
  return catalog;
}

std::vector<std::string> PluginCatalog::try_create_all() const {
  std::vector<std::string> errors;
  for (const auto& e : entries_) {
    std::string error;
    bool ok = false;
    switch (e.library->manifest().kind) {
      case PluginKind::Broker: ok = create_plugin<sdk::Broker>(e, error) != nullptr; break;
      case PluginKind::Strategy: ok = create_plugin<sdk::Strategy>(e, error) != nullptr; break;
      case PluginKind::Notifier: ok = create_plugin<sdk::Notifier>(e, error) != nullptr; break;
    }
    if (!ok) errors.push_back(error);
  }
  return errors;
}

std::vector<const CatalogEntry*> PluginCatalog::of_kind(PluginKind kind) const {
  std::vector<const CatalogEntry*> out;
  for (const auto& e : entries_)
    if (e.library->manifest().kind == kind) out.push_back(&e);
  return out;
}

}  // namespace mercurio::kernel
