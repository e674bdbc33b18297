// TLS is always verified: a test CA and server certificates made with openssl at test time, an
// HTTPS server on 127.0.0.1, and the common HTTP client trusting (or not) that CA.

#include <unistd.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <Poco/Net/Context.h>
#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServer.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/SecureServerSocket.h>
#include <Poco/Net/ServerSocket.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>

#include "alpaca_broker.hpp"
#include "fake_alpaca.hpp"
#include "mercurio/brokers/common/http_client.hpp"
#include "test_support.hpp"

namespace mercurio::brokers::common {
namespace {

namespace fs = std::filesystem;

std::atomic<int> g_requests{0};

class OkHandler final : public Poco::Net::HTTPRequestHandler {
 public:
  void handleRequest(Poco::Net::HTTPServerRequest&, Poco::Net::HTTPServerResponse& res) override {
    ++g_requests;
    res.setContentType("application/json");
    res.send() << "{}";
  }
};
class OkFactory final : public Poco::Net::HTTPRequestHandlerFactory {
 public:
  Poco::Net::HTTPRequestHandler* createRequestHandler(const Poco::Net::HTTPServerRequest&) override {
    return new OkHandler;
  }
};

class AlpacaTlsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    // One directory per process: CTest runs each test of this suite as its own process, in parallel.
    dir_ = fs::path(MERCURIO_BINARY_DIR) / "test-scratch" / ("alpaca-tls-" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    const std::string d = dir_.string();
    const std::string script =
        "cd '" + d + "' && "
        "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout ca.key -out ca.pem -days 2 -subj '/CN=Mercurio Test CA' && "
        "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout other-ca.key -out other-ca.pem -days 2 -subj '/CN=Other CA' && "
        "for n in good:IP:127.0.0.1 wrong:DNS:wrong.example; do name=${n%%:*}; san=${n#*:}; "
        "openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout $name.key -out $name.csr -subj \"/CN=$name\" && "
        "printf 'subjectAltName=%s\\nbasicConstraints=CA:FALSE\\n' \"$san\" > $name.ext && "
        "openssl x509 -req -in $name.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out $name.pem -days 2 "
        "-extfile $name.ext || exit 1; done";
    ok_ = std::system(("(" + script + ") > '" + d + "/openssl.log' 2>&1").c_str()) == 0;
  }

  static void TearDownTestSuite() { fs::remove_all(dir_); }

  void SetUp() override { ASSERT_TRUE(ok_) << "openssl failed; see " << (dir_ / "openssl.log"); }

  static Poco::Net::Context::Ptr server_context(const std::string& name) {
    return new Poco::Net::Context(Poco::Net::Context::TLS_SERVER_USE, (dir_ / (name + ".key")).string(),
                                  (dir_ / (name + ".pem")).string(), "", Poco::Net::Context::VERIFY_NONE);
  }

  /// An HTTPS server presenting `name`.pem; returns its port.
  int serve(const std::string& name) {
    Poco::Net::Context::Ptr ctx(new Poco::Net::Context(Poco::Net::Context::TLS_SERVER_USE, (dir_ / (name + ".key")).string(),
                                                       (dir_ / (name + ".pem")).string(), "",
                                                       Poco::Net::Context::VERIFY_NONE));
    Poco::Net::SecureServerSocket socket(Poco::Net::SocketAddress("127.0.0.1", 0), 64, ctx);
    const int port = socket.address().port();
    server_ = std::make_unique<Poco::Net::HTTPServer>(new OkFactory, socket, new Poco::Net::HTTPServerParams);
    server_->start();
    return port;
  }
  void TearDown() override {
    if (server_) server_->stopAll(true);
  }

