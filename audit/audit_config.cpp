#include "audit/audit_config.hpp"

namespace pse::audit {

AuditConfig read_audit_config(YamlMap& audit) {
  AuditConfig config;
  config.database = resolve_relative_to(audit.file(), audit.required_string("database"));
  config.key_dir = resolve_relative_to(audit.file(), audit.required_string("key_dir"));
  config.max_batch_entries = static_cast<std::size_t>(
      audit.integer_or("max_batch_entries", static_cast<std::int64_t>(config.max_batch_entries), 1, 65536));
  config.max_pending_entries = static_cast<std::size_t>(audit.integer_or(
      "max_pending_entries", static_cast<std::int64_t>(config.max_pending_entries), 1, 16 * 1024 * 1024));
  config.max_pending_per_org = static_cast<std::size_t>(audit.integer_or(
      "max_pending_per_org", static_cast<std::int64_t>(config.max_pending_per_org), 1, 16 * 1024 * 1024));
  audit.finish();
  return config;
}

}  // namespace pse::audit
