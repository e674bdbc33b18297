#include "calendar/nyse_calendar.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

using mercurio::kernel::CivilDate;
using mercurio::kernel::NyseCalendar;
using mercurio::kernel::Session;
using mercurio::sdk::Timestamp;

namespace {

constexpr std::int64_t kNs = Timestamp::kNanosPerSecond;
constexpr std::int64_t kHour = 3600 * kNs;
constexpr std::int64_t kMinute = 60 * kNs;

// The NYSE's published holiday and early-close calendars (NYSE Group press releases and the
// NYSE's "holidays and trading hours" page), 2015-2027, as observed dates. Written out by hand,
// not derived from the rules. Full-day closures include the days of mourning of 2018 and 2025.
struct PublishedYear {
  int year;
  std::vector<std::string> closed;
  std::vector<std::string> early_close;  // 13:00 America/New_York
};

const std::vector<PublishedYear> kPublished = {
    {2015,
     {"2015-01-01", "2015-01-19", "2015-02-16", "2015-04-03", "2015-05-25", "2015-07-03",
      "2015-09-07", "2015-11-26", "2015-12-25"},
     {"2015-11-27", "2015-12-24"}},
    {2016,
     {"2016-01-01", "2016-01-18", "2016-02-15", "2016-03-25", "2016-05-30", "2016-07-04",
      "2016-09-05", "2016-11-24", "2016-12-26"},
     {"2016-11-25"}},
    {2017,
     {"2017-01-02", "2017-01-16", "2017-02-20", "2017-04-14", "2017-05-29", "2017-07-04",
      "2017-09-04", "2017-11-23", "2017-12-25"},
     {"2017-07-03", "2017-11-24"}},
    {2018,
     {"2018-01-01", "2018-01-15", "2018-02-19", "2018-03-30", "2018-05-28", "2018-07-04",
      "2018-09-03", "2018-11-22", "2018-12-05", "2018-12-25"},
     {"2018-07-03", "2018-11-23", "2018-12-24"}},
    {2019,
     {"2019-01-01", "2019-01-21", "2019-02-18", "2019-04-19", "2019-05-27", "2019-07-04",
      "2019-09-02", "2019-11-28", "2019-12-25"},
     {"2019-07-03", "2019-11-29", "2019-12-24"}},
    {2020,
     {"2020-01-01", "2020-01-20", "2020-02-17", "2020-04-10", "2020-05-25", "2020-07-03",
      "2020-09-07", "2020-11-26", "2020-12-25"},
     {"2020-11-27", "2020-12-24"}},
    {2021,
     {"2021-01-01", "2021-01-18", "2021-02-15", "2021-04-02", "2021-05-31", "2021-07-05",
      "2021-09-06", "2021-11-25", "2021-12-24"},
     {"2021-11-26"}},
    {2022,  // New Year's Day 2022 was a Saturday: not observed (NYSE Rule 7.2)
     {"2022-01-17", "2022-02-21", "2022-04-15", "2022-05-30", "2022-06-20", "2022-07-04",
      "2022-09-05", "2022-11-24", "2022-12-26"},
     {"2022-11-25"}},
    {2023,
     {"2023-01-02", "2023-01-16", "2023-02-20", "2023-04-07", "2023-05-29", "2023-06-19",
      "2023-07-04", "2023-09-04", "2023-11-23", "2023-12-25"},
     {"2023-07-03", "2023-11-24"}},
    {2024,
     {"2024-01-01", "2024-01-15", "2024-02-19", "2024-03-29", "2024-05-27", "2024-06-19",
      "2024-07-04", "2024-09-02", "2024-11-28", "2024-12-25"},
     {"2024-07-03", "2024-11-29", "2024-12-24"}},
    {2025,
     {"2025-01-01", "2025-01-09", "2025-01-20", "2025-02-17", "2025-04-18", "2025-05-26",
      "2025-06-19", "2025-07-04", "2025-09-01", "2025-11-27", "2025-12-25"},
     {"2025-07-03", "2025-11-28", "2025-12-24"}},
    {2026,
     {"2026-01-01", "2026-01-19", "2026-02-16", "2026-04-03", "2026-05-25", "2026-06-19",
      "2026-07-03", "2026-09-07", "2026-11-26", "2026-12-25"},
     {"2026-11-27", "2026-12-24"}},
    {2027,
     {"2027-01-01", "2027-01-18", "2027-02-15", "2027-03-26", "2027-05-31", "2027-06-18",
      "2027-07-05", "2027-09-06", "2027-11-25", "2027-12-24"},
     {"2027-11-26"}},
};

// Independent of the library under test: days and weekdays by the SDK's civil-date arithmetic,
// New York offsets by the US daylight-saving rules (since 2007: second Sunday of March to first
// Sunday of November; 1987-2006: first Sunday of April to last Sunday of October).
std::int64_t days(int y, unsigned m, unsigned d) {
  return mercurio::sdk::time_detail::days_from_civil(y, m, d);
}
std::int64_t days(const std::string& iso) {
  return days(std::stoi(iso.substr(0, 4)), static_cast<unsigned>(std::stoi(iso.substr(5, 2))),
              static_cast<unsigned>(std::stoi(iso.substr(8, 2))));
}
int weekday(std::int64_t day) { return static_cast<int>(((day % 7) + 11) % 7); }  // 0 = Sunday
std::int64_t nth_sunday(int y, unsigned m, int n) {
  std::int64_t day = days(y, m, 1);
  while (weekday(day) != 0) ++day;
  return day + 7 * (n - 1);
}
int new_york_utc_offset_hours(std::int64_t day) {
  const int y = static_cast<int>(mercurio::sdk::time_detail::civil_from_days(day).y);
  if (y >= 2007) return day >= nth_sunday(y, 3, 2) && day < nth_sunday(y, 11, 1) ? -4 : -5;
  return day >= nth_sunday(y, 4, 1) && day < nth_sunday(y, 11, 1) - 7 ? -4 : -5;
}
Timestamp new_york(std::int64_t day, int hour, int minute) {
  return Timestamp{day * Timestamp::kNanosPerDay + (hour - new_york_utc_offset_hours(day)) * kHour +
                   minute * kMinute};
}

Timestamp at(const char* iso) {
  auto t = Timestamp::parse_iso8601(iso);
  if (!t) throw std::invalid_argument(std::string("bad test timestamp ") + iso);
  return *t;
}
CivilDate civil(const std::string& iso) {
  auto d = CivilDate::parse(iso);
  if (!d) throw std::invalid_argument("bad test date " + iso);
  return *d;
}

const NyseCalendar& nyse() {
  static const NyseCalendar calendar;
  return calendar;
}

}  // namespace

