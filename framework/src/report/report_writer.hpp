#pragma once
// Report output: one table of text cells written as CSV (RFC 4180 quoting) or as JSON (Poco),
// and the atomic write that never leaves a partial report behind.

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>

namespace mercurio::report {

/// A cell's text; nullopt is "no value" (an empty CSV field, JSON null). Decimals stay text so
/// they are exact in both formats.
using Cell = std::optional<std::string>;

struct Table {
  std::vector<std::string> columns;
  std::vector<std::vector<Cell>> rows;  ///< each row has columns.size() cells
};

/// One CSV field: quoted (with doubled quotes) when it holds a comma, quote, CR, LF or edge space.
std::string csv_field(std::string_view text);
/// Header line, then one line per row; lines end with "\n".
std::string to_csv(const Table& table);
/// The rows as an array of objects keyed by column name, in column order.
Poco::JSON::Array::Ptr to_json_rows(const Table& table);
/// A JSON object with keys in insertion order.
Poco::JSON::Object::Ptr ordered_object();
/// Indented JSON text ending with "\n".
std::string to_json_text(const Poco::JSON::Object::Ptr& object);

/// Writes `content` to `path` through a temporary file in the same directory, renamed over `path`
/// once complete and flushed: readers see the old file or the whole new one, never a part.
/// Throws ReportError naming the file.
void write_file_atomically(const std::filesystem::path& path, const std::string& content);

}  // namespace mercurio::report
