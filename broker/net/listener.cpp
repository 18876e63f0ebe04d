#include "broker/net/listener.hpp"

#include "base/log.hpp"

#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>

#include <stdexcept>

namespace pse::broker {
namespace asio = boost::asio;
using asio::ip::tcp;

Listener::Listener(asio::io_context& io, const Endpoint& endpoint, std::string name, OnAccept on_accept)
    : io_(io), acceptor_(io), name_(std::move(name)), on_accept_(std::move(on_accept)) {
  const tcp::endpoint where(asio::ip::make_address(endpoint.address), endpoint.port);
  boost::system::error_code ec;
  acceptor_.open(where.protocol(), ec);
  if (!ec) acceptor_.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) acceptor_.bind(where, ec);
  if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    throw std::runtime_error("cannot listen on " + endpoint.address + ":" + std::to_string(endpoint.port) +
                             " (" + name_ + "): " + ec.message());
  }
  port_ = acceptor_.local_endpoint().port();
}

void Listener::start() {
  log::info("listening", {{"listener", name_}, {"address", acceptor_.local_endpoint().address().to_string()},
                          {"port", port_}});
  accept_next();
}

void Listener::stop() {
  asio::post(acceptor_.get_executor(), [self = shared_from_this()] {
    boost::system::error_code ignored;
    self->acceptor_.close(ignored);
  });
}

void Listener::accept_next() {
  acceptor_.async_accept(asio::make_strand(io_), [self = shared_from_this()](boost::system::error_code ec,
                                                                             tcp::socket socket) {
    if (ec == asio::error::operation_aborted || !self->acceptor_.is_open()) return;
    if (ec) {
      // Typically EMFILE: log and keep accepting; the next connection may succeed.
      log::warn("accept failed", {{"listener", self->name_}, {"detail", ec.message()}});
    } else {
      self->on_accept_(std::move(socket));
    }
    self->accept_next();
  });
}

}  // namespace pse::broker
