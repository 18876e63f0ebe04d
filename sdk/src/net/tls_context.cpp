#include "net/tls_context.hpp"

#include <openssl/err.h>
#include <openssl/ssl.h>

#include <fstream>
#include <stdexcept>

namespace pse::net {
namespace ssl = boost::asio::ssl;

namespace {

// Checked before OpenSSL sees the file, so that the message says which option is wrong.
void require_readable(const std::filesystem::path& file, const char* option) {
  if (file.empty()) throw std::runtime_error(std::string("pse: ") + option + " is not set");
  std::ifstream stream(file);
  if (!stream) throw std::runtime_error(std::string("pse: cannot read ") + option + " " + file.string());
}

template <typename Load>
void load(const std::filesystem::path& file, const char* option, Load&& load_file) {
  require_readable(file, option);
  boost::system::error_code ec;
  load_file(ec);
  if (ec) {
    throw std::runtime_error(std::string("pse: ") + option + " " + file.string() + " is not usable: " + ec.message());
  }
}

}  // namespace

ssl::context make_tls_context(const ClientOptions& options) {
  ssl::context context(ssl::context::tls_client);
  SSL_CTX_set_min_proto_version(context.native_handle(), TLS1_2_VERSION);
  context.set_verify_mode(ssl::verify_peer);
  load(options.ca_file, "ca_file", [&](auto& ec) { context.load_verify_file(options.ca_file.string(), ec); });
  load(options.certificate_file, "certificate_file",
       [&](auto& ec) { context.use_certificate_chain_file(options.certificate_file.string(), ec); });
  load(options.key_file, "key_file",
       [&](auto& ec) { context.use_private_key_file(options.key_file.string(), ssl::context::pem, ec); });
  if (SSL_CTX_check_private_key(context.native_handle()) != 1) {
    ERR_clear_error();
    throw std::runtime_error("pse: key_file " + options.key_file.string() + " does not match certificate_file " +
                             options.certificate_file.string());
  }
  return context;
}

std::string verified_name(const ClientOptions& options) {
  return options.server_name.empty() ? options.host : options.server_name;
}

}  // namespace pse::net
