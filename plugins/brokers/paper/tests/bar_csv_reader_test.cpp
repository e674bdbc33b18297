// CSV loading and validation: every kind of bad row is reported with file:line and what was
// expected versus found.
#include "bar_csv_reader.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "test_support.hpp"

namespace mercurio::brokers::paper {
namespace {

using testing::dec;
using ::testing::HasSubstr;
using testing::kPluginDir;
using ::testing::Not;
using testing::ts;

const std::string kHeader = "timestamp,open,high,low,close,volume\n";

std::string data_file(const char* name) { return kPluginDir + "/test_data/" + name; }

// The error message for a single bad row after the header (line 2).
std::string single_row_error(const std::string& row) {
  auto r = parse_bar_csv(kHeader + row + "\n", "t.csv", "SPY", BadRowPolicy::Error);
  EXPECT_FALSE(r.has_value());
  return r.status().message();
}

TEST(BarCsvReaderTest, LoadsAValidFile) {
  auto r = read_bar_csv(data_file("SPY.csv"), "SPY", BadRowPolicy::Error);
  ASSERT_TRUE(r) << r.status().message();
  ASSERT_EQ(r->bars.size(), 5u);
  const sdk::Bar& b = r->bars[4];
  EXPECT_EQ(b.ts, ts("2024-01-08"));
  EXPECT_EQ(b.symbol, sdk::Symbol("SPY"));
  EXPECT_EQ(b.open, dec("100"));
  EXPECT_EQ(b.high, dec("102"));
  EXPECT_EQ(b.low, dec("99"));
  EXPECT_EQ(b.close, dec("101.5"));
  EXPECT_EQ(b.volume, dec("800"));
  EXPECT_TRUE(r->skipped.empty());
}

TEST(BarCsvReaderTest, AcceptsUtf8BomAndCrLfLineEnds) {
  auto r = read_bar_csv(data_file("bom_crlf.csv"), "ES", BadRowPolicy::Error);
  ASSERT_TRUE(r) << r.status().message();
  ASSERT_EQ(r->bars.size(), 2u);
  EXPECT_EQ(r->bars[0].ts, ts("2024-01-02T14:30:00Z"));
  EXPECT_EQ(r->bars[1].close, dec("10.35"));
  EXPECT_EQ(r->bars[1].volume, dec("0"));
}

TEST(BarCsvReaderTest, AcceptsAFileWithoutTrailingNewline) {
  auto r = parse_bar_csv(kHeader + "2024-01-02,1,2,1,2,0", "t.csv", "SPY", BadRowPolicy::Error);
  ASSERT_TRUE(r) << r.status().message();
  EXPECT_EQ(r->bars.size(), 1u);
}

TEST(BarCsvReaderTest, MissingFileNamesSymbolAndPath) {
  auto r = read_bar_csv("/nonexistent/dir/SPY.csv", "SPY", BadRowPolicy::Error);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.status().code(), sdk::StatusCode::NotFound);
  EXPECT_THAT(r.status().message(),
              HasSubstr("SPY: cannot open data file '/nonexistent/dir/SPY.csv'"));
}

TEST(BarCsvReaderTest, WrongHeaderIsAnErrorAtLineOne) {
  auto r = read_bar_csv(data_file("bad_header.csv"), "SPY", BadRowPolicy::Skip);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.status().code(), sdk::StatusCode::InvalidArgument);
  EXPECT_THAT(
      r.status().message(),
      HasSubstr("bad_header.csv:1: expected header 'timestamp,open,high,low,close,volume', found "
                "'date,open,high,low,close,volume'"));
}

TEST(BarCsvReaderTest, EmptyFileIsAnError) {
  auto r = parse_bar_csv("", "empty.csv", "SPY", BadRowPolicy::Error);
  ASSERT_FALSE(r);
  EXPECT_THAT(r.status().message(), HasSubstr("empty.csv:1: expected header"));
}

TEST(BarCsvReaderTest, HeaderOnlyGivesNoBars) {
  auto r = parse_bar_csv(kHeader, "t.csv", "SPY", BadRowPolicy::Error);
  ASSERT_TRUE(r);
  EXPECT_TRUE(r->bars.empty());
}

