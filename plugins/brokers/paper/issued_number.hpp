#pragma once
/// @file issued_number.hpp
/// The numbers the paper broker writes after a fixed prefix: venue order ids ("paper-<n>"), trade
/// ids ("paper-t<n>") and its state file's change records ("# end of change <n>").

#include <charconv>
#include <cstdint>
#include <optional>
#include <string_view>

namespace mercurio::brokers::paper {

/// n of "<prefix><n>" written as the broker writes it: digits only, no leading zero, 1 or more.
inline std::optional<std::uint64_t> number_after(std::string_view prefix, std::string_view text) {
  if (!text.starts_with(prefix)) return std::nullopt;
  text.remove_prefix(prefix.size());
  if (text.starts_with('0')) return std::nullopt;
  std::uint64_t n = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  if (ec != std::errc{} || end != text.data() + text.size() || n == 0) return std::nullopt;
  return n;
}

}  // namespace mercurio::brokers::paper
