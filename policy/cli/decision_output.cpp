#include "policy/cli/decision_output.hpp"

#include "policy/cli/explanation.hpp"

namespace pse::policy::cli {
namespace {

std::string join(const std::vector<std::string>& items, const char* separator = ", ") {
  std::string text;
  for (const auto& item : items) text += (text.empty() ? "" : separator) + item;
  return text;
}

void row(std::string& out, const char* label, const std::string& value) {
  std::string padded = label;
  padded.resize(13, ' ');
  out += padded + value + "\n";
}

// What the hub itself does for each obligation (docs/decisions/classification.md), so that
// whoever reads a rule knows which obligations the hub carries out and which it leaves to the
// consumer.
std::string what_the_hub_does(Obligation obligation) {
  switch (obligation) {
    case Obligation::end_to_end_encryption:
      return "the provider's connector seals the record for the consumer's registered encryption key; the broker "
             "forwards it without being able to read it (refused encryption_key_missing if the consumer has no key)";
    case Obligation::notify_subject:
      return "once the exchange is audited, the hub publishes an access notice (notice.data_access) in the provider's "
             "name and pse-notify tells the citizen by email or SMS, as they chose (each exchange, a daily digest or "
             "none) and with their consent, which body received which fields, from whom, when and why";
    case Obligation::no_onward_disclosure:
      return "listed in the answer and in each delivery: the consumer may not pass the record on; kept in the audit "
             "entry and said in words in the citizen's register (pse-audit report, the accesses view) and in the "
             "receipts of consents the rule serves";
  }
  return "unknown obligation";
}

// What a category's integrity rating makes the hub do (docs/decisions/classification.md).
std::string integrity_handling(bool signed_records, const Decision& decision) {
  if (!signed_records) return "not signed (below the classification's signed_integrity_from)";
  if (decision.obligations.contains(Obligation::end_to_end_encryption)) {
    return "the category requires signed records, but a sealed record is not signed yet";
  }
  return "the provider signs every field (salted hashes, Ed25519); the broker checks the signature against the "
         "provider's registered key (refused integrity_failed otherwise) and forwards the proofs of the permitted "
         "fields only";
}

}  // namespace

std::string decision_as_text(const DecisionRequest& request, const Decision& decision,
                             const std::vector<std::string>& explanation, bool signed_records) {
  std::string out;
  row(out, "decision", std::string(to_string(decision.effect)) +
                           (decision.reason ? " (" + std::string(to_string(*decision.reason)) + ")" : ""));
  row(out, "at", format_instant(request.at));
  row(out, "rule", decision.rule_id.empty() ? "none" : decision.rule_id);
  if (decision.allowed()) {
    row(out, "fields", join(decision.permitted_fields));
    row(out, "basis", decision.basis.kind == BasisKind::law ? "law: " + decision.basis.legal_reference
                                                            : "consent (to be checked at run time)");
    std::vector<std::string> obligations;
    for (Obligation obligation : decision.obligations.list()) obligations.emplace_back(to_string(obligation));
    row(out, "obligations", obligations.empty() ? "none" : join(obligations));
    for (Obligation obligation : decision.obligations.list()) {
      out += "  " + std::string(to_string(obligation)) + ": " + what_the_hub_does(obligation) + "\n";
    }
    row(out, "integrity", integrity_handling(signed_records, decision));
    if (decision.rate_limit) row(out, "rate limit", describe_rate_limit(*decision.rate_limit));
  }
  for (const RefusedField& refused : decision.refused_fields) {
    row(out, "refused", refused.name + " (" + std::string(to_string(refused.reason)) + ")");
  }
  out += "why\n";
  for (const std::string& line : explanation) out += "  " + line + "\n";
  return out;
}

boost::json::object decision_as_json(const DecisionRequest& request, const Decision& decision,
                                     const std::vector<std::string>& explanation, bool signed_records) {
  boost::json::object json;
  json["decision"] = to_string(decision.effect);
  json["reason"] = decision.reason ? boost::json::value(to_string(*decision.reason)) : boost::json::value(nullptr);
  json["rule"] = decision.rule_id.empty() ? boost::json::value(nullptr) : boost::json::value(decision.rule_id);

  boost::json::object input;
  input["consumer"] = request.consumer;
  input["provider"] = request.provider;
  input["category"] = request.category;
  input["purpose"] = request.purpose;
  boost::json::array requested;
  for (const auto& field : request.fields) requested.emplace_back(field);
  input["fields"] = std::move(requested);
  input["at"] = format_instant(request.at);
  json["request"] = std::move(input);

  boost::json::array permitted;
  for (const auto& field : decision.permitted_fields) permitted.emplace_back(field);
  json["permitted_fields"] = std::move(permitted);
  boost::json::array refused;
  for (const RefusedField& field : decision.refused_fields) {
    refused.emplace_back(boost::json::object{{"field", field.name}, {"reason", to_string(field.reason)}});
  }
  json["refused_fields"] = std::move(refused);

  if (decision.basis.kind == BasisKind::none) {
    json["basis"] = nullptr;
  } else {
    boost::json::object basis{{"kind", to_string(decision.basis.kind)}};
    if (decision.basis.kind == BasisKind::law) basis["legal_reference"] = decision.basis.legal_reference;
    json["basis"] = std::move(basis);
  }
  boost::json::array obligations;
  boost::json::object carried_out;
  for (Obligation obligation : decision.obligations.list()) {
    obligations.emplace_back(to_string(obligation));
    carried_out[to_string(obligation)] = what_the_hub_does(obligation);
  }
  json["obligations"] = std::move(obligations);
  json["what_the_hub_does"] = std::move(carried_out);
  json["signed_records"] = signed_records;
  json["integrity"] = integrity_handling(signed_records, decision);
  if (decision.rate_limit) {
    json["rate_limit"] = boost::json::object{{"requests", decision.rate_limit->requests},
                                             {"period_seconds", decision.rate_limit->period.count()}};
  } else {
    json["rate_limit"] = nullptr;
  }
  boost::json::array why;
  for (const auto& line : explanation) why.emplace_back(line);
  json["explanation"] = std::move(why);
  return json;
}

}  // namespace pse::policy::cli
