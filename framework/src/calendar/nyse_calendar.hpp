#pragma once
/// @file nyse_calendar.hpp
/// The New York Stock Exchange's regular sessions (code "XNYS"), computed by rule for every year
/// of the supported range, with America/New_York converted to UTC by the system tz database.
///
/// Sessions: Monday to Friday 09:30-16:00 America/New_York, except
/// - holidays (closed), as the NYSE observes them:
///   New Year's Day (Jan 1; Sunday -> Monday; Saturday -> not observed, Dec 31 trades),
///   Martin Luther King Jr. Day (3rd Monday of January, from 1998),
///   Washington's Birthday (3rd Monday of February), Good Friday (two days before Western Easter),
///   Memorial Day (last Monday of May), Juneteenth (June 19, from 2022),
///   Independence Day (July 4), Labor Day (1st Monday of September),
///   Thanksgiving (4th Thursday of November), Christmas (December 25);
///   Juneteenth, Independence Day and Christmas move to Friday when they fall on a Saturday and to
///   Monday when they fall on a Sunday;
/// - early closes at 13:00: July 3 when it is a Monday to Thursday (until 2012, a Thursday July 4
///   put the early close on Friday July 5 instead, and July 3 traded a full day), the day after
///   Thanksgiving, and December 24 when it is a Monday to Thursday;
/// - the one-off days listed by nyse_one_off_days() (special closures and irregular hours).
///
/// Supported range: 2001-01-01 (the one-off table is complete from there; earlier years had
/// closures and hours these rules do not describe) through 2200-12-31, cut to December 31 of the
/// year of the last UTC-offset change that the tz database lists explicitly. Debian 12's
/// libdate-tz (3.0.1) reads the compiled zoneinfo files and ignores their rule for the years
/// after the last listed change (the POSIX TZ footer); Debian's "fat" files list changes through
/// 2037, so the range ends 2037-12-31 there, where later summers would otherwise be an hour off.
///
/// Unknown future closures (e.g. a national day of mourning) cannot be foreseen: add them to the
/// one-off table (kOneOffs in nyse_calendar.cpp) when the NYSE announces them.

#include <optional>
#include <span>
#include <string_view>

#include "calendar/market_calendar.hpp"

namespace mercurio::kernel {

/// A day whose hours the rules do not give: closed (no hours) or irregular hours, in
/// America/New_York minutes after midnight.
struct NyseOneOffDay {
  CivilDate date;
  bool closed = true;
  int open_minute = 0;   ///< when !closed
  int close_minute = 0;  ///< when !closed
  std::string_view reason;
};

/// The one-off days, in date order. See the .cpp for the sources.
std::span<const NyseOneOffDay> nyse_one_off_days() noexcept;

class NyseCalendar final : public MarketCalendar {
 public:
  static constexpr std::string_view kCode = "XNYS";
  static constexpr std::string_view kTimeZone = "America/New_York";
  static constexpr CivilDate kFirstDate{2001, 1, 1};
  static constexpr CivilDate kLastRuleDate{2200, 12, 31};
  static constexpr int kOpenMinute = 9 * 60 + 30;
  static constexpr int kCloseMinute = 16 * 60;
  static constexpr int kEarlyCloseMinute = 13 * 60;

  /// Loads America/New_York from the system tz database; throws std::runtime_error when it
  /// cannot (no tzdata) or when the data does not reach kFirstDate.
  NyseCalendar();

  std::string_view code() const noexcept override { return kCode; }
  SessionDate first_date() const noexcept override { return kFirstDate; }
  SessionDate last_date() const noexcept override { return last_date_; }

  bool is_open(sdk::Timestamp t) const override;
  std::optional<Session> session_on(SessionDate date) const override;
  sdk::Timestamp next_open(sdk::Timestamp t) const override;
  sdk::Timestamp next_close(sdk::Timestamp t) const override;
  SessionDate session_date(sdk::Timestamp t) const override;
  std::vector<Session> sessions(SessionDate from, SessionDate to) const override;

 private:
  /// The America/New_York date of `t`; std::out_of_range outside the supported range.
  std::int64_t local_day(sdk::Timestamp t) const;
  void check_date(const SessionDate& date) const;
  /// The session of a day already known to be in range.
  std::optional<Session> session_of_day(std::int64_t day) const;
  /// The first session from local day `day` on whose open (by_open) or close is after `t`;
  /// std::out_of_range when none is left in the supported range.
  Session first_session_after(std::int64_t day, sdk::Timestamp t, bool by_open) const;

  SessionDate last_date_ = kLastRuleDate;
};

}  // namespace mercurio::kernel
