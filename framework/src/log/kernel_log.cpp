#include "log/kernel_log.hpp"

#include <chrono>

#include "mercurio/sdk/time.hpp"

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
  std::string line;
  line.reserve(message.size() + source.size() + 48);
  line.append(stamp, n).append(" ").append(level_name(level)).append(" [").append(source).append("] ").append(message);
  line.push_back('\n');
  std::lock_guard lock(mutex_);
  *out_ << line << std::flush;
}

}  // namespace mercurio::kernel
