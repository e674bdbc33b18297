#pragma once
/// @file notifier.hpp
/// Notifier plugins deliver alerts (log, e-mail, webhook, ...).

#include <string>
#include <utility>
#include <vector>

#include "mercurio/sdk/logger.hpp"
#include "mercurio/sdk/status.hpp"
#include "mercurio/sdk/time.hpp"

namespace mercurio::sdk {

enum class Severity : unsigned char { Info, Warning, Error, Critical };
inline std::string_view to_string(Severity s) noexcept {
  switch (s) {
    case Severity::Info: return "INFO";
    case Severity::Warning: return "WARNING";
    case Severity::Error: return "ERROR";
    case Severity::Critical: return "CRITICAL";
  }
  return "?";
}

/// One alert. `fields` are ordered name/value pairs (never secrets).
struct Notification {
  Severity severity = Severity::Info;
  std::string title;
  std::string body;
  std::vector<std::pair<std::string, std::string>> fields;
  Timestamp ts;        ///< kernel clock when raised
  std::string source;  ///< what raised it: "kernel", a plugin id
};

/// Delivers notifications. The kernel calls `notify` from its notifier thread, never from the
/// kernel thread, so a slow or failing notifier never blocks trading.
class Notifier {
 public:
  virtual ~Notifier() = default;
  virtual Status start(Logger& logger) = 0;
  /// Deliver one notification; a non-Ok status is logged and counted by the kernel.
  virtual Status notify(const Notification& notification) = 0;
  virtual void stop() {}
};

}  // namespace mercurio::sdk
