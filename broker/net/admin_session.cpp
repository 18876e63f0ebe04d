#include "broker/net/admin_session.hpp"

#include "broker/admin/admin_routes.hpp"

#include <boost/asio/dispatch.hpp>

namespace pse::broker {

AdminSession::AdminSession(boost::asio::ip::tcp::socket&& socket, ServerState& state)
    : HttpConnection(state.limits), state_(state), stream_(std::move(socket)) {}

void AdminSession::start() {
  boost::asio::dispatch(stream_.get_executor(), [self = shared_from_this()] { self->read_request(); });
}

void AdminSession::handle(HttpRequest request) {
  if (state_.admin_extension) {
    if (auto response = state_.admin_extension(request)) return send(std::move(*response));
  }
  const bool audit_available = !state_.audit_available || state_.audit_available();
  send(admin_response(request, state_.metrics, !state_.draining.load(), audit_available));
}

void AdminSession::close() {
  beast::error_code ignored;
  stream_.socket().shutdown(boost::asio::ip::tcp::socket::shutdown_send, ignored);
  stream_.socket().close(ignored);
}

}  // namespace pse::broker
