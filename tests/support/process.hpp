#pragma once
// Runs a command line for integration tests and captures its exit code, stdout and stderr.

#include <sys/wait.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace mercurio::test {

struct ProcessResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

inline std::string shell_quote(const std::string& s) {
  std::string q = "'";
  for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

inline std::string read_file(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

/// Runs `args` (no shell interpretation of the arguments) with `scratch` for the captured output.
inline ProcessResult run_process(const std::vector<std::string>& args, const std::filesystem::path& scratch,
                                 const std::string& env_prefix = "") {
  std::string cmd = env_prefix;
  for (const auto& a : args) cmd += shell_quote(a) + " ";
  const auto out = scratch / "stdout.txt";
  const auto err = scratch / "stderr.txt";
  cmd += "</dev/null >" + shell_quote(out.string()) + " 2>" + shell_quote(err.string());
  const int status = std::system(cmd.c_str());
  ProcessResult r;
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  r.out = read_file(out);
  r.err = read_file(err);
  return r;
}

}  // namespace mercurio::test
