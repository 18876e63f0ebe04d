// Accepts TCP connections on one endpoint and hands each socket, on its own strand, to a
// callback that makes the session.
#pragma once

#include "broker/config.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <functional>
#include <memory>

namespace pse::broker {

class Listener : public std::enable_shared_from_this<Listener> {
 public:
  using OnAccept = std::function<void(boost::asio::ip::tcp::socket)>;

  /// Binds at once; throws std::runtime_error naming the endpoint when it cannot.
  Listener(boost::asio::io_context& io, const Endpoint& endpoint, std::string name, OnAccept on_accept);

  void start();
  void stop();  ///< safe from any thread
  std::uint16_t port() const { return port_; }

 private:
  void accept_next();

  boost::asio::io_context& io_;
  boost::asio::ip::tcp::acceptor acceptor_;
  std::string name_;
  OnAccept on_accept_;
  std::uint16_t port_ = 0;
};

}  // namespace pse::broker
