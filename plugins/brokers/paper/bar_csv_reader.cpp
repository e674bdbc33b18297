#include "bar_csv_reader.hpp"

#include <algorithm>
#include <array>
#include <atomic>
#include <cassert>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <future>
#include <memory>
#include <optional>
#include <system_error>

namespace mercurio::brokers::paper {

using sdk::Decimal;
using sdk::Status;
using sdk::StatusCode;

namespace {

constexpr std::string_view kUtf8Bom = "\xEF\xBB\xBF";
constexpr std::size_t kFieldCount = 6;
constexpr std::array<std::string_view, kFieldCount> kFieldNames = {"timestamp", "open",  "high",
                                                                   "low",       "close", "volume"};

// Echo of untrusted file content in a message, bounded so one garbage line cannot flood a log.
std::string quoted(std::string_view text) {
  constexpr std::size_t kMax = 40;
  std::string out = "'";
  out.append(text.substr(0, kMax));
  if (text.size() > kMax) out.append("...");
  out.push_back('\'');
  return out;
}

void add_issue(std::string& issues, std::string_view issue) {
  if (!issues.empty()) issues.append("; ");
  issues.append(issue);
}

// The spelling bar files use - 1 to 10 integer digits, optionally '.' and 1 to 8 fractional
// digits - read from `p` without the general parser's per-digit overflow checks (five numbers per
// row, millions of rows). Leaves `p` after the number; false (and `p` unchanged) when the text there
// is not spelled that way. At most 9,999,999,999.99999999: inside the int64 mantissa.
bool scan_plain_decimal(const char*& p, const char* end, std::int64_t& raw) {
  static constexpr std::uint64_t kPow10[9] = {100'000'000, 10'000'000, 1'000'000, 100'000, 10'000, 1'000, 100, 10, 1};
  const char* q = p;
  std::uint64_t units = 0;
  while (q != end && static_cast<unsigned>(*q - '0') < 10) units = units * 10 + static_cast<unsigned>(*q++ - '0');
  if (q == p || q - p > 10) return false;
  std::uint64_t frac = 0;
  int digits = 0;
  if (q != end && *q == '.') {
    ++q;
    while (q != end && digits < 8 && static_cast<unsigned>(*q - '0') < 10) {
      frac = frac * 10 + static_cast<unsigned>(*q++ - '0');
      ++digits;
    }
    if (digits == 0) return false;
  }
  raw = static_cast<std::int64_t>(units * 100'000'000 + frac * kPow10[digits]);
  p = q;
  return true;
}

// A decimal field: the plain spelling directly, anything else through Decimal::parse, so what is
// accepted and the value it gives are exactly Decimal::parse's.
std::optional<Decimal> parse_decimal(std::string_view text) {
  const char* p = text.data();
  const char* const end = p + text.size();
  std::int64_t raw = 0;
  if (scan_plain_decimal(p, end, raw) && p == end) return Decimal::from_raw(raw);
  return Decimal::parse(text);
}

// The rules a row's parsed values must meet (prices positive, volume not negative, high and low
// bracketing open and close). Appends each broken rule to `issues`, numbers echoed as written in
// `fields` so the user finds them; appends nothing (and allocates nothing) for a good row.
void check_values(const std::array<Decimal, 5>& values, const std::array<std::string_view, kFieldCount>& fields,
                  std::string& issues) {
  const auto [open, high, low, close, volume] = values;
  for (std::size_t i = 0; i < 4; ++i)
    if (!values[i].is_positive())
      add_issue(issues, std::string(kFieldNames[i + 1]) + ": expected > 0, found " + std::string(fields[i + 1]));
  if (volume.is_negative()) add_issue(issues, "volume: expected >= 0, found " + std::string(fields[5]));
  if (high < open) add_issue(issues, "high " + std::string(fields[2]) + " is below open " + std::string(fields[1]));
  if (high < close) add_issue(issues, "high " + std::string(fields[2]) + " is below close " + std::string(fields[4]));
  if (low > open) add_issue(issues, "low " + std::string(fields[3]) + " is above open " + std::string(fields[1]));
  if (low > close) add_issue(issues, "low " + std::string(fields[3]) + " is above close " + std::string(fields[4]));
  if (low > high) add_issue(issues, "low " + std::string(fields[3]) + " is above high " + std::string(fields[2]));
}

// The common case in one pass, without splitting the line first: a row validate_row would accept,
// spelled the plain way (timestamp, five plain decimals). Fills `bar` and returns true only then;
// any other row (including every bad one) returns false and goes through validate_row, which
// decides and words the problems. The values are read by parse_decimal's own plain rule and
// checked by the same check_values, so the fast path changes the speed, never the outcome.
bool parse_plain_row(std::string_view line, const std::optional<std::pair<sdk::Timestamp, std::size_t>>& previous,
                     sdk::Bar& bar) {
  const char* p = line.data();
  const char* const end = p + line.size();
  const char* comma = p;
  while (comma != end && *comma != ',') ++comma;
  if (comma == end) return false;
  std::array<std::string_view, kFieldCount> fields;
  fields[0] = std::string_view(p, static_cast<std::size_t>(comma - p));
  const auto ts = sdk::Timestamp::parse_iso8601(fields[0]);
  if (!ts || (previous && *ts <= previous->first)) return false;
  p = comma + 1;
  std::array<Decimal, 5> values;
  for (std::size_t i = 0; i < 5; ++i) {
    const char* const start = p;
    std::int64_t raw = 0;
    if (!scan_plain_decimal(p, end, raw)) return false;
    fields[i + 1] = std::string_view(start, static_cast<std::size_t>(p - start));
    values[i] = Decimal::from_raw(raw);
    if (i < 4) {
      if (p == end || *p != ',') return false;
      ++p;
    }
  }
  if (p != end) return false;
  std::string issues;
  check_values(values, fields, issues);
  if (!issues.empty()) return false;
  bar.ts = *ts;
  bar.open = values[0];
  bar.high = values[1];
  bar.low = values[2];
  bar.close = values[3];
  bar.volume = values[4];
  return true;
}

// Splits on ',' into exactly kFieldCount views; returns the number of fields found.
std::size_t split_fields(std::string_view line, std::array<std::string_view, kFieldCount>& fields) {
  std::size_t count = 0;
  std::size_t start = 0;
  while (true) {
    const std::size_t comma = line.find(',', start);
    const std::string_view field =
        line.substr(start, comma == std::string_view::npos ? line.size() - start : comma - start);
    if (count < kFieldCount) fields[count] = field;
    ++count;
    if (comma == std::string_view::npos) return count;
    start = comma + 1;
  }
}

// Validates one data row. On success fills `bar` and returns an empty string; otherwise returns
// every problem found, "; "-separated. `previous` is the last accepted bar's time and line;
// `time` receives the row's time whenever it reads as one.
std::string validate_row(std::string_view line,
                         const std::optional<std::pair<sdk::Timestamp, std::size_t>>& previous,
                         sdk::Bar& bar, std::optional<sdk::Timestamp>& time) {
  std::string issues;
  std::array<std::string_view, kFieldCount> fields;
  const std::size_t count = split_fields(line, fields);
  if (line.empty())
    return "expected 6 fields (timestamp,open,high,low,close,volume), found an empty line";
  if (count != kFieldCount)
    return "expected 6 fields (timestamp,open,high,low,close,volume), found " +
           std::to_string(count);

  const auto ts = sdk::Timestamp::parse_iso8601(fields[0]);
  time = ts;
  if (!ts)
    add_issue(issues,
              "timestamp: expected ISO-8601 UTC like 2024-01-02 or 2024-01-02T14:30:00Z, found " +
                  quoted(fields[0]));

  std::array<Decimal, 5> values;
  bool all_parsed = true;
  for (std::size_t i = 1; i < kFieldCount; ++i) {
    if (auto v = parse_decimal(fields[i])) {
      values[i - 1] = *v;
    } else {
      all_parsed = false;
      add_issue(issues, std::string(kFieldNames[i]) +
                            ": expected a decimal with at most 8 fractional digits, found " +
                            quoted(fields[i]));
    }
  }
  if (all_parsed) {
    check_values(values, fields, issues);
    const auto [open, high, low, close, volume] = values;
    bar.open = open;
    bar.high = high;
    bar.low = low;
    bar.close = close;
    bar.volume = volume;
  }
  if (ts) {
    if (previous && *ts <= previous->first)
      add_issue(issues, "timestamp " + std::string(fields[0]) +
                            " is not after the previous bar's " + previous->first.to_iso8601() +
                            " (line " + std::to_string(previous->second) +
                            "); expected strictly increasing timestamps");
    bar.ts = *ts;
  }
  return issues;
}

// Parses the data rows of `body` (whole lines; the header is not in it), handing each good row's
// bar to on_good_row. A bad row goes to on_bad_row(line number, problems, jumped_line), and the
// parse stops when that returns false. `jumped_line` is the line of the last good row when this
// row's time is before it but after the time of the line just before it (so that one row may be
// the bad one: a time that jumped ahead), else 0: a repeat of its time is only a repeated row.
// `line_no` is the number of the line before `body`. Returns false when stopped.
template <class OnGoodRow, class OnBadRow>
bool parse_rows(std::string_view body, std::size_t line_no, const sdk::Symbol& symbol,
                OnGoodRow&& on_good_row, OnBadRow&& on_bad_row) {
  std::optional<std::pair<sdk::Timestamp, std::size_t>> previous;
  std::optional<sdk::Timestamp> line_before;      // the last line's time, when it read as one
  std::optional<sdk::Timestamp> before_previous;  // line_before when `previous` was accepted
  std::size_t pos = 0;
  while (pos < body.size()) {
    const std::size_t nl = body.find('\n', pos);
    std::string_view line =
        body.substr(pos, nl == std::string_view::npos ? body.size() - pos : nl - pos);
    pos = nl == std::string_view::npos ? body.size() : nl + 1;
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);

    sdk::Bar bar;
    bar.symbol = symbol;
    if (parse_plain_row(line, previous, bar)) {
      before_previous = line_before;
      previous = std::make_pair(bar.ts, line_no);
      line_before = bar.ts;
      on_good_row(bar);
      continue;
    }
    std::optional<sdk::Timestamp> time;
    std::string issues = validate_row(line, previous, bar, time);
    if (issues.empty()) {
      before_previous = line_before;
      previous = std::make_pair(bar.ts, line_no);
      line_before = bar.ts;
      on_good_row(bar);
      continue;
    }
    const bool jumped = time && previous && before_previous && (*time < previous->first) &&
                        (*time > *before_previous);
    line_before = time;
    if (!on_bad_row(line_no, std::move(issues), jumped ? previous->second : 0)) return false;
  }
  return true;
}

// The '\n's in `text`. Counted in runs of at most 255 bytes into a byte-sized total, which the
// compiler turns into vector compares; std::count's per-byte 64-bit count is not vectorized and
// took a sixth of a file's parse.
std::size_t line_ends(std::string_view text) {
  std::size_t total = 0;
  for (std::size_t at = 0; at < text.size();) {
    const std::size_t run = std::min<std::size_t>(text.size() - at, 255);
    unsigned char in_run = 0;
    for (std::size_t i = 0; i < run; ++i)
      in_run = static_cast<unsigned char>(in_run + (text[at + i] == '\n'));
    total += in_run;
    at += run;
  }
  return total;
}

// The rows of `body` parsed in pieces at once (see ParseThreads). Fills `out` and returns true
// only when every row of every piece is good and each piece's first time follows the previous
// piece's last: then every row is exactly what the single pass accepts, with the same values,
// because a row's fate depends only on itself and the time of the row accepted before it.
// Otherwise (or when the text is too short to cut) returns false and the caller parses it in one
// pass: a file with a bad row is parsed twice, the price of keeping the one pass the only wording
// of its problems.
bool parse_in_pieces(std::string_view body, const sdk::Symbol& symbol, const ParseThreads& threads,
                     BarFile& out) {
  if (threads.threads < 2) return false;
  const std::size_t wanted =
      std::min(std::size_t{threads.threads} * kPiecesPerThread,
               body.size() / std::max<std::size_t>(threads.min_piece_bytes, 1));
  if (wanted < 2) return false;
  std::vector<std::string_view> pieces;
  for (std::size_t k = 0, start = 0; k < wanted && start < body.size(); ++k) {
    std::size_t end = body.size();
    // Each cut aims at an equal share of what is left, so a long line shrinks no later piece.
    if (k + 1 < wanted) {
      const std::size_t nl = body.find('\n', start + (body.size() - start) / (wanted - k));
      end = nl == std::string_view::npos ? body.size() : nl + 1;
    }
    pieces.push_back(body.substr(start, end - start));
    start = end;
  }
  if (pieces.size() < 2) return false;

  // One vector for every row, written in place: piece k fills the rows after those of the pieces
  // before it. Sizing it sets every bar once on this thread (about 1 % of a load); a vector per
  // piece, allocated on its worker and appended at the end, cost more: a worker's memory comes
  // from its own malloc arena, fresh pages each time, and page faults made the pieces barely
  // faster than one pass.
  std::vector<std::size_t> first_row(pieces.size() + 1, 0);
  for (std::size_t k = 0; k < pieces.size(); ++k)
    first_row[k + 1] = first_row[k] + line_ends(pieces[k]) + (pieces[k].back() == '\n' ? 0 : 1);
  out.bars.resize(first_row.back());
  // Element k is written only by the thread that took piece k.
  std::vector<char> good(pieces.size(), 0);
  std::atomic<std::size_t> next_piece{0};
  const auto parse_pieces = [&] {
    for (std::size_t k; (k = next_piece.fetch_add(1, std::memory_order_relaxed)) < pieces.size();) {
      sdk::Bar* next = out.bars.data() + first_row[k];
      // A line gives one bar or stops the piece: never more bars than the lines counted above.
      good[k] = parse_rows(
          pieces[k], 0, symbol, [&](const sdk::Bar& bar) { *next++ = bar; },
          [](std::size_t, std::string&&, std::size_t) { return false; });
      assert(!good[k] || next == out.bars.data() + first_row[k + 1]);
    }
  };
  const std::size_t helper_count = std::min<std::size_t>(threads.threads, pieces.size()) - 1;
  std::vector<std::future<void>> helpers;  // joined (and their exceptions rethrown) by get()
  helpers.reserve(helper_count);
  for (std::size_t i = 0; i < helper_count; ++i) {
    try {
      helpers.push_back(std::async(std::launch::async, parse_pieces));
    } catch (const std::system_error&) {
      break;  // no thread to be had: the threads there are take every piece
    }
  }
  parse_pieces();
  for (auto& helper : helpers) helper.get();
  bool all_good = std::all_of(good.begin(), good.end(), [](char g) { return g != 0; });
  for (std::size_t k = 1; all_good && k < pieces.size(); ++k)
    all_good = out.bars[first_row[k] - 1].ts < out.bars[first_row[k]].ts;
  if (!all_good) {
    out.bars = {};
    return false;
  }
  out.pieces = pieces.size();
  return true;
}

}  // namespace

sdk::Result<BarFile> parse_bar_csv(std::string_view text, std::string_view file_label,
                                   const sdk::Symbol& symbol, BadRowPolicy policy,
                                   ParseThreads threads) {
  if (text.substr(0, kUtf8Bom.size()) == kUtf8Bom) text.remove_prefix(kUtf8Bom.size());
  const std::string where(file_label);
  const auto header_error = [&](const std::string& found) {
    return Status(StatusCode::InvalidArgument,
                  symbol.str() + ": " + where + ":1: expected header '" +
                      std::string(kBarCsvHeader) + "', found " + found);
  };
  if (text.empty()) return header_error("an empty file");
  const std::size_t header_end = text.find('\n');
  std::string_view header = text.substr(0, header_end);
  if (!header.empty() && header.back() == '\r') header.remove_suffix(1);
  if (header != kBarCsvHeader) return header_error(quoted(header));
  const std::string_view body =
      header_end == std::string_view::npos ? std::string_view{} : text.substr(header_end + 1);

  BarFile out;
  if (parse_in_pieces(body, symbol, threads, out)) return out;

  out.bars.reserve(line_ends(body) + 1);
  std::vector<std::string> bad;  // "file:line: problem" for each bad row
  std::size_t bad_count = 0;
  // Skipping: two rows in a row that are before the last good row but after the one before it
  // say that the last good row's time jumped ahead (a typo: 2042 for 2024). Dropping them would
  // keep it, and drop every good row after it, so the load fails and names it.
  std::size_t suspect_line = 0, suspect_rows = 0, suspect_first_row = 0;
  const bool completed = parse_rows(
      body, 1, symbol, [&](const sdk::Bar& bar) { out.bars.push_back(bar); },
      [&](std::size_t line_no, std::string&& issues, std::size_t jumped_line) {
        ++bad_count;
        std::string message = where + ":" + std::to_string(line_no) + ": " + issues;
        if (policy == BadRowPolicy::Skip) {
          if (jumped_line != 0 && jumped_line == suspect_line) {
            ++suspect_rows;
          } else {
            suspect_line = jumped_line;
            suspect_rows = jumped_line != 0 ? 1 : 0;
            suspect_first_row = line_no;
          }
          if (suspect_rows == 2) return false;
          out.skipped.push_back(std::move(message));
        } else if (bad.size() < kMaxReportedBadRows) {
          bad.push_back(std::move(message));
        }
        return true;
      });
  if (!completed)
    return Status(StatusCode::InvalidArgument,
                  symbol.str() + ": " + where + ":" + std::to_string(suspect_line) +
                      ": this row's time looks wrong: lines " + std::to_string(suspect_first_row) +
                      " and after are before it but after the line before it; on_bad_row = "
                      "\"skip\" would keep it and drop the rows after it, so fix it in the file");

  if (policy == BadRowPolicy::Error && bad_count > 0) {
    std::string message = symbol.str() + ": " + where + " has " + std::to_string(bad_count) +
                          " bad row" + (bad_count == 1 ? "" : "s") +
                          " (on_bad_row = \"error\"; set it to \"skip\" to drop them):";
    for (const auto& row : bad) message.append("\n  ").append(row);
    if (bad_count > bad.size())
      message.append("\n  and " + std::to_string(bad_count - bad.size()) + " more");
    return Status(StatusCode::InvalidArgument, std::move(message));
  }
  return out;
}

sdk::Result<BarFile> read_bar_csv(const std::string& path, const sdk::Symbol& symbol,
                                  BadRowPolicy policy, ParseThreads threads) {
  auto fail = [&](std::string_view what, int err) {
    return Status(StatusCode::NotFound, symbol.str() + ": cannot " + std::string(what) +
                                            " data file '" + path +
                                            "': " + std::generic_category().message(err));
  };
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> file(std::fopen(path.c_str(), "rb"),
                                                       &std::fclose);
  if (!file) return fail("open", errno);

  // One read of the whole file into an uninitialized buffer; parsing then works on string_views
  // into it. The loop only matters when the file grows while being read.
  std::error_code size_error;
  const auto file_size = std::filesystem::file_size(path, size_error);
  std::size_t capacity =
      size_error ? std::size_t{1} << 16 : static_cast<std::size_t>(file_size) + 1;
  auto buffer = std::make_unique_for_overwrite<char[]>(capacity);
  std::size_t used = 0;
  while (true) {
    used += std::fread(buffer.get() + used, 1, capacity - used, file.get());
    if (used < capacity) break;  // end of file (or an error, checked below)
    auto bigger = std::make_unique_for_overwrite<char[]>(capacity * 2);
    std::memcpy(bigger.get(), buffer.get(), used);
    buffer = std::move(bigger);
    capacity *= 2;
  }
  if (std::ferror(file.get())) return fail("read", errno != 0 ? errno : EIO);
  const std::string_view content(buffer.get(), used);
  return parse_bar_csv(content, path, symbol, policy, threads);
}

}  // namespace mercurio::brokers::paper
