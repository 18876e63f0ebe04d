// "Mes procurations": the mandates the citizen gave (revocable), a form to give one, and the
// mandates they received, each with the way to act for the person who gave it.
#include "page_parts.hpp"

#include "text.hpp"  // clients/web: html_escape

namespace pse::portal {
namespace {

namespace json = boost::json;
using web::html_escape;

std::string state_text(const std::string& state, Language language) {
  if (state == "active") return Words{"En vigueur", "In force"}.in(language);
  if (state == "pending") return Words{"Pas encore en vigueur", "Not yet in force"}.in(language);
  if (state == "revoked") return Words{"Révoquée", "Revoked"}.in(language);
  if (state == "expired") return Words{"Expirée", "Expired"}.in(language);
  return state;
}

std::string hidden(std::string_view name, const std::string& value) {
  return "<input type=\"hidden\" name=\"" + std::string(name) + "\" value=\"" + html_escape(value) + "\">";
}

// One table of mandates; `action` renders the last cell of a row.
template <typename Action>
std::string mandate_table(const json::value* list, const PortalContent& names, Language language, Words caption,
                          Words action_heading, Action action) {
  std::string rows;
  if (list != nullptr && list->is_array()) {
    for (const auto& item : list->as_array()) {
      if (!item.is_object()) continue;
      const json::object& mandate = item.as_object();
      rows += "<tr><td>" + html_escape(text_of(mandate, "id")) + "</td><td>" +
              html_escape(named_list(mandate.if_contains("categories"),
                                     [&](std::string_view code) { return names.words.category(code, language); })) +
              "</td><td>" +
              html_escape(named_list(mandate.if_contains("purposes"),
                                     [&](std::string_view code) { return names.words.purpose(code, language); })) +
              "</td><td>" + html_escape(readable_time(text_of(mandate, "valid_until"))) + "</td><td>" +
              html_escape(state_text(text_of(mandate, "state"), language)) + "</td><td>" + action(mandate) + "</td></tr>\n";
    }
  }
  if (rows.empty()) return "<p>" + std::string(Words{"Aucune.", "None."}.in(language)) + "</p>\n";
  std::string table = "<table>\n<caption>" + std::string(caption.in(language)) + "</caption>\n<thead><tr>";
  for (const Words& heading : {Words{"Procuration", "Mandate"}, Words{"Catégories", "Categories"}, Words{"Fins", "Purposes"},
                               Words{"Jusqu'au", "Until"}, Words{"État", "State"}, action_heading}) {
    table += "<th scope=\"col\">" + std::string(heading.in(language)) + "</th>";
  }
  return table + "</tr></thead>\n<tbody>\n" + rows + "</tbody>\n</table>\n";
}

}  // namespace

std::string mandates_page(const PageContext& context, const PortalContent& names, const json::object& answer,
                          const MandateScopeChoices& choices) {
  const Language language = context.language;
  const std::string lang = language_query(language);
  std::string content = "<p>" +
                        std::string(Words{"Une procuration permet à une personne de confiance de donner ou de révoquer des "
                                          "consentements en votre nom, seulement dans les catégories et pour les fins que "
                                          "vous choisissez, jusqu'à la date choisie. Vous pouvez la révoquer en tout temps.",
                                          "A mandate lets a trusted person give or revoke consents for you, only in the "
                                          "categories and for the purposes you choose, until the date you choose. You may "
                                          "revoke it at any time."}
                                        .in(language)) +
                        "</p>\n";

  content += "<h2>" + std::string(Words{"Procurations que vous avez données", "Mandates you gave"}.in(language)) + "</h2>\n";
  content += mandate_table(answer.if_contains("given"), names, language, {"Vos procurations", "Your mandates"},
                           {"Action", "Action"}, [&](const json::object& mandate) {
                             const std::string state = text_of(mandate, "state");
                             if (state != "active" && state != "pending") return std::string();
                             const std::string id = text_of(mandate, "id");
                             return "<form method=\"post\" action=\"/procurations/revoquer" + lang + "\">" +
                                    hidden("csrf", context.csrf) + hidden("id", id) + "<button type=\"submit\" aria-label=\"" +
                                    html_escape(std::string(Words{"Révoquer la procuration ", "Revoke mandate "}.in(language)) + id) +
                                    "\">" + Words{"Révoquer", "Revoke"}.in(language) + "</button></form>";
                           });

  content += "<h2>" + std::string(Words{"Donner une procuration", "Give a mandate"}.in(language)) + "</h2>\n";
  content += "<form method=\"post\" action=\"/procurations/donner" + lang + "\">\n" + hidden("csrf", context.csrf) + "\n";
  content += "<p><label for=\"mandataire\">" +
             std::string(Words{"Numéro de dossier de la personne que vous mandatez",
                               "File number of the person you give the mandate to"}.in(language)) +
             "</label>\n<input id=\"mandataire\" name=\"mandatary\" type=\"text\" required maxlength=\"128\" "
             "autocomplete=\"off\"></p>\n";
  const auto checkboxes = [&](Words legend, const std::vector<std::string>& codes, const char* prefix, auto words) {
    content += "<fieldset>\n<legend>" + std::string(legend.in(language)) + "</legend>\n";
    int number = 0;
    for (const std::string& code : codes) {
      const std::string id = std::string(prefix) + std::to_string(++number);
      content += "<p><input type=\"checkbox\" id=\"" + id + "\" name=\"" + std::string(prefix) + ":" + html_escape(code) +
                 "\" value=\"1\"> <label for=\"" + id + "\">" + html_escape(words(code)) + "</label></p>\n";
    }
    content += "</fieldset>\n";
  };
  checkboxes({"Catégories de renseignements", "Categories of information"}, choices.categories, "c",
             [&](const std::string& code) { return names.words.category(code, language); });
  checkboxes({"Fins", "Purposes"}, choices.purposes, "p",
             [&](const std::string& code) { return names.words.purpose(code, language); });
  content += "<p><label for=\"duree-procuration\">" + std::string(Words{"Durée", "Duration"}.in(language)) +
             "</label>\n<select id=\"duree-procuration\" name=\"months\">";
  for (const int months : {3, 6, 12}) {
    content += "<option value=\"" + std::to_string(months) + "\"" + (months == 12 ? " selected" : "") + ">" +
               std::to_string(months) + Words{" mois", " months"}.in(language) + "</option>";
  }
  content += "</select></p>\n<p><button type=\"submit\">" +
             std::string(Words{"Donner la procuration", "Give the mandate"}.in(language)) + "</button></p>\n</form>\n";

  content += "<h2>" + std::string(Words{"Procurations que vous avez reçues", "Mandates you received"}.in(language)) + "</h2>\n";
  int number = 0;
  content += mandate_table(
      answer.if_contains("received"), names, language, {"Les personnes pour qui vous pouvez agir", "The people you may act for"},
      {"Agir pour cette personne", "Act for this person"}, [&](const json::object& mandate) {
        if (text_of(mandate, "state") != "active") return std::string();
        const std::string input = "mandant-" + std::to_string(++number);
        return "<form method=\"post\" action=\"/procurations/agir" + lang + "\">" + hidden("csrf", context.csrf) +
               hidden("mandate", text_of(mandate, "id")) + "<label for=\"" + input + "\">" +
               Words{"Son numéro de dossier", "Their file number"}.in(language) + "</label> <input id=\"" + input +
               "\" name=\"mandator\" type=\"text\" required maxlength=\"128\" autocomplete=\"off\"> <button type=\"submit\">" +
               Words{"Agir", "Act"}.in(language) + "</button></form>";
      });
  return page_layout(context, {"Mes procurations", "My mandates"}, content);
}

}  // namespace pse::portal
