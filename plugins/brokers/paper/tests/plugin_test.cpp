// The registration, through the same entry function the kernel calls (../plugin.cpp is compiled
// into this test).
#include "mercurio/sdk/plugin.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstring>

#include "test_support.hpp"

namespace mercurio::brokers::paper {
namespace {

using ::testing::HasSubstr;

const sdk::PluginFactory<sdk::Broker>& factory() {
  return *static_cast<const sdk::PluginFactory<sdk::Broker>*>(mercurio_plugin_v2()->factory);
}

TEST(PaperPluginTest, ManifestNamesTheBrokerAndItsBuild) {
  const MercurioPluginManifest* m = mercurio_plugin_v2();
  ASSERT_NE(m, nullptr);
  EXPECT_EQ(m->struct_size, sizeof(MercurioPluginManifest));
  EXPECT_EQ(m->kind, MERCURIO_PLUGIN_BROKER);
  EXPECT_STREQ(m->name, "mercurio.brokers.paper");
  EXPECT_STREQ(m->version, "1.0.0");
  EXPECT_STREQ(m->build_id, MERCURIO_BUILD_ID);
  EXPECT_GT(std::strlen(m->description), 0u);
}

TEST(PaperPluginTest, FactoryCreatesAWorkingBrokerFromAValidConfig) {
  EXPECT_EQ(factory().config_schema().fields.size(), paper_config_schema().fields.size());
  std::string error;
  sdk::Broker* broker = factory().create(testing::make_config(), error);
  ASSERT_NE(broker, nullptr) << error;
  testing::FakeSink sink;
  EXPECT_TRUE(broker->start(sink));
  EXPECT_EQ(broker->account()->cash, testing::dec("100000"));
  broker->stop();
  factory().destroy(broker);
}

TEST(PaperPluginTest, FactoryReportsConfigErrorsInsteadOfThrowing) {
  std::string error;
  sdk::Broker* broker =
      factory().create(testing::make_config({{"commission_minimum", testing::dec("-2")}}), error);
  EXPECT_EQ(broker, nullptr);
  EXPECT_THAT(error, HasSubstr("config key 'commission_minimum': expected >= 0, was -2"));
}

}  // namespace
}  // namespace mercurio::brokers::paper
