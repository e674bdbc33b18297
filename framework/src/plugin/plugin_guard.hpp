#pragma once
// Every kernel -> plugin call goes through call_guarded: an exception escaping a plugin becomes a
// fault report (and, through the kernel, a PluginFaulted event), never a crash of the kernel.

#include <exception>
#include <string>
#include <string_view>
#include <utility>

namespace mercurio::kernel {

/// Runs `fn`; returns false and calls `on_fault(std::string_view operation, const std::string& message)`
/// if it threw. Both are taken as they are (no std::function): the kernel calls plugins through
/// here on every bar and order, and only the rare fault path needs the handler.
template <class OnFault, class Fn>
bool call_guarded(OnFault&& on_fault, std::string_view operation, Fn&& fn) noexcept {
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
