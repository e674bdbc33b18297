#pragma once
/// @file endpoint.hpp
/// A venue's base URL, checked: https anywhere, plain http/ws only to a loopback host (tests).

#include <cstdint>
#include <string>
#include <string_view>

#include "mercurio/sdk/status.hpp"

namespace mercurio::brokers::common {

/// A parsed base URL such as "https://paper-api.alpaca.markets" or "wss://host/stream".
struct Endpoint {
  std::string scheme;     ///< "https", "http", "wss" or "ws"
  std::string host;       ///< without brackets for IPv6
  std::uint16_t port = 0;
  std::string path;       ///< "" or "/prefix" without a trailing slash
  bool secure() const noexcept { return scheme == "https" || scheme == "wss"; }
  /// "scheme://host:port/path" (never contains credentials: userinfo is refused when parsing).
  std::string to_string() const;
};

/// 127.0.0.0/8, ::1 and "localhost".
bool is_loopback_host(std::string_view host) noexcept;

/// Parses `url`. Refused (InvalidArgument, naming `what`): other schemes, user info, queries,
/// fragments, and plain http/ws to anything but a loopback host, so a typo cannot send
/// credentials in clear text over a network.
sdk::Result<Endpoint> parse_endpoint(std::string_view url, std::string_view what);

}  // namespace mercurio::brokers::common