TEST(NyseCalendarTest, PublishedTableHasOnlyWeekdaysAndEveryYear) {
  // Guards the hand-written data: a typo that lands on a weekend would test nothing.
  ASSERT_EQ(kPublished.size(), 13u);
  for (std::size_t i = 0; i < kPublished.size(); ++i) {
    const PublishedYear& py = kPublished[i];
    EXPECT_EQ(py.year, 2015 + static_cast<int>(i));
    for (const auto* list : {&py.closed, &py.early_close}) {
      for (const std::string& d : *list) {
        EXPECT_EQ(d.substr(0, 4), std::to_string(py.year)) << d;
        const int wd = weekday(days(d));
        EXPECT_TRUE(wd >= 1 && wd <= 5) << d << " is on a weekend";
      }
    }
  }
}

TEST(NyseCalendarTest, MatchesPublishedHolidaysAndEarlyClosesFor2015To2027) {
  for (const PublishedYear& py : kPublished) {
    const std::set<std::int64_t> closed = [&] {
      std::set<std::int64_t> s;
      for (const auto& d : py.closed) s.insert(days(d));
      return s;
    }();
    const std::set<std::int64_t> early = [&] {
      std::set<std::int64_t> s;
      for (const auto& d : py.early_close) s.insert(days(d));
      return s;
    }();
    std::vector<Session> expected;
    for (std::int64_t day = days(py.year, 1, 1); day <= days(py.year, 12, 31); ++day) {
      const CivilDate d = CivilDate::from_days_since_epoch(day);
      const int wd = weekday(day);
      const auto actual = nyse().session_on(d);
      if (wd == 0 || wd == 6 || closed.count(day)) {
        EXPECT_FALSE(actual.has_value()) << d.to_string() << " should be closed";
        continue;
      }
      const Session want{d, new_york(day, 9, 30),
                         early.count(day) ? new_york(day, 13, 0) : new_york(day, 16, 0)};
      expected.push_back(want);
      ASSERT_TRUE(actual.has_value()) << d.to_string() << " should trade";
      EXPECT_EQ(actual->open.to_iso8601(), want.open.to_iso8601()) << d.to_string();
      EXPECT_EQ(actual->close.to_iso8601(), want.close.to_iso8601()) << d.to_string();
    }
    const auto year_sessions =
        nyse().sessions(CivilDate{py.year, 1, 1}, CivilDate{py.year, 12, 31});
    EXPECT_EQ(year_sessions, expected) << py.year;
  }
}

