#include "preferences_consent.hpp"

#include <boost/json.hpp>

namespace pse::portal {
namespace {

namespace json = boost::json;

std::string_view text_of(const json::object& object, std::string_view key) {
  const auto* value = object.if_contains(key);
  return value != nullptr && value->is_string() ? std::string_view(value->as_string()) : std::string_view();
}

bool lists(const json::value* list, std::string_view wanted) {
  if (list == nullptr || !list->is_array()) return false;
  for (const auto& item : list->as_array()) {
    if (item.is_string() && (item.as_string() == wanted || item.as_string() == "*")) return true;
  }
  return false;
}

// The purpose in plain words, the shipped words first (config/portal/words.yaml).
std::string purpose_words(const CitizenWords& words, Language language) {
  std::string text = words.purpose(kPreferencesPurpose, language);
  if (text != kPreferencesPurpose) return text;
  return Words{"vous envoyer les avis et rappels que vous avez demandés",
               "send you the notices and reminders you asked for"}.in(language);
}

}  // namespace

bool preferences_consent_in_force(const json::object& answer) {
  const auto* consents = answer.if_contains("consents");
  if (consents == nullptr || !consents->is_array()) return false;
  for (const auto& item : consents->as_array()) {
    if (!item.is_object()) continue;
    const json::object& consent = item.as_object();
    const std::string_view provider = text_of(consent, "provider");
    const auto* purpose = consent.if_contains("purpose");
    const bool purpose_matches = purpose != nullptr && purpose->is_object() &&
                                 text_of(purpose->as_object(), "code") == kPreferencesPurpose;
    if (text_of(consent, "state") == "given" && text_of(consent, "consumer") == kPreferencesReader &&
        (provider == kPreferencesProvider || provider == "*") && lists(consent.if_contains("categories"), kPreferencesCategory) &&
        purpose_matches) {
      return true;
    }
  }
  return false;
}

json::object preferences_consent_request(const std::string& subject, Language language, const CitizenWords& words,
                                         policy::Instant now) {
  const policy::Instant expires = now + std::chrono::days(30 * kPreferencesConsentMonths);
  return {{"subject", subject},
          {"given_by", {{"kind", "subject"}}},
          {"provider", kPreferencesProvider},
          {"consumer", kPreferencesReader},
          {"categories", json::array{json::value(kPreferencesCategory)}},
          {"purpose",
           {{"code", kPreferencesPurpose},
            {"fr", purpose_words(words, Language::fr)},
            {"en", purpose_words(words, Language::en)}}},
          {"notice", {{"reference", "PSE-PORTAIL-PREFERENCES"}, {"version", "1"}, {"language", language == Language::en ? "en" : "fr"}}},
          {"collection_method", "pse-portal"},
          {"expires_at", policy::format_instant(expires)}};
}

}  // namespace pse::portal
