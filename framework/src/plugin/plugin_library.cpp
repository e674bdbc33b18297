#include "plugin/plugin_library.hpp"

#include <dlfcn.h>


namespace mercurio::kernel {
namespace {

constexpr const char* kEntrySymbol = "mercurio_plugin_v2";

// Names the other ABI majors a library exports, to explain a missing v1 symbol.
std::string other_entry_symbols(const boost::dll::shared_library& lib) {
  std::string found;
  for (int major = 0; major <= 9; ++major) {
    const std::string name = "mercurio_plugin_v" + std::to_string(major);
    if (major != MERCURIO_SDK_ABI_MAJOR && lib.has(name)) found += (found.empty() ? "" : ", ") + name;
  }
  return found;
}

}  // namespace

std::shared_ptr<PluginLibrary> PluginLibrary::open(const std::filesystem::path& path, const KernelAbi& abi,
                                                   std::vector<std::string>& problems) {
  boost::dll::shared_library lib;
  boost::system::error_code ec;
  // RTLD_NOW: a missing dependency fails here with a message, not later mid-trade.
  // RTLD_NODELETE: the code stays mapped until exit even if every handle is closed.
  const auto mode = boost::dll::load_mode::rtld_now | boost::dll::load_mode::rtld_local |
                    static_cast<boost::dll::load_mode::type>(RTLD_NODELETE);
  lib.load(boost::dll::fs::path(path.string()), mode, ec);
  if (ec || !lib.is_loaded()) {
    const char* why = dlerror();
    problems.push_back("cannot load library " + path.string() + ": " + (why ? std::string(why) : ec.message()));
    return nullptr;
  }
  if (!lib.has(kEntrySymbol)) {
    std::string msg = "missing entry symbol " + std::string(kEntrySymbol) + " in " + path.string();
    const std::string others = other_entry_symbols(lib);
    msg += others.empty() ? ": not a Mercurio plugin, or built without MERCURIO_REGISTER_*"
                          : ": it exports " + others + " (a different plugin ABI major); rebuild it against this SDK";
    problems.push_back(msg);
    return nullptr;
  }
  using EntryFn = const MercurioPluginManifest*() noexcept;
  const MercurioPluginManifest* raw = lib.get<EntryFn>(kEntrySymbol)();
  ManifestInfo info;
  auto manifest_problems = check_manifest(raw, abi, info);
  if (!manifest_problems.empty()) {
    for (auto& p : manifest_problems) problems.push_back(path.filename().string() + ": " + p);
    return nullptr;
  }
  return std::shared_ptr<PluginLibrary>(new PluginLibrary(std::move(lib), path, std::move(info)));
}

}  // namespace mercurio::kernel
