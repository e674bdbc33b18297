// mercurio::text: UTF-8 validity, control characters, and the single-line escape of log lines.
#include <gtest/gtest.h>

#include <random>
#include <string>

#include "mercurio/text/single_line.hpp"
#include "mercurio/text/utf8.hpp"

namespace mercurio::text {
namespace {

constexpr auto npos = std::string_view::npos;

std::string line(std::string_view in, Backslash backslash = Backslash::Keep) {
  std::string out;
  append_single_line(out, in, backslash);
  return out;
}

// Reads an escaped line back: \\ \n \r \t \xHH, any other byte as it is.
std::string unescape(std::string_view in) {
  std::string out;
  for (std::size_t i = 0; i < in.size(); ++i) {
    if (in[i] != '\\') {
      out += in[i];
      continue;
    }
    const char e = in.at(++i);
    if (e == 'n')
      out += '\n';
    else if (e == 'r')
      out += '\r';
    else if (e == 't')
      out += '\t';
    else if (e == '\\')
      out += '\\';
    else if (e == 'x') {
      out += static_cast<char>(std::stoi(std::string(in.substr(i + 1, 2)), nullptr, 16));
      i += 2;
    } else {
      ADD_FAILURE() << "unknown escape \\" << e;
    }
  }
  return out;
}

TEST(Utf8Test, SequenceLengthsOfValidText) {
  const std::string_view s = "a\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80";  // a é € 😀
  EXPECT_EQ(utf8_sequence_length(s, 0), 1u);
  EXPECT_EQ(utf8_sequence_length(s, 1), 2u);
  EXPECT_EQ(utf8_sequence_length(s, 3), 3u);
  EXPECT_EQ(utf8_sequence_length(s, 6), 4u);
  EXPECT_EQ(invalid_utf8_at(s), npos);
  EXPECT_EQ(invalid_utf8_at(""), npos);
}

TEST(Utf8Test, InvalidSequencesAreFoundAtTheirFirstByte) {
  struct Bad {
    std::string_view text;
    std::size_t at;
  };
  for (const Bad& bad :
       {Bad{"ab\xFF", 2}, Bad{"\x80", 0}, Bad{"x\xC3", 1}, Bad{"\xC0\xAF", 0}, Bad{"\xC1\xBF", 0},
        Bad{"\xE0\x80\xAF", 0}, Bad{"ok\xED\xA0\x80", 2}, Bad{"\xF0\x80\x80\x80", 0},
        Bad{"\xF4\x90\x80\x80", 0}, Bad{"\xF5\x80\x80\x80", 0}, Bad{"\xC3\xA9\xE2\x82", 2},
        Bad{"\xC3(", 0}, Bad{"\xE2\x82(", 0}}) {
    EXPECT_EQ(invalid_utf8_at(bad.text), bad.at) << testing::PrintToString(std::string(bad.text));
    EXPECT_EQ(utf8_sequence_length(bad.text, bad.at), 0u);
  }
}

TEST(Utf8Test, ControlCharactersAreC0DelAndC1Only) {
  EXPECT_EQ(control_character_at("SP\nY"), 2u);
  EXPECT_EQ(control_character_at(std::string_view("\0", 1)), 0u);
  EXPECT_EQ(control_character_at("SPY\x7F"), 3u);
  EXPECT_EQ(control_character_at("AB\xC2\x80"), 2u);                 // U+0080
  EXPECT_EQ(control_character_at("AB\xC2\x9F"), 2u);                 // U+009F
  EXPECT_EQ(control_character_at("\xC2\xA0 \xE2\x82\xAC ~"), npos);  // no-break space, euro, tilde
  EXPECT_EQ(control_character_at("AB\xC2Z"), npos);  // bad UTF-8, but no control character
  EXPECT_EQ(control_character_at("AB\xC2"), npos);
}

TEST(SingleLineTest, PrintableTextIsUnchanged) {
  const std::string printable =
      "C:\\data\\spy.csv \"quoted\" \xE2\x82\xAC 10 \xC2\xA0 \xF0\x9F\x98\x80";
  EXPECT_EQ(line(printable), printable);
  EXPECT_EQ(line("already escaped: a\\nb"), "already escaped: a\\nb");
}

TEST(SingleLineTest, ControlsAndBadBytesAreEscaped) {
  EXPECT_EQ(line("a\nb\r\tc"), R"(a\nb\r\tc)");
  EXPECT_EQ(line(std::string_view("\x00\x1b[31m\x7f", 7)), R"(\x00\x1b[31m\x7f)");
  EXPECT_EQ(line("\xC2\x9b"
                 "31m"),
            R"(\xc2\x9b31m)");                     // C1 CSI, both bytes
  EXPECT_EQ(line("caf\xE9!"), R"(caf\xe9!)");      // Latin-1, not UTF-8
  EXPECT_EQ(line("\xE2\x82"), R"(\xe2\x82)");      // a truncated euro sign
  EXPECT_EQ(line("\xE2\x82\n"), R"(\xe2\x82\n)");  // the newline after it is still seen
}

TEST(SingleLineTest, DoubledBackslashesMakeEveryEscapeReadBack) {
  EXPECT_EQ(line("back\\slash\n", Backslash::Double), R"(back\\slash\n)");
  EXPECT_EQ(line("back\\slash\n", Backslash::Keep), R"(back\slash\n)");
  std::mt19937 random(20261127);
  std::uniform_int_distribution<int> byte(0, 255), size(0, 12);
  for (int round = 0; round < 20000; ++round) {
    std::string in;
    for (int n = size(random); n > 0; --n) in += static_cast<char>(byte(random));
    ASSERT_EQ(unescape(line(in, Backslash::Double)), in) << testing::PrintToString(in);
  }
}

// Whatever comes in, the line out holds no control character and is valid UTF-8: every pair of
// bytes, and random longer text.
TEST(SingleLineTest, NoInputLeavesAControlCharacterOrBadUtf8) {
  const auto check = [](const std::string& in) {
    for (Backslash b : {Backslash::Keep, Backslash::Double}) {
      const std::string out = line(in, b);
      ASSERT_EQ(control_character_at(out), npos) << testing::PrintToString(in);
      ASSERT_EQ(invalid_utf8_at(out), npos) << testing::PrintToString(in);
    }
  };
  for (int a = 0; a < 256; ++a)
    for (int b = 0; b < 256; ++b) check(std::string{static_cast<char>(a), static_cast<char>(b)});
  std::mt19937 random(7);
  std::uniform_int_distribution<int> byte(0, 255);
  for (int round = 0; round < 20000; ++round) {
    std::string in;
    for (int n = 0; n < 6; ++n) in += static_cast<char>(byte(random));
    check(in);
  }
}

}  // namespace
}  // namespace mercurio::text
