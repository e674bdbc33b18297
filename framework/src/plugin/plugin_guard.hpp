#pragma once
// Every kernel -> plugin call goes through call_guarded: an exception escaping a plugin becomes a
// fault report (and, through the kernel, a PluginFaulted event), never a crash of the kernel.

#include <exception>
#include <string>
#include <string_view>
#include <utility>

namespace mercurio::kernel {

/// Calls `on_fault(operation, message)` with `parts` joined as the message, swallowing whatever
/// either throws (the message is built inside too: a bad_alloc there must not escape a noexcept
/// caller): a fault report must not itself fault the caller, which has its own handling to do.
template <class OnFault, class... Parts>
void report_fault(OnFault&& on_fault, std::string_view operation, const Parts&... parts) noexcept {
  try {
    std::string message;
    (message.append(std::string_view(parts)), ...);
    on_fault(operation, message);
  } catch (...) {
  }
}

/// Runs `fn`; returns false and calls `on_fault(std::string_view operation, const std::string&
/// message)` (through report_fault) if it threw. Both are taken as they are (no std::function): the
/// kernel calls plugins through here on every bar and order, and only the rare fault path needs the
/// handler.
template <class OnFault, class Fn>
bool call_guarded(OnFault&& on_fault, std::string_view operation, Fn&& fn) noexcept {
  try {
    std::forward<Fn>(fn)();
    return true;
  } catch (const std::exception& e) {
    report_fault(on_fault, operation, "threw: ", e.what());
  } catch (...) {
    report_fault(on_fault, operation, "threw a non-standard exception");
  }
  return false;
}

}  // namespace mercurio::kernel