  sdk::Result<HttpResponse> get(int port, const std::string& ca_file) {
    HttpClient::Options o;
    o.ca_file = ca_file;
    o.connect_timeout = o.io_timeout = std::chrono::milliseconds(5'000);
    auto client = HttpClient::create(*parse_endpoint("https://127.0.0.1:" + std::to_string(port), "test"), o);
    if (!client) return client.status();
    return (*client)->send({"GET", "/v2/clock", {}, ""});
  }

  // Settings for the broker or stream against `fake`, trusting the CAs in `ca`.
  static alpaca::AlpacaSettings settings_for(const alpaca::testing::FakeAlpaca& fake,
                                             const fs::path& ca = dir_ / "ca.pem") {
    auto s = alpaca::testing::loopback_settings(fake.url(), fake.url(), fake.stream_url());
    s.ca_file = ca.string();
    return s;
  }

  // A copy of the test CA that a test may delete (dir_ is this process's own).
  static fs::path copy_of_ca(const std::string& name) {
    const fs::path copy = dir_ / name;
    fs::copy_file(dir_ / "ca.pem", copy, fs::copy_options::overwrite_existing);
    return copy;
  }

  static inline fs::path dir_;
  static inline bool ok_ = false;
  std::unique_ptr<Poco::Net::HTTPServer> server_;
};

TEST_F(AlpacaTlsTest, TrustedCertificateForTheHostIsAccepted) {
  const int port = serve("good");
  auto r = get(port, (dir_ / "ca.pem").string());
  ASSERT_TRUE(r) << r.status().message();
  EXPECT_EQ(r->status, 200);
}

TEST_F(AlpacaTlsTest, CertificateFromAnUntrustedCaIsRefusedBeforeAnythingIsSent) {
  const int port = serve("good");
  const int before = g_requests.load();
  auto r = get(port, (dir_ / "other-ca.pem").string());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.status().code(), sdk::StatusCode::Unavailable);  // not sent: safe to report as such
  EXPECT_EQ(g_requests.load(), before);
}

TEST_F(AlpacaTlsTest, SystemCasDoNotTrustATestCertificate) {
  const int port = serve("good");
  auto r = get(port, "");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.status().code(), sdk::StatusCode::Unavailable);
}

TEST_F(AlpacaTlsTest, CertificateForAnotherHostNameIsRefused) {
  const int port = serve("wrong");
  const int before = g_requests.load();
  auto r = get(port, (dir_ / "ca.pem").string());
  ASSERT_FALSE(r) << "host name verification is off";
  EXPECT_EQ(g_requests.load(), before);
}

TEST_F(AlpacaTlsTest, MissingCaFileIsAConfigError) {
  auto r = get(1, (dir_ / "no-such-ca.pem").string());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.status().code(), sdk::StatusCode::InvalidArgument);
}

TEST_F(AlpacaTlsTest, BrokerTradesOverVerifiedHttpsAndWss) {
  using namespace mercurio::brokers::alpaca::testing;
  FakeAlpaca fake(kKeyId, kSecret, server_context("good"));
  const auto s = settings_for(fake);
  alpaca::AlpacaBroker broker(s);
  FakeSink sink;
  ASSERT_TRUE(broker.start(sink));
  ASSERT_TRUE(sink.wait_until([&] { return broker.stream_subscribed(); }));
  ASSERT_TRUE(broker.submit(approve("tls-1", intent("AAPL", sdk::Side::Buy, "1"))));
  fake.fill("tls-1", "1", "10");
  EXPECT_TRUE(sink.wait_until([&] {
    for (const auto& e : sink.events_of("tls-1"))
      if (e.type == sdk::OrderEventType::Filled) return true;
    return false;
  }));
  broker.stop();
}

// A TLS context reads its CAs when it is made (the system's: about 20 ms). The broker makes one,
// for its REST clients and its stream alike, and the stream keeps it for every reconnect: with the
// CA file gone after the broker was made, the stream still connects, and reconnects.
TEST_F(AlpacaTlsTest, OneTlsContextServesTheRestClientsAndEveryStreamReconnect) {
  using namespace mercurio::brokers::alpaca::testing;
  FakeAlpaca fake(kKeyId, kSecret, server_context("good"));
  const fs::path ca = copy_of_ca("ca-copy.pem");
  const auto s = settings_for(fake, ca);
  alpaca::AlpacaBroker broker(s);
  ASSERT_TRUE(fs::remove(ca));
  FakeSink sink;
  ASSERT_TRUE(broker.start(sink));
  ASSERT_TRUE(sink.wait_until([&] { return broker.stream_subscribed(); }));
  fake.drop_streams();
  EXPECT_TRUE(sink.wait_until(
      [&] { return broker.stream_subscriptions() >= 2 && broker.stream_subscribed(); }));
  ASSERT_TRUE(broker.submit(approve("tls-2", intent("AAPL", sdk::Side::Buy, "1"))));
  broker.stop();
  EXPECT_EQ(fake.requests_with_bad_credentials(), 0);
}

