#include "broker/net/listener.hpp"

#include "base/log.hpp"

#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>

#include <algorithm>
#include <stdexcept>

namespace pse::broker {
namespace asio = boost::asio;
using asio::ip::tcp;

Listener::Listener(asio::io_context& io, const Endpoint& endpoint, std::string name, OnAccept on_accept,
                   OnAcceptError on_error)
    : io_(io),
      acceptor_(io),
      name_(std::move(name)),
      on_accept_(std::move(on_accept)),
      on_error_(std::move(on_error)),
      retry_timer_(io) {
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
    self->retry_timer_.cancel();
  });
}

void Listener::accept_next() {
  acceptor_.async_accept(asio::make_strand(io_), [self = shared_from_this()](boost::system::error_code ec,
                                                                             tcp::socket socket) {
    if (ec == asio::error::operation_aborted || !self->acceptor_.is_open()) return;
    if (ec) return self->back_off(ec);
    self->retry_delay_ = std::chrono::milliseconds(0);
    self->on_accept_(std::move(socket));
    self->accept_next();
  });
}

// Out of file descriptors (EMFILE, ENFILE) or memory, accepting again at once fails again at
// once: a spin that takes a core while the connections already open wait. Wait instead, longer
// each time (up to a second), until descriptors are freed.
void Listener::back_off(const boost::system::error_code& ec) {
  on_error_();
  retry_delay_ = std::min(std::chrono::milliseconds(1000), std::max(std::chrono::milliseconds(10), retry_delay_ * 2));
  log::warn("accept failed, backing off", {{"listener", name_}, {"detail", ec.message()},
                                            {"retry_ms", retry_delay_.count()}});
  retry_timer_.expires_after(retry_delay_);
  retry_timer_.async_wait([self = shared_from_this()](boost::system::error_code timer_ec) {
    if (!timer_ec && self->acceptor_.is_open()) self->accept_next();
  });
}

}  // namespace pse::broker
