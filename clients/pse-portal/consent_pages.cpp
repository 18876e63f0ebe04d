// The consent pages: the citizen's consents, the ones they may give, and a receipt.
#include "page_parts.hpp"

#include "text.hpp"  // clients/web: html_escape

namespace pse::portal {
namespace {

namespace json = boost::json;
using web::html_escape;

// The purpose in the page's language, falling back to its code.
std::string purpose_text(const json::object& record, Language language) {
  const auto* purpose = record.if_contains("purpose");
  if (purpose == nullptr) return {};
  if (purpose->is_string()) return std::string(purpose->as_string());
  if (!purpose->is_object()) return {};
  std::string words = text_of(purpose->as_object(), language == Language::en ? "en" : "fr");
  return words.empty() ? text_of(purpose->as_object(), "code") : words;
}

std::string state_text(const std::string& state, Language language) {
  if (state == "given") return Words{"En vigueur", "In force"}.in(language);
  if (state == "revoked") return Words{"Révoqué", "Revoked"}.in(language);
  if (state == "expired") return Words{"Expiré", "Expired"}.in(language);
  if (state == "superseded") return Words{"Remplacé", "Superseded"}.in(language);
  return state;
}

}  // namespace

std::string consents_page(const PageContext& context, const PortalContent& names, const json::object& answer) {
  const Language language = context.language;
  std::string content;
  const auto* consents = answer.if_contains("consents");
  const bool none = consents == nullptr || !consents->is_array() || consents->as_array().empty();
  if (none) {
    const Words nothing = context.acting_for.empty()
                              ? Words{"Vous n'avez donné aucun consentement.", "You have given no consent."}
                              : Words{"Aucun consentement de cette personne n'entre dans votre procuration.",
                                      "No consent of this person falls within your mandate."};
    content += "<p>" + std::string(nothing.in(language)) + "</p>\n";
    return page_layout(context, {"Mes consentements", "My consents"}, content);
  }
  content += "<table>\n<caption>" +
             std::string(Words{"Chaque consentement, le plus ancien en premier", "Each consent, oldest first"}.in(language)) +
             "</caption>\n<thead><tr>";
  for (const Words& heading : {Words{"Organisme qui reçoit", "Receiving body"}, Words{"Organisme qui fournit", "Providing body"},
                               Words{"Renseignements", "Information"}, Words{"Fin", "Purpose"},
                               Words{"Expire le", "Expires"}, Words{"État", "State"}, Words{"Action", "Action"}}) {
    content += "<th scope=\"col\">" + std::string(heading.in(language)) + "</th>";
  }
  content += "</tr></thead>\n<tbody>\n";
  for (const auto& item : consents->as_array()) {
    if (!item.is_object()) continue;
    const json::object& consent = item.as_object();
    const std::string id = text_of(consent, "id");
    const std::string state = text_of(consent, "state");
    std::string provider = text_of(consent, "provider");
    provider = provider == "*" ? Words{"tout organisme", "any body"}.in(language) : names.organisation(provider, language);
    const std::string categories = named_list(consent.if_contains("categories"),
                                              [&](std::string_view code) { return names.words.category(code, language); });
    const std::string consumer = names.organisation(text_of(consent, "consumer"), language);
    content += "<tr><td>" + html_escape(consumer) + "</td><td>" + html_escape(provider) + "</td><td>" +
               html_escape(categories) + "</td><td>" +
               html_escape(purpose_text(consent, language)) + "</td><td>" +
               html_escape(readable_time(text_of(consent, "expires_at"))) + "</td><td>" +
               html_escape(state_text(state, language)) + "</td><td>";
    if (state == "given") {
      content += "<form method=\"post\" action=\"/consentements/revoquer" + language_query(language) + "\">";
      content += "<input type=\"hidden\" name=\"csrf\" value=\"" + html_escape(context.csrf) + "\">";
      content += "<input type=\"hidden\" name=\"id\" value=\"" + html_escape(id) + "\">";
      content += "<button type=\"submit\" aria-label=\"" +
                 html_escape(std::string(Words{"Révoquer le consentement donné à ", "Revoke the consent given to "}.in(language)) +
                             consumer) +
                 "\">" + Words{"Révoquer", "Revoke"}.in(language) + "</button></form>";
    }
    content += "</td></tr>\n";
  }
  content += "</tbody>\n</table>\n";
  return page_layout(context, {"Mes consentements", "My consents"}, content);
}

std::string offers_page(const PageContext& context, const PortalContent& names, const std::vector<ConsentOffer>& offers) {
  const Language language = context.language;
  std::string content;
  content += "<p>" +
             std::string(Words{"Chaque consentement permet à un seul organisme de recevoir les renseignements indiqués, pour "
                               "la seule fin indiquée, jusqu'à la date que vous choisissez. Vous pouvez le révoquer en tout "
                               "temps; il cesse alors aussitôt de produire ses effets.",
                               "Each consent lets one body receive the information shown, for the purpose shown only, "
                               "until the date you choose. You may revoke it at any time; it then stops having effect at once."}
                             .in(language)) +
             "</p>\n";
  if (offers.empty()) {
    content += "<p>" + std::string(Words{"Aucun consentement ne peut être donné ici pour l'instant.",
                                         "No consent can be given here for now."}.in(language)) + "</p>\n";
  }
  int number = 0;
  for (const ConsentOffer& offer : offers) {
    ++number;
    const std::string terms_id = "conditions-" + std::to_string(number);
    const std::string select_id = "duree-" + std::to_string(number);
    content += "<form class=\"offer\" method=\"post\" action=\"/consentements/donner" + language_query(language) + "\">\n";
    content += "<h2>" + html_escape(names.organisation(offer.consumer, language)) + "</h2>\n";
    // Who, what, from whom and why, each named: the citizen reads the whole consent before giving it.
    content += "<dl id=\"" + terms_id + "\">\n";
    const auto term = [&](Words label, const std::string& value) {
      content += "<dt>" + std::string(label.in(language)) + "</dt><dd>" + html_escape(value) + "</dd>\n";
    };
    std::string fields;
    for (const std::string& field : offer.fields) fields += (fields.empty() ? "" : ", ") + names.words.field(field, language);
    term({"Qui les recevra", "Who will receive them"}, names.organisation(offer.consumer, language));
    term({"Qui les fournira", "Who will provide them"}, names.organisation(offer.provider, language));
    term({"Renseignements", "Information"}, names.words.category(offer.category, language) + (language == Language::en ? ": " : " : ") + fields);
    term({"Fin", "Purpose"}, names.words.purpose(offer.purpose, language));
    content += "</dl>\n";
    content += "<input type=\"hidden\" name=\"csrf\" value=\"" + html_escape(context.csrf) + "\">\n";
    content += "<input type=\"hidden\" name=\"offer\" value=\"" + html_escape(offer.id) + "\">\n";
    content += "<p><label for=\"" + select_id + "\">" + Words{"Durée du consentement", "How long the consent lasts"}.in(language) +
               "</label>\n<select id=\"" + select_id + "\" name=\"months\">";
    for (const int months : {3, 6, 12}) {
      content += "<option value=\"" + std::to_string(months) + "\"" + (months == 12 ? " selected" : "") + ">" +
                 std::to_string(months) + Words{" mois", " months"}.in(language) + "</option>";
    }
    content += "</select></p>\n<p><button type=\"submit\" aria-describedby=\"" + terms_id + "\">" +
               Words{"Donner mon consentement", "Give my consent"}.in(language) + "</button></p>\n</form>\n";
  }
  return page_layout(context, {"Donner un consentement", "Give a consent"}, content);
}

std::string receipt_page(const PageContext& context, const ReceiptCheck& check) {
  const Language language = context.language;
  std::string content;
  if (!check.checked) {
    content += "<p>" + std::string(Words{"Ce reçu n'a pas pu être vérifié : la clé publique de la plateforme n'est pas configurée.",
                                         "This receipt could not be checked: the platform's public key is not configured."}
                                       .in(language)) + "</p>\n";
  } else if (check.valid) {
    content += "<p class=\"verified\">" +
               std::string(Words{"Reçu vérifié : il est signé par la plateforme et n'a pas été modifié.",
                                 "Receipt checked: it is signed by the platform and has not been altered."}.in(language)) +
               "</p>\n<p>" + Words{"Clé de signature : ", "Signing key: "}.in(language) + "<code>" + html_escape(check.key_id) +
               "</code></p>\n";
  } else {
    content += "<p class=\"notice\" role=\"alert\">" +
               std::string(Words{"Ce reçu n'est PAS valide : sa signature ne correspond pas à la clé de la plateforme.",
                                 "This receipt is NOT valid: its signature does not match the platform's key."}.in(language)) +
               "</p>\n";
  }
  content += "<p>" +
             std::string(Words{"Conservez ce reçu : toute personne qui a la clé publique de la plateforme peut le vérifier, "
                               "par exemple avec la commande pse-receipt verify.",
                               "Keep this receipt: anyone with the platform's public key can check it, for instance with "
                               "the command pse-receipt verify."}.in(language)) +
             "</p>\n<p><a class=\"button\" href=\"/consentements/recu.jws" + language_query(language) + "\" download>" +
             Words{"Télécharger le reçu signé", "Download the signed receipt"}.in(language) + "</a></p>\n";
  content += "<p><a href=\"/consentements" + language_query(language) + "\">" +
             Words{"Retour à mes consentements", "Back to my consents"}.in(language) + "</a></p>\n";
  return page_layout(context, {"Reçu de consentement", "Consent receipt"}, content);
}

}  // namespace pse::portal