TEST(NyseCalendarTest, TradingDayCountsMatchPublishedCalendars) {
  // Trading days per year, counted by hand (weekdays minus the closures of the table above).
  const std::vector<std::pair<int, std::size_t>> counts = {
      {2015, 252}, {2016, 252}, {2017, 251}, {2018, 251}, {2019, 252}, {2020, 253}, {2021, 252},
      {2022, 251}, {2023, 250}, {2024, 252}, {2025, 250}, {2026, 251}, {2027, 251}};
  for (const auto& [year, count] : counts)
    EXPECT_EQ(nyse().sessions(CivilDate{year, 1, 1}, CivilDate{year, 12, 31}).size(), count)
        << year;
}

TEST(NyseCalendarTest, SessionsFollowDaylightSavingTime) {
  // 2025: EDT from Sunday March 9 to Sunday November 2.
  const auto s = [](const char* d) { return *nyse().session_on(civil(d)); };
  EXPECT_EQ(s("2025-03-07").open, at("2025-03-07T14:30:00Z"));
  EXPECT_EQ(s("2025-03-07").close, at("2025-03-07T21:00:00Z"));
  EXPECT_EQ(s("2025-03-10").open, at("2025-03-10T13:30:00Z"));
  EXPECT_EQ(s("2025-03-10").close, at("2025-03-10T20:00:00Z"));
  EXPECT_EQ(s("2025-10-31").open, at("2025-10-31T13:30:00Z"));
  EXPECT_EQ(s("2025-10-31").close, at("2025-10-31T20:00:00Z"));
  EXPECT_EQ(s("2025-11-03").open, at("2025-11-03T14:30:00Z"));
  EXPECT_EQ(s("2025-11-03").close, at("2025-11-03T21:00:00Z"));
  // 2024: March 10 and November 3.
  EXPECT_EQ(s("2024-03-08").open, at("2024-03-08T14:30:00Z"));
  EXPECT_EQ(s("2024-03-11").open, at("2024-03-11T13:30:00Z"));
  EXPECT_EQ(s("2024-11-01").close, at("2024-11-01T20:00:00Z"));
  EXPECT_EQ(s("2024-11-04").close, at("2024-11-04T21:00:00Z"));
  // 2006, before the 2007 change of US rules: EDT from April 2 to October 29.
  EXPECT_EQ(s("2006-03-31").open, at("2006-03-31T14:30:00Z"));
  EXPECT_EQ(s("2006-04-03").open, at("2006-04-03T13:30:00Z"));
  EXPECT_EQ(s("2006-10-27").open, at("2006-10-27T13:30:00Z"));
  EXPECT_EQ(s("2006-10-30").open, at("2006-10-30T14:30:00Z"));
  // Early closes are 13:00 New York time in either offset.
  EXPECT_EQ(s("2025-07-03").close, at("2025-07-03T17:00:00Z"));
  EXPECT_EQ(s("2025-11-28").close, at("2025-11-28T18:00:00Z"));
  EXPECT_EQ(s("2025-12-24").close, at("2025-12-24T18:00:00Z"));
  EXPECT_FALSE(nyse().session_on(civil("2025-03-09")).has_value());  // the Sunday of the change
}

