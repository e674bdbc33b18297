// fill_coverage: which fills listed under unseen trade ids the journal already holds.
#include "exec/fill_coverage.hpp"

#include <gtest/gtest.h>

namespace mercurio::kernel {
namespace {

sdk::Decimal d(const char* text) { return sdk::Decimal::from_string(text); }
BookedFill booked(const char* quantity, const char* leaves) { return {d(quantity), d(leaves)}; }

TEST(FillCoverageTest, ExecutionsTheJournalHoldsAsOneAggregateFillAreCovered) {
  // 100 ordered; the journal holds one fill of 60 (leaves 40): the Alpaca plugin's report of two
  // executions it missed. The venue lists them one by one after a restart: 20, then 40.
  const std::vector<BookedFill> journal{booked("60", "40")};
  EXPECT_EQ(fill_coverage(d("100"), journal, d("20"), d("80")), FillCoverage::Covered);
  EXPECT_EQ(fill_coverage(d("100"), journal, d("40"), d("40")), FillCoverage::Covered);
  // The execution after them is new.
  EXPECT_EQ(fill_coverage(d("100"), journal, d("40"), d("0")), FillCoverage::New);
  EXPECT_EQ(fill_coverage(d("100"), journal, d("10"), d("30")), FillCoverage::New);
}

TEST(FillCoverageTest, AnExecutionWithinTheSecondOfSeveralBookedFillsIsCovered) {
  // The journal holds 0-10 and 10-60 of 100; the venue lists 20-40 under an unseen id.
  const std::vector<BookedFill> journal{booked("10", "90"), booked("50", "40")};
  EXPECT_EQ(fill_coverage(d("100"), journal, d("20"), d("60")), FillCoverage::Covered);
  EXPECT_EQ(fill_coverage(d("100"), journal, d("20"), d("20")), FillCoverage::New);  // 60-80
  EXPECT_EQ(fill_coverage(d("100"), journal, d("20"), d("30")), FillCoverage::Overlapping);
}

TEST(FillCoverageTest, AFillOfAnOrderTheJournalHoldsNoFillOfIsNew) {
  EXPECT_EQ(fill_coverage(d("10"), {}, d("10"), d("0")), FillCoverage::New);
  EXPECT_EQ(fill_coverage(d("10"), {}, d("4"), d("6")), FillCoverage::New);
}

TEST(FillCoverageTest, AFillAcrossWhatTheJournalHoldsOverlaps) {
  // The journal holds 0-60; the listed fill covers 50-70.
  EXPECT_EQ(fill_coverage(d("100"), {booked("60", "40")}, d("20"), d("30")),
            FillCoverage::Overlapping);
}

TEST(FillCoverageTest, FillsBookedOutOfExecutionOrderSayNothing) {
  // The journal holds the first (0-10) and the third (20-30) execution; the second (10-20) is
  // missing and must be booked, although its end is below the journal's sum of 20.
  const std::vector<BookedFill> journal{booked("10", "90"), booked("10", "70")};
  EXPECT_EQ(fill_coverage(d("100"), journal, d("10"), d("80")), FillCoverage::Unknown);
}

TEST(FillCoverageTest, LeavesAPluginDidNotSetSayNothing) {
  // A plugin that leaves `leaves` at 0 on a partial fill: the journal's figures do not add up.
  EXPECT_EQ(fill_coverage(d("100"), {booked("10", "0")}, d("10"), d("0")), FillCoverage::Unknown);
  // A listed fill that would start below zero: its leaves are wrong.
  EXPECT_EQ(fill_coverage(d("100"), {}, d("10"), d("95")), FillCoverage::Unknown);
}

TEST(FillCoverageTest, FiguresOutsideAnyOrderSayNothing) {
  EXPECT_EQ(fill_coverage(d("0"), {}, d("10"), d("0")), FillCoverage::Unknown);  // no intent
  EXPECT_EQ(fill_coverage(d("100"), {}, d("0"), d("0")), FillCoverage::Unknown);
  EXPECT_EQ(fill_coverage(d("100"), {}, d("10"), d("-1")), FillCoverage::Unknown);
  // Out of the decimal's range: no exception, no answer.
  EXPECT_EQ(fill_coverage(d("100"), {}, d("90000000000"), d("90000000000")), FillCoverage::Unknown);
}

}  // namespace
}  // namespace mercurio::kernel
