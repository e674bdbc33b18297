#pragma once
/// @file tls.hpp
/// The one way broker plugins make TLS client contexts: peer certificate and host name are
/// always verified; only the trusted CA set is configurable.

#include <string>

#include <Poco/Net/Context.h>

#include "mercurio/sdk/status.hpp"

namespace mercurio::brokers::common {

/// A client context with VERIFY_STRICT and host-name verification. `ca_file` empty: the system's
/// default CAs; otherwise only the CAs in that PEM file (a test CA, a corporate proxy's CA).
/// Also installs, once per process, a certificate handler that rejects every invalid
/// certificate (Poco's default may ask a console).
sdk::Result<Poco::Net::Context::Ptr> make_client_tls_context(const std::string& ca_file);

}  // namespace mercurio::brokers::common
