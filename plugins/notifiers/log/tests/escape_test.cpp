#include "escape.hpp"

#include <gtest/gtest.h>

#include <string>

using namespace mercurio::notifiers::log;

namespace {
std::string json(std::string_view text) {
  std::string out;
  append_json_string(out, text);
  return out;
}
std::string line(std::string_view text) {
  std::string out;
  append_single_line(out, text);
  return out;
}
}  // namespace

TEST(JsonEscapeTest, QuotesAndBackslashesAreEscaped) {
  EXPECT_EQ(json(R"(say "hi" \ bye)"), R"("say \"hi\" \\ bye")");
  EXPECT_EQ(json(""), R"("")");
  EXPECT_EQ(json("/"), R"("/")");  // a solidus needs no escape
}

TEST(JsonEscapeTest, ControlCharactersUseShortFormsOrUnicodeEscapes) {
  EXPECT_EQ(json("a\nb\rc\td\be\ff"), R"("a\nb\rc\td\be\ff")");
  EXPECT_EQ(json(std::string_view("\x00\x01\x1f", 3)), R"("\u0000\u0001\u001f")");
  EXPECT_EQ(json("\x7f"), "\"\x7f\"");  // DEL is allowed raw in JSON
}

TEST(JsonEscapeTest, ValidUtf8PassesThrough) {
  EXPECT_EQ(json("€ 10 — ok ✓ 😀"), "\"€ 10 — ok ✓ 😀\"");
}

TEST(JsonEscapeTest, InvalidUtf8BecomesReplacementCharacters) {
  EXPECT_EQ(json("a\xff!"), R"("a\ufffd!")");
  EXPECT_EQ(json("\xc3"), R"("\ufffd")");                      // truncated 2-byte sequence
  EXPECT_EQ(json("\xc0\xaf"), R"("\ufffd\ufffd")");            // overlong '/'
  EXPECT_EQ(json("\xed\xa0\x80"), R"("\ufffd\ufffd\ufffd")");  // UTF-16 surrogate
  EXPECT_EQ(json("\xf4\x90\x80\x80"), R"("\ufffd\ufffd\ufffd\ufffd")");  // above U+10FFFF
  EXPECT_EQ(json("\xe2\x82"), R"("\ufffd\ufffd")");                      // truncated euro sign
}

TEST(SingleLineEscapeTest, NewlinesAndControlsCannotBreakTheLine) {
  EXPECT_EQ(line("a\nb\r\tc"), R"(a\nb\r\tc)");
  EXPECT_EQ(line(std::string_view("\x00\x1b[31m", 6)), R"(\x00\x1b[31m)");
  EXPECT_EQ(line("back\\slash"), R"(back\\slash)");
  EXPECT_EQ(line("plain € text"), "plain € text");
}
