#include "mercurio/text/single_line.hpp"

#include "mercurio/text/utf8.hpp"

namespace mercurio::text {

namespace {

void append_byte_escape(std::string& out, unsigned char c) {
  constexpr char kHex[] = "0123456789abcdef";
  out += "\\x";
  out += kHex[c >> 4];
  out += kHex[c & 0x0F];
}

}  // namespace

void append_single_line(std::string& out, std::string_view text, Backslash backslash) {
  out.reserve(out.size() + text.size());
  std::size_t i = 0;
  while (i < text.size()) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c >= 0x20 && c < 0x7F) {
      if (c == '\\' && backslash == Backslash::Double) out += '\\';
      out += static_cast<char>(c);
      ++i;
    } else if (c == '\n') {
      out += "\\n";
      ++i;
    } else if (c == '\r') {
      out += "\\r";
      ++i;
    } else if (c == '\t') {
      out += "\\t";
      ++i;
    } else if (c < 0x80) {  // the other C0 controls and DEL
      append_byte_escape(out, c);
      ++i;
    } else if (is_c1_control_at(text, i)) {
      append_byte_escape(out, c);
      append_byte_escape(out, static_cast<unsigned char>(text[i + 1]));
      i += 2;
    } else if (const std::size_t length = utf8_sequence_length(text, i); length > 0) {
      out.append(text.data() + i, length);
      i += length;
    } else {  // not UTF-8: the byte alone, so what follows it is read afresh
      append_byte_escape(out, c);
      ++i;
    }
  }
}

std::string single_line(std::string_view text) {
  std::string out;
  append_single_line(out, text, Backslash::Keep);
  return out;
}

std::vector<std::string_view> lines_of(std::string_view text) {
  std::vector<std::string_view> lines;
  std::size_t begin = 0;
  do {
    const std::size_t newline = text.find('\n', begin);
    std::size_t end = newline == std::string_view::npos ? text.size() : newline;
    if (newline != std::string_view::npos && end > begin && text[end - 1] == '\r') --end;
    lines.push_back(text.substr(begin, end - begin));
    begin = newline == std::string_view::npos ? text.size() : newline + 1;
  } while (begin < text.size());
  return lines;
}

std::string printable_lines(std::string_view text) {
  const std::vector<std::string_view> lines = lines_of(text);
  std::string out;
  for (std::size_t k = 0; k < lines.size(); ++k) {
    if (k > 0) out += '\n';
    append_single_line(out, lines[k], Backslash::Keep);
  }
  return out;
}

}  // namespace mercurio::text
