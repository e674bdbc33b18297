#pragma once
/// @file http_client.hpp
/// One HTTP(S) request at a time per call, with timeouts and never an automatic retry: whether a
/// request may be repeated (an order POST may not) is the caller's decision.

#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "mercurio/brokers/common/endpoint.hpp"
#include "mercurio/sdk/status.hpp"

namespace Poco::Net {
class HTTPClientSession;
class Context;
}  // namespace Poco::Net

namespace mercurio::brokers::common {

struct HttpHeader {
  std::string name;
  std::string value;
};

struct HttpRequest {
  std::string method = "GET";
  std::string target;  ///< path and query, appended to the endpoint's path
  std::vector<HttpHeader> headers;
  std::string body;    ///< sent as application/json when not empty
};

struct HttpResponse {
  int status = 0;
  std::vector<HttpHeader> headers;
  std::string body;
  /// The first header named `name` (case-insensitive).
  std::optional<std::string> header(std::string_view name) const;
};

class HttpClient {
 public:
  struct Options {
    std::chrono::milliseconds connect_timeout{5'000};
    std::chrono::milliseconds io_timeout{10'000};
    std::string ca_file;  ///< https: trust only these CAs (empty: the system's)
    /// Idle pooled connections older than this are dropped rather than reused (servers close
    /// idle keep-alive connections; reusing a closed one turns a request into an unknown outcome).
    std::chrono::milliseconds max_idle{4'000};
    /// https: the TLS context to use, from make_shared_client_tls(); empty: create() builds one
    /// from ca_file. A venue's clients share one: building it reads the whole CA store (tens of ms).
    std::shared_ptr<void> tls_context;
  };

  /// Thread: safe; concurrent calls use separate connections.
  static sdk::Result<std::unique_ptr<HttpClient>> create(Endpoint endpoint, Options options);
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  /// Sends `request` exactly once. A response with any status is a value. Errors:
  /// StatusCode::Unavailable when the request certainly did not reach the server (connection or
  /// TLS handshake failed), StatusCode::Unknown when it may have (timeout or connection lost
  /// after sending). Messages name the method and target, never header values.
  sdk::Result<HttpResponse> send(const HttpRequest& request);

  const Endpoint& endpoint() const noexcept { return endpoint_; }
  /// Requests written to the network so far (tests count order POSTs with it).
  std::uint64_t requests_sent() const noexcept { return sent_.load(); }

 private:
  struct Pooled;
  HttpClient(Endpoint endpoint, Options options);
  std::unique_ptr<Poco::Net::HTTPClientSession> take_session();
  void give_back(std::unique_ptr<Poco::Net::HTTPClientSession> session);

  Endpoint endpoint_;
  Options options_;
  std::mutex mutex_;
  std::vector<Pooled> idle_;
  std::atomic<std::uint64_t> sent_{0};
};

/// A client TLS context (see tls.hpp: strict verification, `ca_file` or the system's CAs) for
/// HttpClient::Options::tls_context, type-erased so that this header needs no Poco.
sdk::Result<std::shared_ptr<void>> make_shared_client_tls(const std::string& ca_file);

/// Percent-encodes `text` for a URL query value or path segment (RFC 3986 unreserved kept).
std::string url_encode(std::string_view text);

}  // namespace mercurio::brokers::common
