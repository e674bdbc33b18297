#include "risk/intent_text.hpp"

#include "mercurio/text/utf8.hpp"

namespace mercurio::kernel {

std::string symbol_text_problem(std::string_view symbol) {
  if (const std::size_t at = text::control_character_at(symbol); at != std::string_view::npos)
    return "expected a symbol without control characters, byte " + std::to_string(at) + " is one";
  if (const std::size_t at = text::invalid_utf8_at(symbol); at != std::string_view::npos)
    return "expected a symbol in UTF-8, byte " + std::to_string(at) + " is not";
  return {};
}

std::string tag_text_problem(std::string_view tag) {
  if (const std::size_t at = text::invalid_utf8_at(tag); at != std::string_view::npos)
    return "expected a tag in UTF-8, byte " + std::to_string(at) + " of " +
           std::to_string(tag.size()) + " is not";
  return {};
}

}  // namespace mercurio::kernel
