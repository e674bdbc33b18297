#pragma once
/// @file escape.hpp
/// The log notifier's JSON string escaper (the text format uses
/// mercurio::text::append_single_line).

#include <string>
#include <string_view>

namespace mercurio::notifiers::log {

/// Appends `text` to `out` as a JSON string literal, quotes included (RFC 8259): `"` and `\`
/// are backslash-escaped, control characters become \b \f \n \r \t or \u00XX (DEL and C1
/// included, which JSON would allow raw), valid UTF-8 passes through unchanged, and each byte of
/// an invalid UTF-8 sequence becomes \ufffd, so the result is always valid JSON.
void append_json_string(std::string& out, std::string_view text);

}  // namespace mercurio::notifiers::log
