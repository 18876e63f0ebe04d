#include "preferences_provider.hpp"

#include "preferences_consent.hpp"

#include "base/log.hpp"

#include <pse/provider.hpp>

namespace pse::portal {

PreferencesProvider::PreferencesProvider(ClientOptions broker, PreferencesStore& store) {
  ProviderOptions options;
  options.handler_threads = 2;  // single-row SQLite lookups behind one mutex: more would only queue
  provider_ = std::make_unique<Provider>(std::move(broker), options);
  provider_->serve({kPreferencesCategory}, [&store](const ProviderRequest& request) -> Result<boost::json::object> {
    auto record = store.record(request.subject, request.fields);
    // Who asked and whether a record came back; never the subject or the record.
    log::info("contact preferences asked", {{"consumer", request.consumer}, {"purpose", request.purpose},
                                            {"request_id", request.request_id}, {"found", static_cast<bool>(record)}});
    return record;
  });
}

PreferencesProvider::~PreferencesProvider() { provider_->stop(); }

void PreferencesProvider::start(std::chrono::milliseconds wait) {
  if (auto started = provider_->start(); !started) {
    log::error("the preferences provider did not start", {{"reason", to_string(started.error().reason)}});
    return;
  }
  if (auto ready = provider_->wait_ready(wait); ready) {
    log::info("serving contact.preferences to the broker");
  } else {
    log::warn("the broker has not accepted the preferences provider yet",
              {{"reason", to_string(ready.error().reason)}, {"error", ready.error().message}});
  }
}

}  // namespace pse::portal
