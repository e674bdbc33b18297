#include "mercurio/brokers/common/tls.hpp"

#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <mutex>
#include <string_view>

#include <Poco/Exception.h>
#include <Poco/Net/NetSSL.h>
#include <Poco/Net/RejectCertificateHandler.h>
#include <Poco/Net/SSLManager.h>

namespace mercurio::brokers::common {

namespace {

#ifdef _WIN32
constexpr char kListSeparator = ';';  // OpenSSL's LIST_SEPARATOR_CHAR
#else
constexpr char kListSeparator = ':';
#endif

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

// A name OpenSSL's hashed-directory lookup reads: 8 hex digits of the subject hash, '.', a digit
// ("3513523f.0"), as update-ca-certificates and `openssl rehash` make them.
bool is_hashed_certificate_name(std::string_view name) {
  if (name.size() < 10 || name[8] != '.') return false;
  for (std::size_t i = 0; i < 8; ++i)
    if (!std::isxdigit(static_cast<unsigned char>(name[i]))) return false;
  for (std::size_t i = 9; i < name.size(); ++i)
    if (!std::isdigit(static_cast<unsigned char>(name[i]))) return false;
  return true;
}

bool holds_hashed_certificates(std::string_view dirs) {
  while (!dirs.empty()) {
    const std::size_t end = dirs.find(kListSeparator);
    const std::filesystem::path dir(dirs.substr(0, end));
    std::error_code ec;
    for (std::filesystem::directory_iterator it(dir, ec), last; !ec && it != last; it.increment(ec))
      if (is_hashed_certificate_name(it->path().filename().string())) return true;
    if (end == std::string_view::npos) break;
    dirs.remove_prefix(end + 1);
  }
  return false;
}

const char* env(const char* name) {
  const char* value = std::getenv(name);
  return value != nullptr && *value != '\0' ? value : nullptr;
}

}  // namespace

SystemCaLocations system_ca_locations() {
  SystemCaLocations where;
  const char* dir = env(X509_get_default_cert_dir_env());
  where.dir = dir != nullptr ? dir : X509_get_default_cert_dir();
  if (const char* file = env(X509_get_default_cert_file_env())) {
    where.file = file;  // set on purpose: read as OpenSSL would
  } else if (!holds_hashed_certificates(where.dir)) {
    // No usable directory (another system's layout): the bundle, as OpenSSL's defaults read it.
    where.file = X509_get_default_cert_file();
    std::error_code ec;
    if (!std::filesystem::is_regular_file(where.file, ec)) where.file.clear();
  }
  return where;
}

sdk::Result<Poco::Net::Context::Ptr> make_client_tls_context(const std::string& ca_file) {
  if (!ca_file.empty() && !std::filesystem::is_regular_file(ca_file))
    return sdk::Status(sdk::StatusCode::InvalidArgument,
                       "TLS CA file: expected a readable PEM file, was \"" + ca_file + "\"");
  try {
    Poco::Net::Context::Params params;
    params.verificationMode = Poco::Net::Context::VERIFY_STRICT;
    params.verificationDepth = 9;
    params.caLocation = ca_file;
    params.loadDefaultCAs = false;  // the system's CAs are added below
    params.cipherList = "HIGH:!aNULL:!eNULL:!MD5:!RC4:@STRENGTH";
    Poco::Net::Context::Ptr context(new Poco::Net::Context(Poco::Net::Context::TLS_CLIENT_USE, params));
    if (ca_file.empty()) {
      const SystemCaLocations where = system_ca_locations();
      const char* file = where.file.empty() ? nullptr : where.file.c_str();
      const char* dir = where.dir.empty() ? nullptr : where.dir.c_str();
      if ((file != nullptr || dir != nullptr) &&
          SSL_CTX_load_verify_locations(context->sslContext(), file, dir) != 1)
        return sdk::Status(sdk::StatusCode::InvalidArgument,
                           "TLS: cannot read the system's CAs from " +
                               (file != nullptr ? "\"" + where.file + "\" and " : std::string()) +
                               "\"" + where.dir + "\" (" + X509_get_default_cert_file_env() + ", " +
                               X509_get_default_cert_dir_env() + ")");
    }
    context->enableExtendedCertificateVerification(true);  // host name must match the certificate
    context->requireMinimumProtocol(Poco::Net::Context::PROTO_TLSV1_2);
    install_reject_handler_once(context);
    return context;
  } catch (const Poco::Exception& e) {
    return sdk::Status(sdk::StatusCode::Internal, "TLS context: " + e.displayText());
  }
}

}  // namespace mercurio::brokers::common
