#pragma once
/// @file tls.hpp
/// The one way broker plugins make TLS client contexts: peer certificate and host name are
/// always verified; only the trusted CA set is configurable.

#include <string>

#include <Poco/Net/Context.h>

#include "mercurio/sdk/status.hpp"

namespace mercurio::brokers::common {

/// Where a context without a CA file finds the system's trusted CAs: OpenSSL's default locations
/// (the SSL_CERT_FILE and SSL_CERT_DIR environment variables, else the paths OpenSSL was built
/// with), except that the bundle file is left out when SSL_CERT_FILE is not set and the directory
/// holds hashed certificates (Debian's /etc/ssl/certs). The directory is read as handshakes need
/// issuers; the bundle would be parsed whole, about 20 ms for Debian's 140 CAs, every time a
/// context is made (each start, each stream reconnect, `mercurio check`).
struct SystemCaLocations {
  std::string file;  ///< a PEM bundle read when the context is made; empty: none
  std::string dir;   ///< hashed certificate directories, OpenSSL's list syntax
};
SystemCaLocations system_ca_locations();

/// A client context with VERIFY_STRICT and host-name verification. `ca_file` empty: the system's
/// CAs (system_ca_locations()); otherwise only the CAs in that PEM file (a test CA, a corporate
/// proxy's CA). Also installs, once per process, a certificate handler that rejects every invalid
/// certificate (Poco's default may ask a console).
sdk::Result<Poco::Net::Context::Ptr> make_client_tls_context(const std::string& ca_file);

}  // namespace mercurio::brokers::common