// A stream given no context makes one at its first connection and keeps it for every reconnect.
TEST_F(AlpacaTlsTest, AStreamKeepsTheTlsContextItMadeForEveryReconnect) {
  using namespace mercurio::brokers::alpaca::testing;
  FakeAlpaca fake(kKeyId, kSecret, server_context("good"));
  const fs::path ca = copy_of_ca("stream-ca-copy.pem");
  const auto s = settings_for(fake, ca);
  RecordingLogger log;
  alpaca::TradeStream stream(s, {}, log);
  stream.start();
  FakeSink waiter;  // only for its condition wait
  ASSERT_TRUE(waiter.wait_until([&] { return stream.subscribed(); }));
  ASSERT_TRUE(fs::remove(ca));
  fake.drop_streams();
  EXPECT_TRUE(
      waiter.wait_until([&] { return stream.subscriptions() >= 2 && stream.subscribed(); }));
  stream.stop();
}

TEST_F(AlpacaTlsTest, StreamNeverSendsCredentialsToAServerItCannotVerify) {
  using namespace mercurio::brokers::alpaca::testing;
  FakeAlpaca fake(kKeyId, kSecret, server_context("wrong"));  // certificate for another host
  const auto s = settings_for(fake);
  RecordingLogger log;
  alpaca::TradeStream stream(s, {}, log);
  stream.start();
  // Wait for several failed connection attempts (each logs its reconnect).
  const auto attempts = [&] {
    int n = 0;
    for (const auto& l : log.lines()) n += l.find("reconnecting") != std::string::npos;
    return n;
  };
  FakeSink clock;  // only for its condition wait
  EXPECT_TRUE(clock.wait_until([&] { return attempts() >= 3; }));
  stream.stop();
  EXPECT_FALSE(stream.subscribed());
  EXPECT_EQ(fake.stream_auth_messages(), 0);
  for (const auto& l : log.lines()) {
    EXPECT_EQ(l.find(kSecret), std::string::npos);
    EXPECT_EQ(l.find(kKeyId), std::string::npos);
  }
  // And REST: the broker refuses to start, nothing with credentials reached the server.
  alpaca::AlpacaBroker broker(s);
  FakeSink sink;
  EXPECT_EQ(broker.start(sink).code(), sdk::StatusCode::Unavailable);
  EXPECT_EQ(fake.requests_with_bad_credentials(), 0);
  EXPECT_EQ(fake.account_requests(), 0);
}

// A server that takes the connection and never answers: the request is written, no reply comes.
// A read (GET) without an answer changed nothing: Unavailable, retryable. It used to be an unknown
// outcome, which the plugin's order book raises as an anomaly (the kernel moves to REDUCING) when
// it is an open order's lookup by the poll or the sweep. An order's POST stays an unknown outcome.
TEST(AlpacaRestTest, AReadWithoutAnAnswerIsUnavailableAnOrderWithoutOneUnknown) {
  Poco::Net::ServerSocket silent(Poco::Net::SocketAddress("127.0.0.1", 0));  // never accepts
  const std::string url = "http://127.0.0.1:" + std::to_string(silent.address().port());
  auto settings = alpaca::testing::loopback_settings(url, url, "ws://127.0.0.1:1/stream", false);
  settings.request_timeout = std::chrono::milliseconds(300);
  auto rest = alpaca::AlpacaRest::create(settings);
  ASSERT_TRUE(rest) << rest.status().message();
  const auto lookup = (*rest)->order_by_client_id(sdk::ClientOrderId("silent-1"));
  ASSERT_FALSE(lookup);
  EXPECT_EQ(lookup.status().code(), sdk::StatusCode::Unavailable) << lookup.status().message();
  EXPECT_TRUE(lookup.status().retryable());
  const auto sent = (*rest)->submit(
      alpaca::testing::approve("silent-2", alpaca::testing::intent("AAPL", sdk::Side::Buy, "1")));
  EXPECT_EQ(sent.status.code(), sdk::StatusCode::Unknown) << sent.status.message();
}

}  // namespace
}  // namespace mercurio::brokers::common
