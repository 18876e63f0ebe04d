// pse-notify's side of the broker, over the SDK's Client (mutual TLS as organisation
// pse-notify): contact preferences by a consent-checked exchange of contact.preferences with
// services-quebec, and notice.status events published to the one body a notice came from.
#pragma once

#include "ports.hpp"

#include <pse/client.hpp>

namespace pse::notify {

inline constexpr const char* kPreferencesProvider = "services-quebec";
inline constexpr const char* kPreferencesCategory = "contact.preferences";
inline constexpr const char* kStatusCategory = "notice.status";

class BrokerGateway final : public ContactDirectory, public StatusPublisher {
 public:
  explicit BrokerGateway(Client& client) : client_(client) {}

  /// The broker's refusal as it is (consent_missing…); an unusable record (a channel without
  /// its address…) is record_not_found, naming the field, so that the message is skipped.
  Result<ContactPreferences> preferences(const std::string& subject, const std::string& purpose) override;
  Status publish(const StatusRow& status) override;

 private:
  Client& client_;
};

}  // namespace pse::notify
