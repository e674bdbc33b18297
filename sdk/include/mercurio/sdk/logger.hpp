#pragma once
/// @file logger.hpp

#include <string_view>

namespace mercurio::sdk {

enum class LogLevel : unsigned char { Debug, Info, Warning, Error };

/// Where a plugin writes its log lines; the kernel adds time, level and the plugin id to each.
/// A message of several lines (a line ends at \n or \r\n) becomes as many log lines; control
/// characters and bytes that are not UTF-8 are escaped (\r, \t, \xHH), so a venue's reply can be
/// passed on as it came.
/// Thread: safe to call from any thread. Never pass secrets.
class Logger {
 public:
  virtual ~Logger() = default;
  virtual void log(LogLevel level, std::string_view message) = 0;
  virtual bool enabled(LogLevel level) const = 0;

  void debug(std::string_view m) { if (enabled(LogLevel::Debug)) log(LogLevel::Debug, m); }
  void info(std::string_view m) { log(LogLevel::Info, m); }
  void warn(std::string_view m) { log(LogLevel::Warning, m); }
  void error(std::string_view m) { log(LogLevel::Error, m); }
};

}  // namespace mercurio::sdk
