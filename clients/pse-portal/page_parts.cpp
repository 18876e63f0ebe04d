#include "page_parts.hpp"

#include "text.hpp"  // clients/web: html_escape

namespace pse::portal {
namespace {

using web::html_escape;

constexpr NavItem kNavigation[] = {
    {"/consentements", {"Mes consentements", "My consents"}},
    {"/consentements/nouveau", {"Donner un consentement", "Give a consent"}},
    {"/acces", {"Qui a consulté mes renseignements", "Who used my information"}},
    {"/preferences", {"Mes préférences", "My preferences"}},
    {"/procurations", {"Mes procurations", "My mandates"}},
};

// "Mes préférences" only where a store is configured.
bool offered(const NavItem& item, const PageContext& context) {
  return context.preferences || std::string_view(item.path) != "/preferences";
}

}  // namespace

std::vector<NavItem> navigation(const PageContext& context) {
  std::vector<NavItem> items;
  for (const NavItem& item : kNavigation) {
    // Acting for someone: their consents only, as the mandate allows.
    if (!context.acting_for.empty() && !std::string_view(item.path).starts_with("/consentements")) continue;
    if (offered(item, context)) items.push_back(item);
  }
  return items;
}

std::string page_layout(const PageContext& context, Words title, const std::string& content, bool has_errors) {
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
    for (const NavItem& item : navigation(context)) {
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
  page += "</header>\n";
  if (!context.acting_for.empty()) {
    page += "<form class=\"acting\" method=\"post\" action=\"/procurations/cesser" + language_query(language) + "\">\n<p>" +
            std::string(Words{"Vous agissez pour le dossier ", "You are acting for file "}.in(language)) + "<strong>" +
            html_escape(context.acting_for) + "</strong>" +
            Words{", selon votre procuration.", ", under your mandate."}.in(language) + "</p>\n";
    page += "<input type=\"hidden\" name=\"csrf\" value=\"" + html_escape(context.csrf) + "\">\n";
    page += "<button type=\"submit\">" + std::string(Words{"Cesser d'agir pour cette personne", "Stop acting for this person"}.in(language)) +
            "</button>\n</form>\n";
  }
  page += "<main id=\"contenu\">\n<h1>" + std::string(title.in(language)) + "</h1>\n";
  if (!context.notice.empty()) page += "<p class=\"notice\" role=\"status\">" + html_escape(context.notice) + "</p>\n";
  page += content;
  page += "</main>\n</body>\n</html>\n";
  return page;
}


std::string text_of(const boost::json::object& object, std::string_view key) {
  const auto* value = object.if_contains(key);
  if (value == nullptr) return {};
  if (value->is_string()) return std::string(value->as_string());
  if (value->is_int64()) return std::to_string(value->as_int64());
  return {};
}

std::string readable_time(const std::string& rfc3339) {
  if (rfc3339.size() < 16 || rfc3339[10] != 'T') return rfc3339;
  return rfc3339.substr(0, 10) + " " + rfc3339.substr(11, 5) + " UTC";
}

}  // namespace pse::portal
