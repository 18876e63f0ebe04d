// The production FeedbackPublisher: pse::Client::publish over mutual TLS as organisation
// pse-feedback (its certificate and key from pse-pki).
#pragma once

#include "feedback_config.hpp"
#include "outbox.hpp"

#include <memory>

namespace pse::feedback {

class SdkPublisher : public FeedbackPublisher {
 public:
  /// Throws std::runtime_error when a certificate, key or CA file cannot be used.
  explicit SdkPublisher(const BrokerSettings& broker);
  ~SdkPublisher() override;
  Result<std::string> publish(const FeedbackEvent& event) override;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace pse::feedback
