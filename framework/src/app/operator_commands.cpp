// Operator commands: they never talk to a running process directly. They leave a command file in
// [kernel] state_dir/commands; a running kernel applies it within a moment (paper/live loop), a
// stopped one at its next start, before any strategy runs. Every command is audited with who and why.

#include <cstdlib>
#include <iostream>

#include <boost/program_options.hpp>

#include "app/commands.hpp"
#include "clock/clock.hpp"
#include "config/config_loader.hpp"
#include "mercurio/text/single_line.hpp"
#include "risk/risk_state_store.hpp"

namespace po = boost::program_options;

namespace mercurio::app {
namespace {

// The state directory of a configuration. Other problems in the file do not stop an operator from
// halting: only a file that cannot be read as TOML or a bad state_dir does. A command filed
// anywhere else (a half-edited file read as empty would give a relative "commands") would be
// reported as queued while the running kernel never sees it.
std::optional<std::filesystem::path> state_dir_of(const std::string& path) {
  kernel::ConfigIssues issues;
  const kernel::Config config = kernel::load_config(path, issues);
  bool refused = false;
  for (const auto& i : issues.all()) {
    // No key to blame: the file could not be read, or is not TOML (state_dir is unknown).
    if (i.key_path.empty() || i.key_path.rfind("kernel.state_dir", 0) == 0) {
      std::cerr << text::printable_lines(i.to_string()) << "\n";
      refused = true;
    }
  }
  if (!refused && config.kernel.state_dir.empty()) {
    std::cerr << text::printable_lines(path) << ": no [kernel] state_dir could be worked out\n";
    refused = true;
  }
  if (refused) return std::nullopt;
  return config.kernel.state_dir;
}

std::optional<po::variables_map> parse_options(const std::vector<std::string>& args, const po::options_description& options,
                                               const std::string& usage, int& code) {
  po::variables_map vm;
  try {
    po::store(po::command_line_parser(args).options(options).positional({}).run(), vm);
    if (vm.count("help")) {
      std::cout << usage << "\n\n" << options;
      code = kExitOk;
      return std::nullopt;
    }
    po::notify(vm);
  } catch (const po::error& e) {
    std::cerr << "mercurio: " << text::printable_lines(e.what()) << "\n\n"
              << usage << "\n\n"
              << options;
    code = kExitBadConfig;
    return std::nullopt;
  }
  return vm;
}

}  // namespace

int operator_command(const std::string& action, const std::vector<std::string>& args) {
  po::options_description options("mercurio " + action + " options");
  const char* user = std::getenv("USER");
  options.add_options()("help,h", "show this help")(
      "config,c", po::value<std::string>()->default_value("mercurio.toml"), "configuration file (for [kernel] state_dir)")(
      "by", po::value<std::string>()->default_value(user ? user : ""), "who gives the command (default: $USER)")(
      "reason", po::value<std::string>()->required(), "why (kept in the audit log)");
  if (action == "enable-strategy") {
    options.add_options()("strategy", po::value<std::string>()->required(), "the strategy id");
  } else if (action == "acknowledge") {
    // A reconciliation is acknowledged as a whole: the differences were listed in the log and the alert.
  } else {
    options.add_options()("strategy", po::value<std::string>(), "only this strategy (it is disabled / re-enabled)")(
        "broker", po::value<std::string>(), "only the strategies trading on this broker");
  }
  const std::string usage = "Usage: mercurio " + action + " --reason TEXT [--by NAME] [--config FILE]" +
                            (action == "enable-strategy" ? " --strategy ID"
                             : action == "acknowledge" ? ""
                                                       : " [--strategy ID | --broker ID]") +
                            "\nQueues the command for the kernel: applied at once by a running paper/live session, "
                            "otherwise at its next start, and recorded in the audit log.";
  int code = kExitOk;
  auto vm = parse_options(args, options, usage, code);
  if (!vm) return code;
  kernel::OperatorCommand command;
  command.action = action;
  command.by = (*vm)["by"].as<std::string>();
  command.reason = (*vm)["reason"].as<std::string>();
  if (vm->count("strategy")) command.strategy = (*vm)["strategy"].as<std::string>();
  if (vm->count("broker")) command.broker = (*vm)["broker"].as<std::string>();
  // An empty scope (a script's unset variable) would be read as "the whole deployment".
  for (const char* scope : {"strategy", "broker"})
    if (vm->count(scope) && (*vm)[scope].as<std::string>().empty()) {
      std::cerr << "mercurio " << action << ": --" << scope
                << " is empty (leave it out to act on the whole deployment)\n";
      return kExitBadConfig;
    }
  if (!command.strategy.empty() && !command.broker.empty()) {
    std::cerr << "mercurio " << action << ": give --strategy or --broker, not both\n";
    return kExitBadConfig;
  }
  if (command.by.empty() || command.reason.empty()) {
    std::cerr << "mercurio " << action << ": --by and --reason must not be empty (every operator action is audited)\n";
    return kExitBadConfig;
  }
  command.at = kernel::WallClock().now();
  auto dir = state_dir_of((*vm)["config"].as<std::string>());
  if (!dir) return kExitBadConfig;
  kernel::RiskStateStore store(*dir);
  try {
    store.enqueue(command);
  } catch (const std::exception& e) {
    std::cerr << "mercurio " << action << ": " << text::printable_lines(e.what()) << "\n";
    return kExitRunFailed;
  }
  std::cout << action << " queued in " << store.commands_dir().string() << " by " << command.by << "\n";
  return kExitOk;
}

int status_command(const std::vector<std::string>& args) {
  po::options_description options("mercurio status options");
  options.add_options()("help,h", "show this help")(
      "config,c", po::value<std::string>()->default_value("mercurio.toml"), "configuration file (for [kernel] state_dir)");
  int code = kExitOk;
  auto vm = parse_options(args, options, "Usage: mercurio status [--config FILE]\nShows the saved trading state.", code);
  if (!vm) return code;
  auto dir = state_dir_of((*vm)["config"].as<std::string>());
  if (!dir) return kExitBadConfig;
  kernel::RiskStateStore store(*dir);
  try {
    const auto saved = store.load();
    if (!saved) {
      std::cout << "no saved trading state in " << store.state_file().string() << " (a new deployment starts ACTIVE)\n";
      return kExitOk;
    }
    // Saved text (a reason may quote a broker's reply), each within its line.
    std::cout << "trading state   " << text::single_line(saved->state) << " ("
              << text::single_line(saved->reason) << ")\n"
              << "since           "
              << (saved->since.ns == INT64_MIN ? std::string("-") : saved->since.to_iso8601())
              << "\n"
              << "peak equity     " << saved->peak_equity.to_string() << "\n"
              << "day start       " << saved->day_start_equity.to_string() << "\n";
    for (const auto& [id, why] : saved->disabled_strategies)
      std::cout << "disabled        " << text::single_line(id) << " (" << text::single_line(why)
                << ")\n";
    for (const auto& [id, why] : saved->flattening_strategies)
      std::cout << "flattening      " << text::single_line(id) << " (" << text::single_line(why)
                << ")\n";
    for (const auto& [id, action] : saved->pending_emergencies)
      std::cout << "emergency       " << to_string(action) << " pending at broker "
                << text::single_line(id) << "\n";
  } catch (const std::exception& e) {
    std::cerr << "mercurio status: " << text::printable_lines(e.what()) << "\n";
    return kExitRunFailed;
  }
  return kExitOk;
}

}  // namespace mercurio::app
