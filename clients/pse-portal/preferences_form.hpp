// "Mes préférences": how a citizen wants to be reached, and the form that edits it. The values
// are the contact.preferences record pse-notify reads through the broker, each field named as
// config/classification.yaml names it. The checks accept only what pse-notify's
// parse_contact_preferences accepts (tests/clients/pse-portal/preferences_test.cpp runs
// pse-notify's own code on what this form saves), so a saved record is always one it can use.
#pragma once

#include "words.hpp"

#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace pse::portal {

struct ContactPreferences {
  std::string channel = "email";  ///< email, sms or both
  std::string email;              ///< required by email and both
  std::string mobile;             ///< E.164, required by sms and both
  std::string language = "fr";    ///< fr or en: the language of the notices
  std::string quiet_hours_start;  ///< HH:MM, Québec time; both or neither
  std::string quiet_hours_end;
  std::string access_notices = "each";  ///< each, daily or none (pse-notify's default: each)

  bool operator==(const ContactPreferences&) const = default;
};

/// One field's problem, in the citizen's words.
struct FieldError {
  std::string field;  ///< the control's name
  Words message;
};

struct PreferencesForm {
  ContactPreferences values;       ///< as entered (tidied when valid), to show again
  std::vector<FieldError> errors;  ///< in the form's order; empty: `values` may be saved
};

/// Reads and checks a posted form (name → value; a missing name counts as empty).
PreferencesForm read_preferences_form(const std::map<std::string, std::string>& posted);

/// pse-notify's rule (is_plausible_email_address), a little stricter: one '@', something on
/// each side, a dot in the domain and not at its ends, no space or address-list punctuation.
bool valid_email_address(std::string_view address);
/// "+" then 8 to 15 digits, the first not 0: pse-notify's is_e164, which lives in its mime
/// and preferences code; copied here rather than linking the notification platform into the
/// portal, and held to the same answers by the test above.
bool valid_e164(std::string_view number);

}  // namespace pse::portal
