#include "config.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "alpaca_broker.hpp"
#include "mercurio/sdk/plugin.hpp"
#include "test_support.hpp"

namespace mercurio::brokers::alpaca {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using namespace mercurio::brokers::alpaca::testing;

TEST(AlpacaConfigTest, PaperDefaultsPointAtAlpacasPaperEndpoints) {
  auto s = parse_settings(make_config());
  ASSERT_TRUE(s) << s.status().message();
  EXPECT_EQ(s->environment, "paper");
  EXPECT_EQ(s->trading_url.to_string(), "https://paper-api.alpaca.markets:443");
  EXPECT_EQ(s->stream_url.to_string(), "wss://paper-api.alpaca.markets:443/stream");
  EXPECT_EQ(s->data_url.to_string(), "https://data.alpaca.markets:443");
  EXPECT_EQ(s->requests_per_minute, 180);
  EXPECT_EQ(s->data_requests_per_minute, 180);
  EXPECT_EQ(s->key_id.reveal(), kKeyId);
}

TEST(AlpacaConfigTest, LiveSelectsLiveEndpointsUnderALiveKernel) {
  auto s = parse_settings(make_config({{"environment", std::string("live")}}, sdk::RunMode::Live));
  ASSERT_TRUE(s) << s.status().message();
  EXPECT_EQ(s->trading_url.host, "api.alpaca.markets");
  EXPECT_EQ(s->stream_url.host, "api.alpaca.markets");
  EXPECT_EQ(s->kernel_mode, sdk::RunMode::Live);
}

TEST(AlpacaConfigTest, LiveAccountIsAConfigErrorUnlessTheKernelRunsLive) {
  for (const auto mode : {sdk::RunMode::Paper, sdk::RunMode::Backtest}) {
    auto s = parse_settings(make_config({{"environment", std::string("live")}}, mode));
    ASSERT_FALSE(s);
    EXPECT_EQ(s.status().code(), sdk::StatusCode::InvalidArgument);
    EXPECT_THAT(s.status().message(), HasSubstr("config key 'environment'"));
    EXPECT_THAT(s.status().message(), HasSubstr(mode == sdk::RunMode::Paper ? "mode is paper" : "mode is backtest"));
    EXPECT_THAT(s.status().message(), Not(HasSubstr(kSecret)));
  }
}

TEST(AlpacaConfigTest, PaperAccountIsAcceptedUnderEveryKernelMode) {
  // A live kernel on a paper account is a dress rehearsal of the live set-up: no real money.
  for (const auto mode : {sdk::RunMode::Backtest, sdk::RunMode::Paper, sdk::RunMode::Live})
    EXPECT_TRUE(parse_settings(make_config({}, mode)));
}

TEST(AlpacaConfigTest, PaperEnvironmentRefusesAlpacasLiveHosts) {
  // Which account is traded is decided by the host: a paper config must not reach real money,
  // whatever the kernel's mode (a live kernel on a paper account is allowed, not the reverse).
  for (const auto mode : {sdk::RunMode::Paper, sdk::RunMode::Live}) {
    auto s = parse_settings(
        make_config({{"trading_url", std::string("https://api.alpaca.markets")},
                     {"stream_url", std::string("wss://API.Alpaca.Markets./stream")}},
                    mode));
    ASSERT_FALSE(s);
    EXPECT_THAT(s.status().message(), HasSubstr("2 config errors"));
    EXPECT_THAT(
        s.status().message(),
        HasSubstr(
            "config key 'trading_url': host api.alpaca.markets is Alpaca's live Trading API (real "
            "money), refused with environment = \"paper\""));
    EXPECT_THAT(s.status().message(),
                HasSubstr("config key 'stream_url': host API.Alpaca.Markets. is Alpaca's live"));
    EXPECT_THAT(s.status().message(), Not(HasSubstr(kSecret)));
    EXPECT_THAT(s.status().message(), Not(HasSubstr(kKeyId)));
  }
  // Another Alpaca host is not the paper Trading API either.
  auto other = parse_settings(
      make_config({{"trading_url", std::string("https://broker-api.alpaca.markets")}}));
  ASSERT_FALSE(other);
  EXPECT_THAT(other.status().message(),
              HasSubstr("config key 'trading_url': host broker-api.alpaca.markets is not Alpaca's "
                        "paper Trading API host (paper-api.alpaca.markets)"));
}

TEST(AlpacaConfigTest, LiveEnvironmentRefusesAlpacasPaperHosts) {
  auto s = parse_settings(
      make_config({{"environment", std::string("live")},
                   {"trading_url", std::string("https://paper-api.alpaca.markets")},
                   {"stream_url", std::string("wss://paper-api.alpaca.markets/stream")}},
                  sdk::RunMode::Live));
  ASSERT_FALSE(s);
  EXPECT_THAT(s.status().message(), HasSubstr("2 config errors"));
  EXPECT_THAT(
      s.status().message(),
      HasSubstr(
          "config key 'trading_url': host paper-api.alpaca.markets is Alpaca's paper Trading API, "
          "refused with environment = \"live\""));
  EXPECT_THAT(s.status().message(),
              HasSubstr("config key 'stream_url': host paper-api.alpaca.markets"));
  // Both environments' own hosts, and loopback (tests) under either, are accepted.
  EXPECT_TRUE(parse_settings(
      make_config({{"trading_url", std::string("https://paper-api.alpaca.markets/")}})));
  EXPECT_TRUE(
      parse_settings(make_config({{"environment", std::string("live")},
                                  {"trading_url", std::string("https://api.alpaca.markets")},
                                  {"stream_url", std::string("wss://api.alpaca.markets/stream")}},
                                 sdk::RunMode::Live)));
  for (const char* environment : {"paper", "live"})
    EXPECT_TRUE(
        parse_settings(make_config({{"environment", std::string(environment)},
                                    {"trading_url", std::string("http://127.0.0.1:8080")},
                                    {"stream_url", std::string("ws://localhost:8080/stream")}},
                                   sdk::RunMode::Live)));
}

TEST(AlpacaConfigTest, LiveHostMadeByHandIsRefusedAtStartWithoutAnyRequest) {
  auto s = parse_settings(make_config({{"trading_url", std::string("http://127.0.0.1:1")},
                                       {"data_url", std::string("http://127.0.0.1:1")}}));
  ASSERT_TRUE(s) << s.status().message();
  s->trading_url = *common::parse_endpoint("https://api.alpaca.markets", "trading_url");
  AlpacaBroker b(*s);
  FakeSink sink;
  const auto st = b.start(sink);
  EXPECT_EQ(st.code(), sdk::StatusCode::Rejected);
  EXPECT_THAT(st.message(),
              HasSubstr("config key 'trading_url': host api.alpaca.markets is Alpaca's live"));
  EXPECT_EQ(b.rest().trading_requests_sent(), 0u);
}

TEST(AlpacaConfigTest, ClearTextToANetworkHostIsRefusedAndAllErrorsAreListed) {
  auto s = parse_settings(
      make_config({{"trading_url", std::string("http://paper-api.alpaca.markets")},
                   {"stream_url", std::string("https://paper-api.alpaca.markets/stream")},
                   {"requests_per_minute", std::int64_t{500}},
                   {"data_requests_per_minute", std::int64_t{10'001}}}));
  ASSERT_FALSE(s);
  EXPECT_THAT(s.status().message(), HasSubstr("4 config errors"));
  EXPECT_THAT(s.status().message(), HasSubstr("data_requests_per_minute"));
  EXPECT_THAT(s.status().message(), HasSubstr("trading_url"));
  EXPECT_THAT(s.status().message(), HasSubstr("stream_url"));
  EXPECT_THAT(s.status().message(), HasSubstr("requests_per_minute"));
}

TEST(AlpacaConfigTest, IntervalsAndTimeoutsAreAtMostADay) {
  auto s =
      parse_settings(make_config({{"request_timeout_ms", std::int64_t{86'400'001}},
                                  {"reconnect_max_ms", std::int64_t{9'223'372'036'854'775'807}}}));
  ASSERT_FALSE(s);
  EXPECT_THAT(s.status().message(), HasSubstr("2 config errors"));
  EXPECT_THAT(
      s.status().message(),
      HasSubstr("config key 'request_timeout_ms': expected 1 to 86400000 (a day), was 86400001"));
  EXPECT_THAT(s.status().message(),
              HasSubstr("config key 'reconnect_max_ms': expected 1 to 86400000"));
  EXPECT_TRUE(parse_settings(make_config({{"request_timeout_ms", std::int64_t{86'400'000}}})));
}

TEST(AlpacaConfigTest, EmptySecretIsNamedByItsReferenceNeverItsValue) {
  auto s = parse_settings(make_config({{"secret_key", sdk::Secret("env:APCA_API_SECRET_KEY", "")}}));
  ASSERT_FALSE(s);
  EXPECT_THAT(s.status().message(), HasSubstr("env:APCA_API_SECRET_KEY"));
  EXPECT_THAT(s.status().message(), Not(HasSubstr(kKeyId)));
}

TEST(AlpacaConfigTest, RelativeCaFileIsResolvedAgainstTheConfigDirectory) {
  auto s = parse_settings(make_config({{"ca_file", std::string("certs/ca.pem")}}));
  ASSERT_TRUE(s);
  EXPECT_EQ(s->ca_file, std::string(MERCURIO_SOURCE_DIR) + "/certs/ca.pem");
}

TEST(AlpacaConfigTest, LiveSettingsMadeByHandAreRefusedAtStartWithoutAnyRequest) {
  // Settings built without parse_settings (or altered after it) must not get a live account
  // past a kernel that is not live.
  auto s = parse_settings(make_config({{"environment", std::string("live")},
                                       {"trading_url", std::string("http://127.0.0.1:1")},
                                       {"data_url", std::string("http://127.0.0.1:1")}},
                                      sdk::RunMode::Live));
  ASSERT_TRUE(s) << s.status().message();
  s->kernel_mode = sdk::RunMode::Paper;
  AlpacaBroker b(*s);
  FakeSink sink;
  const auto st = b.start(sink);
  EXPECT_EQ(st.code(), sdk::StatusCode::Rejected);
  EXPECT_THAT(st.message(), HasSubstr("live"));
  EXPECT_EQ(b.rest().trading_requests_sent(), 0u);
}

TEST(AlpacaConfigTest, CallsBeforeStartAreRefused) {
  AlpacaBroker b(*parse_settings(make_config()));
  EXPECT_EQ(b.submit(approve("m-1", intent("AAPL", sdk::Side::Buy, "1"))).code(), sdk::StatusCode::Unavailable);
  EXPECT_EQ(b.rest().trading_requests_sent(), 0u);
}

const sdk::PluginFactory<sdk::Broker>& factory() {
  return *static_cast<const sdk::PluginFactory<sdk::Broker>*>(mercurio_plugin_v2()->factory);
}

TEST(AlpacaPluginTest, ManifestNamesTheBroker) {
  const MercurioPluginManifest* m = mercurio_plugin_v2();
  ASSERT_NE(m, nullptr);
  EXPECT_EQ(m->kind, MERCURIO_PLUGIN_BROKER);
  EXPECT_STREQ(m->name, "mercurio.brokers.alpaca");
  EXPECT_STREQ(m->build_id, MERCURIO_BUILD_ID);
}

TEST(AlpacaPluginTest, FactoryRefusesABadConfigWithAllItsErrors) {
  std::string error;
  sdk::Broker* b = factory().create(make_config({{"trading_url", std::string("ftp://x")}}), error);
  EXPECT_EQ(b, nullptr);
  EXPECT_THAT(error, HasSubstr("trading_url"));
  EXPECT_THAT(error, Not(HasSubstr(kSecret)));
}

TEST(AlpacaPluginTest, FactoryCreatesFromAValidConfig) {
  std::string error;
  sdk::Broker* b = factory().create(make_config(), error);
  ASSERT_NE(b, nullptr) << error;
  factory().destroy(b);
}

}  // namespace
}  // namespace mercurio::brokers::alpaca
