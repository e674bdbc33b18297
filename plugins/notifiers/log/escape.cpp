#include "escape.hpp"

#include "mercurio/text/utf8.hpp"

namespace mercurio::notifiers::log {

namespace {
constexpr char kHex[] = "0123456789abcdef";
}  // namespace

void append_json_string(std::string& out, std::string_view text) {
  out.reserve(out.size() + text.size() + 2);
  out += '"';
  std::size_t i = 0;
  while (i < text.size()) {
    const auto c = static_cast<unsigned char>(text[i]);
    switch (c) {
      case '"':
        out += "\\\"";
        ++i;
        continue;
      case '\\':
        out += "\\\\";
        ++i;
        continue;
      case '\b':
        out += "\\b";
        ++i;
        continue;
      case '\f':
        out += "\\f";
        ++i;
        continue;
      case '\n':
        out += "\\n";
        ++i;
        continue;
      case '\r':
        out += "\\r";
        ++i;
        continue;
      case '\t':
        out += "\\t";
        ++i;
        continue;
      default: break;
    }
    // JSON allows DEL and C1 raw; escaped, the line has no control character for the kernel's
    // log to escape again (its \\x form would not be JSON).
    if (c < 0x20 || c == 0x7F || mercurio::text::is_c1_control_at(text, i)) {
      const auto code = c == 0xC2 ? static_cast<unsigned char>(text[i + 1]) : c;
      out += "\\u00";
      out += kHex[code >> 4];
      out += kHex[code & 0x0F];
      i += c == 0xC2 ? 2 : 1;
      continue;
    }
    const std::size_t n = mercurio::text::utf8_sequence_length(text, i);
    if (n == 0) {
      out += "\\ufffd";  // U+FFFD REPLACEMENT CHARACTER: keeps the line valid JSON
      ++i;
      continue;
    }
    out.append(text.data() + i, n);
    i += n;
  }
  out += '"';
}

}  // namespace mercurio::notifiers::log
