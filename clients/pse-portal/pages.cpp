#include "pages.hpp"

#include "page_parts.hpp"
#include "text.hpp"  // clients/web: html_escape

namespace pse::portal {

using web::html_escape;

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
  return page_layout(context, {"Mon dossier", "My file"}, content);
}

std::string home_page(const PageContext& context) {
  const Language language = context.language;
  std::string content = "<ul class=\"cards\">\n";
  for (const NavItem& item : navigation(context)) {
    content += "<li><a href=\"" + std::string(item.path) + language_query(language) + "\">" + item.label.in(language) +
               "</a></li>\n";
  }
  content += "</ul>\n";
  return page_layout(context, {"Mon dossier", "My file"}, content);
}

std::string message_page(const PageContext& context, Words title, Words text) {
  std::string content = "<p>" + std::string(text.in(context.language)) + "</p>\n<p><a href=\"/" +
                        language_query(context.language) + "\">" +
                        Words{"Retour à l'accueil", "Back to the home page"}.in(context.language) + "</a></p>\n";
  return page_layout(context, title, content);
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
.acting { background: #fff4d6; border-bottom: 3px solid #e58a00; padding: 0.5rem 1.5rem; display: flex; gap: 1rem; align-items: center; flex-wrap: wrap; }
.acting p { margin: 0; }
fieldset { border: 1px solid #6b6b6b; margin: 0 0 1rem; }
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
