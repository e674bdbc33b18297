#pragma once
// Named crash points for the crash-recovery tests: MERCURIO_CRASH_POINT=<name>:<n> makes the
// process kill itself (SIGKILL, as an operator's kill -9 or the OOM killer would) the n-th time the
// order path passes <name>. Unset, each point is one predictable branch.
//
// Points: before_intent_write (risk approved, not journaled), after_intent_write (journaled, not
// sent), after_send (the broker has it, the answer not recorded), fill_before_journal (a fill
// arrived, not journaled), fill_after_journal (journaled, not booked).

#include <csignal>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace mercurio::kernel {

class CrashPoint {
 public:
  CrashPoint() = default;
  /// Parses "<name>:<n>"; nullopt when malformed.
  static std::optional<CrashPoint> parse(std::string_view spec) {
    const auto colon = spec.rfind(':');
    if (colon == std::string_view::npos || colon == 0) return std::nullopt;
    std::int64_t n = 0;
    for (char c : spec.substr(colon + 1)) {
      if (c < '0' || c > '9' || n > 1'000'000'000) return std::nullopt;
      n = n * 10 + (c - '0');
    }
    if (n < 1) return std::nullopt;
    CrashPoint p;
    p.name_ = std::string(spec.substr(0, colon));
    p.remaining_ = n;
    return p;
  }

  void hit(std::string_view name) {
    if (remaining_ == 0 || name != name_) return;
    if (--remaining_ == 0) std::raise(SIGKILL);
  }

 private:
  std::string name_;
  std::int64_t remaining_ = 0;
};

}  // namespace mercurio::kernel
