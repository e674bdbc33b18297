#include "mercurio/brokers/common/endpoint.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace mercurio::brokers::common {
namespace {

using ::testing::HasSubstr;

TEST(BrokerEndpointTest, HttpsUrlGetsDefaultPortAndNoTrailingSlash) {
  auto e = parse_endpoint("https://paper-api.alpaca.markets/", "trading_url");
  ASSERT_TRUE(e) << e.status().message();
  EXPECT_EQ(e->scheme, "https");
  EXPECT_EQ(e->host, "paper-api.alpaca.markets");
  EXPECT_EQ(e->port, 443);
  EXPECT_EQ(e->path, "");
  EXPECT_TRUE(e->secure());
}

TEST(BrokerEndpointTest, WssUrlKeepsItsPath) {
  auto e = parse_endpoint("wss://paper-api.alpaca.markets/stream", "stream_url");
  ASSERT_TRUE(e);
  EXPECT_EQ(e->path, "/stream");
  EXPECT_EQ(e->port, 443);
}

TEST(BrokerEndpointTest, PlainHttpIsAllowedOnlyToLoopback) {
  EXPECT_TRUE(parse_endpoint("http://127.0.0.1:8080", "x"));
  EXPECT_TRUE(parse_endpoint("http://localhost:8080/v2", "x"));
  EXPECT_TRUE(parse_endpoint("ws://[::1]:9000/stream", "x"));
  auto remote = parse_endpoint("http://paper-api.alpaca.markets", "trading_url");
  ASSERT_FALSE(remote);
  EXPECT_THAT(remote.status().message(), HasSubstr("only to a loopback host"));
  EXPECT_THAT(remote.status().message(), HasSubstr("trading_url"));
  EXPECT_FALSE(parse_endpoint("http://127.0.0.1.evil.example", "x"));
  EXPECT_FALSE(parse_endpoint("http://128.0.0.1", "x"));
}

TEST(BrokerEndpointTest, MalformedUrlsAreRefused) {
  EXPECT_FALSE(parse_endpoint("paper-api.alpaca.markets", "x"));
  EXPECT_FALSE(parse_endpoint("ftp://host", "x"));
  EXPECT_FALSE(parse_endpoint("https://user:pw@host", "x"));
  EXPECT_FALSE(parse_endpoint("https://host:0", "x"));
  EXPECT_FALSE(parse_endpoint("https://host:70000", "x"));
  EXPECT_FALSE(parse_endpoint("https://host/path?q=1", "x"));
  EXPECT_FALSE(parse_endpoint("https://", "x"));
}

TEST(BrokerEndpointTest, LoopbackRecognition) {
  EXPECT_TRUE(is_loopback_host("127.0.0.1"));
  EXPECT_TRUE(is_loopback_host("127.1.2.3"));
  EXPECT_TRUE(is_loopback_host("::1"));
  EXPECT_FALSE(is_loopback_host("10.0.0.1"));
  EXPECT_FALSE(is_loopback_host("127.0.0.1x"));
  EXPECT_FALSE(is_loopback_host("localhost.example"));
}

}  // namespace
}  // namespace mercurio::brokers::common
