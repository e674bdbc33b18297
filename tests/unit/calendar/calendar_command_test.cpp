// `mercurio calendar`: the command's source is compiled into this test, run with captured output.

#include <gtest/gtest.h>

#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "app/commands.hpp"
#include "calendar/market_calendar.hpp"

namespace {

struct CommandResult {
  int exit_code;
  std::string out;
  std::string err;
};

CommandResult run(const std::vector<std::string>& args) {
  std::ostringstream out, err;
  std::streambuf* const old_out = std::cout.rdbuf(out.rdbuf());
  std::streambuf* const old_err = std::cerr.rdbuf(err.rdbuf());
  int code = -1;
  try {
    code = mercurio::app::calendar_command(args);
  } catch (...) {
    std::cout.rdbuf(old_out);
    std::cerr.rdbuf(old_err);
    throw;
  }
  std::cout.rdbuf(old_out);
  std::cerr.rdbuf(old_err);
  return {code, out.str(), err.str()};
}

std::size_t count_lines(const std::string& s) {
  std::size_t n = 0;
  for (char c : s) n += c == '\n';
  return n;
}

}  // namespace

TEST(CalendarCommandTest, PrintsSessionsAsCsvWithHeader) {
  const auto r = run({"--calendar", "XNYS", "--from", "2025-12-22", "--to", "2025-12-29"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out,
            "date,open_utc,close_utc\n"
            "2025-12-22,2025-12-22T14:30:00Z,2025-12-22T21:00:00Z\n"
            "2025-12-23,2025-12-23T14:30:00Z,2025-12-23T21:00:00Z\n"
            "2025-12-24,2025-12-24T14:30:00Z,2025-12-24T18:00:00Z\n"
            "2025-12-26,2025-12-26T14:30:00Z,2025-12-26T21:00:00Z\n"
            "2025-12-29,2025-12-29T14:30:00Z,2025-12-29T21:00:00Z\n");
  EXPECT_EQ(r.err, "");
}

TEST(CalendarCommandTest, AcceptsAliasesAndThe247Calendar) {
  const auto nyse = run({"--calendar", "NYSE", "--from", "2025-07-03", "--to", "2025-07-03"});
  EXPECT_EQ(nyse.exit_code, 0);
  EXPECT_EQ(nyse.out,
            "date,open_utc,close_utc\n2025-07-03,2025-07-03T13:30:00Z,2025-07-03T17:00:00Z\n");
  const auto crypto = run({"--calendar", "24/7", "--from", "2025-06-07", "--to", "2025-06-08"});
  EXPECT_EQ(crypto.exit_code, 0);
  EXPECT_EQ(crypto.out,
            "date,open_utc,close_utc\n"
            "2025-06-07,2025-06-07T00:00:00Z,2025-06-08T00:00:00Z\n"
            "2025-06-08,2025-06-08T00:00:00Z,2025-06-09T00:00:00Z\n");
  EXPECT_EQ(run({"--calendar=ALWAYS", "--from=2025-06-07", "--to=2025-06-07"}).exit_code, 0);
}

TEST(CalendarCommandTest, RangeWithoutSessionsPrintsOnlyTheHeader) {
  const auto r = run({"--calendar", "XNYS", "--from", "2025-12-27", "--to", "2025-12-28"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.out, "date,open_utc,close_utc\n");
}

TEST(CalendarCommandTest, HelpExitsZero) {
  const auto r = run({"--help"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_NE(
      r.out.find("Usage: mercurio calendar --calendar XNYS --from YYYY-MM-DD --to YYYY-MM-DD"),
      std::string::npos);
  EXPECT_NE(r.out.find("--calendar"), std::string::npos);
}

TEST(CalendarCommandTest, MissingOrUnknownOptionsAreBadUsage) {
  for (const auto& args : std::vector<std::vector<std::string>>{
           {},
           {"--calendar", "XNYS", "--from", "2025-01-01"},
           {"--calendar", "XNYS", "--to", "2025-01-01"},
           {"--from", "2025-01-01", "--to", "2025-01-02"},
           {"--calendar", "XNYS", "--from", "2025-01-01", "--to", "2025-01-02", "--tz", "UTC"},
           {"--calendar", "XNYS", "--from", "2025-01-01", "--to", "2025-01-02", "extra"},
       }) {
    const auto r = run(args);
    EXPECT_EQ(r.exit_code, 2) << r.err;
    EXPECT_EQ(r.out, "");
    EXPECT_NE(r.err.find("Usage: mercurio calendar"), std::string::npos) << r.err;
  }
  EXPECT_NE(run({"--calendar", "XNYS", "--from", "2025-01-01"}).err.find("--to"),
            std::string::npos);
}

TEST(CalendarCommandTest, BadValuesNameTheOptionAndTheValue) {
  const auto expect_error = [](const std::vector<std::string>& args, const std::string& message) {
    const auto r = run(args);
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_EQ(r.out, "");
    EXPECT_EQ(r.err, "mercurio calendar: " + message + "\n");
  };
  expect_error({"--calendar", "XNAS", "--from", "2025-01-01", "--to", "2025-01-02"},
               "--calendar expected one of XNYS, 24/7, NYSE, ALWAYS, was \"XNAS\"");
  expect_error({"--calendar", "XNYS", "--from", "2025-13-01", "--to", "2025-12-31"},
               "--from expected YYYY-MM-DD, was \"2025-13-01\"");
  expect_error({"--calendar", "XNYS", "--from", "2025-01-01", "--to", "2025-02-30"},
               "--to expected YYYY-MM-DD, was \"2025-02-30\"");
  expect_error({"--calendar", "XNYS", "--from", "2025-01-01T00:00:00Z", "--to", "2025-12-31"},
               "--from expected YYYY-MM-DD, was \"2025-01-01T00:00:00Z\"");
  expect_error({"--calendar", "XNYS", "--from", "2025-02-01", "--to", "2025-01-31"},
               "--to expected a date on or after --from 2025-02-01, was 2025-01-31");
  const auto last = mercurio::kernel::make_calendar("XNYS")->last_date();
  const auto after_last =
      mercurio::kernel::CivilDate::from_days_since_epoch(last.days_since_epoch() + 1);
  const std::string range = "2001-01-01.." + last.to_string();
  expect_error({"--calendar", "XNYS", "--from", "2000-12-31", "--to", "2025-01-31"},
               "--from expected a date in the XNYS calendar's range " + range + ", was 2000-12-31");
  expect_error({"--calendar", "XNYS", "--from", std::to_string(last.year) + "-01-01", "--to",
                after_last.to_string()},
               "--to expected a date in the XNYS calendar's range " + range + ", was " +
                   after_last.to_string());
  expect_error(
      {"--calendar", "XNYS", "--from", after_last.to_string(), "--to", after_last.to_string()},
      "--from expected a date in the XNYS calendar's range " + range + ", was " +
          after_last.to_string());
}

TEST(CalendarCommandTest, RefusesRangesOfOneHundredYearsOrMore) {
  const auto longest = run({"--calendar", "24/7", "--from", "1900-01-01", "--to", "1999-12-31"});
  EXPECT_EQ(longest.exit_code, 0) << longest.err;
  EXPECT_EQ(count_lines(longest.out), 1u + 36524u);  // header + every day of 1900-1999
  const auto too_long = run({"--calendar", "24/7", "--from", "1900-01-01", "--to", "2000-01-01"});
  EXPECT_EQ(too_long.exit_code, 2);
  EXPECT_EQ(too_long.err,
            "mercurio calendar: --to expected a date less than 100 years after --from (before "
            "2000-01-01), "
            "was 2000-01-01\n");
  // February 29 plus 100 years, in a year without one, is March 1.
  EXPECT_EQ(run({"--calendar", "24/7", "--from", "2000-02-29", "--to", "2100-02-28"}).exit_code, 0);
  EXPECT_EQ(run({"--calendar", "24/7", "--from", "2000-02-29", "--to", "2100-03-01"}).exit_code, 2);
}
