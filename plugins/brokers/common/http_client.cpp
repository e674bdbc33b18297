#include "mercurio/brokers/common/http_client.hpp"

#include <Poco/Exception.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/HTTPSClientSession.h>
#include <Poco/Net/NetException.h>
#include <Poco/Net/SSLException.h>
#include <Poco/StreamCopier.h>

#include <algorithm>
#include <cctype>
#include <istream>
#include <ostream>

#include "mercurio/brokers/common/tls.hpp"

namespace mercurio::brokers::common {

namespace {
bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}
Poco::Timespan span(std::chrono::milliseconds ms) {
  return Poco::Timespan(static_cast<Poco::Timespan::TimeDiff>(ms.count()) * 1000);
}
}  // namespace

std::optional<std::string> HttpResponse::header(std::string_view name) const {
  for (const auto& h : headers)
    if (iequals(h.name, name)) return h.value;
  return std::nullopt;
}

struct HttpClient::Pooled {
  std::unique_ptr<Poco::Net::HTTPClientSession> session;
  std::chrono::steady_clock::time_point since;
};

HttpClient::HttpClient(Endpoint endpoint, Options options)
    : endpoint_(std::move(endpoint)), options_(std::move(options)) {}

HttpClient::~HttpClient() = default;

sdk::Result<std::unique_ptr<HttpClient>> HttpClient::create(Endpoint endpoint, Options options) {
  std::unique_ptr<HttpClient> client(new HttpClient(std::move(endpoint), std::move(options)));
  if (client->endpoint_.secure() && !client->options_.tls_context) {
    auto context = make_shared_client_tls(client->options_.ca_file);
    if (!context) return context.status();
    client->options_.tls_context = std::move(*context);
  }
  return client;
}

sdk::Result<std::shared_ptr<void>> make_shared_client_tls(const std::string& ca_file) {
  auto context = make_client_tls_context(ca_file);
  if (!context) return context.status();
  // Keep the Poco AutoPtr alive through a shared_ptr that owns a copy of it.
  return std::shared_ptr<void>(std::make_shared<Poco::Net::Context::Ptr>(*context));
}

std::unique_ptr<Poco::Net::HTTPClientSession> HttpClient::take_session() {
  {
    std::lock_guard lock(mutex_);
    const auto now = std::chrono::steady_clock::now();
    while (!idle_.empty()) {
      Pooled p = std::move(idle_.back());
      idle_.pop_back();
      if (now - p.since < options_.max_idle) return std::move(p.session);
    }
  }
  std::unique_ptr<Poco::Net::HTTPClientSession> session;
  if (endpoint_.secure()) {
    const auto& context = *std::static_pointer_cast<Poco::Net::Context::Ptr>(options_.tls_context);
    session = std::make_unique<Poco::Net::HTTPSClientSession>(endpoint_.host, endpoint_.port, context);
  } else {
    session = std::make_unique<Poco::Net::HTTPClientSession>(endpoint_.host, endpoint_.port);
  }
  session->setTimeout(span(options_.connect_timeout), span(options_.io_timeout), span(options_.io_timeout));
  session->setKeepAlive(true);
  return session;
}

void HttpClient::give_back(std::unique_ptr<Poco::Net::HTTPClientSession> session) {
  std::lock_guard lock(mutex_);
  if (idle_.size() < 8) idle_.push_back({std::move(session), std::chrono::steady_clock::now()});
}

sdk::Result<HttpResponse> HttpClient::send(const HttpRequest& request) {
  const std::string what = request.method + " " + endpoint_.path + request.target;
  auto session = take_session();
  Poco::Net::HTTPRequest req(request.method, endpoint_.path + request.target, Poco::Net::HTTPMessage::HTTP_1_1);
  req.setHost(endpoint_.host, endpoint_.port);
  req.setKeepAlive(true);
  for (const auto& h : request.headers) req.set(h.name, h.value);
  if (!request.body.empty()) {
    req.setContentType("application/json");
    req.setContentLength(static_cast<std::streamsize>(request.body.size()));
  } else if (request.method == "POST" || request.method == "PUT" || request.method == "PATCH") {
    req.setContentLength(0);
  }

  // Phase 1: connect and write. A failure here before any byte left is "not sent"; Poco connects
  // inside sendRequest, so connection and handshake errors land here.
  bool written = false;
  try {
    std::ostream& out = session->sendRequest(req);
    written = true;
    sent_.fetch_add(1);
    out << request.body;
    out.flush();
    if (!out) throw Poco::Net::NetException("write failed");
  } catch (const Poco::Exception& e) {
    const auto code = written ? sdk::StatusCode::Unknown : sdk::StatusCode::Unavailable;
    return sdk::Status(code, what + ": " + (written ? "failed while sending: " : "not sent: ") + e.displayText(),
                       !written);
  } catch (const std::exception& e) {
    return sdk::Status(written ? sdk::StatusCode::Unknown : sdk::StatusCode::Unavailable,
                       what + ": " + e.what(), !written);
  }

  // Phase 2: the request may have reached the server; any failure now is an unknown outcome.
  try {
    Poco::Net::HTTPResponse res;
    std::istream& in = session->receiveResponse(res);
    HttpResponse out;
    out.status = static_cast<int>(res.getStatus());
    for (const auto& [name, value] : res) out.headers.push_back({name, value});
    Poco::StreamCopier::copyToString(in, out.body);
    if (res.getKeepAlive()) give_back(std::move(session));
    return out;
  } catch (const Poco::Exception& e) {
    return sdk::Status(sdk::StatusCode::Unknown, what + ": no response: " + e.displayText());
  } catch (const std::exception& e) {
    return sdk::Status(sdk::StatusCode::Unknown, what + ": no response: " + e.what());
  }
}

std::string url_encode(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += ch;
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

}  // namespace mercurio::brokers::common
