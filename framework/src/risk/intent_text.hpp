#pragma once
/// @file intent_text.hpp
/// The text an order intent carries, checked before it goes anywhere: a symbol or a tag is written
/// to the journal, reports, brokers' files and log lines, and must read back as it was written.
/// Used by the risk gate on each order and by the kernel when a strategy subscribes to a symbol.

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

namespace mercurio::kernel {

/// True when no byte has its high bit set. Eight bytes at a time: it runs on every order's tag.
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
/// checks run only for the others. No branch per byte: it runs on every order.
inline bool is_printable_ascii(std::string_view text) noexcept {
  unsigned outside = 0;
  for (const char c : text)
    outside |= static_cast<unsigned>(static_cast<unsigned char>(c) - 0x20) > 0x5E;
  return outside == 0;
}

/// Why `symbol` cannot be sent: a control character (C0, DEL, C1) or text that is not UTF-8,
/// named with its byte; empty when it can. No venue lists such a symbol, and symbols are written
/// as they are into the journal, CSV rows and file names of reports.
std::string symbol_text_problem(std::string_view symbol);

/// Why `tag` cannot be kept: text that is not UTF-8 (overlong forms, surrogates and code points
/// above U+10FFFF included), named with its byte; empty when it can.
std::string tag_text_problem(std::string_view tag);

}  // namespace mercurio::kernel
