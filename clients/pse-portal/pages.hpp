// The portal's HTML, French first with English: one layout (skip link, a header naming the
// page and who is signed in, the navigation, the sign-out form, the language switch) and one
// function per page. Pages work without JavaScript and carry none; every value from the
// broker or the identity provider is escaped.
#pragma once

#include "consent_offers.hpp"
#include "portal_content.hpp"
#include "preferences_form.hpp"
#include "words.hpp"

#include <boost/json/object.hpp>

#include <string>
#include <string_view>

namespace pse::portal {

struct PageContext {
  Language language = Language::fr;
  std::string path;       ///< this page's path, for the language switch and the current link
  std::string name;       ///< who is signed in; empty: nobody
  std::string csrf;       ///< the session's token, for the sign-out form and the others
  std::string notice;     ///< a line shown above the content (an action's outcome), already in the page's language
  bool preferences = false;  ///< "Mes préférences" is offered (portal.yaml has a preferences_db)
  std::string acting_for;    ///< while acting under a mandate: the file number of the citizen acted for
};

/// What a mandate's scope may name (the categories and purposes of the consents on offer).
struct MandateScopeChoices {
  std::vector<std::string> categories, purposes;
};

std::string welcome_page(const PageContext& context);
std::string home_page(const PageContext& context);
/// `answer`: the broker's {"consents": [...]}.
std::string consents_page(const PageContext& context, const PortalContent& content, const boost::json::object& answer);
/// `answer`: the broker's {"accesses": [...]}.
std::string accesses_page(const PageContext& context, const PortalContent& content, const boost::json::object& answer);
/// The consents the citizen may give, each in plain words, each its own form.
std::string offers_page(const PageContext& context, const PortalContent& content, const std::vector<ConsentOffer>& offers);

/// "Mes préférences": the form with `form`'s values; its errors, when any, in a summary at the
/// top linking to each field and next to each field (aria-describedby, aria-invalid).
std::string preferences_page(const PageContext& context, const PreferencesForm& form);

/// A receipt as the portal checked it.
struct ReceiptCheck {
  bool checked = false;  ///< a key was configured
  bool valid = false;    ///< signed by that key and unaltered
  std::string key_id;
};
std::string receipt_page(const PageContext& context, const ReceiptCheck& check);
/// "Mes procurations": `answer` is the broker's {"given": [...], "received": [...]}.
std::string mandates_page(const PageContext& context, const PortalContent& content, const boost::json::object& answer,
                          const MandateScopeChoices& choices);

/// A page that says what went wrong and where to go next.
std::string message_page(const PageContext& context, Words title, Words text);

/// The stylesheet (served at /static/portal.css).
std::string_view stylesheet();

}  // namespace pse::portal
