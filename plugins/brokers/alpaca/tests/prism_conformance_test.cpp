// Conformance against Alpaca's published OpenAPI documents (../shared/apis/alpaca), served by
// Prism on 127.0.0.1. Every kind of request the plugin sends goes through Prism; a test fails when
// Prism reports a violation in the *request* (sl-violations header). Error paths use Prism's
// "Prefer: code=..." header. Prism's own examples contain placeholders ("string" for decimals),
// so some replies are unreadable: the plugin must then return an error, never crash or guess.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <Poco/JSON/Parser.h>

#include <memory>
#include <mutex>

#include "alpaca_broker.hpp"
#include "alpaca_rest.hpp"
#include "mercurio/brokers/testing/prism_server.hpp"
#include "test_support.hpp"

namespace mercurio::brokers::alpaca {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using namespace mercurio::brokers::alpaca::testing;
namespace bt = mercurio::brokers::testing;

const std::filesystem::path kSpecs = bt::shared_apis_dir() / "alpaca";
// A uuid: the spec declares order ids with format "uuid".
const std::string kVenueId = "61e69015-8549-4bfd-b9c3-01e75843f47d";

struct Exchange {
  std::string method, target;
  int status = 0;
  std::string violations;  // the sl-violations header, "" when absent
};

class AlpacaPrismTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (!std::filesystem::exists(kSpecs / "trading-api.json") || !std::filesystem::exists(bt::prism_executable()))
      return;  // each test skips (or fails under CI) with the reason
    const auto logs = std::filesystem::path(MERCURIO_BINARY_DIR) / "test-scratch" / "alpaca-prism";
    std::filesystem::create_directories(logs);
    try {
      trading_ = new bt::PrismServer(kSpecs / "trading-api.json", logs / "prism-trading.log");
      data_ = new bt::PrismServer(kSpecs / "market-data-api.json", logs / "prism-data.log");
    } catch (const std::exception& e) {
      startup_error_ = e.what();
    }
  }
  static void TearDownTestSuite() {
    delete trading_;
    delete data_;
    trading_ = data_ = nullptr;
  }

  void SetUp() override {
    MERCURIO_REQUIRE_TEST_INPUT(kSpecs / "trading-api.json", "Alpaca's OpenAPI documents");
    MERCURIO_REQUIRE_TEST_INPUT(bt::prism_executable(), "Prism (run `npm ci` in tests/prism)");
    ASSERT_TRUE(startup_error_.empty()) << startup_error_;
    ASSERT_NE(trading_, nullptr);
    settings_ = loopback_settings(trading_->url(), data_->url(), "ws://127.0.0.1:1/stream", false);
    auto rest = AlpacaRest::create(settings_);
    ASSERT_TRUE(rest) << rest.status().message();
    rest_ = std::move(*rest);
    rest_->set_observer([this](const std::string& method, const std::string& target, const common::HttpResponse& r) {
      std::lock_guard lock(mutex_);
      exchanges_.push_back({method, target, r.status, r.header("sl-violations").value_or("")});
    });
  }

  void TearDown() override {
    if (!rest_) return;
    std::lock_guard lock(mutex_);
    EXPECT_FALSE(exchanges_.empty()) << "the test sent no request";
    for (const auto& x : exchanges_) {
      EXPECT_THAT(request_violations(x.violations), ::testing::IsEmpty())
          << x.method << " " << x.target << " -> " << x.status << "\n  sl-violations: " << x.violations;
      EXPECT_THAT(x.target, Not(HasSubstr(kKeyId)));
    }
  }

  /// The messages of violations located in the request (the examples' own response quirks are
  /// not the plugin's fault and are listed in ../shared/apis/README.md).
  static std::vector<std::string> request_violations(const std::string& header) {
    std::vector<std::string> out;
    if (header.empty()) return out;
    Poco::JSON::Parser parser;
    const auto list = parser.parse(header).extract<Poco::JSON::Array::Ptr>();
    for (std::size_t i = 0; i < list->size(); ++i) {
      const auto v = list->getObject(static_cast<unsigned>(i));
      const auto location = v->getArray("location");
      if (location && location->size() > 0 && location->getElement<std::string>(0) == "request")
        out.push_back(v->getValue<std::string>("message"));
    }
    return out;
  }

  std::vector<Exchange> exchanges() {
    std::lock_guard lock(mutex_);
    return exchanges_;
  }
  void prefer(int code) { rest_->set_extra_headers({{"Prefer", "code=" + std::to_string(code)}}); }
  static void expect_no_secret(const sdk::Status& s) {
    EXPECT_THAT(s.message(), Not(HasSubstr(kKeyId)));
    EXPECT_THAT(s.message(), Not(HasSubstr(kSecret)));
  }

  static inline bt::PrismServer* trading_ = nullptr;
  static inline bt::PrismServer* data_ = nullptr;
  static inline std::string startup_error_;
  AlpacaSettings settings_;
  std::unique_ptr<AlpacaRest> rest_;
  std::mutex mutex_;
  std::vector<Exchange> exchanges_;
};