TEST(BarCsvReaderTest, ReportsWrongFieldCount) {
  EXPECT_THAT(
      single_row_error("2024-01-02,1,2,1"),
      HasSubstr("t.csv:2: expected 6 fields (timestamp,open,high,low,close,volume), found 4"));
  EXPECT_THAT(single_row_error("2024-01-02,1,2,1,2,0,7"), HasSubstr("t.csv:2: expected 6 fields"));
}

TEST(BarCsvReaderTest, ReportsEmptyLine) {
  auto r = parse_bar_csv(kHeader + "\n2024-01-02,1,2,1,2,0\n", "t.csv", "SPY", BadRowPolicy::Error);
  ASSERT_FALSE(r);
  EXPECT_THAT(r.status().message(),
              HasSubstr("t.csv:2: expected 6 fields (timestamp,open,high,low,close,volume), "
                        "found an empty line"));
}

TEST(BarCsvReaderTest, ReportsUnparseableTimestamp) {
  EXPECT_THAT(
      single_row_error("02/01/2024,1,2,1,2,0"),
      HasSubstr(
          "t.csv:2: timestamp: expected ISO-8601 UTC like 2024-01-02 or 2024-01-02T14:30:00Z, "
          "found '02/01/2024'"));
  EXPECT_THAT(single_row_error("2024-01-02T10:00:00+01:00,1,2,1,2,0"),
              HasSubstr("t.csv:2: timestamp: expected"));
}

TEST(BarCsvReaderTest, ReportsUnparseableDecimal) {
  EXPECT_THAT(
      single_row_error("2024-01-02,1,2.5e1,1,2,0"),
      HasSubstr(
          "t.csv:2: high: expected a decimal with at most 8 fractional digits, found '2.5e1'"));
  EXPECT_THAT(single_row_error("2024-01-02,1,2,1,2, 5"), HasSubstr("volume: expected a decimal"));
}

TEST(BarCsvReaderTest, ReportsNonPositivePrice) {
  EXPECT_THAT(single_row_error("2024-01-02,0,2,0,2,0"),
              HasSubstr("t.csv:2: open: expected > 0, found 0; low: expected > 0, found 0"));
}

TEST(BarCsvReaderTest, ReportsNegativeVolume) {
  EXPECT_THAT(single_row_error("2024-01-02,1,2,1,2,-3"),
              HasSubstr("t.csv:2: volume: expected >= 0, found -3"));
}

TEST(BarCsvReaderTest, ReportsHighBelowOpenOrClose) {
  EXPECT_EQ(single_row_error("2024-01-02,10,10.5,9,11,500"),
            "SPY: t.csv has 1 bad row (on_bad_row = \"error\"; set it to \"skip\" to drop them):\n"
            "  t.csv:2: high 10.5 is below close 11");
  EXPECT_THAT(single_row_error("2024-01-02,12,11,9,11,500"),
              HasSubstr("t.csv:2: high 11 is below open 12"));
}

TEST(BarCsvReaderTest, ReportsLowAboveOpenOrClose) {
  EXPECT_THAT(single_row_error("2024-01-02,10,12,10.5,11,500"),
              HasSubstr("t.csv:2: low 10.5 is above open 10"));
  EXPECT_THAT(single_row_error("2024-01-02,11,12,10.5,10,500"),
              HasSubstr("t.csv:2: low 10.5 is above close 10"));
}

TEST(BarCsvReaderTest, ReportsLowAboveHigh) {
  EXPECT_THAT(single_row_error("2024-01-02,11,10,12,11,5"), HasSubstr("low 12 is above high 10"));
}

TEST(BarCsvReaderTest, ReportsTimestampsNotStrictlyIncreasing) {
  auto dup = parse_bar_csv(kHeader + "2024-01-03,1,2,1,2,0\n2024-01-03,1,2,1,2,0\n", "t.csv", "SPY",
                           BadRowPolicy::Error);
  ASSERT_FALSE(dup);
  EXPECT_THAT(dup.status().message(), HasSubstr("t.csv:3: timestamp 2024-01-03 is not after the "
                                                "previous bar's 2024-01-03T00:00:00Z (line 2)"));
  auto back = parse_bar_csv(kHeader + "2024-01-03,1,2,1,2,0\n2024-01-02,1,2,1,2,0\n", "t.csv",
                            "SPY", BadRowPolicy::Error);
  ASSERT_FALSE(back);
  EXPECT_THAT(back.status().message(), HasSubstr("t.csv:3: timestamp 2024-01-02 is not after"));
}