TEST(NyseCalendarTest, IsOpenIncludesOpenAndExcludesClose) {
  const Session s = *nyse().session_on(civil("2025-06-10"));
  EXPECT_FALSE(nyse().is_open(Timestamp{s.open.ns - 1}));
  EXPECT_TRUE(nyse().is_open(s.open));
  EXPECT_TRUE(nyse().is_open(Timestamp{s.open.ns + 1}));
  EXPECT_TRUE(nyse().is_open(at("2025-06-10T17:00:00Z")));
  EXPECT_TRUE(nyse().is_open(Timestamp{s.close.ns - 1}));
  EXPECT_FALSE(nyse().is_open(s.close));
  EXPECT_FALSE(nyse().is_open(Timestamp{s.close.ns + 1}));
  // Early close: 13:00 New York is closed, a nanosecond before is open.
  EXPECT_TRUE(nyse().is_open(Timestamp{at("2025-12-24T18:00:00Z").ns - 1}));
  EXPECT_FALSE(nyse().is_open(at("2025-12-24T18:00:00Z")));
  EXPECT_FALSE(nyse().is_open(at("2025-12-24T20:00:00Z")));
  // Weekend, holiday, night.
  EXPECT_FALSE(nyse().is_open(at("2025-06-14T15:00:00Z")));
  EXPECT_FALSE(nyse().is_open(at("2025-07-04T15:00:00Z")));
  EXPECT_FALSE(nyse().is_open(at("2025-06-11T03:00:00Z")));
  // An instant after UTC midnight that is still the previous evening in New York.
  EXPECT_FALSE(nyse().is_open(at("2025-06-11T00:30:00Z")));
}

TEST(NyseCalendarTest, NextOpenAndCloseSkipWeekendsAndHolidays) {
  // Friday after the close -> Monday.
  EXPECT_EQ(nyse().next_open(at("2025-11-21T21:00:00Z")), at("2025-11-24T14:30:00Z"));
  EXPECT_EQ(nyse().next_close(at("2025-11-21T21:00:00Z")), at("2025-11-24T21:00:00Z"));
  // During a session: the next close is today's; the next open is tomorrow's.
  EXPECT_EQ(nyse().next_close(at("2025-11-21T15:00:00Z")), at("2025-11-21T21:00:00Z"));
  EXPECT_EQ(nyse().next_open(at("2025-11-21T15:00:00Z")), at("2025-11-24T14:30:00Z"));
  // Before the open: today's open.
  EXPECT_EQ(nyse().next_open(at("2025-11-21T14:29:59Z")), at("2025-11-21T14:30:00Z"));
  // Strictly after: at an open or a close instant, the following one.
  EXPECT_EQ(nyse().next_open(at("2025-11-21T14:30:00Z")), at("2025-11-24T14:30:00Z"));
  EXPECT_EQ(nyse().next_close(at("2025-11-21T21:00:00Z")), at("2025-11-24T21:00:00Z"));
  // Thanksgiving, then the early close of the Friday after.
  EXPECT_EQ(nyse().next_open(at("2025-11-26T21:00:00Z")), at("2025-11-28T14:30:00Z"));
  EXPECT_EQ(nyse().next_close(at("2025-11-26T21:00:00Z")), at("2025-11-28T18:00:00Z"));
  // Christmas Eve's early close, Christmas, then Friday.
  EXPECT_EQ(nyse().next_open(at("2025-12-24T18:00:00Z")), at("2025-12-26T14:30:00Z"));
  // Good Friday and the weekend.
  EXPECT_EQ(nyse().next_open(at("2025-04-17T20:00:00Z")), at("2025-04-21T13:30:00Z"));
  // New Year's Day, over the year end.
  EXPECT_EQ(nyse().next_open(at("2025-12-31T21:00:00Z")), at("2026-01-02T14:30:00Z"));
  // Over the daylight-saving change: Friday EST -> Monday EDT.
  EXPECT_EQ(nyse().next_open(at("2025-03-07T21:00:00Z")), at("2025-03-10T13:30:00Z"));
  // Special closures: Hurricane Sandy, September 2001 (reopened at 09:33 after a moment of
  // silence).
  EXPECT_EQ(nyse().next_open(at("2012-10-26T20:00:00Z")), at("2012-10-31T13:30:00Z"));
  EXPECT_EQ(nyse().next_open(at("2001-09-10T20:00:00Z")), at("2001-09-17T13:33:00Z"));
}

