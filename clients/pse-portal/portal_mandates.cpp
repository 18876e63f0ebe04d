// The mandates' routes: the mandates a citizen gave and received, giving and revoking one, and
// acting for the citizen who gave one — once the delegate has typed that citizen's file number
// and the registry shows the same mandate on both sides.
#include "portal_app.hpp"

#include "base/log.hpp"

#include <boost/json.hpp>

#include <algorithm>

namespace pse::portal {
namespace {

namespace json = boost::json;

std::string text_of_member(const json::object& object, std::string_view key) {
  const auto* value = object.if_contains(key);
  return value != nullptr && value->is_string() ? std::string(value->as_string()) : std::string();
}

std::vector<std::string> strings_of(const json::object& object, std::string_view key) {
  std::vector<std::string> out;
  if (const auto* list = object.if_contains(key); list != nullptr && list->is_array()) {
    for (const auto& item : list->as_array()) {
      if (item.is_string()) out.emplace_back(item.as_string());
    }
  }
  return out;
}

// The active mandate `id` in one of the lists of a GET /v1/subjects/{s}/mandates answer.
const json::object* active_mandate(const json::object& answer, std::string_view list, std::string_view id) {
  const auto* mandates = answer.if_contains(list);
  if (mandates == nullptr || !mandates->is_array()) return nullptr;
  for (const auto& item : mandates->as_array()) {
    if (!item.is_object()) continue;
    const json::object& mandate = item.as_object();
    if (text_of_member(mandate, "id") == id && text_of_member(mandate, "state") == "active") return &mandate;
  }
  return nullptr;
}

}  // namespace

MandateScopeChoices PortalApp::scope_choices() const {
  MandateScopeChoices choices;
  if (!content_.policy) return choices;
  for (const ConsentOffer& offer : consent_offers(*content_.policy, wall_clock_())) {
    if (std::find(choices.categories.begin(), choices.categories.end(), offer.category) == choices.categories.end()) {
      choices.categories.push_back(offer.category);
    }
    if (std::find(choices.purposes.begin(), choices.purposes.end(), offer.purpose) == choices.purposes.end()) {
      choices.purposes.push_back(offer.purpose);
    }
  }
  return choices;
}

WebResponse PortalApp::show_mandates(Call& call) {
  const std::string event = query_value(call.target.query, "event").value_or("");
  if (event == "granted") {
    call.context.notice = Words{"La procuration est donnée.", "The mandate is given."}.in(call.context.language);
  } else if (event == "revoked") {
    call.context.notice = Words{"La procuration est révoquée : la personne ne peut plus agir pour vous.",
                                "The mandate is revoked: the person can no longer act for you."}
                              .in(call.context.language);
  } else if (event == "stopped") {
    call.context.notice = Words{"Vous n'agissez plus pour cette personne.", "You no longer act for that person."}
                              .in(call.context.language);
  }
  auto answer = registry_.call(RegistryMethod::get, registry_path({"subjects", call.session.subject, "mandates"}));
  if (!answer) return registry_failure(call, answer.error(), "list mandates", kUnavailable);
  return WebResponse{200, "text/html; charset=utf-8", mandates_page(call.context, content_, *answer, scope_choices()), {}};
}

WebResponse PortalApp::give_mandate(Call& call) {
  call.context.path = "/procurations";
  const MandateScopeChoices choices = scope_choices();
  std::vector<std::string> fields{"csrf", "mandatary", "months"};
  for (const auto& category : choices.categories) fields.push_back("c:" + category);
  for (const auto& purpose : choices.purposes) fields.push_back("p:" + purpose);
  auto form = accept_post(call, fields);
  if (!form) return form.error();
  const Words refused{"Procuration non donnée", "Mandate not given"};
  const std::string& mandatary = (*form)["mandatary"];
  json::array categories, purposes;
  for (const auto& category : choices.categories) {
    if (form->contains("c:" + category)) categories.emplace_back(category);
  }
  for (const auto& purpose : choices.purposes) {
    if (form->contains("p:" + purpose)) purposes.emplace_back(purpose);
  }
  const std::string& months_text = (*form)["months"];
  const int months = months_text == "3" ? 3 : months_text == "6" ? 6 : months_text == "12" ? 12 : 0;
  if (!valid_subject_id(mandatary) || mandatary == call.session.subject) {
    return message(400, call.context, refused,
                   {"Inscrivez le numéro de dossier de la personne que vous mandatez (pas le vôtre).",
                    "Enter the file number of the person you give the mandate to (not your own)."});
  }
  if (categories.empty() || purposes.empty() || months == 0) {
    return message(400, call.context, refused,
                   {"Choisissez au moins une catégorie, au moins une fin et une durée.",
                    "Choose at least one category, at least one purpose and a duration."});
  }
  const policy::Instant until = wall_clock_() + std::chrono::days(30 * months);
  auto answer = registry_.call(RegistryMethod::post, registry_path({"mandates"}),
                               {{"mandator", call.session.subject},
                                {"mandatary", mandatary},
                                {"categories", categories},
                                {"purposes", purposes},
                                {"valid_until", policy::format_instant(until)}});
  if (!answer) return registry_failure(call, answer.error(), "grant a mandate", refused);
  if (const auto* receipt = answer->if_contains("receipt"); receipt != nullptr && receipt->is_string()) {
    sessions_.remember_receipt(call.session_id, std::string(receipt->as_string()));
  }
  log::info("mandate given by its mandator");
  return redirect(in_language("/procurations?event=granted", call.context.language));
}

WebResponse PortalApp::revoke_mandate(Call& call) {
  call.context.path = "/procurations";
  auto form = accept_post(call, {"csrf", "id"});
  if (!form) return form.error();
  const Words refused{"Révocation impossible", "Revocation failed"};
  const std::string& id = (*form)["id"];
  if (!valid_record_id(id)) return message(400, call.context, refused, {"Cette procuration n'existe pas.", "This mandate does not exist."});
  auto answer = registry_.call(RegistryMethod::post, registry_path({"mandates", id, "revoke"}),
                               {{"mandator", call.session.subject}, {"method", "pse-portal"}});
  if (!answer) return registry_failure(call, answer.error(), "revoke a mandate", refused);
  log::info("mandate revoked by its mandator", {{"mandate", id}});
  return redirect(in_language("/procurations?event=revoked", call.context.language));
}

WebResponse PortalApp::act_for(Call& call) {
  call.context.path = "/procurations";
  auto form = accept_post(call, {"csrf", "mandate", "mandator"});
  if (!form) return form.error();
  const Words refused{"Impossible d'agir pour cette personne", "Cannot act for this person"};
  const std::string& id = (*form)["mandate"];
  const std::string& mandator = (*form)["mandator"];
  if (!valid_record_id(id) || !valid_subject_id(mandator)) {
    return message(400, call.context, refused,
                   {"Inscrivez le numéro de dossier de la personne qui vous a donné cette procuration.",
                    "Enter the file number of the person who gave you this mandate."});
  }
  // The registry keeps both parties as keyed hashes: the same active mandate must be one the
  // delegate received and one the typed file number gave.
  auto received = registry_.call(RegistryMethod::get, registry_path({"subjects", call.session.subject, "mandates"}));
  if (!received) return registry_failure(call, received.error(), "list mandates", refused);
  auto given = registry_.call(RegistryMethod::get, registry_path({"subjects", mandator, "mandates"}));
  if (!given) return registry_failure(call, given.error(), "list mandates", refused);
  const json::object* mandate = active_mandate(*received, "received", id);
  if (mandate == nullptr || active_mandate(*given, "given", id) == nullptr) {
    log::warn("acting for someone refused: the file number does not match an active mandate received");
    return message(403, call.context, refused,
                   {"Ce numéro de dossier ne correspond pas à la personne qui vous a donné cette procuration, ou la "
                    "procuration n'est plus en vigueur.",
                    "This file number is not the one of the person who gave you this mandate, or the mandate is no "
                    "longer in force."});
  }
  sessions_.act_for(call.session_id, Acting{mandator, id, strings_of(*mandate, "categories"), strings_of(*mandate, "purposes")});
  log::info("acting for a mandator", {{"mandate", id}});
  return redirect(in_language("/consentements", call.context.language));
}

WebResponse PortalApp::stop_acting(Call& call) {
  auto form = accept_post(call, {"csrf"});
  if (!form) return form.error();
  sessions_.act_for(call.session_id, std::nullopt);
  return redirect(in_language("/procurations?event=stopped", call.context.language));
}

}  // namespace pse::portal