TEST(BarCsvReaderTest, ErrorPolicyListsEveryBadRowOfTheFile) {
  const std::string path = data_file("bad_rows.csv");
  auto r = read_bar_csv(path, "SPY", BadRowPolicy::Error);
  ASSERT_FALSE(r);
  const std::string m = r.status().message();
  EXPECT_THAT(m, HasSubstr("SPY: " + path + " has 10 bad rows"));
  EXPECT_THAT(m, HasSubstr(path + ":3: expected 6 fields"));
  EXPECT_THAT(m, HasSubstr(path + ":4: timestamp: expected ISO-8601"));
  EXPECT_THAT(m, HasSubstr(path + ":5: open: expected a decimal"));
  EXPECT_THAT(m, HasSubstr(path + ":6: low: expected > 0, found -1"));
  EXPECT_THAT(m, HasSubstr(path + ":7: volume: expected >= 0, found -5"));
  EXPECT_THAT(m, HasSubstr(path + ":8: high 10.5 is below close 11"));
  EXPECT_THAT(m, HasSubstr(path + ":9: low 10.5 is above open 10"));
  EXPECT_THAT(m, HasSubstr(path + ":11: timestamp 2024-01-11 is not after"));
  EXPECT_THAT(m, HasSubstr(path + ":12: timestamp 2024-01-10 is not after"));
  EXPECT_THAT(
      m, HasSubstr(
             path +
             ":14: expected 6 fields (timestamp,open,high,low,close,volume), found an empty line"));
  EXPECT_THAT(m, Not(HasSubstr(path + ":2:")));
  EXPECT_THAT(m, Not(HasSubstr("more")));
}

TEST(BarCsvReaderTest, ErrorMessageIsCappedAtTwentyRows) {
  std::string text = kHeader;
  for (int i = 0; i < 25; ++i) text += "2024-01-02,1,2,1\n";
  auto r = parse_bar_csv(text, "t.csv", "SPY", BadRowPolicy::Error);
  ASSERT_FALSE(r);
  const std::string m = r.status().message();
  EXPECT_THAT(m, HasSubstr("has 25 bad rows"));
  EXPECT_THAT(m, HasSubstr("t.csv:21: expected 6 fields"));
  EXPECT_THAT(m, Not(HasSubstr("t.csv:22:")));
  EXPECT_THAT(m, HasSubstr("\n  and 5 more"));
}

TEST(BarCsvReaderTest, SkipPolicyDropsBadRowsAndReportsEach) {
  const std::string path = data_file("bad_rows.csv");
  auto r = read_bar_csv(path, "SPY", BadRowPolicy::Skip);
  ASSERT_TRUE(r) << r.status().message();
  ASSERT_EQ(r->bars.size(), 4u);
  EXPECT_EQ(r->bars[0].ts, ts("2024-01-02"));
  EXPECT_EQ(r->bars[1].ts, ts("2024-01-11"));
  EXPECT_EQ(r->bars[2].ts, ts("2024-01-12"));
  EXPECT_EQ(r->bars[3].ts, ts("2024-01-15"));
  ASSERT_EQ(r->skipped.size(), 10u);
  EXPECT_THAT(r->skipped[0], HasSubstr(path + ":3: expected 6 fields"));
  EXPECT_THAT(r->skipped[5], HasSubstr(path + ":8: high 10.5 is below close 11"));
}

TEST(BarCsvReaderTest, SkipPolicyChecksOrderAgainstTheLastKeptRow) {
  // Line 3 is dropped (high below close), so line 4 is compared with line 2.
  auto r = parse_bar_csv(
      kHeader + "2024-01-02,1,2,1,2,0\n2024-01-05,1,1.5,1,2,0\n2024-01-03,1,2,1,2,0\n", "t.csv",
      "SPY", BadRowPolicy::Skip);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->bars.size(), 2u);
  EXPECT_EQ(r->skipped.size(), 1u);
}

