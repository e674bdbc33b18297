// A file's rows parsed in pieces on several threads (ParseThreads) give exactly the single pass's
// result: the same bars, the same errors, the same skipped rows, wherever the cuts fall.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "bar_csv_reader.hpp"
#include "test_support.hpp"

namespace mercurio::brokers::paper {
namespace {

const std::string kHeader = "timestamp,open,high,low,close,volume";
const sdk::Symbol kSymbol("SPY");

// Row i: one minute after row i-1, prices spelled several ways (integers, fractions, a leading
// zero, which the plain scan and Decimal::parse both read), volume sometimes 0.
std::string row(int i, int minute_offset = 0) {
  const sdk::Timestamp t{(1'704'205'800LL + 60LL * (i + minute_offset)) *
                         sdk::Timestamp::kNanosPerSecond};
  const int base = 100 + i % 50;
  const std::string open = i % 3 == 0   ? std::to_string(base)
                           : i % 3 == 1 ? std::to_string(base) + ".25"
                                        : "0" + std::to_string(base) + ".5";
  return t.to_iso8601() + "," + open + "," + std::to_string(base + 1) + "," +
         std::to_string(base - 1) + ".125," + std::to_string(base) + "," + std::to_string(i % 7);
}

struct Text {
  std::string text;
  bool crlf = false;
  void add(const std::string& line) { text += line + (crlf ? "\r\n" : "\n"); }
};

Text good_file(int rows, bool bom, bool crlf) {
  Text t{bom ? "\xEF\xBB\xBF" : "", crlf};
  t.add(kHeader);
  for (int i = 0; i < rows; ++i) t.add(row(i));
  return t;
}

// Small pieces: `threads` threads take 4 pieces each.
ParseThreads in_pieces(unsigned threads) { return ParseThreads{threads, 64}; }

// Exactly two pieces: the least piece is half the rows' text.
ParseThreads in_two_pieces(const std::string& text) {
  return ParseThreads{2, (text.size() - text.find('\n') - 1) / 2};
}

void expect_same_bars(const std::vector<sdk::Bar>& a, const std::vector<sdk::Bar>& b) {
  ASSERT_EQ(a.size(), b.size());
  for (std::size_t i = 0; i < a.size(); ++i) {
    SCOPED_TRACE("bar " + std::to_string(i));
    EXPECT_EQ(a[i].ts, b[i].ts);
    EXPECT_EQ(a[i].symbol, b[i].symbol);
    EXPECT_EQ(a[i].open, b[i].open);
    EXPECT_EQ(a[i].high, b[i].high);
    EXPECT_EQ(a[i].low, b[i].low);
    EXPECT_EQ(a[i].close, b[i].close);
    EXPECT_EQ(a[i].volume, b[i].volume);
  }
}

TEST(BarCsvPiecesTest, AGoodFileInPiecesIsTheSinglePassResult) {
  for (const bool bom : {false, true}) {
    for (const bool crlf : {false, true}) {
      const Text file = good_file(1'000, bom, crlf);
      auto one = parse_bar_csv(file.text, "t.csv", kSymbol, BadRowPolicy::Error);
      ASSERT_TRUE(one) << one.status().message();
      ASSERT_EQ(one->pieces, 1u);
      ASSERT_EQ(one->bars.size(), 1'000u);
      for (const unsigned threads : {2u, 3u, 4u, 7u}) {
        SCOPED_TRACE("bom " + std::to_string(bom) + ", crlf " + std::to_string(crlf) +
                     ", threads " + std::to_string(threads));
        auto pieces =
            parse_bar_csv(file.text, "t.csv", kSymbol, BadRowPolicy::Error, in_pieces(threads));
        ASSERT_TRUE(pieces) << pieces.status().message();
        EXPECT_EQ(pieces->pieces,
                  4 * threads);  // really cut: the comparison below is not one pass against itself
        EXPECT_TRUE(pieces->skipped.empty());
        expect_same_bars(pieces->bars, one->bars);
      }
    }
  }
}

TEST(BarCsvPiecesTest, TheLastRowWithoutALineEndIsKept) {
  std::string text = good_file(300, false, false).text;
  text.pop_back();
  auto pieces = parse_bar_csv(text, "t.csv", kSymbol, BadRowPolicy::Error, in_pieces(4));
  ASSERT_TRUE(pieces) << pieces.status().message();
  EXPECT_EQ(pieces->pieces, 16u);
  ASSERT_EQ(pieces->bars.size(), 300u);
  expect_same_bars(pieces->bars, parse_bar_csv(text, "t.csv", kSymbol, BadRowPolicy::Error)->bars);
}

// Pieces start at twice the least piece: one byte less is one pass.
TEST(BarCsvPiecesTest, AFileShorterThanTwoPiecesIsParsedInOnePass) {
  const Text file = good_file(10, false, false);
  const std::size_t rows_bytes = file.text.size() - kHeader.size() - 1;
  for (const auto& [least, pieces] :
       {std::pair{rows_bytes / 2 + 1, 1u}, std::pair{rows_bytes / 2, 2u}}) {
    SCOPED_TRACE("least piece " + std::to_string(least) + " of " + std::to_string(rows_bytes) +
                 " bytes");
    auto r =
        parse_bar_csv(file.text, "t.csv", kSymbol, BadRowPolicy::Error, ParseThreads{8, least});
    ASSERT_TRUE(r) << r.status().message();
    EXPECT_EQ(r->pieces, pieces);
    EXPECT_EQ(r->bars.size(), 10u);
  }
}

TEST(BarCsvPiecesTest, ABadRowInALaterPieceGivesTheSinglePassErrorAndSkips) {
  Text file{"", false};
  file.add(kHeader);
  for (int i = 0; i < 600; ++i)
    file.add(i == 450 ? row(i) + ",extra" : i == 520 ? "2024-13-01,1,1,1,1,1" : row(i));
  for (const BadRowPolicy policy : {BadRowPolicy::Error, BadRowPolicy::Skip}) {
    auto one = parse_bar_csv(file.text, "t.csv", kSymbol, policy);
    auto pieces = parse_bar_csv(file.text, "t.csv", kSymbol, policy, in_pieces(4));
    ASSERT_EQ(one.has_value(), pieces.has_value());
    if (policy == BadRowPolicy::Error) {
      ASSERT_FALSE(pieces);
      EXPECT_EQ(pieces.status().message(), one.status().message());
      EXPECT_THAT(pieces.status().message(),
                  ::testing::HasSubstr("t.csv:452:"));  // line 452 is row 450
      EXPECT_THAT(pieces.status().message(), ::testing::HasSubstr("t.csv:522:"));
    } else {
      ASSERT_TRUE(pieces) << pieces.status().message();
      EXPECT_EQ(pieces->skipped, one->skipped);
      EXPECT_EQ(pieces->skipped.size(), 2u);
      EXPECT_EQ(pieces->pieces, 1u);  // the single pass words the skipped rows
      expect_same_bars(pieces->bars, one->bars);
    }
  }
}

// Time going back at some row, with the file cut in two: wherever the cut falls (the jump is tried
// at every row, so one of them is exactly at the cut, where each piece is in order on its own and
// only the check across the cut sees it), the result must be the single pass's.
TEST(BarCsvPiecesTest, TimeGoingBackAtACutIsTheSinglePassResult) {
  constexpr int kRows = 120;
  const Text good = good_file(kRows, false, false);
  ASSERT_EQ(
      parse_bar_csv(good.text, "t.csv", kSymbol, BadRowPolicy::Error, in_two_pieces(good.text))
          ->pieces,
      2u);
  for (int jump = 1; jump < kRows; ++jump) {
    for (const int back : {1, 5}) {  // the same time as the row before the jump, and earlier
      Text file{"", false};
      file.add(kHeader);
      for (int i = 0; i < kRows; ++i) file.add(row(i, i >= jump ? -back : 0));
      for (const BadRowPolicy policy : {BadRowPolicy::Error, BadRowPolicy::Skip}) {
        SCOPED_TRACE("jump at row " + std::to_string(jump) + ", back " + std::to_string(back) +
                     (policy == BadRowPolicy::Error ? ", error" : ", skip"));
        auto one = parse_bar_csv(file.text, "t.csv", kSymbol, policy);
        auto pieces = parse_bar_csv(file.text, "t.csv", kSymbol, policy, in_two_pieces(file.text));
        ASSERT_EQ(one.has_value(), pieces.has_value());
        if (!one) {
          EXPECT_EQ(pieces.status().message(), one.status().message());
          EXPECT_THAT(pieces.status().message(),
                      ::testing::HasSubstr("is not after the previous bar's"));
        } else {
          EXPECT_EQ(pieces->skipped, one->skipped);
          EXPECT_EQ(pieces->skipped.size(), static_cast<std::size_t>(std::min(back, kRows - jump)));
          expect_same_bars(pieces->bars, one->bars);
        }
      }
    }
  }
}

// The header is checked before any cut; this keeps it that way.
TEST(BarCsvPiecesTest, AWrongHeaderIsTheSameError) {
  const std::string text = "time,open,high,low,close,volume\n" +
                           good_file(300, false, false).text.substr(kHeader.size() + 1);
  auto pieces = parse_bar_csv(text, "t.csv", kSymbol, BadRowPolicy::Error, in_pieces(4));
  ASSERT_FALSE(pieces);
  EXPECT_EQ(pieces.status().message(),
            parse_bar_csv(text, "t.csv", kSymbol, BadRowPolicy::Error).status().message());
}

TEST(BarCsvPiecesTest, ReadingAFileInPiecesGivesItsBars) {
  const std::string path = ::testing::TempDir() + "/bar_csv_pieces_test.csv";
  const Text file = good_file(2'000, false, true);
  std::ofstream(path, std::ios::binary) << file.text;
  auto pieces = read_bar_csv(path, kSymbol, BadRowPolicy::Error, in_pieces(3));
  ASSERT_TRUE(pieces) << pieces.status().message();
  EXPECT_EQ(pieces->pieces, 12u);
  expect_same_bars(pieces->bars,
                   parse_bar_csv(file.text, "t.csv", kSymbol, BadRowPolicy::Error)->bars);
}

// Files of good rows mixed with empty lines, lone and doubled CRs, garbage, rows out of order and
// a missing last line end, cut at random sizes on random thread counts: the whole result (bars,
// skipped rows, or the error) is the single pass's every time.
TEST(BarCsvPiecesTest, RandomFilesGiveTheSinglePassResult) {
  std::mt19937 rng(20261126);
  int parsed_in_pieces = 0;
  for (int round = 0; round < 300; ++round) {
    SCOPED_TRACE("round " + std::to_string(round));
    const bool crlf = rng() % 2 == 0;
    Text file{rng() % 4 == 0 ? "\xEF\xBB\xBF" : "", crlf};
    file.add(kHeader);
    const int rows = static_cast<int>(rng() % 200);
    const unsigned flaw_odds =
        rng() % 3 == 0 ? 0 : 1 + rng() % 60;  // a third of the files are all good
    for (int i = 0; i < rows; ++i) {
      const unsigned flaw = flaw_odds == 0 || rng() % flaw_odds != 0 ? 0 : 1 + rng() % 6;
      switch (flaw) {
        case 0:
          file.add(row(i));
          break;
        case 1:
          file.add("");
          break;  // an empty line
        case 2:
          file.text += row(i) + "\r\r\n";
          break;  // a doubled CR
        case 3:
          file.add(row(i) + "\rX");
          break;  // a lone CR inside the line
        case 4:
          file.add("garbage," + std::to_string(i));
          break;
        case 5:
          file.add(row(i, -3));
          break;  // back in time
        default:
          file.add(row(i, 0) + ",7");
          break;  // a seventh field
      }
    }
    if (rows > 0 && rng() % 4 == 0) file.text.pop_back();  // no line end after the last row
    const ParseThreads threads{1 + static_cast<unsigned>(rng() % 5), 1 + rng() % 600};
    for (const BadRowPolicy policy : {BadRowPolicy::Error, BadRowPolicy::Skip}) {
      auto one = parse_bar_csv(file.text, "t.csv", kSymbol, policy);
      auto pieces = parse_bar_csv(file.text, "t.csv", kSymbol, policy, threads);
      ASSERT_EQ(one.has_value(), pieces.has_value());
      if (!one) {
        EXPECT_EQ(pieces.status().message(), one.status().message());
        continue;
      }
      EXPECT_EQ(pieces->skipped, one->skipped);
      expect_same_bars(pieces->bars, one->bars);
      if (pieces->pieces > 1) ++parsed_in_pieces;
    }
  }
  EXPECT_GT(parsed_in_pieces, 50);  // the cut path really ran, not only its fallback
}

}  // namespace
}  // namespace mercurio::brokers::paper
