#include "risk/intent_text.hpp"

#include <Poco/UTF8Encoding.h>

namespace mercurio::kernel {

namespace {

// Byte offset of the first byte that does not start a valid UTF-8 sequence, or npos.
std::size_t invalid_utf8_at(std::string_view text) {
  const auto* bytes = reinterpret_cast<const unsigned char*>(text.data());
  std::size_t i = 0;
  while (i < text.size()) {
    const unsigned char lead = bytes[i];
    if (lead < 0x80) {
      ++i;
      continue;
    }
    const std::size_t length = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 0;
    if (length == 0 || length > text.size() - i ||
        !Poco::UTF8Encoding::isLegal(bytes + i, static_cast<int>(length)))
      return i;
    i += length;
  }
  return std::string_view::npos;
}

// The first byte of a control character (C0 U+0000-U+001F, DEL U+007F, C1 U+0080-U+009F, the
// latter as UTF-8 C2 80..C2 9F), or npos.
std::size_t control_character_at(std::string_view text) {
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c < 0x20 || c == 0x7F) return i;
    if (c == 0xC2 && i + 1 < text.size() && static_cast<unsigned char>(text[i + 1]) <= 0x9F)
      return i;
  }
  return std::string_view::npos;
}

}  // namespace

std::string symbol_text_problem(std::string_view symbol) {
  if (const std::size_t at = control_character_at(symbol); at != std::string_view::npos)
    return "expected a symbol without control characters, byte " + std::to_string(at) + " is one";
  if (const std::size_t at = invalid_utf8_at(symbol); at != std::string_view::npos)
    return "expected a symbol in UTF-8, byte " + std::to_string(at) + " is not";
  return {};
}

std::string tag_text_problem(std::string_view tag) {
  if (const std::size_t at = invalid_utf8_at(tag); at != std::string_view::npos)
    return "expected a tag in UTF-8, byte " + std::to_string(at) + " of " +
           std::to_string(tag.size()) + " is not";
  return {};
}

}  // namespace mercurio::kernel
