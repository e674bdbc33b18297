#include "log/kernel_log.hpp"

#include <chrono>

#include "mercurio/sdk/time.hpp"
#include "mercurio/text/single_line.hpp"

namespace mercurio::kernel {

namespace {
std::string_view level_name(sdk::LogLevel level) {
  switch (level) {
    case sdk::LogLevel::Debug: return "DEBUG";
    case sdk::LogLevel::Info: return "INFO ";
    case sdk::LogLevel::Warning: return "WARN ";
    case sdk::LogLevel::Error: return "ERROR";
  }
  return "?";
}
}  // namespace

void LogOutput::write(sdk::LogLevel level, std::string_view source, std::string_view message) {
  const auto now = std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now().time_since_epoch());
  // Whole seconds from the SDK formatter, then milliseconds: "2026-01-02T03:04:05.678Z".
  const std::int64_t ns = now.count();
  const sdk::Timestamp seconds{ns - ns % sdk::Timestamp::kNanosPerSecond};
  char stamp[48];
  std::size_t n = seconds.format_iso8601(stamp) - 1;  // drop the 'Z'
  const int ms = static_cast<int>(ns % sdk::Timestamp::kNanosPerSecond / 1'000'000);
  stamp[n++] = '.';
  stamp[n++] = static_cast<char>('0' + ms / 100);
  stamp[n++] = static_cast<char>('0' + ms / 10 % 10);
  stamp[n++] = static_cast<char>('0' + ms % 10);
  stamp[n++] = 'Z';
  const std::string_view level_text = level_name(level);
  // Every line of the output carries the real time, level and source, so text from outside (a
  // broker's reply, a plugin's message) cannot pass for another line: a message of several lines
  // (a reconciliation report) is written as several log lines ("\r\n" ends one too), and control
  // characters and bytes that are not UTF-8 are escaped (no escape sequence reaches a terminal).
  // Printable text stays as it is.
  std::string lines;
  lines.reserve(message.size() + source.size() + 48);
  for (const std::string_view line : text::lines_of(message)) {
    lines.append(stamp, n).append(" ").append(level_text).append(" [");
    text::append_single_line(lines, source, text::Backslash::Keep);
    lines.append("] ");
    text::append_single_line(lines, line, text::Backslash::Keep);
    lines.push_back('\n');
  }
  std::lock_guard lock(mutex_);
  *out_ << lines << std::flush;
}

}  // namespace mercurio::kernel
