#include "log_notifier.hpp"

#include <gtest/gtest.h>

#include <map>
#include <stdexcept>
#include <string>
#include <vector>

#include "mercurio/sdk/plugin.hpp"
#include "mercurio/text/utf8.hpp"

using mercurio::sdk::ConfigValue;
using mercurio::sdk::ConfigView;
using mercurio::sdk::LogLevel;
using mercurio::sdk::Notification;
using mercurio::sdk::Severity;
using mercurio::sdk::StatusCode;
using mercurio::sdk::Timestamp;
using namespace mercurio::notifiers::log;

namespace {

class RecordingLogger final : public mercurio::sdk::Logger {
 public:
  struct Line {
    LogLevel level;
    std::string message;
  };
  void log(LogLevel level, std::string_view message) override {
    lines.push_back({level, std::string(message)});
  }
  bool enabled(LogLevel) const override { return true; }
  std::vector<Line> lines;
};

Notification sample() {
  Notification n;
  n.severity = Severity::Critical;
  n.title = "trading halted";
  n.body = "daily loss limit reached";
  n.fields = {{"loss", "-2500.00"}, {"limit", "-2000"}};
  n.ts = *Timestamp::parse_iso8601("2024-03-01T14:30:05Z");
  n.source = "kernel";
  return n;
}

LogNotifier make(const char* format) {
  return LogNotifier(ConfigView("log", {{"format", ConfigValue{std::string(format)}}}));
}

}  // namespace

TEST(LogNotifierTest, TextFormatWritesOneLine) {
  RecordingLogger logger;
  LogNotifier notifier = make("text");
  ASSERT_TRUE(notifier.start(logger).is_ok());
  ASSERT_TRUE(notifier.notify(sample()).is_ok());
  ASSERT_EQ(logger.lines.size(), 1u);
  EXPECT_EQ(logger.lines[0].message,
            "[CRITICAL] trading halted — daily loss limit reached (loss=-2500.00, limit=-2000) "
            "source=kernel");
}

TEST(LogNotifierTest, TextFormatLeavesOutEmptyParts) {
  Notification n;
  n.severity = Severity::Info;
  n.title = "started";
  EXPECT_EQ(format_text(n), "[INFO] started");
  n.source = "ma";
  EXPECT_EQ(format_text(n), "[INFO] started source=ma");
}

TEST(LogNotifierTest, TextFormatKeepsMultiLineInputOnOneLine) {
  Notification n = sample();
  n.body = "line one\nline two";
  n.fields = {{"why", "a\r\nb"}};
  const std::string text = format_text(n);
  EXPECT_EQ(text.find('\n'), std::string::npos);
  EXPECT_EQ(text, "[CRITICAL] trading halted — line one\\nline two (why=a\\r\\nb) source=kernel");
}

// Backslashes doubled, bytes that are not UTF-8 and other controls as \xHH (that every escape
// then reads back to one byte is tested with the escaper, tests/unit/text).
TEST(LogNotifierTest, TextFormatDoublesBackslashesAndEscapesBytes) {
  Notification n;
  n.severity = Severity::Error;
  n.title = "C:\\path\\new";
  n.body = "caf\xE9 \x1b[2J \xC2\x9b";
  EXPECT_EQ(format_text(n), R"([ERROR] C:\\path\\new — caf\xe9 \x1b[2J \xc2\x9b)");
}

// The kernel's log escapes control characters and bad UTF-8 in a message, and leaves printable
// text alone: a line with none of them reaches the log as the notifier wrote it.
TEST(LogNotifierTest, NeitherFormatLeavesAControlCharacterOrBadUtf8) {
  Notification n;
  n.severity = Severity::Critical;
  n.title = "del\x7f c1\xC2\x85 esc\x1b bell\a";
  n.body = "bad\xFF\xC2 trunc\xE2\x82 lone\xC2Z\r\n";
  n.fields = {{"k\x01", "v\xC0\xAF"}};
  n.source = "s\x9b";
  for (const std::string& line : {format_text(n), format_json(n)}) {
    EXPECT_EQ(mercurio::text::control_character_at(line), std::string_view::npos) << line;
    EXPECT_EQ(mercurio::text::invalid_utf8_at(line), std::string_view::npos) << line;
  }
  EXPECT_NE(format_json(n).find(R"("title":"del\u007f c1\u0085 esc\u001b bell\u0007")"),
            std::string::npos);
  EXPECT_NE(format_json(n).find(R"(lone\ufffdZ\r\n")"), std::string::npos);
}

TEST(LogNotifierTest, JsonFormatWritesOneObjectWithFieldsInOrder) {
  RecordingLogger logger;
  LogNotifier notifier = make("json");
  ASSERT_TRUE(notifier.start(logger).is_ok());
  ASSERT_TRUE(notifier.notify(sample()).is_ok());
  ASSERT_EQ(logger.lines.size(), 1u);
  EXPECT_EQ(logger.lines[0].message,
            R"({"severity":"CRITICAL","title":"trading halted","body":"daily loss limit reached",)"
            R"("fields":{"loss":"-2500.00","limit":"-2000"},"source":"kernel",)"
            R"("ts":"2024-03-01T14:30:05Z"})");
}

TEST(LogNotifierTest, JsonFormatEscapesEveryString) {
  Notification n;
  n.severity = Severity::Warning;
  n.title = "say \"hi\"";
  n.body = "C:\\path\nnext";
  n.fields = {{"k\"ey", "tab\there"}};
  n.source = "s\x01";
  n.ts = Timestamp{1'500'000'000};  // 1.5 s after the epoch: a fraction is kept
  EXPECT_EQ(format_json(n), R"({"severity":"WARNING","title":"say \"hi\"","body":"C:\\path\nnext",)"
                            R"("fields":{"k\"ey":"tab\there"},"source":"s\u0001",)"
                            R"("ts":"1970-01-01T00:00:01.500000000Z"})");
}

