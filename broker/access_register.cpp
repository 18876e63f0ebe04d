#include "broker/access_register.hpp"

#include "audit/obligation_wording.hpp"
#include "audit/registry_read.hpp"

#include <boost/json.hpp>

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

}  // namespace pse::broker
