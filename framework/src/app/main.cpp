// mercurio: the kernel executable. Subcommands: run, check, plugins, generate-bars, calendar,
// status, report and the operator commands halt, resume, flatten, enable-strategy.

#include <iostream>
#include <string>
#include <vector>

#include "app/commands.hpp"
#include "journal/sqlite_db.hpp"
#include "mercurio/sdk/plugin.hpp"
#include "mercurio/text/single_line.hpp"

namespace {

constexpr const char* kUsage = R"(Usage: mercurio <command> [options]

Commands:
  run            run the configured strategies (backtest or paper)
  check          validate the configuration and load every plugin, without trading
  plugins        list plugins with their kind, version and config schema
  generate-bars  write a deterministic synthetic OHLCV CSV file
  calendar       print a market calendar's sessions (XNYS, 24/7) as CSV
  status         show the saved trading state (paper/live) and pending operator commands
  report         trades, orders, equity or tax lots (a record-keeping aid, not tax advice) from the journal
  halt           stop new orders (running or next start), recorded with who and why
  resume         leave HALTED or REDUCING
  flatten        halt, cancel every open order and close every position
  enable-strategy  re-enable a strategy the kernel disabled
  acknowledge    accept a start-up reconciliation's differences (the broker's account becomes the truth)

Options:
  -h, --help     show this help (also: mercurio <command> --help)
  --version      show the version

Exit codes: 0 success, 1 the run failed, 2 bad usage or configuration.
)";

}  // namespace

int main(int argc, char** argv) {
  mercurio::kernel::configure_sqlite_for_this_process();
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty() || args[0] == "-h" || args[0] == "--help" || args[0] == "help") {
    std::cout << kUsage;
    return args.empty() ? mercurio::app::kExitBadConfig : mercurio::app::kExitOk;
  }
  if (args[0] == "--version" || args[0] == "version") {
    std::cout << "mercurio " << MERCURIO_VERSION << " (SDK " << MERCURIO_SDK_VERSION << ", plugin ABI "
              << MERCURIO_SDK_ABI_MAJOR << "." << MERCURIO_SDK_ABI_MINOR << ", build " << MERCURIO_BUILD_ID << ")\n";
    return mercurio::app::kExitOk;
  }
  const std::string command = args[0];
  args.erase(args.begin());
  try {
    if (command == "run") return mercurio::app::run_command(args);
    if (command == "check") return mercurio::app::check_command(args);
    if (command == "plugins") return mercurio::app::plugins_command(args);
    if (command == "generate-bars") return mercurio::app::generate_bars_command(args);
    if (command == "calendar") return mercurio::app::calendar_command(args);
    if (command == "status") return mercurio::app::status_command(args);
    if (command == "report") return mercurio::app::report_command(args);
    if (command == "halt" || command == "resume" || command == "flatten" || command == "enable-strategy" ||
        command == "acknowledge")
      return mercurio::app::operator_command(command, args);
  } catch (const std::exception& e) {
    std::cerr << "mercurio " << command << ": " << mercurio::text::printable_lines(e.what())
              << "\n";
    return mercurio::app::kExitRunFailed;
  }
  std::cerr << "mercurio: unknown command \"" << command << "\"\n\n" << kUsage;
  return mercurio::app::kExitBadConfig;
}
