#include "pages.hpp"

#include "text.hpp"

namespace pse::feedback {
using web::html_escape;
namespace {

struct Bilingual {
  std::string_view fr;
  std::string_view en;
  std::string_view in(Language language) const { return language == Language::en ? en : fr; }
};

std::string link_to(std::string_view token, Language language) {
  return "/f/" + html_escape(token) + "?lang=" + std::string(to_string(language));
}

std::string page(Language language, std::string_view title, std::string_view token, const std::string& main) {
  const Language other = language == Language::fr ? Language::en : Language::fr;
  std::string html;
  html += "<!DOCTYPE html>\n<html lang=\"" + std::string(to_string(language)) + "\">\n<head>\n";
  html += "<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n";
  html += "<meta name=\"referrer\" content=\"no-referrer\">\n";
  html += "<title>" + html_escape(title) + " — " +
          std::string(Bilingual{"Outil de rétroaction", "Feedback tool"}.in(language)) + "</title>\n";
  html += "<link rel=\"stylesheet\" href=\"/static/feedback.css\">\n</head>\n<body>\n";
  html += "<a class=\"skip\" href=\"#main\">" + std::string(Bilingual{"Passer au contenu", "Skip to content"}.in(language)) + "</a>\n";
  html += "<header class=\"banner\">\n<p class=\"brand\">" +
          std::string(Bilingual{"Gouvernement du Québec — Outil de rétroaction", "Gouvernement du Québec — Feedback tool"}.in(language)) +
          "</p>\n";
  if (!token.empty()) {
    html += "<nav aria-label=\"" + std::string(Bilingual{"Langue", "Language"}.in(language)) + "\"><a href=\"" +
            link_to(token, other) + "\" lang=\"" + std::string(to_string(other)) + "\" hreflang=\"" +
            std::string(to_string(other)) + "\">" + (other == Language::en ? "English" : "Français") + "</a></nav>\n";
  }
  html += "</header>\n<main id=\"main\">\n" + main + "</main>\n";
  html += "<footer><p>" +
          std::string(Bilingual{"Vos réponses sont anonymes et servent à améliorer les services publics.",
                                "Your answers are anonymous and are used to improve public services."}
                          .in(language)) +
          "</p></footer>\n</body>\n</html>\n";
  return html;
}

void radio(std::string& html, std::string_view name, std::string_view id, std::string_view value,
           std::string_view label, bool checked, bool invalid, std::string_view described_by) {
  html += "<div class=\"choice\"><input type=\"radio\" name=\"" + std::string(name) + "\" id=\"" + std::string(id) +
          "\" value=\"" + std::string(value) + "\"";
  if (checked) html += " checked";
  if (invalid) html += " aria-invalid=\"true\" aria-describedby=\"" + std::string(described_by) + "\"";
  html += "><label for=\"" + std::string(id) + "\">" + std::string(label) + "</label></div>\n";
}

}  // namespace

std::string_view field_error_text(std::string_view field, FieldError error, Language language) {
  if (field == "rating") {
    return error == FieldError::missing
               ? Bilingual{"Choisissez une note de 1 à 5.", "Choose a rating from 1 to 5."}.in(language)
               : Bilingual{"La note doit être un nombre de 1 à 5.", "The rating must be a number from 1 to 5."}.in(language);
  }
  if (field == "got_what_needed") {
    return error == FieldError::missing
               ? Bilingual{"Indiquez si vous avez obtenu ce dont vous aviez besoin.",
                           "Say whether you got what you needed."}.in(language)
               : Bilingual{"Répondez par oui ou par non.", "Answer yes or no."}.in(language);
  }
  return error == FieldError::too_long
             ? Bilingual{"Votre commentaire est trop long : raccourcissez-le.", "Your comment is too long: shorten it."}.in(language)
             : Bilingual{"Votre commentaire contient des caractères non permis.",
                         "Your comment contains characters that are not allowed."}.in(language);
}

std::string render_form(const FormView& view) {
  const Language lang = view.language;
  std::string main;
  main += "<h1>" + std::string(Bilingual{"Votre avis sur le service", "Your opinion of the service"}.in(lang)) +
          "</h1>\n<p class=\"service\">" + html_escape(view.service_name) + "</p>\n";
  main += "<p>" +
          std::string(Bilingual{"Deux questions et un commentaire facultatif. Votre réponse est anonyme : n'écrivez "
                                "aucun renseignement personnel (numéro d'assurance sociale, adresse, téléphone…). "
                                "Ceux que nous repérons sont masqués.",
                                "Two questions and an optional comment. Your answer is anonymous: do not write any "
                                "personal information (social insurance number, address, phone…). What we detect is "
                                "masked."}
                          .in(lang)) +
          "</p>\n";

  if (view.errors.any()) {
    const int count = view.errors.count();
    main += "<div class=\"error-summary\" role=\"alert\" aria-labelledby=\"error-summary-title\" tabindex=\"-1\">\n";
    main += "<h2 id=\"error-summary-title\">" +
            std::string(count == 1 ? Bilingual{"Le formulaire contient une erreur", "The form has one error"}.in(lang)
                                   : Bilingual{"Le formulaire contient des erreurs", "The form has errors"}.in(lang)) +
            "</h2>\n<ul>\n";
    if (view.errors.rating) {
      main += "<li><a href=\"#rating-1\">" + std::string(field_error_text("rating", *view.errors.rating, lang)) + "</a></li>\n";
    }
    if (view.errors.got_what_needed) {
      main += "<li><a href=\"#needed-yes\">" +
              std::string(field_error_text("got_what_needed", *view.errors.got_what_needed, lang)) + "</a></li>\n";
    }
    if (view.errors.comment) {
      main += "<li><a href=\"#comment\">" + std::string(field_error_text("comment", *view.errors.comment, lang)) + "</a></li>\n";
    }
    main += "</ul>\n</div>\n";
  }

  main += "<form method=\"post\" action=\"" + link_to(view.token, lang) + "\" novalidate>\n";
  main += "<input type=\"hidden\" name=\"csrf\" value=\"" + html_escape(view.csrf_field) + "\">\n";

  const std::string required = " <span class=\"required\">" + std::string(Bilingual{"(obligatoire)", "(required)"}.in(lang)) + "</span>";
  // Rating 1–5.
  main += "<fieldset class=\"rating\"";
  if (view.errors.rating) main += " aria-describedby=\"rating-error\"";
  main += ">\n<legend>" +
          std::string(Bilingual{"Dans l'ensemble, êtes-vous satisfait du service?", "Overall, how satisfied are you with the service?"}.in(lang)) +
          required + "</legend>\n";
  if (view.errors.rating) {
    main += "<p class=\"field-error\" id=\"rating-error\">" + std::string(field_error_text("rating", *view.errors.rating, lang)) + "</p>\n";
  }
  static const Bilingual kRatings[5] = {{"1 — Très insatisfait", "1 — Very dissatisfied"},
                                        {"2 — Insatisfait", "2 — Dissatisfied"},
                                        {"3 — Ni satisfait ni insatisfait", "3 — Neither satisfied nor dissatisfied"},
                                        {"4 — Satisfait", "4 — Satisfied"},
                                        {"5 — Très satisfait", "5 — Very satisfied"}};
  for (int i = 1; i <= 5; ++i) {
    const std::string value(1, static_cast<char>('0' + i));
    radio(main, "rating", "rating-" + value, value, kRatings[i - 1].in(lang), view.values.rating == value,
          view.errors.rating.has_value(), "rating-error");
  }
  main += "</fieldset>\n";

  // Got what they needed.
  main += "<fieldset class=\"needed\"";
  if (view.errors.got_what_needed) main += " aria-describedby=\"needed-error\"";
  main += ">\n<legend>" +
          std::string(Bilingual{"Avez-vous obtenu ce dont vous aviez besoin?", "Did you get what you needed?"}.in(lang)) +
          required + "</legend>\n";
  if (view.errors.got_what_needed) {
    main += "<p class=\"field-error\" id=\"needed-error\">" +
            std::string(field_error_text("got_what_needed", *view.errors.got_what_needed, lang)) + "</p>\n";
  }
  radio(main, "got_what_needed", "needed-yes", "yes", Bilingual{"Oui", "Yes"}.in(lang), view.values.got_what_needed == "yes",
        view.errors.got_what_needed.has_value(), "needed-error");
  radio(main, "got_what_needed", "needed-no", "no", Bilingual{"Non", "No"}.in(lang), view.values.got_what_needed == "no",
        view.errors.got_what_needed.has_value(), "needed-error");
  main += "</fieldset>\n";

  // Comment.
  const std::string max = std::to_string(view.max_comment_chars);
  main += "<div class=\"field\">\n<label for=\"comment\">" +
          std::string(Bilingual{"Commentaire ou suggestion (facultatif)", "Comment or suggestion (optional)"}.in(lang)) +
          "</label>\n<p class=\"hint\" id=\"comment-hint\">" +
          (lang == Language::en ? "At most " + max + " characters. Do not include personal information."
                                : max + " caractères au maximum. N'y mettez aucun renseignement personnel.") +
          "</p>\n";
  if (view.errors.comment) {
    main += "<p class=\"field-error\" id=\"comment-error\">" +
            std::string(field_error_text("comment", *view.errors.comment, lang)) + "</p>\n";
  }
  main += "<textarea id=\"comment\" name=\"comment\" rows=\"6\" maxlength=\"" + max + "\" aria-describedby=\"comment-hint" +
          (view.errors.comment ? " comment-error\" aria-invalid=\"true" : "") + "\">" + html_escape(view.values.comment) +
          "</textarea>\n</div>\n";

  // Honeypot: hidden from people (CSS and aria-hidden), filled in by careless robots.
  main += "<div class=\"hp\" aria-hidden=\"true\"><label for=\"website\">" +
          std::string(Bilingual{"Laissez ce champ vide", "Leave this field empty"}.in(lang)) +
          "</label><input type=\"text\" id=\"website\" name=\"website\" tabindex=\"-1\" autocomplete=\"off\"></div>\n";
  main += "<button type=\"submit\">" + std::string(Bilingual{"Envoyer", "Send"}.in(lang)) + "</button>\n</form>\n";
  return page(lang, Bilingual{"Votre avis", "Your opinion"}.in(lang), view.token, main);
}

std::string_view message_title(Message message, Language language) {
  switch (message) {
    case Message::thanks: return Bilingual{"Merci de votre avis", "Thank you for your feedback"}.in(language);
    case Message::already_answered: return Bilingual{"Vous avez déjà répondu", "You have already answered"}.in(language);
    case Message::link_expired: return Bilingual{"Ce lien a expiré", "This link has expired"}.in(language);
    case Message::link_invalid: return Bilingual{"Ce lien n'est pas valide", "This link is not valid"}.in(language);
    case Message::session_expired: return Bilingual{"Votre session a expiré", "Your session has expired"}.in(language);
    case Message::rate_limited: return Bilingual{"Trop de tentatives", "Too many attempts"}.in(language);
    case Message::bad_request: return Bilingual{"Envoi non valide", "Invalid submission"}.in(language);
    case Message::payload_too_large: return Bilingual{"Envoi trop volumineux", "Submission too large"}.in(language);
    case Message::unsupported_media_type: return Bilingual{"Format d'envoi non accepté", "Submission format not accepted"}.in(language);
    case Message::not_found: return Bilingual{"Page introuvable", "Page not found"}.in(language);
    case Message::server_error: return Bilingual{"Service momentanément indisponible", "Service temporarily unavailable"}.in(language);
  }
  return {};
}

std::string render_message(Message message, Language lang, std::string_view token) {
  Bilingual body{};
  bool back_to_form = false;
  switch (message) {
    case Message::thanks:
      body = {"Votre réponse a bien été reçue. Elle sera transmise, sans renseignement personnel, à l'organisme qui offre ce service.",
              "Your answer has been received. It will be passed on, without personal information, to the body that provides this service."};
      break;
    case Message::already_answered:
      body = {"Une réponse a déjà été envoyée avec ce lien. Chaque lien ne sert qu'une fois.",
              "An answer has already been sent with this link. Each link can be used only once."};
      break;
    case Message::link_expired:
      body = {"Le délai pour donner votre avis avec ce lien est passé.", "The time to give your feedback with this link has passed."};
      break;
    case Message::link_invalid:
      body = {"Ce lien est incomplet ou a été modifié. Utilisez le lien exact que l'organisme vous a remis.",
              "This link is incomplete or has been altered. Use the exact link the body gave you."};
      break;
    case Message::session_expired:
      body = {"Pour votre sécurité, le formulaire doit être rechargé avant l'envoi. Aucune réponse n'a été enregistrée.",
              "For your security, the form must be reloaded before sending. No answer has been recorded."};
      back_to_form = true;
      break;
    case Message::rate_limited:
      body = {"Trop d'envois ont été faits depuis votre connexion. Attendez une minute, puis réessayez.",
              "Too many submissions came from your connection. Wait a minute, then try again."};
      back_to_form = true;
      break;
    case Message::bad_request:
      body = {"Le formulaire reçu est incomplet ou mal formé. Aucune réponse n'a été enregistrée.",
              "The form received is incomplete or malformed. No answer has been recorded."};
      back_to_form = true;
      break;
    case Message::payload_too_large:
      body = {"L'envoi dépasse la taille permise. Raccourcissez votre commentaire.",
              "The submission is larger than allowed. Shorten your comment."};
      back_to_form = true;
      break;
    case Message::unsupported_media_type:
      body = {"Envoyez le formulaire depuis la page prévue à cet effet.", "Send the form from its own page."};
      back_to_form = true;
      break;
    case Message::not_found:
      body = {"Cette adresse ne correspond à aucune page.", "This address does not match any page."};
      break;
    case Message::server_error:
      body = {"Réessayez dans quelques minutes. Aucune réponse n'a été enregistrée.",
              "Try again in a few minutes. No answer has been recorded."};
      back_to_form = true;
      break;
  }
  std::string main = "<h1>" + std::string(message_title(message, lang)) + "</h1>\n<p class=\"message\">" +
                     std::string(body.in(lang)) + "</p>\n";
  if (back_to_form && !token.empty()) {
    main += "<p><a href=\"" + link_to(token, lang) + "\">" +
            std::string(Bilingual{"Retourner au formulaire", "Back to the form"}.in(lang)) + "</a></p>\n";
  }
  return page(lang, message_title(message, lang), token, main);
}

std::string_view stylesheet() {
  // Colours: text #1a1a1a on white (17:1), links and button #095797 (7.2:1 on white, white on it),
  // errors #b00020 (6.9:1). Focus is a 3 px outline, never removed.
  return R"css(*,*::before,*::after{box-sizing:border-box}
html{font-family:"Open Sans",Arial,Helvetica,sans-serif;font-size:100%;line-height:1.5;color:#1a1a1a;background:#fff}
body{margin:0}
.skip{position:absolute;left:-9999px}
.skip:focus{left:1rem;top:1rem;background:#fff;padding:.5rem;z-index:1}
.banner{background:#095797;color:#fff;padding:1rem 1.5rem;display:flex;justify-content:space-between;align-items:center;flex-wrap:wrap}
.banner .brand{margin:0;font-weight:700}
.banner a{color:#fff;font-weight:600}
main{max-width:42rem;margin:0 auto;padding:1.5rem}
h1{font-size:1.75rem;margin:0 0 .5rem}
.service{font-size:1.25rem;font-weight:600;margin-top:0}
a{color:#095797}
a:focus,input:focus,textarea:focus,button:focus{outline:3px solid #e58a00;outline-offset:2px}
fieldset{border:1px solid #6b778a;border-radius:4px;margin:1.5rem 0;padding:1rem}
legend{font-weight:700;padding:0 .25rem}
.required{font-weight:400;color:#4e5662}
.choice{display:flex;align-items:center;gap:.5rem;margin:.5rem 0}
.choice input{width:1.25rem;height:1.25rem;margin:0}
.field{margin:1.5rem 0}
.field label{display:block;font-weight:700}
.hint{color:#4e5662;margin:.25rem 0}
textarea{width:100%;font:inherit;padding:.5rem;border:2px solid #6b778a;border-radius:4px}
[aria-invalid=true]{border-color:#b00020}
.field-error{color:#b00020;font-weight:700;margin:.25rem 0}
.error-summary{border:3px solid #b00020;padding:1rem;margin:1rem 0}
.error-summary h2{margin-top:0;font-size:1.25rem;color:#b00020}
.error-summary a{color:#b00020;font-weight:600}
button{font:inherit;font-weight:700;background:#095797;color:#fff;border:0;border-radius:4px;padding:.75rem 1.5rem;cursor:pointer}
button:hover{background:#074474}
.hp{position:absolute;left:-9999px;width:1px;height:1px;overflow:hidden}
footer{max-width:42rem;margin:2rem auto;padding:0 1.5rem;color:#4e5662;font-size:.9rem}
)css";
}

}  // namespace pse::feedback
