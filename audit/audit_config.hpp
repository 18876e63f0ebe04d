// Settings of the audit log, as the broker will read them from the `audit:` mapping of
// broker.yaml:
//
//   audit:
//     database: /var/lib/pse/audit.db
//     key_dir: /etc/pse/audit-keys        # from `pse-audit keygen --dir`
//     max_batch_entries: 1024             # optional
//     max_pending_entries: 65536          # optional
//     max_pending_per_org: 8192           # optional
#pragma once

#include "base/yaml_reader.hpp"

#include <cstddef>
#include <filesystem>

namespace pse::audit {

struct AuditConfig {
  std::filesystem::path database;
  /// Holds audit-signing.key and subject-hash.key (see audit_keys.hpp).
  std::filesystem::path key_dir;
  /// Entries committed together at most. Larger batches amortise the fsync and the signature;
  /// a batch never waits to fill up (see audit_log.hpp).
  std::size_t max_batch_entries = 1024;
  /// Appends queued at most; beyond it append() refuses at once with `overloaded`, so that a
  /// slow disk shows up as refusals instead of unbounded memory.
  std::size_t max_pending_entries = 65536;
  /// Appends queued at most for one organisation's requests; beyond it append() refuses that
  /// organisation at once with `share_exceeded`, while the others keep appending.
  std::size_t max_pending_per_org = 8192;
};

/// Reads the `audit:` mapping; relative paths are resolved against the config file. Throws
/// ConfigError with file and line for missing or bad values and unknown keys.
AuditConfig read_audit_config(YamlMap& audit);

}  // namespace pse::audit
