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
int calendar_command(const std::vector<std::string>& args);

}  // namespace mercurio::app
