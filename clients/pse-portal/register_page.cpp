// The register: who received the citizen's information, who read their records, and what was
// refused, from the audit log.
#include "page_parts.hpp"

#include "text.hpp"  // clients/web: html_escape

namespace pse::portal {

namespace json = boost::json;
using web::html_escape;

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
    return page_layout(context, {"Qui a consulté mes renseignements", "Who used my information"}, content);
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
  return page_layout(context, {"Qui a consulté mes renseignements", "Who used my information"}, content);
}

}  // namespace pse::portal
