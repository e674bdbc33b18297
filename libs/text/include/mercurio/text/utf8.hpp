#pragma once
// UTF-8 validity and control characters, for text that came from outside (a plugin, a broker's
// reply, a config file) and is written to logs, journals and files that must read back.
// (Internal library, not part of the plugin SDK.)

#include <cstddef>
#include <string_view>

namespace mercurio::text {

/// Length (1-4) of the valid UTF-8 sequence starting at text[i], or 0 when the bytes there are
/// not one: a stray continuation byte, a truncated sequence, an overlong form, a UTF-16 surrogate
/// or a code point above U+10FFFF, or i past the end. Validity is Poco's (UTF8Encoding::isLegal).
std::size_t utf8_sequence_length(std::string_view text, std::size_t i) noexcept;

/// Offset of the first byte that does not start a valid UTF-8 sequence, or npos.
std::size_t invalid_utf8_at(std::string_view text) noexcept;

/// True when text[i] starts a C1 control character (U+0080-U+009F, in UTF-8 C2 80..C2 9F).
inline bool is_c1_control_at(std::string_view text, std::size_t i) noexcept {
  return i + 1 < text.size() && static_cast<unsigned char>(text[i]) == 0xC2 &&
         (static_cast<unsigned char>(text[i + 1]) & 0xE0) == 0x80;
}

/// Offset of the first control character: C0 (U+0000-U+001F), DEL (U+007F) or C1 (U+0080-U+009F,
/// as UTF-8), or npos. C2 followed by anything else is not C1 (invalid_utf8_at finds it if bad).
std::size_t control_character_at(std::string_view text) noexcept;

}  // namespace mercurio::text
