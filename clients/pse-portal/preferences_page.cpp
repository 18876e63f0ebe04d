// "Mes préférences": how the citizen wants to be reached, with each error tied to its field.
#include "page_parts.hpp"

#include "text.hpp"  // clients/web: html_escape

namespace pse::portal {

using web::html_escape;

std::string preferences_page(const PageContext& context, const PreferencesForm& form) {
  const Language language = context.language;
  const ContactPreferences& values = form.values;
  const auto error_of = [&form](std::string_view field) -> const FieldError* {
    for (const FieldError& error : form.errors) {
      if (error.field == field) return &error;
    }
    return nullptr;
  };
  // A field's error line, and the ids that describe its control (hint, then error).
  const auto error_line = [&](std::string_view field) {
    const FieldError* error = error_of(field);
    if (error == nullptr) return std::string();
    return "<p class=\"error\" id=\"" + std::string(field) + "-error\"><span class=\"visually-hidden\">" +
           Words{"Erreur : ", "Error: "}.in(language) + "</span>" + error->message.in(language) + "</p>\n";
  };
  const auto described_by = [&](std::string_view field, bool hint) {
    std::string ids = hint ? std::string(field) + "-hint" : "";
    if (error_of(field) != nullptr) ids += (ids.empty() ? "" : " ") + std::string(field) + "-error";
    return ids.empty() ? std::string() : " aria-describedby=\"" + ids + "\"";
  };
  const auto hint_line = [&](std::string_view field, Words hint) {
    return "<p class=\"hint\" id=\"" + std::string(field) + "-hint\">" + hint.in(language) + "</p>\n";
  };
  struct Choice {
    const char* value;
    Words label;
  };
  // A radio group: a fieldset whose legend is the question; the group's id is its first choice's.
  const auto radios = [&](const char* name, Words legend, const Words* hint, std::initializer_list<Choice> choices,
                          const std::string& chosen) {
    std::string html = "<fieldset" + described_by(name, hint != nullptr) + ">\n<legend>" + legend.in(language) + "</legend>\n";
    if (hint != nullptr) html += hint_line(name, *hint);
    html += error_line(name);
    for (const Choice& choice : choices) {
      const std::string id = std::string(name) + "-" + choice.value;
      html += "<div class=\"choice\"><input type=\"radio\" id=\"" + id + "\" name=\"" + name + "\" value=\"" + choice.value +
              "\"" + (chosen == choice.value ? " checked" : "") + "><label for=\"" + id + "\">" + choice.label.in(language) +
              "</label></div>\n";
    }
    return html + "</fieldset>\n";
  };
  const auto text_field = [&](const char* name, Words label, Words hint, const char* attributes, const std::string& value) {
    const bool invalid = error_of(name) != nullptr;
    return std::string("<div class=\"field\">\n<label for=\"") + name + "\">" + label.in(language) + "</label>\n" +
           hint_line(name, hint) + error_line(name) + "<input id=\"" + name + "\" name=\"" + name + "\" value=\"" +
           html_escape(value) + "\" " + attributes + described_by(name, true) + (invalid ? " aria-invalid=\"true\"" : "") +
           ">\n</div>\n";
  };
  // A radio group's errors link to its first choice, a text field's to the field.
  const auto anchor = [](const std::string& field) {
    if (field == "channel") return std::string("channel-email");
    if (field == "language") return std::string("language-fr");
    if (field == "access_notices") return std::string("access_notices-each");
    return field;
  };

  std::string content;
  if (!form.errors.empty()) {
    content += "<div class=\"error-summary\" role=\"alert\" aria-labelledby=\"erreurs-titre\">\n<h2 id=\"erreurs-titre\">" +
               std::string(Words{"Corrigez ce qui suit", "Please correct the following"}.in(language)) + "</h2>\n<ul>\n";
    for (const FieldError& error : form.errors) {
      content += "<li><a href=\"#" + anchor(error.field) + "\">" + error.message.in(language) + "</a></li>\n";
    }
    content += "</ul>\n</div>\n";
  }
  content += "<p>" +
             std::string(Words{"Indiquez comment la Plateforme gouvernementale de notification peut vous joindre : pour les "
                               "avis et rappels que vous avez demandés, et pour vous dire qu'un organisme public a reçu vos "
                               "renseignements.",
                               "Say how the Government notification platform may reach you: for the notices and reminders "
                               "you asked for, and to tell you that a public body received your information."}
                             .in(language)) +
             "</p>\n";
  content += "<form class=\"preferences\" method=\"post\" action=\"/preferences" + language_query(language) + "\" novalidate>\n";
  content += "<input type=\"hidden\" name=\"csrf\" value=\"" + html_escape(context.csrf) + "\">\n";
  content += radios("channel", {"Comment voulez-vous être joint?", "How do you want to be reached?"}, nullptr,
                    {{"email", {"Par courriel", "By email"}},
                     {"sms", {"Par texto", "By text message"}},
                     {"both", {"Par courriel et par texto", "By email and by text message"}}},
                    values.channel);
  content += text_field("email", {"Adresse courriel", "Email address"},
                        {"Obligatoire si vous voulez être joint par courriel.", "Required if you want to be reached by email."},
                        "type=\"email\" autocomplete=\"email\" spellcheck=\"false\"", values.email);
  content += text_field("mobile", {"Numéro de cellulaire", "Mobile number"},
                        {"Obligatoire si vous voulez être joint par texto. Format international, par exemple +1 514 555 0123.",
                         "Required if you want to be reached by text message. International format, like +1 514 555 0123."},
                        "type=\"tel\" autocomplete=\"tel\"", values.mobile);
  content += radios("language", {"Langue de vos avis", "Language of your notices"}, nullptr,
                    {{"fr", {"Français", "French"}}, {"en", {"Anglais", "English"}}}, values.language);
  content += "<fieldset aria-describedby=\"quiet_hours-hint\">\n<legend>" +
             std::string(Words{"Heures de tranquillité (facultatif)", "Quiet hours (optional)"}.in(language)) + "</legend>\n" +
             hint_line("quiet_hours",
                       {"Aucun avis ne vous est envoyé entre ces heures, à l'heure du Québec : il part à la fin de la "
                        "période. Laissez les deux vides pour recevoir vos avis à toute heure.",
                        "No notice is sent to you between these times, Québec time: it leaves when they end. Leave both "
                        "empty to receive your notices at any time."});
  content += text_field("quiet_hours_start", {"Début", "Start"}, {"HH:MM, par exemple 21:00", "HH:MM, like 21:00"},
                        "type=\"text\" class=\"short\" autocomplete=\"off\"", values.quiet_hours_start);
  content += text_field("quiet_hours_end", {"Fin", "End"}, {"HH:MM, par exemple 08:00", "HH:MM, like 08:00"},
                        "type=\"text\" class=\"short\" autocomplete=\"off\"", values.quiet_hours_end);
  content += "</fieldset>\n";
  const Words notices_hint{"Quand un organisme public reçoit vos renseignements d'un autre organisme, vous pouvez en être avisé.",
                           "When a public body receives your information from another, you may be told."};
  content += radios("access_notices", {"Avis de communication de vos renseignements", "Notices of communications of your information"},
                    &notices_hint,
                    {{"each", {"Un avis à chaque communication", "A notice for each communication"}},
                     {"daily", {"Un résumé par jour", "One summary a day"}},
                     {"none", {"Aucun avis", "No notice"}}},
                    values.access_notices);
  // The consent that comes with saving, in plain words, before the button it describes.
  content += "<p id=\"consentement-preferences\">" +
             std::string(Words{"En enregistrant vos préférences, vous consentez à ce que la Plateforme gouvernementale de "
                               "notification les consulte, et seulement elles, pour vous envoyer les avis et rappels que vous "
                               "avez demandés. Si ce consentement n'est pas déjà en vigueur, il est enregistré pour 12 mois. "
                               "Vous pouvez le révoquer en tout temps dans « Mes consentements »; vos préférences ne sont "
                               "alors plus utilisées.",
                               "By saving your preferences, you consent that the Government notification platform reads "
                               "them, and only them, to send you the notices and reminders you asked for. If this consent is "
                               "not already in force, it is recorded for 12 months. You may revoke it at any time in "
                               "“My consents”; your preferences are then no longer used."}
                             .in(language)) +
             "</p>\n";
  content += "<p><button type=\"submit\" aria-describedby=\"consentement-preferences\">" +
             std::string(Words{"Enregistrer mes préférences", "Save my preferences"}.in(language)) + "</button></p>\n</form>\n";
  return page_layout(context, {"Mes préférences", "My preferences"}, content, !form.errors.empty());
}

}  // namespace pse::portal
