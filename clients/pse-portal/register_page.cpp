// The register: who received the citizen's information, who read their records, and what was
// refused, from the audit log — each row with the proof that it is in the log.
#include "page_parts.hpp"

#include "text.hpp"  // clients/web: html_escape

namespace pse::portal {
namespace {

namespace json = boost::json;
using web::html_escape;

// What a read of the registry looked at, by the purpose the broker audited it under.
Words registry_read_object(const std::string& purpose) {
  if (purpose == "read_accesses") return {"ce registre", "this register"};
  if (purpose == "read_mandates") return {"vos procurations", "your mandates"};
  if (purpose == "read_proof") return {"une preuve d'inscription au journal", "a proof of a log entry"};
  return {"vos consentements", "your consents"};
}

std::string basis_text(const json::object& access, Language language) {
  const auto* value = access.if_contains("basis");
  if (value == nullptr || !value->is_object()) return {};
  const std::string type = text_of(value->as_object(), "type");
  std::string basis = type == "consent" ? Words{"votre consentement", "your consent"}.in(language)
                      : type == "law"   ? Words{"la loi", "the law"}.in(language)
                                        : type;
  const std::string reference = text_of(value->as_object(), "reference");
  if (!reference.empty()) basis += " (" + reference + ")";
  return basis;
}

// Why a request was refused, in words; the reason code follows for whoever needs it.
std::string refusal_text(const std::string& reason, Language language) {
  Words words{"refusée", "refused"};
  if (reason == "consent_missing") words = {"aucun consentement de votre part", "no consent of yours"};
  if (reason == "consent_revoked") words = {"vous aviez révoqué votre consentement", "you had revoked your consent"};
  if (reason == "consent_expired") words = {"votre consentement était expiré", "your consent had expired"};
  if (reason == "purpose_not_consented") words = {"fin non consentie", "purpose not consented"};
  if (reason == "no_rule" || reason == "purpose_not_allowed") words = {"aucune règle ne le permet", "no rule allows it"};
  return std::string(words.in(language)) + " (" + reason + ")";
}

std::string proof_cell(const json::object& access, Language language) {
  const std::string seq = text_of(access, "audit_seq");
  if (seq.empty()) return "<td></td>";
  return "<td><a href=\"/acces/preuve?seq=" + html_escape(seq) + (language == Language::en ? "&amp;lang=en" : "") +
         "\" download>" + std::string(Words{"Preuve n° ", "Proof no. "}.in(language)) + html_escape(seq) + "</a></td>";
}

void table_head(std::string& content, Words caption, std::initializer_list<Words> headings, Language language) {
  content += "<table>\n<caption>" + std::string(caption.in(language)) + "</caption>\n<thead><tr>";
  for (const Words& heading : headings) content += "<th scope=\"col\">" + std::string(heading.in(language)) + "</th>";
  content += "</tr></thead>\n<tbody>\n";
}

}  // namespace

std::string accesses_page(const PageContext& context, const PortalContent& names, const json::object& answer) {
  const Language language = context.language;
  std::string communications, refusals;
  const auto* accesses = answer.if_contains("accesses");
  if (accesses != nullptr && accesses->is_array()) {
    for (const auto& item : accesses->as_array()) {
      if (!item.is_object()) continue;
      const json::object& access = item.as_object();
      const std::string kind = text_of(access, "kind");
      const std::string when = html_escape(readable_time(text_of(access, "time")));
      const std::string who = html_escape(names.organisation(text_of(access, "recipient"), language));
      if (kind == "refusal") {
        refusals += "<tr><td>" + when + "</td><td>" + who + "</td><td>" +
                    html_escape(names.organisation(text_of(access, "provider"), language)) + "</td><td>" +
                    html_escape(names.words.category(text_of(access, "category"), language)) + "</td><td>" +
                    html_escape(names.words.purpose(text_of(access, "purpose"), language)) + "</td><td>" +
                    html_escape(refusal_text(text_of(access, "reason"), language)) + "</td>" + proof_cell(access, language) +
                    "</tr>\n";
        continue;
      }
      std::string provider, what, purpose, basis;
      if (kind == "registry_read") {
        provider = Words{"registre des consentements", "consent registry"}.in(language);
        what = registry_read_object(text_of(access, "purpose")).in(language);
        purpose = Words{"vous les montrer", "show them to you"}.in(language);
        basis = Words{"votre demande", "your request"}.in(language);
      } else {
        provider = names.organisation(text_of(access, "provider"), language);
        what = names.words.category(text_of(access, "category"), language) + (language == Language::en ? ": " : " : ") +
               named_list(access.if_contains("fields"), [&](std::string_view code) { return names.words.field(code, language); });
        purpose = names.words.purpose(text_of(access, "purpose"), language);
        basis = basis_text(access, language);
      }
      communications += "<tr><td>" + when + "</td><td>" + who + "</td><td>" + html_escape(provider) + "</td><td>" +
                        html_escape(what) + "</td><td>" + html_escape(purpose) + "</td><td>" + html_escape(basis) + "</td>" +
                        proof_cell(access, language) + "</tr>\n";
    }
  }

  std::string content = "<p>" +
                        std::string(Words{"Chaque communication de vos renseignements entre organismes publics, chaque "
                                          "consultation de vos dossiers et chaque demande refusée, telles que le journal "
                                          "d'audit les a inscrites. Chaque ligne a sa preuve d'inscription, que tout "
                                          "vérificateur RFC 9162 peut contrôler avec la clé publique de la plateforme.",
                                          "Each communication of your information between public bodies, each read of "
                                          "your records and each refused request, as the audit log recorded them. Each "
                                          "row has its proof of inclusion, which any RFC 9162 verifier can check with the "
                                          "platform's public key."}
                                        .in(language)) +
                        "</p>\n";
  content += "<h2>" + std::string(Words{"Communications et consultations", "Communications and reads"}.in(language)) + "</h2>\n";
  if (communications.empty()) {
    content += "<p>" + std::string(Words{"Aucune n'est inscrite.", "None is recorded."}.in(language)) + "</p>\n";
  } else {
    table_head(content, {"Qui a reçu vos renseignements, de qui, quoi et pourquoi", "Who received your information, from whom, what and why"},
               {{"Date", "Date"}, {"Organisme qui a reçu", "Receiving body"}, {"Source", "Source"},
                {"Renseignements", "Information"}, {"Fin", "Purpose"}, {"Fondement", "Basis"}, {"Preuve", "Proof"}},
               language);
    content += communications + "</tbody>\n</table>\n";
  }
  content += "<h2>" + std::string(Words{"Demandes refusées", "Refused requests"}.in(language)) + "</h2>\n";
  if (refusals.empty()) {
    content += "<p>" + std::string(Words{"Aucune demande vous concernant n'a été refusée.",
                                         "No request about you was refused."}.in(language)) + "</p>\n";
  } else {
    table_head(content, {"Qui a demandé vos renseignements sans les obtenir", "Who asked for your information without getting it"},
               {{"Date", "Date"}, {"Organisme qui a demandé", "Requesting body"}, {"Organisme visé", "Body asked"},
                {"Renseignements", "Information"}, {"Fin", "Purpose"}, {"Motif du refus", "Why it was refused"},
                {"Preuve", "Proof"}},
               language);
    content += refusals + "</tbody>\n</table>\n";
  }
  return page_layout(context, {"Qui a consulté mes renseignements", "Who used my information"}, content);
}

}  // namespace pse::portal