TEST(NyseCalendarTest, SessionDateIsTheCurrentOrNextSession) {
  // Inside a session.
  EXPECT_EQ(nyse().session_date(at("2025-11-24T15:00:00Z")), civil("2025-11-24"));
  EXPECT_EQ(nyse().session_date(at("2025-11-24T14:30:00Z")), civil("2025-11-24"));
  // Before the open: today's session.
  EXPECT_EQ(nyse().session_date(at("2025-11-24T10:00:00Z")), civil("2025-11-24"));
  // At and after the close: the next session, also after UTC midnight while New York is still on
  // the previous day.
  EXPECT_EQ(nyse().session_date(at("2025-11-24T21:00:00Z")), civil("2025-11-25"));
  EXPECT_EQ(nyse().session_date(at("2025-11-25T03:00:00Z")), civil("2025-11-25"));
  // Weekend and holiday: the next session.
  EXPECT_EQ(nyse().session_date(at("2025-11-22T12:00:00Z")), civil("2025-11-24"));
  EXPECT_EQ(nyse().session_date(at("2025-11-26T22:00:00Z")), civil("2025-11-28"));
  EXPECT_EQ(nyse().session_date(at("2025-11-27T15:00:00Z")), civil("2025-11-28"));
}

TEST(NyseCalendarTest, SpecialClosuresAreClosedAndTheirNeighboursTrade) {
  for (const char* d : {"2001-09-11", "2001-09-12", "2001-09-13", "2001-09-14", "2004-06-11",
                        "2007-01-02", "2012-10-29", "2012-10-30", "2018-12-05", "2025-01-09"})
    EXPECT_FALSE(nyse().session_on(civil(d)).has_value()) << d;
  for (const char* d :
       {"2001-09-10", "2001-09-17", "2004-06-10", "2004-06-14", "2007-01-03", "2012-10-26",
        "2012-10-31", "2018-12-04", "2018-12-06", "2025-01-08", "2025-01-10"})
    EXPECT_TRUE(nyse().session_on(civil(d)).has_value()) << d;
}

TEST(NyseCalendarTest, OneOffTableIsSortedAndEveryEntryApplies) {
  const auto table = mercurio::kernel::nyse_one_off_days();
  ASSERT_FALSE(table.empty());
  for (std::size_t i = 0; i < table.size(); ++i) {
    const auto& e = table[i];
    if (i > 0) {
      EXPECT_LT(table[i - 1].date, e.date);
    }
    EXPECT_FALSE(e.reason.empty());
    const auto s = nyse().session_on(e.date);
    if (e.closed) {
      EXPECT_FALSE(s.has_value()) << e.date.to_string();
    } else {
      ASSERT_TRUE(s.has_value()) << e.date.to_string();
      const std::int64_t day = e.date.days_since_epoch();
      EXPECT_EQ(s->open, new_york(day, e.open_minute / 60, e.open_minute % 60))
          << e.date.to_string();
      EXPECT_EQ(s->close, new_york(day, e.close_minute / 60, e.close_minute % 60))
          << e.date.to_string();
    }
  }
  // The first anniversary of September 11: opened at noon.
  EXPECT_EQ(nyse().session_on(civil("2002-09-11"))->open, at("2002-09-11T16:00:00Z"));
}

