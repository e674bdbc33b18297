#include "app/commands.hpp"

#include <signal.h>

#include <atomic>
#include <cstdlib>
#include <iostream>
#include <thread>

#include <boost/program_options.hpp>

#include "config/config_loader.hpp"
#include "engine/kernel.hpp"
#include "mercurio/text/single_line.hpp"
#include "plugin/plugin_catalog.hpp"

namespace po = boost::program_options;

namespace mercurio::app {
namespace {

using kernel::Config;
using kernel::ConfigIssues;
using kernel::PluginCatalog;

struct Parsed {
  po::variables_map vm;
  bool help = false;
};

// Parses `args` against `options`; prints help or a usage error. Returns nullopt to exit with `code`.
std::optional<Parsed> parse(const std::vector<std::string>& args, const po::options_description& options,
                            const char* usage, int& code) {
  Parsed p;
  try {
    // No positional arguments: a stray word is an error, not silently ignored.
    po::store(po::command_line_parser(args).options(options).positional({}).run(), p.vm);
    po::notify(p.vm);
  } catch (const po::error& e) {
    std::cerr << "mercurio: " << text::printable_lines(e.what()) << "\n\n"
              << usage << "\n"
              << options;
    code = kExitBadConfig;
    return std::nullopt;
  }
  if (p.vm.count("help")) {
    std::cout << usage << "\n" << options;
    code = kExitOk;
    return std::nullopt;
  }
  return p;
}

void print_issues(const std::string& what, const ConfigIssues& issues) {
  std::cerr << what << " (" << issues.size() << (issues.size() == 1 ? " problem" : " problems") << "):\n";
  for (const auto& i : issues.all())
    std::cerr << "  " << text::printable_lines(i.to_string()) << "\n";
}

// Loads the config and every plugin it lists; prints all problems and returns nullopt on any.
struct Loaded {
  Config config;
  PluginCatalog catalog;
};
// `mode_override` (the command line's --mode) replaces [kernel] mode before the plugins are
// configured: a plugin must see the mode the run really uses (Alpaca refuses a live account
// unless the kernel runs live).
std::optional<Loaded> load_everything(const std::string& path, std::optional<kernel::RunMode> mode_override = std::nullopt) {
  ConfigIssues issues;
  Config config = kernel::load_config(path, issues);
  if (mode_override) config.kernel.mode = *mode_override;
  PluginCatalog catalog = PluginCatalog::load(config, kernel::bundled_plugin_directory(), kernel::process_environment(), issues);
  if (!issues.empty()) {
    print_issues("configuration " + path + " is not valid", issues);
    return std::nullopt;
  }
  return Loaded{std::move(config), std::move(catalog)};
}

// Turns SIGINT/SIGTERM into Kernel::stop() from a thread of its own (no work in a signal handler).
class SignalWatcher {
 public:
  explicit SignalWatcher(kernel::Kernel& k) {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set, nullptr);  // threads started later inherit the mask
    thread_ = std::thread([this, &k, set] {
      const timespec timeout{0, 200'000'000};
      while (!done_.load()) {
        if (sigtimedwait(&set, nullptr, &timeout) > 0 && !done_.load()) {
          std::cerr << "mercurio: stop requested, finishing the run\n";
          k.stop();
        }
      }
    });
  }
  ~SignalWatcher() {
    done_.store(true);
    // Wake the watcher now instead of letting its wait time out: that wait added up to 200 ms to
    // every run's exit. The signal is blocked in every thread, so it only ends the sigtimedwait.
    pthread_kill(thread_.native_handle(), SIGTERM);
    thread_.join();
  }

 private:
  std::atomic<bool> done_{false};
  std::thread thread_;
};

}  // namespace

