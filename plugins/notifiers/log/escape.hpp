#pragma once
/// @file escape.hpp
/// Small hand-written escapers for the log notifier: JSON string literals and single-line text.

#include <string>
#include <string_view>

namespace mercurio::notifiers::log {

/// Appends `text` to `out` as a JSON string literal, quotes included (RFC 8259): `"` and `\`
/// are backslash-escaped, control characters below U+0020 become \b \f \n \r \t or \u00XX, valid
/// UTF-8 passes through unchanged, and each byte of an invalid UTF-8 sequence becomes \ufffd, so
/// the result is always valid JSON.
void append_json_string(std::string& out, std::string_view text);

/// Appends `text` to `out` with control characters written as \n, \r, \t or \xHH and backslashes
/// doubled, so the text stays on one line and cannot forge a log line. Other bytes pass through.
void append_single_line(std::string& out, std::string_view text);

}  // namespace mercurio::notifiers::log
