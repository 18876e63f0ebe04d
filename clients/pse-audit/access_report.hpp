// A citizen's register of communications: every communication of their personal information
// recorded in the audit log, with recipient, category, purpose, basis, time and the conditions
// the rule set on it (its obligations at the time, in words) — what Québec's Access Act calls
// the « registre des communications ».
//
// French by default, English on request. Only allowed exchanges are communications; refused
// requests are counted separately, since no information left the provider. Reads of the
// consent registry about the person (audit/registry_read.hpp) are listed in a section
// of their own: who consulted their consents, their mandates, this register or the proof of
// one of its entries, and when.
#pragma once

#include "audit/audit_entry.hpp"

#include <optional>
#include <string>
#include <vector>

namespace pse::audit_cli {

enum class Language { french, english };

struct ReportRequest {
  std::string subject_id;
  std::optional<std::string> since_text;  ///< as the officer typed it, for the heading
  std::optional<std::string> until_text;
  audit::TimeMicros produced_at = 0;
  Language language = Language::french;
};

/// `entries` are the subject's entries in sequence order, allowed and denied.
std::string access_report(const ReportRequest& request, const std::vector<audit::AuditEntry>& entries);

}  // namespace pse::audit_cli
