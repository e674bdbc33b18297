#include "calendar/nyse_calendar.hpp"

#include <array>
#include <chrono>
#include <stdexcept>
#include <string>

#include <date/date.h>
#include <date/tz.h>

namespace mercurio::kernel {

namespace {

constexpr int hm(int hours, int minutes) noexcept { return hours * 60 + minutes; }

constexpr NyseOneOffDay closed(CivilDate date, std::string_view reason) noexcept {
  return {date, true, 0, 0, reason};
}
constexpr NyseOneOffDay hours(CivilDate date, int open, int close,
                              std::string_view reason) noexcept {
  return {date, false, open, close, reason};
}

// Days the rules get wrong, from 2001 on. Closures: NYSE announcements. Irregular hours: the
// NYSE's history of closings and delayed openings (as compiled in pandas_market_calendars'
// holidays/nyse.py); a delayed opening of a few minutes was a moment of silence.
constexpr std::array kOneOffs = {
    closed({2001, 9, 11}, "September 11 attacks"),
    closed({2001, 9, 12}, "September 11 attacks"),
    closed({2001, 9, 13}, "September 11 attacks"),
    closed({2001, 9, 14}, "September 11 attacks"),
    hours({2001, 9, 17}, hm(9, 33), hm(16, 0), "reopening after September 11, moment of silence"),
    hours({2001, 10, 8}, hm(9, 31), hm(16, 0), "moment of silence, Operation Enduring Freedom"),
    hours({2002, 9, 11}, hm(12, 0), hm(16, 0), "first anniversary of September 11, opened at noon"),
    hours({2003, 3, 20}, hm(9, 32), hm(16, 0), "moment of silence, Operation Iraqi Freedom"),
    hours({2003, 12, 26}, hm(9, 30), hm(13, 0), "early close on the day after Christmas"),
    hours({2004, 6, 7}, hm(9, 32), hm(16, 0), "moment of silence for former President Reagan"),
    closed({2004, 6, 11}, "national day of mourning for former President Reagan"),
    hours({2005, 6, 1}, hm(9, 30), hm(15, 56), "closed early by a systems communication problem"),
    hours({2006, 12, 27}, hm(9, 32), hm(16, 0), "moment of silence for former President Ford"),
    closed({2007, 1, 2}, "national day of mourning for former President Ford"),
    closed({2012, 10, 29}, "Hurricane Sandy"),
    closed({2012, 10, 30}, "Hurricane Sandy"),
    closed({2018, 12, 5}, "national day of mourning for former President George H. W. Bush"),
    closed({2025, 1, 9}, "national day of mourning for former President Carter"),
};

using date::sys_days;

// Western (Gregorian) Easter Sunday: the anonymous Gregorian algorithm (Meeus/Jones/Butcher).
sys_days easter_sunday(int y) noexcept {
  const int a = y % 19, b = y / 100, c = y % 100, d = b / 4, e = b % 4;
  const int f = (b + 8) / 25, g = (b - f + 1) / 3;
  const int h = (19 * a + b - d - g + 15) % 30;
  const int i = c / 4, k = c % 4;
  const int l = (32 + 2 * e + 2 * i - h - k) % 7;
  const int m = (a + 11 * h + 22 * l) / 451;
  const int n = h + l - 7 * m + 114;
  return sys_days{date::year{y} / static_cast<unsigned>(n / 31) /
                  static_cast<unsigned>(n % 31 + 1)};
}

sys_days nth_weekday(int y, unsigned month, date::weekday wd, unsigned n) noexcept {
  return sys_days{date::year{y} / date::month{month} / wd[n]};
}

sys_days last_weekday(int y, unsigned month, date::weekday wd) noexcept {
  return sys_days{date::year{y} / date::month{month} / wd[date::last]};
}

// Saturday -> the Friday before, Sunday -> the Monday after.
sys_days nearest_weekday(sys_days day) noexcept {
  const date::weekday wd{day};
  if (wd == date::Saturday) return day - date::days{1};
  if (wd == date::Sunday) return day + date::days{1};
  return day;
}

bool is_holiday(int y, sys_days day) noexcept {
  const date::year year{y};
  // New Year's Day: a Saturday Jan 1 is not moved to Friday Dec 31 (NYSE Rule 7.2: not when the
  // Friday ends a yearly accounting period).
  const sys_days new_year{year / 1 / 1};
  const date::weekday new_year_wd{new_year};
  if (new_year_wd != date::Saturday && day == nearest_weekday(new_year)) return true;
  // Martin Luther King Jr. Day, Washington's Birthday, Good Friday, Memorial Day.
  if (y >= 1998 && day == nth_weekday(y, 1, date::Monday, 3)) return true;
  if (day == nth_weekday(y, 2, date::Monday, 3)) return true;
  if (day == easter_sunday(y) - date::days{2}) return true;
  if (day == last_weekday(y, 5, date::Monday)) return true;
  // Juneteenth, Independence Day, Labor Day, Thanksgiving, Christmas.
  if (y >= 2022 && day == nearest_weekday(sys_days{year / 6 / 19})) return true;
  if (day == nearest_weekday(sys_days{year / 7 / 4})) return true;
  if (day == nth_weekday(y, 9, date::Monday, 1)) return true;
  if (day == nth_weekday(y, 11, date::Thursday, 4)) return true;
  return day == nearest_weekday(sys_days{year / 12 / 25});
}

bool is_monday_to_thursday(sys_days day) noexcept {
  const unsigned wd = date::weekday{day}.c_encoding();  // 0 = Sunday
  return wd >= 1 && wd <= 4;
}

// 13:00 closes. Called for weekdays that are not holidays.
bool is_early_close(int y, sys_days day) noexcept {
  const date::year year{y};
  const sys_days july4{year / 7 / 4};
  if (y < 2013 && date::weekday{july4} == date::Thursday) {
    if (day == july4 + date::days{1}) return true;  // until 2012: Friday July 5, not July 3
  } else if (day == july4 - date::days{1} && is_monday_to_thursday(day)) {
    return true;  // July 3 (when it is the Friday, it is the observed holiday itself)
  }
  // The day after Thanksgiving.
  if (day == nth_weekday(y, 11, date::Thursday, 4) + date::days{1}) return true;
  // Christmas Eve (when it is the Friday, it is Christmas observed).
  const sys_days christmas_eve{year / 12 / 24};
  return day == christmas_eve && is_monday_to_thursday(day);
}

struct LocalHours {
  int open_minute;
  int close_minute;
};

std::optional<LocalHours> hours_of(sys_days day) {
  const CivilDate date = CivilDate::from_days_since_epoch(day.time_since_epoch().count());
  for (const NyseOneOffDay& one_off : kOneOffs) {
    if (one_off.date == date) {
      if (one_off.closed) return std::nullopt;
      return LocalHours{one_off.open_minute, one_off.close_minute};
    }
  }
  const date::weekday wd{day};
  if (wd == date::Saturday || wd == date::Sunday) return std::nullopt;
  if (is_holiday(date.year, day)) return std::nullopt;
  if (is_early_close(date.year, day))
    return LocalHours{NyseCalendar::kOpenMinute, NyseCalendar::kEarlyCloseMinute};
  return LocalHours{NyseCalendar::kOpenMinute, NyseCalendar::kCloseMinute};
}

sdk::Timestamp to_timestamp(date::sys_seconds t) noexcept {
  return sdk::Timestamp{t.time_since_epoch().count() * sdk::Timestamp::kNanosPerSecond};
}

// Looked up once; the date library's database owns the zone for the life of the process.
const date::time_zone& new_york_zone() {
  static const date::time_zone* const zone = date::locate_zone(NyseCalendar::kTimeZone);
  return *zone;
}

std::string range_text(const CivilDate& first, const CivilDate& last) {
  return first.to_string() + ".." + last.to_string();
}

}  // namespace

std::span<const NyseOneOffDay> nyse_one_off_days() noexcept { return kOneOffs; }

NyseCalendar::NyseCalendar() {
  const date::time_zone* zone = nullptr;
  try {
    zone = &new_york_zone();
  } catch (const std::exception& e) {
    throw std::runtime_error("XNYS calendar: cannot load time zone " + std::string(kTimeZone) +
                             " from the system tz database (Debian package tzdata): " + e.what());
  }
  // The offset in force after the last change the database lists is taken as permanent by
  // libdate-tz 3.0.1, which ignores the zoneinfo footer rule for later years. Trust the data only
  // through the year of that last listed change (a library that applies the footer reports
  // changes up to kLastRuleDate, and the range is not cut).
  const date::sys_seconds after_rules{sys_days{date::days{kLastRuleDate.days_since_epoch() + 1}}};
  const date::sys_info last_change = zone->get_info(after_rules);
  const sys_days first_day{date::days{kFirstDate.days_since_epoch()}};
  if (last_change.begin < first_day)
    throw std::runtime_error("XNYS calendar: the system tz database lists no offset change of " +
                             std::string(kTimeZone) + " after " + kFirstDate.to_string() +
                             " (expected yearly daylight-saving changes; is tzdata complete?)");
  const date::year_month_day change_date{date::floor<date::days>(last_change.begin)};
  const CivilDate end_of_data{static_cast<std::int32_t>(int{change_date.year()}), 12, 31};
  last_date_ = end_of_data < kLastRuleDate ? end_of_data : kLastRuleDate;
}

void NyseCalendar::check_date(const SessionDate& date) const {
  if (!date.valid())
    throw std::invalid_argument("XNYS calendar: expected a valid date, was " + date.to_string());
  if (date < kFirstDate || date > last_date_)
    throw std::out_of_range("XNYS calendar: expected a date in " +
                            range_text(kFirstDate, last_date_) + ", was " + date.to_string());
}

std::int64_t NyseCalendar::local_day(sdk::Timestamp t) const {
  const std::int64_t first = kFirstDate.days_since_epoch();
  const std::int64_t last = last_date_.days_since_epoch();
  // The UTC day check first keeps the offset arithmetic below far from the int64 limits.
  const std::int64_t utc_day = t.utc_day();
  std::int64_t day = utc_day;
  if (utc_day >= first - 1 && utc_day <= last + 1) {
    const auto local = new_york_zone().to_local(
        date::sys_time<std::chrono::nanoseconds>{std::chrono::nanoseconds{t.ns}});
    day = date::floor<date::days>(local).time_since_epoch().count();
  }
  if (day < first || day > last)
    throw std::out_of_range("XNYS calendar: expected an instant whose New York date is in " +
                            range_text(kFirstDate, last_date_) + ", was " + t.to_iso8601());
  return day;
}

std::optional<Session> NyseCalendar::session_of_day(std::int64_t day) const {
  const sys_days utc_midnight{date::days{day}};
  const std::optional<LocalHours> h = hours_of(utc_midnight);
  if (!h) return std::nullopt;
  const date::local_days local_midnight{date::days{day}};
  // 09:30, 13:00 and 16:00 are never in a daylight-saving gap or overlap (those are at 02:00),
  // so to_sys never has to choose; it would throw if a future rule made one ambiguous.
  const auto open = new_york_zone().to_sys(local_midnight + std::chrono::minutes{h->open_minute});
  const auto close = new_york_zone().to_sys(local_midnight + std::chrono::minutes{h->close_minute});
  return Session{CivilDate::from_days_since_epoch(day), to_timestamp(open), to_timestamp(close)};
}

Session NyseCalendar::first_session_after(std::int64_t day, sdk::Timestamp t, bool by_open) const {
  const std::int64_t last = last_date_.days_since_epoch();
  for (; day <= last; ++day) {
    const std::optional<Session> s = session_of_day(day);
    if (s && (by_open ? s->open : s->close) > t) return *s;
  }
  throw std::out_of_range("XNYS calendar: no session " + std::string(by_open ? "opens" : "closes") +
                          " after " + t.to_iso8601() + " up to the end of the supported range " +
                          range_text(kFirstDate, last_date_));
}

bool NyseCalendar::is_open(sdk::Timestamp t) const {
  const std::optional<Session> s = session_of_day(local_day(t));
  return s && s->open <= t && t < s->close;
}

std::optional<Session> NyseCalendar::session_on(SessionDate date) const {
  check_date(date);
  return session_of_day(date.days_since_epoch());
}

sdk::Timestamp NyseCalendar::next_open(sdk::Timestamp t) const {
  return first_session_after(local_day(t), t, true).open;
}

sdk::Timestamp NyseCalendar::next_close(sdk::Timestamp t) const {
  return first_session_after(local_day(t), t, false).close;
}

SessionDate NyseCalendar::session_date(sdk::Timestamp t) const {
  return first_session_after(local_day(t), t, false).date;
}

std::vector<Session> NyseCalendar::sessions(SessionDate from, SessionDate to) const {
  check_date(from);
  check_date(to);
  if (from > to)
    throw std::invalid_argument("XNYS calendar: expected from <= to, was " + from.to_string() +
                                " > " + to.to_string());
  std::vector<Session> out;
  const std::int64_t last = to.days_since_epoch();
  for (std::int64_t day = from.days_since_epoch(); day <= last; ++day) {
    if (auto s = session_of_day(day)) out.push_back(*s);
  }
  return out;
}

}  // namespace mercurio::kernel
