#pragma once
/// @file log_notifier.hpp
/// A notifier that writes each notification as one line to the kernel's log.

#include <string>

#include "config.hpp"
#include "mercurio/sdk/notifier.hpp"

namespace mercurio::notifiers::log {

/// Formats a notification as one line of text (see README.md for the exact layout).
std::string format_text(const sdk::Notification& notification);
/// Formats a notification as a single-line JSON object: severity, title, body, fields (an object,
/// in the notification's order), source, ts (ISO-8601 UTC).
std::string format_json(const sdk::Notification& notification);
/// The log level a severity is written at: Info, Warning, or Error for Error and Critical.
sdk::LogLevel level_for(sdk::Severity severity) noexcept;

/// Thread: the kernel calls start/notify/stop from its notifier thread, one call at a time.
/// Lifetime: the Logger passed to start() must outlive the notifier or the next stop().
class LogNotifier final : public sdk::Notifier {
 public:
  /// Parses `config`; throws std::invalid_argument on a bad `format`.
  explicit LogNotifier(const sdk::ConfigView& config);
  explicit LogNotifier(Settings settings) : settings_(settings) {}

  sdk::Status start(sdk::Logger& logger) override;
  /// Writes one line; StatusCode::Internal when not started.
  sdk::Status notify(const sdk::Notification& notification) override;
  void stop() override;

 private:
  Settings settings_;
  sdk::Logger* logger_ = nullptr;
};

}  // namespace mercurio::notifiers::log
