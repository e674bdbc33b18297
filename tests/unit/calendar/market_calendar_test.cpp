#include "calendar/market_calendar.hpp"

#include <gtest/gtest.h>

#include <string>

using mercurio::kernel::calendar_codes;
using mercurio::kernel::CivilDate;
using mercurio::kernel::make_calendar;

TEST(CivilDateTest, ParsesOnlyStrictValidDates) {
  EXPECT_EQ(CivilDate::parse("2025-12-24"), (CivilDate{2025, 12, 24}));
  EXPECT_EQ(CivilDate::parse("2024-02-29"), (CivilDate{2024, 2, 29}));
  EXPECT_EQ(CivilDate::parse("0001-01-01"), (CivilDate{1, 1, 1}));
  for (const char* bad :
       {"", "2025-02-29", "2100-02-29", "2025-13-01", "2025-00-10", "2025-01-00", "2025-01-32",
        "2025-1-01", "2025-01-1", "20250101", "2025/01/01", " 2025-01-01", "2025-01-01 ",
        "+025-01-01", "2025-01-01T00:00:00Z", "2025-01-0a", "abcd-ef-gh"})
    EXPECT_FALSE(CivilDate::parse(bad).has_value()) << '"' << bad << '"';
}

TEST(CivilDateTest, ConvertsToAndFromDaysSinceEpoch) {
  EXPECT_EQ((CivilDate{1970, 1, 1}).days_since_epoch(), 0);
  EXPECT_EQ((CivilDate{1969, 12, 31}).days_since_epoch(), -1);
  EXPECT_EQ((CivilDate{2000, 3, 1}).days_since_epoch(), 11017);
  EXPECT_EQ((CivilDate{2025, 12, 24}).days_since_epoch(), 20446);
  for (std::int64_t day : {-106751, -1, 0, 1, 11016, 11017, 20446, 106750}) {
    const CivilDate d = CivilDate::from_days_since_epoch(day);
    EXPECT_TRUE(d.valid());
    EXPECT_EQ(d.days_since_epoch(), day);
  }
  EXPECT_EQ(CivilDate::from_days_since_epoch(20446), (CivilDate{2025, 12, 24}));
}

TEST(CivilDateTest, FormatsValidatesAndOrders) {
  EXPECT_EQ((CivilDate{2025, 1, 9}).to_string(), "2025-01-09");
  EXPECT_EQ((CivilDate{987, 3, 4}).to_string(), "0987-03-04");
  EXPECT_TRUE((CivilDate{2024, 2, 29}).valid());
  EXPECT_FALSE((CivilDate{2023, 2, 29}).valid());
  EXPECT_FALSE((CivilDate{2025, 4, 31}).valid());
  EXPECT_FALSE((CivilDate{2025, 0, 1}).valid());
  EXPECT_FALSE((CivilDate{2025, 256 + 1, 1}).valid());  // would wrap in an 8-bit month
  EXPECT_FALSE((CivilDate{40000, 1, 1}).valid());
  EXPECT_LT((CivilDate{2024, 12, 31}), (CivilDate{2025, 1, 1}));
  EXPECT_LT((CivilDate{2025, 1, 31}), (CivilDate{2025, 2, 1}));
  EXPECT_LT((CivilDate{2025, 2, 1}), (CivilDate{2025, 2, 2}));
}

TEST(MakeCalendarTest, KnowsTheCodesAndTheirAliases) {
  EXPECT_EQ(make_calendar("XNYS")->code(), "XNYS");
  EXPECT_EQ(make_calendar("NYSE")->code(), "XNYS");
  EXPECT_EQ(make_calendar("24/7")->code(), "24/7");
  EXPECT_EQ(make_calendar("ALWAYS")->code(), "24/7");
  ASSERT_EQ(calendar_codes().size(), 4u);
  for (std::string_view code : calendar_codes()) EXPECT_NE(make_calendar(code), nullptr) << code;
}

TEST(MakeCalendarTest, ReturnsNullForUnknownCodes) {
  for (const char* code :
       {"", "xnys", "nyse", "XNAS", " XNYS", "XNYS ", "24x7", "always", "XNYS\n"})
    EXPECT_EQ(make_calendar(code), nullptr) << '"' << code << '"';
}
