// CSV quoting, JSON that parses back, and the all-or-nothing output file.
#include "report/report_writer.hpp"

#include <gtest/gtest.h>

#include <Poco/JSON/Parser.h>

#include <fstream>

#include "report/report_error.hpp"
#include "support/process.hpp"
#include "support/test_paths.hpp"

namespace mercurio::report {
namespace {

TEST(ReportWriterTest, CsvQuotesFieldsWithCommasQuotesNewlinesAndEdgeSpaces) {
  EXPECT_EQ(csv_field("plain"), "plain");
  EXPECT_EQ(csv_field(""), "");
  EXPECT_EQ(csv_field("a,b"), "\"a,b\"");
  EXPECT_EQ(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
  EXPECT_EQ(csv_field("two\nlines"), "\"two\nlines\"");
  EXPECT_EQ(csv_field(" padded"), "\" padded\"");
  EXPECT_EQ(csv_field("-12.5"), "-12.5");
}

// Text a spreadsheet would run as a formula is neutralised with a leading '; numbers are not.
TEST(ReportWriterTest, CsvTextThatWouldRunAsAFormulaGetsALeadingApostrophe) {
  EXPECT_EQ(csv_field("=HYPERLINK(\"http://x\")"), "\"'=HYPERLINK(\"\"http://x\"\")\"");
  EXPECT_EQ(csv_field("+1+2"), "'+1+2");
  EXPECT_EQ(csv_field("-1+2"), "'-1+2");
  EXPECT_EQ(csv_field("@SUM(A1)"), "'@SUM(A1)");
  EXPECT_EQ(csv_field("\tx"), "'\tx");
  EXPECT_EQ(csv_field("-"), "'-");
  EXPECT_EQ(csv_field("-505"), "-505");
  EXPECT_EQ(csv_field("-0.00000001"), "-0.00000001");
  EXPECT_EQ(csv_field("-1."), "'-1.");
  EXPECT_EQ(csv_field("a=b"), "a=b");
}

TEST(ReportWriterTest, CsvHasAHeaderThenOneLinePerRowWithEmptyFieldsForMissingValues) {
  const Table t{{"name", "note", "price"}, {{std::string("x,y"), Cell{}, std::string("1.5")}, {std::string("z"), std::string("q\""), Cell{}}}};
  EXPECT_EQ(to_csv(t), "name,note,price\n\"x,y\",,1.5\nz,\"q\"\"\",\n");
}

TEST(ReportWriterTest, JsonRowsParseBackWithColumnOrderStringsAndNulls) {
  const Table t{{"b_first", "a_second"}, {{std::string("x\"\\,\n"), Cell{}}}};
  auto root = ordered_object();
  root->set("rows", to_json_rows(t));
  const std::string text = to_json_text(root);
  EXPECT_LT(text.find("b_first"), text.find("a_second"));  // column order, not alphabetical
  Poco::JSON::Parser parser;
  const auto parsed = parser.parse(text).extract<Poco::JSON::Object::Ptr>();
  const auto rows = parsed->getArray("rows");
  ASSERT_EQ(rows->size(), 1u);
  const auto row = rows->getObject(0);
  EXPECT_EQ(row->getValue<std::string>("b_first"), "x\"\\,\n");
  EXPECT_TRUE(row->isNull("a_second"));
}

TEST(ReportWriterTest, AtomicWriteReplacesTheFileWholeAndLeavesNoTemporary) {
  const auto dir = test::scratch_dir("report_writer_atomic");
  const auto file = dir / "out.csv";
  write_file_atomically(file, "old\n");
  write_file_atomically(file, "new,content\n");
  EXPECT_EQ(test::read_file(file), "new,content\n");
  int entries = 0;
  for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator(dir)) ++entries;
  EXPECT_EQ(entries, 1);
}

TEST(ReportWriterTest, AtomicWriteIntoAMissingDirectoryThrowsNamingTheFile) {
  const auto file = test::scratch_dir("report_writer_missing") / "no" / "such" / "out.csv";
  try {
    write_file_atomically(file, "x");
    FAIL() << "expected ReportError";
  } catch (const ReportError& e) {
    EXPECT_NE(std::string(e.what()).find(file.string()), std::string::npos) << e.what();
  }
  EXPECT_FALSE(std::filesystem::exists(file));
}

}  // namespace
}  // namespace mercurio::report
