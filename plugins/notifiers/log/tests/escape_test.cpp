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
}  // namespace

TEST(JsonEscapeTest, QuotesAndBackslashesAreEscaped) {
  EXPECT_EQ(json(R"(say "hi" \ bye)"), R"("say \"hi\" \\ bye")");
  EXPECT_EQ(json(""), R"("")");
  EXPECT_EQ(json("/"), R"("/")");  // a solidus needs no escape
}

TEST(JsonEscapeTest, ControlCharactersUseShortFormsOrUnicodeEscapes) {
  EXPECT_EQ(json("a\nb\rc\td\be\ff"), R"("a\nb\rc\td\be\ff")");
  EXPECT_EQ(json(std::string_view("\x00\x01\x1f", 3)), R"("\u0000\u0001\u001f")");
  // JSON would allow DEL and C1 raw; escaped, the kernel's log has nothing to escape in the line.
  EXPECT_EQ(json("a\x7f"
                 "b"),
            R"("a\u007fb")");
  EXPECT_EQ(json("\xC2\x80|\xC2\x9b[31m"), R"("\u0080|\u009b[31m")");
  EXPECT_EQ(json("\xC2\xA0"), "\"\xC2\xA0\"");  // a no-break space is not a control
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
  EXPECT_EQ(json("\xC2"), R"("\ufffd")");                                // a C1 lead at the end
  EXPECT_EQ(json("\xC2Z"), R"("\ufffdZ")");  // ... or before an ASCII byte
}
