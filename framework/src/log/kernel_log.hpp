#pragma once
// The process log on stderr: "<UTC time> <LEVEL> [<source>] <message>", a line for each line of
// the message (ended by \n or \r\n), control characters and bytes that are not UTF-8 in the
// source and message escaped.

#include <mutex>
#include <ostream>
#include <string>

#include "mercurio/sdk/logger.hpp"

namespace mercurio::kernel {

class LogOutput {
 public:
  LogOutput(std::ostream& out, sdk::LogLevel threshold) : out_(&out), threshold_(threshold) {}
  void write(sdk::LogLevel level, std::string_view source, std::string_view message);
  bool enabled(sdk::LogLevel level) const noexcept { return level >= threshold_; }

 private:
  std::mutex mutex_;
  std::ostream* out_;
  const sdk::LogLevel threshold_;  // fixed: read by every thread without a lock
};

/// A Logger that stamps every line with its source (a plugin id, "kernel").
class SourceLogger final : public sdk::Logger {
 public:
  SourceLogger(LogOutput& output, std::string source) : output_(&output), source_(std::move(source)) {}
  void log(sdk::LogLevel level, std::string_view message) override {
    if (output_->enabled(level)) output_->write(level, source_, message);
  }
  bool enabled(sdk::LogLevel level) const override { return output_->enabled(level); }

 private:
  LogOutput* output_;
  std::string source_;
};

}  // namespace mercurio::kernel
