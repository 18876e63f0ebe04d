#include "pages.hpp"

#include "text.hpp"  // clients/web: html_escape

#include <boost/json.hpp>

namespace pse::portal {
namespace {

namespace json = boost::json;
using web::html_escape;

std::string text_of(const json::object& object, std::string_view key) {
  const auto* value = object.if_contains(key);
  if (value == nullptr) return {};
  if (value->is_string()) return std::string(value->as_string());
  if (value->is_int64()) return std::to_string(value->as_int64());
  return {};
}

// "2026-12-07T18:09:06Z" → "2026-12-07 18:09 UTC": the citizen reads a date, not a format.
std::string readable_time(const std::string& rfc3339) {
  if (rfc3339.size() < 16 || rfc3339[10] != 'T') return rfc3339;
  return rfc3339.substr(0, 10) + " " + rfc3339.substr(11, 5) + " UTC";
}

// The strings of a JSON array, each through `name`, joined with commas.
template <typename Name>
std::string named_list(const json::value* list, Name name) {
  std::string out;
  if (list == nullptr || !list->is_array()) return out;
  for (const auto& item : list->as_array()) {
    if (!item.is_string()) continue;
    if (!out.empty()) out += ", ";
    out += name(std::string_view(item.as_string()));
  }
  return out;
}

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

struct NavItem {
  const char* path;
  Words label;
};

constexpr NavItem kNavigation[] = {
    {"/consentements", {"Mes consentements", "My consents"}},
    {"/consentements/nouveau", {"Donner un consentement", "Give a consent"}},
    {"/acces", {"Qui a consulté mes renseignements", "Who used my information"}},
    {"/preferences", {"Mes préférences", "My preferences"}},
};

// "Mes préférences" only where a store is configured.
bool offered(const NavItem& item, const PageContext& context) {
  return context.preferences || std::string_view(item.path) != "/preferences";
}

std::string layout(const PageContext& context, Words title, const std::string& content, bool has_errors = false) {
  const Language language = context.language;
  const bool english = language == Language::en;
  std::string page;
  page += "<!DOCTYPE html>\n<html lang=\"";
  page += english ? "en" : "fr";
  page += "\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n";
  page += "<title>" + std::string(has_errors ? Words{"Erreur : ", "Error: "}.in(language) : "") + title.in(language) + " — " + Words{"Mon dossier", "My file"}.in(language) + "</title>\n";
  page += "<link rel=\"stylesheet\" href=\"/static/portal.css\">\n</head>\n<body>\n";
  page += "<a class=\"skip\" href=\"#contenu\">" + std::string(Words{"Aller au contenu", "Skip to content"}.in(language)) + "</a>\n";
  page += "<header>\n<p class=\"brand\">" + std::string(Words{"Mon dossier — Services Québec", "My file — Services Québec"}.in(language)) + "</p>\n";
  // The other language, on the same page.
  page += "<p class=\"language\"><a href=\"" + html_escape(context.path) + (english ? "" : "?lang=en") + "\" lang=\"" +
          (english ? "fr" : "en") + "\" hreflang=\"" + (english ? "fr" : "en") + "\">" + (english ? "Français" : "English") +
          "</a></p>\n";
  if (!context.name.empty()) {
    page += "<nav aria-label=\"" + std::string(Words{"Navigation principale", "Main navigation"}.in(language)) + "\">\n<ul>\n";
    for (const NavItem& item : kNavigation) {
      if (!offered(item, context)) continue;
      const bool current = context.path == item.path;
      page += "<li><a href=\"" + std::string(item.path) + language_query(language) + "\"" +
              (current ? " aria-current=\"page\"" : "") + ">" + item.label.in(language) + "</a></li>\n";
    }
    page += "</ul>\n</nav>\n";
    page += "<form class=\"signout\" method=\"post\" action=\"/auth/logout" + language_query(language) + "\">\n";
    page += "<p>" + std::string(Words{"Connecté : ", "Signed in: "}.in(language)) + html_escape(context.name) + "</p>\n";
    page += "<input type=\"hidden\" name=\"csrf\" value=\"" + html_escape(context.csrf) + "\">\n";
    page += "<button type=\"submit\">" + std::string(Words{"Se déconnecter", "Sign out"}.in(language)) + "</button>\n</form>\n";
  }
  page += "</header>\n<main id=\"contenu\">\n<h1>" + std::string(title.in(language)) + "</h1>\n";
  if (!context.notice.empty()) page += "<p class=\"notice\" role=\"status\">" + html_escape(context.notice) + "</p>\n";
  page += content;
  page += "</main>\n</body>\n</html>\n";
  return page;
}

}  // namespace

std::string welcome_page(const PageContext& context) {
  const Language language = context.language;
  std::string content;
  content += "<p>" + std::string(Words{"Voyez et gérez vos consentements, et sachez quel organisme public a reçu vos "
                                       "renseignements, quand et pourquoi.",
                                       "See and manage your consents, and find out which public body received your "
                                       "information, when and why."}
                                     .in(language)) +
             "</p>\n";
  content += "<p><a class=\"button\" href=\"/auth/login" + language_query(language) + "\">" +
             Words{"Se connecter", "Sign in"}.in(language) + "</a></p>\n";
  return layout(context, {"Mon dossier", "My file"}, content);
}

std::string home_page(const PageContext& context) {
  const Language language = context.language;
  std::string content = "<ul class=\"cards\">\n";
  for (const NavItem& item : kNavigation) {
    if (!offered(item, context)) continue;
    content += "<li><a href=\"" + std::string(item.path) + language_query(language) + "\">" + item.label.in(language) +
               "</a></li>\n";
  }
  content += "</ul>\n";
  return layout(context, {"Mon dossier", "My file"}, content);
}

std::string consents_page(const PageContext& context, const PortalContent& names, const json::object& answer) {
  const Language language = context.language;
  std::string content;
  const auto* consents = answer.if_contains("consents");
  const bool none = consents == nullptr || !consents->is_array() || consents->as_array().empty();
  if (none) {
    content += "<p>" + std::string(Words{"Vous n'avez donné aucun consentement.", "You have given no consent."}.in(language)) + "</p>\n";
    return layout(context, {"Mes consentements", "My consents"}, content);
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
  return layout(context, {"Mes consentements", "My consents"}, content);
}

std::string accesses_page(const PageContext& context, const PortalContent& names, const json::object& answer) {
  const Language language = context.language;
  std::string content;
  content += "<p>" +
             std::string(Words{"Chaque communication de vos renseignements entre organismes publics, et chaque "
                               "consultation de vos consentements, telles que le journal d'audit les a inscrites.",
                               "Each communication of your information between public bodies, and each read of "
                               "your consents, as the audit log recorded them."}
                             .in(language)) +
             "</p>\n";
  const auto* accesses = answer.if_contains("accesses");
  if (accesses == nullptr || !accesses->is_array() || accesses->as_array().empty()) {
    content += "<p>" + std::string(Words{"Aucune communication n'est inscrite.", "No communication is recorded."}.in(language)) + "</p>\n";
    return layout(context, {"Qui a consulté mes renseignements", "Who used my information"}, content);
  }
  content += "<table>\n<caption>" + std::string(Words{"Registre des communications", "Register of communications"}.in(language)) +
             "</caption>\n<thead><tr>";
  for (const Words& heading : {Words{"Date", "Date"}, Words{"Organisme qui a reçu", "Receiving body"},
                               Words{"Organisme qui a fourni", "Providing body"}, Words{"Renseignements", "Information"},
                               Words{"Fin", "Purpose"}, Words{"Fondement", "Basis"}, Words{"N° au journal", "Log entry"}}) {
    content += "<th scope=\"col\">" + std::string(heading.in(language)) + "</th>";
  }
  content += "</tr></thead>\n<tbody>\n";
  for (const auto& item : accesses->as_array()) {
    if (!item.is_object()) continue;
    const json::object& access = item.as_object();
    const std::string kind = text_of(access, "kind");
    std::string what = named_list(access.if_contains("fields"),
                                  [&](std::string_view code) { return names.words.field(code, language); });
    std::string purpose = names.words.purpose(text_of(access, "purpose"), language);
    std::string provider = names.organisation(text_of(access, "provider"), language);
    if (kind == "registry_read") {
      what = Words{"vos consentements", "your consents"}.in(language);
      purpose = Words{"consulter vos consentements", "read your consents"}.in(language);
      provider = Words{"registre des consentements", "consent registry"}.in(language);
    }
    std::string basis = kind == "registry_read" ? Words{"votre demande", "your request"}.in(language) : "";
    if (const auto* value = access.if_contains("basis"); value != nullptr && value->is_object()) {
      const std::string type = text_of(value->as_object(), "type");
      if (type == "consent") basis = Words{"votre consentement", "your consent"}.in(language);
      if (type == "law") basis = Words{"la loi", "the law"}.in(language);
      const std::string reference = text_of(value->as_object(), "reference");
      if (!reference.empty()) basis += " (" + reference + ")";
    }
    content += "<tr><td>" + html_escape(readable_time(text_of(access, "time"))) + "</td><td>" +
               html_escape(names.organisation(text_of(access, "recipient"), language)) + "</td><td>" + html_escape(provider) +
               "</td><td>" + html_escape(what) + "</td><td>" + html_escape(purpose) + "</td><td>" +
               html_escape(basis) + "</td><td>" + html_escape(text_of(access, "audit_seq")) + "</td></tr>\n";
  }
  content += "</tbody>\n</table>\n";
  return layout(context, {"Qui a consulté mes renseignements", "Who used my information"}, content);
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
  return layout(context, {"Donner un consentement", "Give a consent"}, content);
}

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
  return layout(context, {"Mes préférences", "My preferences"}, content, !form.errors.empty());
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
  return layout(context, {"Reçu de consentement", "Consent receipt"}, content);
}

std::string message_page(const PageContext& context, Words title, Words text) {
  std::string content = "<p>" + std::string(text.in(context.language)) + "</p>\n<p><a href=\"/" +
                        language_query(context.language) + "\">" +
                        Words{"Retour à l'accueil", "Back to the home page"}.in(context.language) + "</a></p>\n";
  return layout(context, title, content);
}

std::string_view stylesheet() {
  return R"CSS(body { font-family: system-ui, sans-serif; margin: 0; color: #1a1a1a; background: #fff; line-height: 1.5; }
header { background: #095797; color: #fff; padding: 0.75rem 1.5rem; display: flex; flex-wrap: wrap; gap: 1rem; align-items: center; }
header a, header p { color: #fff; }
header .brand { font-weight: bold; margin: 0 auto 0 0; }
header nav ul { list-style: none; display: flex; gap: 1rem; margin: 0; padding: 0; }
header a[aria-current="page"] { font-weight: bold; text-decoration-thickness: 3px; }
.signout { display: flex; gap: 0.5rem; align-items: center; }
.signout p { margin: 0; }
main { padding: 1rem 1.5rem; max-width: 72rem; }
table { border-collapse: collapse; width: 100%; }
caption { text-align: left; font-weight: bold; padding: 0.5rem 0; }
th, td { border: 1px solid #6b6b6b; padding: 0.4rem 0.6rem; text-align: left; vertical-align: top; }
th { background: #e8eef5; }
button, .button { background: #095797; color: #fff; border: 2px solid #095797; padding: 0.4rem 0.9rem; font: inherit; cursor: pointer; text-decoration: none; display: inline-block; }
header button { background: #fff; color: #095797; }
a:focus, button:focus, .button:focus { outline: 3px solid #e58a00; outline-offset: 2px; }
.skip { position: absolute; left: -999px; }
.skip:focus { left: 1rem; top: 1rem; background: #fff; color: #095797; padding: 0.5rem; z-index: 1; }
.notice { border-left: 4px solid #095797; background: #e8eef5; padding: 0.5rem 1rem; }
.cards { list-style: none; padding: 0; display: grid; gap: 1rem; }
.cards a { display: block; border: 1px solid #6b6b6b; padding: 1rem; }
fieldset { border: 1px solid #6b6b6b; margin: 0 0 1.25rem; padding: 0.5rem 1rem 1rem; max-width: 40rem; }
legend { font-weight: bold; padding: 0 0.25rem; }
.field { margin: 0 0 1.25rem; }
.field label { display: block; font-weight: bold; }
.choice { margin: 0.25rem 0; }
.hint { color: #4a4a4a; margin: 0.25rem 0; }
.field input { font: inherit; padding: 0.3rem; border: 2px solid #1a1a1a; width: 100%; max-width: 30rem; box-sizing: border-box; }
.field input.short { max-width: 7rem; }
input:focus { outline: 3px solid #e58a00; outline-offset: 1px; }
input[aria-invalid="true"] { border-color: #b00020; }
.error { color: #b00020; font-weight: bold; margin: 0.25rem 0; }
.error-summary { border: 4px solid #b00020; padding: 0.5rem 1rem; margin: 0 0 1.5rem; max-width: 40rem; }
.error-summary a { color: #b00020; font-weight: bold; }
.visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
)CSS";
}

}  // namespace pse::portal
