#include "config/config_issue.hpp"

namespace mercurio::kernel {

std::string ConfigIssue::to_string() const {
  std::string out = file;
  if (line != 0) {
    out += ':' + std::to_string(line);
    if (column != 0) out += ':' + std::to_string(column);
  }
  out += ": ";
  if (!key_path.empty()) out += key_path + ": ";
  out += message;
  return out;
}

std::string ConfigIssues::to_string() const {
  std::string out;
  for (const auto& issue : issues_) {
    if (!out.empty()) out += '\n';
    out += issue.to_string();
  }
  return out;
}

}  // namespace mercurio::kernel
