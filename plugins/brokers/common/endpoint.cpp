#include "mercurio/brokers/common/endpoint.hpp"

#include <charconv>

namespace mercurio::brokers::common {

std::string Endpoint::to_string() const {
  const bool v6 = host.find(':') != std::string::npos;
  return scheme + "://" + (v6 ? "[" + host + "]" : host) + ":" + std::to_string(port) + path;
}

bool is_loopback_host(std::string_view host) noexcept {
  if (host == "localhost" || host == "::1") return true;
  // 127.x.y.z written as a dotted quad.
  if (host.substr(0, 4) != "127.") return false;
  int dots = 0;
  for (char c : host) {
    if (c == '.') ++dots;
    else if (c < '0' || c > '9') return false;
  }
  return dots == 3;
}

sdk::Result<Endpoint> parse_endpoint(std::string_view url, std::string_view what) {
  const auto fail = [&](const std::string& problem) {
    return sdk::Status(sdk::StatusCode::InvalidArgument,
                       std::string(what) + ": expected an https:// (or wss://) URL, " + problem);
  };
  Endpoint e;
  const auto sep = url.find("://");
  if (sep == std::string_view::npos) return fail("was \"" + std::string(url) + "\"");
  e.scheme = std::string(url.substr(0, sep));
  if (e.scheme != "https" && e.scheme != "http" && e.scheme != "wss" && e.scheme != "ws")
    return fail("scheme was \"" + e.scheme + "\"");
  std::string_view rest = url.substr(sep + 3);
  const auto slash = rest.find('/');
  std::string_view authority = rest.substr(0, slash);
  std::string_view path = slash == std::string_view::npos ? std::string_view{} : rest.substr(slash);
  if (authority.find('@') != std::string_view::npos) return fail("with user info in it");
  if (path.find_first_of("?#") != std::string_view::npos) return fail("without query or fragment");
  while (!path.empty() && path.back() == '/') path.remove_suffix(1);
  e.path = std::string(path);

  std::string_view port_text;
  if (!authority.empty() && authority.front() == '[') {
    const auto close = authority.find(']');
    if (close == std::string_view::npos) return fail("with a malformed IPv6 host");
    e.host = std::string(authority.substr(1, close - 1));
    if (close + 1 < authority.size()) {
      if (authority[close + 1] != ':') return fail("with a malformed host");
      port_text = authority.substr(close + 2);
    }
  } else {
    const auto colon = authority.find(':');
    e.host = std::string(authority.substr(0, colon));
    if (colon != std::string_view::npos) port_text = authority.substr(colon + 1);
  }
  if (e.host.empty()) return fail("with a host");
  if (port_text.empty()) {
    e.port = e.secure() ? 443 : 80;
  } else {
    unsigned value = 0;
    const auto [p, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), value);
    if (ec != std::errc{} || p != port_text.data() + port_text.size() || value == 0 || value > 65535)
      return fail("port was \"" + std::string(port_text) + "\"");
    e.port = static_cast<std::uint16_t>(value);
  }
  if (!e.secure() && !is_loopback_host(e.host))
    return fail("plain " + e.scheme + ":// is allowed only to a loopback host, was \"" + e.host + "\"");
  return e;
}

}  // namespace mercurio::brokers::common