TEST_F(AlpacaPrismTest, ViolationCheckCatchesAnInvalidRequest) {
  // The detector itself: a request the spec forbids (unknown order type, date instead of
  // date-time) must show up as request violations, or every other test here proves nothing.
  auto client = common::HttpClient::create(*common::parse_endpoint(trading_->url(), "prism"), {});
  ASSERT_TRUE(client);
  auto r = (*client)->send({"POST", "/v2/orders",
                            {{"APCA-API-KEY-ID", "k"}, {"APCA-API-SECRET-KEY", "s"}},
                            R"({"symbol":"AAPL","qty":"1","side":"buy","type":"bogus","time_in_force":"day"})"});
  ASSERT_TRUE(r) << r.status().message();
  EXPECT_FALSE(request_violations(r->header("sl-violations").value_or("")).empty());
  auto c = (*client)->send({"GET", "/v2/calendar?start=2024-01-01", {{"APCA-API-KEY-ID", "k"}, {"APCA-API-SECRET-KEY", "s"}}, ""});
  ASSERT_TRUE(c);
  EXPECT_FALSE(request_violations(c->header("sl-violations").value_or("")).empty());
  (void)rest_->clock();  // TearDown expects this test's client to have sent something too
}

TEST_F(AlpacaPrismTest, AccountIsReadFromTheSpecExample) {
  auto a = rest_->account();
  ASSERT_TRUE(a) << a.status().message();
  EXPECT_EQ(a->cash, dec("122086.5"));
  EXPECT_EQ(a->equity, dec("123346.11"));
  EXPECT_EQ(a->buying_power, dec("245432.61"));
}

TEST_F(AlpacaPrismTest, PositionsRequestIsValidAndPlaceholderValuesAreRefused) {
  auto p = rest_->positions();
  // The example holds "string" where decimals belong: an error, not a guessed position.
  ASSERT_FALSE(p);
  EXPECT_THAT(p.status().message(), HasSubstr("position"));
}

TEST_F(AlpacaPrismTest, OpenOrdersRequestIsValid) {
  (void)rest_->open_orders();
  ASSERT_EQ(exchanges().size(), 1u);
  EXPECT_THAT(exchanges()[0].target, HasSubstr("status=open"));
}

TEST_F(AlpacaPrismTest, OrderByClientOrderIdRequestIsValid) {
  (void)rest_->order_by_client_id("mercurio-0001-abc");
  auto client_id = rest_->client_order_id_of(kVenueId);  // fills: whose order it is
  ASSERT_EQ(exchanges().size(), 2u);
  EXPECT_EQ(exchanges()[0].status, 200);
  ASSERT_TRUE(client_id) << client_id.status().message();
  EXPECT_FALSE(client_id->empty());
}

