#include "sdk_publisher.hpp"

#include <pse/client.hpp>

namespace pse::feedback {

struct SdkPublisher::Impl {
  explicit Impl(ClientOptions options) : client(std::move(options)) {}
  Client client;
};

namespace {

ClientOptions options_for(const BrokerSettings& broker) {
  ClientOptions options;
  options.host = broker.host;
  options.port = broker.port;
  options.ca_file = broker.ca;
  options.certificate_file = broker.certificate;
  options.key_file = broker.key;
  options.max_connections = 1;
  return options;
}

}  // namespace

SdkPublisher::SdkPublisher(const BrokerSettings& broker) : impl_(std::make_unique<Impl>(options_for(broker))) {}

SdkPublisher::~SdkPublisher() = default;

Result<std::string> SdkPublisher::publish(const FeedbackEvent& event) {
  PublishRequest request;
  request.category = event.category;
  request.subject = event.subject;
  request.idempotency_key = event.idempotency_key;
  request.record = event.record;
  request.to = event.to;
  auto answer = impl_->client.publish(request);
  if (!answer) return answer.error();
  return answer->event_id;
}

}  // namespace pse::feedback