int run_command(const std::vector<std::string>& args) {
  po::options_description options("mercurio run options");
  options.add_options()("help,h", "show this help")(
      "config,c", po::value<std::string>()->default_value("mercurio.toml"), "configuration file")(
      "mode", po::value<std::string>(), "override [kernel] mode: backtest or paper")(
      "out,o", po::value<std::string>(), "write trades.csv and equity.csv here instead of [kernel] output_dir");
  int code = kExitOk;
  auto parsed = parse(args, options, "Usage: mercurio run [--config FILE] [--mode backtest|paper] [--out DIR]", code);
  if (!parsed) return code;
  const auto& vm = parsed->vm;

  kernel::RunOptions run_options;
  if (vm.count("mode")) {
    auto mode = kernel::parse_run_mode(vm["mode"].as<std::string>());
    if (!mode || *mode == kernel::RunMode::Live) {
      std::cerr << "mercurio run: --mode expected \"backtest\" or \"paper\", was \"" << vm["mode"].as<std::string>() << "\"\n";
      return kExitBadConfig;
    }
    run_options.mode = mode;
  }
  if (vm.count("out")) run_options.output_dir = std::filesystem::absolute(vm["out"].as<std::string>());
  if (const char* spec = std::getenv("MERCURIO_CRASH_POINT"); spec && *spec) {
    run_options.crash_point = kernel::CrashPoint::parse(spec);
    if (!run_options.crash_point) {
      std::cerr << "mercurio run: MERCURIO_CRASH_POINT expected \"<point>:<n>\" with n >= 1, was \"" << spec << "\"\n";
      return kExitBadConfig;
    }
  }

  const std::string path = vm["config"].as<std::string>();
  auto loaded = load_everything(path, run_options.mode);
  if (!loaded) return kExitBadConfig;
  kernel::LogOutput log(std::cerr, loaded->config.kernel.log_level);
  kernel::Kernel k(loaded->config, loaded->catalog, log, run_options);
  try {
    SignalWatcher signals(k);
    const kernel::RunStatistics stats = k.run();
    std::cout << stats.format();
    const auto out = run_options.output_dir.value_or(loaded->config.kernel.output_dir);
    std::cout << "  outputs                " << (out / "trades.csv").string() << ", " << (out / "equity.csv").string() << "\n";
  } catch (const kernel::KernelError& e) {
    std::cerr << "mercurio run: " << text::printable_lines(e.what()) << "\n";
    return kExitRunFailed;
  }
  return kExitOk;
}

int check_command(const std::vector<std::string>& args) {
  po::options_description options("mercurio check options");
  options.add_options()("help,h", "show this help")(
      "config,c", po::value<std::string>()->default_value("mercurio.toml"), "configuration file");
  int code = kExitOk;
  auto parsed = parse(args, options, "Usage: mercurio check [--config FILE]\n"
                                     "Validates the configuration, loads every plugin it lists and creates each plugin object once, without trading.", code);
  if (!parsed) return code;
  const std::string path = parsed->vm["config"].as<std::string>();
  auto loaded = load_everything(path);
  if (!loaded) return kExitBadConfig;
  if (const auto errors = loaded->catalog.try_create_all(); !errors.empty()) {
    std::cerr << "configuration " << path << " is not valid (" << errors.size()
              << (errors.size() == 1 ? " plugin" : " plugins") << " could not be created):\n";
    for (const auto& e : errors) std::cerr << "  " << text::printable_lines(e) << "\n";
    return kExitBadConfig;
  }
  std::cout << "configuration " << path << " is valid (mode " << kernel::to_string(loaded->config.kernel.mode) << ")\n";
  for (const auto& e : loaded->catalog.entries()) {
    const auto& m = e.library->manifest();
    std::cout << "  " << e.entry->id << ": " << text::single_line(m.name) << " "
              << text::single_line(m.version) << " (" << kernel::to_string(m.kind) << ") from "
              << text::single_line(e.library->path().string()) << "\n";
  }
  return kExitOk;
}

