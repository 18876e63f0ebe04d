// Accepts TCP connections on one endpoint and hands each socket, on its own strand, to a
// callback that makes the session.
#pragma once

#include "broker/config.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>

#include <functional>
#include <memory>

namespace pse::broker {

class Listener : public std::enable_shared_from_this<Listener> {
 public:
  using OnAccept = std::function<void(boost::asio::ip::tcp::socket)>;
  using OnAcceptError = std::function<void()>;

  /// Binds at once; throws std::runtime_error naming the endpoint when it cannot.
  /// `on_error` counts accepts that failed (out of file descriptors, typically).
  Listener(boost::asio::io_context& io, const Endpoint& endpoint, std::string name, OnAccept on_accept,
           OnAcceptError on_error);

  void start();
  void stop();  ///< safe from any thread
  std::uint16_t port() const { return port_; }

 private:
  void accept_next();
  void back_off(const boost::system::error_code& ec);

  boost::asio::io_context& io_;
  boost::asio::ip::tcp::acceptor acceptor_;
  std::string name_;
  OnAccept on_accept_;
  OnAcceptError on_error_;
  boost::asio::steady_timer retry_timer_;
  std::chrono::milliseconds retry_delay_{0};
  std::uint16_t port_ = 0;
};

}  // namespace pse::broker
