#pragma once
// Every kernel -> plugin call goes through call_guarded: an exception escaping a plugin becomes a
// fault report (and, through the kernel, a PluginFaulted event), never a crash of the kernel.

#include <exception>
#include <functional>
#include <string>
#include <string_view>

namespace mercurio::kernel {

using FaultHandler = std::function<void(std::string_view operation, const std::string& message)>;

/// Runs `fn`; returns false and calls `on_fault` if it threw.
template <class Fn>
bool call_guarded(const FaultHandler& on_fault, std::string_view operation, Fn&& fn) noexcept {
  try {
    std::forward<Fn>(fn)();
    return true;
  } catch (const std::exception& e) {
    try { on_fault(operation, std::string("threw: ") + e.what()); } catch (...) {}
  } catch (...) {
    try { on_fault(operation, "threw a non-standard exception"); } catch (...) {}
  }
  return false;
}

}  // namespace mercurio::kernel
