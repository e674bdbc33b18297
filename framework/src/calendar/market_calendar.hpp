#pragma once
/// @file market_calendar.hpp
/// When a market trades: its sessions (one per trading date, each [open, close) in UTC), and the
/// questions the kernel asks about an instant (is it open, when does it next open or close, which
/// trading date does it belong to). The calendars are rule-based; see nyse_calendar.hpp and
/// always_open_calendar.hpp for the rules of each.

#include <compare>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "mercurio/sdk/time.hpp"

namespace mercurio::kernel {

/// A calendar date with no time zone (proleptic Gregorian), e.g. a session's trading date.
/// A plain value: it may hold an invalid date such as 2025-02-30; valid() tells, and every
/// calendar method refuses an invalid date with std::invalid_argument.
struct CivilDate {
  std::int32_t year = 1970;
  std::uint32_t month = 1;  ///< 1..12
  std::uint32_t day = 1;    ///< 1..31

  /// True when the date exists (month 1..12, day within the month, leap years counted).
  bool valid() const noexcept;
  /// Days since 1970-01-01 (negative before). Precondition: valid().
  std::int64_t days_since_epoch() const noexcept;
  static CivilDate from_days_since_epoch(std::int64_t days) noexcept;
  /// Exactly "YYYY-MM-DD" naming a valid date; nullopt for anything else (no sign, no spaces,
  /// no time part).
  static std::optional<CivilDate> parse(std::string_view text) noexcept;
  /// "YYYY-MM-DD".
  std::string to_string() const;

  friend auto operator<=>(const CivilDate&, const CivilDate&) = default;
  friend bool operator==(const CivilDate&, const CivilDate&) = default;
};

/// The trading date a session (or an instant, through MarketCalendar::session_date) belongs to.
using SessionDate = CivilDate;

/// One trading session: trading is possible at every instant t with open <= t < close.
struct Session {
  SessionDate date;
  sdk::Timestamp open;   ///< inclusive: the market is open at this instant
  sdk::Timestamp close;  ///< exclusive: the market is already closed at this instant

  friend bool operator==(const Session&, const Session&) = default;
};

/// A market's trading calendar.
///
/// Every calendar covers a contiguous supported range of dates, [first_date(), last_date()]. A
/// date outside it, or an instant whose trading-calendar date (the exchange's local date) is
/// outside it, is refused with std::out_of_range naming the range: the calendar does not guess.
/// Invalid dates are refused with std::invalid_argument.
///
/// Thread: every method is const and safe to call from several threads at once.
/// Lifetime: a calendar holds no resources beyond itself; sessions are computed on demand.
class MarketCalendar {
 public:
  virtual ~MarketCalendar() = default;

  /// The calendar's code: "XNYS" (ISO 10383 MIC of the New York Stock Exchange) or "24/7".
  virtual std::string_view code() const noexcept = 0;
  /// First and last trading dates the calendar answers for (inclusive).
  virtual SessionDate first_date() const noexcept = 0;
  virtual SessionDate last_date() const noexcept = 0;

  /// True when `t` lies inside a session (open inclusive, close exclusive).
  virtual bool is_open(sdk::Timestamp t) const = 0;
  /// The session of trading date `date`, or nullopt when the market does not trade that date
  /// (weekend, holiday, special closure).
  virtual std::optional<Session> session_on(SessionDate date) const = 0;
  /// The first session open strictly after `t` (so at an open instant, the following session's).
  virtual sdk::Timestamp next_open(sdk::Timestamp t) const = 0;
  /// The first session close strictly after `t`: the current session's close while open.
  virtual sdk::Timestamp next_close(sdk::Timestamp t) const = 0;
  /// The trading date `t` belongs to: the date of the session `t` falls in or, outside sessions,
  /// the date of the next session. Equivalently, the date of the first session whose close is
  /// after `t`.
  virtual SessionDate session_date(sdk::Timestamp t) const = 0;
  /// All sessions with from <= date <= to, in date order. from > to is std::invalid_argument.
  virtual std::vector<Session> sessions(SessionDate from, SessionDate to) const = 0;
};

/// The codes make_calendar() accepts, canonical codes first: "XNYS", "24/7", then the aliases
/// "NYSE", "ALWAYS".
std::span<const std::string_view> calendar_codes() noexcept;

/// The calendar for `code` ("XNYS" or its alias "NYSE"; "24/7" or its alias "ALWAYS"; exact,
/// case-sensitive), or nullptr for any other code. Throws std::runtime_error when the calendar
/// cannot be built, e.g. XNYS without the system time zone database (Debian package tzdata).
/// Ownership: the caller owns the calendar.
std::unique_ptr<MarketCalendar> make_calendar(std::string_view code);

}  // namespace mercurio::kernel