// A time typed years ahead (2042 for 2024) is a valid row: skipping the rows after it, each
// "not after the previous bar", would keep it and drop the good data. Two rows in a row that fit
// between it and the row before it fail the load, naming it.
TEST(BarCsvReaderTest, SkipPolicyRefusesARowWhoseTimeJumpedAhead) {
  const std::string rows =
      "2024-01-02,1,2,1,2,0\n2042-01-03,1,2,1,2,0\n2024-01-04,1,2,1,2,0\n"
      "2024-01-05,1,2,1,2,0\n2024-01-08,1,2,1,2,0\n";
  auto r = parse_bar_csv(kHeader + rows, "t.csv", "SPY", BadRowPolicy::Skip);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.status().code(), sdk::StatusCode::InvalidArgument);
  EXPECT_THAT(r.status().message(),
              HasSubstr("SPY: t.csv:3: this row's time looks wrong: lines 4 and after are before "
                        "it but after the line before it"));
  // One row out of order between good neighbours is only that row: skipped.
  auto one = parse_bar_csv(kHeader +
                               "2024-01-02,1,2,1,2,0\n2024-01-03,1,2,1,2,0\n2024-01-05,1,2,1,2,0\n"
                               "2024-01-04,1,2,1,2,0\n2024-01-08,1,2,1,2,0\n",
                           "t.csv", "SPY", BadRowPolicy::Skip);
  ASSERT_TRUE(one) << one.status().message();
  EXPECT_EQ(one->bars.size(), 4u);
  ASSERT_EQ(one->skipped.size(), 1u);
  EXPECT_THAT(one->skipped[0], HasSubstr("t.csv:5: timestamp 2024-01-04 is not after"));
  // Repeats of a row are only repeats, however many.
  auto repeated = parse_bar_csv(kHeader +
                                    "2024-01-02,1,2,1,2,0\n2024-01-03,1,2,1,2,0\n"
                                    "2024-01-03,1,2,1,2,0\n2024-01-03,1,2,1,2,0\n"
                                    "2024-01-04,1,2,1,2,0\n",
                                "t.csv", "SPY", BadRowPolicy::Skip);
  ASSERT_TRUE(repeated) << repeated.status().message();
  EXPECT_EQ(repeated->bars.size(), 3u);
  EXPECT_EQ(repeated->skipped.size(), 2u);
}

TEST(BarCsvReaderTest, LongGarbageIsTruncatedInMessages) {
  const std::string garbage(500, 'x');
  const std::string m = single_row_error(garbage + ",1,2,1,2,0");
  EXPECT_THAT(m, HasSubstr("found '" + std::string(40, 'x') + "...'"));
  EXPECT_LT(m.size(), 300u);
}

}  // namespace
}  // namespace mercurio::brokers::paper

namespace mercurio::brokers::paper {
namespace {

// The reader parses the usual spellings on a fast path; every spelling must give exactly what
// sdk::Decimal::parse gives (and be refused exactly when it refuses).
TEST(BarCsvReaderTest, ParsesEveryDecimalSpellingLikeDecimalParse) {
  const char* spellings[] = {"100", "100.5", "0.00000001", "1.00000000", "1.000000000", "1.000000001", "+5", "007.50",
                             "1.", ".5", "9999999999.99999999", "12345678901", "92233720368", "1e3", "1..2", "", "-",
                             "2.5x", "0", "0.0"};
  for (const char* v : spellings) {
    const std::string row = std::string("2024-01-02,") + v + ",92233720368.5,0.00000001," + v + ",1\n";
    auto r = parse_bar_csv(kHeader + row, "t.csv", "SPY", BadRowPolicy::Skip);
    ASSERT_TRUE(r) << v;
    const auto expected = sdk::Decimal::parse(v);
    if (!expected || !expected->is_positive()) {
      EXPECT_TRUE(r->bars.empty()) << v;
      continue;
    }
    ASSERT_EQ(r->bars.size(), 1u) << v << ": " << (r->skipped.empty() ? "" : r->skipped.front());
    EXPECT_EQ(r->bars[0].open, *expected) << v;
    EXPECT_EQ(r->bars[0].close, *expected) << v;
  }
}

}  // namespace
}  // namespace mercurio::brokers::paper
