#pragma once
// The escape that keeps text from outside on one log line: a plugin's message, a broker's reply
// or a symbol cannot break the line, forge the next one or send escape sequences to a terminal.
// (Internal library, not part of the plugin SDK.)

#include <string>
#include <string_view>
#include <vector>

namespace mercurio::text {

/// What becomes of a backslash.
enum class Backslash {
  Keep,    ///< as it is: printable text is never changed (a path stays readable, text a plugin
           ///< escaped already is not escaped twice); "\n" in the output may then be either
  Double,  ///< doubled: every escape in the output reads back to exactly one input byte
};

/// Appends `text` to `out` on one line: newline, carriage return and tab become \n \r \t; every
/// other control character (C0, DEL, and C1 as its two UTF-8 bytes) and every byte that is not
/// part of valid UTF-8 becomes \xHH. Printable ASCII and valid UTF-8 pass through unchanged.
void append_single_line(std::string& out, std::string_view text, Backslash backslash);

/// `text` to show within one line of output (a name, a reason, a value): append_single_line with
/// backslashes kept, a line break written as \n.
std::string single_line(std::string_view text);

/// The lines of `text`, split at each "\n" or "\r\n" (a reply from the web often ends its lines
/// so); a final line break leaves no empty line after it, and empty text is one empty line.
std::vector<std::string_view> lines_of(std::string_view text);

/// `text` to show as the lines it has (a command's error on stderr): each line of lines_of,
/// escaped as append_single_line does with backslashes kept, joined with "\n".
std::string printable_lines(std::string_view text);

}  // namespace mercurio::text
