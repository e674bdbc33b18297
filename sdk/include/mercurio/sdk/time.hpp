#pragma once
/// @file time.hpp
/// Timestamps: 64-bit integer nanoseconds since the Unix epoch, UTC. Never floating point.

#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace mercurio::sdk {

/// A point in time, nanoseconds since 1970-01-01T00:00:00Z.
struct Timestamp {
  std::int64_t ns = 0;

  static constexpr std::int64_t kNanosPerSecond = 1'000'000'000;
  static constexpr std::int64_t kNanosPerDay = 86'400 * kNanosPerSecond;

  friend constexpr auto operator<=>(Timestamp, Timestamp) noexcept = default;
  friend constexpr bool operator==(Timestamp, Timestamp) noexcept = default;

  /// Days since the epoch of the UTC calendar date containing this instant.
  constexpr std::int64_t utc_day() const noexcept { return ns / kNanosPerDay - (ns % kNanosPerDay < 0 ? 1 : 0); }
  /// Nanoseconds since the start of utc_day().
  constexpr std::int64_t nanos_of_day() const noexcept {
    const std::int64_t r = ns % kNanosPerDay;
    return r < 0 ? r + kNanosPerDay : r;
  }

  /// Parses ISO-8601 UTC: "YYYY-MM-DD", "YYYY-MM-DDTHH:MM:SSZ" or with ".fffffffff" fraction.
  /// Returns nullopt for anything else (including offsets other than Z, invalid dates and years
  /// outside 1678-2261, the range 64-bit nanoseconds can hold).
  static std::optional<Timestamp> parse_iso8601(std::string_view text) noexcept;
  /// "YYYY-MM-DDTHH:MM:SSZ" (fraction added only when non-zero).
  std::string to_iso8601() const;
  /// Writes to_iso8601() into `out` (at least 32 bytes); returns the length. No allocation.
  std::size_t format_iso8601(char* out) const noexcept;
};

namespace time_detail {
// Howard Hinnant's days_from_civil / civil_from_days (public domain algorithms).
constexpr std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) noexcept {
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}
struct Civil {
  std::int64_t y;
  unsigned m, d;
};
constexpr Civil civil_from_days(std::int64_t z) noexcept {
  z += 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const std::int64_t y = static_cast<std::int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  return {y + (m <= 2), m, d};
}
constexpr bool is_leap(std::int64_t y) noexcept { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }
constexpr unsigned days_in_month(std::int64_t y, unsigned m) noexcept {
  constexpr unsigned kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && is_leap(y) ? 29 : kDays[m - 1];
}
constexpr bool read_digits(std::string_view s, std::size_t pos, std::size_t n, unsigned& out) noexcept {
  if (pos + n > s.size()) return false;
  unsigned v = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const char c = s[pos + i];
    if (c < '0' || c > '9') return false;
    v = v * 10 + static_cast<unsigned>(c - '0');
  }
  out = v;
  return true;
}
}  // namespace time_detail

inline std::optional<Timestamp> Timestamp::parse_iso8601(std::string_view s) noexcept {
  using namespace time_detail;
  unsigned y = 0, mo = 0, d = 0, h = 0, mi = 0, se = 0;
  if (!read_digits(s, 0, 4, y) || s.size() < 10 || s[4] != '-' || !read_digits(s, 5, 2, mo) ||
      s[7] != '-' || !read_digits(s, 8, 2, d))
    return std::nullopt;
  if (mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, mo)) return std::nullopt;
  if (y < 1678 || y > 2261) return std::nullopt;  // beyond +-292 years around 1970 nanoseconds overflow
  std::int64_t frac_ns = 0;
  if (s.size() > 10) {
    if ((s[10] != 'T' && s[10] != ' ') || !read_digits(s, 11, 2, h) || s.size() < 20 || s[13] != ':' ||
        !read_digits(s, 14, 2, mi) || s[16] != ':' || !read_digits(s, 17, 2, se))
      return std::nullopt;
    if (h > 23 || mi > 59 || se > 59) return std::nullopt;
    std::size_t pos = 19;
    if (pos < s.size() && s[pos] == '.') {
      ++pos;
      int digits = 0;
      while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
        if (digits == 9) return std::nullopt;
        frac_ns = frac_ns * 10 + (s[pos] - '0');
        ++digits;
        ++pos;
      }
      if (digits == 0) return std::nullopt;
      for (; digits < 9; ++digits) frac_ns *= 10;
    }
    if (pos + 1 != s.size() || s[pos] != 'Z') return std::nullopt;
  }
  const std::int64_t days = days_from_civil(y, mo, d);
  const std::int64_t secs = days * 86'400 + h * 3600 + mi * 60 + se;
  return Timestamp{secs * kNanosPerSecond + frac_ns};
}

inline std::size_t Timestamp::format_iso8601(char* out) const noexcept {
  using namespace time_detail;
  const std::int64_t day = utc_day();
  const std::int64_t in_day = nanos_of_day();
  const Civil c = civil_from_days(day);
  const std::int64_t secs = in_day / kNanosPerSecond;
  const std::int64_t frac = in_day % kNanosPerSecond;
  auto put = [&out](std::int64_t v, int width) {
    for (int i = width - 1; i >= 0; --i) {
      out[i] = static_cast<char>('0' + v % 10);
      v /= 10;
    }
    out += width;
  };
  char* start = out;
  put(c.y, 4);
  *out++ = '-';
  put(c.m, 2);
  *out++ = '-';
  put(c.d, 2);
  *out++ = 'T';
  put(secs / 3600, 2);
  *out++ = ':';
  put(secs / 60 % 60, 2);
  *out++ = ':';
  put(secs % 60, 2);
  if (frac != 0) {
    *out++ = '.';
    put(frac, 9);
  }
  *out++ = 'Z';
  return static_cast<std::size_t>(out - start);
}

inline std::string Timestamp::to_iso8601() const {
  char buf[40];
  return std::string(buf, format_iso8601(buf));
}

}  // namespace mercurio::sdk
