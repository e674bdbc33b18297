#pragma once
// Fast ASCII checks, for text that is nearly always ASCII and is checked on every order: the exact
// UTF-8 checks (utf8.hpp) run only when these fail. (Internal library, not part of the plugin SDK.)

#include <cstdint>
#include <cstring>
#include <string_view>

namespace mercurio::text {

/// True when no byte has its high bit set. Eight bytes at a time: it runs on every order's tag
/// (the risk gate).
inline bool is_ascii(std::string_view text) noexcept {
  std::uint64_t high = 0;
  std::size_t i = 0;
  for (; i + 8 <= text.size(); i += 8) {
    std::uint64_t word;
    std::memcpy(&word, text.data() + i, 8);
    high |= word;
  }
  for (; i < text.size(); ++i) high |= static_cast<unsigned char>(text[i]);
  return (high & 0x8080808080808080ULL) == 0;
}

/// True when every byte is printable ASCII (U+0020-U+007E): nearly every symbol, so the exact
/// checks run only for the others. No branch per byte: it runs on every order (the risk gate).
inline bool is_printable_ascii(std::string_view text) noexcept {
  unsigned outside = 0;
  for (const char c : text)
    outside |= static_cast<unsigned>(static_cast<unsigned char>(c) - 0x20) > 0x5E;
  return outside == 0;
}

}  // namespace mercurio::text
