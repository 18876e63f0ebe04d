// What several pse-audit commands share: opening the store read-only, loading keys, reading
// tree head files, turning filter options into an EntryFilter.
//
// Problems here are the operator's to fix (a wrong path, a bad key file): they throw
// ConfigError or UsageError, which main() turns into exit code 2.
#pragma once

#include "audit/audit_keys.hpp"
#include "audit/audit_store.hpp"
#include "audit/tree_head.hpp"
#include "clients/pse-audit/arguments.hpp"

#include <boost/json.hpp>

#include <filesystem>
#include <memory>
#include <string>

namespace pse::audit_cli {

/// Opens --db read-only (a SQLite file or a PostgreSQL connection string, with
/// --password-file): pse-audit never writes to the log.
std::unique_ptr<audit::AuditStore> open_store(const Arguments& args);

/// The public key from --public-key FILE, else from --key-dir DIR.
audit::PublicKey public_key_from(const Arguments& args);

/// The subject hash key from --key-dir DIR.
audit::SubjectHashKey subject_key_from(const Arguments& args);

audit::SignedTreeHead read_head_file(const std::filesystem::path& file);
audit::SignedTreeHead head_from_json(const boost::json::value& json, const std::filesystem::path& file);
boost::json::object head_to_json(const audit::SignedTreeHead& head);

/// --since/--until (dates or UTC timestamps), and for query the other filters.
audit::EntryFilter period_filter(const Arguments& args);

/// Reads a whole file, or standard input for "-".
std::string read_text(const std::filesystem::path& file);

/// Writes to --out FILE when given, else to standard output.
void write_output(const Arguments& args, const std::string& text);

}  // namespace pse::audit_cli
