// The process log: every line it writes carries its real time, level and source, whatever text a
// plugin or a broker's reply puts in a message.
#include "log/kernel_log.hpp"

#include <gtest/gtest.h>

#include <regex>
#include <sstream>
#include <string>
#include <vector>

namespace mercurio::kernel {
namespace {

// The lines written, each without its time stamp, which is checked to be a real one.
std::vector<std::string> lines_after_time(const std::string& text) {
  static const std::regex stamp(R"(^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z )");
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    std::smatch m;
    EXPECT_TRUE(std::regex_search(line, m, stamp)) << line;
    lines.push_back(m.suffix());
  }
  EXPECT_TRUE(text.empty() || text.back() == '\n');
  return lines;
}

TEST(KernelLogTest, TextFromOutsideCannotPassForAnotherLine) {
  std::ostringstream out;
  LogOutput log(out, sdk::LogLevel::Info);
  SourceLogger alpaca(log, "alpaca");
  // A broker's reject reason that fakes a kernel line, moves the cursor back over it, clears and
  // colours a terminal, with a byte that is not UTF-8.
  alpaca.log(sdk::LogLevel::Warning,
             "rejected: bad qty\n2026-01-01T00:00:00.000Z ERROR [kernel] halted\r\x1b[2J\xC2\x9b"
             "31m caf\xE9");
  EXPECT_EQ(lines_after_time(out.str()),
            (std::vector<std::string>{
                "WARN  [alpaca] rejected: bad qty",
                "WARN  [alpaca] 2026-01-01T00:00:00.000Z ERROR [kernel] halted\\r\\x1b[2J\\xc2\\x9b"
                "31m caf\\xe9"}));
}

TEST(KernelLogTest, AReportOfSeveralLinesIsALogLineEachAndPrintableTextStays) {
  std::ostringstream out;
  LogOutput log(out, sdk::LogLevel::Info);
  SourceLogger kernel(log, "kernel");
  kernel.log(sdk::LogLevel::Error, "found differences:\n  cash: broker 1, journal 2\n");
  // A reply whose lines end in CR LF, with an empty line.
  kernel.log(sdk::LogLevel::Warning, "HTTP 500\r\n\r\nbody");
  // A path keeps its backslashes, UTF-8 stays, a line a plugin escaped already is not changed.
  SourceLogger odd(log, "we\nird");
  odd.log(sdk::LogLevel::Info, "C:\\data\\spy.csv \xE2\x82\xAC 5 {\"body\":\"a\\nb\"}");
  kernel.log(sdk::LogLevel::Info, "");
  kernel.log(sdk::LogLevel::Debug, "below the threshold");
  EXPECT_EQ(lines_after_time(out.str()),
            (std::vector<std::string>{
                "ERROR [kernel] found differences:", "ERROR [kernel]   cash: broker 1, journal 2",
                "WARN  [kernel] HTTP 500", "WARN  [kernel] ", "WARN  [kernel] body",
                "INFO  [we\\nird] C:\\data\\spy.csv \xE2\x82\xAC 5 {\"body\":\"a\\nb\"}",
                "INFO  [kernel] "}));
}

}  // namespace
}  // namespace mercurio::kernel
