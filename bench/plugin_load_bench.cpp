// Plugin load time: opens each bundled plugin library once (Boost.DLL load, entry symbol,
// manifest check) in a fresh process, as `mercurio check` and `mercurio run` do, and prints
// `load_us.<file>=<microseconds>` lines. A library stays loaded until exit, so a second open in
// the same process would only measure a reference count: the harness starts this program again
// for every repetition.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>

#include "plugin/plugin_catalog.hpp"
#include "plugin/plugin_library.hpp"

int main(int argc, char** argv) {
  using namespace mercurio::kernel;
  const std::filesystem::path dir = argc > 1 ? std::filesystem::path(argv[1]) : bundled_plugin_directory();
  std::vector<std::filesystem::path> files;
  for (const auto& e : std::filesystem::directory_iterator(dir))
    if (e.path().extension() == ".so") files.push_back(e.path());
  std::sort(files.begin(), files.end());
  int status = 0;
  for (const auto& f : files) {
    std::vector<std::string> problems;
    const auto t0 = std::chrono::steady_clock::now();
    auto lib = PluginLibrary::open(f, KernelAbi{}, problems);
    const auto t1 = std::chrono::steady_clock::now();
    if (!lib) {
      std::fprintf(stderr, "%s: %s\n", f.filename().c_str(), problems.empty() ? "refused" : problems.front().c_str());
      status = 1;
      continue;
    }
    std::printf("load_us.%s=%.1f\n", f.stem().c_str(), std::chrono::duration<double, std::micro>(t1 - t0).count());
  }
  return status;
}
