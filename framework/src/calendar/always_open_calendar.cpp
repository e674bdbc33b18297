#include "calendar/always_open_calendar.hpp"

#include <stdexcept>
#include <string>

namespace mercurio::kernel {

namespace {

std::string range_text() {
  return AlwaysOpenCalendar::kFirstDate.to_string() + ".." +
         AlwaysOpenCalendar::kLastDate.to_string();
}

// The range's ends as day numbers, converted once: every equity row asks for a session date.
const std::int64_t kFirstDay = AlwaysOpenCalendar::kFirstDate.days_since_epoch();
const std::int64_t kLastDay = AlwaysOpenCalendar::kLastDate.days_since_epoch();

}  // namespace

std::int64_t AlwaysOpenCalendar::utc_day(sdk::Timestamp t) {
  const std::int64_t day = t.utc_day();
  if (day < kFirstDay || day > kLastDay)
    throw std::out_of_range("24/7 calendar: expected an instant whose UTC date is in " +
                            range_text() + ", was " + t.to_iso8601());
  return day;
}

void AlwaysOpenCalendar::check_date(const SessionDate& date) {
  if (!date.valid())
    throw std::invalid_argument("24/7 calendar: expected a valid date, was " + date.to_string());
  if (date < kFirstDate || date > kLastDate)
    throw std::out_of_range("24/7 calendar: expected a date in " + range_text() + ", was " +
                            date.to_string());
}

Session AlwaysOpenCalendar::session_of_day(std::int64_t day) noexcept {
  return Session{CivilDate::from_days_since_epoch(day),
                 sdk::Timestamp{day * sdk::Timestamp::kNanosPerDay},
                 sdk::Timestamp{(day + 1) * sdk::Timestamp::kNanosPerDay}};
}

bool AlwaysOpenCalendar::is_open(sdk::Timestamp t) const {
  utc_day(t);  // range check only: inside the range the market is always open
  return true;
}

std::optional<Session> AlwaysOpenCalendar::session_on(SessionDate date) const {
  check_date(date);
  return session_of_day(date.days_since_epoch());
}

sdk::Timestamp AlwaysOpenCalendar::next_open(sdk::Timestamp t) const {
  const std::int64_t next = utc_day(t) + 1;
  if (next > kLastDate.days_since_epoch())
    throw std::out_of_range("24/7 calendar: no session opens after " + t.to_iso8601() +
                            " up to the end of the supported range " + range_text());
  return session_of_day(next).open;
}

sdk::Timestamp AlwaysOpenCalendar::next_close(sdk::Timestamp t) const {
  return session_of_day(utc_day(t)).close;
}

SessionDate AlwaysOpenCalendar::session_date(sdk::Timestamp t) const {
  return CivilDate::from_days_since_epoch(utc_day(t));
}

std::vector<Session> AlwaysOpenCalendar::sessions(SessionDate from, SessionDate to) const {
  check_date(from);
  check_date(to);
  if (from > to)
    throw std::invalid_argument("24/7 calendar: expected from <= to, was " + from.to_string() +
                                " > " + to.to_string());
  std::vector<Session> out;
  const std::int64_t first = from.days_since_epoch();
  const std::int64_t last = to.days_since_epoch();
  out.reserve(static_cast<std::size_t>(last - first + 1));
  for (std::int64_t day = first; day <= last; ++day) out.push_back(session_of_day(day));
  return out;
}

}  // namespace mercurio::kernel