namespace {

std::string describe_default(const sdk::ConfigValue& v) {
  return std::visit(
      [](const auto& x) -> std::string {
        using T = std::decay_t<decltype(x)>;
        if constexpr (std::is_same_v<T, std::string>) return '"' + x + '"';
        else if constexpr (std::is_same_v<T, std::int64_t>) return std::to_string(x);
        else if constexpr (std::is_same_v<T, sdk::Decimal>) return '"' + x.to_string() + '"';
        else if constexpr (std::is_same_v<T, bool>) return x ? "true" : "false";
        else if constexpr (std::is_same_v<T, std::vector<std::string>>) return "[" + std::to_string(x.size()) + " items]";
        else if constexpr (std::is_same_v<T, sdk::StringMap>) return "{" + std::to_string(x.size()) + " entries}";
        else return "(secret)";
      },
      v);
}

void print_plugin(const kernel::PluginLibrary& lib, const std::string& label) {
  const auto& m = lib.manifest();
  // A plugin's own text, each within its line (a line break in a name cannot fake the next line).
  std::cout << label << text::single_line(m.name) << " " << text::single_line(m.version) << " ("
            << kernel::to_string(m.kind) << ")\n";
  if (!m.description.empty()) std::cout << "    " << text::single_line(m.description) << "\n";
  std::cout << "    library " << text::single_line(lib.path().string()) << ", SDK "
            << text::single_line(m.sdk_version) << ", ABI " << m.abi_major << "." << m.abi_minor
            << "\n";
  const auto& schema = lib.config_schema();
  if (schema.fields.empty()) std::cout << "    config: no keys\n";
  for (const auto& f : schema.fields) {
    std::cout << "    " << text::single_line(f.key) << " (" << sdk::to_string(f.type);
    if (f.required) std::cout << ", required";
    if (f.default_value)
      std::cout << ", default " << text::single_line(describe_default(*f.default_value));
    if (f.minimum) std::cout << ", min " << f.minimum->to_string();
    if (f.maximum) std::cout << ", max " << f.maximum->to_string();
    if (!f.allowed.empty()) {
      std::cout << ", one of";
      for (const auto& a : f.allowed) std::cout << " \"" << text::single_line(a) << "\"";
    }
    std::cout << "): " << text::single_line(f.description) << "\n";
  }
}

}  // namespace

int plugins_command(const std::vector<std::string>& args) {
  po::options_description options("mercurio plugins options");
  options.add_options()("help,h", "show this help")("config,c", po::value<std::string>(),
                                                     "list the plugins this configuration uses")(
      "dir,d", po::value<std::string>(), "list every plugin library in this directory (default: the bundled plugins)");
  int code = kExitOk;
  auto parsed = parse(args, options, "Usage: mercurio plugins [--config FILE | --dir DIR]", code);
  if (!parsed) return code;
  const auto& vm = parsed->vm;
  if (vm.count("config")) {
    auto loaded = load_everything(vm["config"].as<std::string>());
    if (!loaded) return kExitBadConfig;
    for (const auto& e : loaded->catalog.entries()) print_plugin(*e.library, e.entry->id + ": ");
    return kExitOk;
  }
  const std::filesystem::path dir = vm.count("dir") ? std::filesystem::path(vm["dir"].as<std::string>())
                                                    : kernel::bundled_plugin_directory();
  std::error_code ec;
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    const auto ext = entry.path().extension();
    if (entry.is_regular_file() && (ext == ".so" || ext == ".dll")) files.push_back(entry.path());
  }
  if (ec) {
    std::cerr << "mercurio plugins: cannot read directory " << dir.string() << ": " << ec.message() << "\n";
    return kExitBadConfig;
  }
  std::sort(files.begin(), files.end());
  int status = kExitOk;
  for (const auto& f : files) {
    std::vector<std::string> problems;
    auto lib = kernel::PluginLibrary::open(f, kernel::KernelAbi{}, problems);
    if (!lib) {
      for (const auto& p : problems)
        std::cerr << text::single_line(f.filename().string()) << ": " << text::printable_lines(p)
                  << "\n";
      status = kExitBadConfig;
      continue;
    }
    print_plugin(*lib, "");
  }
  return status;
}

}  // namespace mercurio::app
