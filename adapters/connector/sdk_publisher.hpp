// The Publisher of production: pse::Client::publish (`POST /v1/publish`) on the connector's
// own mutual-TLS identity.
#pragma once

#include "adapters/connector/drop_folder.hpp"

#include <pse/client.hpp>

namespace pse::connector {

class SdkPublisher final : public Publisher {
 public:
  explicit SdkPublisher(const pse::ClientOptions& options) : client_(options) {}
  pse::Result<pse::PublishResponse> publish(const pse::PublishRequest& request) override { return client_.publish(request); }

 private:
  pse::Client client_;
};

}  // namespace pse::connector
