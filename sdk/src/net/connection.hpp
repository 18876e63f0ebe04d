// One mutual-TLS connection to the broker and the asynchronous steps to open it, shared by the
// client's HTTP exchanges and the provider's WebSocket.
#pragma once

#include <pse/client_options.hpp>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

#include <chrono>
#include <functional>
#include <memory>
#include <string>

namespace pse::net {

using TlsStream = boost::beast::ssl_stream<boost::beast::tcp_stream>;

/// Resolves `options.host`, connects and completes the TLS handshake, verifying that the
/// broker's certificate names `server_name`, all before `deadline`. On failure `done` gets the
/// error text ("connect to localhost:8443: Connection refused"); on success the stream.
void async_open_tls(boost::asio::any_io_executor executor, boost::asio::ssl::context& tls,
                    const ClientOptions& options, std::chrono::steady_clock::time_point deadline,
                    std::function<void(std::string error, std::unique_ptr<TlsStream> stream)> done);

/// "timed out", or the error's message: what a person reading the log needs.
std::string describe_error(const boost::system::error_code& ec);

}  // namespace pse::net
