#include "calendar/always_open_calendar.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <stdexcept>

using mercurio::kernel::AlwaysOpenCalendar;
using mercurio::kernel::CivilDate;
using mercurio::kernel::Session;
using mercurio::sdk::Timestamp;

namespace {
Timestamp at(const char* iso) {
  auto t = Timestamp::parse_iso8601(iso);
  if (!t) throw std::invalid_argument(std::string("bad test timestamp ") + iso);
  return *t;
}
}  // namespace

TEST(AlwaysOpenCalendarTest, IsAlwaysOpenIncludingWeekendsAndMidnight) {
  const AlwaysOpenCalendar c;
  EXPECT_EQ(c.code(), "24/7");
  for (const char* t : {"2025-06-07T12:00:00Z", "2025-06-08T00:00:00Z", "2025-12-25T23:59:59Z",
                        "1970-01-01", "1678-01-01", "2261-12-31T23:59:59.999999999Z"})
    EXPECT_TRUE(c.is_open(at(t))) << t;
  EXPECT_TRUE(c.is_open(Timestamp{-1}));
}

TEST(AlwaysOpenCalendarTest, SessionsAreUtcDays) {
  const AlwaysOpenCalendar c;
  const auto s = c.session_on(CivilDate{2025, 6, 7});  // a Saturday
  ASSERT_TRUE(s.has_value());
  EXPECT_EQ(s->date, (CivilDate{2025, 6, 7}));
  EXPECT_EQ(s->open, at("2025-06-07T00:00:00Z"));
  EXPECT_EQ(s->close, at("2025-06-08T00:00:00Z"));
  const auto leap = c.sessions(CivilDate{2024, 2, 27}, CivilDate{2024, 3, 1});
  ASSERT_EQ(leap.size(), 4u);
  EXPECT_EQ(leap[2].date, (CivilDate{2024, 2, 29}));
  for (std::size_t i = 1; i < leap.size(); ++i) EXPECT_EQ(leap[i].open, leap[i - 1].close);
  EXPECT_EQ(c.sessions(CivilDate{2025, 1, 1}, CivilDate{2025, 12, 31}).size(), 365u);
  const auto before_epoch = c.session_on(CivilDate{1969, 12, 31});
  EXPECT_EQ(before_epoch->open, Timestamp{-Timestamp::kNanosPerDay});
  EXPECT_EQ(before_epoch->close, Timestamp{0});
}

TEST(AlwaysOpenCalendarTest, NextOpenAndCloseAreTheNextUtcMidnight) {
  const AlwaysOpenCalendar c;
  EXPECT_EQ(c.next_open(at("2025-06-07T12:00:00Z")), at("2025-06-08T00:00:00Z"));
  EXPECT_EQ(c.next_close(at("2025-06-07T12:00:00Z")), at("2025-06-08T00:00:00Z"));
  // Strictly after: at midnight, the following midnight.
  EXPECT_EQ(c.next_open(at("2025-06-08T00:00:00Z")), at("2025-06-09T00:00:00Z"));
  EXPECT_EQ(c.next_close(at("2025-06-08T00:00:00Z")), at("2025-06-09T00:00:00Z"));
  EXPECT_EQ(c.next_close(Timestamp{at("2025-06-08T00:00:00Z").ns - 1}), at("2025-06-08T00:00:00Z"));
  EXPECT_EQ(c.next_open(Timestamp{-1}), Timestamp{0});
}

TEST(AlwaysOpenCalendarTest, SessionDateIsTheUtcDate) {
  const AlwaysOpenCalendar c;
  EXPECT_EQ(c.session_date(at("2025-06-07T23:59:59.999999999Z")), (CivilDate{2025, 6, 7}));
  EXPECT_EQ(c.session_date(at("2025-06-08T00:00:00Z")), (CivilDate{2025, 6, 8}));
  EXPECT_EQ(c.session_date(Timestamp{-1}), (CivilDate{1969, 12, 31}));
}

TEST(AlwaysOpenCalendarTest, RefusesOutOfRangeAndInvalidInput) {
  const AlwaysOpenCalendar c;
  EXPECT_EQ(c.first_date(), (CivilDate{1678, 1, 1}));
  EXPECT_EQ(c.last_date(), (CivilDate{2261, 12, 31}));
  EXPECT_EQ(c.session_on(CivilDate{2261, 12, 31})->close.to_iso8601(), "2262-01-01T00:00:00Z");
  EXPECT_THROW(c.session_on(CivilDate{1677, 12, 31}), std::out_of_range);
  EXPECT_THROW(c.session_on(CivilDate{2262, 1, 1}), std::out_of_range);
  EXPECT_THROW(c.is_open(Timestamp{INT64_MIN}), std::out_of_range);
  EXPECT_THROW(c.is_open(Timestamp{INT64_MAX}), std::out_of_range);
  EXPECT_THROW(c.next_open(at("2261-12-31T12:00:00Z")), std::out_of_range);
  EXPECT_THROW(c.session_date(Timestamp{INT64_MAX}), std::out_of_range);
  EXPECT_THROW(c.session_on(CivilDate{2025, 2, 29}), std::invalid_argument);
  EXPECT_THROW(c.sessions(CivilDate{2025, 1, 2}, CivilDate{2025, 1, 1}), std::invalid_argument);
}
