// The consent pages' routes: the citizen's consents, revoking one, the consents they may give,
// giving one, and the receipt. A delegate acting under a mandate sees and acts on the mandator's
// consents within its scope only; the broker checks the mandate again on every grant and
// revocation.
#include "portal_app.hpp"

#include "base/log.hpp"
#include "broker/consent/receipt.hpp"

#include <boost/json.hpp>

#include <algorithm>

namespace pse::portal {
namespace {

namespace json = boost::json;

bool listed(const std::vector<std::string>& list, std::string_view value) {
  return std::find(list.begin(), list.end(), value) != list.end();
}

// A consent record falls within the mandate when every category and its purpose are in it.
bool within(const Acting& acting, const json::object& consent) {
  const auto* categories = consent.if_contains("categories");
  const auto* purpose = consent.if_contains("purpose");
  if (categories == nullptr || !categories->is_array() || purpose == nullptr || !purpose->is_object()) return false;
  for (const auto& category : categories->as_array()) {
    if (!category.is_string() || !listed(acting.categories, category.as_string())) return false;
  }
  const auto* code = purpose->as_object().if_contains("code");
  return code != nullptr && code->is_string() && listed(acting.purposes, code->as_string());
}

void remember_receipt(SessionStore& sessions, const std::string& session_id, const json::object& answer) {
  if (const auto* receipt = answer.if_contains("receipt"); receipt != nullptr && receipt->is_string()) {
    sessions.remember_receipt(session_id, std::string(receipt->as_string()));
  }
}

}  // namespace

std::vector<ConsentOffer> PortalApp::offers_for(const Session& session) const {
  std::vector<ConsentOffer> offers;
  if (content_.policy) offers = consent_offers(*content_.policy, wall_clock_());
  if (session.acting) {
    std::erase_if(offers, [&](const ConsentOffer& offer) {
      return !listed(session.acting->categories, offer.category) || !listed(session.acting->purposes, offer.purpose);
    });
  }
  return offers;
}

json::object PortalApp::given_by(const Session& session) const {
  if (!session.acting) return {{"kind", "subject"}};
  return {{"kind", "mandatary"}, {"mandate_id", session.acting->mandate_id}, {"mandatary", session.subject}};
}

WebResponse PortalApp::show_consents(Call& call) {
  auto answer = registry_.call(RegistryMethod::get, registry_path({"subjects", call.subject(), "consents"}));
  if (!answer) return registry_failure(call, answer.error(), "list consents", kUnavailable);
  if (call.session.acting) {
    if (auto* consents = answer->if_contains("consents"); consents != nullptr && consents->is_array()) {
      json::array& list = consents->as_array();
      const auto outside = std::remove_if(list.begin(), list.end(), [&](const json::value& consent) {
        return !consent.is_object() || !within(*call.session.acting, consent.as_object());
      });
      list.erase(outside, list.end());
    }
  }
  return WebResponse{200, "text/html; charset=utf-8", consents_page(call.context, content_, *answer), {}};
}

WebResponse PortalApp::revoke_consent(Call& call) {
  call.context.path = "/consentements";
  auto form = accept_post(call, {"csrf", "id"});
  if (!form) return form.error();
  const std::string& id = (*form)["id"];
  const Words refused{"Révocation impossible", "Revocation failed"};
  if (!valid_record_id(id)) {
    return message(400, call.context, refused, {"Ce consentement n'existe pas.", "This consent does not exist."});
  }
  // The broker revokes only a consent of this subject, and for a delegate only within the mandate.
  json::object body{{"subject", call.subject()}, {"method", "pse-portal"}};
  if (call.session.acting) body["given_by"] = given_by(call.session);
  auto answer = registry_.call(RegistryMethod::post, registry_path({"consents", id, "revoke"}), body);
  if (!answer) return registry_failure(call, answer.error(), "revoke a consent", refused);
  log::info(call.session.acting ? "consent revoked by a mandatary" : "consent revoked by its subject", {{"consent", id}});
  remember_receipt(sessions_, call.session_id, *answer);
  return redirect(in_language("/consentements/recu?event=revoked", call.context.language));
}

WebResponse PortalApp::show_offers(Call& call) {
  return WebResponse{200, "text/html; charset=utf-8", offers_page(call.context, content_, offers_for(call.session)), {}};
}

WebResponse PortalApp::give_consent(Call& call) {
  call.context.path = "/consentements/nouveau";
  auto form = accept_post(call, {"csrf", "offer", "months"});
  if (!form) return form.error();
  const Words refused{"Consentement non enregistré", "Consent not recorded"};
  const std::string& months_text = (*form)["months"];
  const int months = months_text == "3" ? 3 : months_text == "6" ? 6 : months_text == "12" ? 12 : 0;
  std::optional<ConsentOffer> offer;
  for (ConsentOffer& each : offers_for(call.session)) {
    if (each.id == (*form)["offer"]) offer = std::move(each);
  }
  if (!offer || months == 0) {
    return message(call.session.acting ? 403 : 400, call.context, refused,
                   call.session.acting ? Words{"Ce consentement ne peut pas être donné sous votre procuration.",
                                               "This consent cannot be given under your mandate."}
                                       : Words{"Ce consentement ne peut pas être donné ici.", "This consent cannot be given here."});
  }
  // A month is counted as 30 days: a 12-month consent stays within a year.
  const policy::Instant expires = wall_clock_() + std::chrono::days(30 * months);
  const json::object body{
      {"subject", call.subject()},
      {"given_by", given_by(call.session)},
      {"provider", offer->provider},
      {"consumer", offer->consumer},
      {"categories", json::array{json::value(offer->category)}},
      {"purpose",
       {{"code", offer->purpose},
        {"fr", content_.words.purpose(offer->purpose, Language::fr)},
        {"en", content_.words.purpose(offer->purpose, Language::en)}}},
      {"notice",
       {{"reference", "PSE-PORTAIL"}, {"version", "1"}, {"language", call.context.language == Language::en ? "en" : "fr"}}},
      {"collection_method", "pse-portal"},
      {"expires_at", policy::format_instant(expires)}};
  auto answer = registry_.call(RegistryMethod::post, registry_path({"consents"}), body);
  if (!answer) return registry_failure(call, answer.error(), "grant a consent", refused);
  remember_receipt(sessions_, call.session_id, *answer);
  log::info(call.session.acting ? "consent given by a mandatary" : "consent given by its subject", {{"offer", offer->id}});
  return redirect(in_language("/consentements/recu?event=granted", call.context.language));
}

WebResponse PortalApp::show_receipt(Call& call) {
  PageContext& context = call.context;
  if (call.session.receipt.empty()) {
    return message(404, context, {"Aucun reçu", "No receipt"},
                   {"Aucun consentement n'a été donné ou révoqué dans cette session.",
                    "No consent was given or revoked in this session."});
  }
  const std::string event = query_value(call.target.query, "event").value_or("");
  if (event == "granted") {
    context.notice = Words{"Votre consentement est enregistré.", "Your consent is recorded."}.in(context.language);
  } else if (event == "revoked") {
    context.notice = Words{"Le consentement est révoqué. Il ne permet plus aucune communication.",
                           "The consent is revoked. It no longer allows any communication."}
                         .in(context.language);
  }
  ReceiptCheck check;
  if (content_.receipt_key) {
    check.checked = true;
    check.valid = consent::verify_receipt(call.session.receipt, *content_.receipt_key).has_value();
    check.key_id = audit::key_id(*content_.receipt_key);
  }
  return WebResponse{200, "text/html; charset=utf-8", receipt_page(context, check), {}};
}

WebResponse PortalApp::download_receipt(Call& call) {
  if (call.session.receipt.empty()) return show_receipt(call);
  WebResponse response{200, "application/jose; charset=us-ascii", call.session.receipt + "\n", {}};
  response.headers.emplace_back("Content-Disposition", "attachment; filename=\"recu-consentement.jws\"");
  return response;
}

}  // namespace pse::portal
