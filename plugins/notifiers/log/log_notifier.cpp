#include "log_notifier.hpp"

#include <exception>

#include "escape.hpp"
#include "mercurio/text/single_line.hpp"

namespace mercurio::notifiers::log {

namespace {
// Backslashes doubled: every escape in a line reads back to the one byte it stands for.
void append_escaped(std::string& line, std::string_view text) {
  mercurio::text::append_single_line(line, text, mercurio::text::Backslash::Double);
}
}  // namespace

std::string format_text(const sdk::Notification& n) {
  std::string line;
  line.reserve(64 + n.title.size() + n.body.size());
  line += '[';
  line += sdk::to_string(n.severity);
  line += "] ";
  append_escaped(line, n.title);
  if (!n.body.empty()) {
    line += " \xE2\x80\x94 ";  // U+2014 EM DASH
    append_escaped(line, n.body);
  }
  if (!n.fields.empty()) {
    line += " (";
    bool first = true;
    for (const auto& [key, value] : n.fields) {
      if (!first) line += ", ";
      first = false;
      append_escaped(line, key);
      line += '=';
      append_escaped(line, value);
    }
    line += ')';
  }
  if (!n.source.empty()) {
    line += " source=";
    append_escaped(line, n.source);
  }
  return line;
}

std::string format_json(const sdk::Notification& n) {
  std::string line;
  line.reserve(128 + n.title.size() + n.body.size());
  line += "{\"severity\":";
  append_json_string(line, sdk::to_string(n.severity));
  line += ",\"title\":";
  append_json_string(line, n.title);
  line += ",\"body\":";
  append_json_string(line, n.body);
  line += ",\"fields\":{";
  bool first = true;
  for (const auto& [key, value] : n.fields) {
    if (!first) line += ',';
    first = false;
    append_json_string(line, key);
    line += ':';
    append_json_string(line, value);
  }
  line += "},\"source\":";
  append_json_string(line, n.source);
  line += ",\"ts\":";
  char ts[40];
  append_json_string(line, std::string_view(ts, n.ts.format_iso8601(ts)));
  line += '}';
  return line;
}

sdk::LogLevel level_for(sdk::Severity severity) noexcept {
  switch (severity) {
    case sdk::Severity::Info: return sdk::LogLevel::Info;
    case sdk::Severity::Warning: return sdk::LogLevel::Warning;
    case sdk::Severity::Error:
    case sdk::Severity::Critical: return sdk::LogLevel::Error;
  }
  return sdk::LogLevel::Error;
}

LogNotifier::LogNotifier(const sdk::ConfigView& config) : settings_(parse_settings(config)) {}

sdk::Status LogNotifier::start(sdk::Logger& logger) {
  logger_ = &logger;
  return sdk::Status::ok();
}

sdk::Status LogNotifier::notify(const sdk::Notification& notification) {
  if (logger_ == nullptr)
    return {sdk::StatusCode::Internal,
            "log notifier: expected start() before notify(), was not started (or already stopped)"};
  try {
    const std::string line =
        settings_.format == Format::Json ? format_json(notification) : format_text(notification);
    logger_->log(level_for(notification.severity), line);
  } catch (const std::exception& e) {
    return {sdk::StatusCode::Internal,
            std::string("log notifier: cannot write the notification: ") + e.what()};
  }
  return sdk::Status::ok();
}

void LogNotifier::stop() { logger_ = nullptr; }

}  // namespace mercurio::notifiers::log