TEST(NyseCalendarTest, ObservanceRulesOutsideThePublishedTable) {
  const auto closed = [](const char* d) { return !nyse().session_on(civil(d)).has_value(); };
  const auto early = [](const char* d) {
    const auto s = nyse().session_on(civil(d));
    return s && s->close.ns - s->open.ns == 3 * kHour + 30 * kMinute;
  };
  const auto full = [](const char* d) {
    const auto s = nyse().session_on(civil(d));
    return s && s->close.ns - s->open.ns == 6 * kHour + 30 * kMinute;
  };
  // New Year's Day on a Saturday is not observed: the Friday before trades a full day.
  EXPECT_TRUE(full("2010-12-31"));
  EXPECT_TRUE(full("2021-12-31"));
  EXPECT_TRUE(full("2027-12-31"));
  EXPECT_TRUE(closed("2012-01-02"));  // Sunday -> Monday
  // Christmas and Independence Day: Saturday -> Friday, Sunday -> Monday.
  EXPECT_TRUE(closed("2004-12-24"));
  EXPECT_TRUE(closed("2005-12-26"));
  EXPECT_TRUE(closed("2009-07-03"));
  EXPECT_TRUE(closed("2010-07-05"));
  // Juneteenth only from 2022; Saturday -> Friday.
  EXPECT_TRUE(full("2021-06-18"));
  EXPECT_TRUE(closed("2032-06-18"));
  // Early closes on July 3: Monday to Thursday; until 2012 a Thursday July 4 moved it to July 5.
  EXPECT_TRUE(early("2006-07-03"));  // Monday
  EXPECT_TRUE(early("2012-07-03"));  // Tuesday
  EXPECT_TRUE(full("2002-07-03"));   // Wednesday, 2002
  EXPECT_TRUE(early("2002-07-05"));  // Friday after a Thursday July 4, 2002
  EXPECT_TRUE(early("2013-07-03"));  // Wednesday, 2013
  EXPECT_TRUE(full("2013-07-05"));
  EXPECT_TRUE(early("2008-07-03"));  // Thursday
  EXPECT_TRUE(early("2028-07-03"));  // Monday
  EXPECT_TRUE(full("2031-07-02"));   // July 4, 2031 is a Friday: early close on Thursday July 3
  EXPECT_TRUE(early("2031-07-03"));
  // Christmas Eve early close Monday to Thursday; the day after Christmas 2003 closed early too.
  EXPECT_TRUE(early("2001-12-24"));
  EXPECT_TRUE(early("2003-12-26"));
  EXPECT_TRUE(full("2008-12-26"));
  // Good Friday by the computus, far from the table.
  EXPECT_TRUE(closed("2008-03-21"));
  EXPECT_TRUE(closed("2011-04-22"));
  EXPECT_TRUE(closed("2035-03-23"));
}

TEST(NyseCalendarTest, NextOpenAndCloseWalkEverySessionOfTheRange) {
  // From the first instant of the range to its last session, next_close/next_open visit exactly
  // the sessions sessions() lists, and every session has sane hours.
  const auto all = nyse().sessions(nyse().first_date(), nyse().last_date());
  ASSERT_GT(all.size(), 9000u);
  Timestamp t = at("2001-01-01T12:00:00Z");  // New Year's Day 2001, the range's first date
  std::size_t i = 0;
  for (; i < all.size(); ++i) {
    const Session& s = all[i];
    ASSERT_EQ(nyse().next_open(t), s.open) << s.date.to_string();
    ASSERT_EQ(nyse().next_close(s.open), s.close) << s.date.to_string();
    ASSERT_EQ(nyse().session_date(s.open), s.date);
    const std::int64_t length = s.close.ns - s.open.ns;
    EXPECT_TRUE(length == 6 * kHour + 30 * kMinute || length == 3 * kHour + 30 * kMinute ||
                s.date.year <= 2006)  // irregular one-off hours are all before 2007
        << s.date.to_string();
    if (i > 0) {
      EXPECT_LE(s.date.days_since_epoch() - all[i - 1].date.days_since_epoch(), 7)
          << s.date.to_string();
    }
    t = s.close;
  }
  EXPECT_THROW(nyse().next_open(all.back().close), std::out_of_range);
}

