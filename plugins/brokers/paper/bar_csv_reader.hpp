#pragma once
/// @file bar_csv_reader.hpp
/// Loads and validates one symbol's OHLCV bars from a CSV file
/// (`timestamp,open,high,low,close,volume`, ISO-8601 UTC timestamps, plain decimals).

#include <string>
#include <string_view>
#include <vector>

#include "mercurio/sdk/status.hpp"
#include "mercurio/sdk/types.hpp"

namespace mercurio::brokers::paper {

/// What to do with a row that fails validation.
enum class BadRowPolicy : unsigned char {
  Error,  ///< loading fails and the error lists every bad row
  Skip,   ///< the row is dropped and reported in BarFile::skipped
};

/// The exact header line a bar file must start with.
inline constexpr std::string_view kBarCsvHeader = "timestamp,open,high,low,close,volume";
/// At most this many bad rows are spelled out in an error message.
inline constexpr std::size_t kMaxReportedBadRows = 20;

/// A loaded file: bars in strictly increasing time order.
struct BarFile {
  std::vector<sdk::Bar> bars;
  /// Skip policy only: one "file:line: problem" message per dropped row.
  std::vector<std::string> skipped;
  /// How many pieces the rows were parsed in at once (1: in one pass on the calling thread).
  std::size_t pieces = 1;
};

/// At most this many pieces per thread: threads take the next piece as they finish one, so a
/// thread the machine runs slowly (a busy core) holds up only the piece it has.
inline constexpr std::size_t kPiecesPerThread = 4;
/// The least piece by default: a file's rows are parsed on several threads from twice this.
inline constexpr std::size_t kMinPieceBytes = std::size_t{256} << 10;

/// How one file's rows may be parsed on several threads: the text is cut at line ends into pieces
/// of about `min_piece_bytes` or more (at most kPiecesPerThread per thread), and `threads`
/// threads, the caller's included, each take the next piece until none is left. The result is
/// always that of the single pass: a piece with any bad row, or pieces whose times do not follow
/// on, make the whole text parse again in one pass, which words every problem.
struct ParseThreads {
  unsigned threads = 1;
  std::size_t min_piece_bytes = kMinPieceBytes;
};

/// Parses CSV text already in memory. `file_label` names the file in messages as
/// "<file_label>:<line>: <problem>". A leading UTF-8 BOM and CR-LF line ends are accepted.
/// Errors: InvalidArgument for a wrong header or (policy Error) any bad row; the message lists
/// every bad row up to kMaxReportedBadRows, then "and N more".
sdk::Result<BarFile> parse_bar_csv(std::string_view text, std::string_view file_label,
                                   const sdk::Symbol& symbol, BadRowPolicy policy,
                                   ParseThreads threads = {});

/// Reads the whole file at `path` in one go and parses it (see parse_bar_csv). A file that
/// cannot be opened or read gives NotFound naming `symbol` and `path`.
sdk::Result<BarFile> read_bar_csv(const std::string& path, const sdk::Symbol& symbol,
                                  BadRowPolicy policy, ParseThreads threads = {});

}  // namespace mercurio::brokers::paper
