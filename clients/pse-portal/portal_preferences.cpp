// The contact preferences' routes: the saved values in a form, and saving them with the consent
// that lets the notification platform read them.
#include "portal_app.hpp"

#include "base/log.hpp"
#include "preferences_consent.hpp"
#include "preferences_store.hpp"

#include <boost/json.hpp>

namespace pse::portal {

WebResponse PortalApp::show_preferences(Call& call) {
  PageContext& context = call.context;
  const auto saved_notice = query_value(call.target.query, "saved");
  if (saved_notice == "1" || saved_notice == "consent") {
    context.notice = (saved_notice == "1" ? Words{"Vos préférences sont enregistrées.", "Your preferences are saved."}
                                          : Words{"Vos préférences sont enregistrées, ainsi que votre consentement à ce "
                                                  "que la plateforme de notification les consulte.",
                                                  "Your preferences are saved, and so is your consent that the "
                                                  "notification platform reads them."})
                         .in(context.language);
  }
  auto saved = preferences_->find(call.session.subject);
  if (!saved) return message(503, context, kUnavailable, kUnavailableText);
  PreferencesForm form;
  if (*saved) {
    form.values = **saved;
  } else {
    form.values.language = context.language == Language::en ? "en" : "fr";  // the default: the page's
  }
  return WebResponse{200, "text/html; charset=utf-8", preferences_page(context, form), {}};
}

WebResponse PortalApp::save_preferences(Call& call) {
  auto posted = accept_post(call, {"csrf", "channel", "email", "mobile", "language", "quiet_hours_start",
                                   "quiet_hours_end", "access_notices"});
  if (!posted) return posted.error();
  const PreferencesForm form = read_preferences_form(*posted);
  if (!form.errors.empty()) return WebResponse{422, "text/html; charset=utf-8", preferences_page(call.context, form), {}};
  const std::string& subject = call.session.subject;
  // The consent first: saved preferences that pse-notify may not read would be a broken promise.
  auto consents = registry_.call(RegistryMethod::get, registry_path({"subjects", subject, "consents"}));
  if (!consents) return registry_failure(call, consents.error(), "list consents", kUnavailable);
  const bool consent_needed = !preferences_consent_in_force(*consents);
  if (consent_needed) {
    auto given = registry_.call(RegistryMethod::post, registry_path({"consents"}),
                                preferences_consent_request(subject, call.context.language, content_.words, wall_clock_()));
    if (!given) return registry_failure(call, given.error(), "grant a consent", kUnavailable);
    if (const auto* receipt = given->if_contains("receipt"); receipt != nullptr && receipt->is_string()) {
      sessions_.remember_receipt(call.session_id, std::string(receipt->as_string()));
    }
  }
  if (!preferences_->save(subject, form.values)) return message(503, call.context, kUnavailable, kUnavailableText);
  log::info("contact preferences saved", {{"consent_given", consent_needed}});
  return redirect(in_language(std::string("/preferences?saved=") + (consent_needed ? "consent" : "1"), call.context.language));
}

}  // namespace pse::portal
