#pragma once
/// @file intent_text.hpp
/// The text an order intent carries, checked before it goes anywhere: a symbol or a tag is written
/// to the journal, reports, brokers' files and log lines, and must read back as it was written.
/// Used by the risk gate on each order and by the kernel when a strategy subscribes to a symbol.

#include <string>
#include <string_view>

namespace mercurio::kernel {

/// Why `symbol` cannot be sent: a control character (C0, DEL, C1) or text that is not UTF-8,
/// named with its byte; empty when it can. No venue lists such a symbol, and symbols are written
/// as they are into the journal, CSV rows and file names of reports.
std::string symbol_text_problem(std::string_view symbol);

/// Why `tag` cannot be kept: text that is not UTF-8 (overlong forms, surrogates and code points
/// above U+10FFFF included), named with its byte; empty when it can.
std::string tag_text_problem(std::string_view tag);

}  // namespace mercurio::kernel