TEST(LogNotifierTest, JsonFormatWithoutFieldsHasAnEmptyObject) {
  Notification n;
  n.title = "t";
  EXPECT_EQ(format_json(n), R"({"severity":"INFO","title":"t","body":"","fields":{},"source":"",)"
                            R"("ts":"1970-01-01T00:00:00Z"})");
}

TEST(LogNotifierTest, SeverityMapsToLogLevel) {
  RecordingLogger logger;
  LogNotifier notifier = make("text");
  ASSERT_TRUE(notifier.start(logger).is_ok());
  for (Severity s : {Severity::Info, Severity::Warning, Severity::Error, Severity::Critical}) {
    Notification n = sample();
    n.severity = s;
    ASSERT_TRUE(notifier.notify(n).is_ok());
  }
  ASSERT_EQ(logger.lines.size(), 4u);
  EXPECT_EQ(logger.lines[0].level, LogLevel::Info);
  EXPECT_EQ(logger.lines[1].level, LogLevel::Warning);
  EXPECT_EQ(logger.lines[2].level, LogLevel::Error);
  EXPECT_EQ(logger.lines[3].level, LogLevel::Error);
  EXPECT_EQ(logger.lines[2].message.rfind("[ERROR] ", 0), 0u);
  EXPECT_EQ(logger.lines[3].message.rfind("[CRITICAL] ", 0), 0u);
}

TEST(LogNotifierTest, NotifyBeforeStartOrAfterStopFails) {
  RecordingLogger logger;
  LogNotifier notifier = make("text");
  const auto before = notifier.notify(sample());
  EXPECT_EQ(before.code(), StatusCode::Internal);
  EXPECT_NE(before.message().find("expected start() before notify()"), std::string::npos);
  ASSERT_TRUE(notifier.start(logger).is_ok());
  EXPECT_TRUE(notifier.notify(sample()).is_ok());
  notifier.stop();
  EXPECT_FALSE(notifier.notify(sample()).is_ok());
  EXPECT_EQ(logger.lines.size(), 1u);
}

TEST(LogNotifierTest, ConfigDefaultsToTextAndRejectsUnknownFormats) {
  EXPECT_EQ(parse_settings(ConfigView("log", {})).format, Format::Text);
  EXPECT_EQ(
      parse_settings(ConfigView("log", {{"format", ConfigValue{std::string("json")}}})).format,
      Format::Json);
  try {
    parse_settings(ConfigView("log", {{"format", ConfigValue{std::string("xml")}}}));
    FAIL() << "expected std::invalid_argument";
  } catch (const std::invalid_argument& e) {
    EXPECT_STREQ(e.what(), "config key 'format': expected \"text\" or \"json\", was \"xml\"");
  }
  const auto schema = log_notifier_config_schema();
  ASSERT_NE(schema.find("format"), nullptr);
  EXPECT_EQ(schema.find("format")->allowed, (std::vector<std::string>{"text", "json"}));
}

TEST(LogNotifierPluginTest, ManifestAndFactoryWork) {
  const MercurioPluginManifest* m = mercurio_plugin_v2();
  ASSERT_NE(m, nullptr);
  EXPECT_EQ(m->kind, MERCURIO_PLUGIN_NOTIFIER);
  EXPECT_STREQ(m->name, "mercurio.notifiers.log");
  const auto* factory =
      static_cast<const mercurio::sdk::PluginFactory<mercurio::sdk::Notifier>*>(m->factory);
  std::string error;
  EXPECT_EQ(
      factory->create(ConfigView("log", {{"format", ConfigValue{std::string("yaml")}}}), error),
      nullptr);
  EXPECT_NE(error.find("was \"yaml\""), std::string::npos);
  mercurio::sdk::Notifier* notifier = factory->create(ConfigView("log", {}), error);
  ASSERT_NE(notifier, nullptr);
  RecordingLogger logger;
  EXPECT_TRUE(notifier->start(logger).is_ok());
  EXPECT_TRUE(notifier->notify(sample()).is_ok());
  EXPECT_EQ(logger.lines.size(), 1u);
  factory->destroy(notifier);
}
