#include "mercurio/text/utf8.hpp"

#include <Poco/UTF8Encoding.h>

namespace mercurio::text {

std::size_t utf8_sequence_length(std::string_view text, std::size_t i) noexcept {
  if (i >= text.size()) return 0;
  const auto* bytes = reinterpret_cast<const unsigned char*>(text.data());
  const unsigned char lead = bytes[i];
  if (lead < 0x80) return 1;
  // The length the lead byte announces; isLegal refuses a lead that cannot start one (80..C1,
  // F5..FF), bad continuation bytes, overlong forms, surrogates and code points above U+10FFFF.
  const std::size_t length = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 0;
  if (length == 0 || length > text.size() - i ||
      !Poco::UTF8Encoding::isLegal(bytes + i, static_cast<int>(length)))
    return 0;
  return length;
}

std::size_t invalid_utf8_at(std::string_view text) noexcept {
  std::size_t i = 0;
  while (i < text.size()) {
    const std::size_t length = utf8_sequence_length(text, i);
    if (length == 0) return i;
    i += length;
  }
  return std::string_view::npos;
}

std::size_t control_character_at(std::string_view text) noexcept {
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c < 0x20 || c == 0x7F || is_c1_control_at(text, i)) return i;
  }
  return std::string_view::npos;
}

}  // namespace mercurio::text
