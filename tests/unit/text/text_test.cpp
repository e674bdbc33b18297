// mercurio::text: UTF-8 validity, control characters, and the single-line escape of log lines.
#include <gtest/gtest.h>

#include <cstdint>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "mercurio/text/ascii.hpp"
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

// The code points of `s`, decoded by the definition (RFC 3629), apart from the library and Poco:
// none when it is not UTF-8 (a bad lead or continuation byte, a truncated sequence, an overlong
// form, a surrogate, beyond U+10FFFF).
std::optional<std::vector<std::uint32_t>> reference_decode(std::string_view s) {
  std::vector<std::uint32_t> code_points;
  for (std::size_t i = 0; i < s.size();) {
    const auto lead = static_cast<unsigned char>(s[i]);
    const std::size_t n = lead < 0x80             ? 1
                          : (lead & 0xE0) == 0xC0 ? 2
                          : (lead & 0xF0) == 0xE0 ? 3
                          : (lead & 0xF8) == 0xF0 ? 4
                                                  : 0;
    if (n == 0) return std::nullopt;
    std::uint32_t cp = n == 1 ? lead : lead & (0x7Fu >> n);  // the lead's payload bits
    if (n > s.size() - i) return std::nullopt;
    for (std::size_t k = 1; k < n; ++k) {
      const auto c = static_cast<unsigned char>(s[i + k]);
      if ((c & 0xC0) != 0x80) return std::nullopt;
      cp = cp << 6 | (c & 0x3Fu);
    }
    constexpr std::uint32_t kShortest[] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < kShortest[n] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return std::nullopt;
    code_points.push_back(cp);
    i += n;
  }
  return code_points;
}

bool reference_has_control(const std::vector<std::uint32_t>& code_points) {
  for (const std::uint32_t cp : code_points)
    if (cp < 0x20 || (cp >= 0x7F && cp <= 0x9F)) return true;
  return false;
}

// The word-at-a-time scan sees a high bit in every position, in the whole words and in the tail.
TEST(AsciiTest, AHighBitAnywhereIsSeen) {
  EXPECT_TRUE(is_ascii(""));
  for (std::size_t size : {1u, 7u, 8u, 9u, 16u, 17u})
    for (std::size_t at = 0; at < size; ++at) {
      std::string s(size, 'a');
      EXPECT_TRUE(is_ascii(s));
      s[at] = static_cast<char>(0x80);
      EXPECT_FALSE(is_ascii(s)) << size << " " << at;
    }
}

TEST(AsciiTest, PrintableAsciiIsSpaceToTilde) {
  EXPECT_TRUE(is_printable_ascii(""));
  EXPECT_TRUE(is_printable_ascii(" BRK.B ~"));
  for (int c : {0x00, 0x1F, 0x7F, 0x80, 0xC2, 0xFF})
    EXPECT_FALSE(is_printable_ascii(std::string("SP") + static_cast<char>(c))) << c;
}

TEST(Utf8Test, ValidSequencesReportTheirLength) {
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

// Poco's validity, as the library reads it, against the definition: every pair of bytes, every
// three-byte text that starts with a multi-byte lead, and random four-byte text.
TEST(Utf8Test, ValidityAgreesWithTheDefinition) {
  const auto agree = [](const std::string& s) {
    ASSERT_EQ(invalid_utf8_at(s) == npos, reference_decode(s).has_value())
        << testing::PrintToString(s);
  };
  for (int a = 0; a < 256 && !HasFailure(); ++a)  // one disagreement is enough to read
    for (int b = 0; b < 256; ++b) {
      agree(std::string{static_cast<char>(a), static_cast<char>(b)});
      if (a >= 0xE0)
        for (int c : {0x00, 0x7F, 0x80, 0x9F, 0xA0, 0xBF, 0xC0})
          agree(std::string{static_cast<char>(a), static_cast<char>(b), static_cast<char>(c)});
    }
  std::mt19937 random(3);
  std::uniform_int_distribution<int> byte(0x70, 0xFF);  // mostly lead and continuation bytes
  for (int round = 0; round < 50000 && !HasFailure(); ++round) {
    std::string s;
    for (int n = 0; n < 4; ++n) s += static_cast<char>(byte(random));
    agree(s);
  }
}

// control_character_at against the definition, on every valid text of up to two bytes and every
// two-byte sequence followed by an ASCII byte.
TEST(Utf8Test, ControlCharactersAgreeWithTheDefinition) {
  for (int a = 0; a < 256 && !HasFailure(); ++a)
    for (int b = 0; b < 256; ++b)
      for (const std::string& s : {std::string{static_cast<char>(a), static_cast<char>(b)},
                                   std::string{static_cast<char>(a), static_cast<char>(b), 'x'}}) {
        const auto decoded = reference_decode(s);
        if (!decoded) continue;
        ASSERT_EQ(control_character_at(s) != npos, reference_has_control(*decoded))
            << testing::PrintToString(s);
      }
}

TEST(Utf8Test, APositionAtOrPastTheEndIsNoSequence) {
  EXPECT_EQ(utf8_sequence_length("ab", 2), 0u);
  EXPECT_EQ(utf8_sequence_length("ab", 7), 0u);
  EXPECT_FALSE(is_c1_control_at("\xC2", 0));
  EXPECT_FALSE(is_c1_control_at("\xC2\x85", 1));
  EXPECT_FALSE(is_c1_control_at("\xC2\x85", 2));
  EXPECT_TRUE(is_c1_control_at("\xC2\x85", 0));
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

TEST(SingleLineTest, SingleLineWritesALineBreakAsAnEscape) {
  EXPECT_EQ(single_line("held\nACTIVE \x1b[2J C:\\x"), R"(held\nACTIVE \x1b[2J C:\x)");
  EXPECT_EQ(single_line(""), "");
}

// Whatever comes in, the line out is UTF-8 without a control character, by the definition (not
// the library's own checks): every pair of bytes, and random longer text.
TEST(SingleLineTest, NoInputLeavesAControlCharacterOrBadUtf8) {
  const auto check = [](const std::string& in) {
    for (Backslash b : {Backslash::Keep, Backslash::Double}) {
      const auto decoded = reference_decode(line(in, b));
      ASSERT_TRUE(decoded.has_value()) << testing::PrintToString(in);
      ASSERT_FALSE(reference_has_control(*decoded)) << testing::PrintToString(in);
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

TEST(LinesTest, LinesEndAtNewlinesOrCrLfWithoutAnEmptyLastOne) {
  using Lines = std::vector<std::string_view>;
  EXPECT_EQ(lines_of(""), Lines{""});
  EXPECT_EQ(lines_of("one"), Lines{"one"});
  EXPECT_EQ(lines_of("one\n"), Lines{"one"});
  EXPECT_EQ(lines_of("a\r\nb\n\nc\r"), (Lines{"a", "b", "", "c\r"}));  // a lone CR stays
  EXPECT_EQ(lines_of("\n"), Lines{""});
  EXPECT_EQ(lines_of("\r\n\r\n"), (Lines{"", ""}));
}

TEST(LinesTest, PrintableLinesKeepTheBreaksAndEscapeTheRest) {
  EXPECT_EQ(printable_lines("start-up failed:\r\n  broker x: \x1b[2Jbad\tthing\n"),
            "start-up failed:\n  broker x: \\x1b[2Jbad\\tthing");
  EXPECT_EQ(printable_lines("C:\\path \xE2\x82\xAC"), "C:\\path \xE2\x82\xAC");
  EXPECT_EQ(printable_lines(""), "");
}

}  // namespace
}  // namespace mercurio::text
