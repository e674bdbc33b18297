#pragma once
// Running the built `mercurio` binary and reading its run summary, for integration tests.

#include <filesystem>
#include <string>
#include <vector>

#include "support/process.hpp"
#include "support/test_paths.hpp"

namespace mercurio::test {

/// `mercurio <args...>`, output captured under `scratch`.
inline ProcessResult mercurio_cmd(const std::vector<std::string>& args, const std::filesystem::path& scratch) {
  std::vector<std::string> full{mercurio_exe().string()};
  full.insert(full.end(), args.begin(), args.end());
  return run_process(full, scratch);
}

/// The value printed after `label` in the run summary ("" when the line is absent).
inline std::string summary_value(const std::string& out, const std::string& label) {
  const auto pos = out.find("  " + label + " ");
  if (pos == std::string::npos) return "";
  const auto start = out.find_first_not_of(' ', pos + 2 + label.size());
  return out.substr(start, out.find('\n', start) - start);
}

}  // namespace mercurio::test
