#include "broker/net/tls_context.hpp"

#include "base/config_error.hpp"

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509_vfy.h>

#include <boost/system/system_error.hpp>

#include <cstdio>
#include <string>

namespace pse::broker {
namespace ssl = boost::asio::ssl;

namespace {

std::string openssl_error_text() {
  std::string text;
  while (unsigned long code = ERR_get_error()) {
    char buffer[256];
    ERR_error_string_n(code, buffer, sizeof buffer);
    if (!text.empty()) text += "; ";
    text += buffer;
  }
  return text.empty() ? "unknown OpenSSL error" : text;
}

// Adds every CRL in the PEM file to the store and turns on CRL checking for the leaf: a
// client certificate is refused when it is revoked, and also when the CRL is missing, expired
// or not signed by the CA (fail closed).
void load_crl(SSL_CTX* context, const std::filesystem::path& crl_file) {
  std::FILE* file = std::fopen(crl_file.c_str(), "r");
  if (file == nullptr) throw ConfigError(crl_file, 0, "cannot open CRL file");
  X509_STORE* store = SSL_CTX_get_cert_store(context);
  int loaded = 0;
  while (X509_CRL* crl = PEM_read_X509_CRL(file, nullptr, nullptr, nullptr)) {
    const int added = X509_STORE_add_crl(store, crl);
    X509_CRL_free(crl);
    if (added != 1) {
      std::fclose(file);
      throw ConfigError(crl_file, 0, "cannot add CRL: " + openssl_error_text());
    }
    ++loaded;
  }
  std::fclose(file);
  ERR_clear_error();  // the loop ends on an expected "no start line" at end of file
  if (loaded == 0) throw ConfigError(crl_file, 0, "no PEM CRL found in file");
  X509_STORE_set_flags(store, X509_V_FLAG_CRL_CHECK);
}

}  // namespace

std::shared_ptr<ssl::context> make_server_tls_context(const TlsConfig& tls) {
  auto context = std::make_shared<ssl::context>(ssl::context::tls_server);
  SSL_CTX* native = context->native_handle();
  SSL_CTX_set_min_proto_version(native,
                                tls.min_version == TlsVersion::v1_3 ? TLS1_3_VERSION : TLS1_2_VERSION);
  context->set_options(ssl::context::default_workarounds | ssl::context::no_compression);

  auto load = [&](const std::filesystem::path& file, const char* what, auto&& step) {
    try {
      step();
    } catch (const boost::system::system_error& e) {
      throw ConfigError(file, 0, std::string("cannot load ") + what + ": " + e.code().message());
    }
  };
  load(tls.cert_file, "certificate chain", [&] { context->use_certificate_chain_file(tls.cert_file.string()); });
  load(tls.key_file, "private key", [&] { context->use_private_key_file(tls.key_file.string(), ssl::context::pem); });
  if (SSL_CTX_check_private_key(native) != 1) {
    throw ConfigError(tls.key_file, 0, "private key does not match the certificate " + tls.cert_file.string());
  }
  load(tls.ca_file, "CA certificate", [&] { context->load_verify_file(tls.ca_file.string()); });

  // Tell clients which CA we accept, so they pick the right certificate.
  STACK_OF(X509_NAME)* client_cas = SSL_load_client_CA_file(tls.ca_file.c_str());
  if (client_cas == nullptr) throw ConfigError(tls.ca_file, 0, "no CA certificate found: " + openssl_error_text());
  SSL_CTX_set_client_CA_list(native, client_cas);

  load_crl(native, tls.crl_file);
  context->set_verify_mode(ssl::verify_peer | ssl::verify_fail_if_no_peer_cert);

  // Session resumption stays on (clients such as Java's and curl's reconnect with a ticket and
  // skip the certificate exchange), and is safe because of two things. Tickets and the session
  // cache belong to this SSL_CTX: OpenSSL draws fresh ticket keys for each context, so a reload,
  // which makes a new one, turns every earlier ticket into a full handshake. And a resumed
  // session is not trusted on its word: HttpsSession::authenticate verifies the session's
  // certificate again against the CRL and organisations in force.
  // The session id context is required for resumption when client certificates are verified.
  static constexpr unsigned char kSessionContext[] = "pse-broker";
  SSL_CTX_set_session_id_context(native, kSessionContext, sizeof kSessionContext - 1);
  return context;
}

}  // namespace pse::broker