TEST(NyseCalendarTest, SupportedRangeEndsWhereTheTimeZoneDataEnds) {
  EXPECT_EQ(nyse().code(), "XNYS");
  EXPECT_EQ(nyse().first_date(), (CivilDate{2001, 1, 1}));
  const CivilDate last = nyse().last_date();
  EXPECT_GE(last, (CivilDate{2027, 12, 31}));
  EXPECT_LE(last, NyseCalendar::kLastRuleDate);
  EXPECT_EQ(last.month, 12u);
  EXPECT_EQ(last.day, 31u);
  // The summer of the last supported year is still on daylight-saving time: past the end of the
  // explicit tz data, libdate-tz 3.0.1 would put it on standard time, an hour late.
  const std::int64_t july1 = days(last.year, 7, 1);
  std::int64_t day = july1;
  while (!nyse().session_on(CivilDate::from_days_since_epoch(day))) ++day;
  EXPECT_EQ(nyse().session_on(CivilDate::from_days_since_epoch(day))->open, new_york(day, 9, 30));
  EXPECT_EQ(new_york_utc_offset_hours(day), -4);
}

TEST(NyseCalendarTest, RefusesDatesAndInstantsOutsideTheRange) {
  const CivilDate after_last =
      CivilDate::from_days_since_epoch(nyse().last_date().days_since_epoch() + 1);
  EXPECT_THROW(nyse().session_on(CivilDate{2000, 12, 29}), std::out_of_range);
  EXPECT_THROW(nyse().session_on(after_last), std::out_of_range);
  EXPECT_THROW(nyse().sessions(CivilDate{2000, 12, 1}, CivilDate{2001, 1, 31}), std::out_of_range);
  EXPECT_THROW(nyse().sessions(CivilDate{2025, 1, 1}, after_last), std::out_of_range);
  EXPECT_THROW(nyse().is_open(at("2000-12-29T15:00:00Z")), std::out_of_range);
  // 2001-01-01T03:00Z is still December 31, 2000 in New York.
  EXPECT_THROW(nyse().is_open(at("2001-01-01T03:00:00Z")), std::out_of_range);
  EXPECT_FALSE(nyse().is_open(at("2001-01-01T06:00:00Z")));  // New Year's Day 2001
  EXPECT_THROW(nyse().next_open(Timestamp{INT64_MIN}), std::out_of_range);
  EXPECT_THROW(nyse().next_close(Timestamp{INT64_MAX}), std::out_of_range);
  EXPECT_THROW(nyse().session_date(Timestamp{0}), std::out_of_range);
  try {
    nyse().session_on(CivilDate{1999, 6, 1});
    FAIL() << "expected out_of_range";
  } catch (const std::out_of_range& e) {
    EXPECT_NE(std::string(e.what()).find("expected a date in 2001-01-01.."), std::string::npos)
        << e.what();
    EXPECT_NE(std::string(e.what()).find("was 1999-06-01"), std::string::npos) << e.what();
  }
}

TEST(NyseCalendarTest, RefusesInvalidDatesAndReversedRanges) {
  EXPECT_THROW(nyse().session_on(CivilDate{2025, 2, 29}), std::invalid_argument);
  EXPECT_THROW(nyse().session_on(CivilDate{2025, 13, 1}), std::invalid_argument);
  EXPECT_THROW(nyse().session_on(CivilDate{2025, 4, 0}), std::invalid_argument);
  EXPECT_THROW(nyse().sessions(CivilDate{2025, 2, 1}, CivilDate{2025, 1, 31}),
               std::invalid_argument);
  EXPECT_EQ(nyse().sessions(CivilDate{2025, 1, 31}, CivilDate{2025, 1, 31}).size(), 1u);
  EXPECT_TRUE(nyse().sessions(CivilDate{2025, 2, 1}, CivilDate{2025, 2, 2}).empty());  // a weekend
}
