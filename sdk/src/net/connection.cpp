#include "net/connection.hpp"

#include "net/tls_context.hpp"

#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/beast/core/error.hpp>

#include <openssl/ssl.h>

namespace pse::net {
namespace asio = boost::asio;
namespace beast = boost::beast;
using tcp = asio::ip::tcp;

std::string describe_error(const boost::system::error_code& ec) {
  if (ec == beast::error::timeout) return "timed out";
  return ec.message();
}

namespace {

struct OpenOperation : std::enable_shared_from_this<OpenOperation> {
  OpenOperation(asio::any_io_executor executor, asio::ssl::context& tls, const ClientOptions& options,
                std::chrono::steady_clock::time_point deadline,
                std::function<void(std::string, std::unique_ptr<TlsStream>)> done)
      : resolver_(executor),
        stream_(std::make_unique<TlsStream>(executor, tls)),
        where_(options.host + ":" + std::to_string(options.port)),
        host_(options.host),
        port_(std::to_string(options.port)),
        name_(verified_name(options)),
        deadline_(deadline),
        done_(std::move(done)) {}

  void start() {
    // The resolver has no expiry of its own; the deadline is checked when it answers.
    resolver_.async_resolve(host_, port_, [self = shared_from_this()](auto ec, auto results) {
      self->on_resolve(ec, std::move(results));
    });
  }

  void on_resolve(const boost::system::error_code& ec, const tcp::resolver::results_type& results) {
    if (ec) return fail("resolve " + host_ + ": " + describe_error(ec));
    if (std::chrono::steady_clock::now() >= deadline_) return fail("connect to " + where_ + ": timed out");
    beast::get_lowest_layer(*stream_).expires_at(deadline_);
    beast::get_lowest_layer(*stream_).async_connect(
        results, [self = shared_from_this()](auto connect_ec, auto&&) { self->on_connect(connect_ec); });
  }

  void on_connect(const boost::system::error_code& ec) {
    if (ec) return fail("connect to " + where_ + ": " + describe_error(ec));
    beast::get_lowest_layer(*stream_).socket().set_option(tcp::no_delay(true));
    // SNI for brokers behind a TLS router, and hostname verification of the broker.
    // SSL_set_tlsext_host_name is a macro with a C cast; this is its expansion.
    if (SSL_ctrl(stream_->native_handle(), SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name,
                 const_cast<char*>(name_.c_str())) != 1) {
      return fail("TLS with " + where_ + ": cannot set the server name " + name_);
    }
    stream_->set_verify_callback(asio::ssl::host_name_verification(name_));
    stream_->async_handshake(asio::ssl::stream_base::client,
                             [self = shared_from_this()](auto handshake_ec) { self->on_handshake(handshake_ec); });
  }

  void on_handshake(const boost::system::error_code& ec) {
    if (ec) return fail("TLS handshake with " + where_ + ": " + describe_error(ec));
    beast::get_lowest_layer(*stream_).expires_never();
    done_({}, std::move(stream_));
  }

  void fail(std::string error) {
    stream_.reset();
    done_(std::move(error), nullptr);
  }

  tcp::resolver resolver_;
  std::unique_ptr<TlsStream> stream_;
  std::string where_, host_, port_, name_;
  std::chrono::steady_clock::time_point deadline_;
  std::function<void(std::string, std::unique_ptr<TlsStream>)> done_;
};

}  // namespace

void async_open_tls(asio::any_io_executor executor, asio::ssl::context& tls, const ClientOptions& options,
                    std::chrono::steady_clock::time_point deadline,
                    std::function<void(std::string, std::unique_ptr<TlsStream>)> done) {
  std::make_shared<OpenOperation>(std::move(executor), tls, options, deadline, std::move(done))->start();
}

}  // namespace pse::net
