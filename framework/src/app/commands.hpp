#pragma once
// The mercurio subcommands. Each returns the process exit code:
// 0 success, 1 the run failed, 2 bad usage or configuration.

#include <string>
#include <vector>

namespace mercurio::app {

inline constexpr int kExitOk = 0;
inline constexpr int kExitRunFailed = 1;
inline constexpr int kExitBadConfig = 2;

int run_command(const std::vector<std::string>& args);
int check_command(const std::vector<std::string>& args);
int plugins_command(const std::vector<std::string>& args);
int generate_bars_command(const std::vector<std::string>& args);
int status_command(const std::vector<std::string>& args);
/// halt | resume | flatten | enable-strategy: queued for the kernel, applied at once when it runs.
int operator_command(const std::string& action, const std::vector<std::string>& args);
int calendar_command(const std::vector<std::string>& args);
/// trades | orders | equity | tax, read from the journal.
int report_command(const std::vector<std::string>& args);

}  // namespace mercurio::app
