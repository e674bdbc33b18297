#pragma once
// Starting a run from a chosen saved trading state: the state_dir's risk_state.toml, as a first
// run wrote it (ACTIVE), rewritten as a stop in another state would have left it.

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <optional>
#include <regex>
#include <string>

#include "support/process.hpp"

namespace mercurio::test {

/// Sets the saved state, its reason and (when given) the kill switch; fails the test when the
/// file does not hold a key (a rewrite that silently matched nothing would test nothing).
inline void rewrite_saved_state(const std::filesystem::path& state_dir, const std::string& state,
                                const std::string& reason,
                                std::optional<bool> kill_switch = std::nullopt) {
  const std::filesystem::path file = state_dir / "risk_state.toml";
  std::string text = read_file(file);
  const auto replace = [&](const char* pattern, const std::string& with) {
    const std::regex key(pattern);
    if (!std::regex_search(text, key)) ADD_FAILURE() << file << " has no " << pattern;
    text = std::regex_replace(text, key, with);
  };
  replace("state = ['\"][A-Z]+['\"]", "state = '" + state + "'");
  replace("reason = ['\"][^'\"]*['\"]", "reason = '" + reason + "'");
  if (kill_switch)
    replace("kill_switch = (true|false)",
            std::string("kill_switch = ") + (*kill_switch ? "true" : "false"));
  std::ofstream(file, std::ios::trunc) << text;
}

}  // namespace mercurio::test
