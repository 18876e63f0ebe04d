// Entries as a text table, CSV (RFC 4180) or JSON, for `pse-audit query`.
#pragma once

#include "audit/audit_entry.hpp"

#include <boost/json.hpp>

#include <string>
#include <vector>

namespace pse::audit_cli {

std::string entries_table(const std::vector<audit::AuditEntry>& entries);
std::string entries_csv(const std::vector<audit::AuditEntry>& entries);
std::string entries_json(const std::vector<audit::AuditEntry>& entries);

boost::json::object entry_to_json(const audit::AuditEntry& entry);

/// Pads columns to their widest cell (counting UTF-8 characters, not bytes).
std::string format_table(const std::vector<std::vector<std::string>>& rows);

}  // namespace pse::audit_cli