TEST_F(AlpacaPrismTest, EveryOrderTypeAndTimeInForceIsAValidSubmit) {
  int n = 0;
  for (auto type : {sdk::OrderType::Market, sdk::OrderType::Limit, sdk::OrderType::Stop, sdk::OrderType::StopLimit}) {
    for (auto tif : {sdk::TimeInForce::Day, sdk::TimeInForce::Gtc, sdk::TimeInForce::Ioc, sdk::TimeInForce::Fok}) {
      const auto id = "mercurio-" + std::to_string(++n);
      auto r = rest_->submit(approve(id, intent("AAPL", n % 2 ? sdk::Side::Buy : sdk::Side::Sell, "3", type, tif)));
      EXPECT_TRUE(r.status.is_ok()) << id << ": " << r.status.message();
      ASSERT_TRUE(r.order.has_value());
      EXPECT_EQ(r.order->report.status, sdk::OrderEventType::Accepted);  // "pending_new" in the example
    }
  }
  EXPECT_EQ(exchanges().size(), 16u);
  EXPECT_EQ(rest_->trading_requests_sent(), 16u);  // one POST per order, no retries
}

TEST_F(AlpacaPrismTest, FractionalQuantityIsSentAsAString) {
  auto r = rest_->submit(approve("mercurio-frac", intent("AAPL", sdk::Side::Buy, "0.125")));
  EXPECT_TRUE(r.status.is_ok()) << r.status.message();
}

TEST_F(AlpacaPrismTest, CancelAndCancelAllAreValid) {
  EXPECT_TRUE(rest_->cancel(kVenueId));
  EXPECT_TRUE(rest_->cancel_all());  // 207 multi-status
  EXPECT_EQ(exchanges().size(), 2u);
}

TEST_F(AlpacaPrismTest, ClockWithOffsetsIsReadAsUtc) {
  auto c = rest_->clock();
  ASSERT_TRUE(c) << c.status().message();
  EXPECT_TRUE(c->is_open);
  EXPECT_EQ(c->timestamp, ts("2025-06-24T18:15:22Z"));
  EXPECT_EQ(c->next_close, ts("2025-06-24T20:00:00Z"));
}

TEST_F(AlpacaPrismTest, CalendarRequestIsValid) {
  auto days = rest_->calendar(ts("2024-01-01"), ts("2024-01-31"));
  EXPECT_TRUE(days) << days.status().message();
}

TEST_F(AlpacaPrismTest, AssetFlagsAreRead) {
  auto a = rest_->asset("AAPL");
  ASSERT_TRUE(a) << a.status().message();
  EXPECT_TRUE(a->fractionable);
  EXPECT_TRUE(a->easy_to_borrow);
}

TEST_F(AlpacaPrismTest, FillActivitiesRequestIsValid) {
  auto f = rest_->fills_since(ts("2024-01-02T14:30:00Z"));
  // The example's qty is "string": set aside as unreadable (whose order decides what then).
  ASSERT_TRUE(f) << f.status().message();
  EXPECT_TRUE(f->fills.empty());
  ASSERT_FALSE(f->unreadable.empty());
  EXPECT_THAT(f->unreadable[0].status.message(), HasSubstr("fill activity"));
  ASSERT_GE(exchanges().size(), 1u);
  EXPECT_THAT(exchanges()[0].target, HasSubstr("/v2/account/activities/FILL?after=2024-01-02T14%3A30%3A00Z"));
}

TEST_F(AlpacaPrismTest, BarsFollowNextPageTokenAndRefuseARepeatedOne) {
  auto bars = rest_->bars({"AAPL", "MSFT"}, ts("2022-01-03"), ts("2022-01-04"));
  // Prism's example always returns the same next_page_token: the plugin follows it once, then
  // refuses to loop.
  ASSERT_FALSE(bars);
  EXPECT_THAT(bars.status().message(), HasSubstr("next_page_token"));
  const auto x = exchanges();
  ASSERT_EQ(x.size(), 2u);
  EXPECT_THAT(x[0].target, Not(HasSubstr("page_token")));
  EXPECT_THAT(x[1].target, HasSubstr("page_token="));
  EXPECT_THAT(x[0].target, HasSubstr("symbols=AAPL%2CMSFT"));
}

