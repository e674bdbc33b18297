#include "mercurio/sdk/config.hpp"

#include <gtest/gtest.h>

using namespace mercurio::sdk;

TEST(ConfigViewTest, ReturnsTypedValues) {
  ConfigView view("ma", {{"short_window", std::int64_t{10}}, {"quantity", Decimal::from_string("1.5")},
                         {"symbols", std::vector<std::string>{"SPY"}}});
  EXPECT_EQ(view.get_integer("short_window"), 10);
  EXPECT_EQ(view.get_decimal("quantity"), Decimal::from_string("1.5"));
  EXPECT_EQ(view.get_string_list("symbols").at(0), "SPY");
  EXPECT_TRUE(view.has("quantity"));
  EXPECT_FALSE(view.has("nope"));
}

TEST(ConfigViewTest, UndeclaredKeyOrWrongTypeIsAPluginBug) {
  ConfigView view("ma", {{"short_window", std::int64_t{10}}});
  EXPECT_THROW(view.get_integer("long_window"), ConfigAccessError);
  EXPECT_THROW(view.get_string("short_window"), ConfigAccessError);
}

TEST(ConfigFieldTest, BuilderRecordsConstraints) {
  const auto f = ConfigField::integer("short_window", "bars").min(1).max(1000).defaults(10);
  EXPECT_EQ(f.type, ConfigType::Integer);
  EXPECT_EQ(*f.minimum, Decimal::from_int(1));
  EXPECT_EQ(*f.maximum, Decimal::from_int(1000));
  EXPECT_EQ(std::get<std::int64_t>(*f.default_value), 10);
  EXPECT_FALSE(f.required);
}

TEST(SecretTest, KeepsValueApartFromReference) {
  Secret s("env:API_KEY", "hunter2");
  EXPECT_EQ(s.reference(), "env:API_KEY");
  EXPECT_EQ(s.reveal(), "hunter2");
}

TEST(ConfigFieldTest, DefaultsFollowTheFieldType) {
  EXPECT_EQ(std::get<Decimal>(*ConfigField::decimal("cash", "").defaults("0.5").default_value), Decimal::from_string("0.5"));
  EXPECT_EQ(std::get<Decimal>(*ConfigField::decimal("cash", "").defaults(3).default_value), Decimal::from_int(3));
  EXPECT_EQ(std::get<std::string>(*ConfigField::string("name", "").defaults("x").default_value), "x");
  EXPECT_TRUE(std::get<bool>(*ConfigField::boolean("on", "").defaults(true).default_value));
  EXPECT_THROW(ConfigField::decimal("cash", "").defaults("abc"), DecimalError);
}
