// The portal as Services Québec's provider of contact.preferences: one connector connection to
// the broker (the SDK's Provider, with the portal's services-quebec certificate) that answers
// pse-notify's exchanges from the preferences store. The broker has checked the rule and the
// citizen's consent before asking; an unknown subject is record_not_found. The category's
// integrity rating (moyen) is below classification.yaml's signed_integrity_from (élevé), so
// records go unsigned. The only file of the portal that includes pse/provider.hpp.
#pragma once

#include "preferences_store.hpp"

#include <pse/client_options.hpp>

#include <chrono>
#include <memory>

namespace pse {
class Provider;
}

namespace pse::portal {

class PreferencesProvider {
 public:
  PreferencesProvider(ClientOptions broker, PreferencesStore& store);
  /// Stops the connection.
  ~PreferencesProvider();
  PreferencesProvider(const PreferencesProvider&) = delete;
  PreferencesProvider& operator=(const PreferencesProvider&) = delete;

  /// Connects in the background (and reconnects, as the SDK does), waiting up to `wait` for the
  /// broker's acceptance so that the log says whether it came; past that the portal serves its
  /// pages all the same, and the SDK keeps trying.
  void start(std::chrono::milliseconds wait);

 private:
  std::unique_ptr<Provider> provider_;
};

}  // namespace pse::portal