TEST_F(AlpacaPrismTest, Error401IsARejectionWithoutSecrets) {
  prefer(401);
  auto bars = rest_->bars({"AAPL"}, ts("2022-01-03"), ts("2022-01-04"));
  ASSERT_FALSE(bars);
  EXPECT_EQ(bars.status().code(), sdk::StatusCode::Rejected);
  EXPECT_THAT(bars.status().message(), HasSubstr("HTTP 401"));
  expect_no_secret(bars.status());
}

TEST_F(AlpacaPrismTest, Error403OnSubmitIsARejection) {
  prefer(403);
  auto r = rest_->submit(approve("mercurio-403", intent("AAPL", sdk::Side::Buy, "1")));
  EXPECT_EQ(r.status.code(), sdk::StatusCode::Rejected);
  EXPECT_THAT(r.status.message(), HasSubstr("HTTP 403"));
  expect_no_secret(r.status);
}

TEST_F(AlpacaPrismTest, Error404OnAssetIsNotFound) {
  prefer(404);
  auto a = rest_->asset("NOPE");
  ASSERT_FALSE(a);
  EXPECT_EQ(a.status().code(), sdk::StatusCode::NotFound);
}

TEST_F(AlpacaPrismTest, Error422OnSubmitAndCancelAreRejections) {
  prefer(422);
  auto r = rest_->submit(approve("mercurio-422", intent("AAPL", sdk::Side::Buy, "1", sdk::OrderType::Limit)));
  EXPECT_EQ(r.status.code(), sdk::StatusCode::Rejected);
  EXPECT_THAT(r.status.message(), HasSubstr("HTTP 422"));
  auto c = rest_->cancel(kVenueId);
  EXPECT_EQ(c.code(), sdk::StatusCode::Rejected);
}

TEST_F(AlpacaPrismTest, Error429PausesTheBudgetAndIsRetryable) {
  prefer(429);
  auto c = rest_->clock();
  ASSERT_FALSE(c);
  EXPECT_EQ(c.status().code(), sdk::StatusCode::Unavailable);
  EXPECT_TRUE(c.status().retryable());
  EXPECT_TRUE(rest_->trading_budget().paused_until().has_value());
  // X-RateLimit-Remaining: 90 in the example: the client's count follows the server's.
  EXPECT_LE(rest_->trading_budget().tokens(), 90.0);
}

TEST_F(AlpacaPrismTest, Error500IsUnavailable) {
  prefer(500);
  auto c = rest_->clock();
  ASSERT_FALSE(c);
  EXPECT_EQ(c.status().code(), sdk::StatusCode::Unavailable);
  EXPECT_EQ(rest_->cancel_all().code(), sdk::StatusCode::Unavailable);
}

TEST_F(AlpacaPrismTest, BrokerStartQueriesAccountAndOpenOrders) {
  // The broker end to end against the mock: start checks credentials and open orders; the
  // open-orders example is not an array (a spec quirk), so start fails closed, naming it.
  AlpacaBroker broker(settings_);
  broker.rest().set_observer([this](const std::string& m, const std::string& t, const common::HttpResponse& r) {
    std::lock_guard lock(mutex_);
    exchanges_.push_back({m, t, r.status, r.header("sl-violations").value_or("")});
  });
  FakeSink sink;
  const auto s = broker.start(sink);
  EXPECT_FALSE(s);
  EXPECT_THAT(s.message(), HasSubstr("open orders"));
  EXPECT_EQ(exchanges().size(), 2u);
  broker.stop();
}

}  // namespace
}  // namespace mercurio::brokers::alpaca
