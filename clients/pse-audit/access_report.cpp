#include "clients/pse-audit/access_report.hpp"

#include "audit/obligation_wording.hpp"
#include "audit/registry_read.hpp"

namespace pse::audit_cli {
namespace {

using audit::AuditEntry;

struct Wording {
  const char* title;
  const char* person;
  const char* period;
  const char* whole_period;
  const char* from;
  const char* to;
  const char* until_only;
  const char* produced;
  const char* none;
  const char* one;
  const char* many;  // preceded by the count
  const char* on;
  const char* recipient;
  const char* provider;
  const char* category;
  const char* purpose;
  const char* basis;
  const char* consent;
  const char* law;
  const char* law_separator;
  const char* no_basis;
  const char* fields;
  const char* conditions;  // ASCII: the lines after the first are indented by its length
  const char* reference;
  const char* refused;
  const char* reads_none;
  const char* reads_one;
  const char* reads_many;  // preceded by the count
  const char* reader;
  const char* what_read;
  const char* read_consents;
  const char* read_consent;
  const char* read_accesses;
  const char* read_mandates;
  const char* read_proof;
  const char* times;
};

constexpr Wording french = {
    "REGISTRE DES COMMUNICATIONS DE RENSEIGNEMENTS PERSONNELS",
    "Personne concernée : ",
    "Période : ",
    "toute la période conservée",
    "du ",
    " au ",
    "jusqu’au ",
    "Produit le ",
    "Aucune communication de vos renseignements personnels n’a été enregistrée.",
    "1 communication de vos renseignements personnels :",
    " communications de vos renseignements personnels :",
    "Le ",
    "Destinataire : ",
    "Communiqué par : ",
    "Catégorie de renseignements : ",
    "Fin : ",
    "Fondement : ",
    "votre consentement",
    "disposition législative",
    " : ",
    "non précisé",
    "Renseignements communiqués : ",
    "Conditions : ",
    "Référence de la demande : ",
    "Demandes refusées (aucun renseignement communiqué) : ",
    "Aucune consultation de vos consentements ni de ce registre par un organisme n’a été enregistrée.",
    "1 consultation de vos consentements ou de ce registre par un organisme :",
    " consultations de vos consentements ou de ce registre par un organisme :",
    "Consulté par : ",
    "Objet : ",
    "la liste de vos consentements",
    "un de vos consentements",
    "ce registre des communications",
    "la liste des mandats que vous avez donnés ou reçus",
    "la preuve qu’une inscription de ce registre figure au journal d’audit",
    "Les heures sont en temps universel coordonné (UTC).",
};

constexpr Wording english = {
    "REGISTER OF COMMUNICATIONS OF PERSONAL INFORMATION",
    "Person concerned: ",
    "Period: ",
    "the whole period on record",
    "from ",
    " to ",
    "until ",
    "Produced on ",
    "No communication of your personal information has been recorded.",
    "1 communication of your personal information:",
    " communications of your personal information:",
    "On ",
    "Recipient: ",
    "Communicated by: ",
    "Category of information: ",
    "Purpose: ",
    "Basis: ",
    "your consent",
    "provision of law",
    ": ",
    "not specified",
    "Information communicated: ",
    "Conditions: ",
    "Request reference: ",
    "Refused requests (no information communicated): ",
    "No consultation of your consents or of this register by a public body has been recorded.",
    "1 consultation of your consents or of this register by a public body:",
    " consultations of your consents or of this register by a public body:",
    "Consulted by: ",
    "What was consulted: ",
    "the list of your consents",
    "one of your consents",
    "this register of communications",
    "the list of the mandates you gave or received",
    "the proof that an entry of this register is in the audit log",
    "Times are Coordinated Universal Time (UTC).",
};

// "2026-05-04 à 14 h 03 (UTC)" in French, "2026-05-04 at 14:03 (UTC)" in English.
std::string spoken_time(audit::TimeMicros time, Language language) {
  const std::string iso = audit::format_time(time);  // 2026-05-04T14:03:22.000000Z
  const std::string date = iso.substr(0, 10);
  const std::string hours = iso.substr(11, 2);
  const std::string minutes = iso.substr(14, 2);
  if (language == Language::french) return date + " à " + hours + " h " + minutes + " (UTC)";
  return date + " at " + hours + ":" + minutes + " (UTC)";
}

std::string basis_text(const AuditEntry& entry, const Wording& words) {
  switch (entry.basis_type) {
    case audit::BasisType::consent:
      return std::string(words.consent) + (entry.basis.empty() ? "" : " (" + entry.basis + ")");
    case audit::BasisType::law:
      return std::string(words.law) + (entry.basis.empty() ? "" : words.law_separator + entry.basis);
    case audit::BasisType::none: break;
  }
  return words.no_basis;
}

std::string what_was_read(const AuditEntry& entry, const Wording& words) {
  switch (*audit::registry_read_of(entry)) {
    case audit::RegistryRead::consents: return words.read_consents;
    case audit::RegistryRead::consent: return words.read_consent;
    case audit::RegistryRead::accesses: return words.read_accesses;
    case audit::RegistryRead::mandates: return words.read_mandates;
    case audit::RegistryRead::proof: return words.read_proof;
  }
  return words.read_consents;
}

std::string field_list(const std::vector<std::string>& fields) {
  if (fields.empty()) return "—";
  std::string out;
  for (const std::string& field : fields) out += (out.empty() ? "" : ", ") + field;
  return out;
}

// The obligations the rule set at the time, one sentence each; none, no line.
std::string conditions_lines(const AuditEntry& entry, const Wording& words, Language language) {
  std::string out;
  const std::string indent = "   " + std::string(std::string_view(words.conditions).size(), ' ');
  for (const std::string& obligation : entry.obligations) {
    const auto wording = audit::obligation_wording(obligation);
    const std::string_view text = !wording ? std::string_view(obligation)
                                  : language == Language::french ? wording->french
                                                                 : wording->english;
    out += (out.empty() ? std::string("   ") + words.conditions : indent) + std::string(text) + "\n";
  }
  return out;
}

}  // namespace

std::string access_report(const ReportRequest& request, const std::vector<AuditEntry>& entries) {
  const Wording& words = request.language == Language::french ? french : english;
  std::string out;
  out += std::string(words.title) + "\n\n";
  out += words.person + request.subject_id + "\n";
  out += words.period;
  if (!request.since_text && !request.until_text) {
    out += words.whole_period;
  } else {
    if (request.since_text) out += words.from + *request.since_text;
    if (request.until_text) out += (request.since_text ? words.to : words.until_only) + *request.until_text;
  }
  out += "\n";
  out += words.produced + spoken_time(request.produced_at, request.language) + "\n\n";

  std::vector<const AuditEntry*> communications;
  std::vector<const AuditEntry*> reads;  // of the consent registry and of this register
  std::size_t refused = 0;
  for (const AuditEntry& entry : entries) {
    if (entry.decision != audit::Decision::allow) {
      ++refused;
    } else if (audit::registry_read_of(entry)) {
      reads.push_back(&entry);
    } else {
      communications.push_back(&entry);
    }
  }
  if (communications.empty()) {
    out += std::string(words.none) + "\n";
  } else if (communications.size() == 1) {
    out += std::string(words.one) + "\n";
  } else {
    out += std::to_string(communications.size()) + words.many + "\n";
  }
  std::size_t number = 0;
  for (const AuditEntry* entry : communications) {
    out += "\n" + std::to_string(++number) + ". " + words.on + spoken_time(entry->time, request.language) + "\n";
    out += std::string("   ") + words.recipient + entry->consumer + "\n";
    out += std::string("   ") + words.provider + entry->provider + "\n";
    out += std::string("   ") + words.category + entry->category + "\n";
    out += std::string("   ") + words.purpose + entry->purpose + "\n";
    out += std::string("   ") + words.basis + basis_text(*entry, words) + "\n";
    out += std::string("   ") + words.fields + field_list(entry->permitted_fields) + "\n";
    out += conditions_lines(*entry, words, request.language);
    out += std::string("   ") + words.reference + entry->request_id + "\n";
  }
  out += "\n" + std::string(words.refused) + std::to_string(refused) + "\n\n";

  if (reads.empty()) {
    out += std::string(words.reads_none) + "\n";
  } else if (reads.size() == 1) {
    out += std::string(words.reads_one) + "\n";
  } else {
    out += std::to_string(reads.size()) + words.reads_many + "\n";
  }
  number = 0;
  for (const AuditEntry* entry : reads) {
    out += "\n" + std::to_string(++number) + ". " + words.on + spoken_time(entry->time, request.language) + "\n";
    out += std::string("   ") + words.reader + entry->consumer + "\n";
    std::string what = what_was_read(*entry, words);
    if (!entry->permitted_fields.empty()) what += " (" + field_list(entry->permitted_fields) + ")";
    out += std::string("   ") + words.what_read + what + "\n";
    out += std::string("   ") + words.reference + entry->request_id + "\n";
  }
  out += "\n" + std::string(words.times) + "\n";
  return out;
}

}  // namespace pse::audit_cli
