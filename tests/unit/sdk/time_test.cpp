#include "mercurio/sdk/time.hpp"

#include <gtest/gtest.h>

#include <cstdint>

using mercurio::sdk::Timestamp;

TEST(TimestampTest, ParsesIso8601Utc) {
  EXPECT_EQ(Timestamp::parse_iso8601("1970-01-01T00:00:00Z")->ns, 0);
  EXPECT_EQ(Timestamp::parse_iso8601("1970-01-02")->ns, Timestamp::kNanosPerDay);
  // 2013-10-07T13:30:00Z = 1381152600 s (checked with `date -u -d ... +%s`)
  EXPECT_EQ(Timestamp::parse_iso8601("2013-10-07T13:30:00Z")->ns, 1381152600LL * 1'000'000'000);
  EXPECT_EQ(Timestamp::parse_iso8601("2000-02-29T00:00:00.5Z")->ns, 951782400LL * 1'000'000'000 + 500'000'000);
  EXPECT_EQ(Timestamp::parse_iso8601("1969-12-31T23:59:59Z")->ns, -1'000'000'000);
}

TEST(TimestampTest, RejectsInvalidTimestamps) {
  for (const char* bad : {"", "2021-02-29", "2021-13-01", "2021-01-32", "2021-01-01T24:00:00Z",
                          "2021-01-01T10:00:00", "2021-01-01T10:00:00+02:00", "2021-01-01T10:00Z",
                          "21-01-01", "2021-01-01T10:00:00.Z", "2021-01-01T10:00:00.1234567891Z", "2021/01/01"}) {
    EXPECT_FALSE(Timestamp::parse_iso8601(bad).has_value()) << bad;
  }
}

TEST(TimestampTest, FormatsRoundTrip) {
  for (const char* s : {"1998-01-02T00:00:00Z", "2023-08-03T23:59:00Z", "1969-07-20T20:17:40Z",
                        "2024-02-29T12:00:00.000000001Z"}) {
    EXPECT_EQ(Timestamp::parse_iso8601(s)->to_iso8601(), s);
  }
}

TEST(TimestampTest, UtcDayFloorsNegativeTimes) {
  EXPECT_EQ(Timestamp{0}.utc_day(), 0);
  EXPECT_EQ(Timestamp{-1}.utc_day(), -1);
  EXPECT_EQ(Timestamp{Timestamp::kNanosPerDay - 1}.utc_day(), 0);
}

TEST(TimestampTest, ExtremesFormatWithoutOverflowAndOutOfRangeYearsAreRefused) {
  EXPECT_EQ(Timestamp{INT64_MIN}.to_iso8601(), "1677-09-21T00:12:43.145224192Z");
  EXPECT_EQ(Timestamp{INT64_MAX}.to_iso8601(), "2262-04-11T23:47:16.854775807Z");
  EXPECT_FALSE(Timestamp::parse_iso8601("9999-12-31").has_value());
  EXPECT_FALSE(Timestamp::parse_iso8601("1600-01-01").has_value());
  EXPECT_TRUE(Timestamp::parse_iso8601("2261-12-31T23:59:59Z").has_value());
}
