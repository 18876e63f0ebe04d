#include "broker/access_register.hpp"

#include "audit/inclusion_proof_document.hpp"
#include "audit/obligation_wording.hpp"
#include "audit/registry_read.hpp"

#include <boost/json.hpp>

#include <charconv>

namespace pse::broker {
namespace json = boost::json;

namespace {

json::array strings(const std::vector<std::string>& items) {
  json::array out;
  for (const auto& item : items) out.emplace_back(item);
  return out;
}

// The conditions the rule set on a communication, each with the words the citizen reads; an
// obligation of a later version without wording keeps only its code.
json::array obligations_json(const std::vector<std::string>& obligations) {
  json::array out;
  for (const std::string& obligation : obligations) {
    json::object item{{"code", obligation}};
    if (const auto wording = audit::obligation_wording(obligation)) {
      item["fr"] = wording->french;
      item["en"] = wording->english;
    }
    out.emplace_back(std::move(item));
  }
  return out;
}

json::object access_json(const audit::AuditEntry& e) {
  // A refusal communicated nothing: it has a reason, and neither basis nor obligations.
  if (e.decision != audit::Decision::allow && !audit::registry_read_of(e)) {
    return json::object{
        {"kind", "refusal"},
        {"time", audit::format_time(e.time)},
        {"recipient", e.consumer},  // who asked
        {"provider", e.provider},
        {"category", e.category},
        {"purpose", e.purpose},
        {"reason", e.reason},
        {"fields", strings(e.permitted_fields)},  // as the entry records them; the broker records none
        {"request_id", e.request_id},
        {"audit_seq", e.seq},
    };
  }
  return json::object{
      {"kind", audit::registry_read_of(e) ? "registry_read" : "communication"},
      {"time", audit::format_time(e.time)},
      {"recipient", e.consumer},
      {"provider", e.provider},
      {"category", e.category},
      {"purpose", e.purpose},
      {"basis", json::object{{"type", audit::to_string(e.basis_type)}, {"reference", e.basis}}},
      {"fields", strings(e.permitted_fields)},
      {"obligations", obligations_json(e.obligations)},
      {"request_id", e.request_id},
      {"audit_seq", e.seq},
  };
}

HttpResponse json_response(std::string body) { return HttpResponse{200, "application/json", std::move(body)}; }

}  // namespace

HttpResponse access_list(audit::AuditStore& log, const pse::Hash& subject, const Target& target) {
  audit::EntryFilter filter;
  filter.subject_hash = subject;  // every decision: refusals are the citizen's to see too
  filter.limit = 1000;
  for (const auto& [key, value] : target.query) {
    if (key == "since" || key == "until") {
      auto time = audit::parse_time(value);
      if (!time) return error_response(Reason::malformed_request, key + " must be a UTC date or time");
      (key == "since" ? filter.since : filter.until) = *time;
    } else if (key == "limit") {
      const bool digits = !value.empty() && value.size() <= 5 && value.find_first_not_of("0123456789") == std::string::npos;
      if (!digits || std::stoul(value) == 0 || std::stoul(value) > 10000) {
        return error_response(Reason::malformed_request, "limit must be between 1 and 10000");
      }
      filter.limit = std::stoul(value);
    } else {
      return error_response(Reason::malformed_request, "unknown query parameter '" + key + "'");
    }
  }
  json::array items;
  auto status = log.query(filter, [&items](const audit::StoredEntry& stored) {
    items.push_back(access_json(stored.entry));
    return true;
  });
  if (!status) return error_response(Reason::internal_error, "audit log unreadable: " + status.error().message);
  return json_response(json::serialize(json::object{{"accesses", std::move(items)}}));
}

std::optional<std::uint64_t> read_audit_seq(std::string_view text) {
  std::uint64_t seq = 0;
  if (text.empty() || text.size() > 20 || text.find_first_not_of("0123456789") != std::string_view::npos) {
    return std::nullopt;
  }
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), seq);
  if (error != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return seq;
}

HttpResponse access_proof(audit::AuditStore& log, const audit::PublicKey& signer, const pse::Hash& subject,
                          std::uint64_t seq) {
  const HttpResponse not_found =
      error_response(Reason::not_found, "no entry of this subject's register has this audit_seq");
  const auto unreadable = [](const audit::AuditError& error) {
    return error_response(Reason::internal_error, "audit log unreadable: " + error.message);
  };
  // The head first: every entry it covers, and their tree nodes, were committed with it or before.
  auto head = log.latest_tree_head();
  if (!head) return unreadable(head.error());
  if (!*head || seq >= (*head)->tree_size) return not_found;
  std::optional<audit::AuditEntry> entry;
  auto read = log.read_entries(seq, seq + 1, [&entry](const audit::StoredEntry& stored) {
    entry = stored.entry;
    return false;
  });
  if (!read) return unreadable(read.error());
  // A row missing under a signed head is no subject's entry, but a damaged log: said as such.
  if (!entry || entry->seq != seq) {
    return error_response(Reason::internal_error, "audit entry " + std::to_string(seq) + " is missing; run pse-audit verify");
  }
  if (entry->subject_hash != subject) return not_found;
  auto document = audit::inclusion_proof_document(log, *entry, **head, &signer);
  if (!document) return unreadable(document.error());
  return json_response(std::move(*document));
}

}  // namespace pse::broker
