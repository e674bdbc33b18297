#include "mercurio/brokers/common/tls.hpp"

#include <filesystem>
#include <mutex>

#include <Poco/Exception.h>
#include <Poco/Net/NetSSL.h>
#include <Poco/Net/RejectCertificateHandler.h>
#include <Poco/Net/SSLManager.h>

namespace mercurio::brokers::common {

namespace {
void install_reject_handler_once(const Poco::Net::Context::Ptr& context) {
  static std::once_flag once;
  std::call_once(once, [&] {
    Poco::Net::initializeSSL();
    // Without this, SSLManager would build its handler from an application config (or none),
    // which could accept a certificate that failed verification.
    Poco::Net::SSLManager::InvalidCertificateHandlerPtr reject(
        new Poco::Net::RejectCertificateHandler(false));
    Poco::Net::SSLManager::instance().initializeClient(nullptr, reject, context);
  });
}
}  // namespace

sdk::Result<Poco::Net::Context::Ptr> make_client_tls_context(const std::string& ca_file) {
  if (!ca_file.empty() && !std::filesystem::is_regular_file(ca_file))
    return sdk::Status(sdk::StatusCode::InvalidArgument,
                       "TLS CA file: expected a readable PEM file, was \"" + ca_file + "\"");
  try {
    Poco::Net::Context::Params params;
    params.verificationMode = Poco::Net::Context::VERIFY_STRICT;
    params.verificationDepth = 9;
    params.caLocation = ca_file;
    params.loadDefaultCAs = ca_file.empty();
    params.cipherList = "HIGH:!aNULL:!eNULL:!MD5:!RC4:@STRENGTH";
    Poco::Net::Context::Ptr context(new Poco::Net::Context(Poco::Net::Context::TLS_CLIENT_USE, params));
    context->enableExtendedCertificateVerification(true);  // host name must match the certificate
    context->requireMinimumProtocol(Poco::Net::Context::PROTO_TLSV1_2);
    install_reject_handler_once(context);
    return context;
  } catch (const Poco::Exception& e) {
    return sdk::Status(sdk::StatusCode::Internal, "TLS context: " + e.displayText());
  }
}

}  // namespace mercurio::brokers::common
