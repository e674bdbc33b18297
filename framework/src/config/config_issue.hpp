#pragma once
// One problem found in a configuration file, and the exception that carries all of them.

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

namespace mercurio::kernel {

/// A problem at a place in a file: "file:line:column: key.path: message".
struct ConfigIssue {
  std::string file;
  std::uint32_t line = 0;  // 0 when the problem has no single place (e.g. a missing table)
  std::uint32_t column = 0;
  std::string key_path;
  std::string message;

  std::string to_string() const;
};

/// Collects issues so that every problem is reported at once instead of one per run.
class ConfigIssues {
 public:
  void add(ConfigIssue issue) { issues_.push_back(std::move(issue)); }
  void add(const std::string& file, std::uint32_t line, std::uint32_t column, std::string key_path,
           std::string message) {
    issues_.push_back({file, line, column, std::move(key_path), std::move(message)});
  }
  void append(const ConfigIssues& other) { issues_.insert(issues_.end(), other.issues_.begin(), other.issues_.end()); }
  bool empty() const noexcept { return issues_.empty(); }
  std::size_t size() const noexcept { return issues_.size(); }
  const std::vector<ConfigIssue>& all() const noexcept { return issues_; }
  /// One issue per line.
  std::string to_string() const;

 private:
  std::vector<ConfigIssue> issues_;
};

/// Thrown when a configuration cannot be used; what() lists every issue.
class ConfigError : public std::runtime_error {
 public:
  explicit ConfigError(ConfigIssues issues)
      : std::runtime_error(issues.to_string()), issues_(std::move(issues)) {}
  const ConfigIssues& issues() const noexcept { return issues_; }

 private:
  ConfigIssues issues_;
};

}  // namespace mercurio::kernel
