// Plugin load time: opens one bundled plugin library (Boost.DLL load, entry symbol, manifest check)
// in a fresh process, as `mercurio check` and `mercurio run` do. A library stays loaded until exit,
// so a second open in the same process would only measure a reference count: the harness starts
// this program again for every plugin and every repetition.
//
//   plugin_load_bench [--preload L1:L2:...] [--deps L1:L2:...] PLUGIN
//
// --preload: libraries loaded first, untimed: those the mercurio executable itself links (the
//            harness lists them with ldd), so the figure is what the plugin adds to a mercurio
//            process, not the cost of starting a C++ runtime.
// --deps:    libraries loaded next, timed apart (deps_us): the plugin's own dependencies, to split
//            their cost from the plugin's.
// Prints key=value lines: load_us (the plugin's open), deps_us, and new_libs: the shared objects
// the plugin's open loaded besides the plugin (its dependencies not already in the process).
#include <dlfcn.h>
#include <link.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <set>
#include <string>
#include <vector>

#include "plugin/plugin_catalog.hpp"
#include "plugin/plugin_library.hpp"

namespace {

std::vector<std::string> split(const std::string& list) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= list.size()) {
    const std::size_t end = list.find(':', start);
    const std::string item = list.substr(start, end == std::string::npos ? std::string::npos : end - start);
    if (!item.empty()) out.push_back(item);
    if (end == std::string::npos) break;
    start = end + 1;
  }
  return out;
}

std::set<std::string> loaded_objects() {
  std::set<std::string> names;
  dl_iterate_phdr(
      [](dl_phdr_info* info, std::size_t, void* data) {
        if (info->dlpi_name && info->dlpi_name[0] != '\0') static_cast<std::set<std::string>*>(data)->insert(info->dlpi_name);
        return 0;
      },
      &names);
  return names;
}

// Loads every library of `list` (kept loaded until exit); false, with a message, when one fails.
bool load_all(const std::vector<std::string>& list, int flags) {
  for (const auto& lib : list)
    if (!dlopen(lib.c_str(), flags)) {
      std::fprintf(stderr, "cannot load %s: %s\n", lib.c_str(), dlerror());
      return false;
    }
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace mercurio::kernel;
  std::vector<std::string> preload, deps;
  std::filesystem::path plugin;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if ((a == "--preload" || a == "--deps") && i + 1 < argc) (a == "--preload" ? preload : deps) = split(argv[++i]);
    else plugin = a;
  }
  if (plugin.empty()) {
    std::fprintf(stderr, "usage: plugin_load_bench [--preload L1:L2] [--deps L1:L2] PLUGIN\n");
    return 2;
  }
  if (!load_all(preload, RTLD_NOW | RTLD_GLOBAL)) return 1;
  const auto d0 = std::chrono::steady_clock::now();
  if (!load_all(deps, RTLD_NOW | RTLD_LOCAL)) return 1;
  const auto d1 = std::chrono::steady_clock::now();

  const std::set<std::string> before = loaded_objects();
  std::vector<std::string> problems;
  const auto t0 = std::chrono::steady_clock::now();
  auto lib = PluginLibrary::open(plugin, KernelAbi{}, problems);
  const auto t1 = std::chrono::steady_clock::now();
  if (!lib) {
    std::fprintf(stderr, "%s: %s\n", plugin.filename().c_str(), problems.empty() ? "refused" : problems.front().c_str());
    return 1;
  }
  std::string added;
  for (const auto& name : loaded_objects())
    if (!before.count(name) && std::filesystem::path(name).filename() != plugin.filename()) added += (added.empty() ? "" : ":") + name;
  std::printf("load_us=%.1f\ndeps_us=%.1f\nnew_libs=%s\n", std::chrono::duration<double, std::micro>(t1 - t0).count(),
              std::chrono::duration<double, std::micro>(d1 - d0).count(), added.c_str());
  return 0;
}
