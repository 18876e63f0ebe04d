// Saving one's preferences is also consenting that the notification platform (pse-notify)
// reads them, to send the notices the citizen asked for: the rule pse-notify-contact-preferences
// (config/policies.yaml) has basis consent, so without it pse-notify's exchanges are refused
// and the saved preferences would never be used. The page says so before its button.
#pragma once

#include "citizen_words.hpp"

#include "policy/instant.hpp"

#include <boost/json/object.hpp>

#include <string>

namespace pse::portal {

inline constexpr const char* kPreferencesCategory = "contact.preferences";
inline constexpr const char* kPreferencesProvider = "services-quebec";
inline constexpr const char* kPreferencesReader = "pse-notify";
inline constexpr const char* kPreferencesPurpose = "citizen_notification";
/// How long the consent given with the preferences runs (30-day months, as the offers count them).
inline constexpr int kPreferencesConsentMonths = 12;

/// Whether the broker's {"consents": [...]} (GET /v1/subjects/{s}/consents) holds a consent in
/// force that lets pse-notify read contact.preferences from Services Québec for citizen_notification.
bool preferences_consent_in_force(const boost::json::object& answer);

/// The body of POST /v1/consents for that consent, given by the subject on this portal
/// (the same shape as the consents given from the offers page).
boost::json::object preferences_consent_request(const std::string& subject, Language language,
                                                const CitizenWords& words, policy::Instant now);

}  // namespace pse::portal
